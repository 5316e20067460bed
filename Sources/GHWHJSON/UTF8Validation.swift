/// Strict UTF-8 validation of one multi-byte sequence (Unicode table 3-7):
/// rejects stray continuation bytes, overlong forms (`C0 AF`, `E0 80 ..`),
/// UTF-16 surrogates (`ED A0 80`), code points above U+10FFFF and `F5`-`FF`.
enum UTF8Validation {
    /// Length (2-4) of the valid sequence whose lead byte is `p[i]` (>= 0x80),
    /// or 0 when the sequence is invalid or cut short by `end`.
    @inline(__always)
    static func sequenceLength(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int) -> Int {
        let lead = p[i]
        if lead < 0xC2 { return 0 }  // continuation byte or overlong 2-byte lead
        if lead < 0xE0 {
            return i + 1 < end && isContinuation(p[i + 1]) ? 2 : 0
        }
        if lead < 0xF0 {
            guard i + 2 < end else { return 0 }
            let b1 = p[i + 1]
            let low: UInt8 = lead == 0xE0 ? 0xA0 : 0x80  // E0: no overlong forms
            let high: UInt8 = lead == 0xED ? 0x9F : 0xBF  // ED: no surrogates
            return b1 >= low && b1 <= high && isContinuation(p[i + 2]) ? 3 : 0
        }
        if lead < 0xF5 {
            guard i + 3 < end else { return 0 }
            let b1 = p[i + 1]
            let low: UInt8 = lead == 0xF0 ? 0x90 : 0x80  // F0: no overlong forms
            let high: UInt8 = lead == 0xF4 ? 0x8F : 0xBF  // F4: nothing above U+10FFFF
            return b1 >= low && b1 <= high && isContinuation(p[i + 2]) && isContinuation(p[i + 3]) ? 4 : 0
        }
        return 0
    }

    @inline(__always)
    static func isContinuation(_ b: UInt8) -> Bool { b & 0xC0 == 0x80 }

    /// Why the sequence at `p[i]` is invalid, for an error message.
    static func describeInvalidSequence(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int) -> String {
        let lead = p[i]
        let needed = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
        if lead >= 0xC2 && lead < 0xF5 && i + needed > end {
            var k = i + 1
            while k < end && isContinuation(p[k]) { k += 1 }
            if k == end { return "truncated UTF-8 sequence starting with \(describeByte(lead))" }
        }
        if isContinuation(lead) { return "invalid UTF-8: unexpected continuation \(describeByte(lead))" }
        return "invalid UTF-8 sequence starting with \(describeByte(lead))"
    }
}
