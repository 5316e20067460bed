/// Proleptic Gregorian calendar arithmetic in pure integers (Howard Hinnant's civil-date
/// algorithms): no Foundation calendar, time zone or locale can shift a date, and it is fast
/// enough for the per-record hot paths. Year 0 is 1 BC, year -1 is 2 BC (astronomical years).
///
/// The one copy of this arithmetic in the project (issue 14): timestamps (GHWHModel), ingest
/// dates (GHWHRaw), COPY encoding (GHWHWarehouse), the sample generator (GHWHSampleData) and
/// the report (GHWHReport) all use it. Parsing rules stay with their callers.
public enum CivilCalendar {
    /// Seconds in a day.
    public static let secondsPerDay = 86_400

    /// Whether `year` has a February 29.
    @inlinable
    public static func isLeapYear(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    /// Days in `month` (1...12) of `year`.
    @inlinable
    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Whether the parts name a real day (any year; month 1...12, day within the month).
    @inlinable
    public static func isValid(year: Int, month: Int, day: Int) -> Bool {
        (1...12).contains(month) && day >= 1 && day <= daysInMonth(year: year, month: month)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (days_from_civil). The parts are not
    /// checked: month must be 1...12; a day past the month's end rolls over.
    @inlinable
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year  // years start in March: leap day last
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400  // 0...399
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1  // 0...365
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date `days` after 1970-01-01, negative before (civil_from_days).
    @inlinable
    public static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468  // days since 0000-03-01
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097  // 0...146096
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365  // 0...399
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)  // 0...365, from March 1
        let shiftedMonth = (5 * dayOfYear + 2) / 153  // 0...11, March = 0
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// `value / divisor` rounded towards negative infinity (divisor > 0).
    @inlinable
    public static func floorDivide(_ value: Int, _ divisor: Int) -> Int {
        let quotient = value / divisor
        return value % divisor < 0 ? quotient - 1 : quotient
    }

    /// Splits seconds since 1970-01-01T00:00:00Z into the day and the second within it (0...86399),
    /// correct before 1970 too.
    @inlinable
    public static func split(secondsSinceEpoch seconds: Int) -> (days: Int, secondOfDay: Int) {
        let days = floorDivide(seconds, secondsPerDay)
        return (days, seconds - days * secondsPerDay)
    }
}

/// A proleptic Gregorian calendar date (year 0 = 1 BC). Not validated: see `CivilCalendar.isValid`.
public struct CivilDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    @inlinable
    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// The date `days` after 1970-01-01 (negative is before).
    @inlinable
    public init(daysSinceEpoch days: Int) {
        (year, month, day) = CivilCalendar.civilFromDays(days)
    }

    /// Days since 1970-01-01 of this date.
    @inlinable
    public var daysSinceEpoch: Int { CivilCalendar.daysFromCivil(year: year, month: month, day: day) }

    @inlinable
    public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// `YYYY-MM-DD` (the year zero-padded to at least four digits; a negative year gets a `-`).
    public var description: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(10)
        appendISO(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `YYYY-MM-DD` as in `description`.
    @inlinable
    public func appendISO(to bytes: inout [UInt8]) {
        if year < 0 { bytes.append(UInt8(ascii: "-")) }
        DecimalDigits.append(year.magnitude, minimumWidth: 4, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        DecimalDigits.append(UInt(month), minimumWidth: 2, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        DecimalDigits.append(UInt(day), minimumWidth: 2, to: &bytes)
    }
}

/// Zero-padded decimal formatting of the parts of dates and times.
public enum DecimalDigits {
    /// Appends `value` in decimal, left-padded with zeros to at least `minimumWidth` digits.
    @inlinable
    public static func append(_ value: UInt, minimumWidth: Int, to bytes: inout [UInt8]) {
        var digits = 1
        var limit: UInt = 10
        while digits < 20, value >= limit {
            digits += 1
            let (next, overflow) = limit.multipliedReportingOverflow(by: 10)
            if overflow { break }
            limit = next
        }
        for _ in digits..<max(digits, minimumWidth) { bytes.append(UInt8(ascii: "0")) }
        let start = bytes.count
        var rest = value
        for _ in 0..<digits {
            bytes.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10))
            rest /= 10
        }
        bytes[start...].reverse()
    }

    /// `value` in decimal, left-padded with zeros to at least `width` digits (`-` first when negative).
    public static func padded(_ value: Int, width: Int) -> String {
        var bytes: [UInt8] = []
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        append(value.magnitude, minimumWidth: width, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}
