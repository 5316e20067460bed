import Foundation
import GHWHCluster
import GHWHProcess
import GHWHRaw
import GHWHSampleData
import GHWHTestSupport
import GHWHWarehouse
import Logging
import Testing

/// Shared scaffolding for the end-to-end tests: raw trees, runs, table dumps.
enum Fixtures {
    static let logger: Logger = {
        var l = Logger(label: "ghwh-test") { StreamLogHandler.standardError(label: $0) }
        l.logLevel = .critical
        return l
    }()

    static func tempDir(_ name: String = "raw") throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ghwh-\(name)-\(UUID().uuidString.prefix(8))"
        ).path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A fresh migrated database on the shared test server.
    static func database() throws -> String {
        let conninfo = try TestPostgres.newDatabase()
        let db = try PGConnection(conninfo: conninfo)
        defer { db.close() }
        try Migrator.migrate(db)
        return conninfo
    }

    static func generate(repos: Int = 3, issues: Int = 16, prs: Int = 10, days: Int = 3, seed: UInt64 = 7) throws
        -> (root: String, summary: SampleDataSummary)
    {
        let root = try tempDir()
        var o = SampleDataOptions(outputDirectory: root)
        o.repos = repos
        o.issuesPerRepo = issues
        o.prsPerRepo = prs
        o.days = days
        o.seed = seed
        o.maxEntryBytes = 96 << 10  // several files per day
        return (root, try SampleDataGenerator(o).generate())
    }

    static func run(
        _ conninfo: String, raw: String, job: JobName = .all, dates: ClosedRange<IngestDate>? = nil,
        force: Bool = false, chunkBytes: Int = 16 << 20, workers: Int = 2
    ) throws -> JobSummary {
        let cluster = LocalCluster(conninfo: conninfo, options: .init(workers: workers), logger: logger)
        return try cluster.run(JobSpec(job: job, dates: dates, force: force, rawRoot: raw, chunkBytes: chunkBytes))
    }

    static func date(_ s: String) -> IngestDate { IngestDate(s)! }

    /// A generated tree, a database that local mode loaded from it (the reference), and an empty database.
    static func treeWithReference(repos: Int, issues: Int, prs: Int, days: Int, seed: UInt64) throws
        -> (raw: String, reference: String, db: String)
    {
        let (raw, _) = try generate(repos: repos, issues: issues, prs: prs, days: days, seed: seed)
        let reference = try database()
        #expect(try run(reference, raw: raw).succeeded)
        return (raw, reference, try database())
    }

    /// `ghwh run --job all` as a process (stdout and stderr through the pipe; `finish` drains it).
    static func ghwhRun(_ db: String, raw: String, extra: [String] = []) throws -> ChildProcess {
        let p = try ChildProcess.spawn(
            ClusterHarness.binary,
            ["run", "--job", "all", "--raw", raw, "--database-url", db, "--no-progress"] + extra,
            standardOutput: .pipe)
        return p
    }

    /// Runs a program to its end; stdout and stderr together.
    static func runToEnd(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
        directory: String? = nil
    ) throws -> (status: Int32, output: String) {
        let result = try runProcess(executable, arguments, environment: environment, currentDirectory: directory)
        return (result.exitStatus, result.output)
    }

    static func finish(_ run: ChildProcess) -> (status: Int32, output: String) {
        let text = String(decoding: run.standardOutput?.readDataToEndOfFile() ?? Data(), as: UTF8.self)
        return (run.waitForExit()?.code ?? -1, text)
    }

    static let silverTables = ["sta_github.issues", "sta_github.pull_requests", "sta_github.pull_request_labels"]

    /// Every row of a table as text, sorted: two databases hold the same table iff these are equal.
    static func dump(_ conninfo: String, _ table: String) throws -> [String] {
        let db = try PGConnection(conninfo: conninfo)
        defer { db.close() }
        return try db.query("SELECT t::text FROM \(table) t ORDER BY t::text COLLATE \"C\"").rows.map {
            $0[0] ?? "NULL"
        }
    }

    static func silver(_ conninfo: String) throws -> [String: [String]] {
        var out: [String: [String]] = [:]
        for t in silverTables { out[t] = try dump(conninfo, t) }
        return out
    }

    static func scalar(_ conninfo: String, _ sql: String) throws -> String? {
        let db = try PGConnection(conninfo: conninfo)
        defer { db.close() }
        return try db.query(sql).rows.first?[0] ?? nil
    }

    static func write(_ text: String, to path: String) throws {
        try write(Array(text.utf8), to: path)
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }
}
