/// Converts between Unix seconds and GitHub's `YYYY-MM-DDTHH:MM:SSZ`, without Foundation
/// (fast, and independent of the machine's time zone and locale).
enum IsoTimestamp {
    /// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// (year, month, day) for days since 1970-01-01.
    static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Parses `YYYY-MM-DD` into days since the epoch, or nil when malformed.
    static func parseDate(_ text: String) -> Int? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              (1...12).contains(m), (1...31).contains(d) else { return nil }
        let days = daysFromCivil(year: y, month: m, day: d)
        // Reject dates like 2024-02-31 that roll over into the next month.
        let back = civilFromDays(days)
        return back.month == m && back.day == d ? days : nil
    }

    /// `YYYY-MM-DD` for days since the epoch.
    static func dateString(days: Int) -> String {
        let c = civilFromDays(days)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(10)
        appendDigits(&bytes, c.year, width: 4); bytes.append(0x2D)
        appendDigits(&bytes, c.month, width: 2); bytes.append(0x2D)
        appendDigits(&bytes, c.day, width: 2)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `YYYY-MM-DDTHH:MM:SSZ` for Unix seconds.
    static func append(_ seconds: Int64, to bytes: inout [UInt8]) {
        let secs = Int(seconds)
        let days = secs >= 0 ? secs / 86_400 : (secs - 86_399) / 86_400
        let rem = secs - days * 86_400
        let c = civilFromDays(days)
        appendDigits(&bytes, c.year, width: 4); bytes.append(0x2D)
        appendDigits(&bytes, c.month, width: 2); bytes.append(0x2D)
        appendDigits(&bytes, c.day, width: 2); bytes.append(0x54)
        appendDigits(&bytes, rem / 3600, width: 2); bytes.append(0x3A)
        appendDigits(&bytes, rem / 60 % 60, width: 2); bytes.append(0x3A)
        appendDigits(&bytes, rem % 60, width: 2); bytes.append(0x5A)
    }

    @inline(__always)
    static func appendDigits(_ bytes: inout [UInt8], _ value: Int, width: Int) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var v = value
        while divisor > 0 {
            bytes.append(UInt8(48 + (v / divisor) % 10))
            v %= divisor
            divisor /= 10
        }
    }
}
