import GHWHTestSupport
import GHWHWarehouse
import Testing

/// The loader's session settings.
@Suite struct LoaderSessionTests {
    static func settings(_ db: PGConnection) throws -> [String?] {
        try db.query("SELECT current_setting('work_mem'), current_setting('temp_buffers')").rows[0]
    }

    @Test func theMergeSessionSortsInMemory() throws {
        let conninfo = try Fixtures.database()
        let db = try PGConnection(conninfo: conninfo)
        defer { db.close() }
        #expect(try Self.settings(db) == ["4MB", "8MB"])
        _ = try SilverStore(db)
        #expect(try Self.settings(db) == ["64MB", "64MB"])
    }

    @Test func aRoleSetHigherKeepsItsValue() throws {
        let conninfo = try Fixtures.database()
        let db = try PGConnection(conninfo: conninfo)
        defer { db.close() }
        try db.execute("SET work_mem = '256MB'")
        _ = try SilverStore(db)
        #expect(try Self.settings(db) == ["256MB", "64MB"])
    }
}
