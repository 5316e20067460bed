import GHWHCalendar
import GHWHRandom
import GHWHTestSupport
import Testing

@testable import GHWHWarehouse

/// The silver stages are COPYed in binary (`CopyBinaryWriter`); every value must be
/// stored exactly as the text writer's COPY stores it. Each test loads the same rows
/// both ways into a real server and compares the tables.
@Suite struct CopyBinaryWriterTests {
    /// One row of every type the silver stages use.
    struct Row {
        var text: String?
        var int: Int64?
        var bool: Bool?
        var timestamp: Int64?
        var date: String?
        var array: [String]?

        func write<W: CopyRowWriter>(_ w: inout W, id: Int) {
            w.int(Int64(id))
            w.text(text)
            w.int(int)
            w.bool(bool)
            w.timestamp(microsecondsSinceEpoch: timestamp)
            w.date(date)
            w.textArray(array)
            w.endRow()
        }
    }

    static let columns =
        "id bigint, t text COLLATE \"C\", i bigint, b boolean, ts timestamptz, d date, a text[] COLLATE \"C\""

    /// Loads `rows` through both writers (the binary rows in two parts, as the loader joins
    /// outputs) and returns the rows that differ between the two tables (none when equal).
    static func differences(_ rows: [Row]) throws -> (textRows: Int, binaryRows: Int, differing: String) {
        let db = try newConnection()
        try db.execute("CREATE TEMP TABLE via_text (\(columns)); CREATE TEMP TABLE via_binary (\(columns))")
        var text = CopyTextWriter()
        var first = CopyBinaryWriter()
        var second = CopyBinaryWriter()
        for (id, row) in rows.enumerated() {
            row.write(&text, id: id)
            if id < rows.count / 2 { row.write(&first, id: id) } else { row.write(&second, id: id) }
        }
        let t = try db.copyIn("COPY via_text FROM STDIN", data: text.bytes)
        let b = try db.copyInBinary(
            "COPY via_binary FROM STDIN (FORMAT binary)", rows: [first.bytes[...], second.bytes[...]])
        let diff = try db.query(
            """
            SELECT count(*)::text AS n FROM (
                (SELECT * FROM via_text EXCEPT ALL SELECT * FROM via_binary)
                UNION ALL (SELECT * FROM via_binary EXCEPT ALL SELECT * FROM via_text)) d
            """)
        return (t, b, diff.string(0, "n") ?? "?")
    }

    @Test func everyValueIsStoredAsTheTextWritersIs() throws {
        var rows = CopyRoundTripTests.nasty.map { Row(text: $0, array: [$0]) }
        rows.append(Row(text: "all", array: CopyRoundTripTests.nasty))
        rows.append(Row(text: "a\u{0}b", array: ["\u{0}", "x\u{0}", ""]))  // NUL becomes U+FFFD both ways
        rows.append(Row(text: nil, int: Int64.min, bool: true, timestamp: 0, date: "2000-01-01", array: []))
        rows.append(Row(text: "", int: Int64.max, bool: false, timestamp: -1, date: "1999-12-31", array: nil))
        rows.append(Row(int: 0, timestamp: 946_684_800_000_000, date: "2024-02-29", array: ["NULL", "null"]))
        // Far from PostgreSQL's epoch: years 1, 9999 and beyond, and before the common era.
        rows.append(Row(timestamp: -62_135_596_800_000_000, date: "0001-01-01"))
        rows.append(Row(timestamp: 253_402_300_799_999_999, date: "9999-12-31"))
        rows.append(Row(timestamp: 32_503_680_000_123_456))
        rows.append(Row(timestamp: -62_167_219_200_000_001))
        rows.append(Row())
        let (t, b, differing) = try Self.differences(rows)
        #expect(t == rows.count && b == rows.count)
        #expect(differing == "0")
    }

    /// Random rows: strings built from the characters COPY text escapes, arrays of them,
    /// integers, timestamps across years 1 to 9999, dates, NULLs anywhere.
    @Test(arguments: [1, 2, 3]) func randomRowsAreStoredAsTheTextWritersAre(seed: UInt64) throws {
        var rng = SeededGenerator(state: seed)
        let pieces = ["a", "Z", "\t", "\n", "\r", "\\", "\"", ",", "{", "}", " ", "NULL", "ü", "日", "🎉", "\u{0}", "'"]
        func string() -> String {
            (0..<Int.random(in: 0...12, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
        }
        func maybe<T>(_ make: () -> T) -> T? { Int.random(in: 0..<6, using: &rng) == 0 ? nil : make() }
        let rows = (0..<400).map { _ in
            Row(
                text: maybe(string), int: maybe { Int64.random(in: Int64.min...Int64.max, using: &rng) },
                bool: maybe { Bool.random(using: &rng) },
                timestamp: maybe { Int64.random(in: -62_135_596_800_000_000...253_402_300_799_999_999, using: &rng) },
                date: maybe {
                    let days = Int.random(in: -719_162...2_932_896, using: &rng)  // 0001-01-01 ... 9999-12-31
                    return CivilDate(daysSinceEpoch: days).description
                },
                array: maybe { (0..<Int.random(in: 0...5, using: &rng)).map { _ in string() } })
        }
        let (t, b, differing) = try Self.differences(rows)
        #expect(t == rows.count && b == rows.count)
        #expect(differing == "0")
    }

    @Test func aMalformedDateIsNullForTheServerToRefuse() throws {
        #expect(CopyBinaryWriter.days(iso: "2024-02-30") == nil)
        #expect(CopyBinaryWriter.days(iso: "2024-2-3") == nil)
        #expect(CopyBinaryWriter.days(iso: "2024-02-29") == 19_782)
        let db = try newConnection()
        try db.execute("CREATE TEMP TABLE r (d date NOT NULL)")
        var w = CopyBinaryWriter()
        w.date("not a date")
        w.endRow()
        #expect(throws: PGError.self) { try db.copyInBinary("COPY r FROM STDIN (FORMAT binary)", rows: [w.bytes[...]]) }
        try db.execute("SELECT 1")  // the connection stays usable
    }
}
