import ArgumentParser
import Foundation

/// `ghwh health --url http://127.0.0.1:8080/healthz`: exits 0 when the URL
/// answers HTTP 200 within the timeout. For container health checks: a plain
/// HTTP/1.0 GET over a socket, so the image needs neither curl nor libcurl.
struct HealthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Check that an http:// URL answers 200 (container health checks).")
    @Option(help: "http://HOST:PORT/PATH") var url: String
    @Option(help: "Seconds before giving up.") var timeout: Int = 3

    func run() throws {
        guard let u = URL(string: url), u.scheme == "http", let host = u.host else {
            throw ValidationError("--url must be http://HOST:PORT/PATH")
        }
        let status = try Self.get(host: host, port: u.port ?? 80, path: u.path.isEmpty ? "/" : u.path, timeout: timeout)
        guard status == 200 else { throw CommandFailure("\(url) answered HTTP \(status)") }
        print("ok")
    }

    static func get(host: String, port: Int, path: String, timeout: Int) throws -> Int {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var info: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &info) == 0, let first = info else {
            throw CommandFailure("cannot resolve \(host)")
        }
        defer { freeaddrinfo(info) }
        let fd = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard fd >= 0 else { throw CommandFailure("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var tv = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        guard connect(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else {
            throw CommandFailure("cannot connect to \(host):\(port): \(String(cString: strerror(errno)))")
        }
        let request = Array("GET \(path) HTTP/1.0\r\nHost: \(host)\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count
        else {
            throw CommandFailure("cannot send the request")
        }
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = recv(fd, &buffer, buffer.count, 0)
        guard n > 0 else { throw CommandFailure("no answer from \(host):\(port)") }
        // "HTTP/1.1 200 OK"
        let line = String(decoding: buffer[0..<n], as: UTF8.self).split(separator: " ", maxSplits: 2)
        guard line.count >= 2, let status = Int(line[1]) else { throw CommandFailure("not an HTTP answer") }
        return status
    }
}
