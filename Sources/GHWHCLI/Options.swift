import ArgumentParser
import Foundation
import GHWHCluster
import GHWHRaw
import GHWHWarehouse
import Logging

/// Options every command shares: where the configuration and the warehouse are.
public struct CommonOptions: ParsableArguments {
    @Option(help: "Config file of `key = value` lines (default: $GHWH_CONFIG, else ./ghwh.conf if present).")
    var config: String?
    @Option(name: .customLong("database-url"), help: Configuration.Key.databaseURL.argumentHelp())
    var databaseURL: String?
    @Option(name: .customLong("data-dir"), help: Configuration.Key.dataDir.argumentHelp())
    var dataDir: String?
    @Option(
        name: .customLong("log-level"),
        help:
            "trace, debug, info, notice, warning, error, critical (default: info for the coordinator, workers and loader; notice otherwise)."
    )
    var logLevel: String?

    public init() {}

    public func validate() throws {
        if let logLevel, Logger.Level(rawValue: logLevel) == nil {
            throw ValidationError(
                "--log-level \(logLevel): expected trace, debug, info, notice, warning, error or critical")
        }
    }

    func configuration(extra: [Configuration.Key: String?] = [:]) throws -> Configuration {
        var flags: [Configuration.Key: String?] = [.databaseURL: databaseURL, .dataDir: dataDir]
        flags.merge(extra) { _, new in new }
        do { return try Configuration(flags: flags, configFile: config) } catch {
            throw ValidationError("\(error)")
        }
    }

    /// The warehouse's conninfo (starting the embedded server if no DSN is
    /// configured), migrated to the current schema.
    func migratedWarehouse(_ config: Configuration, logger: Logger) throws -> String {
        let conninfo = try WarehouseLocation.resolve(
            databaseURL: config.databaseURL, dataDirectory: config.dataDirectory,
            logger: logger)
        guard let granularity = HistoryStore.Granularity(rawValue: config.historyPartition) else {
            throw ValidationError("history_partition must be day or month")
        }
        // A role may start while PostgreSQL is still starting or restarting (docker compose starts them together):
        // the one schedule, given up after a minute of waiting so a wrong DSN ends in a clear error, not a hang.
        var backoff = Backoff(budget: 60)
        while true {
            do {
                let db = try PGConnection(conninfo: conninfo)
                defer { db.close() }
                try Migrator.migrate(db)
                try HistoryStore(db).configurePartitioning(
                    granularity, explicit: config.sources[.historyPartition] != .defaultValue)
                return conninfo
            } catch let error as PGError where error.isConnectionFailure {
                guard let delay = backoff.nextDelay() else { break }
                logger.warning(
                    "PostgreSQL unreachable; retrying",
                    metadata: [
                        "attempt": "\(backoff.retries)",
                        "delay_s": "\(delay)", "error": "\(error)",
                    ])
                Thread.sleep(forTimeInterval: delay)
            }
        }
        throw CommandFailure("PostgreSQL unreachable after \(backoff.retries + 1) attempts")
    }

    /// Cluster roles log at `info` by default (one line per job and per notable
    /// event, as Spark's daemons do); one-shot commands at `notice`.
    func makeLogger(_ label: String, defaultLevel: Logger.Level = .notice) -> Logger {
        let level = logLevel.flatMap(Logger.Level.init(rawValue:)) ?? defaultLevel
        var logger = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = level
        return logger
    }
}

/// What to run and over which ingest dates (docs/contract.md#jobs).
public struct JobOptions: ParsableArguments {
    @Option(help: "Job: \(JobName.allCases.map(\.rawValue).joined(separator: ", ")).")
    var job: String = JobName.all.rawValue
    @Option(
        help: Configuration.Key.rawRoot.argumentHelp("Raw root holding github/{issues,pull_requests}/<YYYY-MM-DD>/"))
    var raw: String?
    @Option(help: "One ingest date, YYYY-MM-DD.")
    var date: String?
    @Option(help: "First ingest date of a backfill range.")
    var from: String?
    @Option(help: "Last ingest date of a backfill range.")
    var to: String?
    @Flag(help: "Reload files even if they were loaded unchanged before.")
    var force = false
    @Option(help: Configuration.Key.workers.argumentHelp())
    var workers: Int?
    @Option(
        name: .customLong("chunk-size-mb"),
        help: Configuration.Key.chunkSizeMB.argumentHelp(
            "Task size in MB: a document stored in this much travels whole; larger ones are cut into tasks of this much JSON"
        ))
    var chunkSizeMB: Int?
    @Option(
        name: .customLong("task-group-documents"),
        help: Configuration.Key.taskGroupDocuments.argumentHelp(
            "Most small documents (under a quarter of a chunk) one task carries; 1: a task per document"))
    var taskGroupDocuments: Int?

    public init() {}

    var configFlags: [Configuration.Key: String?] {
        [
            .rawRoot: raw, .workers: workers.map(String.init), .chunkSizeMB: chunkSizeMB.map(String.init),
            .taskGroupDocuments: taskGroupDocuments.map(String.init),
        ]
    }

    func spec(_ config: Configuration) throws -> JobSpec {
        guard let jobName = JobName(rawValue: job) else {
            throw ValidationError(
                "unknown job `\(job)`; jobs: \(JobName.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let root = config.rawRoot else {
            throw ValidationError("no raw root: pass --raw DIR or set GHWH_RAW_ROOT")
        }
        var spec = JobSpec(
            job: jobName, dates: try dateRange(), force: force, rawRoot: root, chunkBytes: config.chunkBytes)
        spec.taskGroupDocuments = config.taskGroupDocuments
        return spec
    }

    func dateRange() throws -> ClosedRange<IngestDate>? {
        func parse(_ s: String, _ flag: String) throws -> IngestDate {
            guard let d = IngestDate(s) else { throw ValidationError("\(flag) \(s) is not a date (YYYY-MM-DD)") }
            return d
        }
        if let date {
            guard from == nil, to == nil else { throw ValidationError("use either --date or --from/--to") }
            let d = try parse(date, "--date")
            return d...d
        }
        if from == nil && to == nil { return nil }
        guard let from, let to else { throw ValidationError("a backfill needs both --from and --to") }
        let a = try parse(from, "--from")
        let b = try parse(to, "--to")
        guard a <= b else { throw ValidationError("--from \(from) is after --to \(to)") }
        return a...b
    }
}
