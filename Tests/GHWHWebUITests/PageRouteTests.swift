import Foundation
import GHWHWebUI
import Testing

@Suite("HTML pages")
struct PageRouteTests {
    @Test("overview lists workers and jobs, escaped, auto-refreshing")
    func overview() async throws {
        let page = try await fetch("/")
        #expect(page.status == .ok)
        #expect(page.contentType == "text/html; charset=utf-8")
        let html = page.body
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains(#"<meta http-equiv="refresh" content="2">"#))
        #expect(!html.contains("<script"))
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co"))
        // workers: both, alive and lost, heartbeat age relative to generatedAt
        #expect(html.contains(">w-1<") && html.contains(">w-2<"))
        #expect(html.contains("node-a") && html.contains("node-b"))
        #expect(html.contains(#"<span class="badge alive">alive</span>"#))
        #expect(html.contains(#"<span class="badge lost">lost</span>"#))
        #expect(html.contains("3 s ago"))
        #expect(html.contains("10 min ago"))
        #expect(html.contains("t-0003") && html.contains("t-0004"))
        // jobs: links, states, ranges, progress, records, MB, rate, duration
        for id in ["job-0001", "job-0002", "job-0003"] {
            #expect(html.contains(#"<a href="/jobs/\#(id)">\#(id)</a>"#))
        }
        #expect(html.contains("2025-01-01 → 2025-01-03"))
        #expect(html.contains(">2024-12-31<"))
        #expect(html.contains(">all<"))
        #expect(html.contains(#"<span class="badge running">running</span>"#))
        #expect(html.contains(#"<span class="badge failed">failed</span>"#))
        #expect(html.contains(#"<span class="badge succeeded">succeeded</span>"#))
        #expect(html.contains("<span>2 / 5</span>"))
        #expect(html.contains(#"style="width:40%""#))
        #expect(html.contains("123,456"))
        #expect(html.contains(">2500.0<"))  // MB
        #expect(html.contains(">4.2<"))  // 2500 MB over 599 s
        #expect(html.contains(">9m 59s<"))
        #expect(html.contains(">1m 00s<"))
        #expect(html.contains(">2.0<"))  // 120 MB in 60 s
        // worker and job order is kept (jobs newest first)
        let i3 = try #require(html.range(of: "job-0003")).lowerBound
        let i1 = try #require(html.range(of: "job-0001")).lowerBound
        #expect(i3 < i1)
    }

    @Test("overview shows a loader error, escaped")
    func loaderError() async throws {
        var snapshot = Fixture.snapshot
        snapshot.loaderError = "postgres <down> & retrying"
        let html = try await fetch("/", snapshot: snapshot).body
        #expect(html.contains("Loader error"))
        #expect(html.contains("postgres &lt;down&gt; &amp; retrying"))
        let clean = try await fetch("/").body
        #expect(!clean.contains("Loader error"))
    }

    @Test("characters XML forbids are replaced on pages, as in the report (issue 14)")
    func forbiddenCharactersReplaced() async throws {
        var snapshot = Fixture.snapshot
        snapshot.loaderError = "bad\u{1}byte\u{FFFF} & tab\tok"
        let html = try await fetch("/", snapshot: snapshot).body
        #expect(!html.unicodeScalars.contains("\u{1}"))
        #expect(!html.unicodeScalars.contains("\u{FFFF}"))
        #expect(html.contains("bad\u{FFFD}byte\u{FFFD} &amp; tab\tok"))
    }

    @Test("empty cluster renders placeholders")
    func emptyCluster() async throws {
        var snapshot = Fixture.snapshot
        snapshot.workers = []
        snapshot.jobs = []
        let page = try await fetch("/", snapshot: snapshot)
        #expect(page.status == .ok)
        #expect(page.body.contains("No worker has registered yet."))
        #expect(page.body.contains("No job submitted yet."))
    }

    @Test("job page lists every task state, errors and failures")
    func runningJobPage() async throws {
        let page = try await fetch("/jobs/job-0003")
        #expect(page.status == .ok)
        #expect(page.contentType == "text/html; charset=utf-8")
        let html = page.body
        #expect(html.contains(#"<meta http-equiv="refresh" content="2">"#))
        #expect(!html.contains("<script"))
        #expect(html.contains("&lt;script&gt;"))
        for task in ["t-0001", "t-0002", "t-0003", "t-0004", "t-0005"] {
            #expect(html.contains(">\(task)<"))
        }
        for state in ["pending", "running", "committed", "loading"] {
            #expect(html.contains(#"<span class="badge \#(state)">\#(state)</span>"#))
        }
        #expect(html.contains("5: 1 pending, 2 running, 1 loading, 1 committed"))
        #expect(html.contains("github/issues/2025-01-02/b.json.zip!x.json#0"))
        #expect(html.contains("bucket 7/16"))
        #expect(html.contains("worker lost &lt;w-2&gt; &amp; lease expired"))
        #expect(html.contains("2025-01-04T15:03:21Z"))  // startedAt, ISO-8601 UTC
        #expect(html.contains("No failed documents."))
    }

    @Test("failed job page shows its error and failures")
    func failedJobPage() async throws {
        let html = try await fetch("/jobs/job-0002").body
        #expect(html.contains("1 document failed"))
        #expect(html.contains("Failures <small>(1)</small>"))
        #expect(
            html.contains("<li>github/pull_requests/2024-12-31/p.json.gz: truncated gzip stream at byte 81920</li>"))
        #expect(html.contains(#"<td class="num">3</td>"#))  // attempts
    }

    @Test("a job without a task list says so")
    func oldJobPage() async throws {
        let html = try await fetch("/jobs/job-0001").body
        #expect(html.contains("No task list kept for this job."))
    }

    @Test("unknown job page is 404 HTML with the id escaped")
    func unknownJob() async throws {
        let page = try await fetch("/jobs/%3Cnope%3E")
        #expect(page.status == .notFound)
        #expect(page.contentType == "text/html; charset=utf-8")
        #expect(page.body.contains("&lt;nope&gt;"))
        #expect(!page.body.contains("<nope>"))
    }

    @Test("job ids with reserved characters are linked percent-encoded and found")
    func oddJobID() async throws {
        var snapshot = Fixture.snapshot
        snapshot.jobs[0].id = "job 7/a&b"
        let overview = try await fetch("/", snapshot: snapshot).body
        #expect(overview.contains(#"<a href="/jobs/job%207%2Fa%26b">job 7/a&amp;b</a>"#))
        let page = try await fetch("/jobs/job%207%2Fa%26b", snapshot: snapshot)
        #expect(page.status == .ok)
        #expect(page.body.contains("t-0005"))
    }

    @Test("workers page")
    func workersPage() async throws {
        let page = try await fetch("/workers")
        #expect(page.status == .ok)
        #expect(page.contentType == "text/html; charset=utf-8")
        #expect(page.body.contains("node-a") && page.body.contains("node-b"))
        #expect(page.body.contains(#"<span class="badge lost">lost</span>"#))
        #expect(!page.body.contains("job-0003"))
    }

    @Test("unknown paths are 404")
    func unknownPath() async throws {
        let page = try await fetch("/nope")
        #expect(page.status == .notFound)
    }

    @Test("healthz answers ok")
    func healthz() async throws {
        let page = try await fetch("/healthz")
        #expect(page.status == .ok)
        #expect(page.body == "ok")
        #expect(page.contentType?.hasPrefix("text/plain") == true)
    }
}
