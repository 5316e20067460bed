import Foundation

/// One job's run as the job driver, the coordinator's status answers and the
/// progress lines see it. Thread-safe: every field is read and written
/// through `read`/`update` under the run's own lock.
public final class JobRun: @unchecked Sendable {
    public struct Fields: Sendable {
        public var state: JobStatus.State = .queued
        public var phase = "queued"
        public var summary: JobSummary
        public var planner = Planner.Progress()
        public var goldTasks = 0
        public var started: Date?
        public var finished: Date?
        public var error: String?
        public var killed = false
        /// The task table, kept once the job ended (the web UI's job page).
        public var finishedTasks: [ClusterState.Task] = []
    }

    public let id: String
    public let spec: JobSpec
    public let submitted = Date()
    private let lock = NSLock()
    private var fields: Fields

    public init(id: String, spec: JobSpec) {
        self.id = id
        self.spec = spec
        fields = Fields(summary: JobSummary(jobId: id, job: spec.job.rawValue))
    }

    public func read<T>(_ body: (Fields) -> T) -> T { lock.withLock { body(fields) } }
    public func update<T>(_ body: (inout Fields) -> T) -> T { lock.withLock { body(&fields) } }

    public var isEnded: Bool { read { [.succeeded, .failed, .killed].contains($0.state) } }
}
