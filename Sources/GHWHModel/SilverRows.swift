/// One silver row of `sta_github.issues`: the projection of one GitHub issue
/// object (or a PR seen through the issues endpoint). Timestamps are
/// microseconds since the Unix epoch, UTC.
public struct IssueRow: Equatable, Sendable {
    public var repoName: String
    public var number: Int64
    public var id: Int64?
    public var title: String?
    public var state: String?
    public var userLogin: String?
    public var createdAt: Int64
    /// `updated_at`, or `created_at` when the record has none (docs/contract.md#timestamps).
    public var updatedAt: Int64
    public var closedAt: Int64?
    public var isPullRequest: Bool
    public var milestoneNumber: Int64?
    public var milestoneTitle: String?
    /// Label names, first occurrence order, each name once.
    public var labels: [String]
    public var comments: Int64?

    public init(
        repoName: String, number: Int64, id: Int64? = nil, title: String? = nil, state: String? = nil,
        userLogin: String? = nil, createdAt: Int64, updatedAt: Int64, closedAt: Int64? = nil,
        isPullRequest: Bool = false, milestoneNumber: Int64? = nil, milestoneTitle: String? = nil,
        labels: [String] = [], comments: Int64? = nil
    ) {
        self.repoName = repoName
        self.number = number
        self.id = id
        self.title = title
        self.state = state
        self.userLogin = userLogin
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.closedAt = closedAt
        self.isPullRequest = isPullRequest
        self.milestoneNumber = milestoneNumber
        self.milestoneTitle = milestoneTitle
        self.labels = labels
        self.comments = comments
    }
}

/// One silver row of `sta_github.pull_requests`.
public struct PullRequestRow: Equatable, Sendable {
    public var repoName: String
    public var number: Int64
    public var id: Int64?
    public var title: String?
    public var state: String?
    public var draft: Bool?
    public var userLogin: String?
    public var createdAt: Int64
    public var updatedAt: Int64
    public var closedAt: Int64?
    public var mergedAt: Int64?
    public var additions: Int64?
    public var deletions: Int64?
    public var changedFiles: Int64?
    public var commits: Int64?
    public var milestoneNumber: Int64?
    public var milestoneTitle: String?
    public var labels: [String]
    public var baseRef: String?
    /// Closing references (docs/contract.md#closing-references) found in title and body.
    public var closingReferences: [IssueReference]

    public init(
        repoName: String, number: Int64, id: Int64? = nil, title: String? = nil, state: String? = nil,
        draft: Bool? = nil, userLogin: String? = nil, createdAt: Int64, updatedAt: Int64,
        closedAt: Int64? = nil, mergedAt: Int64? = nil, additions: Int64? = nil, deletions: Int64? = nil,
        changedFiles: Int64? = nil, commits: Int64? = nil, milestoneNumber: Int64? = nil,
        milestoneTitle: String? = nil, labels: [String] = [], baseRef: String? = nil,
        closingReferences: [IssueReference] = []
    ) {
        self.repoName = repoName
        self.number = number
        self.id = id
        self.title = title
        self.state = state
        self.draft = draft
        self.userLogin = userLogin
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.closedAt = closedAt
        self.mergedAt = mergedAt
        self.additions = additions
        self.deletions = deletions
        self.changedFiles = changedFiles
        self.commits = commits
        self.milestoneNumber = milestoneNumber
        self.milestoneTitle = milestoneTitle
        self.labels = labels
        self.baseRef = baseRef
        self.closingReferences = closingReferences
    }
}
