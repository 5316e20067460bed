import Foundation
import GHWHRaw
import GHWHWarehouse
import Logging

/// `ghwh run`: coordinator (planner), N workers and the loader in one process,
/// on threads of their own, handing each other tasks and results as values
/// through bounded queues. The cluster mode puts nng sockets where the queues are.
public struct LocalCluster: Sendable {
    public struct Options: Sendable {
        public var workers: Int
        /// Tasks read ahead of the workers (bounds memory: about chunkBytes each).
        public var readAhead: Int
        public var progressInterval: Double
        public init(workers: Int = ProcessInfo.processInfo.activeProcessorCount, readAhead: Int? = nil,
                    progressInterval: Double = 1) {
            self.workers = max(1, workers)
            self.readAhead = readAhead ?? max(2, workers * 2)
            self.progressInterval = progressInterval
        }
    }

    public let conninfo: String
    public let options: Options
    public let logger: Logger

    public init(conninfo: String, options: Options = .init(), logger: Logger) {
        self.conninfo = conninfo; self.options = options; self.logger = logger
    }

    /// Runs the job to the end: silver (if the job reads raw data), then gold
    /// (if it writes gold tables). The summary says what loaded, what was
    /// rejected and what failed. `progress` receives a line about once a second.
    public func run(_ spec: JobSpec, progress: (@Sendable (String) -> Void)? = nil) throws -> JobSummary {
        let jobId = Self.newJobId()
        let started = Date()
        let loader = Loader(conninfo: conninfo, jobId: jobId, job: spec.job.rawValue, logger: logger)
        defer { loader.close() }
        try loader.startJob(spec)
        let shared = SharedProgress()

        if !spec.job.datasets.isEmpty {
            let state = try loader.warehouseState(datasets: spec.job.datasets)
            let planner = Planner(spec: spec, jobId: jobId, state: state, logger: logger)
            let files = try planner.files()
            runPhase(loader: loader, shared: shared, started: started, label: spec.job.rawValue, progress: progress) { emit in
                planner.run(files: files, progress: { p in shared.update(p) }, isCancelled: { shared.fatalError != nil }) { event in
                    switch event {
                    case .task(let t): emit(.task(.silver(t)))
                    case .loader(let m): emit(.loader(m))
                    }
                }
            }
            for (dataset, n) in shared.planner.filesSkippedByDataset { loader.noteSkipped(dataset: dataset, files: n) }
        }

        let targets = spec.job.goldTargets
        if !targets.isEmpty && shared.fatalError == nil {
            let goldStarted = Date()
            let plan = try loader.withGoldStore { try $0.plan(targets: targets, full: spec.force) }
            let tasks = GoldPlanner.tasks(jobId: jobId, targets: targets, repos: plan.repos, marks: plan.marks,
                                          buckets: spec.goldBuckets)
            shared.startGold(tasks: tasks.count)
            runPhase(loader: loader, shared: shared, started: started, label: spec.job.rawValue + " gold", progress: progress) { emit in
                for task in tasks where shared.fatalError == nil { emit(.task(.gold(task))) }
            }
            loader.noteGold(seconds: Date().timeIntervalSince(goldStarted))
        }

        var summary = loader.snapshot.summary
        for d in spec.job.datasets where summary.datasets[d.rawValue] == nil { summary.datasets[d.rawValue] = .init() }
        summary.goldTargets = targets.map(\.rawValue).sorted()
        summary.seconds = Date().timeIntervalSince(started)
        summary.fatalError = shared.fatalError
        if summary.fatalError == nil {
            summary.rejectSamples = (try? loader.rejectSamples(jobId: jobId, limit: 20)) ?? []
            try? loader.finishJob(summary)
        }
        return summary
    }

    enum PhaseEvent: Sendable {
        case task(WorkerTask)
        case loader(LoaderMessage)
    }

    /// One phase: worker threads and the loader thread around a producer
    /// running on this thread; returns when everything produced is committed.
    private func runPhase(loader: Loader, shared: SharedProgress, started: Date, label: String,
                          progress: (@Sendable (String) -> Void)?, produce: ((PhaseEvent) -> Void) -> Void) {
        let tasks = BlockingQueue<WorkerTask>(capacity: options.readAhead)
        // Results are small (COPY text); room for a group commit's worth.
        let toLoader = BlockingQueue<LoaderMessage>(capacity: max(Loader.groupCommitMax, options.readAhead + options.workers))
        let done = DispatchGroup()
        let conninfo = self.conninfo

        for index in 0..<options.workers {
            done.enter()
            let silver = SilverWorker(name: "local-\(index)")
            let gold = GoldWorker(name: "local-\(index)")
            Self.startThread(name: "ghwh-worker-\(index)") {
                var goldStore: GoldStore?  // a read connection, opened on first gold task
                while let task = tasks.pop() {
                    switch task {
                    case .silver(let t):
                        toLoader.push(silver.run(t).loaderMessage(for: t))
                    case .gold(let t):
                        do {
                            if goldStore == nil { goldStore = GoldStore(try PGConnection(conninfo: conninfo)) }
                            toLoader.push(.goldResult(try gold.run(t, store: goldStore!)))
                        } catch {
                            shared.fail("gold task \(t.taskId) (repos \(t.repos.prefix(3).joined(separator: ", "))...): \(error)")
                            goldStore = nil
                        }
                    }
                }
                done.leave()
            }
        }
        let loaderDone = DispatchSemaphore(value: 0)
        Self.startThread(name: "ghwh-loader") {
            // Whatever has queued up commits together (one WAL flush).
            while case let messages = toLoader.popBatch(max: Loader.groupCommitMax), !messages.isEmpty {
                do { try loader.apply(messages) } catch {
                    shared.fail("\(error)")
                    tasks.close(); toLoader.close()
                }
            }
            loaderDone.signal()
        }
        let reporterStop = DispatchSemaphore(value: 0)
        let reporterDone = DispatchSemaphore(value: 0)
        let interval = options.progressInterval
        if let progress {
            Self.startThread(name: "ghwh-progress") {
                while reporterStop.wait(timeout: .now() + interval) == .timedOut {
                    progress(shared.line(loader: loader.snapshot, started: started, job: label))
                }
                reporterDone.signal()
            }
        }

        produce { event in
            switch event {
            case .task(let t): tasks.push(t)
            case .loader(let m): toLoader.push(m)
            }
        }
        tasks.close()
        done.wait()
        toLoader.close()
        loaderDone.wait()
        if let progress {
            reporterStop.signal(); reporterDone.wait()
            progress(shared.line(loader: loader.snapshot, started: started, job: label, final: true))
        }
    }

    static func newJobId() -> String {
        let f = DateFormatter()
        f.dateFormat = "yyyyMMdd-HHmmss"
        f.timeZone = TimeZone(identifier: "UTC")
        return "job-\(f.string(from: Date()))-\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
    }

    static func startThread(name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread(block: body)
        thread.name = name
        thread.stackSize = 8 << 20
        thread.start()
    }
}

/// Counters shared by the planner, the progress line and the final summary.
final class SharedProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var _planner = Planner.Progress()
    private var _fatal: String?
    private var _goldTasks: Int?

    var planner: Planner.Progress { lock.withLock { _planner } }
    var fatalError: String? { lock.withLock { _fatal } }
    func update(_ p: Planner.Progress) { lock.withLock { _planner = p } }
    func fail(_ message: String) { lock.withLock { if _fatal == nil { _fatal = message } } }
    func startGold(tasks: Int) { lock.withLock { _goldTasks = tasks } }

    func line(loader: Loader.Counters, started: Date, job: String, final: Bool = false) -> String {
        if let goldTasks = lock.withLock({ _goldTasks }) {
            let elapsed = Date().timeIntervalSince(started)
            return "[\(job)] gold tasks \(loader.summary.gold.tasks)/\(goldTasks) | repos \(loader.summary.gold.repos)"
                + " | failed \(loader.summary.failures.count) | \(final ? "done in \(Self.duration(elapsed))" : "elapsed \(Self.duration(elapsed))")"
        }
        let p = planner
        let elapsed = max(0.001, Date().timeIntervalSince(started))
        let mbps = Double(loader.summary.uncompressedBytes) / 1_000_000 / elapsed
        var eta = "--"
        if p.compressedBytesTotal > 0, p.compressedBytesDone > 0 {
            let fraction = Double(p.compressedBytesDone) / Double(p.compressedBytesTotal)
            let remaining = elapsed / fraction - elapsed
            eta = fraction >= 1 ? "0s" : Self.duration(remaining)
        }
        let rejected = loader.summary.datasets.values.reduce(0) { $0 + $1.rejected }
        return "[\(job)] files \(p.filesPlanned + p.filesSkipped)/\(p.filesTotal) (\(p.filesSkipped) unchanged)"
            + " | tasks \(loader.tasksCommitted)/\(p.tasks) | records \(loader.recordsCommitted)"
            + " | \(String(format: "%.1f", mbps)) MB/s | rejected \(rejected)"
            + " | failed \(loader.summary.failures.count) | \(final ? "done in \(Self.duration(elapsed))" : "ETA \(eta)")"
    }

    static func duration(_ s: Double) -> String {
        let t = Int(s.rounded())
        return t >= 3600 ? String(format: "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60)
            : t >= 60 ? String(format: "%d:%02d", t / 60, t % 60) : "\(t)s"
    }
}
