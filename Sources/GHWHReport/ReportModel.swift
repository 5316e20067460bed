import Foundation

/// Count, average and median of a set of durations (docs/contract.md#metric-definitions).
/// `avgSeconds` / `medianSeconds` are nil when `count` is zero (SQL `NULL`).
public struct DurationSummary: Sendable, Equatable {
    public var count: Int
    public var avgSeconds: Double?
    public var medianSeconds: Double?

    public init(count: Int, avgSeconds: Double?, medianSeconds: Double?) {
        self.count = count
        self.avgSeconds = avgSeconds
        self.medianSeconds = medianSeconds
    }
}

/// One label across all repos in scope: how many PRs carry it and its share of all label assignments.
public struct LabelShare: Sendable, Equatable {
    public var label: String
    public var prCount: Int
    /// `prCount / sum of all labels' prCount`, in 0...1.
    public var share: Double

    public init(label: String, prCount: Int, share: Double) {
        self.label = label
        self.prCount = prCount
        self.share = share
    }
}

/// Lines changed (additions + deletions) per milestone of one repo.
public struct MilestoneLines: Sendable, Equatable {
    public var repo: String
    public var milestone: String
    /// All PRs of the milestone, including those without line counts.
    public var prs: Int
    public var avgLinesChanged: Double?
    public var medianLinesChanged: Double?

    public init(repo: String, milestone: String, prs: Int, avgLinesChanged: Double?, medianLinesChanged: Double?) {
        self.repo = repo
        self.milestone = milestone
        self.prs = prs
        self.avgLinesChanged = avgLinesChanged
        self.medianLinesChanged = medianLinesChanged
    }
}

/// One bar of a duration histogram: values in `lowerSeconds ..< upperSeconds`.
public struct HistogramBin: Sendable, Equatable {
    public var lowerSeconds: Double
    /// nil = open-ended (the last bin).
    public var upperSeconds: Double?
    public var count: Int

    public init(lowerSeconds: Double, upperSeconds: Double?, count: Int) {
        self.lowerSeconds = lowerSeconds
        self.upperSeconds = upperSeconds
        self.count = count
    }
}

/// The backlog on one loaded ingest day, over the state as of that day (docs/contract.md#backlog-trend).
public struct TrendPoint: Sendable, Equatable {
    /// `YYYY-MM-DD`.
    public var date: String
    public var issuesOpen: Int
    public var prsOpen: Int
    public var prsClosed: Int
    public var prsMerged: Int

    public init(date: String, issuesOpen: Int, prsOpen: Int, prsClosed: Int, prsMerged: Int) {
        self.date = date
        self.issuesOpen = issuesOpen
        self.prsOpen = prsOpen
        self.prsClosed = prsClosed
        self.prsMerged = prsMerged
    }
}

/// Everything `ghwh report` prints: the four questions of docs/contract.md#metric-definitions plus chart data.
public struct Report: Sendable, Equatable {
    /// The `--repo` filter; nil = all repos.
    public var repo: String?
    public var generatedAt: Date
    /// Over PRs with `closed_at`.
    public var prOpenTime: DurationSummary
    /// PRs without `closed_at`.
    public var openPRs: Int
    public var prTimeToMerge: DurationSummary
    /// `count` = links (an issue closed by two merged PRs counts twice).
    public var issueToMerge: DurationSummary
    /// Already ordered: pr_count desc, then name (code point order).
    public var labels: [LabelShare]
    /// Already ordered: repo, then title.
    public var milestones: [MilestoneLines]
    public var openTimeHistogram: [HistogramBin]
    public var timeToMergeHistogram: [HistogramBin]
    public var issueToMergeHistogram: [HistogramBin]
    /// `stg_github.daily_backlog` over all repos in scope, by date.
    public var trend: [TrendPoint]
    /// Set when the report answers as of a past ingest day (`--as-of`).
    public var asOf: String?

    public init(
        repo: String?,
        generatedAt: Date,
        prOpenTime: DurationSummary,
        openPRs: Int,
        prTimeToMerge: DurationSummary,
        issueToMerge: DurationSummary,
        labels: [LabelShare],
        milestones: [MilestoneLines],
        openTimeHistogram: [HistogramBin],
        timeToMergeHistogram: [HistogramBin],
        issueToMergeHistogram: [HistogramBin],
        trend: [TrendPoint] = [],
        asOf: String? = nil
    ) {
        self.repo = repo
        self.generatedAt = generatedAt
        self.prOpenTime = prOpenTime
        self.openPRs = openPRs
        self.prTimeToMerge = prTimeToMerge
        self.issueToMerge = issueToMerge
        self.labels = labels
        self.milestones = milestones
        self.openTimeHistogram = openTimeHistogram
        self.timeToMergeHistogram = timeToMergeHistogram
        self.issueToMergeHistogram = issueToMergeHistogram
        self.trend = trend
        self.asOf = asOf
    }
}
