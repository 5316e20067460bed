import Foundation
import GHWHWarehouse

/// The coordinator's state, like Spark's master: workers and their
/// heartbeats, the queue of pending tasks (bounded read-ahead), leases,
/// attempts, and the ordered outbox the loader drains. Thread-safe; every
/// method is short and never blocks on I/O, except `enqueue`, which waits
/// for room (back-pressure on the planner).
public final class Scheduler: @unchecked Sendable {
    public struct Settings: Sendable {
        /// Spark's default: a worker silent this long is lost and its tasks re-run.
        public var workerTimeout: Double = 60
        /// Spark's default task attempts before the job fails.
        public var maxAttempts = 4
        /// Tasks planned ahead of the workers (each holds up to a chunk of records).
        public var readAhead = 4
        /// Results waiting for the loader, in bytes, before no new task is handed out.
        public var maxOutboxBytes = 256 << 20
        public init() {}
    }

    struct WorkerInfo: Sendable {
        var id: String, host: String, cores: Int
        var lastHeartbeat: Date
        var alive = true
        var tasksDone = 0
    }

    struct Lease: Sendable {
        var task: WorkerTask
        var worker: String
        var attempt: Int
        var started = Date()
    }

    /// A task's state, for the web UI.
    struct TaskView: Sendable {
        var id: String, kind: String, detail: String, state: String, worker: String?, attempts: Int, error: String?
    }

    /// Observers for metrics (set once, before the coordinator serves).
    var onTaskFinished: (@Sendable (_ kind: String, _ seconds: Double, _ records: Int, _ bytes: Int64, _ rejects: Int) -> Void)?
    var onLoaderCommit: (@Sendable (_ seconds: Double) -> Void)?

    struct Pending: Sendable {
        var task: WorkerTask
        var attempt: Int
    }

    private let lock = NSCondition()
    let settings: Settings
    private(set) var workers: [String: WorkerInfo] = [:]
    private var pending: [Pending] = []
    private var leases: [String: Lease] = [:]
    /// Tasks whose result is in the outbox or committed: later results are duplicates.
    private var resulted: Set<String> = []
    private var taskOfSeq: [UInt64: String] = [:]
    private var lastError: [String: String] = [:]
    private var committedIds: [String] = []
    private var fetchedAt: Date?
    private var plannedTasks = 0
    private var committedTasks = 0
    private var outbox: [LoaderEntry] = []
    private var outboxBytes = 0
    private var nextSeq: UInt64 = 1
    private var ackedSeq: UInt64 = 0
    /// Set when the current job must stop (a task failed too often, or a kill).
    private(set) var jobError: String?
    private(set) var loaderError: String?

    init(settings: Settings) { self.settings = settings }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock(); defer { lock.broadcast(); lock.unlock() }
        return try body()
    }

    // MARK: Workers

    func register(_ m: RegisterWorker) {
        locked {
            workers[m.workerId] = WorkerInfo(id: m.workerId, host: m.host, cores: m.cores, lastHeartbeat: Date())
        }
    }

    /// False if the worker is unknown or was declared lost (it must register again).
    func heartbeat(_ m: Heartbeat) -> Bool {
        locked {
            guard var w = workers[m.workerId], w.alive else { return false }
            w.lastHeartbeat = Date()
            workers[m.workerId] = w
            return true
        }
    }

    var aliveWorkers: [WorkerInfo] { locked { workers.values.filter(\.alive) } }
    var allWorkers: [WorkerInfo] { locked { Array(workers.values) } }

    /// Declares workers silent for longer than the timeout lost and re-queues their tasks.
    func expireWorkers(now: Date = Date()) -> [String] {
        locked {
            var lost: [String] = []
            for (id, w) in workers where w.alive && now.timeIntervalSince(w.lastHeartbeat) > settings.workerTimeout {
                workers[id]?.alive = false
                lost.append(id)
                for (taskId, lease) in leases where lease.worker == id {
                    leases[taskId] = nil
                    requeueLocked(lease.task, attempt: lease.attempt, reason: "worker \(id) lost (no heartbeat for \(Int(settings.workerTimeout)) s)")
                }
            }
            return lost
        }
    }

    // MARK: Tasks

    /// Adds a planned task; blocks while the read-ahead is full. Returns false if the job stopped.
    func enqueue(_ task: WorkerTask) -> Bool {
        lock.lock(); defer { lock.broadcast(); lock.unlock() }
        while jobError == nil && pending.count >= settings.readAhead { lock.wait() }
        if jobError != nil { return false }
        pending.append(Pending(task: task, attempt: 1))
        plannedTasks += 1
        return true
    }

    /// The next task for a worker, leased to it; waits up to `wait` seconds
    /// for one (a long poll, so idle workers react at once); nil when none
    /// came (or the loader is far behind).
    func nextTask(for workerId: String, wait: Double = 0) -> (WorkerTask, Int)? {
        lock.lock(); defer { lock.broadcast(); lock.unlock() }
        let deadline = Date().addingTimeInterval(wait)
        while true {
            guard workers[workerId]?.alive == true else { return nil }
            if jobError == nil, outboxBytes < settings.maxOutboxBytes, !pending.isEmpty {
                let p = pending.removeFirst()
                leases[p.task.taskId] = Lease(task: p.task, worker: workerId, attempt: p.attempt)
                return (p.task, p.attempt)
            }
            if Date() >= deadline || !lock.wait(until: deadline) { return nil }
        }
    }

    var runningTasks: [String: String] { locked { leases.mapValues(\.worker) } }

    /// A worker's result: queued for the loader unless the task already has one.
    func accept(_ result: WorkerResult, from workerId: String) -> Bool {
        locked {
            let id = result.taskId
            guard !resulted.contains(id) else { return false }
            guard leases[id] != nil || pending.contains(where: { $0.task.taskId == id }) else { return false }
            if let lease = leases[id] {
                let seconds = Date().timeIntervalSince(lease.started)
                switch result {
                case .silver(let c, let bytes): onTaskFinished?("silver", seconds, c.records, Int64(bytes), c.rejectCount)
                case .silverDocumentFailed: onTaskFinished?("silver", seconds, 0, 0, 0)
                case .gold: onTaskFinished?("gold", seconds, 0, 0, 0)
                }
            }
            leases[id] = nil
            pending.removeAll { $0.task.taskId == id }  // a re-queued copy is no longer needed
            resulted.insert(id)
            workers[workerId]?.tasksDone += 1
            appendLocked(result.loaderMessage, taskId: id)
            return true
        }
    }

    func fail(taskId: String, attempt: Int, error: String) {
        locked {
            guard let lease = leases[taskId] else { return }
            leases[taskId] = nil
            requeueLocked(lease.task, attempt: lease.attempt, reason: error)
        }
    }

    private func requeueLocked(_ task: WorkerTask, attempt: Int, reason: String) {
        lastError[task.taskId] = reason
        if attempt >= settings.maxAttempts {
            if jobError == nil { jobError = "task \(task.taskId)\(Self.describe(task)) failed \(attempt) times; last error: \(reason)" }
            return
        }
        pending.insert(Pending(task: task, attempt: attempt + 1), at: 0)
    }

    static func describe(_ task: WorkerTask) -> String {
        switch task {
        case .silver(let t):
            " (\(t.source), chunk \(t.chunkIndex) from byte \(t.records.documentOffsets.first ?? 0), \(t.records.count) records)"
        case .gold(let t):
            " (gold bucket \(t.bucket): \(t.repos.prefix(3).joined(separator: ", "))\(t.repos.count > 3 ? ", ..." : ""))"
        }
    }

    // MARK: Loader outbox

    func appendForLoader(_ message: LoaderMessage) { locked { appendLocked(message, taskId: nil) } }

    private func appendLocked(_ message: LoaderMessage, taskId: String?) {
        let seq = nextSeq
        nextSeq += 1
        outbox.append(LoaderEntry(seq: seq, message: message))
        outboxBytes += message.byteCount
        if let taskId { taskOfSeq[seq] = taskId }
    }

    /// Entries after the last acknowledgement, up to about `maxBytes`;
    /// waits up to `wait` seconds for the first one (a long poll).
    func loaderBatch(maxBytes: Int, wait: Double = 0) -> [LoaderEntry] {
        lock.lock(); defer { lock.broadcast(); lock.unlock() }
        let deadline = Date().addingTimeInterval(wait)
        while outbox.isEmpty && Date() < deadline { _ = lock.wait(until: deadline) }
        do {
            if !outbox.isEmpty { fetchedAt = Date() }
            var out: [LoaderEntry] = []
            var bytes = 0
            for e in outbox {
                if !out.isEmpty && bytes + e.message.byteCount > maxBytes { break }
                out.append(e); bytes += e.message.byteCount
            }
            return out
        }
    }

    /// The loader committed every entry up to `seq`.
    func acknowledge(upTo seq: UInt64) {
        locked {
            loaderError = nil
            guard seq > ackedSeq else { return }
            while let first = outbox.first, first.seq <= seq {
                outbox.removeFirst()
                outboxBytes -= first.message.byteCount
                if let task = taskOfSeq.removeValue(forKey: first.seq) {
                    committedTasks += 1
                    committedIds.append(task)
                }
            }
            ackedSeq = seq
            if let fetchedAt { onLoaderCommit?(Date().timeIntervalSince(fetchedAt)) }
        }
    }

    func reportLoaderError(_ message: String) { locked { loaderError = message } }

    // MARK: Job lifecycle

    func stopJob(_ error: String) { locked { if jobError == nil { jobError = error }; pending.removeAll() } }

    /// Waits until every planned task committed and the outbox is drained, or the job stopped.
    func waitUntilDrained() {
        lock.lock(); defer { lock.unlock() }
        while jobError == nil && !(committedTasks == plannedTasks && outbox.isEmpty) {
            _ = lock.wait(until: Date().addingTimeInterval(0.5))
        }
    }

    /// Waits until the outbox is empty (used after a job stopped, so its final record lands).
    func waitUntilOutboxEmpty(timeout: Double) -> Bool {
        lock.lock(); defer { lock.unlock() }
        let deadline = Date().addingTimeInterval(timeout)
        while !outbox.isEmpty && Date() < deadline { _ = lock.wait(until: min(deadline, Date().addingTimeInterval(0.5))) }
        return outbox.isEmpty
    }

    /// Forgets the previous job's tasks (the outbox keeps flowing).
    func resetForNextJob() {
        locked {
            pending.removeAll(); leases.removeAll(); resulted.removeAll()
            plannedTasks = 0; committedTasks = 0; jobError = nil
            taskOfSeq.removeAll(); lastError.removeAll(); committedIds.removeAll()
        }
    }

    /// The current job's tasks: pending, running, waiting for the loader, committed (newest 500).
    func taskViews() -> [TaskView] {
        locked {
            func view(_ t: WorkerTask, _ state: String, worker: String?, attempts: Int) -> TaskView {
                let kind: String
                if case .silver = t { kind = "silver" } else { kind = "gold" }
                return TaskView(id: t.taskId, kind: kind, detail: String(Self.describe(t).dropFirst(2).dropLast()), state: state,
                                worker: worker, attempts: attempts, error: lastError[t.taskId])
            }
            var out = leases.values.map { view($0.task, "running", worker: $0.worker, attempts: $0.attempt) }
            out += pending.map { view($0.task, $0.attempt > 1 ? "retrying" : "pending", worker: nil, attempts: $0.attempt - 1) }
            let waiting = Set(taskOfSeq.values)
            out += waiting.sorted().map { TaskView(id: $0, kind: "", detail: "", state: "loading", worker: nil, attempts: 0, error: nil) }
            out += committedIds.suffix(500).reversed().map {
                TaskView(id: $0, kind: "", detail: "", state: "committed", worker: nil, attempts: 0, error: lastError[$0])
            }
            if let jobError { out.insert(TaskView(id: "job", kind: "", detail: "", state: "failed", worker: nil, attempts: 0, error: jobError), at: 0) }
            return out
        }
    }

    var progress: (planned: Int, committed: Int, running: Int) {
        locked { (plannedTasks, committedTasks, leases.count) }
    }
}
