import GHWHWarehouse

/// Where every task's fate is decided: the coordinator's whole scheduling
/// state as one value, like Spark's master state but with no threads, clocks
/// or sockets inside. Each event is one mutating method that takes the time
/// as an argument and returns what the caller must do (`ClusterAction`s);
/// `Scheduler` wraps it in a lock and performs the actions at the edges.
///
/// The rules (docs/cluster.md, "Leases and attempts" and "Promises"):
/// - A worker process is an *incarnation* of its worker id. Registering a
///   known id with a new incarnation re-queues the old incarnation's leases
///   at once (a restarted process under the same id never holds them).
/// - A lease is (task, incarnation, attempt). Results and failures count only
///   from the current holder of the current attempt; the rest is discarded.
/// - A worker is lost when its connection closes (at once) or when it stays
///   silent past `workerTimeout` (a partition); its leases are re-queued and
///   count as a failed attempt. A graceful release does not count.
/// - A heartbeat reconciles: a lease the worker stops reporting (twice in a
///   row, so a lease reply still in flight is not mistaken) is re-queued; a
///   task it reports but does not hold is named back to it to stop.
/// - A task whose failures reach `maxAttempts` fails the job.
/// - The loader outbox is ordered; entries leave it only when the loader
///   acknowledges them under this coordinator's epoch.
public struct ClusterState: Sendable {
    public typealias Instant = Double

    public struct Settings: Sendable {
        /// Spark's default: a worker silent this long is lost and its tasks re-run.
        public var workerTimeout: Double = 60
        /// Spark's default task attempts before the job fails.
        public var maxAttempts = 4
        /// Tasks planned ahead of the workers (each holds up to a chunk: records,
        /// or a whole document's compressed bytes), at least; one per two cores of
        /// the live workers when that is more. Planning a whole document only
        /// reads it, so a short queue keeps workers busy and the coordinator's
        /// memory low (2 GB zip corpus, 2 one-core workers: coordinator peak RSS
        /// 224-233 MB with 2, 245 MB with 4).
        public var readAhead = 2
        /// Results waiting for the loader, in bytes, before no new task is
        /// handed out: four loader batches keep the loader busy, and the
        /// coordinator's memory does not grow when PostgreSQL falls behind.
        public var maxOutboxBytes = 64 << 20
        public init() {}
    }

    /// A task's state. `ghwh_tasks` in /metrics has one series per case.
    public enum TaskState: String, Sendable, CaseIterable, Codable {
        /// Waiting for a worker (`attempt` > 0: it ran before and is retried).
        case pending
        /// Leased to a worker incarnation, running.
        case running
        /// Its result is in the outbox, waiting for the loader.
        case loading
        /// The loader committed it.
        case committed
        /// Its job stopped (failed or killed) before it finished.
        case cancelled
    }

    /// One worker id's current process.
    public struct Worker: Sendable, Equatable {
        public var id: String
        public var incarnation: String
        public var host: String
        public var cores: Int
        public var lastHeartbeat: Instant
        public var alive: Bool
        public var tasksDone: Int
        public var registeredAt: Instant
        /// False for `ghwh run`'s worker threads: they send no heartbeats, and a
        /// thread of the coordinator's own process cannot be partitioned from it.
        public var expires: Bool = true
    }

    public struct Holder: Sendable, Hashable {
        public var worker: String
        public var incarnation: String
    }

    public struct Task: Sendable {
        public var id: String
        public var kind: String
        public var detail: String
        public var state: TaskState
        /// Leases handed out so far; the current lease's attempt number.
        public var attempt: Int
        /// Attempts that ended in a failure (reported, or the worker was lost).
        public var failures: Int
        public var holder: Holder?
        /// The last worker that held it (kept for views after it finished).
        public var lastWorker: String?
        public var leasedAt: Instant?
        public var finishedAt: Instant?
        public var seconds: Double?
        public var records: Int?
        public var lastError: String?
        /// Heartbeats in a row from the holder that did not list this task.
        var missedHeartbeats = 0
        /// The payload, kept while the task may still run (dropped once it resulted).
        var payload: WorkerTask?
        /// What the current attempt's parts (chunks before a document's last) carried.
        var partTotals = SilverTotals()
    }

    public struct JobProgress: Sendable, Equatable {
        public var jobId: String
        public var planned = 0
        public var committed = 0
        public var running = 0
        /// Records of the committed silver tasks (progress lines).
        public var recordsCommitted = 0
        /// When a task was last planned or committed (a progress line's stall check).
        public var lastProgressAt: Instant?
        /// Set when the job must stop (a task failed too often, or a kill).
        public var error: String?
        public var killed = false
    }

    public typealias PollID = UInt64

    /// What the caller must do after an event.
    public enum Action: Sendable {
        /// Answer a worker's task poll: a lease, or nothing (`unknownWorker`: register first).
        case assign(poll: PollID, task: WorkerTask, attempt: Int)
        case noTask(poll: PollID, unknownWorker: Bool)
        /// Answer the loader's poll with outbox entries (possibly none).
        case loaderWork(poll: PollID, entries: [LoaderEntry])
        /// A decision worth a log line (structured: message + fields).
        case log(ClusterLogEvent)
        /// A task finished on a worker (for metrics; `totals` include its parts).
        case taskFinished(kind: String, seconds: Double, totals: SilverTotals)
    }

    public let settings: Settings
    /// Distinguishes this coordinator process's outbox sequence numbers from a previous one's.
    public let epoch: String

    public private(set) var workers: [String: Worker] = [:]
    public private(set) var tasks: [String: Task] = [:]
    /// Task ids in the order they were planned (views).
    public private(set) var taskOrder: [String] = []
    private var pendingQueue: [String] = []
    public private(set) var job: JobProgress?

    private var taskPolls: [(poll: PollID, holder: Holder, deadline: Instant)] = []
    private var loaderPolls: [(poll: PollID, maxBytes: Int, after: UInt64, deadline: Instant)] = []

    public private(set) var outbox: [LoaderEntry] = []
    public private(set) var outboxBytes = 0
    private var taskOfSeq: [UInt64: String] = [:]
    private var nextSeq: UInt64 = 1
    public private(set) var ackedSeq: UInt64 = 0
    public private(set) var loaderError: String?
    /// When the loader last fetched a non-empty batch (commit latency metric).
    public private(set) var loaderFetchedAt: Instant?

    public init(settings: Settings, epoch: String) {
        self.settings = settings
        self.epoch = epoch
    }

    // MARK: - Workers

    /// A worker process says hello. A new incarnation of a known id replaces
    /// the old one, whose leases are re-queued at once.
    public mutating func register(
        worker id: String, incarnation: String, host: String, cores: Int,
        expires: Bool = true, now: Instant
    ) -> [Action] {
        var actions: [Action] = []
        if let old = workers[id], old.incarnation != incarnation {
            actions += loseIncarnation(
                Holder(worker: id, incarnation: old.incarnation),
                reason: "worker \(id) restarted (new incarnation)", now: now)
            actions.append(
                .log(
                    .init(
                        .notice, "worker restarted under the same id: the old process's tasks are re-queued",
                        ["worker": id, "old_incarnation": old.incarnation, "incarnation": incarnation])))
        }
        let tasksDone = workers[id]?.tasksDone ?? 0
        workers[id] = Worker(
            id: id, incarnation: incarnation, host: host, cores: cores, lastHeartbeat: now,
            alive: true, tasksDone: tasksDone, registeredAt: workers[id]?.registeredAt ?? now,
            expires: expires)
        return actions
    }

    public struct HeartbeatOutcome: Sendable, Equatable {
        /// False: register again (unknown, lost, or replaced by a newer incarnation).
        public var known: Bool
        /// Tasks the worker runs but no longer holds: stop them, their results would be discarded.
        public var stop: [String]
    }

    /// A heartbeat listing the tasks the worker runs. Reconciles its leases.
    public mutating func heartbeat(
        worker id: String, incarnation: String, running: [String],
        now: Instant
    ) -> (HeartbeatOutcome, [Action]) {
        guard var w = workers[id], w.incarnation == incarnation, w.alive else {
            return (HeartbeatOutcome(known: false, stop: running), [])
        }
        w.lastHeartbeat = now
        workers[id] = w
        let holder = Holder(worker: id, incarnation: incarnation)
        let reported = Set(running)
        var actions: [Action] = []
        for taskId in taskOrder {
            guard var t = tasks[taskId], t.state == .running, t.holder == holder else { continue }
            if reported.contains(taskId) {
                t.missedHeartbeats = 0
                tasks[taskId] = t
                continue
            }
            t.missedHeartbeats += 1
            tasks[taskId] = t
            if t.missedHeartbeats >= 2 {
                actions += requeue(
                    taskId, countsAsFailure: true,
                    reason: "worker \(id) no longer runs it (missing from two heartbeats)", now: now)
            }
        }
        let stop = running.filter { tasks[$0]?.state != .running || tasks[$0]?.holder != holder }.sorted()
        actions += dispatch(now: now)
        return (HeartbeatOutcome(known: true, stop: stop), actions)
    }

    /// The worker's connection closed: its incarnation is gone now.
    public mutating func connectionClosed(worker id: String, now: Instant) -> [Action] {
        guard let w = workers[id], w.alive else { return [] }
        var actions = loseIncarnation(
            Holder(worker: id, incarnation: w.incarnation),
            reason: "worker \(id) disconnected", now: now)
        actions.insert(
            .log(.init(.warning, "worker lost: its connection closed; its tasks are re-queued", ["worker": id])), at: 0)
        return actions + dispatch(now: now)
    }

    /// A worker stopping gracefully hands tasks back (not counted as failures).
    public mutating func release(
        worker id: String, incarnation: String, tasks released: [String],
        now: Instant
    ) -> [Action] {
        let holder = Holder(worker: id, incarnation: incarnation)
        var actions: [Action] = []
        for taskId in released where tasks[taskId]?.state == .running && tasks[taskId]?.holder == holder {
            actions += requeue(taskId, countsAsFailure: false, reason: "released by worker \(id) (stopping)", now: now)
        }
        return actions + dispatch(now: now)
    }

    /// A worker stopping for good (after releasing or finishing its tasks).
    public mutating func deregister(worker id: String, incarnation: String, now: Instant) -> [Action] {
        guard let w = workers[id], w.incarnation == incarnation, w.alive else { return [] }
        var actions = loseIncarnation(
            Holder(worker: id, incarnation: incarnation), reason: "worker \(id) stopped", now: now)
        actions.insert(.log(.init(.notice, "worker stopped", ["worker": id])), at: 0)
        return actions + dispatch(now: now)
    }

    /// Marks the incarnation dead (if current) and re-queues all its leases as failed attempts.
    private mutating func loseIncarnation(_ holder: Holder, reason: String, now: Instant) -> [Action] {
        if workers[holder.worker]?.incarnation == holder.incarnation { workers[holder.worker]?.alive = false }
        taskPolls.removeAll { $0.holder == holder }  // its polls are answered by nobody now
        var actions: [Action] = []
        for taskId in taskOrder where tasks[taskId]?.state == .running && tasks[taskId]?.holder == holder {
            actions += requeue(taskId, countsAsFailure: true, reason: reason, now: now)
        }
        return actions
    }

    // MARK: - Tasks

    /// True when the planner may add a task (bounded read-ahead).
    public var hasRoomForTask: Bool {
        guard let job, job.error == nil else { return true }  // enqueue will refuse; don't block
        return pendingQueue.count < readAhead
    }

    /// Tasks the planner may keep pending: `settings.readAhead`, or one per two
    /// cores of the live workers when that is more (a larger cluster drains faster).
    public var readAhead: Int {
        let cores = workers.values.reduce(0) { $0 + ($1.alive ? $1.cores : 0) }
        return max(settings.readAhead, cores / 2)
    }

    /// Starts tracking a new job (the previous job's tasks are forgotten; the outbox keeps flowing).
    public mutating func startJob(_ jobId: String) {
        for id in taskOrder { tasks[id]?.payload = nil }
        tasks.removeAll()
        taskOrder.removeAll()
        pendingQueue.removeAll()
        job = JobProgress(jobId: jobId)
    }

    /// Adds a planned task. False when the job has stopped.
    public mutating func enqueue(_ task: WorkerTask, now: Instant) -> (Bool, [Action]) {
        guard var job, job.error == nil else { return (false, []) }
        let id = task.taskId
        guard tasks[id] == nil else { return (true, []) }  // planned twice: keep the first
        tasks[id] = Task(
            id: id, kind: task.kind, detail: task.detail, state: .pending, attempt: 0, failures: 0,
            payload: task)
        taskOrder.append(id)
        pendingQueue.append(id)
        job.planned += 1
        job.lastProgressAt = now
        self.job = job
        return (true, dispatch(now: now))
    }

    /// A worker asks for a task. It gets one now, or waits until `deadline`
    /// (a long poll: the answer comes from a later event or `tick`).
    public mutating func requestTask(
        poll: PollID, worker id: String, incarnation: String, deadline: Instant,
        now: Instant
    ) -> [Action] {
        guard let w = workers[id], w.incarnation == incarnation, w.alive else {
            return [.noTask(poll: poll, unknownWorker: true)]
        }
        taskPolls.append((poll, Holder(worker: id, incarnation: incarnation), deadline))
        return dispatch(now: now)
    }

    /// Hands pending tasks to waiting polls, in order.
    private mutating func dispatch(now: Instant) -> [Action] {
        var actions: [Action] = []
        while !taskPolls.isEmpty, !pendingQueue.isEmpty, job?.error == nil, outboxBytes < settings.maxOutboxBytes {
            let poll = taskPolls[0]
            guard workers[poll.holder.worker]?.incarnation == poll.holder.incarnation,
                workers[poll.holder.worker]?.alive == true
            else {
                taskPolls.removeFirst()
                actions.append(.noTask(poll: poll.poll, unknownWorker: true))
                continue
            }
            let id = pendingQueue.removeFirst()
            // cannot happen: pending tasks keep their payload
            guard var t = tasks[id], let payload = t.payload else { continue }
            taskPolls.removeFirst()
            t.state = .running
            t.attempt += 1
            t.holder = poll.holder
            t.lastWorker = poll.holder.worker
            t.leasedAt = now
            t.partTotals = SilverTotals()
            t.missedHeartbeats = 0
            tasks[id] = t
            job?.running += 1
            actions.append(.assign(poll: poll.poll, task: payload, attempt: t.attempt))
        }
        return actions
    }

    /// Whether a report from `holder` about `attempt` of `taskId` counts.
    private func isCurrentLease(_ taskId: String, _ holder: Holder, attempt: Int) -> String? {
        guard let t = tasks[taskId] else { return "not a task of the current job" }
        guard t.state == .running else { return "task is \(t.state.rawValue), not running" }
        guard t.holder == holder else { return "task is leased to another worker process" }
        guard t.attempt == attempt else { return "attempt \(attempt) is stale (current: \(t.attempt))" }
        guard workers[holder.worker]?.incarnation == holder.incarnation, workers[holder.worker]?.alive == true else {
            return "worker process is no longer registered"
        }
        return nil
    }

    /// A worker's result. Accepted only from the current holder of the
    /// current attempt; then queued for the loader. A part (a chunk before a
    /// whole document's last) is queued while the task keeps running; a
    /// re-run sends its parts again, and the loader drops the chunks it committed.
    public mutating func result(
        _ result: WorkerResult, worker id: String, incarnation: String, attempt: Int,
        now: Instant
    ) -> (accepted: Bool, reason: String, actions: [Action]) {
        let taskId = result.taskId
        if let why = isCurrentLease(taskId, Holder(worker: id, incarnation: incarnation), attempt: attempt) {
            return (
                false, why,
                [
                    .log(
                        .init(
                            .info, "discarded a result",
                            [
                                "task": taskId, "worker": id,
                                "attempt": "\(attempt)", "why": why,
                            ]))
                ]
            )
        }
        var t = tasks[taskId]!
        if result.isPart {
            t.partTotals = t.partTotals + result.silverTotals
            tasks[taskId] = t
            for message in result.loaderMessages { appendToOutbox(message, taskId: nil) }
            return (true, "", answerLoaderPolls(now: now))
        }
        let seconds = now - (t.leasedAt ?? now)
        let totals = t.partTotals + result.silverTotals
        t.state = .loading
        t.holder = nil
        t.payload = nil
        t.finishedAt = now
        t.seconds = seconds
        switch result {
        case .silver, .silverGroup, .silverChunk: t.records = totals.records
        case .gold, .silverDocumentFailed: break
        }
        tasks[taskId] = t
        job?.running -= 1
        workers[id]?.tasksDone += 1
        // The task commits when the loader acknowledges its last entry.
        let messages = result.loaderMessages
        for (i, message) in messages.enumerated() {
            appendToOutbox(message, taskId: i == messages.count - 1 ? taskId : nil)
        }
        let actions: [Action] = [.taskFinished(kind: t.kind, seconds: seconds, totals: totals)]
        return (true, "", actions + answerLoaderPolls(now: now) + dispatch(now: now))
    }

    /// A worker's failure report. Counts only from the current holder of the current attempt.
    public mutating func failure(
        task taskId: String, worker id: String, incarnation: String, attempt: Int,
        error: String, now: Instant
    ) -> [Action] {
        if let why = isCurrentLease(taskId, Holder(worker: id, incarnation: incarnation), attempt: attempt) {
            return [
                .log(
                    .init(
                        .info, "discarded a failure report",
                        [
                            "task": taskId, "worker": id, "attempt": "\(attempt)",
                            "why": why, "error": error,
                        ]))
            ]
        }
        var actions: [Action] = [
            .log(
                .init(
                    .warning, "task failed",
                    [
                        "task": taskId, "worker": id,
                        "attempt": "\(attempt)", "error": error,
                    ]))
        ]
        actions += requeue(taskId, countsAsFailure: true, reason: error, now: now)
        return actions + dispatch(now: now)
    }

    private mutating func requeue(_ taskId: String, countsAsFailure: Bool, reason: String, now: Instant) -> [Action] {
        guard var t = tasks[taskId], t.state == .running else { return [] }
        t.state = .pending
        t.holder = nil
        t.lastError = reason
        if countsAsFailure { t.failures += 1 }
        tasks[taskId] = t
        job?.running -= 1
        var actions: [Action] = [
            .log(
                .init(
                    .info, "task re-queued",
                    [
                        "task": taskId, "attempt": "\(t.attempt)",
                        "failures": "\(t.failures)", "why": reason,
                    ]))
        ]
        if t.failures >= settings.maxAttempts {
            tasks[taskId]?.state = .cancelled
            tasks[taskId]?.payload = nil
            actions += stopJob("task \(taskId) (\(t.detail)) failed \(t.failures) times; last error: \(reason)")
            return actions
        }
        pendingQueue.insert(taskId, at: 0)  // retried first
        return actions
    }

    // MARK: - Loader outbox

    /// Queues a planner message for the loader (in order with task results).
    public mutating func appendForLoader(_ message: LoaderMessage, now: Instant) -> [Action] {
        appendToOutbox(message, taskId: nil)
        return answerLoaderPolls(now: now)
    }

    private mutating func appendToOutbox(_ message: LoaderMessage, taskId: String?) {
        let seq = nextSeq
        nextSeq += 1
        outbox.append(LoaderEntry(seq: seq, message: message))
        outboxBytes += message.byteCount
        if let taskId { taskOfSeq[seq] = taskId }
    }

    /// The loader asks for entries after `after` (0: from the last
    /// acknowledgement; the loader fetches ahead while its lanes commit), up
    /// to about `maxBytes`; it waits until `deadline` if there are none.
    public mutating func loaderFetch(
        poll: PollID, maxBytes: Int, after: UInt64 = 0, deadline: Instant, now: Instant
    ) -> [Action] {
        loaderPolls.append((poll, maxBytes, after, deadline))
        return answerLoaderPolls(now: now)
    }

    private mutating func answerLoaderPolls(now: Instant) -> [Action] {
        guard !outbox.isEmpty else { return [] }
        var actions: [Action] = []
        var waiting: [(poll: PollID, maxBytes: Int, after: UInt64, deadline: Instant)] = []
        for poll in loaderPolls {
            let entries = batch(maxBytes: poll.maxBytes, after: poll.after)
            if entries.isEmpty {
                waiting.append(poll)
            } else {
                actions.append(.loaderWork(poll: poll.poll, entries: entries))
            }
        }
        loaderPolls = waiting
        if !actions.isEmpty { loaderFetchedAt = now }
        return actions
    }

    private func batch(maxBytes: Int, after: UInt64) -> [LoaderEntry] {
        var out: [LoaderEntry] = []
        var bytes = 0
        // Sequence numbers increase by one through the outbox: the first entry after `after` is found by arithmetic.
        guard let first = outbox.first else { return [] }
        let start = after < first.seq ? 0 : Int(after - first.seq) + 1
        for e in outbox.dropFirst(start) {
            if !out.isEmpty && bytes + e.message.byteCount > maxBytes { break }
            out.append(e)
            bytes += e.message.byteCount
        }
        return out
    }

    /// The loader committed every entry up to `seq` (under `epoch`). An
    /// acknowledgement for another coordinator process's outbox is ignored.
    public mutating func loaderAck(epoch: String, upTo seq: UInt64, now: Instant) -> (accepted: Bool, actions: [Action])
    {
        guard epoch == self.epoch else {
            return (
                false, [.log(.init(.notice, "ignored an acknowledgement for a previous coordinator", ["epoch": epoch]))]
            )
        }
        loaderError = nil
        guard seq > ackedSeq else { return (true, []) }
        // Removed at once below: one by one would move the rest of a long outbox per entry.
        let acknowledged = outbox.prefix { $0.seq <= seq }
        outbox.removeFirst(acknowledged.count)
        for first in acknowledged {
            outboxBytes -= first.message.byteCount
            if let taskId = taskOfSeq.removeValue(forKey: first.seq), tasks[taskId]?.state == .loading {
                tasks[taskId]?.state = .committed
                job?.committed += 1
                job?.recordsCommitted += tasks[taskId]?.records ?? 0
                job?.lastProgressAt = now
            }
        }
        ackedSeq = seq
        return (true, dispatch(now: now))  // room in the outbox may free leases
    }

    public mutating func loaderFailed(_ message: String) { loaderError = message }

    // MARK: - Jobs and time

    /// Stops the current job: nothing more is handed out; pending tasks are cancelled.
    public mutating func stopJob(_ error: String, killed: Bool = false) -> [Action] {
        guard var job, job.error == nil else { return [] }
        job.error = error
        job.killed = killed
        self.job = job
        for id in pendingQueue {
            tasks[id]?.state = .cancelled
            tasks[id]?.payload = nil
        }
        pendingQueue.removeAll()
        return [.log(.init(.error, "job stopped", ["job_id": job.jobId, "error": error]))]
    }

    /// The job's tasks all committed (or it stopped), and its results left the outbox.
    public var isJobDrained: Bool {
        guard let job else { return true }
        if job.error != nil { return true }
        return job.committed == job.planned && taskOfSeq.isEmpty
    }

    /// Time passes: silent workers are lost, expired polls answered empty.
    public mutating func tick(now: Instant) -> [Action] {
        var actions: [Action] = []
        for id in workers.keys.sorted() {
            guard let w = workers[id], w.alive, w.expires, now - w.lastHeartbeat > settings.workerTimeout else {
                continue
            }
            actions.append(
                .log(
                    .init(
                        .warning, "worker lost: no heartbeat within the timeout; its tasks are re-queued",
                        ["worker": id, "timeout_s": "\(settings.workerTimeout)"])))
            actions += loseIncarnation(
                Holder(worker: id, incarnation: w.incarnation),
                reason: "worker \(id) lost (no heartbeat for \(Int(settings.workerTimeout)) s)", now: now)
        }
        actions += dispatch(now: now)
        let expiredTasks = taskPolls.filter { $0.deadline <= now }
        taskPolls.removeAll { $0.deadline <= now }
        actions += expiredTasks.map { .noTask(poll: $0.poll, unknownWorker: false) }
        let expiredLoader = loaderPolls.filter { $0.deadline <= now }
        loaderPolls.removeAll { $0.deadline <= now }
        actions += expiredLoader.map { .loaderWork(poll: $0.poll, entries: []) }
        return actions
    }

    /// Forgets a poll whose requester went away (e.g. the server is closing).
    public mutating func cancelPolls() -> [Action] {
        let actions =
            taskPolls.map { Action.noTask(poll: $0.poll, unknownWorker: false) }
            + loaderPolls.map { Action.loaderWork(poll: $0.poll, entries: []) }
        taskPolls.removeAll()
        loaderPolls.removeAll()
        return actions
    }

    // MARK: - Views

    public var aliveWorkers: [Worker] { workers.values.filter(\.alive).sorted { $0.id < $1.id } }

    /// Task counts by state (every state present, zeros included).
    public var taskCounts: [TaskState: Int] {
        var counts = Dictionary(uniqueKeysWithValues: TaskState.allCases.map { ($0, 0) })
        for t in tasks.values { counts[t.state, default: 0] += 1 }
        return counts
    }

    /// The current job's tasks in plan order.
    public var taskList: [Task] { taskOrder.compactMap { tasks[$0] } }

    /// Checks the invariants the randomized test asserts after every event; nil when they hold.
    public func invariantViolation() -> String? {
        var pendingSeen = Set<String>()
        for id in pendingQueue {
            guard tasks[id]?.state == .pending else {
                return "queued task \(id) is \(tasks[id]?.state.rawValue ?? "unknown")"
            }
            guard pendingSeen.insert(id).inserted else { return "task \(id) queued twice" }
        }
        var running = 0
        for (id, t) in tasks {
            switch t.state {
            case .pending:
                if !pendingSeen.contains(id) { return "pending task \(id) is not queued" }
                if t.holder != nil { return "pending task \(id) has a holder" }
            case .running:
                running += 1
                guard let h = t.holder, let w = workers[h.worker], w.incarnation == h.incarnation, w.alive else {
                    return "running task \(id) is leased to a worker process that is not alive"
                }
            case .loading, .committed, .cancelled:
                if t.holder != nil { return "finished task \(id) has a holder" }
            }
            if t.failures > settings.maxAttempts {
                return "task \(id) failed \(t.failures) times (limit \(settings.maxAttempts))"
            }
            if t.failures >= settings.maxAttempts && job?.error == nil {
                return "task \(id) exhausted its attempts but the job goes on"
            }
        }
        if let job {
            if job.running != running { return "job counts \(job.running) running, tasks say \(running)" }
            let committed = tasks.values.filter { $0.state == .committed }.count
            if job.committed != committed { return "job counts \(job.committed) committed, tasks say \(committed)" }
        }
        if outboxBytes != outbox.reduce(0, { $0 + $1.message.byteCount }) { return "outbox byte count drifted" }
        if let first = outbox.first, outbox.last!.seq - first.seq != UInt64(outbox.count - 1) {
            return "outbox sequence numbers are not consecutive"  // the loader's fetch-after finds entries by them
        }
        return nil
    }
}

/// A structured log line the state machine asks for.
public struct ClusterLogEvent: Sendable {
    public enum Level: Sendable { case debug, info, notice, warning, error }
    public var level: Level
    public var message: String
    public var fields: [String: String]
    public init(_ level: Level, _ message: String, _ fields: [String: String]) {
        self.level = level
        self.message = message
        self.fields = fields
    }
}

extension WorkerTask {
    var kind: String {
        switch self {
        case .silver, .silverGroup: "silver"
        case .gold: "gold"
        }
    }

    /// One line naming what the task covers (errors and views).
    var detail: String {
        switch self {
        case .silver(let t):
            "\(t.source), chunk \(t.chunkIndex) from byte \(t.records.documentOffsets.first ?? 0), \(t.records.count) records"
        case .silverGroup(let g):
            "\(g.members.count) whole documents, \(g.members[0].source) to \(g.members[g.members.count - 1].source)"
        case .gold(let t):
            "gold bucket \(t.bucket): \(t.repos.prefix(3).joined(separator: ", "))\(t.repos.count > 3 ? ", ..." : "")"
        }
    }
}
