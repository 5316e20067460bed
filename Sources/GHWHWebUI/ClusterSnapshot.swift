import Foundation

/// Everything the web UI shows, taken by the coordinator at one instant.
///
/// The web UI knows nothing else about ghwh: the coordinator builds one of these
/// per request through the closure it hands to ``CoordinatorWebUI``.
public struct ClusterSnapshot: Sendable, Codable, Equatable {
    /// One worker process as the coordinator sees it.
    public struct Worker: Sendable, Codable, Equatable {
        public var id: String
        public var host: String
        public var cores: Int
        /// False once its heartbeat lease has lapsed ("lost").
        public var alive: Bool
        public var lastHeartbeat: Date
        public var tasksDone: Int
        /// Ids of the tasks it runs now.
        public var currentTasks: [String]

        public init(
            id: String, host: String, cores: Int, alive: Bool, lastHeartbeat: Date,
            tasksDone: Int, currentTasks: [String]
        ) {
            self.id = id
            self.host = host
            self.cores = cores
            self.alive = alive
            self.lastHeartbeat = lastHeartbeat
            self.tasksDone = tasksDone
            self.currentTasks = currentTasks
        }
    }

    /// One task of a job.
    public struct TaskInfo: Sendable, Codable, Equatable {
        public var id: String
        /// `silver` or `gold`.
        public var kind: String
        /// Source file and chunk for silver, hash bucket for gold.
        public var detail: String
        /// One of `ClusterMetrics.taskStates`: `pending`, `running`, `loading`, `committed`, `cancelled`.
        public var state: String
        public var worker: String?
        public var attempts: Int
        public var error: String?
        /// Wall time on its worker, once it finished there.
        public var seconds: Double?
        /// Records of a finished silver task.
        public var records: Int?

        public init(
            id: String, kind: String, detail: String, state: String, worker: String?,
            attempts: Int, error: String?, seconds: Double? = nil, records: Int? = nil
        ) {
            self.id = id
            self.kind = kind
            self.detail = detail
            self.state = state
            self.worker = worker
            self.attempts = attempts
            self.error = error
            self.seconds = seconds
            self.records = records
        }
    }

    /// One submitted job.
    public struct Job: Sendable, Codable, Equatable {
        public var id: String
        /// Job name, e.g. `sta_github_issues`.
        public var job: String
        public var from: String?
        public var to: String?
        /// `queued`, `running`, `succeeded`, `failed` or `killed`.
        public var state: String
        public var phase: String
        public var submittedAt: Date
        public var startedAt: Date?
        public var finishedAt: Date?
        public var tasksPlanned: Int
        public var tasksDone: Int
        public var tasksRunning: Int
        public var records: Int
        public var uncompressedBytes: Int64
        public var rejects: Int
        /// Failed documents and similar, one line each.
        public var failures: [String]
        public var error: String?
        /// May be empty for old jobs.
        public var tasks: [TaskInfo]

        public init(
            id: String, job: String, from: String?, to: String?, state: String, phase: String,
            submittedAt: Date, startedAt: Date?, finishedAt: Date?, tasksPlanned: Int,
            tasksDone: Int, tasksRunning: Int, records: Int, uncompressedBytes: Int64,
            rejects: Int, failures: [String], error: String?, tasks: [TaskInfo]
        ) {
            self.id = id
            self.job = job
            self.from = from
            self.to = to
            self.state = state
            self.phase = phase
            self.submittedAt = submittedAt
            self.startedAt = startedAt
            self.finishedAt = finishedAt
            self.tasksPlanned = tasksPlanned
            self.tasksDone = tasksDone
            self.tasksRunning = tasksRunning
            self.records = records
            self.uncompressedBytes = uncompressedBytes
            self.rejects = rejects
            self.failures = failures
            self.error = error
            self.tasks = tasks
        }
    }

    public var coordinatorURL: String
    public var startedAt: Date
    public var generatedAt: Date
    public var workers: [Worker]
    /// Newest first.
    public var jobs: [Job]
    public var loaderError: String?

    public init(
        coordinatorURL: String, startedAt: Date, generatedAt: Date, workers: [Worker],
        jobs: [Job], loaderError: String?
    ) {
        self.coordinatorURL = coordinatorURL
        self.startedAt = startedAt
        self.generatedAt = generatedAt
        self.workers = workers
        self.jobs = jobs
        self.loaderError = loaderError
    }
}

extension ClusterSnapshot {
    /// The job with this id, if the snapshot has it.
    public func job(id: String) -> Job? {
        jobs.first { $0.id == id }
    }

    /// The job the cluster works on now: the newest running one, else nil.
    public var currentJob: Job? {
        jobs.first { $0.state == "running" }
    }
}
