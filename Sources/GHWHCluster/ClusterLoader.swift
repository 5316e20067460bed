import Foundation
import GHWHWarehouse
import GHWHWire
import Logging

/// `ghwh loader`: the only writer to PostgreSQL. Fetches the coordinator's
/// outbox in order, commits each entry (each task with its commit record, in
/// one transaction), and only then acknowledges. Re-fetched entries after a
/// restart are harmless: commits are idempotent.
public final class ClusterLoader: @unchecked Sendable {
    public struct Settings: Sendable {
        public var endpoint: ClusterEndpoint
        public var loaderId: String
        public var conninfo: String
        public var batchBytes = 16 << 20
        /// Fault injection for tests: exit abruptly after committing N task results, before acknowledging.
        public var exitAfterCommits: Int?
        public init(endpoint: ClusterEndpoint, loaderId: String, conninfo: String) {
            self.endpoint = endpoint
            self.loaderId = loaderId
            self.conninfo = conninfo
        }
    }

    let settings: Settings
    let logger: Logger
    let client: RequestClient
    let loader: Loader
    private let lock = NSLock()
    private var stopped = false
    /// Ends a wait for the warehouse's writer lock when the loader is asked to stop.
    private let stopFlag: StopFlag
    private var commits = 0

    public init(settings: Settings, logger: Logger) throws {
        self.settings = settings
        self.logger = logger
        client = try settings.endpoint.client(senderId: settings.loaderId, callTimeout: 30)
        let stopped = StopFlag()
        self.stopFlag = stopped
        let holder = "ghwh loader \(settings.loaderId) (pid \(getpid()) on \(ProcessInfo.processInfo.hostName))"
        loader = Loader(
            conninfo: settings.conninfo, jobId: "cluster", job: "cluster", logger: logger,
            writer: .init(holder: holder, wait: nil, cancelled: { stopped.isSet }))
    }

    /// Asks the loader to stop: the transaction in progress finishes (and is
    /// acknowledged), then `run` returns. Unacknowledged entries stay in the
    /// coordinator's outbox for the next loader.
    public func stop() {
        let first = lock.withLock { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        stopFlag.set()
        if first { logger.notice("stopping: finishing the transaction in progress") }
    }
    private var isStopped: Bool { lock.withLock { stopped } }

    public func run() {
        defer {
            loader.close()  // gives the writer lock back before the process ends
            logger.notice("loader stopped", metadata: ["commits": "\(commits)"])
        }
        // The warehouse's writer from the start: connect (and take the writer lock, waiting for another writer) now.
        do { try loader.connect() } catch {
            logger.error("cannot open the warehouse; retrying with the first batch", metadata: ["error": "\(error)"])
        }
        var reach = Backoff.toCoordinator
        while !isStopped {
            let work: LoaderWork
            let asked = Date()
            do {
                work = try client.call(
                    FetchLoaderWork(loaderId: settings.loaderId, maxBytes: settings.batchBytes),
                    timeout: 30
                ).decode(LoaderWork.self)
                reach.reset()
            } catch {
                let delay = reach.nextDelay() ?? reach.cap
                logger.warning(
                    "cannot reach the coordinator; retrying", metadata: ["delay_s": "\(delay)", "error": "\(error)"])
                Thread.sleep(forTimeInterval: delay)
                continue
            }
            // The coordinator holds the fetch up to a second for entries (a long poll).
            guard !work.entries.isEmpty else { continue }
            let fetched = Date()
            // The batch commits in groups (one WAL flush each), then is acknowledged.
            var lastCommitted: UInt64?
            var commitSeconds: [Double] = []
            let messages = work.entries.map(\.message)
            steps: for step in LoaderBatching.commitSteps(messages, sizes: messages.map(\.byteCount)) {
                switch step {
                case .transaction(let group):
                    guard let seconds = commitUntilDone(group.map { work.entries[$0] }) else { break steps }
                    commitSeconds.append(seconds)
                    lastCommitted = work.entries[group.last!].seq
                case .sideBySide(let issues, let pullRequests):
                    let entries = work.entries
                    let (main, second) = loader.inTwoLanes(
                        { commitInOrder(issues.map { $0.map { entries[$0] } }, lane: .main) },
                        { [self] in commitInOrder(pullRequests.map { $0.map { entries[$0] } }, lane: .second) })
                    guard let main, let second else { break steps }
                    commitSeconds += main + second
                    lastCommitted = work.entries[max(issues.last!.last!, pullRequests.last!.last!)].seq
                }
            }
            let committed = Date()
            guard let upTo = lastCommitted else { continue }
            acknowledge(upTo: upTo, epoch: work.epoch, delta: loader.takeDelta(), commitSeconds: commitSeconds)
            logger.debug(
                "loader batch",
                metadata: [
                    "entries": "\(work.entries.count)",
                    "wait_ms": "\(Int(fetched.timeIntervalSince(asked) * 1000))",
                    "commit_ms": "\(Int(committed.timeIntervalSince(fetched) * 1000))",
                    "ack_ms": "\(Int(Date().timeIntervalSince(committed) * 1000))",
                ])
        }
    }

    /// Commits entries in one transaction, retrying on the one `Backoff`
    /// schedule without end (whatever the error: the entries are acknowledged
    /// only once committed) and telling the coordinator, so the job shows why
    /// it waits. Returns the successful transaction's wall time (the retries'
    /// waits are not part of it); nil when the loader is stopping and gave up.
    private func commitUntilDone(_ entries: [LoaderEntry], lane: Loader.Lane = .main) -> Double? {
        var backoff = Backoff()
        while true {
            let began = Date()
            do {
                try loader.apply(entries.map(\.message), lane: lane)
                let seconds = Date().timeIntervalSince(began)
                for entry in entries { if case .result = entry.message { countCommit() } }
                return seconds
            } catch {
                if isStopped { return nil }
                logger.error(
                    "cannot commit; will retry",
                    metadata: [
                        "seq": "\(entries.first?.seq ?? 0)...\(entries.last?.seq ?? 0)",
                        "error": "\(error)",
                    ])
                _ = try? client.call(ReportLoaderError(loaderId: settings.loaderId, message: "\(error)"))
                Thread.sleep(forTimeInterval: backoff.nextDelay() ?? backoff.cap)
            }
        }
    }

    /// One lane's transactions in order (`commitUntilDone` each); nil when the loader is stopping.
    private func commitInOrder(_ groups: [[LoaderEntry]], lane: Loader.Lane) -> [Double]? {
        var seconds: [Double] = []
        for group in groups {
            guard let s = commitUntilDone(group, lane: lane) else { return nil }
            seconds.append(s)
        }
        return seconds
    }

    private func countCommit() {
        // Both lanes count.
        let commits = lock.withLock {
            self.commits += 1
            return self.commits
        }
        if let limit = settings.exitAfterCommits, commits >= limit {
            logger.critical(
                "fault injection: exiting abruptly before acknowledging", metadata: ["commits": "\(commits)"])
            _exit(137)
        }
    }

    private func acknowledge(upTo seq: UInt64, epoch: String, delta: JobSummary, commitSeconds: [Double]) {
        var backoff = Backoff.toCoordinator  // without end: the batch is committed, only the coordinator must hear it
        while true {
            do {
                _ = try client.call(
                    AckLoaderWork(
                        loaderId: settings.loaderId, epoch: epoch, upToSeq: seq, delta: delta,
                        commitSeconds: commitSeconds)
                ).decode(Ack.self)
                return
            } catch {
                if isStopped { return }  // the coordinator re-sends it to the next loader; commits are idempotent
                logger.warning("cannot acknowledge; retrying", metadata: ["error": "\(error)"])
                Thread.sleep(forTimeInterval: backoff.nextDelay() ?? backoff.cap)
            }
        }
    }
}
