import Foundation
import GHWHCluster
import GHWHWarehouse
import Testing

@testable import GHWHCLI

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
        #expect(c.origins[.dataDir] == "flag")
        #expect(c.origins[.workers] == "env GHWH_WORKERS")
        #expect(c.origins[.rawRoot] == "file \(path):2")
        #expect(c.origins[.chunkSizeMB] == "file \(path):4")
        #expect(c.origins[.maxAttempts] == "default")
        let defaults = try Configuration(flags: [:], configFile: nil, environment: [:])
        #expect(defaults.dataDirectory == ".ghwh" && defaults.chunkBytes == 16 << 20)
    }

    /// `ghwh config show` reports each layer's winner with its source, in text and JSON.
    @Test func configShowReportsValueAndSource() throws {
        let path = try Self.file("workers = 3\ncores = 7\nmax_attempts = 9\n")
        let env = ["GHWH_CORES": "6", "GHWH_MAX_ATTEMPTS": "8", "GHWH_CLUSTER_SECRET": "", "GHWH_CONFIG": ""]
        let (status, text) = try Fixtures.runToEnd(
            ClusterHarness.binary, ["config", "show", "--config", path, "--workers", "2", "--cores", "5"],
            environment: env)
        #expect(status == 0, "\(text)")
        let lines = text.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        func row(_ key: String) -> [String] { lines.first { $0.first.map(String.init) == key }?.map(String.init) ?? [] }
        #expect(row("workers") == ["workers", "2", "flag"])
        #expect(row("cores") == ["cores", "5", "flag"])
        #expect(row("max_attempts") == ["max_attempts", "8", "env", "GHWH_MAX_ATTEMPTS"])
        #expect(row("shutdown_grace") == ["shutdown_grace", "30", "default"])
        #expect(lines.count == Configuration.Key.allCases.count)
        let (_, json) = try Fixtures.runToEnd(
            ClusterHarness.binary, ["config", "show", "--config", path, "--format", "json"], environment: env)
        let rows = try #require(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        let workers = try #require(rows.first { $0["key"] as? String == "workers" })
        #expect(workers["value"] as? String == "3" && workers["source"] as? String == "file \(path):1")
    }

    /// Every key with a flag in the table is a `config show` option that lands as `flag`.
    @Test func everyTableFlagIsAConfigShowOption() throws {
        for key in Configuration.Key.allCases {
            guard let flag = key.spec.flag else { continue }
            let value = key == .coordinator || key == .listen ? "tcp://h:1" : key == .uiListen ? "h:1" : "7"
            let command = try #require(
                try GHWHCommand.parseAsRoot(["config", "show", flag, value]) as? ConfigCommand.Show, "\(flag)")
            let config = try Configuration(flags: command.flags, configFile: nil, environment: [:])
            #expect(config.sources[key] == .flag, "\(flag)")
        }
    }

    /// A secret is masked (unless empty); a DSN's password is hidden.
    @Test func secretsAreMasked() throws {
        let env = ["GHWH_CLUSTER_SECRET": "0123456789abcdefXYZ", "GHWH_DATABASE_URL": "postgresql://u:pw@h/db"]
        let c = try Configuration(configFile: nil, environment: env)
        #expect(c.displayValue(.clusterSecret) == "****")
        #expect(try c.clusterSecret() == "0123456789abcdefXYZ")
        #expect(c.displayValue(.databaseURL)?.contains("pw") == false)
        let shown = try ConfigCommand.Show.render(c, format: .text) + ConfigCommand.Show.render(c, format: .json)
        #expect(!shown.contains("0123456789abcdef") && !shown.contains(":pw@"))
        let empty = try Configuration(configFile: nil, environment: ["GHWH_CLUSTER_SECRET": ""])
        #expect(empty.displayValue(.clusterSecret) == "")
        // A config file names the secret's file, never the secret.
        let inFile = try Self.file("cluster_secret = 0123456789abcdefXYZ\n")
        #expect(throws: Configuration.ConfigError.self) { try Configuration(configFile: inFile, environment: [:]) }
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
        let badValue = try Self.file("# x\nworkers = 0\n")
        do {
            _ = try Configuration(configFile: badValue, environment: [:])
            Issue.record("accepted workers=0")
        } catch {
            #expect("\(error)" == "workers (from file \(badValue):2) must be a positive integer, got 0")
        }
        let noEquals = try Self.file("raw_root\n")
        #expect(throws: Configuration.ConfigError.self) { try Configuration(configFile: noEquals, environment: [:]) }
        let twice = try Self.file("workers = 2\nworkers = 3\n")
        #expect(throws: Configuration.ConfigError.self) { try Configuration(configFile: twice, environment: [:]) }
        do {
            _ = try Configuration(configFile: nil, environment: ["GHWH_HISTORY_PARTITION": "week"])
            Issue.record("accepted week")
        } catch {
            #expect("\(error)".contains("history_partition") && "\(error)".contains("day or month"))
        }
        #expect(throws: Configuration.ConfigError.self) {
            try Configuration(configFile: nil, environment: ["GHWH_UI_LISTEN": "8080"])
        }
        #expect(
            try Configuration(configFile: nil, environment: ["GHWH_LISTEN": "inproc://x"]).listenURL == "inproc://x")
        #expect(try Configuration(configFile: nil, environment: [:]).historyPartition == "month")
        #expect(
            try Configuration(configFile: nil, environment: ["GHWH_HISTORY_PARTITION": "day"]).historyPartition == "day"
        )
    }

    /// `ghwh config check` prints FILE:LINE: reason per problem and exits 1, or FILE: ok and 0.
    @Test func configCheckNamesFileAndLine() throws {
        let bad = try Self.file(
            """
            # a comment
            workers = many
            chunk_size = 3
            cores = 2
            cores = 3
            no equals here
            cluster_secret = 0123456789abcdef
            """)
        let (status, text) = try Fixtures.runToEnd(ClusterHarness.binary, ["config", "check", bad])
        #expect(status == 1)
        let known = Configuration.fileKeys.map(\.rawValue).joined(separator: ", ")
        #expect(
            text.split(separator: "\n").map(String.init) == [
                "\(bad):2: workers must be a positive integer, got many",
                "\(bad):3: unknown key `chunk_size` (known: \(known))",
                "\(bad):5: duplicate key `cores` (first set on line 4)",
                "\(bad):6: expected `key = value`, got `no equals here`",
                "\(bad):7: `cluster_secret` cannot be set in a config file (set GHWH_CLUSTER_SECRET, or name a file)",
            ], "\(text)")
        let good = try Self.file("workers = 2\n")
        let ok = try Fixtures.runToEnd(ClusterHarness.binary, ["config", "check", good])
        #expect(ok.status == 0 && ok.output == "\(good): ok\n", "\(ok.output)")
        let partial = try Fixtures.runToEnd(ClusterHarness.binary, ["config", "check", "--every-key", good])
        #expect(partial.status == 1 && partial.output.hasPrefix("\(good): lacks keys: database_url data_dir"))
        let missing = try Fixtures.runToEnd(ClusterHarness.binary, ["config", "check", good + ".absent"])
        #expect(missing.status == 1 && missing.output.contains("cannot read config file"))
    }

    /// The table's defaults are docs/operations.md's: the keys table lists
    /// exactly the table's keys, each with its default and flag.
    @Test func defaultsMatchTheDocumentedKeysTable() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..")
        let doc = try String(contentsOf: root.appendingPathComponent("docs/operations.md"), encoding: .utf8)
        let section = try #require(doc.components(separatedBy: "### Keys").dropFirst().first)
        var documented: [String: (flag: String, def: String)] = [:]
        var order: [String] = []
        for line in section.split(separator: "\n") {
            guard line.hasPrefix("| `") else {
                if !documented.isEmpty && !line.hasPrefix("|") { break }
                continue
            }
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            func bare(_ s: String) -> String { s.replacingOccurrences(of: "`", with: "") }
            let key = bare(cells[0])
            let flag = bare(String(cells[1].split(separator: " ").first ?? ""))
            documented[key] = (flag, bare(cells[2]))
            order.append(key)
        }
        #expect(order == Configuration.Key.allCases.map(\.rawValue))
        for key in Configuration.Key.allCases {
            let spec = key.spec
            #expect(documented[key.rawValue]?.def == spec.defaultValue.documented, "\(key.rawValue)")
            #expect(documented[key.rawValue]?.flag == (spec.flag ?? "none"), "\(key.rawValue)")
        }
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
