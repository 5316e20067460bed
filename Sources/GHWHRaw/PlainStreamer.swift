/// Streams an uncompressed document as it is on disk.
enum PlainStreamer {
    static func stream(
        path: String, source: String, bufferSize: Int,
        _ consume: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        let file = try ReadOnlyFile(path: path, source: source)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = try file.read(into: buffer)
            if count == 0 { return }
            try consume(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
    }
}
