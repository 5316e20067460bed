import Foundation
import GHWHCluster
import GHWHReport
import GHWHTestSupport
import GHWHWarehouse
import Testing

/// The gold layer end to end: per-repo tasks, incremental recompute, and the
/// report's numbers against independent SQL over silver.
@Suite struct GoldTests {
    static let goldTables = [
        "stg_github.pull_requests_metrics", "stg_github.pull_request_issue_links",
        "stg_github.labels_metrics", "stg_github.milestone_metrics",
    ]

    static func gold(_ db: String) throws -> [String: [String]] {
        var out: [String: [String]] = [:]
        for t in goldTables { out[t] = try Fixtures.dump(db, t) }
        return out
    }

    static func fullRecompute(_ db: String, raw: String) throws {
        for job in [JobName.stgGithubPullRequestsMetrics, .stgGithubLabelsMetrics, .stgGithubMilestoneMetrics] {
            let s = try Fixtures.run(db, raw: raw, job: job, force: true)
            #expect(s.succeeded && s.gold.tasks > 0)
        }
    }

    @Test func incrementalGoldEqualsFullRecompute() throws {
        let (raw, _) = try Fixtures.generate(repos: 6, issues: 10, prs: 8, days: 3, seed: 21)
        let days = ["2024-01-01", "2024-01-02", "2024-01-03"].map(Fixtures.date)
        let db = try Fixtures.database()
        for d in days {
            let s = try Fixtures.run(db, raw: raw, dates: d...d)
            #expect(s.succeeded, "\(s.render())")
            #expect(s.gold.tasks > 0)
        }
        let incremental = try Self.gold(db)
        #expect(incremental["stg_github.pull_requests_metrics"]!.count == 48)
        #expect(incremental["stg_github.pull_request_issue_links"]!.count > 0)
        try Self.fullRecompute(db, raw: raw)
        #expect(try Self.gold(db) == incremental)
        #expect(try Fixtures.scalar(db, "SELECT count(*) FROM ghwh_meta.gold_dirty_repos") == "0")

        let allAtOnce = try Fixtures.database()
        #expect(try Fixtures.run(allAtOnce, raw: raw).succeeded)
        #expect(try Self.gold(allAtOnce) == incremental)
    }

    static func pr(
        _ n: Int, repo: String, body: String = "", updated: String = "2024-01-01T10:00:00Z", merged: String? = nil
    ) -> String {
        let mergedJSON = merged.map { "\"\($0)\"" } ?? "null"
        return
            #"{"number": \#(n), "state": "closed", "title": "pr \#(n)", "body": "\#(body)", "created_at": "2024-01-01T00:00:00Z", "updated_at": "\#(updated)", "closed_at": "2024-01-01T06:00:00Z", "merged_at": \#(mergedJSON), "additions": 3, "deletions": 1, "labels": [{"name": "bug"}], "base": {"ref": "main", "repo": {"full_name": "\#(repo)"}}}"#
    }

    static func issue(
        _ n: Int, repo: String, created: String = "2023-12-31T00:00:00Z", updated: String = "2024-01-01T00:00:00Z"
    ) -> String {
        #"{"number": \#(n), "title": "issue \#(n)", "repository_url": "https://api.github.com/repos/\#(repo)", "created_at": "\#(created)", "updated_at": "\#(updated)"}"#
    }

    /// Only repos whose silver rows changed are recomputed, plus repos whose
    /// PRs reference a changed issue in another repo.
    @Test func onlyChangedReposAreRecomputed() throws {
        let root = try Fixtures.tempDir()
        func day(_ d: String, issues: [String], prs: [String]) throws {
            try Fixtures.write("[" + issues.joined(separator: ",") + "]", to: root + "/github/issues/\(d)/i.json")
            try Fixtures.write("[" + prs.joined(separator: ",") + "]", to: root + "/github/pull_requests/\(d)/p.json")
        }
        try day(
            "2024-01-01", issues: [Self.issue(1, repo: "a/x"), Self.issue(1, repo: "b/y"), Self.issue(1, repo: "c/z")],
            prs: [
                Self.pr(2, repo: "a/x", body: "fixes #1", merged: "2024-01-01T06:00:00Z"),
                Self.pr(2, repo: "b/y", body: "closes a/x#1", merged: "2024-01-01T06:00:00Z"),
                Self.pr(2, repo: "c/z", body: "fixes #1"),
            ])
        // Day 2: a/x's issue is edited (its creation time too, so links change); nothing else.
        try day(
            "2024-01-02",
            issues: [Self.issue(1, repo: "a/x", created: "2023-12-30T00:00:00Z", updated: "2024-01-02T00:00:00Z")],
            prs: [])
        let db = try Fixtures.database()
        let first = try Fixtures.run(db, raw: root, dates: Fixtures.date("2024-01-01")...Fixtures.date("2024-01-01"))
        #expect(first.succeeded && first.gold.repos == 3)
        #expect(try Fixtures.scalar(db, "SELECT count(*) FROM stg_github.pull_request_issue_links") == "3")
        let second = try Fixtures.run(db, raw: root, dates: Fixtures.date("2024-01-02")...Fixtures.date("2024-01-02"))
        #expect(second.succeeded)
        // a/x changed and b/y links to it: their metrics are recomputed. c/z's
        // silver is untouched: it is recomputed only for its backlog, which
        // needs a row for the new day.
        #expect(second.gold.repos == 3)
        #expect(second.gold.rows["pull_requests_metrics"] == 2, "\(second.gold.rows)")
        #expect(second.gold.rows["daily_backlog"] == 6, "\(second.gold.rows)")
        #expect(
            try Fixtures.scalar(
                db,
                """
                SELECT issue_to_merge_seconds FROM stg_github.pull_request_issue_links WHERE repo_name = 'b/y'
                """) == "194400", "recomputed against the new issue creation time (2023-12-30 -> 2024-01-01T06:00)")
        let before = try Self.gold(db)
        try Self.fullRecompute(db, raw: root)
        #expect(try Self.gold(db) == before)
    }

    /// `ghwh report --format json` on the real objects equals values computed
    /// here with SQL straight over silver.
    @Test func jsonReportOnRealCorpusMatchesSQLOverSilver() throws {
        try Self.reportMatchesSQLOverSilver(RealFixtures.directory())
    }

    /// The same on the full corpus (GHWH_FULL_CORPUS=<dir>), never run by default.
    @Test(.enabled(if: RealFixtures.fullCorpusRequested))
    func jsonReportOnFullCorpusMatchesSQLOverSilver() throws {
        try Self.reportMatchesSQLOverSilver(RealFixtures.fullCorpusDirectory())
    }

    static func reportMatchesSQLOverSilver(_ directory: URL) throws {
        let raw = try RealCorpusLoadTests.rawTree(from: directory)
        // What silver must hold, read from the objects with Foundation: the kept version of
        // each PR, its closed ones, its label names, its (repo, milestone) groups.
        let pulls = RealCorpusLoadTests.latest(
            try RealFixtures.objects("pull_requests.json", in: directory), pullRequest: true)
        func set(_ any: Any?) -> Bool { any != nil && !(any is NSNull) }
        let closedPulls = pulls.values.filter { set($0["closed_at"]) }.count
        let labelNames = Set(
            pulls.values.flatMap {
                ($0["labels"] as? [Any] ?? []).compactMap { l -> String? in
                    (l as? String) ?? ((l as? [String: Any])?["name"] as? String)
                }
            })
        let milestoneGroups = Set(
            pulls.compactMap { key, o -> String? in
                ((o["milestone"] as? [String: Any])?["title"] as? String).map {
                    "\(key.split(separator: "#")[0]) \($0)"
                }
            })
        #expect(
            closedPulls > 0 && labelNames.count > 3 && !milestoneGroups.isEmpty,
            "the objects must exercise every part of the report")
        let db = try Fixtures.database()
        _ = try Fixtures.run(db, raw: raw)
        let conn = try PGConnection(conninfo: db)
        defer { conn.close() }
        let json = ReportJSON.render(try ReportQueries.load(conn))
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])

        func row(_ sql: String) throws -> [String?] { try conn.query(sql).rows.first ?? [] }
        func num(_ any: Any?) -> Double? { (any as? NSNumber)?.doubleValue }
        func close(_ a: Double?, _ b: String?, _ what: String) {
            let bv = b.flatMap(Double.init)
            if a == nil || bv == nil {
                #expect(a == nil && bv == nil, "\(what): \(String(describing: a)) vs \(String(describing: b))")
                return
            }
            #expect(abs(a! - bv!) <= 1e-6 * max(1, abs(bv!)), "\(what): \(a!) vs \(bv!)")
        }

        let open = try row(
            """
            SELECT count(*) FILTER (WHERE closed_at IS NOT NULL), count(*) FILTER (WHERE closed_at IS NULL),
                   avg(extract(epoch FROM closed_at - created_at)),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM closed_at - created_at))
            FROM sta_github.pull_requests
            """)
        let o = try #require(report["pr_open_time"] as? [String: Any])
        #expect((o["prs"] as? Int) == Int(open[0]!) && (o["open_prs"] as? Int) == Int(open[1]!))
        #expect(Int(open[0]!)! == closedPulls)
        close(num(o["avg_seconds"]), open[2], "open avg")
        close(num(o["median_seconds"]), open[3], "open median")

        let merge = try row(
            """
            SELECT count(*), avg(extract(epoch FROM merged_at - created_at)),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM merged_at - created_at))
            FROM sta_github.pull_requests WHERE merged_at IS NOT NULL
            """)
        let m = try #require(report["pr_time_to_merge"] as? [String: Any])
        #expect((m["prs"] as? Int) == Int(merge[0]!))
        close(num(m["avg_seconds"]), merge[1], "merge avg")
        close(num(m["median_seconds"]), merge[2], "merge median")

        let links = try row(
            """
            WITH l AS (
                SELECT DISTINCT p.repo_name, p.number, i.repo_name AS irepo, i.number AS inum,
                       extract(epoch FROM p.merged_at - i.created_at) AS secs
                FROM sta_github.pull_requests p, unnest(p.closing_references) AS r(ref), sta_github.issues i
                WHERE i.repo_name = split_part(r.ref, '#', 1) AND i.number = split_part(r.ref, '#', 2)::bigint
                  AND NOT i.is_pull_request AND p.merged_at IS NOT NULL AND i.created_at <= p.merged_at)
            SELECT count(*), avg(secs), percentile_cont(0.5) WITHIN GROUP (ORDER BY secs) FROM l
            """)
        let l = try #require(report["issue_to_merge"] as? [String: Any])
        #expect((l["links"] as? Int) == Int(links[0]!))
        close(num(l["avg_seconds"]), links[1], "links avg")
        close(num(l["median_seconds"]), links[2], "links median")

        let labelRows = try conn.query(
            """
            SELECT label_name, count(*), count(*)::float8 / sum(count(*)) OVER ()
            FROM sta_github.pull_request_labels GROUP BY label_name ORDER BY count(*) DESC, label_name COLLATE "C"
            """
        ).rows
        let labels = try #require(report["labels"] as? [[String: Any]])
        #expect(labels.count == labelRows.count && Set(labels.compactMap { $0["label"] as? String }) == labelNames)
        for (a, b) in zip(labels, labelRows) {
            #expect(a["label"] as? String == b[0] && (a["pr_count"] as? Int) == Int(b[1]!))
            close(num(a["share"]), b[2], "share of \(b[0]!)")
        }
        #expect(abs(labels.compactMap { num($0["share"]) }.reduce(0, +) - 1) < 1e-9)

        let msRows = try conn.query(
            """
            SELECT repo_name, milestone_title, count(*), avg(additions + deletions),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY additions + deletions)
            FROM sta_github.pull_requests WHERE milestone_title IS NOT NULL
            GROUP BY 1, 2 ORDER BY repo_name COLLATE "C", milestone_title COLLATE "C"
            """
        ).rows
        let milestones = try #require(report["milestones"] as? [[String: Any]])
        #expect(milestones.count == msRows.count && milestones.count == milestoneGroups.count)
        for (a, b) in zip(milestones, msRows) {
            #expect(
                a["repo"] as? String == b[0] && a["milestone"] as? String == b[1] && (a["prs"] as? Int) == Int(b[2]!))
            close(num(a["avg_lines_changed"]), b[3], "milestone avg")
            close(num(a["median_lines_changed"]), b[4], "milestone median")
        }
    }
}
