import Foundation
import GHWHTestSupport
import Testing

@testable import GHWHWarehouse

@Suite struct PGConnectionTests {
    @Test func unreachableServerIsAConnectionFailure() throws {
        let error = #expect(throws: PGError.self) {
            _ = try PGConnection(
                conninfo: "host=/tmp/ghwh-no-such-dir port=5999 user=postgres dbname=x connect_timeout=2")
        }
        #expect(error?.isConnectionFailure == true)
        #expect(error?.message.contains("ghwh-no-such-dir") == true)
    }

    @Test func malformedConninfoIsAConfigurationError() throws {
        let error = #expect(throws: PGError.self) {
            _ = try PGConnection(conninfo: "host=/tmp nonsense")
        }
        #expect(error?.isConnectionFailure == false)
        #expect(error?.message.contains("invalid connection string") == true)
    }

    @Test func missingDatabaseFailsToConnect() throws {
        let server = try TestPostgres.server()
        let error = #expect(throws: PGError.self) {
            _ = try PGConnection(conninfo: server.conninfo(database: "no_such_database"))
        }
        #expect(error?.message.contains("no_such_database") == true)
    }

    @Test func connectsWithAURLAndUsesUTF8() throws {
        let server = try TestPostgres.server()
        let host = server.socketDirectory.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let db = try PGConnection(conninfo: "postgresql://postgres@/postgres?host=\(host)&port=\(server.options.port)")
        let rows = try db.query("SHOW client_encoding")
        #expect(rows[0, 0] == "UTF8")
        #expect(db.isAlive)
    }

    @Test func queryWithParametersReturnsTextRows() throws {
        let db = try newConnection()
        let rows = try db.query(
            "SELECT $1::int + $2::int AS sum, $3::text AS missing, $4::text AS word, 1.5::float8 AS f, true AS b",
            ["2", "40", nil, "héllo 🎉\ttab"])
        #expect(rows.columns == ["sum", "missing", "word", "f", "b"])
        #expect(rows.count == 1)
        #expect(rows.int(0, "sum") == 42)
        #expect(rows.string(0, "missing") == nil)
        #expect(rows.string(0, "word") == "héllo 🎉\ttab")
        #expect(rows.double(0, "f") == 1.5)
        #expect(rows.bool(0, "b") == true)
        #expect(rows.string(0, "no_such_column") == nil)
        #expect(rows[5, 0] == nil)
    }

    @Test func rowsIterateAsNamedRows() {
        let rows = PGRows(
            columns: ["path", "size", "ratio", "ok"], rows: [["a", "12", "0.5", "t"], [nil, "x", nil, "f"]])
        #expect(rows.map { $0.string("path") } == ["a", nil])
        #expect(rows.map { $0.int("size") } == [12, nil])
        #expect(rows.first?.double("ratio") == 0.5)
        #expect(rows.map { $0.bool("ok") } == [true, false])
        #expect(rows[1].values == [nil, "x", nil, "f"])
        #expect(rows.first?.string("no_such_column") == nil)
        #expect(PGRows(columns: ["path"], rows: []).first == nil)
    }

    @Test func queryReturnsManyRowsInOrder() throws {
        let db = try newConnection()
        let rows = try db.query("SELECT g AS n, repeat('x', g) AS s FROM generate_series(1, 500) g ORDER BY g")
        #expect(rows.count == 500)
        #expect(rows.int(499, "n") == 500)
        #expect(rows.string(9, "s") == String(repeating: "x", count: 10))
    }

    @Test func commandReturnsAffectedRowCounts() throws {
        let db = try newConnection()
        #expect(try db.command("CREATE TABLE t (id int PRIMARY KEY, v text)") == 0)
        #expect(try db.command("INSERT INTO t SELECT g, 'a' FROM generate_series(1, 3) g") == 3)
        #expect(try db.command("UPDATE t SET v = $1 WHERE id >= $2", ["b", "2"]) == 2)
        #expect(try db.command("DELETE FROM t WHERE v = 'a'") == 1)
        #expect(try db.command("UPDATE t SET v = 'c' WHERE false") == 0)
    }

    @Test func executeRunsSeveralStatements() throws {
        let db = try newConnection()
        try db.execute(
            "CREATE TABLE a (x int); INSERT INTO a VALUES (1), (2); CREATE TABLE b AS SELECT sum(x) AS s FROM a;")
        #expect(try db.query("SELECT s FROM b").int(0, "s") == 3)
    }

    @Test func serverErrorsCarrySQLStateAndLeaveTheConnectionUsable() throws {
        let db = try newConnection()
        let error = #expect(throws: PGError.self) { _ = try db.query("SELECT * FROM no_such_table") }
        #expect(error?.sqlState == "42P01")
        #expect(error?.isConnectionFailure == false)
        #expect(error?.message.contains("no_such_table") == true)
        #expect(try db.query("SELECT 7 AS x").int(0, "x") == 7)

        try db.execute("CREATE TABLE u (id int PRIMARY KEY)")
        try db.command("INSERT INTO u VALUES (1)")
        let duplicate = #expect(throws: PGError.self) { try db.command("INSERT INTO u VALUES ($1)", ["1"]) }
        #expect(duplicate?.sqlState == "23505")
    }

    @Test func transactionCommits() throws {
        let conninfo = try TestPostgres.newDatabase()
        let db = try PGConnection(conninfo: conninfo)
        try db.execute("CREATE TABLE t (id int)")
        let value = try db.transaction { () throws -> Int in
            try db.command("INSERT INTO t VALUES (1), (2)")
            return 99
        }
        #expect(value == 99)
        let other = try PGConnection(conninfo: conninfo)
        #expect(try other.query("SELECT count(*) AS n FROM t").int(0, "n") == 2)
    }

    @Test func transactionRollsBackAndRethrowsTheOriginalError() throws {
        let conninfo = try TestPostgres.newDatabase()
        let db = try PGConnection(conninfo: conninfo)
        try db.execute("CREATE TABLE t (id int)")
        let error = #expect(throws: MarkerError.self) {
            try db.transaction {
                try db.command("INSERT INTO t VALUES (1)")
                throw MarkerError(tag: "boom")
            }
        }
        #expect(error == MarkerError(tag: "boom"))
        #expect(try db.query("SELECT count(*) AS n FROM t").int(0, "n") == 0)
        // Not left inside a transaction block: the next statement autocommits.
        try db.command("INSERT INTO t VALUES (2)")
        let other = try PGConnection(conninfo: conninfo)
        #expect(try other.query("SELECT array_agg(id) AS ids FROM t").string(0, "ids") == "{2}")
    }

    @Test func transactionWhoseStatementFailedCannotCommitSilently() throws {
        let db = try newConnection()
        try db.execute("CREATE TABLE t (id int PRIMARY KEY)")
        let error = #expect(throws: PGError.self) {
            try db.transaction {
                try db.command("INSERT INTO t VALUES (1)")
                _ = try? db.command("INSERT INTO t VALUES (1)")  // fails; error swallowed
            }
        }
        #expect(error?.sqlState == "25P02")
        #expect(try db.query("SELECT count(*) AS n FROM t").int(0, "n") == 0)
    }

    @Test func terminatedSessionIsAConnectionFailure() throws {
        let conninfo = try TestPostgres.newDatabase()
        let victim = try PGConnection(conninfo: conninfo)
        let pid = try #require(victim.query("SELECT pg_backend_pid() AS pid").string(0, "pid"))
        let killer = try PGConnection(conninfo: conninfo)
        #expect(try killer.query("SELECT pg_terminate_backend($1::int, 5000) AS ok", [pid]).bool(0, "ok") == true)
        let error = #expect(throws: PGError.self) { _ = try victim.query("SELECT 1") }
        #expect(error?.isConnectionFailure == true)
        #expect(victim.isAlive == false)
    }

    @Test func closedConnectionRefusesWork() throws {
        let db = try newConnection()
        #expect(db.isAlive)
        db.close()
        db.close()
        #expect(db.isAlive == false)
        #expect(throws: PGError.self) { _ = try db.query("SELECT 1") }
    }

    @Test func noticesDoNotDisturbResults() throws {
        let db = try newConnection()
        try db.execute("DO $$ BEGIN RAISE NOTICE 'just saying'; RAISE WARNING 'careful'; END $$")
        #expect(try db.query("SELECT 'ok' AS s").string(0, "s") == "ok")
    }

    @Test func parameterWithNULIsRejectedNotTruncated() throws {
        let db = try newConnection()
        let error = #expect(throws: PGError.self) { _ = try db.query("SELECT $1::text", ["a\u{0}b"]) }
        #expect(error?.message.contains("$1") == true)
    }

    @Test func copyThroughQueryIsRefusedAndTheSessionSurvives() throws {
        let db = try newConnection()
        try db.execute("CREATE TABLE t (x int)")
        #expect(throws: PGError.self) { try db.execute("COPY t FROM STDIN") }
        #expect(throws: PGError.self) { _ = try db.query("COPY (SELECT 1) TO STDOUT") }
        #expect(try db.query("SELECT count(*) AS n FROM t").int(0, "n") == 0)
    }

    @Test func quoteIdentifierDoublesQuotes() {
        #expect(PGConnection.quoteIdentifier("a\"b") == "\"a\"\"b\"")
    }

    @Test func urlWithPasswordIsNotEchoedInErrors() {
        #expect(PGConnection.redacted("postgresql://u:secret@/db").contains("secret") == false)
        #expect(PGConnection.redacted("host=/x password=secret").contains("secret") == false)
        #expect(PGConnection.redacted("host=/x dbname=y") == "host=/x dbname=y")
    }
}

@Suite struct PGConnectionApplicationNameTests {
    static func applicationName(_ db: PGConnection) throws -> String? {
        try db.query("SELECT current_setting('application_name')")[0, 0]
    }

    @Test func aSessionIsNamedForWhatItDoes() throws {
        let conninfo = try TestPostgres.newDatabase()
        let plain = try PGConnection(conninfo: conninfo)
        defer { plain.close() }
        #expect(try Self.applicationName(plain) == "ghwh")
        let loader = try PGConnection(conninfo: conninfo, applicationName: "ghwh loader")
        defer { loader.close() }
        #expect(try Self.applicationName(loader) == "ghwh loader")
    }

    @Test func theConninfosOwnNameWins() throws {
        let conninfo = try TestPostgres.newDatabase() + " application_name=etl-nightly"
        let db = try PGConnection(conninfo: conninfo, applicationName: "ghwh loader")
        defer { db.close() }
        #expect(try Self.applicationName(db) == "etl-nightly")
    }
}
