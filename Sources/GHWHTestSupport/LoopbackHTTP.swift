import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why a loopback connection or GET failed.
public struct LoopbackHTTPError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A TCP connection to 127.0.0.1:`port` with a receive timeout (generous: CI machines
/// are loaded); the caller closes the descriptor.
public func connectLoopback(port: Int, timeoutSeconds: Int = 30) throws -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw LoopbackHTTPError("socket() failed: errno \(errno)") }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = in_port_t(UInt16(port).bigEndian)
    let connected = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
        }
    }
    guard connected else {
        let code = errno
        close(fd)
        throw LoopbackHTTPError("cannot connect to 127.0.0.1:\(port): errno \(code)")
    }
    var tv = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    return fd
}

/// An HTTP response as read off the wire.
public struct LoopbackHTTPResponse: Sendable {
    /// Status line, headers and body, as received.
    public let raw: String
    public let status: Int
    /// The Content-Type header's value, or "".
    public let contentType: String
    public let body: String
}

/// The one plain HTTP/1.1 GET the tests use against a server on loopback (no HTTP
/// client library here): `Connection: close`, read to the end, blocking.
public func loopbackGet(port: Int, _ path: String, timeoutSeconds: Int = 30) throws -> LoopbackHTTPResponse {
    let fd = try connectLoopback(port: port, timeoutSeconds: timeoutSeconds)
    defer { close(fd) }
    let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
    var offset = 0
    while offset < request.count {
        let n = request[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { throw LoopbackHTTPError("send to port \(port) failed: errno \(errno)") }
        offset += n
    }
    var data = [UInt8]()
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = recv(fd, &buffer, buffer.count, 0)
        if n < 0 { throw LoopbackHTTPError("recv from port \(port) failed: errno \(errno)") }
        if n == 0 { break }
        data += buffer[0..<n]
    }
    let text = String(decoding: data, as: UTF8.self)
    guard let split = text.range(of: "\r\n\r\n") else {
        throw LoopbackHTTPError("no HTTP header in \(text.prefix(200))")
    }
    let head = text[..<split.lowerBound]
    let statusLine = head.split(separator: "\r\n", maxSplits: 1).first ?? ""
    let fields = statusLine.split(separator: " ")
    guard fields.count >= 2, let status = Int(fields[1]) else {
        throw LoopbackHTTPError("bad status line: \(statusLine)")
    }
    let contentType =
        head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-type:") }
        .map { String($0.dropFirst(13)).trimmingCharacters(in: .whitespaces) } ?? ""
    return LoopbackHTTPResponse(
        raw: text, status: status, contentType: contentType, body: String(text[split.upperBound...]))
}
