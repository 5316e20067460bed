import Foundation
import GHWHModel
import GHWHWarehouse
import Logging

/// Plans gold work: the repos whose silver rows changed (or every repo when
/// forced), cut into hash buckets so one big repo and many small ones both
/// spread over workers.
public enum GoldPlanner {
    public static func tasks(jobId: String, targets: Set<GoldTarget>, repos: [String], marks: [GoldMark],
                             buckets: Int) -> [GoldTask] {
        guard !repos.isEmpty, !targets.isEmpty else { return [] }
        let n = max(1, min(buckets, repos.count))
        var members = Array(repeating: [String](), count: n)
        for repo in repos { members[Int(StableHash.fnv1a64([repo]) % UInt64(n))].append(repo) }
        let marksByRepo = Dictionary(grouping: marks, by: \.repo)
        return members.enumerated().compactMap { index, repos in
            guard !repos.isEmpty else { return nil }
            return GoldTask(taskId: "gold:\(jobId):\(index)", jobId: jobId, bucket: index, repos: repos,
                            targets: targets, marks: repos.flatMap { marksByRepo[$0] ?? [] })
        }
    }
}

/// Runs one gold task: reads its repos' silver rows, computes every gold row.
public struct GoldWorker: Sendable {
    public let name: String
    public init(name: String) { self.name = name }

    /// Runs the task on a connection of `conninfo` (opened on demand and kept
    /// in `store`), retrying with backoff while PostgreSQL is unreachable, so a
    /// database restart does not use up the task's attempts.
    public func run(_ task: GoldTask, conninfo: String, store: inout GoldStore?, logger: Logger,
                    retryDelays: [Double] = [0.2, 0.5, 1, 2, 4, 8, 15]) throws -> GoldResult {
        var attempt = 0
        while true {
            do {
                if store == nil { store = GoldStore(try PGConnection(conninfo: conninfo)) }
                return try run(task, store: store!)
            } catch let error as PGError where error.isConnectionFailure && attempt < retryDelays.count {
                store = nil
                logger.warning("gold task: PostgreSQL unreachable; retrying",
                               metadata: ["task": "\(task.taskId)", "delay_s": "\(retryDelays[attempt])", "error": "\(error)"])
                Thread.sleep(forTimeInterval: retryDelays[attempt])
                attempt += 1
            }
        }
    }

    public func run(_ task: GoldTask, store: GoldStore) throws -> GoldResult {
        let silver = try store.readSilver(repos: task.repos)
        let output = GoldMetrics.compute(pullRequests: silver.pullRequests, issues: silver.issues)
        return GoldResult(task: task, copies: GoldCopyEncoding.encode(output), worker: name)
    }
}
