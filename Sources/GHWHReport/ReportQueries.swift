import Foundation
import GHWHWarehouse

/// Fills a `Report` from the gold layer: the four answers come from the
/// cross-repo views (`stg_github.pr_open_time`, `pr_time_to_merge`,
/// `issue_to_merge`, `label_distribution`) and `milestone_metrics`; the
/// histograms for the charts from the rows those views count
/// (`pr_open_time_values`, `pr_time_to_merge_values`, `issue_to_merge_values`).
/// Which rows count is said only in SQL (migrations 2 and 7), never here;
/// never from silver.
public enum ReportQueries {
    /// `schema` is `stg_github`, or `pg_temp` after `HistoryStore.prepareAsOf`
    /// built the gold layer as of a past day there (then `asOf` names the day).
    public static func load(
        _ db: PGConnection, repo: String? = nil, schema: String = "stg_github",
        asOf: String? = nil
    ) throws -> Report {
        let scope: [String?] = [repo]
        let (openTime, openRow) = try summary(db, schema, "pr_open_time", scope, countColumn: "prs", extra: "open_prs")
        let openPRs = Int(openRow?.int("open_prs") ?? 0)
        let (toMerge, _) = try summary(db, schema, "pr_time_to_merge", scope, countColumn: "prs")
        let (issueToMerge, _) = try summary(db, schema, "issue_to_merge", scope, countColumn: "links")
        let labels = try labelShares(db, schema, scope)
        let milestones = try milestoneLines(db, schema, scope)
        let trend = try backlogTrend(db, schema, scope)

        // The histograms count the rows the summaries count: the per-question views (migration 7) say which.
        return Report(
            repo: repo, generatedAt: Date(),
            prOpenTime: openTime, openPRs: openPRs, prTimeToMerge: toMerge, issueToMerge: issueToMerge,
            labels: labels, milestones: milestones,
            openTimeHistogram: try histogram(db, from: "\(schema).pr_open_time_values", repo: repo),
            timeToMergeHistogram: try histogram(db, from: "\(schema).pr_time_to_merge_values", repo: repo),
            issueToMergeHistogram: try histogram(db, from: "\(schema).issue_to_merge_values", repo: repo),
            trend: trend, asOf: asOf)
    }

    /// One row of a duration view for this scope: count, avg, median, then `extra` columns.
    static func summary(
        _ db: PGConnection, _ schema: String, _ view: String, _ scope: [String?], countColumn: String,
        extra: String = ""
    ) throws -> (DurationSummary, PGRows.Row?) {
        let r = try db.query(
            """
            SELECT \(countColumn), avg_seconds, median_seconds\(extra.isEmpty ? "" : ", " + extra) FROM \(schema).\(view)
            WHERE repo_name IS NOT DISTINCT FROM $1
            """, scope)
        let row = r.first
        return (
            DurationSummary(
                count: Int(row?.int(countColumn) ?? 0), avgSeconds: row?.double("avg_seconds"),
                medianSeconds: row?.double("median_seconds")), row
        )
    }

    /// The labels on PRs in this scope, most used first.
    static func labelShares(_ db: PGConnection, _ schema: String, _ scope: [String?]) throws -> [LabelShare] {
        try db.query(
            """
            SELECT label_name, pr_count, share FROM \(schema).label_distribution
            WHERE repo_name IS NOT DISTINCT FROM $1
            ORDER BY pr_count DESC, label_name COLLATE "C"
            """, scope
        ).map {
            LabelShare(
                label: $0.string("label_name") ?? "", prCount: Int($0.int("pr_count") ?? 0),
                share: $0.double("share") ?? 0)
        }
    }

    /// Lines changed per milestone in this scope (every repo's when the scope is nil).
    static func milestoneLines(_ db: PGConnection, _ schema: String, _ scope: [String?]) throws -> [MilestoneLines] {
        try db.query(
            """
            SELECT repo_name, milestone_title, pr_count, lines_changed_avg, lines_changed_median
            FROM \(schema).milestone_metrics WHERE $1::text IS NULL OR repo_name = $1
            ORDER BY repo_name COLLATE "C", milestone_title COLLATE "C"
            """, scope
        ).map {
            MilestoneLines(
                repo: $0.string("repo_name") ?? "", milestone: $0.string("milestone_title") ?? "",
                prs: Int($0.int("pr_count") ?? 0), avgLinesChanged: $0.double("lines_changed_avg"),
                medianLinesChanged: $0.double("lines_changed_median"))
        }
    }

    /// Open issues and PRs, closed and merged PRs per ingest day, in this scope.
    static func backlogTrend(_ db: PGConnection, _ schema: String, _ scope: [String?]) throws -> [TrendPoint] {
        try db.query(
            """
            SELECT ingest_date::text AS ingest_date, issues_open, prs_open, prs_closed, prs_merged
            FROM \(schema).backlog_trend
            WHERE repo_name IS NOT DISTINCT FROM $1 ORDER BY ingest_date
            """, scope
        ).map {
            TrendPoint(
                date: $0.string("ingest_date") ?? "", issuesOpen: Int($0.int("issues_open") ?? 0),
                prsOpen: Int($0.int("prs_open") ?? 0), prsClosed: Int($0.int("prs_closed") ?? 0),
                prsMerged: Int($0.int("prs_merged") ?? 0))
        }
    }

    /// Counts of a per-question view's `seconds` per `DurationBins` bin (in
    /// `repo`, or all repos when nil), computed by the server with width_bucket.
    static func histogram(_ db: PGConnection, from view: String, repo: String?) throws -> [HistogramBin] {
        let edges = DurationBins.edges
        let literal = "{" + edges.map { String($0) }.joined(separator: ",") + "}"
        let rows = try db.query(
            """
            SELECT greatest(width_bucket(seconds, $2::float8[]) - 1, 0) AS bin, count(*) AS n
            FROM \(view) WHERE $1::text IS NULL OR repo_name = $1 GROUP BY 1
            """, [repo, literal]
        )
        var counts = Array(repeating: 0, count: edges.count)
        for r in rows {
            if let b = r.int("bin"), let n = r.int("n") {
                counts[min(Int(b), edges.count - 1)] += Int(n)
            }
        }
        return edges.indices.map { i in
            HistogramBin(
                lowerSeconds: edges[i], upperSeconds: i + 1 < edges.count ? edges[i + 1] : nil, count: counts[i])
        }
    }
}
