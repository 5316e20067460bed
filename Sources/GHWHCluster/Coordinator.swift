import Foundation
import GHWHRaw
import GHWHWarehouse
import GHWHWire
import Logging

/// Connection settings every cluster role shares.
public struct ClusterEndpoint: Sendable {
    public var url: String
    public var secret: ClusterSecret
    public var limits: FrameLimits
    public var tls: TLSConfig?
    public init(url: String, secret: ClusterSecret, limits: FrameLimits = FrameLimits(), tls: TLSConfig? = nil) {
        self.url = url; self.secret = secret; self.limits = limits; self.tls = tls
    }

    /// A client of the coordinator at this endpoint. REQ re-sends are pushed
    /// out to 10 minutes: the roles retry themselves, and handlers that take
    /// a while (long polls) should not see the same request twice.
    func client(senderId: String, callTimeout: Double) throws -> RequestClient {
        try RequestClient(url: url, secret: secret, limits: limits, senderId: senderId,
                          options: RequestClientOptions(resendTime: 600, callTimeout: callTimeout, tls: tls))
    }
}

/// The master: plans submitted jobs into tasks, leases them to workers that
/// ask, re-queues the tasks of workers that stop heartbeating, and keeps the
/// ordered outbox the loader commits. It reads the warehouse (to skip
/// unchanged work and to plan gold) but never writes it.
public final class Coordinator: @unchecked Sendable {
    public struct Settings: Sendable {
        public var endpoint: ClusterEndpoint
        public var rawRoot: String?
        /// Read-only use: planning state and gold plans.
        public var conninfo: String
        public var chunkBytes = 16 << 20
        public var goldBuckets = 16
        public var heartbeatInterval: Double = 5
        public var scheduler = Scheduler.Settings()
        /// Request threads: workers' task requests and the loader's fetches
        /// are long polls (up to 1 s), so allow for every core of every worker.
        public var serverThreads = 64
        public init(endpoint: ClusterEndpoint, rawRoot: String?, conninfo: String) {
            self.endpoint = endpoint; self.rawRoot = rawRoot; self.conninfo = conninfo
        }
    }

    final class JobRecord: @unchecked Sendable {
        let id: String
        let spec: JobSpec
        var state: JobStatus.State = .queued
        var phase = "queued"
        var summary: JobSummary
        var planner = Planner.Progress()
        var goldTasks = 0
        var started: Date?
        var finished: Date?
        var error: String?
        var killed = false
        let submitted = Date()
        init(id: String, spec: JobSpec) {
            self.id = id; self.spec = spec; summary = JobSummary(jobId: id, job: spec.job.rawValue)
        }
    }

    let settings: Settings
    let logger: Logger
    let scheduler: Scheduler
    /// Distinguishes this process's outbox sequence numbers from a previous one's.
    let epoch = UUID().uuidString
    private let lock = NSLock()
    private var jobs: [String: JobRecord] = [:]
    private var queue: [JobRecord] = []
    private var current: JobRecord?
    private let jobSignal = DispatchSemaphore(value: 0)
    /// Broadcast whenever a job ends (status long polls wait on it).
    private let jobEnded = NSCondition()
    private var server: RequestServer?
    private var stopped = false

    public init(settings: Settings, logger: Logger) {
        self.settings = settings
        self.logger = logger
        self.scheduler = Scheduler(settings: settings.scheduler)
    }

    /// Binds the socket and starts the job runner and the liveness monitor.
    public func start() throws {
        server = try RequestServer(
            url: settings.endpoint.url, secret: settings.endpoint.secret, limits: settings.endpoint.limits,
            threads: settings.serverThreads, senderId: "coordinator", tls: settings.endpoint.tls,
            onRejected: { [logger] reason in logger.warning("refused a message", metadata: ["reason": "\(reason)"]) },
            partsHandler: { [unowned self] envelope in try self.handle(envelope) })
        LocalCluster.startThread(name: "ghwh-jobs") { [unowned self] in self.runJobs() }
        LocalCluster.startThread(name: "ghwh-monitor") { [unowned self] in self.monitor() }
        logger.notice("coordinator listening", metadata: ["url": "\(settings.endpoint.url)",
                                                          "secret": "\(settings.endpoint.secret.isInsecure ? "none (insecure)" : "set")"])
    }

    public var boundPort: Int? { server?.boundPort }

    /// Hooks for metrics; set before `start()`.
    public func observe(taskFinished: @escaping @Sendable (_ kind: String, _ seconds: Double, _ records: Int, _ bytes: Int64, _ rejects: Int) -> Void,
                        loaderCommit: @escaping @Sendable (_ seconds: Double) -> Void) {
        scheduler.onTaskFinished = taskFinished
        scheduler.onLoaderCommit = loaderCommit
    }

    public func stop() {
        lock.withLock { stopped = true }
        scheduler.stopJob("coordinator stopping")
        jobSignal.signal()
        server?.close()
    }

    // MARK: - Requests

    func handle(_ envelope: Envelope) throws -> (UInt16, WirePayload) {
        func reply<M: WireMessage>(_ m: M) -> (UInt16, WirePayload) { (M.typeCode, m.encodedPayload()) }
        guard let type = MessageType(rawValue: envelope.type) else { throw WireError.unexpectedType(envelope.type) }
        switch type {
        case .registerWorker:
            let m = try envelope.decode(RegisterWorker.self)
            scheduler.register(m)
            logger.notice("worker registered", metadata: ["worker": "\(m.workerId)", "host": "\(m.host)", "cores": "\(m.cores)"])
            return reply(Registered(heartbeatInterval: settings.heartbeatInterval, workerTimeout: settings.scheduler.workerTimeout))
        case .heartbeat:
            return reply(HeartbeatReply(known: scheduler.heartbeat(try envelope.decode(Heartbeat.self))))
        case .requestTask:
            let m = try envelope.decode(RequestTask.self)
            guard scheduler.aliveWorkers.contains(where: { $0.id == m.workerId }) else {
                return reply(TaskAssignment(task: nil, attempt: 0, unknownWorker: true))
            }
            let asked = Date()
            if let (task, attempt) = scheduler.nextTask(for: m.workerId, wait: 1) {
                let leased = Date()
                let r = reply(TaskAssignment(task: task, attempt: attempt))
                logger.debug("task leased", metadata: ["task": "\(task.taskId)", "worker": "\(m.workerId)", "attempt": "\(attempt)",
                                                       "wait_ms": "\(Int(leased.timeIntervalSince(asked) * 1000))",
                                                       "encode_ms": "\(Int(Date().timeIntervalSince(leased) * 1000))"])
                return r
            }
            return reply(TaskAssignment(task: nil, attempt: 0))
        case .submitResult:
            let m = try envelope.decode(SubmitResult.self)
            let accepted = scheduler.accept(m.result, from: m.workerId)
            if !accepted { logger.info("discarded a duplicate result", metadata: ["task": "\(m.result.taskId)", "worker": "\(m.workerId)"]) }
            return reply(Ack(accepted, accepted ? "" : "duplicate result discarded"))
        case .reportTaskFailure:
            let m = try envelope.decode(ReportTaskFailure.self)
            logger.warning("task failed", metadata: ["task": "\(m.taskId)", "worker": "\(m.workerId)", "attempt": "\(m.attempt)", "error": "\(m.error)"])
            scheduler.fail(taskId: m.taskId, attempt: m.attempt, error: m.error)
            return reply(Ack())
        case .fetchLoaderWork:
            let m = try envelope.decode(FetchLoaderWork.self)
            return reply(LoaderWork(epoch: epoch, entries: scheduler.loaderBatch(maxBytes: max(1 << 16, m.maxBytes), wait: 1)))
        case .ackLoaderWork:
            let m = try envelope.decode(AckLoaderWork.self)
            guard m.epoch == epoch else {
                logger.notice("ignored an acknowledgement for a previous coordinator", metadata: ["loader": "\(m.loaderId)"])
                return reply(Ack(false, "unknown epoch"))
            }
            lock.withLock { current?.summary.absorb(m.delta) }
            scheduler.acknowledge(upTo: m.upToSeq)
            return reply(Ack())
        case .reportLoaderError:
            let m = try envelope.decode(ReportLoaderError.self)
            logger.error("loader cannot commit; it keeps retrying", metadata: ["loader": "\(m.loaderId)", "error": "\(m.message)"])
            scheduler.reportLoaderError(m.message)
            return reply(Ack())
        case .submitJob:
            return reply(JobAccepted(jobId: try submit(try envelope.decode(SubmitJob.self))))
        case .getJobStatus:
            let m = try envelope.decode(GetJobStatus.self)
            if let wait = m.waitSeconds, wait > 0 { waitForEnd(of: m.jobId, seconds: min(wait, 5)) }
            return reply(status(of: m.jobId))
        case .killJob:
            let id = try envelope.decode(KillJob.self).jobId
            return reply(kill(id))
        default:
            throw WireError.unexpectedType(envelope.type)
        }
    }

    func submit(_ m: SubmitJob) throws -> String {
        guard let job = JobName(rawValue: m.job) else {
            throw WireError.malformed("unknown job `\(m.job)`; jobs: \(JobName.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var dates: ClosedRange<IngestDate>?
        if let f = m.from, let t = m.to {
            guard let a = IngestDate(f), let b = IngestDate(t), a <= b else { throw WireError.malformed("bad date range \(f)..\(t)") }
            dates = a...b
        }
        guard let root = m.rawRoot ?? settings.rawRoot else {
            throw WireError.malformed("the coordinator has no raw root: start it with --raw or submit with --raw")
        }
        var spec = JobSpec(job: job, dates: dates, force: m.force, rawRoot: root, chunkBytes: settings.chunkBytes)
        spec.goldBuckets = settings.goldBuckets
        let record = JobRecord(id: LocalCluster.newJobId(), spec: spec)
        lock.withLock { jobs[record.id] = record; queue.append(record) }
        jobSignal.signal()
        logger.notice("job submitted", metadata: ["job": "\(job.rawValue)", "job_id": "\(record.id)"])
        return record.id
    }

    func kill(_ id: String) -> Ack {
        defer { announceJobEnd() }  // runs after the unlock below
        lock.lock(); defer { lock.unlock() }
        guard let job = jobs[id] else { return Ack(false, "no job \(id)") }
        switch job.state {
        case .queued:
            job.state = .killed; job.error = "killed before it started"; queue.removeAll { $0.id == id }
        case .running:
            job.killed = true
            scheduler.stopJob("killed by request")
        default:
            return Ack(false, "job \(id) already \(job.state.rawValue)")
        }
        return Ack(true, "kill requested")
    }

    private func announceJobEnd() {
        jobEnded.lock(); jobEnded.broadcast(); jobEnded.unlock()
    }

    /// Blocks until the job is no longer queued or running, or `seconds` pass.
    func waitForEnd(of id: String, seconds: Double) {
        let deadline = Date().addingTimeInterval(seconds)
        jobEnded.lock()
        defer { jobEnded.unlock() }
        while Date() < deadline {
            let state = lock.withLock { jobs[id]?.state }
            guard state == .queued || state == .running else { return }
            _ = jobEnded.wait(until: deadline)
        }
    }

    func status(of id: String) -> JobStatus {
        lock.lock(); defer { lock.unlock() }
        guard let job = jobs[id] else {
            var unknown = JobStatus(jobId: id, job: "", state: .unknown, phase: "")
            unknown.workersAlive = scheduler.aliveWorkers.count  // `ghwh-submit --await-workers` asks this way
            return unknown
        }
        let progress = scheduler.progress
        let isCurrent = current === job
        var s = JobStatus(jobId: id, job: job.spec.job.rawValue, state: job.state, phase: job.phase)
        s.filesTotal = job.planner.filesTotal
        s.filesDone = job.planner.filesPlanned + job.planner.filesSkipped
        s.tasksPlanned = isCurrent ? progress.planned : job.summary.tasksCommitted + job.summary.gold.tasks
        s.tasksDone = isCurrent ? progress.committed : job.summary.tasksCommitted + job.summary.gold.tasks
        s.tasksRunning = isCurrent ? progress.running : 0
        s.records = job.summary.datasets.values.reduce(0) { $0 + $1.records }
        s.uncompressedBytes = job.summary.uncompressedBytes
        let end = job.finished ?? Date()
        s.elapsedSeconds = job.started.map { end.timeIntervalSince($0) } ?? 0
        if job.state == .running, job.planner.compressedBytesTotal > 0, job.planner.compressedBytesDone > 0 {
            let fraction = Double(job.planner.compressedBytesDone) / Double(job.planner.compressedBytesTotal)
            s.etaSeconds = max(0, s.elapsedSeconds / fraction - s.elapsedSeconds)
        }
        s.workersAlive = scheduler.aliveWorkers.count
        s.error = job.error
        s.loaderError = isCurrent ? scheduler.loaderError : nil
        if job.state == .succeeded || job.state == .failed || job.state == .killed {
            s.summary = job.summary.render()
            s.summaryFailed = !job.summary.succeeded
        }
        return s
    }

    // MARK: - Overview (web UI)

    /// What the web UI shows, read under the locks in one go.
    public struct Overview: Sendable {
        public struct Worker: Sendable {
            public var id: String, host: String, cores: Int, alive: Bool, lastHeartbeat: Date, tasksDone: Int, currentTasks: [String]
        }
        public struct Task: Sendable {
            public var id: String, kind: String, detail: String, state: String, worker: String?, attempts: Int, error: String?
        }
        public struct Job: Sendable {
            public var id: String, job: String, from: String?, to: String?, state: String, phase: String
            public var submittedAt: Date, startedAt: Date?, finishedAt: Date?
            public var tasksPlanned: Int, tasksDone: Int, tasksRunning: Int, records: Int, uncompressedBytes: Int64
            public var rejects: Int, failures: [String], error: String?, tasks: [Task]
        }
        public var url: String
        public var startedAt: Date
        public var workers: [Worker]
        public var jobs: [Job]
        public var loaderError: String?
    }

    private let startedAt = Date()

    public func overview() -> Overview {
        let running = scheduler.runningTasks
        let workers = scheduler.allWorkers.map { w in
            Overview.Worker(id: w.id, host: w.host, cores: w.cores, alive: w.alive, lastHeartbeat: w.lastHeartbeat,
                            tasksDone: w.tasksDone, currentTasks: running.filter { $0.value == w.id }.map(\.key).sorted())
        }.sorted { $0.id < $1.id }
        let taskViews = scheduler.taskViews().map {
            Overview.Task(id: $0.id, kind: $0.kind, detail: $0.detail, state: $0.state, worker: $0.worker, attempts: $0.attempts, error: $0.error)
        }
        let all = lock.withLock { Array(self.jobs.values) }.sorted { $0.submitted > $1.submitted }
        let jobViews = all.map { job -> Overview.Job in
            let s = status(of: job.id)
            let isCurrent = lock.withLock { current === job }
            return Overview.Job(
                id: job.id, job: job.spec.job.rawValue, from: job.spec.dates?.lowerBound.description,
                to: job.spec.dates?.upperBound.description, state: s.state.rawValue, phase: s.phase,
                submittedAt: job.submitted, startedAt: job.started, finishedAt: job.finished,
                tasksPlanned: s.tasksPlanned, tasksDone: s.tasksDone, tasksRunning: s.tasksRunning, records: s.records,
                uncompressedBytes: s.uncompressedBytes,
                rejects: lock.withLock { job.summary.totalRejected },
                failures: lock.withLock { job.summary.failures.map { "\($0.source): \($0.reason)" } },
                error: s.error, tasks: isCurrent ? taskViews : [])
        }
        return Overview(url: settings.endpoint.url, startedAt: startedAt, workers: workers, jobs: jobViews,
                        loaderError: scheduler.loaderError)
    }

    // MARK: - Jobs

    private func runJobs() {
        while true {
            jobSignal.wait()
            if lock.withLock({ stopped }) { return }
            guard let job = lock.withLock({ () -> JobRecord? in
                guard let next = queue.first else { return nil }
                queue.removeFirst()
                current = next
                next.state = .running; next.started = Date()
                return next
            }) else { continue }
            run(job)
            lock.withLock { current = nil }
        }
    }

    private func setPhase(_ job: JobRecord, _ phase: String) { lock.withLock { job.phase = phase } }

    private func run(_ job: JobRecord) {
        scheduler.resetForNextJob()
        let spec = job.spec
        // The coordinator reads the warehouse through the same retrying
        // connection logic the loader uses; it writes nothing itself.
        let reader = Loader(conninfo: settings.conninfo, jobId: job.id, job: spec.job.rawValue, logger: logger)
        defer { reader.close() }
        scheduler.appendForLoader(.startJob(jobId: job.id, job: spec.job.rawValue, from: spec.dates?.lowerBound.description,
                                            to: spec.dates?.upperBound.description, force: spec.force))
        do {
            if !spec.job.datasets.isEmpty {
                setPhase(job, "silver")
                let state = try reader.warehouseState(datasets: spec.job.datasets)
                let planner = Planner(spec: spec, jobId: job.id, state: state, logger: logger)
                let files = try planner.files()
                planner.run(files: files, progress: { [lock] p in lock.withLock { job.planner = p } },
                            isCancelled: { [scheduler] in scheduler.jobError != nil }) { [scheduler] event in
                    switch event {
                    case .task(let t): _ = scheduler.enqueue(.silver(t))
                    case .loader(let m): scheduler.appendForLoader(m)
                    }
                }
                logger.info("silver planned", metadata: ["job_id": "\(job.id)", "tasks": "\(scheduler.progress.planned)",
                                                         "seconds": "\(Date().timeIntervalSince(job.started ?? Date()))"])
                scheduler.waitUntilDrained()
                logger.info("silver committed", metadata: ["job_id": "\(job.id)",
                                                           "seconds": "\(Date().timeIntervalSince(job.started ?? Date()))"])
                let skipped = lock.withLock { job.planner.filesSkippedByDataset }
                lock.withLock { for (d, n) in skipped { job.summary.datasets[d.rawValue, default: .init()].filesSkipped += n } }
            }
            let targets = spec.job.goldTargets
            if !targets.isEmpty && scheduler.jobError == nil {
                setPhase(job, "gold")
                let goldStarted = Date()
                let plan = try reader.withGoldStore { try $0.plan(targets: targets, full: spec.force) }
                let tasks = GoldPlanner.tasks(jobId: job.id, targets: targets, repos: plan.repos, marks: plan.marks,
                                              buckets: spec.goldBuckets)
                lock.withLock { job.goldTasks = tasks.count }
                for t in tasks where scheduler.enqueue(.gold(t)) {}
                scheduler.waitUntilDrained()
                lock.withLock { job.summary.gold.seconds = Date().timeIntervalSince(goldStarted) }
            }
        } catch {
            scheduler.stopJob("\(error)")
        }
        let error = scheduler.jobError
        var summary = lock.withLock { () -> JobSummary in
            job.summary.seconds = Date().timeIntervalSince(job.started ?? Date())
            job.summary.goldTargets = spec.job.goldTargets.map(\.rawValue).sorted()
            for d in spec.job.datasets where job.summary.datasets[d.rawValue] == nil { job.summary.datasets[d.rawValue] = .init() }
            job.summary.fatalError = error
            return job.summary
        }
        if error == nil { summary.rejectSamples = (try? reader.rejectSamples(jobId: job.id, limit: 20)) ?? [] }
        lock.withLock { job.summary.rejectSamples = summary.rejectSamples }
        scheduler.appendForLoader(.finishJob(jobId: job.id, summary: summary))
        if !scheduler.waitUntilOutboxEmpty(timeout: 30) {
            logger.warning("the loader did not record the job's end in time", metadata: ["job_id": "\(job.id)"])
        }
        lock.withLock {
            job.finished = Date()
            job.error = error
            job.state = job.killed ? .killed : (error == nil ? .succeeded : .failed)
            job.phase = "done"
        }
        announceJobEnd()
        logger.notice("job finished", metadata: ["job_id": "\(job.id)", "state": "\(job.state.rawValue)",
                                                 "error": "\(error ?? "")"])
    }

    private func monitor() {
        while !lock.withLock({ stopped }) {
            Thread.sleep(forTimeInterval: min(1, settings.scheduler.workerTimeout / 4))
            for id in scheduler.expireWorkers() {
                logger.warning("worker lost: no heartbeat within the timeout; its tasks are re-queued",
                               metadata: ["worker": "\(id)", "timeout_s": "\(settings.scheduler.workerTimeout)"])
            }
        }
    }
}
