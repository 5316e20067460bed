import Foundation
import GHWHWarehouse
import GHWHWire
import Logging

/// `ghwh loader`: the only writer to PostgreSQL. Fetches the coordinator's
/// outbox in order, commits each entry (each task with its commit record, in
/// one transaction) on its dataset's lane (`LoaderLanes`), and only then
/// acknowledges. Re-fetched entries after a restart are harmless: commits
/// are idempotent.
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
    /// Wall times of the transactions committed since the last acknowledgement.
    private var commitSeconds: [Double] = []

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
        let lanes = LoaderLanes(
            commit: { [self] lane, entries in commitUntilDone(entries, lane: lane) },
            acknowledge: { [self] upTo, epoch in acknowledge(upTo: upTo, epoch: epoch) })
        var reach = Backoff.toCoordinator
        lanes.run(
            fetch: { after, epoch in
                do {
                    // The coordinator holds the fetch up to a second for entries (a long poll).
                    let work = try client.call(
                        FetchLoaderWork(
                            loaderId: settings.loaderId, maxBytes: settings.batchBytes, after: after, epoch: epoch),
                        timeout: 30
                    ).decode(LoaderWork.self)
                    reach.reset()
                    return .init(epoch: work.epoch, entries: work.entries)
                } catch {
                    let delay = reach.nextDelay() ?? reach.cap
                    logger.warning(
                        "cannot reach the coordinator; retrying",
                        metadata: ["delay_s": "\(delay)", "error": "\(error)"])
                    Thread.sleep(forTimeInterval: delay)
                    return nil
                }
            }, isStopped: { isStopped })
    }

    /// Commits entries in one transaction, retrying on the one `Backoff`
    /// schedule without end (whatever the error: the entries are acknowledged
    /// only once committed) and telling the coordinator, so the job shows why
    /// it waits. Its wall time (the retries' waits are not part of it) goes
    /// with the next acknowledgement. False when the loader is stopping and gave up.
    private func commitUntilDone(_ entries: [LoaderEntry], lane: Loader.Lane) -> Bool {
        var backoff = Backoff()
        while true {
            let began = Date()
            do {
                try loader.apply(entries.map(\.message), lane: lane)
                let seconds = Date().timeIntervalSince(began)
                lock.withLock { commitSeconds.append(seconds) }
                for entry in entries { if case .result = entry.message { countCommit() } }
                logger.debug(
                    "loader commit",
                    metadata: [
                        "lane": "\(lane)", "entries": "\(entries.count)", "first_seq": "\(entries[0].seq)",
                        "commit_ms": "\(Int(seconds * 1000))",
                    ])
                return true
            } catch {
                if isStopped { return false }
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

    /// Acknowledges every entry up to `seq`, with the counts and commit times since the last acknowledgement.
    private func acknowledge(upTo seq: UInt64, epoch: String) {
        let delta = loader.takeDelta()
        let commitSeconds = lock.withLock {
            defer { self.commitSeconds.removeAll() }
            return self.commitSeconds
        }
        // Without end: the entries are committed, only the coordinator must hear it.
        var backoff = Backoff.toCoordinator
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
