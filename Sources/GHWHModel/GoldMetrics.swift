/// The gold layer's metric math (docs/contract.md#gold-tables), per repo, pure: silver
/// rows in, `stg_github` rows out. Workers run it on one bucket of repos; the
/// cross-repo answers are views over its output, never a second computation.
public enum GoldMetrics {
    /// The slice of a silver PR row the gold layer reads.
    public struct PullRequest: Sendable, Equatable {
        public var repoName: String
        public var number: Int64
        public var state: String?
        public var createdAt: Int64
        public var closedAt: Int64?
        public var mergedAt: Int64?
        public var additions: Int64?
        public var deletions: Int64?
        public var milestoneNumber: Int64?
        public var milestoneTitle: String?
        public var labels: [String]
        public var closingReferences: [IssueReference]
        public init(
            repoName: String, number: Int64, state: String? = nil, createdAt: Int64, closedAt: Int64? = nil,
            mergedAt: Int64? = nil, additions: Int64? = nil, deletions: Int64? = nil,
            milestoneNumber: Int64? = nil, milestoneTitle: String? = nil, labels: [String] = [],
            closingReferences: [IssueReference] = []
        ) {
            self.repoName = repoName
            self.number = number
            self.state = state
            self.createdAt = createdAt
            self.closedAt = closedAt
            self.mergedAt = mergedAt
            self.additions = additions
            self.deletions = deletions
            self.milestoneNumber = milestoneNumber
            self.milestoneTitle = milestoneTitle
            self.labels = labels
            self.closingReferences = closingReferences
        }
    }

    /// What a link target needs from silver issues.
    public struct IssueFacts: Sendable, Equatable {
        public var createdAt: Int64
        public var isPullRequest: Bool
        public init(createdAt: Int64, isPullRequest: Bool) {
            self.createdAt = createdAt
            self.isPullRequest = isPullRequest
        }
    }

    public struct PullRequestMetric: Sendable, Equatable {
        public var repoName: String, prNumber: Int64, state: String?
        public var createdAt: Int64, closedAt: Int64?, mergedAt: Int64?
        public var isMerged: Bool
        public var openSeconds: Double?
        public var additions: Int64?, deletions: Int64?, linesChanged: Int64?
        public var milestoneNumber: Int64?, milestoneTitle: String?
        public var labelCount: Int
    }

    public struct IssueLink: Sendable, Equatable {
        public var repoName: String, prNumber: Int64
        public var issueRepoName: String, issueNumber: Int64
        public var issueCreatedAt: Int64, mergedAt: Int64?
        public var issueToMergeSeconds: Double?
    }

    public struct LabelMetric: Sendable, Equatable {
        public var repoName: String, labelName: String
        public var prCount: Int
        public var share: Double
    }

    public struct MilestoneMetric: Sendable, Equatable {
        public var repoName: String, milestoneTitle: String
        public var milestoneNumber: Int64?
        public var prCount: Int
        public var linesChangedTotal: Int64?
        public var linesChangedAvg: Double?
        public var linesChangedMedian: Double?
    }

    public struct Output: Sendable, Equatable {
        public var pullRequests: [PullRequestMetric] = []
        public var links: [IssueLink] = []
        public var labels: [LabelMetric] = []
        public var milestones: [MilestoneMetric] = []
        public init() {}
    }

    static func seconds(_ from: Int64, _ to: Int64) -> Double { Double(to - from) / 1_000_000 }

    /// Every gold row for the given PRs (all PRs of some repos). `issues`
    /// holds the silver issues their closing references may point to.
    public static func compute(pullRequests: [PullRequest], issues: [IssueReference: IssueFacts]) -> Output {
        var out = Output()
        var byRepo: [String: [PullRequest]] = [:]
        for pr in pullRequests { byRepo[pr.repoName, default: []].append(pr) }
        for repo in byRepo.keys.sorted() {
            let prs = byRepo[repo]!.sorted { $0.number < $1.number }
            for pr in prs {
                let lines: Int64? = {
                    if let a = pr.additions, let d = pr.deletions { return a + d } else { return nil }
                }()
                out.pullRequests.append(
                    PullRequestMetric(
                        repoName: repo, prNumber: pr.number, state: pr.state, createdAt: pr.createdAt,
                        closedAt: pr.closedAt, mergedAt: pr.mergedAt, isMerged: pr.mergedAt != nil,
                        openSeconds: pr.closedAt.map { seconds(pr.createdAt, $0) },
                        additions: pr.additions, deletions: pr.deletions, linesChanged: lines,
                        milestoneNumber: pr.milestoneNumber, milestoneTitle: pr.milestoneTitle,
                        labelCount: Set(pr.labels).count))
                var seen = Set<IssueReference>()
                for ref in pr.closingReferences where seen.insert(ref).inserted {
                    guard let issue = issues[ref], !issue.isPullRequest else { continue }
                    out.links.append(
                        IssueLink(
                            repoName: repo, prNumber: pr.number, issueRepoName: ref.repoName, issueNumber: ref.number,
                            issueCreatedAt: issue.createdAt, mergedAt: pr.mergedAt,
                            issueToMergeSeconds: pr.mergedAt.map { seconds(issue.createdAt, $0) }))
                }
            }
            out.labels += labelMetrics(repo: repo, prs)
            out.milestones += milestoneMetrics(repo: repo, prs)
        }
        return out
    }

    static func labelMetrics(repo: String, _ prs: [PullRequest]) -> [LabelMetric] {
        var counts: [String: Int] = [:]
        for pr in prs { for label in Set(pr.labels) { counts[label, default: 0] += 1 } }
        let assignments = counts.values.reduce(0, +)
        return counts.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.map {
            LabelMetric(
                repoName: repo, labelName: $0, prCount: counts[$0]!, share: Double(counts[$0]!) / Double(assignments))
        }
    }

    static func milestoneMetrics(repo: String, _ prs: [PullRequest]) -> [MilestoneMetric] {
        var groups: [String: [PullRequest]] = [:]
        for pr in prs { if let title = pr.milestoneTitle { groups[title, default: []].append(pr) } }
        return groups.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.map { title in
            let members = groups[title]!
            let lines = members.compactMap { pr -> Int64? in
                guard let a = pr.additions, let d = pr.deletions else { return nil }
                return a + d
            }
            let total: Int64? = lines.isEmpty ? nil : lines.reduce(0, +)
            return MilestoneMetric(
                repoName: repo, milestoneTitle: title, milestoneNumber: members.compactMap(\.milestoneNumber).max(),
                prCount: members.count, linesChangedTotal: total,
                linesChangedAvg: total.map { Double($0) / Double(lines.count) },
                linesChangedMedian: median(lines.map(Double.init)))
        }
    }

    /// Exact median: the middle value, or the mean of the two middle values.
    public static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let s = values.sorted()
        let mid = s.count / 2
        return s.count % 2 == 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2
    }
}

extension IssueReference {
    /// Parses the `owner/repo#N` form stored in `sta_github.pull_requests.closing_references`.
    public init?(stored text: String) {
        guard let hash = text.lastIndex(of: "#"), let n = Int64(text[text.index(after: hash)...]) else { return nil }
        self.init(repoName: String(text[..<hash]), number: n)
    }
}
