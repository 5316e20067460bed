import Foundation
import GHWHWarehouse
import GHWHWire
import Logging

/// `ghwh worker`: registers with the coordinator, heartbeats, and runs
/// `cores` task loops that ask for work, run it and return the result. It
/// needs no access to raw storage (tasks carry their records); gold tasks read
/// silver from PostgreSQL.
public final class ClusterWorker: @unchecked Sendable {
    public struct Settings: Sendable {
        public var endpoint: ClusterEndpoint
        public var workerId: String
        public var cores: Int
        /// For gold tasks (read-only); nil: gold tasks fail with a clear error.
        public var conninfo: String?
        /// Fault injection for tests: the process exits abruptly when handed its task number N+1.
        public var exitAfterTasks: Int?
        /// Fault injection for tests: the process exits abruptly once the coordinator accepted
        /// this many parts of whole documents' results (the rest of the document unsent).
        public var exitAfterParts: Int?
        /// Fault injection for tests: hold every task this long (a slow machine).
        public var taskDelay: Double = 0
        /// Fault injection for tests: fail every silver task whose source contains this (a poison chunk).
        public var failTasksMatching: String?
        /// Seconds a stopping worker lets running tasks finish before handing them back.
        public var shutdownGrace: Double = 30
        public init(endpoint: ClusterEndpoint, workerId: String, cores: Int, conninfo: String?) {
            self.endpoint = endpoint
            self.workerId = workerId
            self.cores = cores
            self.conninfo = conninfo
        }
    }

    let settings: Settings
    let logger: Logger
    let client: RequestClient
    /// This process: a restart under the same worker id is a new incarnation.
    public let incarnation = UUID().uuidString
    private let lock = NSLock()
    /// Tasks in hand: id -> told to stop (the coordinator re-queued it; its result would be discarded).
    private var running: [String: Bool] = [:]
    private var started = 0
    private var partsSent = 0
    private var heartbeatInterval: Double = 5
    private var stopping = false
    private let stopRequested = DispatchSemaphore(value: 0)

    public init(settings: Settings, logger: Logger) throws {
        self.settings = settings
        self.logger = logger
        client = try settings.endpoint.client(senderId: settings.workerId, callTimeout: 30)
    }

    /// Runs until `stop()`: then takes no new task, gives the running ones
    /// `shutdownGrace` seconds, hands back what is unfinished and leaves.
    public func run() {
        registerUntilAccepted()
        LocalCluster.startThread(name: "ghwh-heartbeat") { [unowned self] in self.heartbeats() }
        let loops = DispatchGroup()
        for slot in 0..<max(1, settings.cores) {
            loops.enter()
            LocalCluster.startThread(name: "ghwh-task-\(slot)") { [unowned self] in
                self.taskLoop(slot: slot)
                loops.leave()
            }
        }
        stopRequested.wait()
        let finished = loops.wait(timeout: .now() + settings.shutdownGrace) == .success
        let unfinished = lock.withLock { Array(running.keys).sorted() }
        if !finished {
            logger.warning(
                "shutdown grace over: handing running tasks back",
                metadata: [
                    "grace_s": "\(settings.shutdownGrace)", "tasks": "\(unfinished.joined(separator: ","))",
                ])
        }
        leave(handingBack: unfinished)
    }

    /// Asks the worker to stop gracefully (returns at once; `run` returns when done).
    public func stop() {
        let first = lock.withLock { () -> Bool in
            defer { stopping = true }
            return !stopping
        }
        guard first else { return }
        logger.notice(
            "stopping: no new tasks; running tasks finish or are handed back",
            metadata: ["grace_s": "\(settings.shutdownGrace)"])
        stopRequested.signal()
    }

    private var isStopping: Bool { lock.withLock { stopping } }

    private func leave(handingBack tasks: [String]) {
        do {
            _ = try client.call(
                ReleaseTasks(workerId: settings.workerId, incarnation: incarnation, taskIds: tasks, leaving: true),
                timeout: 5)
            logger.notice("worker stopped", metadata: ["handed_back": "\(tasks.count)"])
        } catch {
            logger.warning(
                "could not tell the coordinator that this worker leaves (its tasks re-run when the connection closes)",
                metadata: ["error": "\(error)"])
        }
    }

    private func registerUntilAccepted() {
        var backoff = Backoff.toCoordinator
        while !isStopping {
            do {
                let reply = try client.call(
                    RegisterWorker(
                        workerId: settings.workerId, host: ProcessInfo.processInfo.hostName,
                        cores: settings.cores, incarnation: incarnation)
                ).decode(Registered.self)
                lock.withLock { heartbeatInterval = reply.heartbeatInterval }
                logger.notice(
                    "registered with the coordinator",
                    metadata: [
                        "url": "\(settings.endpoint.url)", "worker": "\(settings.workerId)",
                        "incarnation": "\(incarnation)",
                    ])
                return
            } catch {
                logger.warning(
                    "cannot register with the coordinator; retrying",
                    metadata: ["url": "\(settings.endpoint.url)", "error": "\(error)"])
                Thread.sleep(forTimeInterval: backoff.nextDelay() ?? backoff.cap)
            }
        }
    }

    private func heartbeats() {
        while !isStopping {
            if stopRequested.wait(timeout: .now() + lock.withLock({ heartbeatInterval })) == .success {
                stopRequested.signal()  // not ours to take: `run` waits on it
                return
            }
            let tasks = lock.withLock { Array(running.keys) }
            do {
                let reply = try client.call(
                    Heartbeat(workerId: settings.workerId, incarnation: incarnation, runningTasks: tasks)
                )
                .decode(HeartbeatReply.self)
                if !reply.stop.isEmpty {
                    logger.notice(
                        "the coordinator re-queued tasks this worker runs: their results will not be sent",
                        metadata: ["tasks": "\(reply.stop.joined(separator: ","))"])
                    lock.withLock { for id in reply.stop where running[id] != nil { running[id] = true } }
                }
                if !reply.known { registerUntilAccepted() }
            } catch {
                logger.warning("heartbeat failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// What one task slot keeps between tasks: the transforms, gold's connection
    /// and its schedule for reaching the coordinator.
    private struct Slot {
        let silver: SilverTaskRunner
        let gold: GoldWorker
        var goldStore: GoldStore?
        var reach = Backoff.toCoordinator
    }

    private func taskLoop(slot: Int) {
        var runner = Slot(
            silver: SilverTaskRunner(name: settings.workerId), gold: GoldWorker(name: settings.workerId))
        while !isStopping {
            let asked = Date()
            guard let assignment = requestTask(&runner), let task = assignment.task else { continue }
            if isStopping {  // leased while we were asked to stop: hand it straight back
                _ = try? client.call(
                    ReleaseTasks(
                        workerId: settings.workerId, incarnation: incarnation, taskIds: [task.taskId],
                        leaving: false), timeout: 5)
                break
            }
            let n = lock.withLock { () -> Int in
                started += 1
                running[task.taskId] = false
                return started
            }
            if let limit = settings.exitAfterTasks, n > limit {
                logger.critical(
                    "fault injection: exiting abruptly with a task in hand", metadata: ["task": "\(task.taskId)"])
                _exit(137)
            }
            let fetched = Date()
            // As a Spark executor logs "Running task": from here a SIGTERM finds it running.
            logger.info("task started", metadata: ["task": "\(task.taskId)", "attempt": "\(assignment.attempt)"])
            // fault injection: a slow machine
            if settings.taskDelay > 0 { Thread.sleep(forTimeInterval: settings.taskDelay) }
            do {
                guard let result = try run(task, in: &runner, attempt: assignment.attempt) else {
                    logger.info(
                        "task abandoned: a part of its result was refused or undeliverable",
                        metadata: ["task": "\(task.taskId)"])
                    lock.withLock { _ = running.removeValue(forKey: task.taskId) }
                    continue
                }
                let ran = Date()
                if lock.withLock({ running[task.taskId] == true }) {
                    logger.info(
                        "task result dropped: the coordinator re-queued it", metadata: ["task": "\(task.taskId)"])
                } else {
                    try deliver(result, of: task, attempt: assignment.attempt)
                }
                logger.debug(
                    "task done",
                    metadata: [
                        "task": "\(task.taskId)", "fetch_ms": "\(Int(fetched.timeIntervalSince(asked) * 1000))",
                        "run_ms": "\(Int(ran.timeIntervalSince(fetched) * 1000))",
                        "submit_ms": "\(Int(Date().timeIntervalSince(ran) * 1000))",
                    ])
            } catch {
                runner.goldStore = nil
                _ = try? client.call(
                    ReportTaskFailure(
                        workerId: settings.workerId, incarnation: incarnation, taskId: task.taskId,
                        attempt: assignment.attempt, error: "\(error)"))
            }
            lock.withLock { _ = running.removeValue(forKey: task.taskId) }
        }
    }

    /// Asks the coordinator for a task (it holds the request up to a second
    /// for work to appear: a long poll). Nil after a failed call (retried by
    /// the caller after the backoff's delay) or when this worker had to register again.
    private func requestTask(_ runner: inout Slot) -> TaskAssignment? {
        let assignment: TaskAssignment
        do {
            assignment = try client.call(RequestTask(workerId: settings.workerId, incarnation: incarnation))
                .decode(TaskAssignment.self)
            runner.reach.reset()
        } catch {
            let delay = runner.reach.nextDelay() ?? runner.reach.cap
            logger.warning(
                "cannot reach the coordinator; retrying", metadata: ["delay_s": "\(delay)", "error": "\(error)"])
            Thread.sleep(forTimeInterval: delay)
            return nil
        }
        if assignment.unknownWorker {
            registerUntilAccepted()
            return nil
        }
        return assignment
    }

    /// Runs a task; nil when it was abandoned (a part of a whole document's
    /// result was refused: the lease is gone, or it could not be delivered).
    private func run(_ task: WorkerTask, in runner: inout Slot, attempt: Int) throws -> WorkerResult? {
        switch task {
        case .silver(let t):
            try injectFault(t)
            var tooLarge: String?
            let result = runner.silver.result(of: t) { part in
                if lock.withLock({ running[t.taskId] == true }) { return false }
                switch submit(part, attempt: attempt) {
                case .accepted:
                    exitIfEnoughPartsSent(of: t)
                    return true
                case .notNeeded, .givenUp: return false
                case .tooLarge(let bytes, let limit):
                    tooLarge = Self.tooLarge(bytes: bytes, limit: limit)
                    return false
                }
            }
            if let tooLarge { return .silverDocumentFailed(t.withoutPayload, reason: tooLarge) }
            return result
        case .silverGroup(let g):
            for t in g.members { try injectFault(t) }
            return runner.silver.result(of: g)
        case .gold(let t):
            guard let conninfo = settings.conninfo else {
                throw WarehouseError("this worker has no database configured (GHWH_DATABASE_URL) for gold tasks")
            }
            return .gold(try runner.gold.run(t, conninfo: conninfo, store: &runner.goldStore, logger: logger))
        }
    }

    private func exitIfEnoughPartsSent(of t: SilverTask) {
        guard let limit = settings.exitAfterParts else { return }
        let sent = lock.withLock { () -> Int in
            partsSent += 1
            return partsSent
        }
        guard sent >= limit else { return }
        logger.critical(
            "fault injection: exiting abruptly in the middle of a document's result",
            metadata: ["task": "\(t.taskId)", "parts_sent": "\(sent)"])
        _exit(137)
    }

    private func injectFault(_ t: SilverTask) throws {
        if let poison = settings.failTasksMatching, t.source.contains(poison) {
            throw WarehouseError("fault injection: task of \(t.source) fails")
        }
    }

    /// What became of a result the worker sent.
    enum Delivery {
        case accepted
        /// The coordinator no longer wants it (the lease is gone).
        case notNeeded
        /// The coordinator stayed unreachable.
        case givenUp
        /// Above the cluster's message limit: it can never be sent.
        case tooLarge(bytes: Int, limit: Int)
    }

    /// Submits a finished task's result. One above the message limit can
    /// never travel: a document's own output fails the document (as a broken
    /// one does); a task group's largest members fail, largest first, until
    /// the rest fits; anything else fails the task.
    private func deliver(_ result: WorkerResult, of task: WorkerTask, attempt: Int) throws {
        var current = result
        while case .tooLarge(let bytes, let limit) = submit(current, attempt: attempt) {
            switch (task, current) {
            case (.silver(let t), _):
                submit(
                    .silverDocumentFailed(t.withoutPayload, reason: Self.tooLarge(bytes: bytes, limit: limit)),
                    attempt: attempt)
                return
            case (.silverGroup(let g), .silverGroup(let id, var members)):
                let sizes = members.map { member -> Int in
                    guard case .silver = member else { return 0 }
                    var w = WireWriter()
                    member.encode(into: &w)
                    return w.payload.count
                }
                guard let largest = sizes.indices.max(by: { sizes[$0] < sizes[$1] }), sizes[largest] > 0 else {
                    throw WarehouseError(Self.tooLarge(bytes: bytes, limit: limit))
                }
                members[largest] = .silverDocumentFailed(
                    g.members[largest].withoutPayload,
                    reason: Self.tooLarge(bytes: sizes[largest], limit: limit, groupBytes: bytes))
                current = .silverGroup(taskId: id, members)
            default:
                throw WarehouseError(Self.tooLarge(bytes: bytes, limit: limit))
            }
        }
    }

    /// Why a document fails when its result (or its task group's, `groupBytes`) cannot be sent.
    static func tooLarge(bytes: Int, limit: Int, groupBytes: Int? = nil) -> String {
        let whose = groupBytes.map { ", the largest of its task group's \($0)" } ?? ""
        return
            "its result is \(bytes) bytes\(whose), above the cluster's \(limit)-byte message limit (--max-message-mb); nothing of the document is loaded"
    }

    /// Delivers a result; retried while the coordinator is unreachable (it
    /// discards duplicates, so a retry is safe). Given up after 15 s of
    /// waiting: the slot moves on, and the coordinator re-queues the task once
    /// two heartbeats no longer list it. A result above the message limit is
    /// not retried: it can never be sent.
    @discardableResult
    private func submit(_ result: WorkerResult, attempt: Int) -> Delivery {
        var backoff = Backoff(budget: 15)
        while true {
            do {
                let ack = try client.call(
                    SubmitResult(
                        workerId: settings.workerId, incarnation: incarnation, attempt: attempt,
                        result: result)
                ).decode(Ack.self)
                if !ack.accepted {
                    logger.info("result not needed", metadata: ["task": "\(result.taskId)", "why": "\(ack.message)"])
                }
                return ack.accepted ? .accepted : .notNeeded
            } catch {
                if case WireError.tooLarge(let bytes, let limit) = error {
                    logger.error(
                        "a result is above the message limit; its document fails",
                        metadata: ["task": "\(result.taskId)", "bytes": "\(bytes)", "limit": "\(limit)"])
                    return .tooLarge(bytes: bytes, limit: limit)
                }
                guard let delay = backoff.nextDelay() else {
                    logger.warning(
                        "cannot deliver a result; giving it up",
                        metadata: ["task": "\(result.taskId)", "error": "\(error)"])
                    return .givenUp
                }
                logger.warning(
                    "cannot deliver a result; retrying", metadata: ["task": "\(result.taskId)", "error": "\(error)"])
                Thread.sleep(forTimeInterval: delay)
            }
        }
    }
}
