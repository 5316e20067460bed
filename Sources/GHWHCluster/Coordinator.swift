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
        self.url = url
        self.secret = secret
        self.limits = limits
        self.tls = tls
    }

    /// A client of the coordinator at this endpoint. REQ re-sends are pushed
    /// out to 10 minutes: the roles retry themselves, and handlers that take
    /// a while (long polls) should not see the same request twice.
    func client(senderId: String, callTimeout: Double) throws -> RequestClient {
        try RequestClient(
            url: url, secret: secret, limits: limits, senderId: senderId,
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
        public var taskGroupDocuments = SmallDocumentGrouper.defaultMaxMembers
        public var goldBuckets = 16
        public var heartbeatInterval: Double = 5
        public var scheduler = ClusterState.Settings()
        /// Threads that handle requests. Task requests, loader fetches and
        /// job-status waits are long polls held without a thread (deferred
        /// replies), so a few serve any number of workers and clients.
        public var serverThreads = 8
        /// Requests held at once (every core of every worker long-polls).
        public var maxOutstandingRequests = 4096
        public init(endpoint: ClusterEndpoint, rawRoot: String?, conninfo: String) {
            self.endpoint = endpoint
            self.rawRoot = rawRoot
            self.conninfo = conninfo
        }
    }

    let settings: Settings
    let logger: Logger
    let scheduler: Scheduler
    /// Distinguishes this process's outbox sequence numbers from a previous one's.
    let epoch = UUID().uuidString
    /// Finished jobs whose task tables are kept in memory (older ones are read from the journal).
    static let keptTaskTables = 20
    /// The job journal in `ghwh_meta` (its own connection).
    let journal: JournalConnection
    private let lock = NSLock()
    private var jobs: [String: JobRun] = [:]
    private var queue: [JobRun] = []
    private var current: JobRun?
    private let jobSignal = DispatchSemaphore(value: 0)
    /// Status long polls waiting for their job's end or deadline.
    private var statusWaits: [(jobId: String, deadline: Date, responder: Responder)] = []
    private var server: RequestServer?
    private var stopped = false
    private let ticking = StopFlag()

    public init(settings: Settings, logger: Logger) {
        self.settings = settings
        self.logger = logger
        self.scheduler = Scheduler(settings: settings.scheduler, epoch: epoch, logger: logger)
        self.journal = JournalConnection(conninfo: settings.conninfo, logger: logger)
    }

    /// A finished job's task table as JSON (the journal keeps it).
    static func tasksJSON(_ tasks: [ClusterState.Task]) -> String {
        String(decoding: (try? JSONEncoder().encode(tasks.map(Self.view))) ?? Data("[]".utf8), as: UTF8.self)
    }

    /// Binds the socket and starts the job runner and the liveness monitor.
    public func start() throws {
        resumeJournaledJobs()
        server = try RequestServer(
            url: settings.endpoint.url, secret: settings.endpoint.secret, limits: settings.endpoint.limits,
            handlerThreads: settings.serverThreads, maxOutstanding: settings.maxOutstandingRequests,
            senderId: "coordinator",
            tls: settings.endpoint.tls,
            onRejected: { [logger] reason in logger.warning("refused a message", metadata: ["reason": "\(reason)"]) },
            onPeerGone: { [weak self] sender in self?.connectionClosed(senderId: sender) },
            deferredHandler: { [unowned self] envelope, responder in self.handle(envelope, responder) })
        LocalCluster.startThread(name: "ghwh-jobs") { [unowned self] in self.runJobs() }
        scheduler.startTicking(until: ticking)
        LocalCluster.startThread(name: "ghwh-status-waits") { [weak self] in
            // 0.1 s: how late a status long poll's answer may come at its deadline
            while let self, !self.ticking.wait(upTo: 0.1) { self.answerStatusWaits(now: Date()) }
        }
        logger.notice(
            "coordinator listening",
            metadata: [
                "url": "\(settings.endpoint.url)",
                "secret": "\(settings.endpoint.secret.isInsecure ? "none (insecure)" : "set")",
            ])
    }

    public var boundPort: Int? { server?.boundPort }

    /// Hooks for metrics; set before `start()`.
    public func observe(
        taskFinished:
            @escaping @Sendable (_ kind: String, _ seconds: Double, _ records: Int, _ bytes: Int64, _ rejects: Int) ->
            Void,
        loaderCommit: @escaping @Sendable (_ seconds: Double) -> Void
    ) {
        scheduler.onTaskFinished = { kind, seconds, totals in
            taskFinished(kind, seconds, totals.records, Int64(totals.inputBytes), totals.rejects)
        }
        scheduler.onLoaderCommit = loaderCommit
    }

    /// Stops serving: the running job stops, waiting polls are answered, the socket closes.
    public func stop() {
        let running = lock.withLock { () -> Bool in
            stopped = true
            return current != nil
        }
        ticking.set()
        if running { scheduler.perform { state, _ in state.stopJob("coordinator stopping") } }
        scheduler.perform { state, _ in state.cancelPolls() }
        answerStatusWaits(now: .distantFuture)
        jobSignal.signal()
        server?.close()
        logger.notice("coordinator stopped")
    }

    /// A sender's connection closed (all of its pipes): a worker is lost at once.
    public func connectionClosed(senderId: String) {
        scheduler.perform { state, now in state.connectionClosed(worker: senderId, now: now) }
    }

    // MARK: - Requests

    /// Long polls (task requests, loader fetches) are answered by the state
    /// when work appears or their deadline passes; the rest at once.
    func handle(_ envelope: Envelope, _ responder: Responder) {
        do {
            switch MessageType(rawValue: envelope.type) {
            case .requestTask?:
                let m = try envelope.decode(RequestTask.self)
                scheduler.poll(answer: { _ = responder.reply(Self.assignment($0)) }) { state, poll, now in
                    state.requestTask(
                        poll: poll, worker: m.workerId, incarnation: m.incarnation, deadline: now + 1, now: now)
                }
            case .fetchLoaderWork?:
                let m = try envelope.decode(FetchLoaderWork.self)
                scheduler.poll(answer: { [epoch] answer in
                    guard case .loaderWork(_, let entries) = answer else {
                        _ = responder.reply(LoaderWork(epoch: epoch, entries: []))
                        return
                    }
                    _ = responder.reply(LoaderWork(epoch: epoch, entries: entries))
                }) { [epoch] state, poll, now in
                    state.loaderFetch(
                        poll: poll, maxBytes: max(1 << 16, m.maxBytes), after: m.epoch == epoch ? m.after ?? 0 : 0,
                        deadline: now + 1, now: now)
                }
            case .getJobStatus?:
                let m = try envelope.decode(GetJobStatus.self)
                waitForEnd(of: m.jobId, seconds: min(m.waitSeconds ?? 0, 5), responder)
            default:
                let (type, payload) = try handle(envelope)
                responder.reply(type, payload)
            }
        } catch {
            responder.fail("\(error)")
        }
    }

    func handle(_ envelope: Envelope) throws -> (UInt16, WirePayload) {
        func reply<M: WireMessage>(_ m: M) -> (UInt16, WirePayload) { (M.typeCode, m.encodedPayload()) }
        guard let type = MessageType(rawValue: envelope.type) else { throw WireError.unexpectedType(envelope.type) }
        switch type {
        case .registerWorker:
            return reply(register(try envelope.decode(RegisterWorker.self)))
        case .heartbeat:
            let m = try envelope.decode(Heartbeat.self)
            let outcome = scheduler.perform { state, now in
                state.heartbeat(worker: m.workerId, incarnation: m.incarnation, running: m.runningTasks, now: now)
            }
            return reply(HeartbeatReply(known: outcome.known, stop: outcome.stop))
        case .submitResult:
            let m = try envelope.decode(SubmitResult.self)
            let (accepted, why) = scheduler.perform { state, now in
                let r = state.result(
                    m.result, worker: m.workerId, incarnation: m.incarnation, attempt: m.attempt, now: now)
                return ((r.accepted, r.reason), r.actions)
            }
            return reply(Ack(accepted, accepted ? "" : "result discarded: \(why)"))
        case .reportTaskFailure:
            let m = try envelope.decode(ReportTaskFailure.self)
            scheduler.perform { state, now in
                state.failure(
                    task: m.taskId, worker: m.workerId, incarnation: m.incarnation, attempt: m.attempt,
                    error: m.error, now: now)
            }
            return reply(Ack())
        case .releaseTasks:
            let m = try envelope.decode(ReleaseTasks.self)
            scheduler.perform { state, now in
                var actions = state.release(worker: m.workerId, incarnation: m.incarnation, tasks: m.taskIds, now: now)
                if m.leaving { actions += state.deregister(worker: m.workerId, incarnation: m.incarnation, now: now) }
                return actions
            }
            return reply(Ack())
        case .ackLoaderWork:
            return reply(acknowledge(try envelope.decode(AckLoaderWork.self)))
        case .reportLoaderError:
            let m = try envelope.decode(ReportLoaderError.self)
            logger.error(
                "loader cannot commit; it keeps retrying",
                metadata: ["loader": "\(m.loaderId)", "error": "\(m.message)"])
            scheduler.perform { state, _ in
                state.loaderFailed(m.message)
                return []
            }
            return reply(Ack())
        case .submitJob:
            return reply(JobAccepted(jobId: try submit(try envelope.decode(SubmitJob.self))))
        case .killJob:
            let id = try envelope.decode(KillJob.self).jobId
            return reply(kill(id))
        default:
            throw WireError.unexpectedType(envelope.type)
        }
    }

    private func register(_ m: RegisterWorker) -> Registered {
        scheduler.perform { state, now in
            state.register(worker: m.workerId, incarnation: m.incarnation, host: m.host, cores: m.cores, now: now)
        }
        logger.notice(
            "worker registered",
            metadata: [
                "worker": "\(m.workerId)", "incarnation": "\(m.incarnation)",
                "host": "\(m.host)", "cores": "\(m.cores)",
            ])
        return Registered(
            heartbeatInterval: settings.heartbeatInterval, workerTimeout: settings.scheduler.workerTimeout)
    }

    private func acknowledge(_ m: AckLoaderWork) -> Ack {
        let job = lock.withLock { current }
        let accepted = scheduler.perform { state, now in
            let r = state.loaderAck(epoch: m.epoch, upTo: m.upToSeq, now: now)
            // Counted before the state's lock is let go: the job's end reads its summary as soon as
            // the last task shows committed, and must not miss this acknowledgement's counts.
            if r.accepted { job?.update { $0.summary.absorb(m.delta) } }
            return r
        }
        if accepted, let record = scheduler.onLoaderCommit { m.commitSeconds?.forEach(record) }
        return accepted ? Ack() : Ack(false, "unknown epoch")
    }

    static func assignment(_ answer: ClusterState.Action) -> TaskAssignment {
        switch answer {
        case .assign(_, let task, let attempt): TaskAssignment(task: task, attempt: attempt)
        case .noTask(_, let unknown): TaskAssignment(task: nil, attempt: 0, unknownWorker: unknown)
        default: TaskAssignment(task: nil, attempt: 0)
        }
    }

    func submit(_ m: SubmitJob) throws -> String {
        let record = JobRun(id: LocalCluster.newJobId(), spec: try spec(of: m))
        // Journaled before the id goes out: a coordinator that crashes now still runs it after its restart.
        try journal.write { try $0.recordSubmitted(Self.journalEntry(record, state: "queued")) }
        lock.withLock {
            jobs[record.id] = record
            queue.append(record)
        }
        jobSignal.signal()
        logger.notice("job submitted", metadata: ["job": "\(m.job)", "job_id": "\(record.id)"])
        return record.id
    }

    static func journalEntry(_ r: JobRun, state: String) -> JobJournal.Entry {
        JobJournal.Entry(
            jobId: r.id, job: r.spec.job.rawValue, from: r.spec.dates?.lowerBound.description,
            to: r.spec.dates?.upperBound.description, force: r.spec.force, rawRoot: r.spec.rawRoot, state: state)
    }

    /// Jobs a previous coordinator process left queued or running run again under their ids
    /// (committed tasks are skipped as for any re-run), so a waiting `ghwh-submit` follows them to the end.
    private func resumeJournaledJobs() {
        let unfinished: [JobJournal.Entry]
        do { unfinished = try journal.write { try $0.unfinished() } } catch {
            logger.error("cannot read the job journal; no job resumed", metadata: ["error": "\(error)"])
            return
        }
        for e in unfinished {
            do {
                let spec = try spec(
                    of: SubmitJob(job: e.job, from: e.from, to: e.to, force: e.force, rawRoot: e.rawRoot))
                let record = JobRun(id: e.jobId, spec: spec)
                lock.withLock {
                    jobs[record.id] = record
                    queue.append(record)
                }
                jobSignal.signal()
                logger.notice(
                    "resuming a journaled job",
                    metadata: ["job_id": "\(e.jobId)", "job": "\(e.job)", "was": "\(e.state)"])
            } catch {
                logger.error("cannot resume a journaled job", metadata: ["job_id": "\(e.jobId)", "error": "\(error)"])
                try? journal.write { try $0.update(jobId: e.jobId, state: "failed", error: "cannot resume: \(error)") }
            }
        }
    }

    private func spec(of m: SubmitJob) throws -> JobSpec {
        guard let job = JobName(rawValue: m.job) else {
            throw WireError.malformed(
                "unknown job `\(m.job)`; jobs: \(JobName.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var dates: ClosedRange<IngestDate>?
        if let f = m.from, let t = m.to {
            guard let a = IngestDate(f), let b = IngestDate(t), a <= b else {
                throw WireError.malformed("bad date range \(f)..\(t)")
            }
            dates = a...b
        }
        guard let root = m.rawRoot ?? settings.rawRoot else {
            throw WireError.malformed("the coordinator has no raw root: start it with --raw or submit with --raw")
        }
        var spec = JobSpec(job: job, dates: dates, force: m.force, rawRoot: root, chunkBytes: settings.chunkBytes)
        spec.taskGroupDocuments = settings.taskGroupDocuments
        spec.goldBuckets = settings.goldBuckets
        return spec
    }

    func kill(_ id: String) -> Ack {
        defer { announceJobEnd() }
        guard let job = lock.withLock({ jobs[id] }) else { return Ack(false, "no job \(id)") }
        let wasQueued = lock.withLock { () -> Bool in
            guard job.read({ $0.state }) == .queued else { return false }
            queue.removeAll { $0.id == id }
            job.update {
                $0.state = .killed
                $0.error = "killed before it started"
                $0.finished = Date()
            }
            return true
        }
        if wasQueued {
            try? journal.write { try $0.update(jobId: id, state: "killed", error: "killed before it started") }
            return Ack(true, "killed before it started")
        }
        let state = job.read { $0.state }
        guard state == .running else { return Ack(false, "job \(id) already \(state.rawValue)") }
        job.update { $0.killed = true }
        scheduler.perform { state, _ in state.stopJob("killed by request", killed: true) }
        return Ack(true, "kill requested")
    }

    /// Answers the status long polls of jobs that ended.
    private func announceJobEnd() { answerStatusWaits(now: Date()) }

    /// A status long poll (`ghwh-submit` waiting): answered when the job ends
    /// or `seconds` pass, holding no thread meanwhile.
    func waitForEnd(of id: String, seconds: Double, _ responder: Responder) {
        let waiting = lock.withLock { () -> Bool in
            let state = jobs[id]?.read { $0.state }
            guard seconds > 0, state == .queued || state == .running else { return false }
            statusWaits.append((id, Date().addingTimeInterval(seconds), responder))
            return true
        }
        if !waiting { responder.reply(status(of: id)) }
    }

    /// Answers the waits whose job ended or whose time is up (the ticker calls it too).
    private func answerStatusWaits(now: Date) {
        let due = lock.withLock { () -> [(String, Responder)] in
            var due: [(String, Responder)] = []
            statusWaits.removeAll { w in
                let state = jobs[w.jobId]?.read { $0.state }
                guard w.deadline <= now || !(state == .queued || state == .running) else { return false }
                due.append((w.jobId, w.responder))
                return true
            }
            return due
        }
        for (id, responder) in due { responder.reply(status(of: id)) }
    }

    func status(of id: String) -> JobStatus {
        // The scheduler's view first: its lock is never taken inside ours.
        let (progress, alive, loaderError) = scheduler.read { ($0.job, $0.aliveWorkers.count, $0.loaderError) }
        let now = scheduler.now()
        let found = lock.withLock { jobs[id].map { ($0, current === $0) } }
        guard let (job, isCurrent) = found else {
            var unknown = JobStatus(jobId: id, job: "", state: .unknown, phase: "")
            unknown.workersAlive = alive  // `ghwh-submit --await-workers` asks this way
            // A job that ended under a previous coordinator process: the journal knows how.
            if !id.isEmpty, let e = try? journal.write({ try $0.state(jobId: id) }),
                let state = JobStatus.State(rawValue: e.state)
            {
                unknown.job = e.job
                unknown.state = state
                unknown.phase = "done"
                unknown.error = e.error
                unknown.summaryFailed = state != .succeeded
            }
            return unknown
        }
        let fields = job.read { $0 }
        return Self.status(
            id: id, spec: job.spec, fields, progress: isCurrent && progress?.jobId == id ? progress : nil,
            alive: alive, loaderError: isCurrent ? loaderError : nil, now: now)
    }

    /// A job's status from its run's fields and, while it runs, the state's counts.
    static func status(
        id: String, spec: JobSpec, _ f: JobRun.Fields, progress: ClusterState.JobProgress?, alive: Int,
        loaderError: String?, now: Double
    ) -> JobStatus {
        var s = JobStatus(jobId: id, job: spec.job.rawValue, state: f.state, phase: f.phase)
        s.filesTotal = f.planner.filesTotal
        s.filesDone = f.planner.filesPlanned + f.planner.filesSkipped
        // An ended job counts the tasks of its kept table (a task group is one task; the
        // summary counts its members' commits), else the summary's commits.
        let kept = f.finishedTasks.isEmpty ? nil : f.finishedTasks
        let done =
            kept.map { $0.filter { $0.state == .committed }.count } ?? f.summary.tasksCommitted + f.summary.gold.tasks
        s.tasksPlanned = progress?.planned ?? kept?.count ?? done
        s.tasksDone = progress?.committed ?? done
        s.tasksRunning = progress?.running ?? 0
        s.records = progress?.recordsCommitted ?? f.summary.datasets.values.reduce(0) { $0 + $1.records }
        s.uncompressedBytes = f.summary.uncompressedBytes
        let end = f.finished ?? Date()
        s.elapsedSeconds = f.started.map { end.timeIntervalSince($0) } ?? 0
        if f.state == .running {
            let lastProgress = progress?.lastProgressAt ?? f.started?.timeIntervalSince1970 ?? now
            switch JobETA.estimate(
                elapsed: s.elapsedSeconds, bytesPlanned: f.planner.compressedBytesDone,
                bytesTotal: f.planner.compressedBytesTotal, tasksCommitted: s.tasksDone,
                tasksPlanned: s.tasksPlanned, secondsSinceProgress: now - lastProgress)
            {
            case .remaining(let seconds): s.etaSeconds = seconds
            case .stalled(let seconds): s.stalledSeconds = seconds
            case .unknown: break
            }
        }
        s.workersAlive = alive
        s.error = f.error
        s.loaderError = loaderError
        if [.succeeded, .failed, .killed].contains(f.state) {
            s.summary = f.summary.render()
            s.summaryFailed = !f.summary.succeeded
        }
        return s
    }

    // MARK: - Overview (web UI)

    /// What the web UI shows, read under the locks in one go.
    public struct Overview: Sendable {
        public struct Worker: Sendable {
            public var id: String, host: String, cores: Int, alive: Bool, lastHeartbeat: Date, tasksDone: Int,
                currentTasks: [String]
        }
        public struct Task: Sendable, Codable {
            public var id: String, kind: String, detail: String, state: String, worker: String?, attempts: Int,
                error: String?
            public var seconds: Double?, records: Int?
        }
        public struct Job: Sendable {
            public var id: String, job: String, from: String?, to: String?, state: String, phase: String
            public var submittedAt: Date, startedAt: Date?, finishedAt: Date?
            public var tasksPlanned: Int, tasksDone: Int, tasksRunning: Int, records: Int, uncompressedBytes: Int64
            public var rejects: Int, failures: [String], error: String?, tasks: [Task]
            /// Tasks by `ClusterState.TaskState` (every state, zeros included); empty for a job without a task table.
            public var taskCounts: [String: Int]
        }
        public var url: String
        public var startedAt: Date
        public var workers: [Worker]
        public var jobs: [Job]
        public var loaderError: String?
    }

    private let startedAt = Date()

    static func view(_ t: ClusterState.Task) -> Overview.Task {
        Overview.Task(
            id: t.id, kind: t.kind, detail: t.detail, state: t.state.rawValue, worker: t.holder?.worker ?? t.lastWorker,
            attempts: t.attempt, error: t.lastError, seconds: t.seconds, records: t.records)
    }

    static func counts(_ tasks: [ClusterState.Task]) -> [String: Int] {
        var counts = Dictionary(uniqueKeysWithValues: ClusterState.TaskState.allCases.map { ($0.rawValue, 0) })
        for t in tasks { counts[t.state.rawValue, default: 0] += 1 }
        return counts
    }

    public func overview() -> Overview {
        let (stateWorkers, stateTasks, stateJob, loaderError) = scheduler.read {
            (Array($0.workers.values), $0.taskList, $0.job?.jobId, $0.loaderError)
        }
        let workers = stateWorkers.map { w in
            Overview.Worker(
                id: w.id, host: w.host, cores: w.cores, alive: w.alive,
                lastHeartbeat: Date(timeIntervalSince1970: w.lastHeartbeat),
                tasksDone: w.tasksDone,
                currentTasks: stateTasks.filter { $0.state == .running && $0.holder?.worker == w.id }.map(\.id).sorted()
            )
        }.sorted { $0.id < $1.id }
        let all = lock.withLock { Array(self.jobs.values) }.sorted { $0.submitted > $1.submitted }
        let jobViews = all.map { job -> Overview.Job in
            let s = status(of: job.id)
            let f = job.read { $0 }
            let tasks = stateJob == job.id && f.finished == nil ? stateTasks : f.finishedTasks
            return Overview.Job(
                id: job.id, job: job.spec.job.rawValue, from: job.spec.dates?.lowerBound.description,
                to: job.spec.dates?.upperBound.description, state: s.state.rawValue, phase: s.phase,
                submittedAt: job.submitted, startedAt: f.started, finishedAt: f.finished,
                tasksPlanned: s.tasksPlanned, tasksDone: s.tasksDone, tasksRunning: s.tasksRunning, records: s.records,
                uncompressedBytes: s.uncompressedBytes, rejects: f.summary.totalRejected,
                failures: f.summary.failures.map { "\($0.source): \($0.reason)" },
                error: s.error, tasks: tasks.map(Self.view), taskCounts: tasks.isEmpty ? [:] : Self.counts(tasks))
        }
        return Overview(
            url: settings.endpoint.url, startedAt: startedAt, workers: workers, jobs: jobViews,
            loaderError: loaderError)
    }

    /// A job as its journal row keeps it (state, error, task table): the web
    /// UI's job page for jobs that left memory or ran under an earlier process.
    public func pastJob(id: String) -> Overview.Job? {
        guard let past = try? journal.write({ try $0.pastJob(jobId: id) }) else { return nil }
        let tasks =
            past.tasksJSON.flatMap { try? JSONDecoder().decode([Overview.Task].self, from: Data($0.utf8)) } ?? []
        var counts = Dictionary(uniqueKeysWithValues: ClusterState.TaskState.allCases.map { ($0.rawValue, 0) })
        for t in tasks { counts[t.state, default: 0] += 1 }
        let ended = ["succeeded", "failed", "killed"].contains(past.entry.state)
        return Overview.Job(
            id: id, job: past.entry.job, from: past.entry.from, to: past.entry.to, state: past.entry.state,
            phase: ended ? "done" : past.entry.state, submittedAt: Date(timeIntervalSince1970: past.submittedAt),
            startedAt: nil,
            finishedAt: ended ? Date(timeIntervalSince1970: past.updatedAt) : nil, tasksPlanned: tasks.count,
            tasksDone: counts["committed"] ?? 0, tasksRunning: 0, records: tasks.reduce(0) { $0 + ($1.records ?? 0) },
            uncompressedBytes: 0, rejects: 0, failures: [], error: past.error, tasks: tasks,
            taskCounts: tasks.isEmpty ? [:] : counts)
    }

    // MARK: - Jobs

    private func runJobs() {
        let driver = JobDriver(scheduler: scheduler, conninfo: settings.conninfo, logger: logger)
        while true {
            jobSignal.wait()
            if lock.withLock({ stopped }) { return }
            guard
                let job = lock.withLock({ () -> JobRun? in
                    guard let next = queue.first else { return nil }
                    queue.removeFirst()
                    current = next
                    return next
                })
            else { continue }
            try? journal.write { try $0.update(jobId: job.id, state: "running") }
            driver.run(job)
            let (state, error, tasks) = job.read { ($0.state, $0.error, $0.finishedTasks) }
            lock.withLock {
                current = nil
                // Older jobs keep their summary; only the newest keep a task table in memory.
                let ended = jobs.values.filter(\.isEnded).sorted { $0.submitted > $1.submitted }
                for old in ended.dropFirst(Self.keptTaskTables) { old.update { $0.finishedTasks = [] } }
            }
            // a coordinator stopping mid-job leaves it `running` in the journal: it resumes
            if !lock.withLock({ stopped }) {
                do {
                    try journal.write {
                        try $0.update(
                            jobId: job.id, state: state.rawValue, error: error, tasksJSON: Self.tasksJSON(tasks))
                    }
                } catch {
                    logger.error(
                        "cannot journal the job's end", metadata: ["job_id": "\(job.id)", "error": "\(error)"])
                }
            }
            announceJobEnd()
            logger.notice(
                "job finished",
                metadata: ["job_id": "\(job.id)", "state": "\(state.rawValue)", "error": "\(error ?? "")"])
        }
    }
}

/// The coordinator's connection for its job journal: one at a time, opened
/// on demand and re-opened (a few tries, `Backoff(budget: 3)`) when PostgreSQL restarts.
final class JournalConnection: @unchecked Sendable {
    let conninfo: String
    let logger: Logger
    private let lock = NSLock()
    private var connection: PGConnection?

    init(conninfo: String, logger: Logger) {
        self.conninfo = conninfo
        self.logger = logger
    }

    func write<T>(_ body: (JobJournal) throws -> T) throws -> T {
        try lock.withLock {
            // The one schedule, given up after 3 s: the journal is written under this lock on the
            // coordinator's request path, so a long outage is logged by the caller rather than waited out.
            var backoff = Backoff(budget: 3)
            while true {
                do {
                    if connection == nil { connection = try PGConnection(conninfo: conninfo) }
                    return try body(JobJournal(connection!))
                } catch let error as PGError where error.isConnectionFailure || !(connection?.isAlive ?? false) {
                    connection?.close()
                    connection = nil
                    guard let delay = backoff.nextDelay() else {
                        throw WarehouseError(
                            "job journal: PostgreSQL unreachable after \(backoff.retries + 1) attempts: \(error)")
                    }
                    logger.warning(
                        "job journal: PostgreSQL connection failed; retrying",
                        metadata: ["delay_s": "\(delay)", "error": "\(error)"])
                    Thread.sleep(forTimeInterval: delay)
                }
            }
        }
    }
}
