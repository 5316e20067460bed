#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Receives a stream of bytes.
protocol ByteSink: AnyObject {
    func write(_ bytes: UnsafeRawBufferPointer) throws
}

/// A new file written sequentially through a buffer. Created with `O_EXCL`,
/// so an existing file is never overwritten.
final class FileOutput: ByteSink {
    let path: String
    private let fd: Int32
    private var buffer: [UInt8] = []
    private static let bufferSize = 1 << 20
    /// Bytes handed to this file so far (its size once closed).
    private(set) var offset: Int64 = 0
    private var closed = false

    init(path: String) throws {
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        self.path = path
        if fd < 0 { throw SampleDataError.io(path: path, operation: "create", errno: errno) }
        buffer.reserveCapacity(FileOutput.bufferSize)
    }

    deinit { if !closed { _ = posixClose(fd) } }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        offset += Int64(bytes.count)
        if buffer.count + bytes.count > FileOutput.bufferSize { try flush() }
        if bytes.count >= FileOutput.bufferSize {
            try writeFully(bytes)
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    /// Overwrites bytes already written at `position` (used for zip local headers).
    func patch(at position: Int64, _ bytes: [UInt8]) throws {
        try flush()
        let written = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(position)) }
        if written != bytes.count { throw SampleDataError.io(path: path, operation: "pwrite", errno: errno) }
    }

    func close() throws {
        try flush()
        closed = true
        if posixClose(fd) != 0 { throw SampleDataError.io(path: path, operation: "close", errno: errno) }
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { try writeFully($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeFully(_ bytes: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < bytes.count {
            let n = posixWrite(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw SampleDataError.io(path: path, operation: "write", errno: errno)
            }
            done += n
        }
    }
}

@inline(__always) private func posixClose(_ fd: Int32) -> Int32 { close(fd) }
@inline(__always) private func posixWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { write(fd, p, n) }
