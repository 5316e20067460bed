import GHWHRaw
import GHWHWarehouse

/// The jobs of DESIGN.md section 5 that this build runs.
public enum JobName: String, CaseIterable, Sendable, Codable {
    case staGithubIssues = "sta_github_issues"
    case staGithubPullRequests = "sta_github_pull_requests"
    case all

    /// Raw datasets the job reads, in dependency order.
    public var datasets: [Dataset] {
        switch self {
        case .staGithubIssues: return [.issues]
        case .staGithubPullRequests: return [.pullRequests]
        case .all: return [.issues, .pullRequests]
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

    public init(job: JobName, dates: ClosedRange<IngestDate>? = nil, force: Bool = false, rawRoot: String,
                chunkBytes: Int = 16 << 20) {
        self.job = job; self.dates = dates; self.force = force; self.rawRoot = rawRoot; self.chunkBytes = chunkBytes
    }
}

extension Dataset {
    var silver: SilverStore.SilverDataset { self == .issues ? .issues : .pullRequests }
}
