import CGHWHZlib

/// Streaming zlib deflate into a file: gzip framing (`.json.gz`) or raw deflate (zip entries).
final class DeflateStream: ByteSink {
    enum Framing { case gzip, raw }

    private let stream: UnsafeMutablePointer<z_stream>
    private let output: FileOutput
    private var outBuffer = [UInt8](repeating: 0, count: 256 << 10)
    private var ended = false
    /// Uncompressed bytes consumed.
    private(set) var totalIn: Int64 = 0

    /// Level 1: benchmarks generate gigabytes, and speed matters more than ratio here.
    init(output: FileOutput, framing: Framing, level: Int32 = 1) throws {
        self.output = output
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let windowBits: Int32 = framing == .gzip ? 16 + MAX_WBITS : -MAX_WBITS
        let rc = deflateInit2_(
            stream, level, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY,
            zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        if rc != Z_OK {
            stream.deallocate()
            throw SampleDataError.compression(path: output.path, code: rc)
        }
    }

    deinit {
        if !ended { deflateEnd(stream) }
        stream.deallocate()
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count > 0 else { return }
        totalIn += Int64(bytes.count)
        stream.pointee.next_in = UnsafeMutablePointer(mutating: bytes.baseAddress!.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(bytes.count)
        while stream.pointee.avail_in > 0 { try pump(flush: Z_NO_FLUSH) }
    }

    /// Ends the stream (writes the final block and, for gzip, the trailer).
    func finish() throws {
        stream.pointee.next_in = nil
        stream.pointee.avail_in = 0
        while try pump(flush: Z_FINISH) != Z_STREAM_END {}
        deflateEnd(stream)
        ended = true
    }

    @discardableResult
    private func pump(flush: Int32) throws -> Int32 {
        let capacity = outBuffer.count
        var rc: Int32 = Z_OK
        var produced = 0
        outBuffer.withUnsafeMutableBytes { out in
            stream.pointee.next_out = out.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = uInt(capacity)
            rc = deflate(stream, flush)
            produced = capacity - Int(stream.pointee.avail_out)
        }
        if rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR {
            throw SampleDataError.compression(path: output.path, code: rc)
        }
        if produced > 0 {
            try outBuffer.withUnsafeBytes { try output.write(UnsafeRawBufferPointer(rebasing: $0[0..<produced])) }
        }
        return rc
    }
}
