import GHWHCalendar

/// Parses the timestamp form that docs/contract.md#timestamps accepts, with pure integer arithmetic
/// (no date formatters: this runs for every record).
///
/// Accepted, exactly and nothing else (no surrounding whitespace):
///
///     YYYY-MM-DD('T'|' ')HH:MM:SS[.F]['Z'|('+'|'-')hh[':']mm]
///
/// - `YYYY` 0001...9999 (proleptic Gregorian; year 0000 is refused, as PostgreSQL refuses it);
///   month, day, hour, minute, second are exactly two digits, validated (Feb 29 only in leap
///   years, hour 00-23, minute and second 00-59: no leap second).
/// - `T` and `Z` are upper-case only.
/// - `F` is 1 to 9 digits; microsecond precision is kept and further digits are truncated
///   (not rounded). 10 or more digits are refused.
/// - The offset is `hh` 00-23 and `mm` 00-59 (the RFC 3339 grammar; `-00:00` means UTC);
///   `+hh` alone is refused. No offset means UTC.
///
/// Refused, for example: `2016-09-15 05:52:11 UTC`, `2016-09-15`, `2016-9-15T05:52:11Z`,
/// `2016-09-15T05:52Z`, `2016-02-30T00:00:00Z`, `2016-09-15T24:00:00Z`, `...+24:00`.
public enum Timestamp {
    /// Microseconds since 1970-01-01T00:00:00Z, or nil when `text` is not in the accepted form.
    public static func parseMicroseconds(_ text: String) -> Int64? {
        if let parsed = text.utf8.withContiguousStorageIfAvailable({
            parseMicroseconds(utf8: UnsafeRawBufferPointer($0))
        }) {
            return parsed
        }
        return Array(text.utf8).withUnsafeBytes { parseMicroseconds(utf8: $0) }
    }

    /// Microseconds since 1970-01-01T00:00:00Z, or nil when `bytes` (UTF-8, the whole value,
    /// no terminator needed) are not in the accepted form.
    public static func parseMicroseconds(utf8 bytes: UnsafeRawBufferPointer) -> Int64? {
        let count = bytes.count
        guard count >= 19 else { return nil }
        guard let year = digits(bytes, 0, 4), bytes[4] == UInt8(ascii: "-"),
            let month = digits(bytes, 5, 2), bytes[7] == UInt8(ascii: "-"),
            let day = digits(bytes, 8, 2),
            bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: " "),
            let hour = digits(bytes, 11, 2), bytes[13] == UInt8(ascii: ":"),
            let minute = digits(bytes, 14, 2), bytes[16] == UInt8(ascii: ":"),
            let second = digits(bytes, 17, 2)
        else { return nil }
        guard year >= 1, CivilCalendar.isValid(year: Int(year), month: Int(month), day: Int(day)),
            hour < 24, minute < 60, second < 60
        else { return nil }

        var index = 19
        var microseconds: Int64 = 0
        if index < count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            let fractionStart = index
            while index < count, let digit = digit(bytes[index]) {
                if index - fractionStart < 6 { microseconds = microseconds * 10 + digit }
                index += 1
            }
            let fractionDigits = index - fractionStart
            guard fractionDigits >= 1, fractionDigits <= 9 else { return nil }
            for _ in fractionDigits..<max(fractionDigits, 6) { microseconds *= 10 }
        }

        var offsetSeconds: Int64 = 0
        if index < count {
            switch bytes[index] {
            case UInt8(ascii: "Z"):
                index += 1
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                let sign: Int64 = bytes[index] == UInt8(ascii: "-") ? -1 : 1
                guard let offsetHour = digits(bytes, index + 1, 2) else { return nil }
                index += 3
                if index < count, bytes[index] == UInt8(ascii: ":") { index += 1 }
                guard let offsetMinute = digits(bytes, index, 2), offsetHour < 24, offsetMinute < 60 else { return nil }
                index += 2
                offsetSeconds = sign * (offsetHour * 3600 + offsetMinute * 60)
            default:
                return nil
            }
        }
        guard index == count else { return nil }

        let days = Int64(CivilCalendar.daysFromCivil(year: Int(year), month: Int(month), day: Int(day)))
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return seconds * 1_000_000 + microseconds
    }

    private static func digit(_ byte: UInt8) -> Int64? {
        let value = byte &- UInt8(ascii: "0")
        return value < 10 ? Int64(value) : nil
    }

    /// The decimal value of exactly `length` digits at `start`, or nil (also when out of bounds).
    private static func digits(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ length: Int) -> Int64? {
        guard start + length <= bytes.count else { return nil }
        var value: Int64 = 0
        for index in start..<(start + length) {
            guard let digit = digit(bytes[index]) else { return nil }
            value = value * 10 + digit
        }
        return value
    }
}
