import Foundation
import GHWHCLI
import GHWHCluster
import GHWHReport
import GHWHSampleData
import GHWHWarehouse
import Testing

/// The daily history (docs/contract.md#daily-history): daily tables partitioned by
/// ingest day, answers as of a day, the backlog trend, prune.
@Suite struct HistoryTests {
    static let historyTables = [
        "sta_github.issues_daily", "sta_github.pull_requests_daily", "stg_github.daily_backlog",
    ]

    static func history(_ db: String) throws -> [String: [String]] {
        var out: [String: [String]] = [:]
        for t in historyTables { out[t] = try Fixtures.dump(db, t) }
        return out
    }

    /// A corpus with several versions per key across days (the generator
    /// updates earlier records on later days), several files per day.
    /// With `snapshots` every day re-delivers every record created so far, mostly unchanged (full daily dumps).
    static func corpus(days: Int = 5, seed: UInt64 = 71, firstDate: String = "2024-01-01", snapshots: Bool = false)
        throws
        -> (raw: String, days: [String])
    {
        let root = try Fixtures.tempDir()
        var o = SampleDataOptions(outputDirectory: root)
        o.repos = 4
        o.issuesPerRepo = 14
        o.prsPerRepo = 10
        o.days = days
        o.seed = seed
        o.firstDate = firstDate
        o.snapshots = snapshots
        o.maxEntryBytes = 96 << 10
        _ = try SampleDataGenerator(o).generate()
        let dayNames = try FileManager.default.contentsOfDirectory(atPath: root + "/github/issues").sorted()
        return (root, dayNames)
    }

    /// The error `body` throws (described), nil if it does not throw.
    static func failure(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch { return "\(error)" }
    }

    static func database(partition: HistoryStore.Granularity) throws -> String {
        let db = try Fixtures.database()
        let c = try PGConnection(conninfo: db)
        defer { c.close() }
        try HistoryStore(c).configurePartitioning(partition, explicit: true)
        return db
    }

    static func load(_ db: String, _ raw: String, _ day: String, force: Bool = false) throws {
        let d = Fixtures.date(day)
        let s = try Fixtures.run(db, raw: raw, dates: d...d, force: force)
        #expect(s.failures.isEmpty, "\(s.render())")
    }

    static func partitions(_ db: String) throws -> [String] {
        let c = try PGConnection(conninfo: db)
        defer { c.close() }
        return try HistoryStore(c).partitions().map(\.table).sorted()
    }

    /// The JSON report as of `day` (on a warehouse holding more days).
    static func asOfJSON(_ db: String, _ day: String, repo: String? = nil, trendFrom: String? = nil) throws -> String {
        let c = try PGConnection(conninfo: db)
        defer { c.close() }
        try HistoryStore(c).prepareAsOf(day)
        var report = try ReportQueries.load(c, repo: repo, schema: "pg_temp", asOf: day)
        if let trendFrom { report.trend = report.trend.filter { $0.date >= trendFrom } }
        return ReportJSON.render(report)
    }

    static func currentJSON(_ db: String, repo: String? = nil) throws -> String {
        let c = try PGConnection(conninfo: db)
        defer { c.close() }
        return ReportJSON.render(try ReportQueries.load(c, repo: repo))
    }

    @Test func partitionsAppearByThemselvesForNewDaysAndMonths() throws {
        let (raw, days) = try Self.corpus(days: 4, seed: 72, firstDate: "2024-01-30")
        #expect(days == ["2024-01-30", "2024-01-31", "2024-02-01", "2024-02-02"])

        let byDay = try Self.database(partition: .day)
        #expect(try Self.partitions(byDay).isEmpty)
        try Self.load(byDay, raw, "2024-01-31")
        #expect(try Self.partitions(byDay) == ["issues_history_p20240131", "pull_requests_history_p20240131"])
        for d in days { try Self.load(byDay, raw, d) }
        #expect(
            try Self.partitions(byDay)
                == days.flatMap { d in
                    let s = d.replacingOccurrences(of: "-", with: "")
                    return ["issues_history_p\(s)", "pull_requests_history_p\(s)"]
                }.sorted())
        // Every row sits in the partition of its own day.
        #expect(
            try Fixtures.scalar(
                byDay,
                """
                SELECT count(*) FROM sta_github.issues_history_p20240201 WHERE ingest_date <> '2024-02-01'
                """) == "0")
        #expect(Int(try Fixtures.scalar(byDay, "SELECT count(*) FROM sta_github.issues_history_p20240201") ?? "0")! > 0)

        let byMonth = try Self.database(partition: .month)
        try Self.load(byMonth, raw, "2024-01-30")
        #expect(try Self.partitions(byMonth) == ["issues_history_p202401", "pull_requests_history_p202401"])
        try Self.load(byMonth, raw, "2024-02-02")
        try Self.load(byMonth, raw, "2024-01-31")
        #expect(
            try Self.partitions(byMonth) == [
                "issues_history_p202401", "issues_history_p202402",
                "pull_requests_history_p202401", "pull_requests_history_p202402",
            ])
        // Both granularities hold the same rows.
        try Self.load(byMonth, raw, "2024-02-01")
        #expect(try Self.history(byMonth) == Self.history(byDay))

        // The granularity is fixed once partitions exist: asking for another one explicitly is an error.
        let c = try PGConnection(conninfo: byMonth)
        defer { c.close() }
        #expect(throws: WarehouseError.self) { try HistoryStore(c).configurePartitioning(.day, explicit: true) }
        try HistoryStore(c).configurePartitioning(.day, explicit: false)  // the default adopts what is there
        #expect(try HistoryStore(c).granularity() == .month)
    }

    @Test func reverseOrderRepeatedAndAllAtOnceGiveIdenticalDailyTables() throws {
        let (raw, days) = try Self.corpus(seed: 73)
        let allAtOnce = try Fixtures.database()
        #expect(try Fixtures.run(allAtOnce, raw: raw).succeeded)
        let expected = try Self.history(allAtOnce)
        // One row per key and day, and more than one day per key: the history is not the latest table.
        #expect(
            try Fixtures.scalar(
                allAtOnce,
                """
                SELECT count(*) FROM (SELECT repo_name, number FROM sta_github.issues_daily GROUP BY 1, 2 HAVING count(*) > 1) k
                """
            ).flatMap { Int($0) }! > 10)
        #expect(expected["stg_github.daily_backlog"]!.count >= days.count)

        let reversed = try Fixtures.database()
        for d in days.reversed() { try Self.load(reversed, raw, d) }
        #expect(try Self.history(reversed) == expected)
        #expect(try Fixtures.silver(reversed) == Fixtures.silver(allAtOnce))

        let twice = try Fixtures.database()
        for d in days + days { try Self.load(twice, raw, d) }
        try Self.load(twice, raw, days[2], force: true)
        #expect(try Self.history(twice) == expected)

        // A gold recompute from scratch gives the backlog the incremental runs kept.
        let s = try Fixtures.run(reversed, raw: raw, job: .stgGithubDailyBacklog, force: true)
        #expect(s.succeeded && s.gold.tasks > 0)
        #expect(try Self.history(reversed) == expected)
        #expect(try Fixtures.scalar(reversed, "SELECT count(*) FROM ghwh_meta.gold_dirty_repos") == "0")
    }

    /// `--force` on a day replaces that day's rows: a file whose content
    /// changed leaves only its new rows in that day's history.
    @Test func forceOnADayReplacesItsRows() throws {
        let root = try Fixtures.tempDir()
        let path = root + "/github/issues/2024-01-02/i.json"
        try Fixtures.write("[" + GoldTests.issue(1, repo: "a/x") + "]", to: root + "/github/issues/2024-01-01/i.json")
        try Fixtures.write(
            "[" + GoldTests.issue(1, repo: "a/x", updated: "2024-01-02T00:00:00Z") + ","
                + GoldTests.issue(2, repo: "a/x", updated: "2024-01-02T00:00:00Z") + "]", to: path)
        let db = try Fixtures.database()
        #expect(try Fixtures.run(db, raw: root).succeeded)
        #expect(
            try Fixtures.scalar(db, "SELECT count(*) FROM sta_github.issues_daily WHERE ingest_date = '2024-01-02'")
                == "2")
        try Fixtures.write("[" + GoldTests.issue(1, repo: "a/x", updated: "2024-01-01T12:00:00Z") + "]", to: path)
        let d = Fixtures.date("2024-01-02")
        #expect(try Fixtures.run(db, raw: root, dates: d...d, force: true).succeeded)
        #expect(
            try Fixtures.dump(
                db,
                "(SELECT number, updated_at = '2024-01-01T12:00:00Z' FROM sta_github.issues_daily WHERE ingest_date = '2024-01-02')"
            )
                == ["(1,t)"])
        // Day 1 is untouched; the backlog follows (issue 2 no longer exists as of day 2).
        #expect(
            try Fixtures.scalar(db, "SELECT count(*) FROM sta_github.issues_daily WHERE ingest_date = '2024-01-01'")
                == "1")
        #expect(
            try Fixtures.dump(db, "(SELECT ingest_date, issues_open FROM stg_github.daily_backlog)")
                == ["(2024-01-01,1)", "(2024-01-02,1)"])
    }

    /// A key delivered by several files of one day: the day's row is the
    /// winner by the silver order within the day, whichever file loads first.
    @Test func severalFilesOfADayGiveTheDaysWinner() throws {
        let root = try Fixtures.tempDir()
        try Fixtures.write(
            "[" + GoldTests.issue(3, repo: "a/x", updated: "2024-01-01T09:00:00Z") + "]",
            to: root + "/github/issues/2024-01-01/b.json")
        try Fixtures.write(
            "[" + GoldTests.issue(3, repo: "a/x", updated: "2024-01-01T08:00:00Z") + ","
                + GoldTests.issue(4, repo: "a/x", updated: "2024-01-01T08:00:00Z") + "]",
            to: root + "/github/issues/2024-01-01/a.json")
        // Same updated_at in two files: the greater source path wins.
        try Fixtures.write(
            "[" + GoldTests.issue(4, repo: "a/x", updated: "2024-01-01T08:00:00Z") + "]",
            to: root + "/github/issues/2024-01-01/c.json")
        let db = try Fixtures.database()
        #expect(try Fixtures.run(db, raw: root).succeeded)
        #expect(
            try Fixtures.dump(db, "(SELECT number, source FROM sta_github.issues_daily)")
                == ["(3,github/issues/2024-01-01/b.json)", "(4,github/issues/2024-01-01/c.json)"])
        #expect(
            try Fixtures.dump(db, "(SELECT number, source FROM sta_github.issues_daily)")
                == Fixtures.dump(db, "(SELECT number, source FROM sta_github.issues)"))
    }

    /// As of every day D, the report and the silver state equal a fresh load
    /// of only the days up to D.
    @Test(arguments: [false, true]) func asOfEqualsAFreshLoadOfTheTruncatedTree(snapshots: Bool) throws {
        let (raw, days) = try Self.corpus(seed: 74, snapshots: snapshots)
        let full = try Fixtures.database()
        #expect(try Fixtures.run(full, raw: raw).succeeded)
        for (i, day) in days.enumerated() {
            let fresh = try Fixtures.database()
            let s = try Fixtures.run(fresh, raw: raw, dates: Fixtures.date(days[0])...Fixtures.date(day))
            #expect(s.succeeded)
            let expected = try Self.currentJSON(fresh)
            let asOf = try Self.asOfJSON(full, day)
            #expect(asOf == expected, "as of \(day)")
            let someRepo = try Fixtures.scalar(
                fresh,
                """
                SELECT repo_name FROM (SELECT DISTINCT repo_name FROM sta_github.pull_requests) r ORDER BY 1 OFFSET \(i % 4) LIMIT 1
                """)
            #expect(
                try Self.asOfJSON(full, day, repo: someRepo) == Self.currentJSON(fresh, repo: someRepo),
                "as of \(day), \(someRepo ?? "")")
            // The silver state itself, row for row.
            #expect(
                try Fixtures.dump(full, "sta_github.issues_as_of('\(day)')")
                    == Fixtures.dump(fresh, "sta_github.issues"))
            #expect(
                try Fixtures.dump(full, "sta_github.pull_requests_as_of('\(day)')")
                    == Fixtures.dump(fresh, "sta_github.pull_requests"))
            let json = try #require(try JSONSerialization.jsonObject(with: Data(asOf.utf8)) as? [String: Any])
            let trend = try #require(json["trend"] as? [[String: Any]])
            #expect(trend.map { $0["date"] as? String } == days.prefix(i + 1).map { Optional($0) })
        }
        // The last day is the current warehouse.
        #expect(try Self.asOfJSON(full, days.last!) == Self.currentJSON(full))

        // A day before the first loaded one is a clear error.
        let c = try PGConnection(conninfo: full)
        defer { c.close() }
        let early = Self.failure { try HistoryStore(c).prepareAsOf("2023-12-31") } ?? "no error"
        #expect(early.contains("before the first loaded ingest day, \(days[0])"), "\(early)")
        let bad = Self.failure { try HistoryStore(c).prepareAsOf("2024-02-30") } ?? "no error"
        #expect(bad.contains("YYYY-MM-DD"), "\(bad)")
    }

    /// The trend equals counts taken straight from the as-of state of each day.
    @Test func trendEqualsCountsFromTheDailyTables() throws {
        let (raw, days) = try Self.corpus(seed: 75, snapshots: true)
        let db = try Fixtures.database()
        for d in [days[1], days[4], days[0], days[3], days[2]] { try Self.load(db, raw, d) }
        let stored = try Fixtures.dump(
            db,
            "(SELECT repo_name, ingest_date, issues_open, prs_open, prs_closed, prs_merged FROM stg_github.daily_backlog)"
        )
        let direct = try Fixtures.dump(
            db,
            """
            (SELECT r.repo_name, h.ingest_date,
                    (SELECT count(*) FROM sta_github.issues_as_of(h.ingest_date) i
                     WHERE i.repo_name = r.repo_name AND NOT i.is_pull_request AND i.closed_at IS NULL),
                    (SELECT count(*) FROM sta_github.pull_requests_as_of(h.ingest_date) p WHERE p.repo_name = r.repo_name AND p.closed_at IS NULL),
                    (SELECT count(*) FROM sta_github.pull_requests_as_of(h.ingest_date) p WHERE p.repo_name = r.repo_name AND p.closed_at IS NOT NULL),
                    (SELECT count(*) FROM sta_github.pull_requests_as_of(h.ingest_date) p WHERE p.repo_name = r.repo_name AND p.merged_at IS NOT NULL)
             FROM (SELECT repo_name FROM sta_github.issues UNION SELECT repo_name FROM sta_github.pull_requests) r
             CROSS JOIN (SELECT DISTINCT ingest_date FROM ghwh_meta.history_days) h
             WHERE EXISTS (SELECT 1 FROM sta_github.issues_daily d WHERE d.repo_name = r.repo_name AND d.ingest_date <= h.ingest_date)
                OR EXISTS (SELECT 1 FROM sta_github.pull_requests_daily d WHERE d.repo_name = r.repo_name AND d.ingest_date <= h.ingest_date))
            """)
        #expect(stored.count == direct.count && stored.count >= 4 * days.count)
        #expect(stored == direct)
        // Open and closed PRs change over the days.
        #expect(
            Set(try Fixtures.dump(db, "(SELECT prs_open FROM stg_github.backlog_trend WHERE repo_name IS NULL)")).count
                > 1)

        // The cross-repo rows of the report's trend are the sums over repos.
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(try Self.currentJSON(db).utf8)) as? [String: Any])
        let trend = try #require(json["trend"] as? [[String: Any]])
        let sums = try Fixtures.dump(
            db,
            """
            (SELECT ingest_date, sum(issues_open), sum(prs_open), sum(prs_closed), sum(prs_merged)
             FROM stg_github.daily_backlog GROUP BY 1)
            """)
        #expect(
            trend.map { t in
                "(\(t["date"]!),\(t["issues_open"]!),\(t["prs_open"]!),\(t["prs_closed"]!),\(t["prs_merged"]!))"
            } == sums)
    }

    @Test func pruneDropsExactlyThePartitionsAskedForAndKeepsLaterAnswers() throws {
        let (raw, days) = try Self.corpus(seed: 76, snapshots: true)
        let db = try Self.database(partition: .day)
        #expect(try Fixtures.run(db, raw: raw).succeeded)
        let later = Array(days[2...])
        // The pruned days leave the trend; everything else must stay.
        let before = try later.map { try Self.asOfJSON(db, $0, trendFrom: days[2]) }
        let asOfRows = try later.map {
            try Fixtures.dump(db, "sta_github.issues_as_of('\($0)')")
                + Fixtures.dump(db, "sta_github.pull_requests_as_of('\($0)')")
        }
        let backlogLater = try Fixtures.dump(
            db, "(SELECT * FROM stg_github.daily_backlog WHERE ingest_date >= '\(days[2])')")
        let latest = try Fixtures.silver(db)
        let all = try Self.partitions(db)

        let c = try PGConnection(conninfo: db)
        defer { c.close() }
        let result = try HistoryStore(c).prune(before: days[2])
        let gone = days.prefix(2).flatMap { d in
            let s = d.replacingOccurrences(of: "-", with: "")
            return ["issues_history_p\(s)", "pull_requests_history_p\(s)"]
        }.sorted()
        #expect(result.dropped.map(\.table).sorted() == gone)
        #expect(try Self.partitions(db) == all.filter { !gone.contains($0) })
        #expect(result.droppedRows["issues_history"]! > 0)
        #expect(
            try Fixtures.scalar(db, "SELECT count(*) FROM sta_github.issues_daily WHERE ingest_date < '\(days[2])'")
                == "0")
        // Later answers are unchanged; the latest-version tables too.
        #expect(try later.map { try Self.asOfJSON(db, $0) } == before)
        #expect(
            try later.map {
                try Fixtures.dump(db, "sta_github.issues_as_of('\($0)')")
                    + Fixtures.dump(db, "sta_github.pull_requests_as_of('\($0)')")
            } == asOfRows)
        #expect(try Fixtures.dump(db, "stg_github.daily_backlog") == backlogLater)
        #expect(try Fixtures.silver(db) == latest)
        // A gold recompute after the prune gives the same backlog.
        #expect(try Fixtures.run(db, raw: raw, job: .stgGithubDailyBacklog, force: true).succeeded)
        #expect(try Fixtures.dump(db, "stg_github.daily_backlog") == backlogLater)
        // A pruned day is no longer answerable; pruning again before the same date drops nothing.
        let pruned = Self.failure { try HistoryStore(c).prepareAsOf(days[1]) } ?? "no error"
        #expect(pruned.contains("were pruned"), "\(pruned)")
        #expect(try HistoryStore(c).prune(before: days[2]).dropped.isEmpty)
    }

    /// The commands: `ghwh report --as-of`, `ghwh db prune`.
    @Test func reportAsOfAndDBPruneCommands() throws {
        let (raw, days) = try Self.corpus(days: 3, seed: 78, snapshots: true)
        let db = try Self.database(partition: .day)
        #expect(try Fixtures.run(db, raw: raw).succeeded)
        let out = try Fixtures.tempDir("report") + "/asof.json"
        var report = try GHWHCommand.parseAsRoot([
            "report", "--database-url", db, "--as-of", days[1], "--format", "json", "--out", out,
        ])
        try report.run()
        #expect(try String(contentsOfFile: out, encoding: .utf8) == Self.asOfJSON(db, days[1]))
        var early = try GHWHCommand.parseAsRoot(["report", "--database-url", db, "--as-of", "2020-01-01"])
        #expect(throws: (any Error).self) { try early.run() }
        let expectedAfterPrune = try Self.asOfJSON(db, days[1], trendFrom: days[1])
        var prune = try GHWHCommand.parseAsRoot(["db", "prune", "--database-url", db, "--before", days[1]])
        try prune.run()
        let d0 = days[0].replacingOccurrences(of: "-", with: "")
        #expect(try !Self.partitions(db).contains("issues_history_p\(d0)") && Self.partitions(db).count == 4)
        // The pruned day leaves the trend; nothing else changes.
        #expect(try Self.asOfJSON(db, days[1]) == expectedAfterPrune)
    }

    @Test func pruneRefusesADateInsideAMonthPartition() throws {
        let (raw, days) = try Self.corpus(days: 3, seed: 77, firstDate: "2024-01-30")
        let db = try Self.database(partition: .month)
        #expect(try Fixtures.run(db, raw: raw).succeeded)
        let c = try PGConnection(conninfo: db)
        defer { c.close() }
        let rows = try Self.history(db)
        let cut = Self.failure { _ = try HistoryStore(c).prune(before: "2024-01-31") } ?? "no error"
        #expect(
            cut.contains("would cut partition sta_github.issues_history_p202401")
                && cut.contains("--before 2024-01-01 or --before 2024-02-01"), "\(cut)")
        #expect(try Self.history(db) == rows)
        let result = try HistoryStore(c).prune(before: "2024-02-01")
        #expect(result.dropped.map(\.table).sorted() == ["issues_history_p202401", "pull_requests_history_p202401"])
        #expect(try Self.asOfJSON(db, days[2]).contains("\"date\": \"2024-02-01\""))
    }
}
