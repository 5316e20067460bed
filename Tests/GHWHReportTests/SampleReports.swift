import Foundation

@testable import GHWHReport

/// Reports used across the tests.
enum SampleReports {
    static let generatedAt = Date(timeIntervalSince1970: 1_764_063_000)  // 2025-11-25 09:30 UTC

    /// Nothing loaded yet.
    static let empty = Report(
        repo: nil, generatedAt: generatedAt,
        prOpenTime: DurationSummary(count: 0, avgSeconds: nil, medianSeconds: nil), openPRs: 0,
        prTimeToMerge: DurationSummary(count: 0, avgSeconds: nil, medianSeconds: nil),
        issueToMerge: DurationSummary(count: 0, avgSeconds: nil, medianSeconds: nil),
        labels: [], milestones: [],
        openTimeHistogram: [], timeToMergeHistogram: [], issueToMergeHistogram: [])

    /// A small hand-built report with every kind of value: integers, fractions, nulls.
    static let small = Report(
        repo: "octo/hello", generatedAt: generatedAt,
        prOpenTime: DurationSummary(count: 3, avgSeconds: 3600, medianSeconds: 3600.5), openPRs: 2,
        prTimeToMerge: DurationSummary(count: 2, avgSeconds: 90061.25, medianSeconds: 0.000015),
        issueToMerge: DurationSummary(count: 0, avgSeconds: nil, medianSeconds: nil),
        labels: [
            LabelShare(label: "bug", prCount: 2, share: 0.5), LabelShare(label: "docs", prCount: 1, share: 0.25),
            LabelShare(label: "good first issue", prCount: 1, share: 0.25),
        ],
        milestones: [
            MilestoneLines(
                repo: "octo/hello", milestone: "v1.0", prs: 3, avgLinesChanged: 12.5, medianLinesChanged: 10),
            MilestoneLines(
                repo: "octo/hello", milestone: "v2.0", prs: 1, avgLinesChanged: nil, medianLinesChanged: nil),
        ],
        openTimeHistogram: DurationBins.histogram(of: [30, 3600, 4000]),
        timeToMergeHistogram: DurationBins.histogram(of: [3600, 200_000]),
        issueToMergeHistogram: DurationBins.histogram(counts: []),
        trend: [
            TrendPoint(date: "2024-01-01", issuesOpen: 4, prsOpen: 3, prsClosed: 1, prsMerged: 1),
            TrendPoint(date: "2024-01-02", issuesOpen: 2, prsOpen: 2, prsClosed: 3, prsMerged: 2),
        ])

    /// A report whose only label is hostile markup.
    static func withLabel(_ label: String, milestone: String = "v1") -> Report {
        var r = small
        r.labels = [LabelShare(label: label, prCount: 1, share: 1)]
        r.milestones = [
            MilestoneLines(repo: "o/r", milestone: milestone, prs: 1, avgLinesChanged: 1, medianLinesChanged: 1)
        ]
        return r
    }

    /// A realistic report: ~30 labels (some unicode), 12 milestones across 4 repos.
    static let realistic: Report = {
        let labelCounts: [(String, Int)] = [
            ("bug", 1_842), ("enhancement", 1_507), ("dependencies", 1_203), ("documentation", 866),
            ("needs-triage", 640), ("good first issue", 512), ("🐛 regression", 433), ("performance", 401),
            ("area: storage", 377), ("area: networking", 350), ("breaking-change", 298), ("ci", 276),
            ("ドキュメント", 240), ("security", 221), ("help wanted", 205),
            ("💥 needs-review-from-core-maintainers-before-release", 190),
            ("refactor", 174), ("tests", 160), ("área: núcleo", 142), ("type: feature-request", 131),
            ("wontfix", 96), ("duplicate", 88), ("question", 75), ("os: windows", 63), ("os: macOS", 58),
            ("backport-1.x", 44), ("需要讨论", 31), ("invalid", 22), ("stale", 17), ("<experimental> & \"quoted\"", 9),
        ]
        let total = Double(labelCounts.reduce(0) { $0 + $1.1 })
        let labels = labelCounts.map { LabelShare(label: $0.0, prCount: $0.1, share: Double($0.1) / total) }
        let milestones = [
            MilestoneLines(
                repo: "apache/arrow-rs", milestone: "52.0.0", prs: 88, avgLinesChanged: 412.3, medianLinesChanged: 96),
            MilestoneLines(
                repo: "apache/arrow-rs", milestone: "53.0.0", prs: 104, avgLinesChanged: 388.9, medianLinesChanged: 81.5
            ),
            MilestoneLines(
                repo: "apache/arrow-rs", milestone: "54.0.0", prs: 57, avgLinesChanged: 530.1, medianLinesChanged: 120),
            MilestoneLines(
                repo: "kubernetes/kubectl", milestone: "v1.30", prs: 41, avgLinesChanged: 268.4, medianLinesChanged: 44),
            MilestoneLines(
                repo: "kubernetes/kubectl", milestone: "v1.31", prs: 36, avgLinesChanged: 1_904.7,
                medianLinesChanged: 61),
            MilestoneLines(
                repo: "kubernetes/kubectl", milestone: "v1.32", prs: 12, avgLinesChanged: nil, medianLinesChanged: nil),
            MilestoneLines(
                repo: "rust-lang/rustfmt", milestone: "1.7.1", prs: 23, avgLinesChanged: 145.2, medianLinesChanged: 38),
            MilestoneLines(
                repo: "rust-lang/rustfmt", milestone: "2.0 (breaking formatting changes for edition 2024)", prs: 67,
                avgLinesChanged: 822.6, medianLinesChanged: 210.5),
            MilestoneLines(
                repo: "rust-lang/rustfmt", milestone: "backlog", prs: 9, avgLinesChanged: 57, medianLinesChanged: 22),
            MilestoneLines(
                repo: "vuejs/core", milestone: "3.4", prs: 118, avgLinesChanged: 301.8, medianLinesChanged: 27),
            MilestoneLines(
                repo: "vuejs/core", milestone: "3.5 🚀", prs: 134, avgLinesChanged: 455.0, medianLinesChanged: 33),
            MilestoneLines(
                repo: "vuejs/core", milestone: "3.6", prs: 29, avgLinesChanged: 96.4, medianLinesChanged: 18),
        ]
        let openCounts = [212, 486, 731, 1_104, 958, 1_377, 1_012, 804, 566, 471, 203, 92, 57]
        let mergeCounts = [198, 455, 702, 1_011, 870, 1_204, 842, 611, 402, 298, 97, 31, 12]
        let issueCounts = [3, 41, 118, 303, 356, 612, 588, 507, 420, 466, 248, 133, 91]
        return Report(
            repo: nil, generatedAt: generatedAt,
            prOpenTime: DurationSummary(
                count: openCounts.reduce(0, +), avgSeconds: 1_683_211.4, medianSeconds: 171_320),
            openPRs: 1_218,
            prTimeToMerge: DurationSummary(
                count: mergeCounts.reduce(0, +), avgSeconds: 1_021_877.9, medianSeconds: 98_455.5),
            issueToMerge: DurationSummary(
                count: issueCounts.reduce(0, +), avgSeconds: 5_846_004.2, medianSeconds: 1_296_540),
            labels: labels, milestones: milestones,
            openTimeHistogram: DurationBins.histogram(counts: openCounts),
            timeToMergeHistogram: DurationBins.histogram(counts: mergeCounts),
            issueToMergeHistogram: DurationBins.histogram(counts: issueCounts),
            trend: (0..<20).map { d in
                TrendPoint(
                    date: "2025-11-\(d < 9 ? "0" : "")\(d + 1)", issuesOpen: 900 + 7 * d,
                    prsOpen: 1_100 + (d * 37) % 150,
                    prsClosed: 7_900 + 9 * d, prsMerged: 6_600 + 7 * d)
            })
    }()
}
