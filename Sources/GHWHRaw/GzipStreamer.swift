/// Streams the decompressed bytes of a (possibly multi-member) gzip file.
enum GzipStreamer {
    static let inputChunkSize = 256 * 1024

    static func stream(
        path: String, source: String, bufferSize: Int,
        _ consume: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        try stream(ReadOnlyFile(path: path, source: source), source: source, bufferSize: bufferSize, consume)
    }

    /// The same over any input (a file, or a whole .gz file carried in a task).
    static func stream(
        _ file: some ByteInput, source: String, bufferSize: Int,
        _ consume: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        let inflater = try ZlibInflater(windowBits: 16 + 15, source: source)
        let input = UnsafeMutableRawBufferPointer.allocate(byteCount: inputChunkSize, alignment: 16)
        defer { input.deallocate() }
        let output = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 16)
        defer { output.deallocate() }

        var sawInput = false
        var memberEnded = false
        // zlib may hold decompressed bytes back when the output buffer fills: drain before reading on.
        var outputFilled = false
        // Offset of the next unconsumed compressed byte, for error messages.
        var compressedOffset: Int64 { file.offset - Int64(inflater.availableInput) }
        while true {
            if inflater.availableInput == 0 && !outputFilled {
                let count = try file.read(into: input)
                if count == 0 { break }
                sawInput = true
                inflater.setInput(UnsafeRawBufferPointer(rebasing: input[0..<count]))
            }
            if memberEnded {
                // Input remains after a member's trailer: another member follows.
                inflater.reset()
                memberEnded = false
            }
            let (step, produced) = inflater.inflate(into: output)
            outputFilled = produced == output.count
            if produced > 0 {
                try consume(UnsafeRawBufferPointer(rebasing: output[0..<produced]))
            }
            switch step {
            case .progressed: continue
            case .streamEnd:
                memberEnded = true
                outputFilled = false  // nothing is held back once a member has ended
            case .dataError(let message):
                throw RawReadError(
                    source: source,
                    reason: "bad gzip data: \(message) (near compressed byte offset \(compressedOffset))")
            }
        }
        // A zero-byte file is an empty document; otherwise the last member must be complete.
        if sawInput && !memberEnded {
            throw RawReadError(
                source: source,
                reason: "truncated gzip: input ends at byte offset \(file.offset) inside a compressed stream")
        }
    }
}
