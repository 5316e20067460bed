#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file opened with `O_RDONLY` and read with read(2): raw files are never written.
final class ReadOnlyFile {
    let path: String
    /// The name used in errors (a relative path or zip source).
    let source: String
    private let descriptor: Int32
    /// Bytes returned by `read` so far: the offset reported in errors.
    private(set) var offset: Int64 = 0

    init(path: String, source: String) throws(RawReadError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw RawReadError(source: source, reason: "cannot open \(path): \(systemErrorMessage())")
        }
        self.path = path
        self.source = source
        self.descriptor = fd
    }

    deinit { close(descriptor) }

    /// The file's current size (fstat).
    func size() throws(RawReadError) -> Int64 {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw RawReadError(source: source, reason: "cannot stat \(path): \(systemErrorMessage())")
        }
        return Int64(info.st_size)
    }

    /// Moves the read position to `position`.
    func seek(to position: Int64) throws(RawReadError) {
        guard lseek(descriptor, off_t(position), SEEK_SET) == off_t(position) else {
            throw RawReadError(
                source: source, reason: "cannot seek to byte offset \(position): \(systemErrorMessage())")
        }
        offset = position
    }

    /// Exactly `count` bytes starting at `position`; `what` names them in the error when the file is shorter.
    func readExactly(_ count: Int, at position: Int64, what: String) throws(RawReadError) -> [UInt8] {
        try seek(to: position)
        var failure: RawReadError?
        // Read straight into the array's storage (documents of MBs: no second copy).
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            initialized = 0
            let raw = UnsafeMutableRawBufferPointer(buffer)
            while initialized < count {
                let got: Int
                do throws(RawReadError) {
                    got = try read(into: UnsafeMutableRawBufferPointer(rebasing: raw[initialized..<count]))
                } catch {
                    failure = error
                    return
                }
                if got == 0 {
                    failure = RawReadError(
                        source: source,
                        reason:
                            "\(what) at byte offset \(position) is cut short: file ends at byte offset \(position + Int64(initialized))"
                    )
                    return
                }
                initialized += got
            }
        }
        if let failure { throw failure }
        return bytes
    }

    /// Fills up to `buffer.count` bytes; returns 0 only at end of file. Retries on EINTR.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(RawReadError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            let count = systemRead(descriptor, base, buffer.count)
            if count >= 0 {
                offset += Int64(count)
                return count
            }
            if errno == EINTR { continue }
            throw RawReadError(source: source, reason: "read error at byte offset \(offset): \(systemErrorMessage())")
        }
    }
}

/// read(2) under a name that doesn't clash with `ReadOnlyFile.read`.
@inline(__always)
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(fd, buffer, count)
}

/// `strerror(errno)` as a String.
func systemErrorMessage() -> String {
    let code = errno
    guard let message = strerror(code) else { return "errno \(code)" }
    return String(cString: message) + " (errno \(code))"
}
