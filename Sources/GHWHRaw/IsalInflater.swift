import CGHWHIsal

/// A streaming raw-DEFLATE decoder on ISA-L's igzip: about twice zlib's speed
/// on these machines (docs/operations.md#cpu-budget) with the same bounded
/// memory, so it decodes zip entries of any size. The state is heap-allocated
/// (~50 KB, and ISA-L keeps pointers into it).
final class IsalInflater {
    private let state: UnsafeMutablePointer<inflate_state>

    init() {
        state = UnsafeMutablePointer<inflate_state>.allocate(capacity: 1)
        isal_inflate_init(state)
        state.pointee.crc_flag = UInt32(ISAL_DEFLATE)
    }

    deinit { state.deallocate() }

    /// Unconsumed bytes of the last input given.
    var availableInput: Int { Int(state.pointee.avail_in) }

    /// Hands ISA-L new input; the caller keeps `input` alive until it is consumed.
    func setInput(_ input: UnsafeRawBufferPointer) {
        state.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: UInt8.self))
        state.pointee.avail_in = UInt32(input.count)
    }

    /// Inflates into `output`; returns the step and how many bytes were written.
    func inflate(into output: UnsafeMutableRawBufferPointer) -> (step: ZlibInflater.Step, produced: Int) {
        state.pointee.next_out = output.baseAddress?.assumingMemoryBound(to: UInt8.self)
        state.pointee.avail_out = UInt32(output.count)
        let status = isal_inflate(state)
        let produced = output.count - Int(state.pointee.avail_out)
        if status < 0 { return (.dataError(Self.message(status)), produced) }
        if state.pointee.block_state == ISAL_BLOCK_FINISH { return (.streamEnd, produced) }
        return (.progressed, produced)
    }

    /// zlib's wording where the two mean the same, so messages read alike whichever decoded.
    static func message(_ status: Int32) -> String {
        switch status {
        case ISAL_INVALID_BLOCK: "invalid block type or lengths"
        case ISAL_INVALID_SYMBOL: "invalid code (literal, length or distance symbol)"
        case ISAL_INVALID_LOOKBACK: "invalid distance too far back"
        default: "ISA-L inflate status \(status)"
        }
    }
}

/// CRC-32 (the zip and gzip polynomial) with ISA-L's folding implementation:
/// ~4x zlib's `crc32` here, the same values.
func crc32Update(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
    guard let base = bytes.baseAddress, bytes.count > 0 else { return crc }
    return crc32_gzip_refl(crc, base.assumingMemoryBound(to: UInt8.self), UInt64(bytes.count))
}
