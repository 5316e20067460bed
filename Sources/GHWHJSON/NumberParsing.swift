/// Strict JSON number grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
/// No leading zeros, no `+`, no `NaN`/`Infinity`, no bare `.5` or `1.`.
enum JSONNumber {
    /// Validates the number starting at `p[start]`; returns where it ends and
    /// whether it is an integer literal (no fraction, no exponent).
    @inline(__always)
    static func scan(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int)
        throws(JSONSyntaxError) -> (end: Int, isInteger: Bool)
    {
        var k = start
        if p[k] == 0x2D { k += 1 }
        guard k < end else {
            throw JSONSyntaxError(offset: k, reason: "unexpected end of input: expected a digit after '-'")
        }
        let first = p[k]
        if first == 0x30 {
            k += 1
            if k < end && isDigit(p[k]) {
                throw JSONSyntaxError(offset: k - 1, reason: "invalid number: leading zeros are not allowed")
            }
        } else if isDigit(first) {
            k += 1
            while k < end && isDigit(p[k]) { k += 1 }
        } else {
            throw JSONSyntaxError(offset: k, reason: "invalid number: expected a digit, found \(describeByte(first))")
        }
        var isInteger = true
        if k < end && p[k] == 0x2E {
            isInteger = false
            k += 1
            guard k < end && isDigit(p[k]) else {
                throw JSONSyntaxError(offset: k, reason: "invalid number: expected a digit after '.'")
            }
            while k < end && isDigit(p[k]) { k += 1 }
        }
        if k < end && p[k] | 0x20 == 0x65 {  // e or E
            isInteger = false
            k += 1
            if k < end && (p[k] == 0x2B || p[k] == 0x2D) { k += 1 }
            guard k < end && isDigit(p[k]) else {
                throw JSONSyntaxError(offset: k, reason: "invalid number: expected a digit in the exponent")
            }
            while k < end && isDigit(p[k]) { k += 1 }
        }
        return (k, isInteger)
    }

    /// The value of an already validated number: `.int` when it is an integer
    /// literal that fits Int64, otherwise `.double` (correctly rounded; a
    /// magnitude beyond Double's range becomes infinity).
    static func value(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, isInteger: Bool) -> JSONValue {
        if isInteger, let int = int64(p, start, end) { return .int(int) }
        let text = String(decoding: UnsafeBufferPointer(start: p + start, count: end - start), as: UTF8.self)
        return .double(Double(text) ?? (p[start] == 0x2D ? -.infinity : .infinity))
    }

    /// Int64 value of a validated integer literal, nil on overflow.
    /// Accumulates negatively so that Int64.min is representable.
    @inline(__always)
    static func int64(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int64? {
        let negative = p[start] == 0x2D
        var k = negative ? start + 1 : start
        var value: Int64 = 0
        if end - k <= 18 {  // cannot overflow
            while k < end {
                value = value &* 10 &- Int64(p[k] &- 0x30)
                k += 1
            }
        } else {
            while k < end {
                let (times10, o1) = value.multipliedReportingOverflow(by: 10)
                let (next, o2) = times10.subtractingReportingOverflow(Int64(p[k] &- 0x30))
                if o1 || o2 { return nil }
                value = next
                k += 1
            }
        }
        if negative { return value }
        return value == .min ? nil : -value
    }

    @inline(__always)
    static func isDigit(_ c: UInt8) -> Bool { c &- 0x30 < 10 }
}
