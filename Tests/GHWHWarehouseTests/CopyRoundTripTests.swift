import Testing

@testable import GHWHWarehouse

/// COPY text from CopyTextWriter, loaded by a real server and read back exactly.
@Suite struct CopyRoundTripTests {
    static let nasty: [String] = [
        "", "plain", "NULL", "null", "\\N", "\\", "\\\\", "a\\b", "tab\tin", "new\nline", "cr\rlf\r\n",
        "quote\"d", "'single'", "comma,sep", "{braces}", "}{", "{\"a\",\"b\"}", " leading", "trailing ",
        "  ", "ünïcødé", "日本語", "emoji 🎉👩‍👩‍👧", "mixed\t\"\\,{}\n", "\u{0B}vt\u{0C}ff", "\\.", "end\\",
        String(repeating: "long ", count: 2000),
    ]

    @Test func textAndArraysSurviveExactly() throws {
        let db = try newConnection()
        try db.execute("CREATE TABLE r (id int PRIMARY KEY, t text, a text[])")
        var writer = CopyTextWriter()
        var expected: [Int: (String?, [String]?)] = [:]
        var id = 0
        func add(_ text: String?, _ array: [String]?) {
            id += 1
            writer.int(Int64(id))
            writer.text(text)
            writer.textArray(array)
            writer.endRow()
            expected[id] = (text, array)
        }
        for value in Self.nasty { add(value, [value]) }
        add(nil, nil)
        add("", [])
        add("all", Self.nasty)
        add("x", ["", ""])
        add("y", ["NULL", "a", "null"])

        #expect(try db.copyIn("COPY r (id, t, a) FROM STDIN", data: writer.bytes) == id)

        let rows = try db.query("SELECT id, t, a IS NULL AS a_null, cardinality(a) AS n FROM r ORDER BY id")
        #expect(rows.count == id)
        for row in 0..<rows.count {
            let rowID = Int(try #require(rows.int(row, "id")))
            let (text, array) = try #require(expected[rowID])
            #expect(rows.string(row, "t") == text, "row \(rowID)")
            #expect(rows.bool(row, "a_null") == (array == nil), "row \(rowID)")
            if let array {
                #expect(rows.int(row, "n") == Int64(array.count), "row \(rowID)")
                let elements = try db.query(
                    "SELECT e FROM r, unnest(r.a) WITH ORDINALITY AS u(e, i) WHERE r.id = $1 ORDER BY i",
                    [String(rowID)])
                #expect(elements.rows.map { $0[0] } == array.map { Optional($0) }, "row \(rowID)")
            }
        }
    }

    @Test func nulBecomesReplacementCharacter() throws {
        let db = try newConnection()
        try db.execute("CREATE TABLE r (t text, a text[])")
        var writer = CopyTextWriter()
        writer.text("a\u{0}b")
        writer.textArray(["\u{0}", "x\u{0}"])
        writer.endRow()
        try db.copyIn("COPY r FROM STDIN", data: writer.bytes)
        let rows = try db.query("SELECT t, a[1] AS a1, a[2] AS a2 FROM r")
        #expect(rows.string(0, "t") == "a\u{FFFD}b")
        #expect(rows.string(0, "a1") == "\u{FFFD}")
        #expect(rows.string(0, "a2") == "x\u{FFFD}")
    }

    @Test func scalarTypesRoundTrip() throws {
        let db = try newConnection()
        try db.execute("CREATE TABLE r (i bigint, b boolean, d date, ts timestamptz)")
        var writer = CopyTextWriter()
        writer.int(Int64.min)
        writer.bool(true)
        writer.date("2024-02-29")
        writer.timestamp(microsecondsSinceEpoch: 1)
        writer.endRow()
        writer.int(Int64.max)
        writer.bool(false)
        writer.date("0001-01-01")
        writer.timestamp(microsecondsSinceEpoch: nil)
        writer.endRow()
        writer.int(nil)
        writer.bool(nil)
        writer.date(nil)
        writer.timestamp(microsecondsSinceEpoch: -1)
        writer.endRow()
        #expect(try db.copyIn("COPY r FROM STDIN", data: writer.bytes) == 3)
        let rows = try db.query(
            """
            SELECT i::text, b, d::text, (extract(epoch FROM ts) * 1000000)::bigint AS us
            FROM r ORDER BY i NULLS LAST
            """)
        #expect(rows.rows[0] == [String(Int64.min), "t", "2024-02-29", "1"])
        #expect(rows.rows[1] == [String(Int64.max), "f", "0001-01-01", nil])
        #expect(rows.rows[2] == [nil, nil, nil, "-1"])
    }

    @Test func largeCopyIsSentInPieces() throws {
        let db = try newConnection()
        try db.execute("CREATE TABLE big (id bigint, payload text)")
        var writer = CopyTextWriter()
        let rowCount = 40_000
        for i in 0..<rowCount {
            writer.int(Int64(i))
            writer.text("row \(i) \t " + String(repeating: "é", count: i % 97))
            writer.endRow()
        }
        #expect(writer.bytes.count > 3 * PGConnection.copyChunkSize)
        #expect(try db.copyIn("COPY big FROM STDIN", data: writer.bytes) == rowCount)
        let check = try db.query("SELECT count(*) AS n, sum(id) AS s, sum(char_length(payload)) AS chars FROM big")
        #expect(check.int(0, "n") == Int64(rowCount))
        #expect(check.int(0, "s") == Int64(rowCount * (rowCount - 1) / 2))
        let expectedChars = (0..<rowCount).reduce(0) { $0 + "row \($1) \t ".count + $1 % 97 }
        #expect(check.int(0, "chars") == Int64(expectedChars))
    }

    @Test func badRowFailsTheWholeCopyAndTheConnectionStaysUsable() throws {
        let db = try newConnection()
        try db.execute("CREATE TABLE r (id int PRIMARY KEY, n int)")
        var writer = CopyTextWriter()
        for i in 0..<5000 {
            writer.int(Int64(i))
            writer.text(i == 2500 ? "not a number" : String(i))
            writer.endRow()
        }
        let error = #expect(throws: PGError.self) { try db.copyIn("COPY r FROM STDIN", data: writer.bytes) }
        #expect(error?.sqlState == "22P02")
        #expect(error?.message.contains("not a number") == true)
        #expect(error?.isConnectionFailure == false)
        #expect(db.isAlive)
        #expect(try db.query("SELECT count(*) AS n FROM r").int(0, "n") == 0)

        // A duplicate key is found at the end; the connection is still fine afterwards.
        var duplicate = CopyTextWriter()
        duplicate.int(1)
        duplicate.int(1)
        duplicate.endRow()
        duplicate.int(1)
        duplicate.int(2)
        duplicate.endRow()
        let keyError = #expect(throws: PGError.self) { try db.copyIn("COPY r FROM STDIN", data: duplicate.bytes) }
        #expect(keyError?.sqlState == "23505")

        var good = CopyTextWriter()
        good.int(1)
        good.int(1)
        good.endRow()
        #expect(try db.copyIn("COPY r FROM STDIN", data: good.bytes) == 1)
    }

    @Test func wrongColumnCountIsReported() throws {
        let db = try newConnection()
        try db.execute("CREATE TABLE r (a int, b int)")
        var writer = CopyTextWriter()
        writer.int(1)
        writer.endRow()
        let error = #expect(throws: PGError.self) { try db.copyIn("COPY r FROM STDIN", data: writer.bytes) }
        #expect(error?.sqlState == "22P04")
    }

    @Test func copyInRejectsStatementsThatAreNotCopyFromStdin() throws {
        let db = try newConnection()
        let notCopy = #expect(throws: PGError.self) { try db.copyIn("SELECT 1", data: []) }
        #expect(notCopy?.message.contains("COPY") == true)
        let missing = #expect(throws: PGError.self) { try db.copyIn("COPY nowhere FROM STDIN", data: []) }
        #expect(missing?.sqlState == "42P01")
        try db.execute("CREATE TABLE r (a int)")
        #expect(try db.copyIn("COPY r FROM STDIN", data: []) == 0)
    }
}
