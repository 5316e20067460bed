import Foundation
import Testing

@testable import GHWHReport

/// Renders the realistic sample; with `GHWH_REPORT_SAMPLE_DIR` set it also writes
/// sample.html / sample.txt / sample.json (and sample-empty.html) there for a visual check in a browser.
@Test func realisticSampleRendersInAllFormats() throws {
    let r = SampleReports.realistic
    let html = ReportHTML.render(r)
    let text = ReportText.render(r)
    let json = ReportJSON.render(r)
    #expect(html.contains("ドキュメント"))
    #expect(text.contains("… 10 more labels"))
    #expect(json.contains("\"label\": \"🐛 regression\""))
    if let dir = ProcessInfo.processInfo.environment["GHWH_REPORT_SAMPLE_DIR"] {
        let base = URL(fileURLWithPath: dir)
        try html.write(to: base.appendingPathComponent("sample.html"), atomically: true, encoding: .utf8)
        try (text + "\n").write(to: base.appendingPathComponent("sample.txt"), atomically: true, encoding: .utf8)
        try (json + "\n").write(to: base.appendingPathComponent("sample.json"), atomically: true, encoding: .utf8)
        try ReportHTML.render(SampleReports.empty).write(
            to: base.appendingPathComponent("sample-empty.html"), atomically: true, encoding: .utf8)
    }
}
