import ArgumentParser
import Foundation
import GHWHCluster
import GHWHRaw
import GHWHSampleData
import GHWHWarehouse

/// `ghwh`: the warehouse's command line.
public struct GHWHCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "ghwh",
        abstract: "GitHub issues & pull-requests warehouse: raw API dumps -> PostgreSQL (sta_github silver).",
        subcommands: [
            RunCommand.self, ListCommand.self, ReportCommand.self, GenDataCommand.self, DBCommand.self,
            CoordinatorCommand.self, WorkerCommand.self, LoaderCommand.self, HealthCommand.self, ConfigCommand.self,
        ])
    public init() {}
}

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a job in one process: planner, worker threads and loader.")
    @OptionGroup var common: CommonOptions
    @OptionGroup var job: JobOptions
    @Flag(name: .customLong("no-progress"), help: "Don't print the progress line.")
    var noProgress = false
    @Option(name: .customLong("summary-json"), help: "Also write the job summary as JSON to this file.")
    var summaryJSON: String?
    @Option(
        name: .customLong("wait-timeout"),
        help: "Seconds to wait while another writer (a ghwh run, a cluster loader) holds the warehouse.")
    var waitTimeout: Double = 300
    @Flag(name: .customLong("no-wait"), help: "Fail at once, naming the other writer, if the warehouse has one.")
    var noWait = false
    @Flag(
        help: "Measure CPU time per stage (read+hash, inflate, split, transform, COPY encode, load, gold) and print it."
    )
    var profile = false

    func run() throws {
        try JobRunner.run(
            common: common, jobOptions: job, showProgress: !noProgress, summaryJSON: summaryJSON,
            writerWait: noWait ? 0 : waitTimeout, profile: profile)
    }
}

/// `ghwh ls`: what a job would read (as `dbt ls` lists what would run), and the
/// raw paths it would ignore or fail, without a database. Exits non-zero when
/// a path would fail or the tree cannot be read.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls",
        abstract: "List the raw files a job would read and the paths it would ignore or fail (no database needed).")
    @OptionGroup var common: CommonOptions
    @OptionGroup var job: JobOptions

    func run() throws {
        let spec = try job.spec(try common.configuration(extra: job.configFlags))
        let layout = RawLayout(root: spec.rawRoot)
        var failed = 0
        for dataset in spec.job.datasets {
            let scan = try layout.scan(dataset: dataset, dates: spec.dates)
            for file in scan.files { print("\(file.ingestDate)\t\(file.size)\t\(file.relativePath)") }
            for path in scan.ignored { print("ignored\t-\t\(path)") }
            for failure in scan.failed { print("FAILED\t-\t\(failure.path): \(failure.reason)") }
            failed += scan.failed.count
        }
        if failed > 0 { throw ExitCode(1) }
    }
}

struct GenDataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gen-data", abstract: "Write a realistic raw tree of GitHub API dumps.")
    @Option(help: "Output raw root (must not hold a github/ tree yet).") var out: String
    @Option(help: "Repositories.") var repos: Int = 5
    @Option(name: .customLong("issues-per-repo")) var issuesPerRepo: Int = 40
    @Option(name: .customLong("prs-per-repo")) var prsPerRepo: Int = 20
    @Option(help: "Ingest days.") var days: Int = 3
    @Option(help: "Random seed (same seed, same bytes).") var seed: UInt64 = 42
    @Option(name: .customLong("first-date"), help: "First ingest date.") var firstDate: String = "2024-01-01"
    @Option(name: .customLong("target-mb"), help: "Keep adding repos until about this many MB of JSON.") var targetMB:
        Int?
    @Flag(
        help:
            "Full daily dumps: every day re-delivers the latest version of every record created so far (mostly unchanged)."
    )
    var snapshots = false
    @Flag(
        name: .customLong("one-record-per-file"),
        help: "Every record in a .json file of its own (the many-small-files shape of per-issue backups).")
    var oneRecordPerFile = false
    @Flag(
        name: .customLong("zip-only"),
        help: "Only .json.zip files of one or two pretty-printed entries (no gzip, JSON Lines or plain files).")
    var zipOnly = false

    func run() throws {
        var o = SampleDataOptions(outputDirectory: out)
        o.oneRecordPerFile = oneRecordPerFile
        o.zipOnly = zipOnly
        o.repos = repos
        o.issuesPerRepo = issuesPerRepo
        o.prsPerRepo = prsPerRepo
        o.days = days
        o.seed = seed
        o.firstDate = firstDate
        o.snapshots = snapshots
        o.targetBytes = targetMB.map { Int64($0) * 1_000_000 }
        let started = Date()
        let isTTY = isatty(STDERR_FILENO) == 1
        var lastPrint = Date.distantPast
        let s = try SampleDataGenerator(o).generate { p in
            // At most twice a second on a terminal, every 5 s in a log.
            guard Date().timeIntervalSince(lastPrint) >= (isTTY ? 0.5 : 5) else { return }
            lastPrint = Date()
            let mb = Double(p.bytesWritten) / 1_000_000
            let rate = mb / max(0.001, Date().timeIntervalSince(started))
            let line = String(
                format: "gen-data: %.0f MB of JSON, %d files, %d records, %.0f MB/s", mb, p.files, p.records, rate)
            FileHandle.standardError.write(Data(((isTTY ? "\r\u{1B}[K" : "") + line + (isTTY ? "" : "\n")).utf8))
        }
        if isTTY { FileHandle.standardError.write(Data("\n".utf8)) }
        let secs = Date().timeIntervalSince(started)
        print(
            "wrote \(s.files) files, \(s.records) records, \(String(format: "%.1f", Double(s.uncompressedBytes) / 1e6)) MB of JSON (\(String(format: "%.1f", Double(s.compressedBytes) / 1e6)) MB on disk) in \(String(format: "%.1f", secs)) s under \(out)"
        )
        print(
            "distinct issues \(s.distinctIssues), issue-endpoint records \(s.distinctIssueRecordsIncludingPRs), pull requests \(s.distinctPullRequests)"
        )
    }
}

struct DBCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db", abstract: "Manage the warehouse database.",
        subcommands: [Init.self, Status.self, Stop.self, Prune.self])

    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start the embedded server if no DSN is configured, and migrate.")
        @OptionGroup var common: CommonOptions
        func run() throws {
            let config = try common.configuration()
            let conninfo = try WarehouseLocation.resolve(
                databaseURL: config.databaseURL, dataDirectory: config.dataDirectory,
                logger: common.makeLogger("ghwh"))
            let db = try PGConnection(conninfo: conninfo)
            let applied = try Migrator.migrate(db)
            print(
                applied.isEmpty ? "warehouse up to date (\(conninfo))" : "applied migrations \(applied) (\(conninfo))")
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show where the warehouse is and what it holds.")
        @OptionGroup var common: CommonOptions
        func run() throws {
            let config = try common.configuration()
            let conninfo: String
            if let url = config.databaseURL {
                print("database: \(url) (configured, from \(config.origins[.databaseURL] ?? "?"))")
                conninfo = url
            } else {
                let server = WarehouseLocation.embeddedServer(dataDirectory: config.dataDirectory)
                let status = try server.status()
                print("database: embedded PostgreSQL under \(config.dataDirectory)/postgres: \(status)")
                guard case .running = status else { return }
                conninfo = server.conninfo
            }
            let db = try PGConnection(conninfo: conninfo)
            let r = try db.query(
                """
                SELECT (SELECT max(version) FROM ghwh_meta.schema_migrations) AS schema_version,
                       (SELECT count(*) FROM sta_github.issues) AS issues,
                       (SELECT count(*) FROM sta_github.pull_requests) AS pull_requests,
                       (SELECT count(*) FROM ghwh_meta.rejects) AS rejects,
                       (SELECT count(*) FILTER (WHERE status = 'loaded') || ' loaded, '
                               || count(*) FILTER (WHERE status = 'failed') || ' failed' FROM ghwh_meta.files) AS files
                """)
            func value(_ column: String) -> String { r.first?.string(column) ?? "-" }
            print(
                "schema version \(value("schema_version")); sta_github.issues \(value("issues")) rows; "
                    + "sta_github.pull_requests \(value("pull_requests")) rows; rejects \(value("rejects")); "
                    + "files \(value("files"))")
            let history = HistoryStore(db)
            if let span = try? history.span(), let parts = try? history.partitions(), let g = try? history.granularity()
            {
                let days = span.firstDay.map { "ingest days \($0) to \(span.lastDay ?? $0)" } ?? "no ingest day loaded"
                print(
                    "daily history: \(days); \(parts.count) partitions by \(g.rawValue)"
                        + (span.prunedBefore.map { "; pruned before \($0)" } ?? ""))
            }
        }
    }

    struct Prune: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Drop the daily history's partitions lying entirely before a date (never the latest-version tables).")
        @OptionGroup var common: CommonOptions
        @Option(help: "Drop the partitions of ingest days before this date (YYYY-MM-DD, a partition boundary).")
        var before: String
        func run() throws {
            let config = try common.configuration()
            let conninfo = try common.migratedWarehouse(config, logger: common.makeLogger("ghwh"))
            let db = try PGConnection(conninfo: conninfo)
            defer { db.close() }
            let result: HistoryStore.PruneResult
            do { result = try HistoryStore(db).prune(before: before) } catch let e as WarehouseError {
                throw CommandFailure(e.description)
            }
            if result.dropped.isEmpty {
                print(
                    "nothing to prune: no partition of sta_github.issues_history or pull_requests_history lies before \(before)"
                )
            }
            for p in result.dropped {
                print("dropped sta_github.\(p.table) (\(p.parent), ingest days \(p.from) to before \(p.to))")
            }
            for table in ["issues_history", "pull_requests_history"] where !result.dropped.isEmpty {
                print(
                    "sta_github.\(table): \(result.droppedRows[table] ?? 0) rows dropped; the last version before \(before) of \(result.carried[table] ?? 0) keys kept in sta_github.\(table.replacingOccurrences(of: "_history", with: ""))_pruned_base"
                )
            }
            if !result.dropped.isEmpty { print("history now answers as of \(before) and later") }
        }
    }

    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop the embedded PostgreSQL.")
        @OptionGroup var common: CommonOptions
        func run() throws {
            let config = try common.configuration()
            let server = WarehouseLocation.embeddedServer(dataDirectory: config.dataDirectory)
            try server.stop()
            print("embedded PostgreSQL stopped (\(config.dataDirectory)/postgres)")
        }
    }
}

/// `ghwh-submit`: submits a job, like spark-submit: to a coordinator
/// (`--coordinator tcp://host:7077`), or `--coordinator local` to run it in
/// this process. Waits and shows progress unless `--detach`.
public struct SubmitCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "ghwh-submit", abstract: "Submit a ghwh job to a coordinator and watch it.")
    @OptionGroup var common: CommonOptions
    @OptionGroup var job: JobOptions
    @OptionGroup var cluster: ClusterOptions
    @Option(
        help: Configuration.Key.coordinator.argumentHelp(
            "Coordinator URL, or `local` to run the job in this process"))
    var coordinator: String?
    @Flag(help: "Print the job id and return at once.") var detach = false
    @Option(help: "Print a job's status and exit (0 if it succeeded or is still running).") var status: String?
    @Option(help: "Kill a job.") var kill: String?
    @Option(
        name: .customLong("await-workers"),
        help: "Wait until this many workers are alive, then exit 0 without submitting (1 after --await-timeout).")
    var awaitWorkers: Int?
    @Option(name: .customLong("await-timeout"), help: "Seconds --await-workers waits.")
    var awaitTimeout: Double = 120

    public init() {}

    public func run() throws {
        if coordinator == "local" {
            try JobRunner.run(common: common, jobOptions: job, showProgress: true)
            return
        }
        let config = try common.configuration(extra: [.coordinator: coordinator])
        let endpoint = try cluster.endpoint(url: config.coordinatorURL, config: config, role: "ghwh-submit")
        let client = try SubmitClient(endpoint: endpoint)
        defer { client.close() }
        let url = endpoint.url
        if let id = kill { return try killJob(id, client: client, url: url) }
        if let count = awaitWorkers { return try waitForWorkers(count, client: client, url: url) }
        if let id = status { return try printStatus(id, client: client, url: url) }
        try submitAndFollow(client: client, url: url)
    }

    /// What a failed request to the coordinator at `url` reports.
    static func unreachable(_ error: Error, _ url: String) -> Error {
        CommandFailure("cannot reach the coordinator at \(url): \(error)")
    }

    /// `--kill ID`: exits 1 unless the coordinator accepted the kill.
    func killJob(_ id: String, client: SubmitClient, url: String) throws {
        let ack: Ack
        do { ack = try client.kill(id) } catch { throw Self.unreachable(error, url) }
        print(ack.accepted ? "kill requested for \(id)" : "not killed: \(ack.message)")
        if !ack.accepted { throw ExitCode(1) }
    }

    /// `--await-workers N`: fails after `--await-timeout` seconds with fewer workers alive.
    func waitForWorkers(_ count: Int, client: SubmitClient, url: String) throws {
        let ready: Bool
        do { ready = try client.awaitWorkers(count, timeout: awaitTimeout) } catch {
            throw Self.unreachable(error, url)
        }
        guard ready else { throw CommandFailure("fewer than \(count) workers alive after \(Int(awaitTimeout)) s") }
        print("\(count) workers alive")
    }

    /// `--status ID`: exits 1 if the job failed, was killed or is unknown.
    func printStatus(_ id: String, client: SubmitClient, url: String) throws {
        let s: JobStatus
        do { s = try client.status(id) } catch { throw Self.unreachable(error, url) }
        print(SubmitClient.line(s))
        if let summary = s.summary { print(summary) }
        if s.state == .failed || s.state == .killed || s.state == .unknown { throw ExitCode(1) }
    }

    /// Submits the job, then (unless `--detach`) follows it to the end, exiting 1 unless it succeeded.
    func submitAndFollow(client: SubmitClient, url: String) throws {
        guard let jobName = JobName(rawValue: job.job) else { throw ValidationError("unknown job `\(job.job)`") }
        let range = try job.dateRange()
        let message = SubmitJob(
            job: jobName.rawValue, from: range?.lowerBound.description, to: range?.upperBound.description,
            force: job.force, rawRoot: job.raw)
        let id: String
        do { id = try client.submit(message) } catch { throw Self.unreachable(error, url) }
        if detach {
            print(id)
            return
        }
        FileHandle.standardError.write(Data("submitted \(jobName.rawValue) as \(id)\n".utf8))
        var printer = SubmitProgressPrinter(isTerminal: isatty(STDERR_FILENO) == 1)
        let final: JobStatus
        do {
            var warnedAt = Date.distantPast
            final = try client.wait(
                id,
                onUnreachable: { error in
                    guard Date().timeIntervalSince(warnedAt) >= 10 else { return }
                    warnedAt = Date()
                    FileHandle.standardError.write(
                        Data("\ncoordinator unreachable (\(error)); still following \(id) for up to 5 minutes\n".utf8))
                }
            ) { s in
                if let text = printer.update(s, now: Date().timeIntervalSince1970) {
                    FileHandle.standardError.write(Data(text.utf8))
                }
            }
        } catch { throw Self.unreachable(error, url) }
        FileHandle.standardError.write(Data(printer.finish(final).utf8))
        if let summary = final.summary { print(summary) }
        if let error = final.error { print("job \(final.state.rawValue): \(error)") }
        if final.state != .succeeded || final.summaryFailed == true { throw ExitCode(1) }
    }
}

/// A failure to report as `Error: <message>` with exit status 1 (no usage text).
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
