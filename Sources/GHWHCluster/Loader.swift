import Foundation
import GHWHModel
import GHWHRaw
import GHWHWarehouse
import Logging

/// The only writer to Postgres: applies planner messages and task results in
/// arrival order, one transaction each. A lost connection is retried on the
/// `reconnect` schedule before the job is failed with a clear error; nothing is
/// acknowledged before it is committed.
///
/// Two lanes: the main connection (which holds the writer lock) and a second
/// one that commits pull-request entries beside the main lane's issue entries
/// (`LoaderPipeline`, run by `LoaderLanes`; docs/cluster.md#loader). PostgreSQL
/// runs a statement on one core; with one connection the merges were the
/// job's longest serial chain.
public final class Loader: @unchecked Sendable {
    /// Which connection a transaction runs on.
    public enum Lane: Sendable { case main, second }

    public struct Counters: Sendable {
        public var summary: JobSummary
        public var tasksCommitted = 0
        public var recordsCommitted = 0
        /// Since the current job started (for its log line): transactions and their time.
        public var jobTransactions = 0
        public var jobCommitSeconds = 0.0
    }

    let logger: Logger
    private let session: WarehouseSession
    /// The second lane's connection: no writer lock of its own; it writes
    /// while the main connection holds it (the loader's whole life).
    private let secondSession: WarehouseSession
    private let lock = NSLock()
    private var counters: Counters

    /// `writer` names this writer for the writer lock; a loader without one
    /// (a test applying messages directly) does not take the lock.
    public init(
        conninfo: String, jobId: String, job: String, logger: Logger, writer: WriterIdentity? = nil,
        reconnect: Backoff = Loader.reconnect
    ) {
        self.logger = logger
        self.session = WarehouseSession(
            conninfo: conninfo, logger: logger, writer: writer, reconnect: reconnect,
            applicationName: SessionName.loader)
        self.secondSession = WarehouseSession(
            conninfo: conninfo, logger: logger, writer: nil, reconnect: reconnect,
            applicationName: SessionName.loader)
        self.counters = Counters(summary: JobSummary(jobId: jobId, job: job))
    }

    /// The reconnect schedule of every write (see `WarehouseSession.reconnect`).
    public static let reconnect = WarehouseSession.reconnect

    public var snapshot: Counters { lock.withLock { counters } }

    /// Connects now and takes the writer lock (waiting for another writer as
    /// `writer.wait` says), so a job is planned only once it can be written.
    public func connect() throws { try session.connect() }

    /// Applies one message; throws only when the database stays unreachable
    /// or refuses a write for a reason retrying cannot fix.
    public func apply(_ message: LoaderMessage) throws {
        try apply([message])
    }

    /// Applies messages in order in one transaction (group commit: one WAL
    /// flush for all). Each task still commits with its commit record, and
    /// all or none of them do; counters change only if the commit succeeds.
    /// Runs of small things (file bookkeeping, one-task documents) are
    /// applied in bulk (`LoaderBatching`). Callers cut their queue with
    /// `LoaderPipeline`. `lane` picks the connection.
    public func apply(_ messages: [LoaderMessage], lane: Lane = .main) throws {
        var clock = StageClock(enabled: StageProfile.shared.isEnabled, starting: .load)
        defer { StageProfile.shared.add(&clock) }
        let session = lane == .main ? session : secondSession
        try session.withRetry { store in
            // Counted aside and added once committed: the other lane counts at the same time.
            var delta = Counters(summary: JobSummary(jobId: "", job: ""))
            let started = Date()
            try store.inOneTransaction {
                for step in LoaderBatching.steps(messages) { try self.apply(step, store, session, &delta) }
            }
            lock.withLock {
                counters.add(delta)
                counters.jobTransactions += 1
                counters.jobCommitSeconds += Date().timeIntervalSince(started)
            }
        }
    }

    private func apply(
        _ step: LoaderBatching.Step, _ store: SilverStore, _ session: WarehouseSession, _ delta: inout Counters
    ) throws {
        switch step {
        case .single(let message):
            try apply(message, store, session, &delta)
        case .files(let begins, let seals):
            let sealing = seals.compactMap(\.fileSeal)
            try store.beginAndSealFiles(begins: begins.compactMap(\.fileBegin), seals: sealing)
            for seal in sealing {
                guard let fileError = seal.fileError else { continue }
                logger.error("file failed", metadata: ["file": "\(seal.path)", "reason": "\(fileError)"])
                delta.countFailure(dataset: seal.dataset, source: seal.path, reason: fileError)
            }
        case .wholeDocuments(let results):
            let outputs = results.compactMap { message -> (SilverTaskOutput, Int)? in
                if case .result(let output, let inputBytes) = message { return (output, inputBytes) }
                return nil
            }
            let outcomes = try store.commitWholeDocuments(outputs.map(\.0))
            for ((output, inputBytes), outcome) in zip(outputs, outcomes) {
                delta.count(outcome, of: output, inputBytes: inputBytes)
            }
        }
    }

    private func apply(
        _ message: LoaderMessage, _ store: SilverStore, _ session: WarehouseSession, _ delta: inout Counters
    ) throws {
        switch message {
        case .startJob(let jobId, let job, let from, let to, let force):
            try store.startJob(id: jobId, job: job, from: from, to: to, force: force)
            lock.withLock {
                counters.jobTransactions = 0
                counters.jobCommitSeconds = 0
            }
            logger.info("job started", metadata: ["job_id": "\(jobId)", "job": "\(job)"])
        case .finishJob(let jobId, let summary):
            try store.finishJob(id: jobId, succeeded: summary.succeeded, summaryJSON: Self.json(summary))
            logJobLoaded(jobId: jobId, summary)
        case .beginFile(let jobId, let dataset, let path, let date, let size, let hash, let force):
            try store.beginFile(
                dataset: dataset, path: path, ingestDate: date.description, size: size,
                hash: hash, jobId: jobId, force: force)
        case .result(let output, let inputBytes):
            let outcome = try store.commit(output)
            delta.count(outcome, of: output, inputBytes: inputBytes)
        case .documentFailed(let dataset, let documentId, let filePath, let source, let date, let reason):
            try store.failDocument(
                dataset: dataset, documentId: documentId, filePath: filePath,
                source: source, ingestDate: date.description, reason: reason)
            logger.error(
                "document failed: nothing of it is loaded", metadata: ["source": "\(source)", "reason": "\(reason)"])
            delta.countFailure(dataset: dataset, source: source, reason: reason)
        case .goldResult(let result):
            try session.goldStoreForCurrentConnection().replace(
                repos: result.task.repos, targets: result.task.targets,
                copies: result.copies, marks: result.task.marks)
            delta.count(result)
        case .sealFile(let dataset, let path, let documentCount, let fileError):
            try store.sealFile(dataset: dataset, path: path, documentCount: documentCount, fileError: fileError)
            if let fileError {
                logger.error("file failed", metadata: ["file": "\(path)", "reason": "\(fileError)"])
                delta.countFailure(dataset: dataset, source: path, reason: fileError)
            }
        }
    }

    /// The job's one summary line in the loader's log.
    private func logJobLoaded(jobId: String, _ summary: JobSummary) {
        let (transactions, seconds) = lock.withLock { (counters.jobTransactions, counters.jobCommitSeconds) }
        var metadata: Logger.Metadata = [
            "job_id": "\(jobId)", "job": "\(summary.job)", "succeeded": "\(summary.succeeded)",
            "tasks": "\(summary.tasksCommitted)", "gold_tasks": "\(summary.gold.tasks)",
            "rejected": "\(summary.totalRejected)", "failed": "\(summary.totalFailed)",
            "transactions": "\(transactions)", "commit_s": "\(String(format: "%.2f", seconds))",
            "job_s": "\(String(format: "%.1f", summary.seconds))",
        ]
        for (name, c) in summary.datasets {
            metadata["\(name)_records"] = "\(c.records)"
            metadata["\(name)_inserted"] = "\(c.inserted)"
            metadata["\(name)_updated"] = "\(c.updated)"
        }
        logger.info("job loaded", metadata: metadata)
    }

    public func close() {
        secondSession.close()
        session.close()
    }
}

extension LoaderMessage {
    /// The dataset the message writes for; nil for the job's start and end and gold results.
    var dataset: Dataset? {
        switch self {
        case .beginFile(_, let dataset, _, _, _, _, _), .documentFailed(let dataset, _, _, _, _, _),
            .sealFile(let dataset, _, _, _):
            return dataset
        case .result(let output, _): return output.dataset
        case .startJob, .finishJob, .goldResult: return nil
        }
    }

    var fileBegin: SilverStore.FileBegin? {
        guard case .beginFile(let jobId, let dataset, let path, let date, let size, let hash, let force) = self else {
            return nil
        }
        return .init(
            dataset: dataset, path: path, ingestDate: date.description, size: size, hash: hash, jobId: jobId,
            force: force)
    }

    var fileSeal: SilverStore.FileSeal? {
        guard case .sealFile(let dataset, let path, let documentCount, let fileError) = self else { return nil }
        return .init(dataset: dataset, path: path, documentCount: documentCount, fileError: fileError)
    }
}

extension Loader.Counters {
    /// Adds what one committed transaction counted.
    mutating func add(_ d: Loader.Counters) {
        summary.absorb(d.summary)
        tasksCommitted += d.tasksCommitted
        recordsCommitted += d.recordsCommitted
    }

    mutating func count(_ outcome: SilverStore.CommitOutcome, of output: SilverTaskOutput, inputBytes: Int) {
        let key = output.dataset.rawValue
        switch outcome {
        case .committed(let merged):
            tasksCommitted += 1
            recordsCommitted += output.records
            summary.tasksCommitted += 1
            summary.uncompressedBytes += Int64(inputBytes)
            if let merged {
                summary.datasets[key, default: .init()].records += merged.records
                summary.datasets[key, default: .init()].rejected += merged.rejected
                summary.datasets[key, default: .init()].inserted += merged.inserted
                summary.datasets[key, default: .init()].updated += merged.updated
                summary.datasets[key, default: .init()].documentsMerged += 1
            }
        case .duplicate:
            summary.duplicateResults += 1
        case .documentFailed:
            break
        }
    }

    mutating func count(_ result: GoldResult) {
        summary.gold.tasks += 1
        for (table, n) in result.copies.rowCounts where GoldStore.tables(for: result.task.targets).contains(table) {
            summary.gold.rows[table, default: 0] += n
        }
    }

    mutating func countFailure(dataset: Dataset, source: String, reason: String) {
        summary.datasets[dataset.rawValue, default: .init()].documentsFailed += 1
        summary.failures.append(.init(dataset: dataset.rawValue, source: source, reason: reason))
    }
}

extension Loader {
    static func json(_ summary: JobSummary) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(summary), as: UTF8.self)
    }

    /// The counts accumulated since the last call, and a fresh start (the
    /// cluster loader sends them to the coordinator with each acknowledgement).
    public func takeDelta() -> JobSummary {
        lock.withLock {
            let delta = counters.summary
            counters.summary = JobSummary(jobId: delta.jobId, job: delta.job)
            return delta
        }
    }
}
