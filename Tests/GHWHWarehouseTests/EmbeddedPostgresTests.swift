import Foundation
import Testing

@testable import GHWHWarehouse

#if canImport(Glibc)
    import Glibc
#endif

/// Each test runs its own server in its own directory (not the shared test server).
@Suite struct EmbeddedPostgresTests {
    private func makeServer(database: String = "ghwh") throws -> EmbeddedPostgres {
        EmbeddedPostgres(
            directory: try makeTemporaryDirectory("ghwh-e") + "/pg",
            options: .init(extraSettings: ["fsync": "off"], database: database))
    }

    private func discard(_ server: EmbeddedPostgres) {
        try? server.stop(mode: .immediate)
        try? FileManager.default.removeItem(atPath: (server.directory as NSString).deletingLastPathComponent)
    }

    @Test func lifecycleSurvivesStopAndSIGKILL() throws {
        let server = try makeServer(database: "life")
        defer { discard(server) }
        #expect(try server.status() == .notInitialized)

        try server.initializeIfNeeded()
        #expect(try server.status() == .stopped)
        try server.initializeIfNeeded()  // idempotent

        try server.start()
        guard case .running(let firstPID) = try server.status() else {
            Issue.record("not running after start: \(try server.status())")
            return
        }
        try server.start()  // idempotent while running
        #expect(try server.status() == .running(pid: firstPID))
        let db = try PGConnection(conninfo: server.conninfo)
        #expect(try db.query("SELECT current_database() AS d").string(0, "d") == "life")
        try db.execute("CREATE TABLE kept (x int); INSERT INTO kept VALUES (1)")
        db.close()

        try server.stop()
        #expect(try server.status() == .stopped)
        try server.stop()  // no-op when stopped
        #expect(throws: PGError.self) { _ = try PGConnection(conninfo: server.conninfo) }

        try server.start()
        guard case .running(let secondPID) = try server.status() else {
            Issue.record("not running after restart")
            return
        }
        #expect(try PGConnection(conninfo: server.conninfo).query("SELECT count(*) AS n FROM kept").int(0, "n") == 1)

        // A killed postmaster leaves postmaster.pid behind; start must still work.
        #expect(kill(secondPID, SIGKILL) == 0)
        #expect(try waitUntil(seconds: 10) { try server.status() == .stopped })
        #expect(FileManager.default.fileExists(atPath: server.dataDirectory + "/postmaster.pid"))
        try server.start()
        guard case .running(let thirdPID) = try server.status() else {
            Issue.record("not running after SIGKILL and start")
            return
        }
        #expect(thirdPID != secondPID)
        #expect(try PGConnection(conninfo: server.conninfo).query("SELECT count(*) AS n FROM kept").int(0, "n") == 1)

        try server.stop()
        #expect(try server.status() == .stopped)
    }

    @Test func startBeforeInitializeFailsClearly() throws {
        let server = try makeServer()
        defer { discard(server) }
        let error = #expect(throws: EmbeddedPostgresError.self) { try server.start() }
        #expect(error?.message.contains("initializeIfNeeded") == true)
    }

    @Test func tooLongSocketPathFailsClearly() throws {
        let server = EmbeddedPostgres(directory: "/tmp/" + String(repeating: "d", count: 110))
        let error = #expect(throws: EmbeddedPostgresError.self) { try server.start() }
        #expect(error?.message.contains("socket path") == true)
        #expect(error?.message.contains(server.socketPath) == true)
    }

    @Test func nonEmptyDataDirectoryWithoutClusterIsLeftAlone() throws {
        let server = try makeServer()
        defer { discard(server) }
        try FileManager.default.createDirectory(atPath: server.dataDirectory, withIntermediateDirectories: true)
        #expect(
            FileManager.default.createFile(atPath: server.dataDirectory + "/precious.txt", contents: Data("keep".utf8)))
        let error = #expect(throws: EmbeddedPostgresError.self) { try server.initializeIfNeeded() }
        #expect(error?.message.contains(server.dataDirectory) == true)
        #expect(FileManager.default.contents(atPath: server.dataDirectory + "/precious.txt") == Data("keep".utf8))
    }

    @Test func unreachableDirectoryIsNamedWhenRunningAsRoot() throws {
        let parent = try makeTemporaryDirectory("ghwh-p")
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let locked = parent + "/locked"
        try FileManager.default.createDirectory(
            atPath: locked, withIntermediateDirectories: false,
            attributes: [.posixPermissions: 0o700])
        let server = EmbeddedPostgres(directory: locked + "/pg", options: .init(extraSettings: ["fsync": "off"]))
        defer { try? server.stop(mode: .immediate) }
        if geteuid() == 0 {
            // The postgres user cannot enter a root-owned 0700 directory.
            let error = #expect(throws: EmbeddedPostgresError.self) { try server.initializeIfNeeded() }
            #expect(error?.message.contains(locked) == true)
        } else {
            // Without root the server runs as us, and we own the directory.
            try server.initializeIfNeeded()
            #expect(try server.status() == .stopped)
        }
    }

    @Test func startFailureIncludesTheServerLog() throws {
        let server = EmbeddedPostgres(
            directory: try makeTemporaryDirectory("ghwh-e") + "/pg",
            options: .init(extraSettings: ["fsync": "off", "shared_buffers": "bogus"]))
        defer { discard(server) }
        try server.initializeIfNeeded()
        let error = #expect(throws: EmbeddedPostgresError.self) { try server.start() }
        #expect(error?.message.contains("shared_buffers") == true)
        #expect(try server.status() == .stopped)
    }

    @Test func invalidSettingNameIsRejected() throws {
        let server = EmbeddedPostgres(
            directory: "/tmp/ghwh-unused", options: .init(extraSettings: ["a b; rm -rf": "x"]))
        let error = #expect(throws: EmbeddedPostgresError.self) { try server.start() }
        #expect(error?.message.contains("setting name") == true)
    }

    @Test func conninfoNamesSocketDirectoryPortAndDatabase() {
        let server = EmbeddedPostgres(directory: "/tmp/x/../pgdir", options: .init(port: 6543, database: "w h"))
        #expect(server.directory == "/tmp/pgdir")
        #expect(server.conninfo == "host=/tmp/pgdir/run port=6543 user=postgres dbname='w h'")
        #expect(server.conninfo(database: "other") == "host=/tmp/pgdir/run port=6543 user=postgres dbname=other")
        #expect(server.socketPath == "/tmp/pgdir/run/.s.PGSQL.6543")
    }
}
