import GHWHCalendar

/// Encodes rows in PostgreSQL's COPY text format (tab-separated, newline-terminated,
/// `\N` for NULL, backslash escapes) into a byte buffer for `PGConnection.copyIn`.
///
/// Call one value method per column, then `endRow()`. Pure and allocation-light: it is on
/// the loader's hot path.
public struct CopyTextWriter: CopyRowWriter {
    /// The encoded COPY text so far.
    public private(set) var bytes: [UInt8]
    /// Rows ended with `endRow()`.
    public private(set) var rowCount: Int
    /// True until the first value of the current row is written (no tab before it).
    private var atRowStart = true

    public init(reservingCapacity: Int = 1 << 16) {
        bytes = []
        bytes.reserveCapacity(reservingCapacity)
        rowCount = 0
    }

    // MARK: - Values

    /// A text value; nil is NULL. NUL characters become U+FFFD (PostgreSQL text cannot hold NUL).
    public mutating func text(_ s: String?) {
        guard let s else { return null() }
        beginField()
        appendEscaped(s)
    }

    /// An integer value; nil is NULL.
    public mutating func int(_ v: Int64?) {
        guard let v else { return null() }
        beginField()
        appendDecimal(v)
    }

    /// A `double precision` value (shortest round-tripping decimal); nil and non-finite values are NULL.
    public mutating func double(_ v: Double?) {
        guard let v, v.isFinite else { return null() }
        beginField()
        bytes.append(contentsOf: v.description.utf8)
    }

    /// A boolean value written as `t` / `f`; nil is NULL.
    public mutating func bool(_ v: Bool?) {
        guard let v else { return null() }
        beginField()
        bytes.append(v ? UInt8(ascii: "t") : UInt8(ascii: "f"))
    }

    /// A `timestamptz` value in UTC, e.g. `2024-03-01 12:00:05.123456+00` (no fraction when it
    /// is zero). Years after 9999 get more digits; years before 0001 are written with ` BC`,
    /// as PostgreSQL does. nil is NULL.
    public mutating func timestamp(microsecondsSinceEpoch v: Int64?) {
        guard let v else { return null() }
        beginField()
        appendTimestamp(v)
    }

    /// A `date` value already in `YYYY-MM-DD` form (escaped like text, so a malformed value
    /// cannot break the row structure: the server rejects it instead); nil is NULL.
    public mutating func date(_ isoDate: String?) {
        text(isoDate)
    }

    /// A `text[]` value as an array literal such as `{a,"b c","q\"x"}`; `[]` is `{}`, nil is NULL.
    public mutating func textArray(_ values: [String]?) {
        guard let values else { return null() }
        beginField()
        bytes.append(UInt8(ascii: "{"))
        for (index, element) in values.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            appendArrayElement(element)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    /// Ends the current row.
    public mutating func endRow() {
        bytes.append(UInt8(ascii: "\n"))
        rowCount += 1
        atRowStart = true
    }

    /// Appends the complete rows of another writer. Both should be at a row boundary.
    public mutating func append(_ other: CopyTextWriter) {
        bytes.append(contentsOf: other.bytes)
        rowCount += other.rowCount
        atRowStart = other.atRowStart
    }

    /// Forgets all rows, e.g. after a batch was sent.
    public mutating func removeAll(keepingCapacity: Bool) {
        bytes.removeAll(keepingCapacity: keepingCapacity)
        rowCount = 0
        atRowStart = true
    }

    // MARK: - Encoding

    private mutating func beginField() {
        if atRowStart {
            atRowStart = false
        } else {
            bytes.append(UInt8(ascii: "\t"))
        }
    }

    private mutating func null() {
        beginField()
        bytes.append(UInt8(ascii: "\\"))
        bytes.append(UInt8(ascii: "N"))
    }

    /// Bytes that need attention in COPY text: the escapes and NUL.
    @inline(__always)
    private static func isCopySpecial(_ byte: UInt8) -> Bool {
        byte == 0x5C || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x00
    }

    /// Appends one byte of a value with COPY text escaping.
    @inline(__always)
    private mutating func appendCopyEscaped(_ byte: UInt8) {
        switch byte {
        case 0x5C:
            bytes.append(0x5C)
            bytes.append(0x5C)
        case 0x09:
            bytes.append(0x5C)
            bytes.append(UInt8(ascii: "t"))
        case 0x0A:
            bytes.append(0x5C)
            bytes.append(UInt8(ascii: "n"))
        case 0x0D:
            bytes.append(0x5C)
            bytes.append(UInt8(ascii: "r"))
        case 0x00:
            bytes.append(0xEF)
            bytes.append(0xBF)
            bytes.append(0xBD)  // U+FFFD
        default: bytes.append(byte)
        }
    }

    private mutating func appendEscaped(_ s: String) {
        var s = s
        s.withUTF8 { utf8 in
            // Most values have nothing to escape: copy them in one go.
            if !utf8.contains(where: Self.isCopySpecial) {
                bytes.append(contentsOf: utf8)
                return
            }
            for byte in utf8 { appendCopyEscaped(byte) }
        }
    }

    /// One array element: quoted when the array parser would otherwise misread it, with `"` and
    /// `\` backslash-escaped inside the quotes; the whole then COPY-escaped.
    private mutating func appendArrayElement(_ element: String) {
        var element = element
        element.withUTF8 { utf8 in
            guard Self.needsArrayQuotes(utf8) else {
                // Unquoted elements hold no tab, newline, CR or backslash; only NUL may need work.
                if utf8.contains(0) {
                    for byte in utf8 { appendCopyEscaped(byte) }
                } else {
                    bytes.append(contentsOf: utf8)
                }
                return
            }
            bytes.append(UInt8(ascii: "\""))
            for byte in utf8 {
                if byte == UInt8(ascii: "\"") || byte == 0x5C {
                    appendCopyEscaped(0x5C)
                }
                appendCopyEscaped(byte)
            }
            bytes.append(UInt8(ascii: "\""))
        }
    }

    /// The rules of PostgreSQL's array_out: quote empty strings, `NULL` in any case, and
    /// anything holding a delimiter, brace, quote, backslash or white space.
    private static func needsArrayQuotes(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        if utf8.isEmpty { return true }
        if utf8.count == 4 {
            let upper = utf8.map { $0 & 0xDF }  // ASCII letters to upper case
            if upper == [0x4E, 0x55, 0x4C, 0x4C] { return true }  // NULL
        }
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "\""), 0x5C, UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: ","),
                UInt8(ascii: " "), 0x09, 0x0A, 0x0B, 0x0C, 0x0D:
                return true
            default:
                continue
            }
        }
        return false
    }

    private mutating func appendDecimal(_ v: Int64) {
        if v < 0 { bytes.append(UInt8(ascii: "-")) }
        appendDigits(v.magnitude, minimumWidth: 1)
    }

    /// Appends `value` in decimal, left-padded with zeros to `minimumWidth`.
    private mutating func appendDigits(_ value: UInt64, minimumWidth: Int) {
        var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for 20 digits
        withUnsafeMutableBytes(of: &scratch) { buffer in
            var end = buffer.count
            var rest = value
            repeat {
                end -= 1
                buffer[end] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10)
                rest /= 10
            } while rest > 0
            while buffer.count - end < minimumWidth, end > 0 {
                end -= 1
                buffer[end] = UInt8(ascii: "0")
            }
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[end...]))
        }
    }

    private mutating func appendTimestamp(_ micros: Int64) {
        let microsPerDay: Int64 = 86_400_000_000
        // Floor division, so that instants before 1970 land on the right day.
        var days = micros / microsPerDay
        var ofDay = micros % microsPerDay
        if ofDay < 0 {
            ofDay += microsPerDay
            days -= 1
        }
        let civil = CivilDate(daysSinceEpoch: Int(days))

        // Year 0 is 1 BC, year -1 is 2 BC (PostgreSQL's convention).
        let beforeChrist = civil.year <= 0
        let displayYear = beforeChrist ? 1 - civil.year : civil.year
        if displayYear > 9999 {
            appendDigits(UInt64(displayYear), minimumWidth: 4)
        } else {
            appendFixedDigits(Int(displayYear), count: 4)
        }
        let seconds = Int(ofDay / 1_000_000)
        let fraction = Int(ofDay % 1_000_000)

        // "-MM-DD HH:MM:SS" then ".ffffff" and "+00", built on the stack and appended at once.
        var tail: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)  // 32 bytes
        let length = withUnsafeMutableBytes(of: &tail) { out -> Int in
            func put2(_ value: Int, at index: Int) {
                out[index] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value / 10)
                out[index + 1] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value % 10)
            }
            out[0] = UInt8(ascii: "-")
            put2(Int(civil.month), at: 1)
            out[3] = UInt8(ascii: "-")
            put2(Int(civil.day), at: 4)
            out[6] = UInt8(ascii: " ")
            put2(seconds / 3600, at: 7)
            out[9] = UInt8(ascii: ":")
            put2(seconds / 60 % 60, at: 10)
            out[12] = UInt8(ascii: ":")
            put2(seconds % 60, at: 13)
            var end = 15
            if fraction != 0 {
                out[end] = UInt8(ascii: ".")
                var rest = fraction
                for index in stride(from: end + 6, to: end, by: -1) {
                    out[index] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10)
                    rest /= 10
                }
                end += 7
            }
            out[end] = UInt8(ascii: "+")
            out[end + 1] = UInt8(ascii: "0")
            out[end + 2] = UInt8(ascii: "0")
            end += 3
            if beforeChrist {
                out[end] = UInt8(ascii: " ")
                out[end + 1] = UInt8(ascii: "B")
                out[end + 2] = UInt8(ascii: "C")
                end += 3
            }
            return end
        }
        withUnsafeBytes(of: &tail) { bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[0..<length])) }
    }

    /// Appends `value` (0 ..< 10^count) as exactly `count` digits.
    private mutating func appendFixedDigits(_ value: Int, count: Int) {
        var scratch: UInt64 = 0
        withUnsafeMutableBytes(of: &scratch) { out in
            var rest = value
            for index in stride(from: count - 1, through: 0, by: -1) {
                out[index] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10)
                rest /= 10
            }
        }
        withUnsafeBytes(of: &scratch) { bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
    }
}
