import GHWHModel
import GHWHWarehouse

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

    public func run(_ task: GoldTask, store: GoldStore) throws -> GoldResult {
        let silver = try store.readSilver(repos: task.repos)
        let output = GoldMetrics.compute(pullRequests: silver.pullRequests, issues: silver.issues)
        return GoldResult(task: task, copies: GoldCopyEncoding.encode(output), worker: name)
    }
}
