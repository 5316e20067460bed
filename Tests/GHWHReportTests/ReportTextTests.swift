import Foundation
import Testing

@testable import GHWHReport

@Suite struct ReportTextTests {
    @Test(arguments: [
        (0.0, "0s"), (0.4, "0s"), (59.0, "59s"), (59.4, "59s"), (59.6, "1m"), (60.0, "1m"), (61.0, "1m 1s"),
        (90.7, "1m 31s"), (3_599.0, "59m 59s"), (3_600.0, "1h"), (18_720.0, "5h 12m"), (2_520.0, "42m"),
        (86_399.0, "1d"), (86_400.0, "1d"), (273_600.0, "3d 4h"), (34_560_000.0, "400d"), (34_563_600.0, "400d 1h"),
        (-120.0, "-2m"),
    ])
    func durationsAreHumanised(seconds: Double, expected: String) {
        #expect(DurationFormat.humanise(seconds) == expected)
    }

    @Test func missingDurationsShowADash() {
        #expect(DurationFormat.humanise(nil) == "—")
        #expect(DurationFormat.humanise(.nan) == "—")
        #expect(DurationFormat.humanise(.infinity) == "—")
        #expect(DurationFormat.humanise(1e300) != "—")  // huge but finite: still printable, no trap
    }

    @Test(arguments: [
        (0.1234, "12.3%"), (0.5, "50.0%"), (1.0, "100.0%"), (0.00049, "0.0%"), (0.00051, "0.1%"), (0.0, "0.0%"),
        (0.12345678, "12.3%"),
    ])
    func sharesArePercentWithOneDecimal(share: Double, expected: String) {
        #expect(NumberFormat.percent(share) == expected)
    }

    @Test func numbersAreGroupedAndFixed() {
        #expect(NumberFormat.grouped(0) == "0")
        #expect(NumberFormat.grouped(999) == "999")
        #expect(NumberFormat.grouped(1_000) == "1,000")
        #expect(NumberFormat.grouped(1_234_567) == "1,234,567")
        #expect(NumberFormat.grouped(-1_234) == "-1,234")
        #expect(NumberFormat.fixed(1_234.56, 1) == "1,234.6")
        #expect(NumberFormat.fixed(57, 1) == "57.0")
        #expect(NumberFormat.fixed(-0.04, 1) == "0.0")
        #expect(NumberFormat.fixed(nil, 1) == "—")
        #expect(NumberFormat.compact(81.5) == "81.5")
        #expect(NumberFormat.compact(120) == "120")
    }

    @Test func datesAreUTCMinutes() {
        #expect(UTCDateFormat.minutes(SampleReports.generatedAt) == "2025-11-25 09:30 UTC")
        #expect(UTCDateFormat.minutes(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29 00:00 UTC")
        #expect(UTCDateFormat.minutes(Date(timeIntervalSince1970: -1)) == "1969-12-31 23:59 UTC")
    }

    @Test func displayWidthCountsWideCharacters() {
        #expect(DisplayWidth.of("abc") == 3)
        #expect(DisplayWidth.of("ドキュメント") == 12)
        #expect(DisplayWidth.of("需要讨论") == 8)
        #expect(DisplayWidth.of("🐛") == 2)
        #expect(DisplayWidth.of("❤️") == 2)
        #expect(DisplayWidth.of("👩‍👩‍👧") == 2)
        #expect(DisplayWidth.of("🇯🇵") == 2)
        #expect(DisplayWidth.of("e\u{301}") == 1)
        #expect(DisplayWidth.of("área") == 4)
    }

    @Test func truncationEndsInEllipsisAndRespectsWidth() {
        #expect(DisplayWidth.truncate("abcdef", to: 6) == "abcdef")
        #expect(DisplayWidth.truncate("abcdef", to: 4) == "abc…")
        #expect(DisplayWidth.truncate("ドキュメント", to: 5) == "ドキ…")
        #expect(DisplayWidth.truncate("ドキュメント", to: 6) == "ドキ…")  // a wide char never splits
        #expect(DisplayWidth.truncate("🐛🐛🐛", to: 4) == "🐛…")
        #expect(DisplayWidth.truncate("abc", to: 0) == "")
        #expect(DisplayWidth.pad("ドキュメント", to: 6) == "ドキ… ")
    }

    /// Every table in the output: a header line, a rule line of "─", and rows until a line that is not indented by 2.
    private func tables(in text: String) -> [[String]] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var result: [[String]] = []
        for (i, line) in lines.enumerated() where line.hasPrefix("  ─") && i > 0 {
            var table = [lines[i - 1], line]
            var j = i + 1
            while j < lines.count, lines[j].hasPrefix("  "), !lines[j].hasPrefix("  … "),
                !lines[j].hasPrefix("  a link"),
                !lines[j].contains("still open")
            {
                table.append(lines[j])
                j += 1
            }
            result.append(table)
        }
        return result
    }

    /// At 40 columns the minimum column widths don't fit; the lines must still align.
    @Test(arguments: [(100, true), (72, true), (40, false)])
    func tableLinesShareOneDisplayWidth(width: Int, mustFit: Bool) {
        let text = ReportText.render(SampleReports.realistic, width: width)
        let found = tables(in: text)
        #expect(found.count == 5)
        for table in found {
            let widths = Set(table.map(DisplayWidth.of))
            #expect(widths.count == 1, "\(table)")
            if mustFit { #expect((widths.first ?? .max) <= width, "\(table)") }
        }
        #expect(found[2].count == 2 + 20)  // top 20 labels
        #expect(found[3].count == 2 + SampleReports.realistic.milestones.count)  // all milestones
        #expect(found[4].count == 2 + ReportText.trendDays)  // the last days of the backlog trend
    }

    @Test func narrowOutputTruncatesLongNames() {
        let text = ReportText.render(SampleReports.realistic, width: 72)
        #expect(text.contains("…"))
        #expect(!text.contains("2.0 (breaking formatting changes for edition 2024)"))
        #expect(text.contains("2.0 (breaking"))
        let wide = ReportText.render(SampleReports.realistic, width: 200)
        #expect(wide.contains("2.0 (breaking formatting changes for edition 2024)"))
    }

    @Test func realisticReportShowsAnswersAndCounts() {
        let text = ReportText.render(SampleReports.realistic)
        #expect(text.hasPrefix("ghwh report · all repositories\ngenerated 2025-11-25 09:30 UTC\n"))
        #expect(text.contains("8,073 closed PRs  19d 12h      2d"))
        #expect(text.contains("1,218 PRs still open"))
        #expect(text.contains("3,886 links"))
        #expect(text.contains("17.3%"))
        #expect(text.contains("… 10 more labels (4.7% of assignments)"))
        #expect(text.contains("(30 labels, 10,671 label assignments)"))
        #expect(!text.contains("wontfix"))  // label 21 is beyond the top 20
        #expect(text.contains("1,904.7"))
        // The backlog: the last 14 of 20 days, newest last.
        #expect(text.contains("Backlog by ingest day (state as of each day), the last 14 of 20 days"))
        #expect(!text.contains("2025-11-06 ") && text.contains("2025-11-07 ") && text.contains("2025-11-20 "))
        let last = text.split(separator: "\n").first { $0.contains("2025-11-20") }.map(String.init) ?? ""
        #expect(last.split(separator: " ") == ["2025-11-20", "1,033", "1,203", "8,071", "6,733"])
    }

    @Test func emptyReportSaysNoData() {
        let text = ReportText.render(SampleReports.empty)
        #expect(text.components(separatedBy: "no data").count - 1 == 5)
        #expect(text.contains("0 PRs still open"))
        #expect(!text.contains("─"))
    }

    @Test func scopeAndControlCharactersInNames() {
        var r = SampleReports.withLabel("evil\u{1b}[31mred\nline")
        r.repo = "octo/hello"
        let text = ReportText.render(r)
        #expect(text.hasPrefix("ghwh report · repository octo/hello\n"))
        #expect(!text.contains("\u{1b}"))
        #expect(text.contains("evil\u{FFFD}[31mred\u{FFFD}line"))
    }
}
