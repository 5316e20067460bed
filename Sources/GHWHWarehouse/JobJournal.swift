import Foundation

/// The coordinator's job journal in `ghwh_meta.coordinator_jobs` (SQL only;
/// the coordinator decides when to write). Rows are keyed by job id, so a
/// write repeated after a reconnect is harmless.
public struct JobJournal {
    public struct Entry: Sendable, Equatable {
        public var jobId: String
        public var job: String
        public var from: String?
        public var to: String?
        public var force: Bool
        public var rawRoot: String
        public var state: String
        public init(jobId: String, job: String, from: String?, to: String?, force: Bool, rawRoot: String, state: String)
        {
            self.jobId = jobId
            self.job = job
            self.from = from
            self.to = to
            self.force = force
            self.rawRoot = rawRoot
            self.state = state
        }
    }

    let db: PGConnection
    public init(_ db: PGConnection) { self.db = db }

    /// Records a submitted job (state `queued`), or leaves an existing row as it is.
    public func recordSubmitted(_ e: Entry) throws {
        try db.command(
            """
            INSERT INTO ghwh_meta.coordinator_jobs (job_id, job, date_from, date_to, force, raw_root, state)
            VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (job_id) DO NOTHING
            """, [e.jobId, e.job, e.from, e.to, e.force ? "t" : "f", e.rawRoot, e.state])
    }

    /// Moves a job to `state`; an ended job may carry its error and task table (JSON).
    public func update(jobId: String, state: String, error: String? = nil, tasksJSON: String? = nil) throws {
        try db.command(
            """
            UPDATE ghwh_meta.coordinator_jobs SET state = $2, error = $3, tasks = $4::jsonb, updated_at = now()
            WHERE job_id = $1
            """, [jobId, state, error, tasksJSON])
    }

    /// Jobs a crashed coordinator left queued or running, oldest first.
    public func unfinished() throws -> [Entry] {
        try db.query(
            """
            SELECT job_id, job, date_from::text, date_to::text, force, raw_root, state FROM ghwh_meta.coordinator_jobs
            WHERE state IN ('queued', 'running') ORDER BY submitted_at, job_id
            """
        ).map(Self.entry)
    }

    /// An entry from a row with the `coordinator_jobs` columns of the same names (dates as text).
    private static func entry(_ r: PGRows.Row) -> Entry {
        Entry(
            jobId: r.string("job_id") ?? "", job: r.string("job") ?? "", from: r.string("date_from"),
            to: r.string("date_to"), force: r.string("force") == "t", rawRoot: r.string("raw_root") ?? "",
            state: r.string("state") ?? "")
    }

    /// A job's journaled state and error, if the journal knows it.
    public func state(jobId: String) throws -> (job: String, state: String, error: String?)? {
        guard
            let r = try db.query("SELECT job, state, error FROM ghwh_meta.coordinator_jobs WHERE job_id = $1", [jobId])
                .first
        else { return nil }
        return (r.string("job") ?? "", r.string("state") ?? "", r.string("error"))
    }

    /// A journaled job as the web UI shows it once it left the coordinator's memory.
    public struct PastJob: Sendable {
        public var entry: Entry
        public var submittedAt: Double
        public var updatedAt: Double
        public var error: String?
        public var tasksJSON: String?
    }

    public func pastJob(jobId: String) throws -> PastJob? {
        guard
            let r = try db.query(
                """
                SELECT job_id, job, date_from::text, date_to::text, force, raw_root, state,
                       extract(epoch FROM submitted_at)::float8 AS submitted_at,
                       extract(epoch FROM updated_at)::float8 AS updated_at, error, tasks::text
                FROM ghwh_meta.coordinator_jobs WHERE job_id = $1
                """, [jobId]
            ).first
        else { return nil }
        return PastJob(
            entry: Self.entry(r), submittedAt: r.double("submitted_at") ?? 0, updatedAt: r.double("updated_at") ?? 0,
            error: r.string("error"), tasksJSON: r.string("tasks"))
    }

    /// A finished job's task table as stored (JSON), if the journal has one.
    public func tasksJSON(jobId: String) throws -> String? {
        try db.query("SELECT tasks::text FROM ghwh_meta.coordinator_jobs WHERE job_id = $1", [jobId]).first?
            .string("tasks")
    }
}
