import Foundation
import GHWHModel
import GHWHRaw
import GHWHWarehouse
import Logging

/// The only writer to Postgres: applies planner messages and task results in
/// arrival order, one transaction each. A lost connection is retried on the
/// `reconnect` schedule before the job is failed with a clear error; nothing is
/// acknowledged before it is committed.
public final class Loader: @unchecked Sendable {
    public struct Counters: Sendable {
        public var summary: JobSummary
        public var tasksCommitted = 0
        public var recordsCommitted = 0
        /// Since the current job started (for its log line): transactions and their time.
        public var jobTransactions = 0
        public var jobCommitSeconds = 0.0
    }

    let conninfo: String
    let jobId: String
    let logger: Logger
    let reconnect: Backoff
    private var connection: PGConnection?
    private var store: SilverStore?
    private var goldStore: GoldStore?
    private let lock = NSLock()
    private var counters: Counters

    /// The warehouse's single writer takes `WriterLock` on its write session.
    public struct WriterIdentity: Sendable {
        /// Who holds the lock, for a second writer's message.
        public var holder: String
        /// Seconds to wait for another writer (0: not at all; nil: as long as it takes).
        public var wait: Double?
        /// True ends a wait early (the writer was asked to stop).
        public var cancelled: @Sendable () -> Bool
        public init(holder: String, wait: Double?, cancelled: @escaping @Sendable () -> Bool = { false }) {
            self.holder = holder
            self.wait = wait
            self.cancelled = cancelled
        }
    }

    /// Set for the loader that writes (not for a reader of planning state).
    let writer: WriterIdentity?

    public init(
        conninfo: String, jobId: String, job: String, logger: Logger, writer: WriterIdentity? = nil,
        reconnect: Backoff = Loader.reconnect
    ) {
        self.conninfo = conninfo
        self.jobId = jobId
        self.logger = logger
        self.reconnect = reconnect
        self.writer = writer
        self.counters = Counters(summary: JobSummary(jobId: jobId, job: job))
    }

    /// Reconnecting to PostgreSQL within one write (and one gold task): the
    /// one schedule, given up after 30 s of waiting so `ghwh run` and the
    /// coordinator's planning fail with the error instead of hanging through a
    /// long outage (a rerun completes the job; the cluster loader's
    /// `commitUntilDone` retries around this without end).
    public static let reconnect = Backoff(budget: 30)

    public var snapshot: Counters { lock.withLock { counters } }

    /// Applies one message; throws only when the database stays unreachable
    /// or refuses a write for a reason retrying cannot fix.
    public func apply(_ message: LoaderMessage) throws {
        try withRetry { store in try self.apply(message, store) }
    }

    /// Most messages `apply(_:)` commits in one transaction.
    public static let groupCommitMax = 32

    /// Applies messages in order in one transaction (group commit: one WAL
    /// flush for all). Each task still commits with its commit record, and
    /// all or none of them do; counters change only if the commit succeeds.
    public func apply(_ messages: [LoaderMessage]) throws {
        try withRetry { store in
            let before = lock.withLock { counters }
            let started = Date()
            do {
                try store.inOneTransaction { for message in messages { try self.apply(message, store) } }
            } catch {
                lock.withLock { counters = before }
                throw error
            }
            lock.withLock {
                counters.jobTransactions += 1
                counters.jobCommitSeconds += Date().timeIntervalSince(started)
            }
        }
    }

    private func apply(_ message: LoaderMessage, _ store: SilverStore) throws {
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
        case .beginFile(let jobId, let dataset, let path, let date, let size, let hash, let force):
            try store.beginFile(
                dataset: dataset, path: path, ingestDate: date.description, size: size,
                hash: hash, jobId: jobId, force: force)
        case .result(let commit, let inputBytes):
            let outcome = try store.commit(commit)
            lock.withLock {
                let key = commit.dataset.rawValue
                switch outcome {
                case .committed(let merged):
                    counters.tasksCommitted += 1
                    counters.recordsCommitted += commit.records
                    counters.summary.tasksCommitted += 1
                    counters.summary.uncompressedBytes += Int64(inputBytes)
                    if let merged {
                        counters.summary.datasets[key, default: .init()].records += merged.records
                        counters.summary.datasets[key, default: .init()].rejected += merged.rejected
                        counters.summary.datasets[key, default: .init()].inserted += merged.inserted
                        counters.summary.datasets[key, default: .init()].updated += merged.updated
                        counters.summary.datasets[key, default: .init()].documentsMerged += 1
                    }
                case .duplicate:
                    counters.summary.duplicateResults += 1
                case .documentFailed:
                    break
                }
            }
        case .documentFailed(let dataset, let documentId, let filePath, let source, let date, let reason):
            try store.failDocument(
                dataset: dataset, documentId: documentId, filePath: filePath,
                source: source, ingestDate: date.description, reason: reason)
            logger.error(
                "document failed: nothing of it is loaded", metadata: ["source": "\(source)", "reason": "\(reason)"])
            lock.withLock {
                counters.summary.datasets[dataset.rawValue, default: .init()].documentsFailed += 1
                counters.summary.failures.append(.init(dataset: dataset.rawValue, source: source, reason: reason))
            }
        case .goldResult(let result):
            try goldStoreForCurrentConnection().replace(
                repos: result.task.repos, targets: result.task.targets,
                copies: result.copies, marks: result.task.marks)
            lock.withLock {
                counters.summary.gold.tasks += 1
                counters.summary.gold.repos += result.task.repos.count
                for (table, n) in result.copies.rowCounts
                where GoldStore.tables(for: result.task.targets).contains(table) {
                    counters.summary.gold.rows[table, default: 0] += n
                }
            }
        case .sealFile(let dataset, let path, let documentCount, let fileError):
            try store.sealFile(dataset: dataset, path: path, documentCount: documentCount, fileError: fileError)
            if let fileError {
                logger.error("file failed", metadata: ["file": "\(path)", "reason": "\(fileError)"])
                lock.withLock {
                    counters.summary.datasets[dataset.rawValue, default: .init()].documentsFailed += 1
                    counters.summary.failures.append(.init(dataset: dataset.rawValue, source: path, reason: fileError))
                }
            }
        }
    }

    /// Runs `body` against a live store, reconnecting with backoff when the
    /// connection is lost. A transaction that failed midway rolled back, so
    /// re-applying the same message is safe (task commits are idempotent).
    func withRetry(_ body: (SilverStore) throws -> Void) throws {
        var backoff = reconnect
        while true {
            do {
                let store = try currentStore()
                try body(store)
                return
            } catch let error as PGError where error.isConnectionFailure || !(connection?.isAlive ?? false) {
                connection?.close()
                connection = nil
                store = nil
                goldStore = nil
                guard let delay = backoff.nextDelay() else {
                    throw WarehouseError("PostgreSQL unreachable after \(backoff.retries + 1) attempts: \(error)")
                }
                logger.warning(
                    "PostgreSQL connection failed; retrying",
                    metadata: [
                        "attempt": "\(backoff.retries)", "delay_s": "\(delay)", "error": "\(error)",
                    ])
                Thread.sleep(forTimeInterval: delay)
            }
        }
    }

    private func currentStore() throws -> SilverStore {
        if let store { return store }
        let c = try PGConnection(conninfo: conninfo)
        // An acknowledged commit must survive a server crash whatever the
        // server's default (bulk-load servers often run synchronous_commit = off).
        try c.execute("SET synchronous_commit = on")
        if let writer {
            do {
                try WriterLock.take(on: c, holder: writer.holder, wait: writer.wait, cancelled: writer.cancelled) {
                    [logger] busy in
                    logger.notice(
                        "waiting for the warehouse's other writer to finish",
                        metadata: ["holder": "\(busy.holder)", "since": "\(busy.since)"])
                }
            } catch {
                c.close()
                throw error
            }
        }
        let s = try SilverStore(c)
        connection = c
        store = s
        goldStore = GoldStore(c)
        return s
    }

    /// Only valid inside `withRetry` (which has just made the connection).
    private func goldStoreForCurrentConnection() throws -> GoldStore {
        _ = try currentStore()
        return goldStore!
    }

    /// Runs `body` with the gold store, reconnecting like every loader write.
    func withGoldStore<T>(_ body: (GoldStore) throws -> T) throws -> T {
        var result: T?
        try withRetry { _ in result = try body(try self.goldStoreForCurrentConnection()) }
        return result!
    }

    /// The first rejects of documents this job committed tasks for (the summary's samples).
    func rejectSamples(jobId: String, limit: Int) throws -> [JobSummary.RejectSample] {
        var samples: [SilverStore.RejectSample] = []
        try withRetry { store in samples = try store.rejectSamples(jobId: jobId, limit: limit) }
        return samples.map { .init(dataset: $0.dataset, source: $0.source, ordinal: $0.ordinal, reason: $0.reason) }
    }

    public func close() {
        // The server ends a closed session (and its locks) a moment later; the next writer
        // should not find the writer lock still held, so it is released here first.
        if writer != nil, let connection, connection.isAlive {
            _ = try? connection.query("SELECT pg_advisory_unlock_all()")
        }
        connection?.close()
        connection = nil
        store = nil
        goldStore = nil
    }
}

extension Loader {
    /// What the planner needs to skip unchanged work.
    public func warehouseState(datasets: [Dataset]) throws -> Planner.WarehouseState {
        var state = Planner.WarehouseState()
        try withRetry { store in
            for d in datasets {
                state.loadedFiles[d] = try store.loadedFiles(dataset: d)
                state.mergedDocuments.formUnion(try store.mergedDocuments(dataset: d))
                state.committedTasks.formUnion(try store.committedTasksOfOpenDocuments(dataset: d))
            }
        }
        return state
    }

    public func startJob(_ spec: JobSpec) throws {
        try withRetry {
            try $0.startJob(
                id: jobId, job: spec.job.rawValue, from: spec.dates?.lowerBound.description,
                to: spec.dates?.upperBound.description, force: spec.force)
        }
    }

    public func finishJob(_ summary: JobSummary) throws {
        let json = try Self.json(summary)
        try withRetry { try $0.finishJob(id: jobId, succeeded: summary.succeeded, summaryJSON: json) }
    }

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
