import Foundation
import GHWHModel
import GHWHWarehouse
import Logging

/// Plans gold work: the repos whose silver rows changed (or every repo when
/// forced), cut into hash buckets so one big repo and many small ones both
/// spread over workers.
///
/// The daily backlog is the exception: it is one task over every repo that
/// needs it, planned first. Its query reads the whole history (the history
/// tables have no repo index, being append-only), so each bucket of it paid
/// a full scan and sort: sixteen buckets cost about twice the server time of
/// one task, which runs beside the other buckets.
public enum GoldPlanner {
    public static func tasks(
        jobId: String, targets: Set<GoldTarget>, repos: [String], marks: [GoldMark],
        buckets: Int
    ) -> [GoldTask] {
        guard !repos.isEmpty, !targets.isEmpty else { return [] }
        let others = targets.subtracting([.dailyBacklog])
        guard targets.contains(.dailyBacklog) else {
            return bucketed(jobId: jobId, targets: targets, repos: repos, marks: marks, buckets: buckets, firstIndex: 0)
        }
        let backlog = bucketed(
            jobId: jobId, targets: [.dailyBacklog], repos: repos, marks: marks, buckets: 1, firstIndex: 0)
        guard !others.isEmpty else { return backlog }
        // Repos recomputed only for the backlog (no mark of another target, see GoldStore.plan)
        // are in the backlog task alone.
        let needAll = Set(marks.filter { $0.target != .dailyBacklog }.map(\.repo))
        return backlog
            + bucketed(
                jobId: jobId, targets: others, repos: repos.filter { needAll.contains($0) }, marks: marks,
                buckets: buckets, firstIndex: 1)
    }

    private static func bucketed(
        jobId: String, targets: Set<GoldTarget>, repos: [String], marks: [GoldMark],
        buckets: Int, firstIndex: Int
    ) -> [GoldTask] {
        guard !repos.isEmpty else { return [] }
        let n = max(1, min(buckets, repos.count))
        var members = Array(repeating: [String](), count: n)
        for repo in repos { members[Int(StableHash.fnv1a64([repo]) % UInt64(n))].append(repo) }
        let marksByRepo = Dictionary(grouping: marks.filter { targets.contains($0.target) }, by: \.repo)
        return members.enumerated().compactMap { index, repos in
            guard !repos.isEmpty else { return nil }
            let bucket = firstIndex + index
            return GoldTask(
                taskId: "gold:\(jobId):\(bucket)", jobId: jobId, bucket: bucket, repos: repos,
                targets: targets, marks: repos.flatMap { marksByRepo[$0] ?? [] })
        }
    }
}

/// Runs one gold task: reads its repos' silver rows, computes every gold row.
public struct GoldWorker: Sendable {
    public let name: String
    public init(name: String) { self.name = name }

    /// Runs the task on a connection of `conninfo` (opened on demand and kept
    /// in `store`), retrying on the one `Backoff` schedule while PostgreSQL is
    /// unreachable, so a database restart does not use up the task's attempts.
    /// It gives up after 30 s of waiting (`Loader.reconnect`'s budget): the task
    /// then fails and the coordinator re-runs it, rather than a worker hanging.
    public func run(
        _ task: GoldTask, conninfo: String, store: inout GoldStore?, logger: Logger,
        backoff: Backoff = Loader.reconnect
    ) throws -> GoldResult {
        var backoff = backoff
        while true {
            do {
                if store == nil {
                    let db = try PGConnection(conninfo: conninfo, applicationName: SessionName.gold)
                    try db.raiseSessionMemory()
                    store = GoldStore(db)
                }
                return try run(task, store: store!)
            } catch let error as PGError where error.isConnectionFailure {
                store = nil
                guard let delay = backoff.nextDelay() else { throw error }
                logger.warning(
                    "gold task: PostgreSQL unreachable; retrying",
                    metadata: ["task": "\(task.taskId)", "delay_s": "\(delay)", "error": "\(error)"])
                Thread.sleep(forTimeInterval: delay)
            }
        }
    }

    public func run(_ task: GoldTask, store: GoldStore) throws -> GoldResult {
        var clock = StageClock(enabled: StageProfile.shared.isEnabled, starting: .gold)
        defer { StageProfile.shared.add(&clock) }
        var output = GoldMetrics.Output()
        if !task.targets.subtracting([.dailyBacklog]).isEmpty {
            let silver = try store.readSilver(repos: task.repos)
            output = GoldMetrics.compute(pullRequests: silver.pullRequests, issues: silver.issues)
        }
        var copies = GoldCopyEncoding.encode(output)
        if task.targets.contains(.dailyBacklog) {
            // Counted by the server over the bucket's history rows: shipping them all would cost far more.
            let backlog = try store.backlogCopy(repos: task.repos)
            copies.backlog = backlog.copy
            copies.rowCounts["daily_backlog"] = backlog.rows
        }
        return GoldResult(task: task, copies: copies, worker: name)
    }
}
