import Foundation
import GHWHRaw
import Testing

@Suite struct IngestDateTests {
    @Test(arguments: ["2024-01-02", "2024-02-29", "2000-02-29", "0001-01-01", "9999-12-31"])
    func acceptsRealDates(text: String) throws {
        let date = try #require(IngestDate(text))
        #expect(date.description == text)
    }

    @Test(arguments: [
        "2024-13-01", "2024-02-30", "2023-02-29", "1900-02-29", "2024-00-10", "2024-01-00",
        "2024-1-01", "24-01-01", "2024/01/01", "2024-01-01 ", "２０２４-01-01", "", "0000-01-01",
    ])
    func rejectsOtherText(text: String) {
        #expect(IngestDate(text) == nil)
    }

    @Test func addsDaysAcrossMonthsYearsAndLeapDays() throws {
        let date = try #require(IngestDate("2024-02-28"))
        #expect(date.adding(days: 1).description == "2024-02-29")
        #expect(date.adding(days: 2).description == "2024-03-01")
        #expect(date.adding(days: 366).description == "2025-02-28")
        #expect(date.adding(days: -59).description == "2023-12-31")
        #expect(date.adding(days: 0) == date)
        #expect(try #require(IngestDate("9999-12-31")).adding(days: 5).description == "9999-12-31")
    }

    @Test func ordersChronologically() throws {
        let dates = try ["2024-01-10", "2023-12-31", "2024-01-02"].map { try #require(IngestDate($0)) }
        #expect(dates.sorted().map(\.description) == ["2023-12-31", "2024-01-02", "2024-01-10"])
    }

    @Test func codesAsItsString() throws {
        let date = try #require(IngestDate("2024-03-05"))
        let json = try JSONEncoder().encode([date])
        #expect(String(decoding: json, as: UTF8.self) == "[\"2024-03-05\"]")
        #expect(try JSONDecoder().decode([IngestDate].self, from: json) == [date])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([IngestDate].self, from: Data("[\"2024-02-30\"]".utf8))
        }
    }
}
