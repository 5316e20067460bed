import GHWHWarehouse
import Testing

@testable import GHWHCluster

/// How gold work is cut into tasks: pure values in, tasks out.
@Suite struct GoldPlannerTests {
    static let all = Set(GoldTarget.allCases)
    static let repos = (0..<40).map { "o/r\($0)" }

    /// Every repo with a mark of every target (a first load).
    static func marks(_ repos: [String], seq: Int64 = 7) -> [GoldMark] {
        repos.flatMap { r in GoldTarget.allCases.map { GoldMark(repo: r, target: $0, seq: seq) } }
    }

    @Test func theBacklogIsOneTaskOverEveryRepoPlannedFirst() {
        let tasks = GoldPlanner.tasks(
            jobId: "j", targets: Self.all, repos: Self.repos, marks: Self.marks(Self.repos), buckets: 16)
        let backlog = tasks.filter { $0.targets.contains(.dailyBacklog) }
        #expect(backlog.count == 1)
        #expect(tasks.first?.targets == [.dailyBacklog])
        #expect(Set(backlog.first?.repos ?? []) == Set(Self.repos))
        #expect(backlog.first?.marks.allSatisfy { $0.target == .dailyBacklog } == true)
        #expect(backlog.first?.marks.count == Self.repos.count)
    }

    @Test func theOtherTargetsSpreadOverBucketsThatCoverEachRepoOnce() {
        let tasks = GoldPlanner.tasks(
            jobId: "j", targets: Self.all, repos: Self.repos, marks: Self.marks(Self.repos), buckets: 16)
        let others = tasks.dropFirst()
        #expect(others.count > 1 && others.count <= 16)
        #expect(others.allSatisfy { $0.targets == Self.all.subtracting([.dailyBacklog]) })
        let covered = others.flatMap(\.repos)
        #expect(covered.count == Self.repos.count && Set(covered) == Set(Self.repos))
        #expect(
            others.allSatisfy { t in t.marks.allSatisfy { $0.target != .dailyBacklog && t.repos.contains($0.repo) } })
        #expect(Set(tasks.map(\.taskId)).count == tasks.count)
        #expect(Set(tasks.map(\.bucket)).count == tasks.count)
    }

    /// A repo that only needs its backlog (a new day without its rows) is in the backlog task only.
    @Test func aRepoMarkedOnlyForTheBacklogGetsNoOtherTask() {
        let changed = Array(Self.repos.prefix(10))
        let marks =
            Self.marks(changed)
            + Self.repos.dropFirst(10).map { GoldMark(repo: $0, target: .dailyBacklog, seq: 3) }
        let tasks = GoldPlanner.tasks(jobId: "j", targets: Self.all, repos: Self.repos, marks: marks, buckets: 4)
        #expect(Set(tasks[0].repos) == Set(Self.repos))
        #expect(Set(tasks.dropFirst().flatMap(\.repos)) == Set(changed))
    }

    @Test func withoutTheBacklogEveryTaskCarriesTheAskedTargets() {
        let targets: Set<GoldTarget> = [.labelsMetrics, .milestoneMetrics]
        let tasks = GoldPlanner.tasks(
            jobId: "j", targets: targets, repos: Self.repos, marks: Self.marks(Self.repos), buckets: 3)
        #expect(tasks.count == 3)
        #expect(tasks.allSatisfy { $0.targets == targets })
        #expect(tasks.allSatisfy { t in t.marks.allSatisfy { targets.contains($0.target) } })
        let onlyBacklog = GoldPlanner.tasks(
            jobId: "j", targets: [.dailyBacklog], repos: Self.repos, marks: Self.marks(Self.repos), buckets: 3)
        #expect(onlyBacklog.count == 1 && onlyBacklog[0].repos.count == Self.repos.count)
    }
}
