import GHWHHTML

/// `ghwh report --format html`: one self-contained page (inline CSS and SVG, no scripts, no network).
public enum ReportHTML {
    /// Label rows listed in the HTML labels table before summarising the rest.
    public static let labelTableLimit = 200

    /// The whole page, ending in a newline. It is also well-formed XML (after the doctype),
    /// which keeps the markup honest and lets tests parse it.
    public static func render(_ r: Report) -> String {
        let scope = HTMLEscape.text(ReportText.scope(r))
        let generated = HTMLEscape.text(UTCDateFormat.minutes(r.generatedAt))
        var page = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8" />
            <meta name="viewport" content="width=device-width, initial-scale=1" />
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'" />
            <title>ghwh report · \(scope)</title>
            <style>
            \(HTMLStyle.css)
            </style>
            </head>
            <body>
            <main>
            <header>
            <h1>GitHub warehouse report</h1>
            <p>\(scope) · generated \(generated)\(r.asOf.map { " · as of ingest day " + HTMLEscape.text($0) } ?? "")</p>
            </header>

            """
        page += cards(r)
        page += openTimeSection(r)
        page += issueSection(r)
        page += labelsSection(r)
        page += milestonesSection(r)
        page += trendSection(r)
        page += footer
        page += "</main>\n</body>\n</html>\n"
        return page
    }

    // MARK: Summary cards

    private static func cards(_ r: Report) -> String {
        func durationCard(_ q: String, _ s: DurationSummary, basis: String, color: String) -> String {
            """
            <div class="card" style="border-top-color: \(color)">
            <div class="q">\(HTMLEscape.text(q))</div>
            <div class="pair"><div><div class="v">\(DurationFormat.humanise(s.medianSeconds))</div><div class="k">median</div></div>\
            <div><div class="v">\(DurationFormat.humanise(s.avgSeconds))</div><div class="k">average</div></div></div>
            <div class="basis">\(HTMLEscape.text(basis))</div>
            </div>

            """
        }
        let assignments = r.labels.reduce(0) { $0 + $1.prCount }
        let top = r.labels.first
        let repos = Set(r.milestones.map(\.repo)).count
        let milestonePRs = r.milestones.reduce(0) { $0 + $1.prs }
        var out = "<section class=\"cards\">\n"
        out += durationCard(
            "PR open time", r.prOpenTime,
            basis:
                "\(NumberFormat.grouped(r.prOpenTime.count)) closed PRs · \(NumberFormat.grouped(r.openPRs)) still open",
            color: SVGSupport.openTime)
        out += durationCard(
            "Time to merge", r.prTimeToMerge,
            basis: "\(NumberFormat.grouped(r.prTimeToMerge.count)) merged PRs", color: SVGSupport.merge)
        out += durationCard(
            "Issue → merge", r.issueToMerge,
            basis: "\(NumberFormat.grouped(r.issueToMerge.count)) issue–PR links", color: SVGSupport.issue)
        out += """
            <div class="card" style="border-top-color: \(SVGSupport.labels)">
            <div class="q">Top label</div>
            <div class="pair"><div><div class="v">\(top.map { NumberFormat.percent($0.share) } ?? DurationFormat.missing)</div>\
            <div class="k">\(HTMLEscape.text(top.map { DisplayWidth.truncate($0.label, to: 28) } ?? "no labels"))</div></div></div>
            <div class="basis">\(NumberFormat.grouped(r.labels.count)) labels · \(NumberFormat.grouped(assignments)) assignments</div>
            </div>
            <div class="card" style="border-top-color: \(SVGSupport.median)">
            <div class="q">Milestones</div>
            <div class="pair"><div><div class="v">\(NumberFormat.grouped(r.milestones.count))</div><div class="k">milestones</div></div>\
            <div><div class="v">\(NumberFormat.grouped(repos))</div><div class="k">repos</div></div></div>
            <div class="basis">\(NumberFormat.grouped(milestonePRs)) PRs in milestones</div>
            </div>
            </section>

            """
        return out
    }

    // MARK: Sections

    private static func figure(_ caption: String, _ svg: String?, empty: String) -> String {
        guard let svg else {
            return
                "<figure><figcaption>\(caption)</figcaption><p class=\"nodata\">\(HTMLEscape.text(empty))</p></figure>\n"
        }
        return "<figure><figcaption>\(caption)</figcaption>\n<div class=\"chartwrap\">\n\(svg)\n</div>\n</figure>\n"
    }

    private static func durationCaption(_ title: String, _ s: DurationSummary, _ unit: String) -> String {
        "<b>\(HTMLEscape.text(title))</b> · median \(DurationFormat.humanise(s.medianSeconds)) · average \(DurationFormat.humanise(s.avgSeconds)) · \(NumberFormat.grouped(s.count)) \(unit)"
    }

    private static func openTimeSection(_ r: Report) -> String {
        var out = "<section>\n<h2>1. How long are pull requests open?</h2>\n"
        out +=
            "<p class=\"lead\">Open time runs from creation to close (merged or not) over closed PRs; \(NumberFormat.grouped(r.openPRs)) PRs still open are not counted. Time to merge runs from creation to merge over merged PRs.</p>\n"
        out += figure(
            durationCaption("PR open time", r.prOpenTime, "closed PRs"),
            HistogramChart.svg(
                r.openTimeHistogram, title: "Distribution of PR open time", unit: "PRs", color: SVGSupport.openTime),
            empty: "No data: no closed pull requests.")
        out += figure(
            durationCaption("Time to merge", r.prTimeToMerge, "merged PRs"),
            HistogramChart.svg(
                r.timeToMergeHistogram, title: "Distribution of PR time to merge", unit: "PRs", color: SVGSupport.merge),
            empty: "No data: no merged pull requests.")
        return out + "</section>\n"
    }

    private static func issueSection(_ r: Report) -> String {
        var out = "<section>\n<h2>2. How long from issue created to PR merged?</h2>\n"
        out +=
            "<p class=\"lead\">One link per (merged PR, issue it closes); an issue closed by two merged PRs counts twice.</p>\n"
        out += figure(
            durationCaption("Issue created → PR merged", r.issueToMerge, "links"),
            HistogramChart.svg(
                r.issueToMergeHistogram, title: "Distribution of issue-to-merge time", unit: "links",
                color: SVGSupport.issue),
            empty: "No data: no merged pull request closes a known issue.")
        return out + "</section>\n"
    }

    private static func labelsSection(_ r: Report) -> String {
        let total = r.labels.reduce(0) { $0 + $1.prCount }
        var out = "<section>\n<h2>3. Which labels are most common on PRs?</h2>\n"
        out +=
            "<p class=\"lead\">Share = PRs carrying the label ÷ all label assignments on PRs (\(NumberFormat.grouped(total)) across \(NumberFormat.grouped(r.labels.count)) labels).</p>\n"
        let chartCount = min(r.labels.count, ReportText.topLabelCount)
        out += figure(
            chartCount > 0 ? "<b>Top \(chartCount) labels</b> by PR count" : "<b>Top labels</b> by PR count",
            LabelShareChart.svg(r.labels, limit: ReportText.topLabelCount),
            empty: "No data: no labelled pull requests.")
        guard !r.labels.isEmpty else { return out + "</section>\n" }
        out +=
            "<div class=\"tablewrap\"><table>\n<thead><tr><th class=\"num\">#</th><th>Label</th><th class=\"num\">PRs</th><th class=\"num\">Share</th></tr></thead>\n<tbody>\n"
        for (i, l) in r.labels.prefix(labelTableLimit).enumerated() {
            out +=
                "<tr><td class=\"num\">\(i + 1)</td><td class=\"name\">\(HTMLEscape.text(l.label))</td><td class=\"num\">\(NumberFormat.grouped(l.prCount))</td><td class=\"num\">\(NumberFormat.percent(l.share))</td></tr>\n"
        }
        out += "</tbody>\n</table></div>\n"
        if r.labels.count > labelTableLimit {
            out +=
                "<p class=\"more\">… \(NumberFormat.grouped(r.labels.count - labelTableLimit)) more labels (see <code>--format json</code> for all).</p>\n"
        }
        return out + "</section>\n"
    }

    private static func milestonesSection(_ r: Report) -> String {
        var out = "<section>\n<h2>4. How many lines change per milestone?</h2>\n"
        out +=
            "<p class=\"lead\">Lines changed = additions + deletions of a PR; average and median over the milestone's PRs that have line counts.</p>\n"
        let drawn = MilestoneLinesChart.shown(r.milestones).count
        let drawable = r.milestones.filter { $0.avgLinesChanged != nil || $0.medianLinesChanged != nil }.count
        let caption =
            drawn < drawable
            ? "<b>Lines changed per milestone</b> · the \(drawn) milestones with most PRs of \(NumberFormat.grouped(drawable))"
            : "<b>Lines changed per milestone</b> · average and median"
        out += figure(
            caption, MilestoneLinesChart.svg(r.milestones),
            empty: r.milestones.isEmpty
                ? "No data: no pull requests with a milestone." : "No data: no milestone PR has line counts.")
        guard !r.milestones.isEmpty else { return out + "</section>\n" }
        out +=
            "<div class=\"tablewrap\"><table>\n<thead><tr><th>Repo</th><th>Milestone</th><th class=\"num\">PRs</th><th class=\"num\">Avg lines</th><th class=\"num\">Median lines</th></tr></thead>\n<tbody>\n"
        for m in r.milestones {
            out +=
                "<tr><td class=\"name\">\(HTMLEscape.text(m.repo))</td><td class=\"name\">\(HTMLEscape.text(m.milestone))</td><td class=\"num\">\(NumberFormat.grouped(m.prs))</td><td class=\"num\">\(NumberFormat.fixed(m.avgLinesChanged, 1))</td><td class=\"num\">\(NumberFormat.compact(m.medianLinesChanged))</td></tr>\n"
        }
        return out + "</tbody>\n</table></div>\n</section>\n"
    }

    private static func trendSection(_ r: Report) -> String {
        var out = "<section>\n<h2>Backlog over time</h2>\n"
        out +=
            "<p class=\"lead\">Open issues (not pull requests) and open PRs on each loaded ingest day, over the warehouse as it stood that day.</p>\n"
        let caption =
            r.trend.isEmpty
            ? "<b>Backlog</b>"
            : "<b>Backlog</b> · \(HTMLEscape.text(r.trend.first!.date)) to \(HTMLEscape.text(r.trend.last!.date)), \(NumberFormat.grouped(r.trend.count)) days"
        out += figure(caption, TrendChart.svg(r.trend), empty: "No data: no daily history loaded.")
        return out + "</section>\n"
    }

    private static let footer = """
        <footer>
        <dl>
        <dt>Definitions</dt>
        <dd>Durations are shown as median and average; bins on the charts are log-scaled (minutes to years). Medians are exact (the mean of the two middle values for an even count).</dd>
        <dd>Labels are case-sensitive and counted once per PR. Milestones are per repository and ordered by repo, then title.</dd>
        </dl>
        <p>Generated by ghwh. This page is self-contained: no scripts, no network requests.</p>
        </footer>

        """
}
