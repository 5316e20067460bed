/// Locale-independent number formatting (the output must not depend on the user's locale).
enum NumberFormat {
    /// `1234567` -> `1,234,567`.
    static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return n < 0 ? "-" + out : out
    }

    /// Fixed decimals, grouped integer part: `fixed(1234.56, 1)` -> `1,234.6`. nil / non-finite -> `—`.
    static func fixed(_ value: Double?, _ decimals: Int) -> String {
        guard let value, value.isFinite else { return DurationFormat.missing }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (value.magnitude * scale).rounded()
        guard scaled < 9e18 else { return plain(value) ?? DurationFormat.missing }
        let units = Int(scaled)
        let whole = units / Int(scale)
        let frac = units % Int(scale)
        let sign = value < 0 && units != 0 ? "-" : ""
        guard decimals > 0 else { return sign + grouped(whole) }
        let fracText = String(frac)
        return sign + grouped(whole) + "." + String(repeating: "0", count: decimals - fracText.count) + fracText
    }

    /// Like `fixed(_, 1)` but integral values print without decimals: `120`, `120.5`.
    static func compact(_ value: Double?) -> String {
        guard let value, value.isFinite else { return DurationFormat.missing }
        return value.rounded() == value ? fixed(value, 0) : fixed(value, 1)
    }

    /// A share in 0...1 as a percentage with one decimal: `0.1234` -> `12.3%`.
    static func percent(_ share: Double) -> String {
        share.isFinite ? fixed(share * 100, 1) + "%" : DurationFormat.missing
    }

    /// Shortest round-trip decimal without exponent where that stays reasonable
    /// (`3600`, `3600.5`, `0.00001`); nil for NaN and infinities, which JSON cannot express.
    static func plain(_ value: Double) -> String? {
        guard value.isFinite else { return nil }
        if value == 0 { return "0" }  // also turns -0 into 0
        // Integral doubles below 2^63 convert to Int64 exactly.
        if value.rounded() == value, value.magnitude < 9.2e18 { return String(Int64(value)) }
        return expandExponent(value.description)
    }

    /// Rewrites Swift's `1.25e-05` / `1e+16` into positional notation when the exponent is modest.
    private static func expandExponent(_ text: String) -> String {
        guard let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }),
            let exponent = Int(text[text.index(after: e)...]), abs(exponent) <= 30
        else { return text }
        var mantissa = String(text[..<e])
        var sign = ""
        if mantissa.hasPrefix("-") {
            sign = "-"
            mantissa.removeFirst()
        }
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        let intPart = String(parts[0])
        let fracPart = parts.count > 1 ? String(parts[1]) : ""
        var digits = intPart + fracPart
        var point = intPart.count + exponent  // position of the decimal point within `digits`
        if point <= 0 {
            digits = String(repeating: "0", count: 1 - point) + digits
            point = 1
        } else if point >= digits.count {
            digits += String(repeating: "0", count: point - digits.count)
        }
        var whole = String(digits.prefix(point))
        var frac = String(digits.dropFirst(point))
        while frac.hasSuffix("0") { frac.removeLast() }
        while whole.count > 1, whole.hasPrefix("0") { whole.removeFirst() }
        return sign + whole + (frac.isEmpty ? "" : "." + frac)
    }
}
