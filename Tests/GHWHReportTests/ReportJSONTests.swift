import Foundation
import Testing

@testable import GHWHReport

@Suite struct ReportJSONTests {
    @Test func smallReportMatchesTheExactContractText() {
        let expected = """
            {
              "pr_open_time": {
                "prs": 3,
                "open_prs": 2,
                "avg_seconds": 3600,
                "median_seconds": 3600.5
              },
              "pr_time_to_merge": {
                "prs": 2,
                "avg_seconds": 90061.25,
                "median_seconds": 0.000015
              },
              "issue_to_merge": {
                "links": 0,
                "avg_seconds": null,
                "median_seconds": null
              },
              "labels": [
                {
                  "label": "bug",
                  "pr_count": 2,
                  "share": 0.5
                },
                {
                  "label": "docs",
                  "pr_count": 1,
                  "share": 0.25
                },
                {
                  "label": "good first issue",
                  "pr_count": 1,
                  "share": 0.25
                }
              ],
              "milestones": [
                {
                  "repo": "octo/hello",
                  "milestone": "v1.0",
                  "prs": 3,
                  "avg_lines_changed": 12.5,
                  "median_lines_changed": 10
                },
                {
                  "repo": "octo/hello",
                  "milestone": "v2.0",
                  "prs": 1,
                  "avg_lines_changed": null,
                  "median_lines_changed": null
                }
              ],
              "trend": [
                {
                  "date": "2024-01-01",
                  "issues_open": 4,
                  "prs_open": 3,
                  "prs_closed": 1,
                  "prs_merged": 1
                },
                {
                  "date": "2024-01-02",
                  "issues_open": 2,
                  "prs_open": 2,
                  "prs_closed": 3,
                  "prs_merged": 2
                }
              ]
            }
            """
        #expect(ReportJSON.render(SampleReports.small) == expected)
    }

    @Test func emptyReportHasNullsAndEmptyArrays() {
        let expected = """
            {
              "pr_open_time": {
                "prs": 0,
                "open_prs": 0,
                "avg_seconds": null,
                "median_seconds": null
              },
              "pr_time_to_merge": {
                "prs": 0,
                "avg_seconds": null,
                "median_seconds": null
              },
              "issue_to_merge": {
                "links": 0,
                "avg_seconds": null,
                "median_seconds": null
              },
              "labels": [],
              "milestones": [],
              "trend": []
            }
            """
        #expect(ReportJSON.render(SampleReports.empty) == expected)
    }

    @Test func nonFiniteNumbersBecomeNull() {
        var r = SampleReports.small
        r.prOpenTime.avgSeconds = .nan
        r.prOpenTime.medianSeconds = .infinity
        r.labels = [LabelShare(label: "x", prCount: 1, share: -.infinity)]
        let json = ReportJSON.render(r)
        #expect(!json.lowercased().contains("nan"))
        #expect(!json.lowercased().contains("inf"))
        #expect(json.contains("\"avg_seconds\": null,\n    \"median_seconds\": null"))
        #expect(json.contains("\"share\": null"))
    }

    @Test func stringsAreEscaped() {
        let label = "a\"b\\c\nd\te\u{1}f😀g\u{2028}h</script>"
        let json = ReportJSON.render(SampleReports.withLabel(label))
        #expect(json.contains(#""label": "a\"b\\c\nd\te\u0001f😀g\u2028h</script>""#))
    }

    @Test(arguments: [
        "plain", "quote\"", "back\\slash", "new\nline", "ctl\u{1}\u{1f}\u{7f}", "emoji 😀🇯🇵👩‍👩‍👧", "𝄞 non-BMP", "ドキュメント",
        "é\u{301}", "",
    ])
    func jsonSerializationParsesBackTheSameValues(label: String) throws {
        let r = SampleReports.withLabel(label, milestone: label)
        let parsed = try #require(JSONSerialization.jsonObject(with: Data(ReportJSON.render(r).utf8)) as? [String: Any])
        let labels = try #require(parsed["labels"] as? [[String: Any]])
        #expect(labels.count == 1)
        #expect(labels[0]["label"] as? String == label)
        #expect((labels[0]["pr_count"] as? NSNumber)?.intValue == 1)
        #expect((labels[0]["share"] as? NSNumber)?.doubleValue == 1)
        let milestones = try #require(parsed["milestones"] as? [[String: Any]])
        #expect(milestones[0]["milestone"] as? String == label)
    }

    @Test func realisticReportRoundTripsThroughJSONSerialization() throws {
        let r = SampleReports.realistic
        let parsed = try #require(JSONSerialization.jsonObject(with: Data(ReportJSON.render(r).utf8)) as? [String: Any])
        let open = try #require(parsed["pr_open_time"] as? [String: Any])
        #expect((open["prs"] as? NSNumber)?.intValue == r.prOpenTime.count)
        #expect((open["open_prs"] as? NSNumber)?.intValue == r.openPRs)
        #expect((open["avg_seconds"] as? NSNumber)?.doubleValue == r.prOpenTime.avgSeconds)
        let merge = try #require(parsed["pr_time_to_merge"] as? [String: Any])
        #expect((merge["median_seconds"] as? NSNumber)?.doubleValue == r.prTimeToMerge.medianSeconds)
        let links = try #require(parsed["issue_to_merge"] as? [String: Any])
        #expect((links["links"] as? NSNumber)?.intValue == r.issueToMerge.count)
        let labels = try #require(parsed["labels"] as? [[String: Any]])
        #expect(labels.map { $0["label"] as? String } == r.labels.map(\.label))
        // swift-corelibs-foundation's parser may be off in the last bit (our text is the shortest
        // round-trip form, checked exactly in doublePrintingRoundTripsAndRejectsNonFinite), hence the tolerance.
        let shares = labels.map { ($0["share"] as? NSNumber)?.doubleValue ?? .nan }
        #expect(zip(shares, r.labels.map(\.share)).allSatisfy { abs($0 - $1) <= 1e-15 * $1 })
        #expect(shares.count == r.labels.count)
        let milestones = try #require(parsed["milestones"] as? [[String: Any]])
        #expect(milestones.map { $0["milestone"] as? String } == r.milestones.map(\.milestone))
        // Missing values parse as NSNull.
        #expect(milestones[5]["avg_lines_changed"] is NSNull)
        #expect(
            Set(parsed.keys) == ["pr_open_time", "pr_time_to_merge", "issue_to_merge", "labels", "milestones", "trend"])
    }

    @Test func keysAppearInContractOrder() throws {
        let json = ReportJSON.render(SampleReports.small)
        func order(_ keys: [String]) -> Bool {
            let positions = keys.compactMap { json.range(of: "\"\($0)\":")?.lowerBound }
            return positions.count == keys.count && positions == positions.sorted()
        }
        #expect(order(["pr_open_time", "pr_time_to_merge", "issue_to_merge", "labels", "milestones", "trend"]))
        #expect(order(["prs", "open_prs", "avg_seconds", "median_seconds"]))
        #expect(order(["label", "pr_count", "share"]))
        #expect(order(["repo", "milestone", "avg_lines_changed", "median_lines_changed"]))
    }

    @Test(arguments: [
        (3600.0, "3600"), (3600.5, "3600.5"), (0.0, "0"), (-0.0, "0"), (0.1, "0.1"), (-2.5, "-2.5"),
        (1e-5, "0.00001"), (1.25e-7, "0.000000125"), (123456789.125, "123456789.125"),
        (1e15, "1000000000000000"), (1.5e16, "15000000000000000"), (2.5e20, "250000000000000000000"),
        (1.5e-20, "0.000000000000000000015"), (1e300, "1e+300"),
    ])
    func doublesPrintWithoutExponent(value: Double, expected: String) {
        #expect(NumberFormat.plain(value) == expected)
    }

    @Test func doublePrintingRoundTripsAndRejectsNonFinite() {
        #expect(NumberFormat.plain(.nan) == nil)
        #expect(NumberFormat.plain(.infinity) == nil)
        #expect(NumberFormat.plain(-.infinity) == nil)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let magnitude = Double.random(in: -12...18, using: &generator)
            let value = Double.random(in: 1..<10, using: &generator) * pow(10, magnitude.rounded())
            let text = NumberFormat.plain(value)
            #expect(text.map { !$0.contains("e") } == true, "\(value) -> \(text ?? "nil")")
            #expect(text.flatMap(Double.init) == value, "\(value) -> \(text ?? "nil")")
        }
    }
}
