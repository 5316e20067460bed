import CGHWHScan

/// Cursor over one record's bytes with the scanning primitives shared by the
/// skipper (validate only) and the materialiser (build `JSONValue`s).
/// Every read is bounds-checked against `end`: truncated input is an error, never a crash.
struct JSONReader {
    let base: UnsafePointer<UInt8>
    let end: Int
    let maxDepth: Int
    var i = 0
    /// Reused buffer for decoding strings with escapes.
    var scratch: [UInt8] = []

    init(base: UnsafePointer<UInt8>, count: Int, maxDepth: Int) {
        self.base = base
        self.end = count
        self.maxDepth = maxDepth
    }

    /// The content of a validated string: bytes `start..<end` between the quotes.
    struct StringSpan {
        let start: Int
        let end: Int
        let hasEscapes: Bool
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while i < end {
            let c = base[i]
            if c > 0x20 || !(c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09) { return }
            i += 1
            if c == 0x0A { skipIndentation() }
        }
    }

    /// Pretty-printed input puts an indentation run after most newlines: skip
    /// its spaces sixteen at a time (eight in the input's last bytes).
    @inline(__always)
    mutating func skipIndentation() {
        while i + 16 <= end {
            let nonSpaces = ghwh_non_spaces16(base + i)
            if nonSpaces != 0 {
                i += nonSpaces.trailingZeroBitCount
                return
            }
            i += 16
        }
        while i + 8 <= end {
            let nonSpace = SWAR.nonZeroBytes(SWAR.load(base, i) ^ 0x2020_2020_2020_2020)
            if nonSpace != 0 {
                i += SWAR.firstIndex(nonSpace)
                return
            }
            i += 8
        }
    }

    func error(_ offset: Int, _ reason: String) -> JSONSyntaxError {
        JSONSyntaxError(offset: offset, reason: reason)
    }

    func unexpectedEnd(_ expected: String) -> JSONSyntaxError {
        JSONSyntaxError(offset: end, reason: "unexpected end of input: expected \(expected)")
    }

    func unexpected(_ expected: String) -> JSONSyntaxError {
        JSONSyntaxError(offset: i, reason: "expected \(expected), found \(describeByte(base[i]))")
    }

    /// Validates a string whose opening quote is at `i - 1`; leaves `i` after the closing quote.
    /// Checks escapes, raw control characters and UTF-8, eight bytes at a time on the plain path.
    @inline(__always)
    mutating func scanString() throws(JSONSyntaxError) -> StringSpan {
        let start = i
        var hasEscapes = false
        while true {
            if i + 16 <= end {
                let stops = ghwh_string_stops16(base + i)
                if stops == 0 {
                    i += 16
                    continue
                }
                i += stops.trailingZeroBitCount
            } else {
                // The last bytes of the input: a word, then a byte at a time.
                while i + 8 <= end {
                    let w = SWAR.load(base, i)
                    let mask = SWAR.equal(w, 0x22) | SWAR.equal(w, 0x5C) | SWAR.less(w, 0x20) | (w & SWAR.highBits)
                    if mask != 0 {
                        i += SWAR.firstIndex(mask)
                        break
                    }
                    i += 8
                }
            }
            guard i < end else {
                throw JSONSyntaxError(
                    offset: end, reason: "unexpected end of input inside a string starting at byte \(start - 1)")
            }
            let c = base[i]
            if c == 0x22 {
                i += 1
                return StringSpan(start: start, end: i - 1, hasEscapes: hasEscapes)
            } else if c == 0x5C {
                hasEscapes = true
                try scanEscape()
            } else if c < 0x20 {
                throw error(i, "raw control character \(describeByte(c)) in a string (must be escaped)")
            } else if c < 0x80 {
                i += 1
            } else {
                let length = UTF8Validation.sequenceLength(base, i, end)
                if length == 0 { throw error(i, UTF8Validation.describeInvalidSequence(base, i, end)) }
                i += length
            }
        }
    }

    /// Validates the escape whose backslash is at `i`.
    private mutating func scanEscape() throws(JSONSyntaxError) {
        guard i + 1 < end else { throw unexpectedEnd("an escape character after '\\'") }
        switch base[i + 1] {
        case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74:  // " \ / b f n r t
            i += 2
        case 0x75:  // u
            var k = i + 2
            while k < i + 6 && k < end && hexQuad(k, count: 1) != nil { k += 1 }
            if k < i + 6 {
                if k == end { throw unexpectedEnd("4 hex digits after '\\u'") }
                throw error(i, "invalid \\u escape: expected 4 hex digits")
            }
            i += 6
        default:
            throw error(i, "invalid escape '\\' followed by \(describeByte(base[i + 1]))")
        }
    }

    /// Value of `count` hex digits at `at` (caller checked bounds), nil if any is not hex.
    @inline(__always)
    func hexQuad(_ at: Int, count: Int = 4) -> UInt32? {
        var value: UInt32 = 0
        for k in at..<(at + count) {
            let c = base[k]
            let digit: UInt32
            switch c {
            case 0x30...0x39: digit = UInt32(c - 0x30)
            case 0x41...0x46: digit = UInt32(c - 0x41 + 10)
            case 0x61...0x66: digit = UInt32(c - 0x61 + 10)
            default: return nil
            }
            value = value << 4 | digit
        }
        return value
    }

    /// Checks the literal `true`, `false` or `null` starting at `i`; leaves `i` after it.
    @inline(__always)
    mutating func scanLiteral() throws(JSONSyntaxError) -> JSONValue {
        let c = base[i]
        let (word, value): (StaticString, JSONValue) =
            c == 0x74 ? ("true", .bool(true)) : c == 0x66 ? ("false", .bool(false)) : ("null", .null)
        let count = word.utf8CodeUnitCount
        let w = word.utf8Start
        var k = 0
        while k < count && i + k < end && base[i + k] == w[k] { k += 1 }
        guard k == count else {
            if i + k == end { throw error(i, "unexpected end of input inside a literal: expected '\(word)'") }
            throw error(i, "invalid literal: expected '\(word)'")
        }
        i += count
        return value
    }
}
