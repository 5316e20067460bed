import GHWHModel
import GHWHRaw
import GHWHWarehouse

/// The jobs this build runs (docs/contract.md#jobs).
public enum JobName: String, CaseIterable, Sendable, Codable {
    case staGithubIssues = "sta_github_issues"
    case staGithubPullRequests = "sta_github_pull_requests"
    case stgGithubPullRequestsMetrics = "stg_github_pull_requests_metrics"
    case stgGithubLabelsMetrics = "stg_github_labels_metrics"
    case stgGithubMilestoneMetrics = "stg_github_milestone_metrics"
    case stgGithubDailyBacklog = "stg_github_daily_backlog"
    case all

    /// Raw datasets the job reads into silver, in dependency order.
    public var datasets: [Dataset] {
        switch self {
        case .staGithubIssues: return [.issues]
        case .staGithubPullRequests: return [.pullRequests]
        case .all: return [.issues, .pullRequests]
        default: return []
        }
    }

    /// Gold tables the job recomputes (after its silver part, if any).
    public var goldTargets: Set<GoldTarget> {
        switch self {
        case .stgGithubPullRequestsMetrics: return [.pullRequestsMetrics]
        case .stgGithubLabelsMetrics: return [.labelsMetrics]
        case .stgGithubMilestoneMetrics: return [.milestoneMetrics]
        case .stgGithubDailyBacklog: return [.dailyBacklog]
        case .all: return Set(GoldTarget.allCases)
        default: return []
        }
    }
}

/// What a user submits: a job over an ingest-date range (nil = every date).
public struct JobSpec: Sendable {
    public var job: JobName
    public var dates: ClosedRange<IngestDate>?
    public var force: Bool
    public var rawRoot: String
    /// Uncompressed JSON bytes per task: a larger document is split at record boundaries.
    public var chunkBytes: Int
    /// Most small whole documents one task carries (`SmallDocumentGrouper`); 1: a task per document.
    public var taskGroupDocuments = SmallDocumentGrouper.defaultMaxMembers
    /// Gold work is split into this many hash buckets of repos (at most one per repo).
    public var goldBuckets: Int = 16

    public init(
        job: JobName, dates: ClosedRange<IngestDate>? = nil, force: Bool = false, rawRoot: String,
        chunkBytes: Int = 16 << 20
    ) {
        self.job = job
        self.dates = dates
        self.force = force
        self.rawRoot = rawRoot
        self.chunkBytes = chunkBytes
    }
}
