import Foundation
import GHWHRaw
import GHWHWarehouse
import Logging

/// `ghwh run`: the cluster in one process, as Spark's local mode runs the
/// real master and executors. The job runs through the same `JobDriver` and
/// `ClusterState` as the coordinator; N worker threads and one loader thread
/// poll the scheduler directly and hand tasks and results over as values
/// (no sockets, no framing).
public struct LocalCluster: Sendable {
    public struct Options: Sendable {
        public var workers: Int
        /// Tasks read ahead of the workers (bounds memory: up to a chunk each, the
        /// compressed bytes of a whole document or a chunk of records). One per two
        /// workers: a whole document's task is only read, not inflated, so the planner
        /// refills the queue long before a worker needs it. On the 2 GB zip corpus with
        /// 128 MB documents, 1 instead of 2 gave local peak RSS 230-245 MB instead of
        /// 253-261 MB, and no slower runs (zip and mixed corpora, interleaved).
        public var readAhead: Int
        public var progressInterval: Double
        /// Seconds to wait for the warehouse's other writer (another `ghwh run`, a cluster loader); 0: fail at once.
        public var writerWait: Double = 300
        /// The scheduler's heartbeat timeout (its cluster default); tests shorten it.
        public var workerTimeout: Double = ClusterState.Settings().workerTimeout
        public init(
            workers: Int = ProcessInfo.processInfo.activeProcessorCount, readAhead: Int? = nil,
            progressInterval: Double = 1
        ) {
            self.workers = max(1, workers)
            self.readAhead = readAhead ?? max(1, workers / 2)
            self.progressInterval = progressInterval
        }
    }

    public let conninfo: String
    public let options: Options
    public let logger: Logger
    /// Lets another thread stop the running job (Ctrl-C on `ghwh run`).
    public let control = Control()

    public init(conninfo: String, options: Options = .init(), logger: Logger) {
        self.conninfo = conninfo
        self.options = options
        self.logger = logger
    }

    /// Stops the job that runs now: no new task starts; what is committed stays, a rerun completes the rest.
    public final class Control: @unchecked Sendable {
        private let lock = NSLock()
        private var scheduler: Scheduler?
        private var pending: String?

        public init() {}

        public func interrupt(_ reason: String) {
            let s = lock.withLock { () -> Scheduler? in
                if scheduler == nil { pending = reason }
                return scheduler
            }
            s?.perform { state, _ in state.stopJob(reason) }
        }

        fileprivate func attach(_ s: Scheduler?) {
            let reason = lock.withLock { () -> String? in
                scheduler = s
                defer { pending = nil }
                return pending
            }
            if let reason { s?.perform { state, _ in state.stopJob(reason) } }
        }
    }

    /// Runs the job to the end: silver (if the job reads raw data), then gold
    /// (if it writes gold tables). The summary says what loaded, what was
    /// rejected and what failed. `progress` receives a line about once a second.
    public func run(_ spec: JobSpec, progress: (@Sendable (String) -> Void)? = nil) throws -> JobSummary {
        let job = JobRun(id: Self.newJobId(), spec: spec)
        // The warehouse's writer before anything is planned: another writer (a `ghwh run`
        // started by an overlapping cron, a cluster loader) is waited for or named, and
        // the plan reads the warehouse as that writer left it.
        let holder = "ghwh run \(job.id) (pid \(getpid()) on \(ProcessInfo.processInfo.hostName))"
        let writer = Loader(
            conninfo: conninfo, jobId: job.id, job: spec.job.rawValue, logger: logger,
            writer: .init(holder: holder, wait: options.writerWait))
        do { try writer.connect() } catch {
            writer.close()
            throw error
        }
        var settings = ClusterState.Settings()
        settings.readAhead = options.readAhead
        settings.workerTimeout = options.workerTimeout
        let scheduler = Scheduler(settings: settings, epoch: "local-\(job.id)", logger: logger)
        control.attach(scheduler)
        defer { control.attach(nil) }

        let stop = StopFlag()
        // Ticks until every role thread ended: a poll made after `cancelPolls` below still gets its empty answer.
        let ticking = StopFlag()
        defer { ticking.set() }
        scheduler.startTicking(until: ticking)
        let threads = DispatchGroup()
        for index in 0..<options.workers {
            let worker = InProcessWorker(
                name: "local-\(index)", scheduler: scheduler, conninfo: conninfo, logger: logger)
            Self.startThread(name: "ghwh-worker-\(index)", group: threads) { worker.run(until: stop) }
        }
        let loader = InProcessLoader(scheduler: scheduler, job: job, loader: writer, logger: logger)
        Self.startThread(name: "ghwh-loader", group: threads) { loader.run(until: stop) }
        let reporter = progress.map {
            ProgressReporter(job: job, scheduler: scheduler, interval: options.progressInterval, emit: $0)
        }
        if let reporter { Self.startThread(name: "ghwh-progress", group: threads) { reporter.run(until: stop) } }

        var driver = JobDriver(scheduler: scheduler, conninfo: conninfo, logger: logger)
        if let reporter { driver.phaseEnded = { phase in reporter.emit(reporter.line(phase: phase, final: true)) } }
        driver.run(job)

        stop.set()
        scheduler.perform { state, _ in state.cancelPolls() }
        threads.wait()
        return job.read { $0.summary }
    }

    public static func newJobId() -> String {
        let f = DateFormatter()
        f.dateFormat = "yyyyMMdd-HHmmss"
        f.timeZone = TimeZone(identifier: "UTC")
        return "job-\(f.string(from: Date()))-\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
    }

    static func startThread(name: String, group: DispatchGroup? = nil, _ body: @escaping @Sendable () -> Void) {
        group?.enter()
        let thread = Thread {
            body()
            group?.leave()
        }
        thread.name = name
        thread.stackSize = 8 << 20
        thread.start()
    }
}

/// Set once when the job driver is done: the in-process roles stop polling.
/// Threads that work every period wait on it (`wait(upTo:)`), so they end
/// when it is set rather than at the end of their period.
final class StopFlag: @unchecked Sendable {
    private let condition = NSCondition()
    private var value = false

    func set() {
        condition.lock()
        value = true
        condition.broadcast()
        condition.unlock()
    }

    var isSet: Bool {
        condition.lock()
        defer { condition.unlock() }
        return value
    }

    /// Waits until the flag is set or `seconds` have passed; returns whether it is set.
    func wait(upTo seconds: Double) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date().addingTimeInterval(seconds)
        while !value && condition.wait(until: deadline) {}
        return value
    }
}

/// A worker thread of `ghwh run`: the same lease/result/failure events as a
/// worker process, without the wire.
struct InProcessWorker: Sendable {
    let name: String
    let scheduler: Scheduler
    let conninfo: String
    let logger: Logger

    func run(until stop: StopFlag) {
        let incarnation = UUID().uuidString
        let silver = SilverTaskRunner(name: name)
        let gold = GoldWorker(name: name)
        var goldStore: GoldStore?  // a read connection, opened on the first gold task
        let register = {
            scheduler.perform { state, now in
                state.register(
                    worker: name, incarnation: incarnation, host: "local", cores: 1, expires: false, now: now)
            }
        }
        register()
        while !stop.isSet {
            let answer = scheduler.pollAndWait { state, poll, now in
                state.requestTask(poll: poll, worker: name, incarnation: incarnation, deadline: now + 1, now: now)
            }
            if case .noTask(_, unknownWorker: true) = answer {
                register()  // as a worker process does; never a busy loop
                continue
            }
            guard case .assign(_, let task, let attempt) = answer else { continue }
            do {
                let result: WorkerResult
                switch task {
                case .silver(let t):
                    // A whole document's chunks before its last go to the loader as they are cut.
                    let last = silver.result(of: t) { part in
                        scheduler.perform { state, now in
                            let r = state.result(
                                part, worker: name, incarnation: incarnation, attempt: attempt, now: now)
                            return (r.accepted, r.actions)
                        }
                    }
                    guard let last else { continue }  // the lease is gone (the job stopped)
                    result = last
                case .silverGroup(let g): result = silver.result(of: g)
                case .gold(let t):
                    result = .gold(try gold.run(t, conninfo: conninfo, store: &goldStore, logger: logger))
                }
                scheduler.perform { state, now in
                    let r = state.result(result, worker: name, incarnation: incarnation, attempt: attempt, now: now)
                    return ((), r.actions)
                }
            } catch {
                goldStore = nil
                scheduler.perform { state, now in
                    state.failure(
                        task: task.taskId, worker: name, incarnation: incarnation, attempt: attempt, error: "\(error)",
                        now: now)
                }
            }
        }
    }
}

/// The loader of `ghwh run`: drains the outbox in order, commits in groups on
/// its two lanes (`LoaderLanes`), acknowledges, and adds the commits' counts
/// to the job's summary.
/// A write that fails after the loader's retries stops the job (a rerun
/// completes it); the entries of a stopped job are still tried, so the job's
/// final record lands whenever the database allows.
struct InProcessLoader: Sendable {
    let scheduler: Scheduler
    let job: JobRun
    /// Connected, and holding the warehouse's writer lock.
    let loader: Loader
    let logger: Logger

    func run(until stop: StopFlag) {
        defer { loader.close() }
        // Then nothing of this job may be written: its entries are dropped.
        let anotherWriter = StopFlag()
        let lanes = LoaderLanes(
            commit: { [loader, logger, scheduler] lane, entries in
                guard !anotherWriter.isSet else { return true }
                do { try loader.apply(entries.map(\.message), lane: lane) } catch {
                    if error is WriterLock.Busy { anotherWriter.set() }
                    logger.error("cannot commit; the job stops (a rerun completes it)", metadata: ["error": "\(error)"])
                    scheduler.perform { state, _ in state.stopJob("\(error)") }
                }
                return true
            },
            acknowledge: { [loader, job, scheduler] upTo, epoch in
                let delta = loader.takeDelta()
                job.update { $0.summary.absorb(delta) }
                scheduler.perform { state, now in
                    let r = state.loaderAck(epoch: epoch, upTo: upTo, now: now)
                    return ((), r.actions)
                }
            })
        let epoch = scheduler.read { $0.epoch }
        lanes.run(
            fetch: { [scheduler] after, _ in
                let answer = scheduler.pollAndWait { state, poll, now in
                    state.loaderFetch(poll: poll, maxBytes: 16 << 20, after: after ?? 0, deadline: now + 1, now: now)
                }
                guard case .loaderWork(_, let entries) = answer else { return nil }
                return .init(epoch: epoch, entries: entries)
            }, isStopped: { stop.isSet })
    }
}

/// `ghwh run`'s progress line, about once per interval, from the job's run and the state.
final class ProgressReporter: @unchecked Sendable {
    let job: JobRun
    let scheduler: Scheduler
    let interval: Double
    let emit: @Sendable (String) -> Void
    private let label: String

    init(job: JobRun, scheduler: Scheduler, interval: Double, emit: @escaping @Sendable (String) -> Void) {
        self.job = job
        self.scheduler = scheduler
        self.interval = interval
        self.emit = emit
        label = job.spec.job.rawValue
    }

    func run(until stop: StopFlag) {
        while !stop.wait(upTo: interval) { emit(line(final: false)) }
    }

    func line(final: Bool) -> String { line(phase: job.read { $0.phase }, final: final) }

    /// The progress line of `phase` (`silver` or `gold`); `final`: the phase ended.
    func line(phase: String, final: Bool) -> String {
        let f = job.read { $0 }
        let progress = scheduler.read { $0.job }
        let elapsed = max(0.001, Date().timeIntervalSince(f.started ?? Date()))
        let ending = final ? "done in \(Self.duration(elapsed))" : eta(f, elapsed: elapsed).text
        if phase == "gold" {
            return "[\(label) gold] gold tasks \(f.summary.gold.tasks)/\(f.goldTasks) | repos \(f.summary.gold.repos)"
                + " | failed \(f.summary.failures.count) | \(final ? ending : "elapsed \(Self.duration(elapsed))")"
        }
        let p = f.planner
        let mbps = Double(f.summary.uncompressedBytes) / 1_000_000 / elapsed
        let rejected = f.summary.datasets.values.reduce(0) { $0 + $1.rejected }
        return "[\(label)] files \(p.filesPlanned + p.filesSkipped)/\(p.filesTotal) (\(p.filesSkipped) unchanged)"
            + " | tasks \(progress?.committed ?? f.summary.tasksCommitted)/\(progress?.planned ?? p.tasks)"
            + " | records \(progress?.recordsCommitted ?? 0)"
            + " | \(String(format: "%.1f", mbps)) MB/s | rejected \(rejected)"
            + " | failed \(f.summary.failures.count) | \(ending)"
    }

    private func eta(_ f: JobRun.Fields, elapsed: Double) -> JobETA {
        let progress = scheduler.read { $0.job }
        let now = scheduler.now()
        let lastProgress = progress?.lastProgressAt ?? f.started?.timeIntervalSince1970 ?? now
        return JobETA.estimate(
            elapsed: elapsed, bytesPlanned: f.planner.compressedBytesDone,
            bytesTotal: f.planner.compressedBytesTotal,
            tasksCommitted: progress?.committed ?? 0, tasksPlanned: progress?.planned ?? 0,
            secondsSinceProgress: now - lastProgress)
    }

    static func duration(_ s: Double) -> String { JobETA.duration(s) }
}
