import GHWHCalendar

/// The ingest date of a raw snapshot: the name of its `YYYY-MM-DD` folder.
///
/// Only real proleptic-Gregorian calendar dates in years 0001-9999 are accepted
/// (`2024-02-30` and `2024-13-01` are rejected).
public struct IngestDate: Comparable, Hashable, Sendable, Codable, CustomStringConvertible, LosslessStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Creates a date from its parts, or nil when they don't name a real day.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), CivilCalendar.isValid(year: year, month: month, day: day) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses exactly `YYYY-MM-DD` (ASCII digits, zero-padded); nil otherwise.
    public init?(_ description: String) {
        let bytes = Array(description.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in bytes[range] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10) else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// `YYYY-MM-DD`.
    public var description: String { civil.description }

    /// The date `days` days later (earlier when negative). The result is clamped to 0001-01-01...9999-12-31.
    public func adding(days: Int) -> IngestDate {
        let (lower, upper) = (IngestDate.minimumDayNumber, IngestDate.maximumDayNumber)
        let shifted = dayNumber.addingReportingOverflow(days)
        let target = shifted.overflow ? (days < 0 ? lower : upper) : min(max(shifted.partialValue, lower), upper)
        return IngestDate(dayNumber: target)
    }

    public static func < (lhs: IngestDate, rhs: IngestDate) -> Bool { lhs.civil < rhs.civil }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = IngestDate(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a YYYY-MM-DD date: \(text)")
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

// Day arithmetic via days since 1970-01-01 (GHWHCalendar), so no Calendar or time zone can shift a date.
extension IngestDate {
    static let minimumDayNumber = IngestDate(year: 1, month: 1, day: 1)!.dayNumber
    static let maximumDayNumber = IngestDate(year: 9999, month: 12, day: 31)!.dayNumber

    /// Days since 1970-01-01.
    var dayNumber: Int { civil.daysSinceEpoch }

    var civil: CivilDate { CivilDate(year: year, month: month, day: day) }

    /// The date of a day number within the supported range.
    init(dayNumber: Int) {
        let civil = CivilDate(daysSinceEpoch: dayNumber)
        self.year = civil.year
        self.month = civil.month
        self.day = civil.day
    }
}
