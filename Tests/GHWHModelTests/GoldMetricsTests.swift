import Testing

@testable import GHWHModel

/// Gold metric math on hand-computed fixtures (docs/contract.md#metric-definitions).
struct GoldMetricsTests {
    static let h: Int64 = 3_600_000_000  // one hour in microseconds
    typealias PR = GoldMetrics.PullRequest

    static func ref(_ s: String) -> IssueReference { IssueReference(stored: s)! }

    static let medianCases: [([Double], Double?)] = [
        ([], nil),
        ([5], 5),
        ([3, 1, 2], 2),
        ([4, 1, 3, 2], 2.5),
        ([10, 10, 1, 1000], 10),
        ([1, 2], 1.5),
    ]

    @Test(arguments: medianCases)
    func exactMedian(values: [Double], expected: Double?) {
        #expect(GoldMetrics.median(values) == expected)
    }

    @Test func pullRequestMetrics() {
        let prs = [
            PR(
                repoName: "o/r", number: 1, state: "closed", createdAt: 0, closedAt: 5 * Self.h, mergedAt: 5 * Self.h,
                additions: 10, deletions: 5, milestoneNumber: 1, milestoneTitle: "v1", labels: ["bug", "ui"]),
            PR(repoName: "o/r", number: 2, state: "open", createdAt: Self.h, additions: 3, deletions: nil),
        ]
        let out = GoldMetrics.compute(pullRequests: prs, issues: [:])
        #expect(out.pullRequests.count == 2)
        let merged = out.pullRequests[0]
        let open = out.pullRequests[1]
        #expect(merged.openSeconds == 18_000 && merged.isMerged && merged.linesChanged == 15 && merged.labelCount == 2)
        #expect(open.openSeconds == nil, "still open: no open time")
        #expect(!open.isMerged && open.linesChanged == nil, "lines_changed is NULL when deletions is missing")
    }

    @Test func linksResolveOnlyToSilverIssuesThatAreNotPullRequests() {
        let pr = PR(
            repoName: "o/r", number: 10, createdAt: 0, mergedAt: 10 * Self.h,
            closingReferences: [
                Self.ref("o/r#1"), Self.ref("o/r#2"), Self.ref("o/r#3"), Self.ref("other/lib#7"), Self.ref("o/r#1"),
            ])
        let unmerged = PR(repoName: "o/r", number: 11, createdAt: 0, closingReferences: [Self.ref("o/r#1")])
        let issues: [IssueReference: GoldMetrics.IssueFacts] = [
            Self.ref("o/r#1"): .init(createdAt: 2 * Self.h, isPullRequest: false),
            Self.ref("o/r#2"): .init(createdAt: Self.h, isPullRequest: true),  // a PR seen as an issue: never a target
            // o/r#3 is missing from silver: no link
            // cross-repo; created after the merge
            Self.ref("other/lib#7"): .init(createdAt: 12 * Self.h, isPullRequest: false),
        ]
        let out = GoldMetrics.compute(pullRequests: [pr, unmerged], issues: issues)
        #expect(
            out.links.map { "\($0.prNumber)->\($0.issueRepoName)#\($0.issueNumber)" } == [
                "10->o/r#1", "10->other/lib#7", "11->o/r#1",
            ])
        #expect(out.links[0].issueToMergeSeconds == Double(8 * 3600))
        #expect(
            out.links[1].issueToMergeSeconds == Double(-2 * 3600), "kept as a link; the issue-to-merge view excludes it"
        )
        #expect(out.links[2].issueToMergeSeconds == nil && out.links[2].mergedAt == nil, "unmerged PR: no duration")
    }

    @Test func labelSharesPerRepoSumToOne() {
        let prs = [
            PR(repoName: "a/x", number: 1, createdAt: 0, labels: ["bug", "ui"]),
            PR(repoName: "a/x", number: 2, createdAt: 0, labels: ["bug"]),
            PR(repoName: "a/x", number: 3, createdAt: 0, labels: ["Bug"]),  // names are case-sensitive
            PR(repoName: "b/y", number: 1, createdAt: 0, labels: ["bug"]),
        ]
        let out = GoldMetrics.compute(pullRequests: prs, issues: [:])
        let a = out.labels.filter { $0.repoName == "a/x" }
        #expect(a.map(\.labelName) == ["Bug", "bug", "ui"])
        #expect(a.map(\.prCount) == [1, 2, 1])
        #expect(abs(a.map(\.share).reduce(0, +) - 1) < 1e-12)
        #expect(a.first { $0.labelName == "bug" }?.share == 0.5)
        #expect(out.labels.filter { $0.repoName == "b/y" }.map(\.share) == [1])
    }

    @Test func milestoneLinesAverageAndMedian() {
        let prs = [
            PR(
                repoName: "o/r", number: 1, createdAt: 0, additions: 10, deletions: 0, milestoneNumber: 3,
                milestoneTitle: "v1"),
            PR(
                repoName: "o/r", number: 2, createdAt: 0, additions: 20, deletions: 10, milestoneNumber: 3,
                milestoneTitle: "v1"),
            PR(
                repoName: "o/r", number: 3, createdAt: 0, additions: 1, deletions: 1, milestoneNumber: 3,
                milestoneTitle: "v1"),
            PR(
                repoName: "o/r", number: 4, createdAt: 0, additions: 100, deletions: 0, milestoneNumber: 3,
                milestoneTitle: "v1"),
            PR(
                repoName: "o/r", number: 5, createdAt: 0, additions: nil, deletions: 4, milestoneNumber: 3,
                milestoneTitle: "v1"),
            PR(
                repoName: "o/r", number: 6, createdAt: 0, additions: 7, deletions: 0, milestoneNumber: 4,
                milestoneTitle: "v2"),
            PR(repoName: "o/r", number: 7, createdAt: 0, milestoneTitle: "empty"),
            PR(repoName: "o/r", number: 8, createdAt: 0, additions: 50, deletions: 50),  // no milestone
        ]
        let out = GoldMetrics.compute(pullRequests: prs, issues: [:])
        #expect(out.milestones.map(\.milestoneTitle) == ["empty", "v1", "v2"])
        let v1 = out.milestones[1]
        #expect(v1.prCount == 5 && v1.linesChangedTotal == 142 && v1.linesChangedAvg == 35.5)
        #expect(v1.linesChangedMedian == 20, "even count: sorted 2, 10, 30, 100 -> (10 + 30) / 2")
        #expect(out.milestones[2].linesChangedMedian == 7 && out.milestones[2].milestoneNumber == 4)
        #expect(
            out.milestones[0].prCount == 1 && out.milestones[0].linesChangedAvg == nil
                && out.milestones[0].linesChangedMedian == nil)
    }
}
