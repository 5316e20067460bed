import CGHWHZlib

/// A heap-allocated zlib inflate stream (zlib keeps a back pointer to the z_stream,
/// so it must not move between calls).
final class ZlibInflater {
    enum Step {
        /// Progress was made (or more input is needed).
        case progressed
        /// The end of a compressed stream (a gzip member) was reached.
        case streamEnd
        /// The data is corrupt; the string is zlib's message.
        case dataError(String)
    }

    private let stream: UnsafeMutablePointer<z_stream>

    /// `windowBits`: `16 + MAX_WBITS` for gzip, `-MAX_WBITS` for raw deflate.
    init(windowBits: Int32, source: String) throws(RawReadError) {
        stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = inflateInit2_(stream, windowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw RawReadError(source: source, reason: "zlib inflateInit2 failed with status \(status)")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Unconsumed bytes of the last input given.
    var availableInput: Int { Int(stream.pointee.avail_in) }

    /// Hands zlib new input; the caller keeps `input` alive until it is consumed.
    func setInput(_ input: UnsafeRawBufferPointer) {
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
    }

    /// Starts a new stream (the next gzip member) keeping the pending input.
    func reset() { inflateReset(stream) }

    /// Inflates into `output`; returns the step and how many bytes were written.
    func inflate(into output: UnsafeMutableRawBufferPointer) -> (step: Step, produced: Int) {
        stream.pointee.next_out = output.baseAddress?.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = uInt(output.count)
        let status = CGHWHZlib.inflate(stream, Z_NO_FLUSH)
        let produced = output.count - Int(stream.pointee.avail_out)
        switch status {
        case Z_OK, Z_BUF_ERROR:
            return (.progressed, produced)
        case Z_STREAM_END:
            return (.streamEnd, produced)
        default:
            let message = stream.pointee.msg.map { String(cString: $0) } ?? "zlib status \(status)"
            return (.dataError(message), produced)
        }
    }
}
