/// Byte-level helpers shared by the splitter and the projector: word-at-a-time
/// (SWAR) tests that find the first "interesting" byte in 8 bytes without a
/// per-byte branch. All of them are exact for the *lowest* flagged byte, which
/// is the only one callers use.
@usableFromInline
enum SWAR {
    @usableFromInline static let ones: UInt64 = 0x0101_0101_0101_0101
    @usableFromInline static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// Loads 8 bytes so that byte 0 is in the low bits on any host.
    @inline(__always) @usableFromInline
    static func load(_ p: UnsafePointer<UInt8>, _ i: Int) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self))
    }

    /// High bit set in each byte of `w` equal to `byte` (the lowest flagged byte is exact).
    @inline(__always) @usableFromInline
    static func equal(_ w: UInt64, _ byte: UInt8) -> UInt64 {
        let x = w ^ (ones &* UInt64(byte))
        return (x &- ones) & ~x & highBits
    }

    /// High bit set in each byte of `w` below `bound` (bound <= 0x80; lowest flagged exact).
    @inline(__always) @usableFromInline
    static func less(_ w: UInt64, _ bound: UInt8) -> UInt64 {
        (w &- ones &* UInt64(bound)) & ~w & highBits
    }

    /// High bit set in each byte of `w` that is not zero (exact for every byte).
    @inline(__always) @usableFromInline
    static func nonZeroBytes(_ w: UInt64) -> UInt64 {
        let low7 = ~highBits
        return (((w & low7) &+ low7) | w) & highBits
    }

    /// Index (0-7) of the lowest flagged byte of a non-zero mask.
    @inline(__always) @usableFromInline
    static func firstIndex(_ mask: UInt64) -> Int { mask.trailingZeroBitCount >> 3 }
}

/// JSON insignificant whitespace: space, tab, line feed, carriage return.
@inline(__always)
func isJSONWhitespace(_ c: UInt8) -> Bool {
    c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09
}
