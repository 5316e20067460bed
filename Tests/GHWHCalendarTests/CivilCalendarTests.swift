import Foundation
import GHWHCalendar
import GHWHRandom
import Testing

@Suite struct CivilCalendarTests {
    static let year1 = CivilCalendar.daysFromCivil(year: 1, month: 1, day: 1)
    static let year9999 = CivilCalendar.daysFromCivil(year: 9999, month: 12, day: 31)

    @Test func fixedPoints() {
        #expect(CivilDate(daysSinceEpoch: 0) == CivilDate(year: 1970, month: 1, day: 1))
        #expect(CivilDate(daysSinceEpoch: -1) == CivilDate(year: 1969, month: 12, day: 31))
        #expect(CivilDate(daysSinceEpoch: -719_468) == CivilDate(year: 0, month: 3, day: 1))
        #expect(Self.year1 == -719_162)
        #expect(Self.year9999 == 2_932_896)
        #expect(CivilDate(daysSinceEpoch: Self.year1).description == "0001-01-01")
        #expect(CivilDate(daysSinceEpoch: Self.year9999).description == "9999-12-31")
        #expect(CivilDate(year: 2000, month: 2, day: 29).daysSinceEpoch == 11_016)
        #expect(CivilDate(daysSinceEpoch: 11_016).description == "2000-02-29")
    }

    /// Every day of years 0001 through 9999 (and past both ends) round-trips and is valid,
    /// and consecutive days are consecutive dates.
    @Test func everyDayRoundTrips() {
        var previous = CivilDate(daysSinceEpoch: Self.year1 - 400 * 366 - 1)
        for days in (Self.year1 - 400 * 366)...(Self.year9999 + 400 * 366) {
            let date = CivilDate(daysSinceEpoch: days)
            guard date.daysSinceEpoch == days,
                CivilCalendar.isValid(year: date.year, month: date.month, day: date.day),
                previous < date,
                date.day == 1
                    ? previous.day == CivilCalendar.daysInMonth(year: previous.year, month: previous.month)
                    : (previous.year, previous.month, previous.day + 1) == (date.year, date.month, date.day)
            else {
                Issue.record("day \(days): \(date) after \(previous)")
                return
            }
            previous = date
        }
    }

    @Test func farAcrossEras() {
        for days in stride(from: -300_000_000, through: 300_000_000, by: 99_991) {
            let date = CivilDate(daysSinceEpoch: days)
            #expect(date.daysSinceEpoch == days)
            #expect(CivilCalendar.isValid(year: date.year, month: date.month, day: date.day))
        }
    }

    @Test func leapYears() {
        #expect(CivilCalendar.isLeapYear(2000) && CivilCalendar.isLeapYear(2024) && CivilCalendar.isLeapYear(0))
        #expect(CivilCalendar.isLeapYear(-4) && CivilCalendar.isLeapYear(1600) && CivilCalendar.isLeapYear(9996))
        #expect(!CivilCalendar.isLeapYear(1900) && !CivilCalendar.isLeapYear(2023) && !CivilCalendar.isLeapYear(2100))
        #expect(!CivilCalendar.isLeapYear(1) && !CivilCalendar.isLeapYear(9999) && !CivilCalendar.isLeapYear(-1))
        for year in 1...9999 {
            let length =
                CivilCalendar.daysFromCivil(year: year + 1, month: 1, day: 1)
                - CivilCalendar.daysFromCivil(year: year, month: 1, day: 1)
            if length != (CivilCalendar.isLeapYear(year) ? 366 : 365) {
                Issue.record("year \(year) has \(length) days")
            }
        }
        #expect(CivilCalendar.isValid(year: 2024, month: 2, day: 29))
        #expect(!CivilCalendar.isValid(year: 2023, month: 2, day: 29))
        #expect(!CivilCalendar.isValid(year: 1900, month: 2, day: 29))
        #expect(!CivilCalendar.isValid(year: 2024, month: 4, day: 31))
        #expect(!CivilCalendar.isValid(year: 2024, month: 13, day: 1))
        #expect(!CivilCalendar.isValid(year: 2024, month: 0, day: 1))
        #expect(!CivilCalendar.isValid(year: 2024, month: 1, day: 0))
    }

    /// Agrees with Foundation's Gregorian calendar in UTC on many random days of 0001...9999.
    @Test(arguments: [UInt64(1), 2, 3]) func matchesFoundation(seed: UInt64) throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
        var rng = SplitMix64(state: seed)
        // Foundation's Gregorian calendar is Julian before 1582-10-15, so compare from then on.
        let gregorianStart = CivilCalendar.daysFromCivil(year: 1582, month: 10, day: 15)
        var days = [gregorianStart, 0, -1, Self.year9999, 11_016]
        for _ in 0..<3000 { days.append(Int.random(in: gregorianStart...Self.year9999, using: &rng)) }
        for day in days {
            let date = Date(
                timeIntervalSince1970: Double(day) * 86_400 + Double(Int.random(in: 0..<86_400, using: &rng)))
            let parts = calendar.dateComponents([.year, .month, .day], from: date)
            let civil = CivilDate(daysSinceEpoch: day)
            if (parts.year, parts.month, parts.day) != (civil.year, civil.month, civil.day) {
                Issue.record("day \(day): \(civil) but Foundation says \(parts)")
            }
            let back = try #require(
                calendar.date(from: DateComponents(year: civil.year, month: civil.month, day: civil.day)))
            #expect(Int(back.timeIntervalSince1970) == day * 86_400)
        }
    }

    @Test func floorDivisionAndSplit() {
        #expect(CivilCalendar.floorDivide(7, 2) == 3)
        #expect(CivilCalendar.floorDivide(-7, 2) == -4)
        #expect(CivilCalendar.floorDivide(-8, 2) == -4)
        #expect(CivilCalendar.split(secondsSinceEpoch: -1) == (-1, 86_399))
        #expect(CivilCalendar.split(secondsSinceEpoch: -86_400) == (-1, 0))
        #expect(CivilCalendar.split(secondsSinceEpoch: 86_399) == (0, 86_399))
        #expect(CivilCalendar.split(secondsSinceEpoch: 86_400) == (1, 0))
    }

    @Test func formatting() {
        #expect(CivilDate(year: 2024, month: 3, day: 1).description == "2024-03-01")
        #expect(CivilDate(year: 12, month: 10, day: 9).description == "0012-10-09")
        #expect(CivilDate(year: 12345, month: 1, day: 1).description == "12345-01-01")
        #expect(CivilDate(year: -5, month: 1, day: 1).description == "-0005-01-01")
        var bytes: [UInt8] = Array("x".utf8)
        CivilDate(year: 1999, month: 12, day: 31).appendISO(to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == "x1999-12-31")
        #expect(DecimalDigits.padded(7, width: 2) == "07")
        #expect(DecimalDigits.padded(0, width: 3) == "000")
        #expect(DecimalDigits.padded(123, width: 2) == "123")
        #expect(DecimalDigits.padded(-7, width: 2) == "-07")
        #expect(DecimalDigits.padded(Int.max, width: 1) == String(Int.max))
        #expect(DecimalDigits.padded(Int.min, width: 1) == String(Int.min))
        var max: [UInt8] = []
        DecimalDigits.append(UInt.max, minimumWidth: 0, to: &max)
        #expect(String(decoding: max, as: UTF8.self) == String(UInt.max))
    }

    @Test func ordering() {
        #expect(CivilDate(year: 2024, month: 1, day: 31) < CivilDate(year: 2024, month: 2, day: 1))
        #expect(CivilDate(year: 2023, month: 12, day: 31) < CivilDate(year: 2024, month: 1, day: 1))
        #expect(!(CivilDate(year: 2024, month: 1, day: 1) < CivilDate(year: 2024, month: 1, day: 1)))
    }
}
