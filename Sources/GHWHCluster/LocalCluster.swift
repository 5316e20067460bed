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

    /// Runs the job to the end; the summary says what loaded, what was
    /// rejected and what failed. `progress` receives a line about once a second.
    public func run(_ spec: JobSpec, progress: (@Sendable (String) -> Void)? = nil) throws -> JobSummary {
        let jobId = Self.newJobId()
        let started = Date()
        let loader = Loader(conninfo: conninfo, jobId: jobId, job: spec.job.rawValue, logger: logger)
        defer { loader.close() }
        try loader.startJob(spec)
        let state = try loader.warehouseState(datasets: spec.job.datasets)
        let planner = Planner(spec: spec, jobId: jobId, state: state, logger: logger)
        let files = try planner.files()

        let tasks = BlockingQueue<SilverTask>(capacity: options.readAhead)
        let toLoader = BlockingQueue<LoaderMessage>(capacity: options.readAhead + options.workers)
        let shared = SharedProgress()
        let done = DispatchGroup()

        // Workers: transform tasks into COPY-encoded results.
        for index in 0..<options.workers {
            done.enter()
            let worker = SilverWorker(name: "local-\(index)")
            Self.startThread(name: "ghwh-worker-\(index)") {
                while let task = tasks.pop() {
                    let bytes = task.records.byteCount
                    toLoader.push(.result(worker.run(task), inputBytes: bytes))
                }
                done.leave()
            }
        }
        // Loader: the only writer; a fatal error cancels planning.
        let loaderDone = DispatchSemaphore(value: 0)
        Self.startThread(name: "ghwh-loader") {
            while let message = toLoader.pop() {
                do { try loader.apply(message) } catch {
                    shared.fail("\(error)")
                    tasks.close(); toLoader.close()
                }
            }
            loaderDone.signal()
        }
        // Progress line.
        let reporterStop = DispatchSemaphore(value: 0)
        let reporterDone = DispatchSemaphore(value: 0)
        if let progress {
            Self.startThread(name: "ghwh-progress") {
                while reporterStop.wait(timeout: .now() + options.progressInterval) == .timedOut {
                    progress(shared.line(loader: loader.snapshot, started: started, job: spec.job.rawValue))
                }
                reporterDone.signal()
            }
        }

        // Planner on this thread.
        planner.run(files: files, progress: { p in shared.update(p) }, isCancelled: { shared.fatalError != nil }) { event in
            switch event {
            case .task(let t): tasks.push(t)
            case .loader(let m): toLoader.push(m)
            }
        }
        tasks.close()
        done.wait()
        toLoader.close()
        loaderDone.wait()
        if progress != nil { reporterStop.signal(); reporterDone.wait() }

        for (dataset, n) in shared.planner.filesSkippedByDataset { loader.noteSkipped(dataset: dataset, files: n) }
        var summary = loader.snapshot.summary
        for d in spec.job.datasets where summary.datasets[d.rawValue] == nil { summary.datasets[d.rawValue] = .init() }
        summary.seconds = Date().timeIntervalSince(started)
        summary.fatalError = shared.fatalError
        if summary.fatalError == nil {
            summary.rejectSamples = (try? loader.rejectSamples(limit: 20)) ?? []
            try? loader.finishJob(summary)
        }
        if let progress { progress(shared.line(loader: loader.snapshot, started: started, job: spec.job.rawValue, final: true)) }
        return summary
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

    var planner: Planner.Progress { lock.withLock { _planner } }
    var fatalError: String? { lock.withLock { _fatal } }
    func update(_ p: Planner.Progress) { lock.withLock { _planner = p } }
    func fail(_ message: String) { lock.withLock { if _fatal == nil { _fatal = message } } }

    func line(loader: Loader.Counters, started: Date, job: String, final: Bool = false) -> String {
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
