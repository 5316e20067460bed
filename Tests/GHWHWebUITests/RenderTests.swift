import Foundation
import GHWHHTML
import Testing

@testable import GHWHWebUI

@Suite("Rendering helpers")
struct RenderTests {
    @Test("escaping covers the five HTML specials")
    func escaping() {
        #expect(
            HTMLEscape.text(#"<a href="x">Tom & 'Jerry'</a>"#)
                == "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;")
        #expect(HTMLEscape.text("plain ü") == "plain ü")
    }

    @Test("durations, ages, sizes and rates")
    func formatting() {
        let now = Fixture.now
        #expect(Fmt.ago(now.addingTimeInterval(-3), now: now) == "3 s ago")
        #expect(Fmt.ago(now.addingTimeInterval(5), now: now) == "0 s ago")  // clock skew
        #expect(Fmt.ago(now.addingTimeInterval(-7300), now: now) == "2 h ago")
        #expect(Fmt.duration(0.25) == "250 ms")
        #expect(Fmt.duration(12.44) == "12.4 s")
        #expect(Fmt.duration(185) == "3m 05s")
        #expect(Fmt.duration(3720) == "1h 02m")
        #expect(Fmt.duration(nil) == "–")
        #expect(Fmt.megabytes(2_500_000_000) == "2500.0")
        #expect(Fmt.rate(100_000_000, seconds: 50) == "2.0")
        #expect(Fmt.rate(100_000_000, seconds: 0) == "–")
        #expect(Fmt.count(1_234_567) == "1,234,567")
        #expect(Fmt.count(-1000) == "-1,000")
        #expect(Fmt.count(999) == "999")
    }

    @Test("progress bar clamps overshoot")
    func progressClamp() {
        let bar = PageLayout.progressBar(done: 9, running: 3, planned: 5, state: "running")
        #expect(bar.contains("width:100%"))
        #expect(bar.contains("width:0%"))
        #expect(bar.contains("9 / 5"))
    }

    /// Writes the overview and a job page to a temp folder, for screenshots
    /// (`chromium --headless --screenshot`), and checks they are complete documents.
    @Test("pages render to standalone HTML files")
    func renderToFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ghwh-webui-render")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var withLoaderError = Fixture.snapshot
        withLoaderError.loaderError = "postgres unreachable: connection refused (retry 3 of 10 in 8 s)"
        let pages = [
            "overview.html": WebUIPages.overview(withLoaderError),
            "job.html": WebUIPages.job(Fixture.snapshot.jobs[0], in: Fixture.snapshot),
            "job-failed.html": WebUIPages.job(Fixture.snapshot.jobs[1], in: Fixture.snapshot),
            "workers.html": WebUIPages.workers(Fixture.snapshot),
            "metrics.txt": MetricsTests().exercised().prometheusText(),
        ]
        for (name, html) in pages {
            let url = dir.appendingPathComponent(name)
            try html.write(to: url, atomically: true, encoding: .utf8)
            let back = try String(contentsOf: url, encoding: .utf8)
            if name.hasSuffix(".html") {
                #expect(back.hasPrefix("<!DOCTYPE html>") && back.contains("</html>"))
            } else {
                #expect(back.contains("# TYPE ghwh_jobs gauge"))
            }
        }
    }
}
