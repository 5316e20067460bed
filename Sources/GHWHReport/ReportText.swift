/// `ghwh report` (default format): the four answers as aligned terminal tables.
public enum ReportText {
    /// How many labels the labels table lists before summarising the rest in one line.
    public static let topLabelCount = 20

    /// The whole report, lines at most `width` columns where the content allows; no trailing newline.
    public static func render(_ r: Report, width: Int = 100) -> String {
        var out: [String] = []
        out.append(fit("ghwh report · " + scope(r), width))
        out.append(
            "generated " + UTCDateFormat.minutes(r.generatedAt)
                + (r.asOf.map { " · as of ingest day \($0) (only the days up to it)" } ?? ""))
        out.append("")
        out += durationsSection(r, width)
        out.append("")
        out += issueSection(r, width)
        out.append("")
        out += labelsSection(r, width)
        out.append("")
        out += milestonesSection(r, width)
        out.append("")
        out += trendSection(r, width)
        return out.joined(separator: "\n")
    }

    static func scope(_ r: Report) -> String {
        r.repo.map { "repository " + DisplayWidth.sanitised($0) } ?? "all repositories"
    }

    private static func fit(_ s: String, _ width: Int) -> String { DisplayWidth.truncate(s, to: max(width, 10)) }

    private static let durationColumns = [
        TextTable.Column(title: "Measure", shrinkable: true),
        TextTable.Column(title: "Based on", rightAligned: true),
        TextTable.Column(title: "Average", rightAligned: true),
        TextTable.Column(title: "Median", rightAligned: true),
    ]

    private static func durationRow(_ name: String, _ s: DurationSummary, _ unit: String) -> [String] {
        [
            name, "\(NumberFormat.grouped(s.count)) \(unit)", DurationFormat.humanise(s.avgSeconds),
            DurationFormat.humanise(s.medianSeconds),
        ]
    }

    static func durationsSection(_ r: Report, _ width: Int) -> [String] {
        var out = ["1. How long are pull requests open?"]
        if r.prOpenTime.count == 0 && r.prTimeToMerge.count == 0 {
            out.append("  no data: no closed pull requests")
        } else {
            out += TextTable(
                columns: durationColumns,
                rows: [
                    durationRow("PR open time (created → closed)", r.prOpenTime, "closed PRs"),
                    durationRow("Time to merge (created → merged)", r.prTimeToMerge, "merged PRs"),
                ]
            ).render(maxWidth: width)
        }
        out.append("  \(NumberFormat.grouped(r.openPRs)) PRs still open (not in these figures)")
        return out
    }

    static func issueSection(_ r: Report, _ width: Int) -> [String] {
        var out = ["2. How long from issue created to PR merged?"]
        guard r.issueToMerge.count > 0 else {
            out.append("  no data: no merged PR closes a known issue")
            return out
        }
        out += TextTable(
            columns: durationColumns,
            rows: [
                durationRow("Issue created → PR merged", r.issueToMerge, "links")
            ]
        ).render(maxWidth: width)
        out.append("  a link is one (merged PR, issue it closes) pair")
        return out
    }

    static func labelsSection(_ r: Report, _ width: Int) -> [String] {
        let total = r.labels.reduce(0) { $0 + $1.prCount }
        var out = ["3. Which labels are most common on PRs?"]
        guard !r.labels.isEmpty else {
            out.append("  no data: no labelled pull requests")
            return out
        }
        out[0] += " (\(NumberFormat.grouped(r.labels.count)) labels, \(NumberFormat.grouped(total)) label assignments)"
        let shown = r.labels.prefix(topLabelCount)
        let topShare = shown.map(\.share).max() ?? 0
        let rows = shown.enumerated().map { i, l in
            [
                "\(i + 1)", DisplayWidth.sanitised(l.label), NumberFormat.grouped(l.prCount),
                NumberFormat.percent(l.share),
                bar(l.share, of: topShare, width: 20),
            ]
        }
        out += TextTable(
            columns: [
                .init(title: "#", rightAligned: true),
                .init(title: "Label", shrinkable: true, minWidth: 10),
                .init(title: "PRs", rightAligned: true),
                .init(title: "Share", rightAligned: true),
                .init(title: "", shrinkable: true, minWidth: 0),
            ], rows: rows
        ).render(maxWidth: width)
        let rest = r.labels.dropFirst(topLabelCount)
        if !rest.isEmpty {
            let restShare = rest.reduce(0.0) { $0 + $1.share }
            out.append(
                "  … \(NumberFormat.grouped(rest.count)) more labels (\(NumberFormat.percent(restShare)) of assignments)"
            )
        }
        return out
    }

    static func milestonesSection(_ r: Report, _ width: Int) -> [String] {
        var out = ["4. How many lines change per milestone? (additions + deletions per PR)"]
        guard !r.milestones.isEmpty else {
            out.append("  no data: no pull requests with a milestone")
            return out
        }
        let rows = r.milestones.map { m in
            [
                DisplayWidth.sanitised(m.repo), DisplayWidth.sanitised(m.milestone), NumberFormat.grouped(m.prs),
                NumberFormat.fixed(m.avgLinesChanged, 1), NumberFormat.compact(m.medianLinesChanged),
            ]
        }
        out += TextTable(
            columns: [
                .init(title: "Repo", shrinkable: true, minWidth: 10),
                .init(title: "Milestone", shrinkable: true, minWidth: 10),
                .init(title: "PRs", rightAligned: true),
                .init(title: "Avg lines", rightAligned: true),
                .init(title: "Median lines", rightAligned: true),
            ], rows: rows
        ).render(maxWidth: width)
        return out
    }

    /// How many of the last days the text report lists.
    public static let trendDays = 14

    static func trendSection(_ r: Report, _ width: Int) -> [String] {
        var out = ["Backlog by ingest day (state as of each day)"]
        guard !r.trend.isEmpty else {
            out.append("  no data: no daily history (load some days, then run the gold jobs)")
            return out
        }
        let shown = r.trend.suffix(trendDays)
        if shown.count < r.trend.count {
            out[0] += ", the last \(shown.count) of \(NumberFormat.grouped(r.trend.count)) days"
        }
        let rows = shown.map { t in
            [
                t.date, NumberFormat.grouped(t.issuesOpen), NumberFormat.grouped(t.prsOpen),
                NumberFormat.grouped(t.prsClosed), NumberFormat.grouped(t.prsMerged),
            ]
        }
        out += TextTable(
            columns: [
                .init(title: "Day"),
                .init(title: "Open issues", rightAligned: true),
                .init(title: "Open PRs", rightAligned: true),
                .init(title: "Closed PRs", rightAligned: true),
                .init(title: "Merged PRs", rightAligned: true),
            ], rows: rows
        ).render(maxWidth: width)
        return out
    }

    /// A horizontal bar of eighth-blocks, `value / maxValue` of `width` columns.
    static func bar(_ value: Double, of maxValue: Double, width: Int) -> String {
        guard maxValue > 0, value.isFinite, value > 0 else { return "" }
        let eighths = Int((min(value / maxValue, 1) * Double(width * 8)).rounded())
        let partials = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
        return String(repeating: "█", count: eighths / 8) + partials[eighths % 8]
    }
}
