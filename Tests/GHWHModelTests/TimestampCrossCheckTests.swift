import Foundation
import GHWHModel
import GHWHRandom
import GHWHTestSupport
import Testing

@Suite("Timestamp: cross-checked against Foundation and a day-by-day walk")
struct TimestampCrossCheckTests {
    /// Foundation's Gregorian calendar switches to Julian before 1582, so random dates start at 1600.
    private static var utcCalendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }

    private static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    private static func twoDigits(_ value: Int) -> String { padded(value, 2) }

    @Test("random valid timestamps match Foundation's calendar arithmetic", arguments: [11, 12] as [UInt64])
    func randomAgainstCalendar(seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        let calendar = Self.utcCalendar
        for _ in 0..<4_000 {
            let year = Int.random(in: 1600...9999, using: &generator)
            let month = Int.random(in: 1...12, using: &generator)
            let firstOfMonth = try #require(calendar.date(from: DateComponents(year: year, month: month, day: 1)))
            let monthLength = try #require(calendar.range(of: .day, in: .month, for: firstOfMonth)).count
            let day = Int.random(in: 1...monthLength, using: &generator)
            let (hour, minute, second) = (
                Int.random(in: 0...23, using: &generator),
                Int.random(in: 0...59, using: &generator),
                Int.random(in: 0...59, using: &generator)
            )
            let fractionDigits = String(
                (0..<Int.random(in: 0...9, using: &generator))
                    .map { _ in "0123456789".randomElement(using: &generator)! })
            let offsetMinutes = Int.random(in: -(23 * 60 + 59)...(23 * 60 + 59), using: &generator)
            let offsetText: String
            let appliedOffsetMinutes: Int
            switch Int.random(in: 0...3, using: &generator) {
            case 0: (offsetText, appliedOffsetMinutes) = ("", 0)
            case 1: (offsetText, appliedOffsetMinutes) = (Bool.random(using: &generator) ? "Z" : "-00:00", 0)
            default:
                let sign = offsetMinutes < 0 ? "-" : "+"
                let colon = Bool.random(using: &generator) ? ":" : ""
                offsetText =
                    sign + Self.twoDigits(abs(offsetMinutes) / 60) + colon + Self.twoDigits(abs(offsetMinutes) % 60)
                appliedOffsetMinutes = offsetMinutes
            }
            let text =
                "\(Self.padded(year, 4))-\(Self.twoDigits(month))-\(Self.twoDigits(day))"
                + (Bool.random(using: &generator) ? "T" : " ")
                + "\(Self.twoDigits(hour)):\(Self.twoDigits(minute)):\(Self.twoDigits(second))"
                + (fractionDigits.isEmpty ? "" : "." + fractionDigits) + offsetText

            let local = try #require(
                calendar.date(
                    from: DateComponents(
                        year: year, month: month, day: day, hour: hour, minute: minute, second: second)))
            let fractionMicros = Int64(String((fractionDigits + "000000").prefix(6)))!
            let expected =
                (Int64(local.timeIntervalSince1970) - Int64(appliedOffsetMinutes) * 60) * 1_000_000 + fractionMicros
            let actual = Timestamp.parseMicroseconds(text)
            #expect(actual == expected, "\(text)")
            if actual != expected { return }
        }
    }

    @Test("random RFC 3339 timestamps match ISO8601DateFormatter", arguments: [21] as [UInt64])
    func randomAgainstISO8601Formatter(seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        for _ in 0..<3_000 {
            // Any instant from 1700 to 2200 at whole seconds, written in a random whole-minute offset.
            let instant = Int64.random(in: -8_520_336_000...7_258_118_400, using: &generator)
            let offsetMinutes = Int.random(in: -(14 * 60)...(14 * 60), using: &generator)
            formatter.timeZone = TimeZone(secondsFromGMT: offsetMinutes * 60)!
            let text = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(instant)))
            let parsed = Timestamp.parseMicroseconds(text)
            #expect(parsed == instant * 1_000_000, "\(text)")
            if parsed != instant * 1_000_000 { return }
            let roundTrip = try #require(formatter.date(from: text))
            #expect(Int64(roundTrip.timeIntervalSince1970) == instant)
        }
    }

    @Test("leap days match Foundation for every year 1600...2800")
    func leapDays() throws {
        let calendar = Self.utcCalendar
        for year in 1600...2800 {
            let february = try #require(calendar.date(from: DateComponents(year: year, month: 2, day: 1)))
            let isLeap = try #require(calendar.range(of: .day, in: .month, for: february)).count == 29
            let parsed = Timestamp.parseMicroseconds("\(Self.padded(year, 4))-02-29T00:00:00Z")
            #expect((parsed != nil) == isLeap, "year \(year)")
        }
    }

    /// Walks every day from 0001-01-01 to 9999-12-31 with its own month table and checks that
    /// consecutive midnights are exactly one day apart and that impossible day numbers are refused.
    @Test("every day of years 1...9999 is one day after the previous")
    func everyDay() {
        var buffer = Array("0001-01-01T00:00:00Z".utf8)
        func parse(_ year: Int, _ month: Int, _ day: Int) -> Int64? {
            for (index, value, width) in [(0, year, 4), (5, month, 2), (8, day, 2)] {
                var rest = value
                for position in stride(from: index + width - 1, through: index, by: -1) {
                    buffer[position] = UInt8(ascii: "0") + UInt8(rest % 10)
                    rest /= 10
                }
            }
            return buffer.withUnsafeBytes { Timestamp.parseMicroseconds(utf8: $0) }
        }
        let dayMicros: Int64 = 86_400 * 1_000_000
        var previous = parse(1, 1, 1)
        var failures = 0
        #expect(previous == Int64(-62_135_596_800_000_000))
        var days = 1
        for year in 1...9999 {
            let leap = year % 400 == 0 || (year % 4 == 0 && year % 100 != 0)
            let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
            for month in 1...12 {
                for day in 1...lengths[month - 1] where !(year == 1 && month == 1 && day == 1) {
                    let current = parse(year, month, day)
                    if let before = previous, let now = current, now - before == dayMicros {} else { failures += 1 }
                    previous = current
                    days += 1
                }
                if parse(year, month, lengths[month - 1] + 1) != nil { failures += 1 }
            }
        }
        #expect(failures == 0)
        #expect(days == 3_652_059)
        #expect(previous == Int64(253_402_214_400_000_000))
    }
}
