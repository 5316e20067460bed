import GHWHModel
import Testing

/// A valid timestamp and its expected microseconds since the epoch (values from `date -u -d ... +%s`).
struct ValidTimestamp: Sendable, CustomTestStringConvertible {
    let text: String
    let microseconds: Int64
    var testDescription: String { "\(String(reflecting: text)) -> \(microseconds)" }

    init(_ text: String, seconds: Int64, micros: Int64 = 0) {
        self.text = text
        microseconds = seconds * 1_000_000 + micros
    }
}

@Suite("Timestamp: table cases")
struct TimestampTests {
    static let valid: [ValidTimestamp] = [
        .init("2016-09-15T05:52:11Z", seconds: 1_473_918_731),
        .init("2016-09-15 05:52:11Z", seconds: 1_473_918_731),
        .init("2016-09-15T05:52:11", seconds: 1_473_918_731),
        .init("2016-09-15 05:52:11", seconds: 1_473_918_731),
        .init("2016-09-15T05:52:11+00:00", seconds: 1_473_918_731),
        .init("2016-09-15T05:52:11-00:00", seconds: 1_473_918_731),
        .init("2016-09-15T05:52:11+0000", seconds: 1_473_918_731),
        .init("2016-09-15T07:52:11+02:00", seconds: 1_473_918_731),
        .init("2016-09-15T07:52:11+0200", seconds: 1_473_918_731),
        .init("2016-09-15T00:52:11-05:00", seconds: 1_473_918_731),
        .init("2016-09-15T00:52:11-0500", seconds: 1_473_918_731),
        .init("2016-09-15T11:37:11+05:45", seconds: 1_473_918_731),
        .init("2016-09-15T19:52:11+14:00", seconds: 1_473_918_731),
        .init("2016-09-14T17:52:11-12:00", seconds: 1_473_918_731),
        .init("2016-09-16T05:51:11+23:59", seconds: 1_473_918_731),
        .init("2016-09-14T05:53:11-23:59", seconds: 1_473_918_731),
        .init("2024-01-01T00:30:00+01:00", seconds: 1_704_065_400),
        .init("2023-12-31T23:30:00Z", seconds: 1_704_065_400),
        .init("2011-04-14T16:00:49Z", seconds: 1_302_796_849),
        .init("1970-01-01T00:00:00Z", seconds: 0),
        .init("1970-01-01T00:00:00.000001Z", seconds: 0, micros: 1),
        .init("1969-12-31T23:59:59Z", seconds: -1),
        .init("1969-12-31T23:59:59.5Z", seconds: -1, micros: 500_000),
        .init("1970-01-01T01:00:00+01:00", seconds: 0),
        .init("0001-01-01T00:00:00Z", seconds: -62_135_596_800),
        .init("9999-12-31T23:59:59.999999Z", seconds: 253_402_300_799, micros: 999_999),
        .init("9999-12-31T23:59:59.999999999-23:59", seconds: 253_402_300_799 + 86_340, micros: 999_999),
        // Leap years.
        .init("2000-02-29T12:00:00Z", seconds: 951_825_600),
        .init("2024-02-29T00:00:00Z", seconds: 1_709_164_800),
        .init("1600-02-29T00:00:00Z", seconds: -11_670_998_400),
        .init("1900-02-28T00:00:00Z", seconds: -2_203_977_600),
        .init("1900-03-01T00:00:00Z", seconds: -2_203_977_600 + 86_400),
        // Fractions: microsecond precision kept, further digits truncated.
        .init("2016-09-15T05:52:11.1Z", seconds: 1_473_918_731, micros: 100_000),
        .init("2016-09-15T05:52:11.12Z", seconds: 1_473_918_731, micros: 120_000),
        .init("2016-09-15T05:52:11.123Z", seconds: 1_473_918_731, micros: 123_000),
        .init("2016-09-15T05:52:11.123456Z", seconds: 1_473_918_731, micros: 123_456),
        .init("2016-09-15T05:52:11.1234567Z", seconds: 1_473_918_731, micros: 123_456),
        .init("2016-09-15T05:52:11.123456789Z", seconds: 1_473_918_731, micros: 123_456),
        .init("2016-09-15T05:52:11.999999999Z", seconds: 1_473_918_731, micros: 999_999),
        .init("2016-09-15T05:52:11.0000009Z", seconds: 1_473_918_731),
        .init("2016-09-15T05:52:11.000000000Z", seconds: 1_473_918_731),
        .init("2016-09-15T05:52:11.5", seconds: 1_473_918_731, micros: 500_000),
        .init("2016-09-15T07:52:11.25+02:00", seconds: 1_473_918_731, micros: 250_000),
        .init("2016-09-15T07:52:11.25+0200", seconds: 1_473_918_731, micros: 250_000),
    ]

    static let invalid: [String] = [
        "", "2016-09-15 05:52:11 UTC", "2016-09-15", "2016-09-15T", "1473918731",
        "2016-9-15T05:52:11Z", "2016-09-5T05:52:11Z", "16-09-15T05:52:11Z", "02016-09-15T05:52:11Z",
        "2016-09-15T5:52:11Z", "2016-09-15T05:52Z", "2016-09-15T05:52:1Z", "2016-09-15T05:52",
        "2016/09/15T05:52:11Z", "2016-09-15T05-52-11Z", "2016-09-15_05:52:11Z", "20160915T055211Z",
        "2016-09-15T05:52:11z", "2016-09-15t05:52:11Z", "2016-09-15T05:52:11ZZ",
        " 2016-09-15T05:52:11Z", "2016-09-15T05:52:11Z ", "2016-09-15T05:52:11 ", "2016-09-15T05:52:11\n",
        "2016-09-15T05:52:11\u{0}", "2016-09-15  05:52:11Z", "2016-09-15T05:52:11 +01:00",
        "-2016-09-15T05:52:11Z", "+2016-09-15T05:52:11Z", "２016-09-15T05:52:11Z",
        // Fractions.
        "2016-09-15T05:52:11.Z", "2016-09-15T05:52:11.", "2016-09-15T05:52:11.1234567890Z",
        "2016-09-15T05:52:11,5Z", "2016-09-15T05:52:11.5.5Z", "2016-09-15T05:52:11.-5Z", "2016-09-15T05:52:11.+01:00",
        // Offsets.
        "2016-09-15T05:52:11+01", "2016-09-15T05:52:11-01", "2016-09-15T05:52:11+1", "2016-09-15T05:52:11+",
        "2016-09-15T05:52:11-", "2016-09-15T05:52:11+01:0", "2016-09-15T05:52:11+01:000",
        "2016-09-15T05:52:11+010", "2016-09-15T05:52:11+01000", "2016-09-15T05:52:11+0100Z",
        "2016-09-15T05:52:11+01:00:00", "2016-09-15T05:52:11+24:00", "2016-09-15T05:52:11-24:00",
        "2016-09-15T05:52:11+01:60", "2016-09-15T05:52:11+1:00", "2016-09-15T05:52:11+01::00",
        "2016-09-15T05:52:11Z+01:00", "2016-09-15T05:52:11 UTC", "2016-09-15T05:52:11GMT",
        // Calendar.
        "2016-02-30T00:00:00Z", "1900-02-29T00:00:00Z", "2023-02-29T00:00:00Z", "2100-02-29T00:00:00Z",
        "2016-04-31T00:00:00Z", "2016-06-31T00:00:00Z", "2016-09-31T00:00:00Z", "2016-11-31T00:00:00Z",
        "2016-13-01T00:00:00Z", "2016-00-10T00:00:00Z", "2016-01-00T00:00:00Z", "2016-01-32T00:00:00Z",
        "0000-01-01T00:00:00Z",
        // Clock.
        "2016-09-15T24:00:00Z", "2016-09-15T25:00:00Z", "2016-09-15T23:60:00Z", "2016-09-15T23:59:60Z",
        "2016-09-15T99:99:99Z",
    ]

    @Test("valid forms", arguments: valid)
    func validForm(_ testCase: ValidTimestamp) {
        #expect(Timestamp.parseMicroseconds(testCase.text) == testCase.microseconds)
    }

    @Test("valid forms through the byte API, inside a larger buffer", arguments: valid)
    func validFormBytes(_ testCase: ValidTimestamp) {
        // The value sits between unrelated bytes: the parser must use exactly the slice it is given.
        let buffer = Array("9".utf8) + Array(testCase.text.utf8) + Array("9:00".utf8)
        let parsed = buffer.withUnsafeBytes { raw in
            Timestamp.parseMicroseconds(utf8: UnsafeRawBufferPointer(rebasing: raw[1..<(1 + testCase.text.utf8.count)]))
        }
        #expect(parsed == testCase.microseconds)
    }

    @Test("invalid forms", arguments: invalid)
    func invalidForm(_ text: String) {
        #expect(Timestamp.parseMicroseconds(text) == nil)
        let viaBytes = Array(text.utf8).withUnsafeBytes { Timestamp.parseMicroseconds(utf8: $0) }
        #expect(viaBytes == nil)
    }

    @Test("an empty buffer without a base address is refused")
    func emptyBuffer() {
        #expect(Timestamp.parseMicroseconds(utf8: UnsafeRawBufferPointer(start: nil, count: 0)) == nil)
    }

    @Test("offsets shift to the same instant")
    func offsetsShift() {
        let utc = Timestamp.parseMicroseconds("2023-12-31T23:30:00Z")
        #expect(utc != nil)
        for text in [
            "2024-01-01T00:30:00+01:00", "2024-01-01T00:30:00+0100", "2023-12-31T18:30:00-05:00",
            "2023-12-31T18:30:00-0500", "2024-01-01T05:15:00+05:45", "2023-12-31 23:30:00",
        ] {
            #expect(Timestamp.parseMicroseconds(text) == utc, "\(text)")
        }
    }
}
