import GHWHCalendar

/// Converts between Unix seconds and GitHub's `YYYY-MM-DDTHH:MM:SSZ`, without Foundation
/// (fast, and independent of the machine's time zone and locale). The day arithmetic is GHWHCalendar's.
enum IsoTimestamp {
    /// Parses `YYYY-MM-DD` into days since the epoch, or nil when malformed.
    static func parseDate(_ text: String) -> Int? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
            (1...12).contains(m), (1...31).contains(d)
        else { return nil }
        // Reject dates like 2024-02-31 that would roll over into the next month.
        guard CivilCalendar.isValid(year: y, month: m, day: d) else { return nil }
        return CivilCalendar.daysFromCivil(year: y, month: m, day: d)
    }

    /// `YYYY-MM-DD` for days since the epoch.
    static func dateString(days: Int) -> String {
        CivilDate(daysSinceEpoch: days).description
    }

    /// Appends `YYYY-MM-DDTHH:MM:SSZ` for Unix seconds.
    static func append(_ seconds: Int64, to bytes: inout [UInt8]) {
        let (days, rem) = CivilCalendar.split(secondsSinceEpoch: Int(seconds))
        CivilDate(daysSinceEpoch: days).appendISO(to: &bytes)
        bytes.append(0x54)
        DecimalDigits.append(UInt(rem / 3600), minimumWidth: 2, to: &bytes)
        bytes.append(0x3A)
        DecimalDigits.append(UInt(rem / 60 % 60), minimumWidth: 2, to: &bytes)
        bytes.append(0x3A)
        DecimalDigits.append(UInt(rem % 60), minimumWidth: 2, to: &bytes)
        bytes.append(0x5A)
    }
}
