import Foundation
import GHWHCluster
import GHWHRaw
import GHWHWarehouse
import Synchronization
import Testing

/// End to end through a real PostgreSQL: raw tree -> planner -> workers ->
/// loader -> sta_github.
@Suite struct SilverLoadTests {
    @Test func loadsGeneratedTreeThenSkipsItUnchanged() throws {
        let (raw, generated) = try Fixtures.generate()
        let db = try Fixtures.database()

        let first = try Fixtures.run(db, raw: raw)
        #expect(first.succeeded, "\(first.render())")
        #expect(
            try Fixtures.scalar(db, "SELECT count(*) FROM sta_github.issues")
                == String(generated.distinctIssueRecordsIncludingPRs))
        #expect(
            try Fixtures.scalar(db, "SELECT count(*) FROM sta_github.issues WHERE NOT is_pull_request")
                == String(generated.distinctIssues))
        #expect(
            try Fixtures.scalar(db, "SELECT count(*) FROM sta_github.pull_requests")
                == String(generated.distinctPullRequests))
        let records = first.datasets.values.reduce(0) { $0 + $1.records }
        #expect(records == generated.records)
        let inserted = first.datasets.values.reduce(0) { $0 + $1.inserted }
        #expect(inserted == generated.distinctIssueRecordsIncludingPRs + generated.distinctPullRequests)
        #expect(
            first.datasets.values.reduce(0) { $0 + $1.updated } == 0,
            "on a first load every key is new, however many versions")
        // Labels table mirrors the latest labels arrays.
        #expect(
            try Fixtures.scalar(db, "SELECT count(*) FROM sta_github.pull_request_labels")
                == Fixtures.scalar(db, "SELECT count(*) FROM sta_github.pull_requests p, unnest(p.labels)"))
        // Exactly the latest arrays' labels: nothing missing, nothing left over from older versions.
        #expect(
            try Fixtures.scalar(
                db,
                """
                SELECT count(*) FROM ((SELECT repo_name, number, label_name FROM sta_github.pull_request_labels
                                       EXCEPT SELECT DISTINCT p.repo_name, p.number, l FROM sta_github.pull_requests p, unnest(p.labels) l)
                                      UNION ALL
                                      (SELECT DISTINCT p.repo_name, p.number, l FROM sta_github.pull_requests p, unnest(p.labels) l
                                       EXCEPT SELECT repo_name, number, label_name FROM sta_github.pull_request_labels)) diff
                """) == "0")
        #expect(
            try Fixtures.scalar(
                db,
                """
                SELECT count(*) FROM (SELECT 1 FROM sta_github.pull_requests_history
                                      GROUP BY repo_name, number HAVING count(DISTINCT labels) > 1) changed
                """
            ).flatMap { Int($0) } ?? 0 > 0, "later days change pull requests' labels")
        #expect(try Fixtures.scalar(db, "SELECT count(*) FROM ghwh_meta.files WHERE status <> 'loaded'") == "0")
        #expect(try Fixtures.scalar(db, "SELECT count(*) FROM ghwh_meta.stage_issues") == "0")

        let before = try Fixtures.silver(db)
        let second = try Fixtures.run(db, raw: raw)
        #expect(second.succeeded)
        #expect(second.tasksCommitted == 0, "unchanged files are skipped")
        #expect(second.datasets.values.reduce(0) { $0 + $1.filesSkipped } == generated.files)
        #expect(try Fixtures.silver(db) == before)

        let forced = try Fixtures.run(db, raw: raw, force: true)
        #expect(forced.succeeded && forced.tasksCommitted > 0)
        #expect(
            forced.datasets.values.reduce(0) { $0 + $1.inserted + $1.updated } == 0, "same versions never win twice")
        #expect(try Fixtures.silver(db) == before)
    }

    /// Loading day 3 before day 1, day by day, all at once, or with tiny
    /// chunks (many tasks per document) ends in identical tables.
    @Test func dedupeIsOrderIndependent() throws {
        let (raw, _) = try Fixtures.generate(repos: 3, issues: 14, prs: 8, days: 3, seed: 11)
        let days = ["2024-01-01", "2024-01-02", "2024-01-03"].map(Fixtures.date)

        let allAtOnce = try Fixtures.database()
        #expect(try Fixtures.run(allAtOnce, raw: raw).succeeded)

        let forward = try Fixtures.database()
        for d in days { #expect(try Fixtures.run(forward, raw: raw, dates: d...d).succeeded) }

        let reverse = try Fixtures.database()
        for d in days.reversed() { #expect(try Fixtures.run(reverse, raw: raw, dates: d...d).succeeded) }

        let chunked = try Fixtures.database()
        let summary = try Fixtures.run(chunked, raw: raw, chunkBytes: 8 << 10, workers: 3)
        #expect(summary.succeeded)
        #expect(summary.tasksCommitted > summary.datasets.values.reduce(0) { $0 + $1.documentsMerged })

        let expected = try Fixtures.silver(allAtOnce)
        #expect(expected["sta_github.issues"]!.count > 40)
        #expect(try Fixtures.silver(forward) == expected)
        #expect(try Fixtures.silver(reverse) == expected)
        #expect(try Fixtures.silver(chunked) == expected)
    }

    /// A job's counts are facts about keys, not about the order in which its
    /// documents merged: new = keys silver did not hold before the job,
    /// updated = keys it held whose row a later version replaced (once each),
    /// unchanged = the job's other records. Key 1 changes on both days, key 3
    /// is new on day 2 and changes on day 3.
    @Test func countsAreExactWhateverTheMergeOrder() throws {
        let root = try Fixtures.tempDir()
        func day(_ date: String, _ versions: [(Int, String)]) throws {
            let issues = versions.map { GoldTests.issue($0.0, repo: "a/x", updated: "\(date)T\($0.1):00:00Z") }
            try Fixtures.write("[" + issues.joined(separator: ",") + "]", to: root + "/github/issues/\(date)/i.json")
        }
        try day("2024-01-01", [(1, "01"), (2, "01")])
        try day("2024-01-02", [(1, "02"), (3, "02")])
        try day("2024-01-03", [(1, "03"), (3, "03")])
        var seen: [String] = []
        for (workers, chunkBytes) in [(1, 16 << 20), (3, 16 << 20), (2, 300)] {
            let db = try Fixtures.database()
            let first = try Fixtures.run(
                db, raw: root, dates: Fixtures.date("2024-01-01")...Fixtures.date("2024-01-01"))
            let c1 = try #require(first.datasets["issues"])
            #expect(first.succeeded && c1.inserted == 2 && c1.updated == 0 && c1.unchanged == 0, "\(first.render())")
            let second = try Fixtures.run(
                db, raw: root, dates: Fixtures.date("2024-01-02")...Fixtures.date("2024-01-03"),
                chunkBytes: chunkBytes, workers: workers)
            let c = try #require(second.datasets["issues"])
            #expect(second.succeeded)
            #expect(c.records == 4)
            #expect(c.inserted == 1, "key 3 is the only new key")
            #expect(c.updated == 1, "key 1 is the only key silver held that changed, however often: \(second.render())")
            #expect(c.unchanged == 2)
            seen.append("\(c.inserted)/\(c.updated)/\(c.unchanged)")
        }
        #expect(Set(seen).count == 1, "\(seen)")
    }

    @Test func backfillRangeLoadsOnlyThoseDays() throws {
        let (raw, _) = try Fixtures.generate(repos: 2, issues: 10, prs: 5, days: 3, seed: 5)
        let db = try Fixtures.database()
        let s = try Fixtures.run(db, raw: raw, dates: Fixtures.date("2024-01-02")...Fixtures.date("2024-01-03"))
        #expect(s.succeeded)
        #expect(try Fixtures.scalar(db, "SELECT count(DISTINCT ingest_date) FROM ghwh_meta.files") == "2")
        #expect(try Fixtures.scalar(db, "SELECT min(ingest_date)::text FROM ghwh_meta.files") == "2024-01-02")
    }
}

/// `ghwh run`'s worker threads send no heartbeats: a job that outlasted the
/// cluster's worker timeout (60 s) lost all its workers, which then spun on
/// "unknown worker" answers, and the job never ended.
@Suite struct LocalRunLongerThanTheWorkerTimeoutTests {
    @Test func aLocalJobOutlastingTheWorkerTimeoutFinishes() throws {
        let (raw, generated) = try Fixtures.generate(repos: 4, issues: 30, prs: 15, days: 3, seed: 3)
        let db = try Fixtures.database()
        var options = LocalCluster.Options(workers: 2)
        options.workerTimeout = 0.01
        let cluster = LocalCluster(conninfo: db, options: options, logger: Fixtures.logger)
        let done = DispatchSemaphore(value: 0)
        let outcome = Mutex<JobSummary?>(nil)
        Thread.detachNewThread {
            // Tiny chunks: many tasks, so the job lasts far longer than the timeout.
            let summary = try? cluster.run(JobSpec(job: .all, rawRoot: raw, chunkBytes: 2 << 10))
            outcome.withLock { $0 = summary }
            done.signal()
        }
        try #require(done.wait(timeout: .now() + 120) == .success, "the job did not end within 120 s")
        let summary = try #require(outcome.withLock { $0 })
        #expect(summary.succeeded, "\(summary.render())")
        #expect(summary.datasets.values.reduce(0) { $0 + $1.records } == generated.records)
        #expect(summary.seconds > 0.1, "the job must outlast the timeout to show anything")
    }
}
