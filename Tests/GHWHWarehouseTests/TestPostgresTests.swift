import GHWHTestSupport
import Testing

@testable import GHWHWarehouse

@Suite struct TestPostgresTests {
    @Test func eachCallGivesAFreshEmptyDatabase() throws {
        let first = try TestPostgres.newDatabase()
        let second = try TestPostgres.newDatabase()
        #expect(first != second)
        let a = try PGConnection(conninfo: first)
        let b = try PGConnection(conninfo: second)
        try a.execute("CREATE TABLE only_in_first (x int)")
        let tablesInSecond = try b.query("SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public'")
        #expect(tablesInSecond.int(0, "n") == 0)
        #expect(
            try a.query("SELECT current_database() AS d").string(0, "d")
                != b.query("SELECT current_database() AS d").string(0, "d"))
    }

    @Test func sharedServerRunsWithoutDurability() throws {
        let db = try PGConnection(conninfo: TestPostgres.newDatabase())
        #expect(try db.query("SHOW fsync").rows[0][0] == "off")
        #expect(try db.query("SHOW synchronous_commit").rows[0][0] == "off")
        #expect(try db.query("SHOW full_page_writes").rows[0][0] == "off")
        #expect(try db.query("SHOW listen_addresses").rows[0][0] == "")
    }

    @Test(arguments: 0..<8) func parallelCallersEachGetTheirOwnDatabase(_ index: Int) throws {
        let db = try PGConnection(conninfo: TestPostgres.newDatabase())
        try db.execute("CREATE TABLE mine (i int)")
        try db.command("INSERT INTO mine VALUES ($1)", [String(index)])
        #expect(try db.query("SELECT i FROM mine").rows == [[String(index)]])
    }
}
