import Foundation
import GHWHCLI
import GHWHCluster
import GHWHWarehouse
import Testing

@Suite struct ConfigurationTests {
    static func file(_ text: String) throws -> String {
        let path = try Fixtures.tempDir("conf") + "/ghwh.conf"
        try Fixtures.write(text, to: path)
        return path
    }

    @Test func precedenceIsFlagThenEnvironmentThenFileThenDefault() throws {
        let path = try Self.file(
            """
            # comment
            raw_root = "/from/file"
            workers = 3
            chunk_size_mb = 8
            data_dir = /file/data
            """)
        let env = ["GHWH_WORKERS": "5", "GHWH_DATA_DIR": "/env/data"]
        let c = try Configuration(flags: [.dataDir: "/flag/data"], configFile: path, environment: env)
        #expect(c.dataDirectory == "/flag/data")
        #expect(c.workers == 5)
        #expect(c.rawRoot == "/from/file")
        #expect(c.chunkBytes == 8 << 20)
        #expect(c.databaseURL == nil)
        #expect(c.origins[.workers] == "env GHWH_WORKERS")
        let defaults = try Configuration(flags: [:], configFile: nil, environment: [:])
        #expect(defaults.dataDirectory == ".ghwh" && defaults.chunkBytes == 16 << 20)
    }

    @Test func badKeysAndValuesNameTheKey() throws {
        let unknown = try Self.file("raw_root = x\nchunk_size = 3\n")
        #expect(throws: Configuration.ConfigError.self) { try Configuration(configFile: unknown, environment: [:]) }
        do { _ = try Configuration(configFile: unknown, environment: [:]) } catch {
            #expect("\(error)".contains("chunk_size") && "\(error)".contains(":2:"))
        }
        do {
            _ = try Configuration(configFile: nil, environment: ["GHWH_WORKERS": "many"])
            Issue.record("accepted workers=many")
        } catch {
            #expect("\(error)".contains("workers") && "\(error)".contains("GHWH_WORKERS"))
        }
        let noEquals = try Self.file("raw_root\n")
        #expect(throws: Configuration.ConfigError.self) { try Configuration(configFile: noEquals, environment: [:]) }
        do {
            _ = try Configuration(configFile: nil, environment: ["GHWH_HISTORY_PARTITION": "week"])
            Issue.record("accepted week")
        } catch {
            #expect("\(error)".contains("history_partition") && "\(error)".contains("day or month"))
        }
        #expect(try Configuration(configFile: nil, environment: [:]).historyPartition == "month")
        #expect(
            try Configuration(configFile: nil, environment: ["GHWH_HISTORY_PARTITION": "day"]).historyPartition == "day"
        )
    }

    /// With no DSN, `ghwh db init` starts a private server under --data-dir;
    /// `db stop` stops it.
    @Test func embeddedDefaultStartsAndStops() throws {
        let dataDir = try Fixtures.tempDir("emb")
        var initCommand = try GHWHCommand.parseAsRoot(["db", "init", "--data-dir", dataDir])
        try initCommand.run()
        let server = WarehouseLocation.embeddedServer(dataDirectory: dataDir)
        guard case .running = try server.status() else {
            Issue.record("not running after db init")
            return
        }
        let db = try PGConnection(conninfo: server.conninfo)
        #expect(try db.query("SELECT count(*) FROM sta_github.issues").rows.first?[0] == "0")
        db.close()
        var stop = try GHWHCommand.parseAsRoot(["db", "stop", "--data-dir", dataDir])
        try stop.run()
        #expect(try server.status() == .stopped)
    }

    /// Under a restrictive umask (027) the folders `ghwh` creates for its
    /// private server must still let the server's user (postgres, when ghwh
    /// runs as root) through; they were created 0750 and `db init` failed.
    @Test func embeddedServerStartsUnderUmask027() throws {
        let dataDir = try Fixtures.tempDir("umask") + "/not/yet/there"
        let result = try Fixtures.runToEnd(
            "/bin/sh",
            [
                "-c", "umask 027 && exec \"$0\" db init --data-dir \"$1\"",
                ClusterHarness.binary, dataDir,
            ])
        defer { _ = try? Fixtures.runToEnd(ClusterHarness.binary, ["db", "stop", "--data-dir", dataDir]) }
        #expect(result.status == 0, "\(result.output)")
        guard case .running = try WarehouseLocation.embeddedServer(dataDirectory: dataDir).status() else {
            Issue.record("not running after db init")
            return
        }
    }

    /// A misspelt log level is a usage error, not a silent `notice`.
    @Test func anUnknownLogLevelIsRefused() throws {
        #expect(throws: (any Error).self) { _ = try GHWHCommand.parseAsRoot(["loader", "--log-level", "verbose"]) }
        _ = try GHWHCommand.parseAsRoot(["loader", "--log-level", "debug"])
    }

    /// `ghwh` started under the name `ghwh-submit` (a symlink, as the container image
    /// installs it) is ghwh-submit.
    @Test func ghwhNamedGhwhSubmitIsGhwhSubmit() throws {
        let link = try Fixtures.tempDir("bin") + "/ghwh-submit"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: ClusterHarness.binary)
        let (status, text) = try Fixtures.runToEnd(link, ["--help"])
        #expect(status == 0)
        #expect(text.contains("USAGE: ghwh-submit") && text.contains("--job"), "\(text)")
    }
}
