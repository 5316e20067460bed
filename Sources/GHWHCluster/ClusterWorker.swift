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
        /// Fault injection for tests: hold every task this long (a slow machine).
        public var taskDelay: Double = 0
        /// Fault injection for tests: fail every silver task whose source contains this (a poison chunk).
        public var failTasksMatching: String?
        public init(endpoint: ClusterEndpoint, workerId: String, cores: Int, conninfo: String?) {
            self.endpoint = endpoint; self.workerId = workerId; self.cores = cores; self.conninfo = conninfo
        }
    }

    let settings: Settings
    let logger: Logger
    let client: RequestClient
    private let lock = NSLock()
    private var running: Set<String> = []
    private var started = 0
    private var heartbeatInterval: Double = 5
    private var stopped = false

    public init(settings: Settings, logger: Logger) throws {
        self.settings = settings
        self.logger = logger
        client = try settings.endpoint.client(senderId: settings.workerId, callTimeout: 30)
    }

    /// Runs until `stop()`; returns after the task loops end.
    public func run() {
        registerUntilAccepted()
        LocalCluster.startThread(name: "ghwh-heartbeat") { [unowned self] in self.heartbeats() }
        let group = DispatchGroup()
        for slot in 0..<max(1, settings.cores) {
            group.enter()
            LocalCluster.startThread(name: "ghwh-task-\(slot)") { [unowned self] in
                self.taskLoop(slot: slot)
                group.leave()
            }
        }
        group.wait()
    }

    public func stop() { lock.withLock { stopped = true } }
    private var isStopped: Bool { lock.withLock { stopped } }

    private func registerUntilAccepted() {
        var delay = 0.2
        while !isStopped {
            do {
                let reply = try client.call(RegisterWorker(workerId: settings.workerId, host: ProcessInfo.processInfo.hostName,
                                                           cores: settings.cores)).decode(Registered.self)
                lock.withLock { heartbeatInterval = reply.heartbeatInterval }
                logger.notice("registered with the coordinator", metadata: ["url": "\(settings.endpoint.url)", "worker": "\(settings.workerId)"])
                return
            } catch {
                logger.warning("cannot register with the coordinator; retrying", metadata: ["url": "\(settings.endpoint.url)", "error": "\(error)"])
                Thread.sleep(forTimeInterval: delay)
                delay = min(delay * 2, 5)
            }
        }
    }

    private func heartbeats() {
        while !isStopped {
            Thread.sleep(forTimeInterval: lock.withLock { heartbeatInterval })
            let tasks = lock.withLock { Array(running) }
            do {
                let reply = try client.call(Heartbeat(workerId: settings.workerId, runningTasks: tasks)).decode(HeartbeatReply.self)
                if !reply.known { registerUntilAccepted() }
            } catch {
                logger.warning("heartbeat failed", metadata: ["error": "\(error)"])
            }
        }
    }

    private func taskLoop(slot: Int) {
        let silver = SilverWorker(name: settings.workerId)
        let gold = GoldWorker(name: settings.workerId)
        var goldStore: GoldStore?
        while !isStopped {
            let assignment: TaskAssignment
            let asked = Date()
            do {
                assignment = try client.call(RequestTask(workerId: settings.workerId)).decode(TaskAssignment.self)
            } catch {
                logger.warning("cannot reach the coordinator; retrying", metadata: ["error": "\(error)"])
                Thread.sleep(forTimeInterval: 1)
                continue
            }
            if assignment.unknownWorker { registerUntilAccepted(); continue }
            // The coordinator holds the request up to a second for work to appear (a long poll).
            guard let task = assignment.task else { continue }
            let n = lock.withLock { () -> Int in started += 1; running.insert(task.taskId); return started }
            if let limit = settings.exitAfterTasks, n > limit {
                logger.critical("fault injection: exiting abruptly with a task in hand", metadata: ["task": "\(task.taskId)"])
                _exit(137)
            }
            let fetched = Date()
            if settings.taskDelay > 0 { Thread.sleep(forTimeInterval: settings.taskDelay) }
            do {
                let result: WorkerResult
                switch task {
                case .silver(let t):
                    if let poison = settings.failTasksMatching, t.source.contains(poison) {
                        throw WarehouseError("fault injection: task of \(t.source) fails")
                    }
                    switch silver.run(t) {
                    case let .committed(commit, inputBytes): result = .silver(commit, inputBytes: inputBytes)
                    case let .documentFailed(reason): result = .silverDocumentFailed(t.withoutPayload, reason: reason)
                    }
                case .gold(let t):
                    guard let conninfo = settings.conninfo else {
                        throw WarehouseError("this worker has no database configured (GHWH_DATABASE_URL) for gold tasks")
                    }
                    if goldStore == nil { goldStore = GoldStore(try PGConnection(conninfo: conninfo)) }
                    result = .gold(try gold.run(t, store: goldStore!))
                }
                let ran = Date()
                submit(result, attempt: assignment.attempt)
                logger.debug("task done", metadata: ["task": "\(task.taskId)", "fetch_ms": "\(Int(ran.timeIntervalSince(asked) * 1000) - Int(ran.timeIntervalSince(fetched) * 1000))",
                                                     "run_ms": "\(Int(ran.timeIntervalSince(fetched) * 1000))",
                                                     "submit_ms": "\(Int(Date().timeIntervalSince(ran) * 1000))"])
            } catch {
                goldStore = nil
                _ = try? client.call(ReportTaskFailure(workerId: settings.workerId, taskId: task.taskId,
                                                       attempt: assignment.attempt, error: "\(error)"))
            }
            lock.withLock { _ = running.remove(task.taskId) }
        }
    }

    /// Delivers a result; retried while the coordinator is unreachable (it
    /// discards duplicates, so a retry is safe).
    private func submit(_ result: WorkerResult, attempt: Int) {
        for delay in [0.2, 0.5, 1, 2, 4, 8] {
            do {
                let ack = try client.call(SubmitResult(workerId: settings.workerId, attempt: attempt, result: result)).decode(Ack.self)
                if !ack.accepted { logger.info("result not needed", metadata: ["task": "\(result.taskId)", "why": "\(ack.message)"]) }
                return
            } catch {
                logger.warning("cannot deliver a result; retrying", metadata: ["task": "\(result.taskId)", "error": "\(error)"])
                Thread.sleep(forTimeInterval: delay)
            }
        }
    }
}
