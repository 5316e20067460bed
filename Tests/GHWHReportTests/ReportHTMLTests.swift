import Foundation
import Testing

@testable import GHWHReport

#if canImport(FoundationXML)
    import FoundationXML
#endif

@Suite struct ReportHTMLTests {
    private func count(_ needle: String, in haystack: String) -> Int {
        haystack.components(separatedBy: needle).count - 1
    }

    /// Parses the page as XML (everything after the doctype) and checks tag nesting;
    /// returns the first problem, if any. (XMLParser on Linux recovers from mismatched end tags,
    /// so nesting is checked with our own tag scan, which is sound because all text is escaped.)
    private func xmlError(_ html: String) -> String? {
        let body = html.replacingOccurrences(of: "<!DOCTYPE html>", with: "")
        let parser = XMLParser(data: Data(body.utf8))
        guard parser.parse() else {
            return "\(parser.parserError.map(String.init(describing:)) ?? "unknown") at line \(parser.lineNumber)"
        }
        return tagNestingError(body)
    }

    private func tagNestingError(_ markup: String) -> String? {
        var stack: [Substring] = []
        var rest = markup[...]
        while let open = rest.firstIndex(of: "<") {
            guard let close = rest[open...].firstIndex(of: ">") else { return "unclosed tag" }
            let tag = rest[rest.index(after: open)..<close]
            rest = rest[rest.index(after: close)...]
            if tag.hasPrefix("!") || tag.hasPrefix("?") || tag.hasSuffix("/") { continue }
            let name = tag.drop { $0 == "/" }.prefix { $0.isLetter || $0.isNumber }
            if tag.hasPrefix("/") {
                guard stack.popLast() == name else { return "mismatched </\(name)>" }
            } else {
                stack.append(name)
            }
        }
        return stack.isEmpty ? nil : "unclosed <\(stack.last ?? "")>"
    }

    @Test func xmlCheckRejectsBrokenMarkup() {
        #expect(xmlError("<html><body><p><b>x</p></body></html>") != nil)
        #expect(xmlError("<html><body>a & b</body></html>") != nil)
        #expect(xmlError("<html><body><svg></svg>") != nil)
        #expect(xmlError("<html><body><svg><rect/></svg><br /></body></html>") == nil)
    }

    @Test(arguments: ["realistic", "small", "empty", "hostile"])
    func pageIsWellFormedAndSelfContained(name: String) {
        let report: Report =
            switch name {
            case "realistic": SampleReports.realistic
            case "small": SampleReports.small
            case "empty": SampleReports.empty
            default:
                SampleReports.withLabel("<script>alert(1)</script> & \"q\" 'a' \u{1}\u{FFFF}", milestone: "]]><!--")
            }
        let html = ReportHTML.render(report)
        #expect(xmlError(html) == nil)
        #expect(!html.contains("http://"))
        #expect(!html.contains("https://"))
        #expect(!html.lowercased().contains("<script"))
        #expect(!html.lowercased().contains("<link"))
        #expect(!html.contains("url("))
        #expect(!html.contains("@import"))
        #expect(count("<svg", in: html) == count("</svg>", in: html))
        #expect(html.hasPrefix("<!DOCTYPE html>\n"))
        #expect(html.hasSuffix("</html>\n"))
    }

    @Test func realisticPageDrawsSixChartsAndBothTables() {
        let r = SampleReports.realistic
        let html = ReportHTML.render(r)
        #expect(count("<svg", in: html) == 6)
        #expect(count("viewBox=", in: html) == 6)
        #expect(!html.contains("class=\"nodata\""))
        #expect(count("<table>", in: html) == 2)
        // The label chart draws the top 20; the labels table lists all 30; the milestone table lists all 12.
        #expect(count("fill=\"\(SVGSupport.labels)\"><title>", in: html) == 20)
        #expect(count("<td class=\"num\">", in: html) >= 30 * 3 + 12 * 3)
        #expect(html.contains("<td class=\"name\">wontfix</td>"))
        #expect(html.contains("<td class=\"name\">v1.32</td>"))
        // Summary cards show the answers with their counts.
        #expect(html.contains("8,073 closed PRs · 1,218 still open"))
        #expect(html.contains("6,733 merged PRs"))
        #expect(html.contains("3,886 issue–PR links"))
        #expect(html.contains("19d 12h"))
    }

    @Test func hostileNamesAreEscapedEverywhere() {
        let evil = "<script>alert(1)</script>"
        var r = SampleReports.withLabel(evil, milestone: evil)
        r.repo = evil
        r.milestones[0].repo = evil
        let html = ReportHTML.render(r)
        #expect(!html.contains(evil))
        #expect(!html.contains("<script"))
        // Label chart, labels table, milestone chart, milestone table, title, header, card...
        #expect(count("&lt;script&gt;alert(1)&lt;/script&gt;", in: html) >= 6)
        let quoted = ReportHTML.render(SampleReports.withLabel("\" onload=\"x"))
        #expect(!quoted.contains("\" onload=\"x"))
        #expect(quoted.contains("&quot; onload=&quot;x"))
    }

    @Test func emptyReportShowsNoDataNotes() {
        let html = ReportHTML.render(SampleReports.empty)
        #expect(!html.contains("<svg"))
        #expect(!html.contains("<table"))
        #expect(count("class=\"nodata\"", in: html) == 6)
        #expect(html.contains("all repositories"))
    }

    @Test func allZeroHistogramIsNoData() {
        var r = SampleReports.realistic
        r.issueToMergeHistogram = DurationBins.histogram(counts: [])
        let html = ReportHTML.render(r)
        #expect(count("<svg", in: html) == 5)
        #expect(html.contains("No data: no merged pull request closes a known issue."))
    }

    @Test func trendChartDrawsOpenIssuesAndOpenPRsPerDay() throws {
        let r = SampleReports.realistic
        let html = ReportHTML.render(r)
        #expect(html.contains("Backlog over time"))
        #expect(count("<polyline", in: html) == 2)
        // One point per day and series, each with its value in a tooltip.
        #expect(count("<circle", in: html) == 2 * r.trend.count)
        #expect(html.contains("<title>2025-11-01: 900 open issues</title>"))
        #expect(html.contains("<title>2025-11-20: \(NumberFormat.grouped(r.trend[19].prsOpen)) open PRs</title>"))
        // The first and last days are labelled on the axis.
        #expect(html.contains(">2025-11-01</text>") && html.contains(">2025-11-20</text>"))
        // Higher values sit higher: the first open-issues point is below (greater y) the last one.
        let issueLine = try #require(
            html.components(separatedBy: "<polyline points=\"").dropFirst().first?.split(separator: "\"").first)
        let ys = issueLine.split(separator: " ").compactMap { Double($0.split(separator: ",")[1]) }
        #expect(ys.count == 20 && ys.first! > ys.last!)
    }

    @Test func manyMilestonesAreCappedInTheChartButAllListed() {
        var r = SampleReports.small
        r.milestones = (0..<50).map {
            MilestoneLines(
                repo: "o/r", milestone: "m\($0)", prs: $0 + 1, avgLinesChanged: Double($0), medianLinesChanged: 1)
        }
        let shown = MilestoneLinesChart.shown(r.milestones)
        #expect(shown.count == MilestoneLinesChart.maxShown)
        #expect(shown.first?.milestone == "m10")  // the 40 with most PRs, in report order
        let html = ReportHTML.render(r)
        #expect(html.contains("the 40 milestones with most PRs of 50"))
        #expect(count("<td class=\"name\">m", in: html) == 50)
    }

    @Test func chartsCarryAxisLabelsAndValues() throws {
        let svg = try #require(
            HistogramChart.svg(SampleReports.realistic.openTimeHistogram, title: "t", unit: "PRs", color: "#000"))
        #expect(svg.contains(">1,377</text>"))
        #expect(svg.contains("duration (log-scaled bins)"))
        #expect(svg.contains(">PRs</text>"))
        #expect(svg.contains(">180–365</text>") || svg.contains(">180–365 d</text>"))
        let labels = try #require(LabelShareChart.svg(SampleReports.realistic.labels))
        #expect(labels.contains("17.3% · 1,842 PRs"))
        #expect(labels.contains(">0%</text>"))
        let lines = try #require(MilestoneLinesChart.svg(SampleReports.realistic.milestones))
        #expect(lines.contains(">1,904.7</text>"))
        #expect(lines.contains("average lines changed"))
        #expect(lines.contains("median lines changed"))
    }

    @Test func niceTicksCoverTheMaximum() {
        #expect(SVGSupport.ticks(upTo: 1_377) == [0, 500, 1_000, 1_500])
        #expect(SVGSupport.ticks(upTo: 17.3) == [0, 5, 10, 15, 20])
        #expect(SVGSupport.ticks(upTo: 1) == [0, 0.2, 0.4, 0.6000000000000001, 0.8, 1])
        #expect(SVGSupport.ticks(upTo: 0) == [0, 1])
    }
}
