import GHWHJSON
import GHWHModel

/// The gold tables a job can ask for (docs/contract.md#jobs).
public enum GoldTarget: String, CaseIterable, Sendable, Codable {
    /// `pull_requests_metrics` and `pull_request_issue_links`.
    case pullRequestsMetrics = "pull_requests_metrics"
    case labelsMetrics = "labels_metrics"
    case milestoneMetrics = "milestone_metrics"
    /// `daily_backlog`: per repo and loaded ingest day, over the daily history (docs/contract.md#daily-backlog).
    case dailyBacklog = "daily_backlog"
}

/// The gold layer's SQL side: which repos need recomputing (planner), the
/// silver rows of a bucket of repos (workers), and replacing those repos'
/// gold rows in one transaction (loader).
public final class GoldStore {
    let db: PGConnection

    public init(_ db: PGConnection) { self.db = db }

    /// Repos to recompute and the dirty marks (max seq per repo and target)
    /// the plan covers. `full` recomputes every repo with pull requests (and,
    /// for the backlog, every repo with history).
    ///
    /// The backlog changes far more often than the other targets (a new day
    /// needs a row for every repo), so a repo recomputed only for it carries
    /// no mark of another target: `GoldPlanner` gives such repos tasks of the
    /// backlog alone. Repos the other targets need without a dirty mark of
    /// their own (references to a changed issue, `full`) get a mark with
    /// seq 0, which clears nothing.
    public func plan(targets: Set<GoldTarget>, full: Bool) throws -> (repos: [String], marks: [GoldMark]) {
        var marks = try dirtyMarks(targets: targets)
        let otherTargets = targets.subtracting([.dailyBacklog]).sorted { $0.rawValue < $1.rawValue }
        let changed = Set(marks.filter { $0.target != .dailyBacklog }.map(\.repo))
        var needAll = changed
        var needBacklog = Set(marks.filter { $0.target == .dailyBacklog }.map(\.repo))
        if full {
            needAll.formUnion(
                try db.query("SELECT DISTINCT repo_name FROM sta_github.pull_requests").compactMap {
                    $0.string("repo_name")
                })
        } else if targets.contains(.pullRequestsMetrics), !changed.isEmpty {
            needAll.formUnion(try reposReferencingIssues(of: changed))
        }
        if targets.contains(.dailyBacklog) {
            needBacklog.formUnion(try backlogRepos(full: full))
        }
        if let first = otherTargets.first {
            for repo in needAll.subtracting(changed) { marks.append(GoldMark(repo: repo, target: first, seq: 0)) }
        }
        let repos = needAll.union(needBacklog)
        return (repos.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }, marks)
    }

    /// The dirty marks of `targets`.
    private func dirtyMarks(targets: Set<GoldTarget>) throws -> [GoldMark] {
        try db.query(
            """
            SELECT repo_name, target, max(seq) AS seq FROM ghwh_meta.gold_dirty_repos WHERE target = ANY($1::text[])
            GROUP BY repo_name, target
            """, [PGArrayLiteral.text(targets.map(\.rawValue))]
        ).compactMap { r -> GoldMark? in
            guard let repo = r.string("repo_name"), let t = r.string("target").flatMap(GoldTarget.init(rawValue:)),
                let seq = r.int("seq")
            else { return nil }
            return GoldMark(repo: repo, target: t, seq: seq)
        }
    }

    /// Repos with a PR whose closing references name an issue of `repos`: a changed issue
    /// changes the links of PRs in any repo that references it.
    private func reposReferencingIssues(of repos: Set<String>) throws -> [String] {
        try db.query(
            """
            SELECT DISTINCT p.repo_name FROM sta_github.pull_requests p, unnest(p.closing_references) AS r(ref)
            WHERE split_part(r.ref, '#', 1) = ANY($1::text[])
            """, [PGArrayLiteral.text(Array(repos))]
        ).compactMap { $0.string("repo_name") }
    }

    /// Repos whose backlog needs recomputing beyond their dirty marks.
    private func backlogRepos(full: Bool) throws -> [String] {
        if full {
            // Every repo with history (each is in a latest-version table), and any with stale backlog rows.
            return try db.query(
                """
                SELECT repo_name FROM sta_github.issues UNION SELECT repo_name FROM stg_github.daily_backlog
                """
            ).compactMap { $0.string("repo_name") }
        }
        // A repo's backlog has a row for every loaded day from its first:
        // a day that arrived without its rows still needs one (carried forward).
        return try db.query(
            """
            SELECT b.repo_name FROM (
                SELECT repo_name, min(ingest_date) AS first_day, count(*) AS n FROM stg_github.daily_backlog GROUP BY 1
            ) b
            WHERE b.n <> (SELECT count(DISTINCT h.ingest_date) FROM ghwh_meta.history_days h WHERE h.ingest_date >= b.first_day)
            """
        ).compactMap { $0.string("repo_name") }
    }

    /// The silver rows gold needs for these repos: their PRs, and the silver
    /// issues (in any repo) their closing references name.
    public func readSilver(repos: [String]) throws -> (
        pullRequests: [GoldMetrics.PullRequest],
        issues: [IssueReference: GoldMetrics.IssueFacts]
    ) {
        try readSilver(
            pullRequests: "sta_github.pull_requests WHERE repo_name = ANY($1::text[])",
            issues: Self.issuesByKey, parameters: [PGArrayLiteral.text(repos)])
    }

    /// The wanted issues ($1 repos, $2 numbers), one primary-key probe each.
    /// As a plain join PostgreSQL hashes the whole issues table for a few
    /// thousand keys (95 ms per gold bucket on 101,400 issues, against 20 ms
    /// probing); `LIMIT 1` keeps the lateral subquery from being flattened
    /// into that join (the key is unique, so it drops nothing).
    static let issuesByKey = """
        SELECT i.repo_name, i.number, i.created_at_us, i.is_pull_request
        FROM unnest($1::text[], $2::bigint[]) AS w(repo_name, number)
        CROSS JOIN LATERAL (
          SELECT i.repo_name, i.number, (extract(epoch FROM i.created_at) * 1000000)::bigint AS created_at_us,
                 i.is_pull_request
          FROM sta_github.issues i
          WHERE i.repo_name = w.repo_name AND i.number = w.number
          LIMIT 1
        ) i
        """

    /// The same for every repo, from the state as of `day` (the silver-order
    /// winners among the versions ingested on or before it, docs/contract.md#as-of-functions).
    public func readSilver(asOf day: String) throws -> (
        pullRequests: [GoldMetrics.PullRequest],
        issues: [IssueReference: GoldMetrics.IssueFacts]
    ) {
        guard IngestDay.isValid(day) else { throw WarehouseError("not a date YYYY-MM-DD: `\(day)`") }
        // A set-returning function is read once and joined (probing it per key would call it per key).
        return try readSilver(
            pullRequests: "sta_github.pull_requests_as_of($1::date)",
            issues: """
                SELECT i.repo_name, i.number, \(micros("i.created_at")) AS created_at_us, i.is_pull_request
                FROM sta_github.issues_as_of('\(day)'::date) i
                JOIN unnest($1::text[], $2::bigint[]) AS w(repo_name, number)
                  ON i.repo_name = w.repo_name AND i.number = w.number
                """, parameters: [day])
    }

    /// `issues` is the query of the wanted issues ($1 repos, $2 numbers).
    private func readSilver(pullRequests prSource: String, issues issueQuery: String, parameters: [String?]) throws
        -> (pullRequests: [GoldMetrics.PullRequest], issues: [IssueReference: GoldMetrics.IssueFacts])
    {
        let rows = try db.query(
            """
            SELECT repo_name, number, state, \(micros("created_at")) AS created_at_us,
                   \(micros("closed_at")) AS closed_at_us, \(micros("merged_at")) AS merged_at_us,
                   additions, deletions, milestone_number, milestone_title, to_json(labels)::text AS labels_json,
                   array_to_string(closing_references, ' ') AS closing_references
            FROM \(prSource)
            """, parameters)
        var prs: [GoldMetrics.PullRequest] = []
        prs.reserveCapacity(rows.count)
        var wanted = Set<IssueReference>()
        for r in rows {
            guard let repo = r.string("repo_name"), let number = r.int("number"), let created = r.int("created_at_us")
            else {
                throw WarehouseError("unreadable silver pull request row \(r.values)")
            }
            let refs = (r.string("closing_references") ?? "").split(separator: " ").compactMap {
                IssueReference(stored: String($0))
            }
            wanted.formUnion(refs)
            prs.append(
                GoldMetrics.PullRequest(
                    repoName: repo, number: number, state: r.string("state"), createdAt: created,
                    closedAt: r.int("closed_at_us"), mergedAt: r.int("merged_at_us"),
                    additions: r.int("additions"), deletions: r.int("deletions"),
                    milestoneNumber: r.int("milestone_number"), milestoneTitle: r.string("milestone_title"),
                    labels: try Self.stringArray(json: r.string("labels_json")), closingReferences: refs))
        }
        var issues: [IssueReference: GoldMetrics.IssueFacts] = [:]
        if !wanted.isEmpty {
            let list = Array(wanted)
            let found = try db.query(
                issueQuery,
                [PGArrayLiteral.text(list.map(\.repoName)), PGArrayLiteral.text(list.map { String($0.number) })])
            for r in found {
                guard let repo = r.string("repo_name"), let n = r.int("number"), let created = r.int("created_at_us")
                else { continue }
                issues[IssueReference(repoName: repo, number: n)] = .init(
                    createdAt: created, isPullRequest: r.string("is_pull_request") == "t")
            }
        }
        return (prs, issues)
    }

    /// `stg_github.daily_backlog` rows of `repos` (nil: every repo) as COPY
    /// text, for every loaded day up to `upTo` (nil: all), and their count.
    public func backlogCopy(repos: [String]?, upTo: String? = nil) throws -> (copy: [UInt8], rows: Int) {
        let r = try db.query(Self.backlogQuery, [repos.map(PGArrayLiteral.text), upTo])
        var w = CopyTextWriter()
        for row in r {
            w.text(row.string("repo_name"))
            w.date(row.string("ingest_date"))
            for column in ["issues_open", "prs_open", "prs_closed", "prs_merged"] { w.int(row.int(column)) }
            w.endRow()
        }
        return (w.bytes, w.rowCount)
    }

    /// The backlog over the as-of-D state of each loaded day D, from the
    /// history tables (and the rows folded in by a prune), per repo: $1 the
    /// repos (NULL: all), $2 the last day (NULL: all).
    ///
    /// As of day D a key's winner is its silver-order greatest version
    /// ingested on or before D. Walking a key's versions in day order, a
    /// version takes over exactly when its updated_at is at least the greatest
    /// one before it (a tie goes to the later day). Each takeover adds its
    /// flags minus those of the version it replaces; a repo's counts on day D
    /// are the running sum of its changes up to D. (Several rows of a key on
    /// one day, from several files, are ordered by the silver order: the
    /// day's winner comes last and is what remains.)
    public static let backlogQuery = """
        WITH days AS (
            SELECT DISTINCT ingest_date FROM ghwh_meta.history_days
            WHERE ingest_date >= COALESCE((SELECT pruned_before FROM ghwh_meta.history_settings), '-infinity'::date)
              AND ($2::date IS NULL OR ingest_date <= $2::date)
        ), iss AS (
            SELECT repo_name, number, ingest_date, updated_at, source, source_ordinal,
                   (closed_at IS NULL AND NOT is_pull_request)::int AS io,
                   max(updated_at) OVER (PARTITION BY repo_name, number
                                         ORDER BY ingest_date, updated_at, source, source_ordinal
                                         ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_max
            FROM (SELECT repo_name, number, ingest_date, updated_at, source, source_ordinal, closed_at, is_pull_request
                  FROM sta_github.issues_history
                  UNION ALL
                  SELECT repo_name, number, ingest_date, updated_at, source, source_ordinal, closed_at, is_pull_request
                  FROM sta_github.issues_pruned_base) v
            WHERE ($1::text[] IS NULL OR repo_name = ANY($1::text[])) AND ($2::date IS NULL OR ingest_date <= $2::date)
        ), iss_delta AS (
            SELECT repo_name, ingest_date,
                   io - COALESCE(lag(io) OVER k, 0) AS io, 0 AS po, 0 AS pc, 0 AS pm
            FROM iss WHERE prev_max IS NULL OR updated_at >= prev_max
            WINDOW k AS (PARTITION BY repo_name, number ORDER BY ingest_date, updated_at, source, source_ordinal)
        ), prs AS (
            SELECT repo_name, number, ingest_date, updated_at, source, source_ordinal,
                   (closed_at IS NULL)::int AS po, (closed_at IS NOT NULL)::int AS pc, (merged_at IS NOT NULL)::int AS pm,
                   max(updated_at) OVER (PARTITION BY repo_name, number
                                         ORDER BY ingest_date, updated_at, source, source_ordinal
                                         ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_max
            FROM (SELECT repo_name, number, ingest_date, updated_at, source, source_ordinal, closed_at, merged_at
                  FROM sta_github.pull_requests_history
                  UNION ALL
                  SELECT repo_name, number, ingest_date, updated_at, source, source_ordinal, closed_at, merged_at
                  FROM sta_github.pull_requests_pruned_base) v
            WHERE ($1::text[] IS NULL OR repo_name = ANY($1::text[])) AND ($2::date IS NULL OR ingest_date <= $2::date)
        ), prs_delta AS (
            SELECT repo_name, ingest_date, 0 AS io,
                   po - COALESCE(lag(po) OVER k, 0) AS po, pc - COALESCE(lag(pc) OVER k, 0) AS pc,
                   pm - COALESCE(lag(pm) OVER k, 0) AS pm
            FROM prs WHERE prev_max IS NULL OR updated_at >= prev_max
            WINDOW k AS (PARTITION BY repo_name, number ORDER BY ingest_date, updated_at, source, source_ordinal)
        ), deltas AS (
            SELECT repo_name, ingest_date, sum(io) AS io, sum(po) AS po, sum(pc) AS pc, sum(pm) AS pm
            FROM (SELECT * FROM iss_delta UNION ALL SELECT * FROM prs_delta) x
            GROUP BY repo_name, ingest_date
        ), grid AS (
            SELECT f.repo_name, d.ingest_date
            FROM (SELECT repo_name, min(ingest_date) AS first_day FROM deltas GROUP BY repo_name) f
            JOIN days d ON d.ingest_date >= f.first_day
        ), running AS (
            SELECT repo_name, ingest_date, is_grid,
                   sum(io) OVER w AS io, sum(po) OVER w AS po, sum(pc) OVER w AS pc, sum(pm) OVER w AS pm
            FROM (SELECT repo_name, ingest_date, io, po, pc, pm, false AS is_grid FROM deltas
                  UNION ALL
                  SELECT repo_name, ingest_date, 0, 0, 0, 0, true FROM grid) u
            WINDOW w AS (PARTITION BY repo_name ORDER BY ingest_date, is_grid ROWS UNBOUNDED PRECEDING)
        )
        SELECT repo_name, ingest_date, io::bigint AS issues_open, po::bigint AS prs_open, pc::bigint AS prs_closed,
               pm::bigint AS prs_merged
        FROM running WHERE is_grid ORDER BY repo_name, ingest_date
        """

    /// Replaces the gold rows of `repos` for `targets` with the given COPY
    /// text, and clears the dirty marks the plan covered, in one transaction.
    public func replace(repos: [String], targets: Set<GoldTarget>, copies: GoldCopies, marks: [GoldMark]) throws {
        try db.transaction {
            let repoList = PGArrayLiteral.text(repos)
            for table in Self.tables(for: targets) {
                try db.command("DELETE FROM stg_github.\(table) WHERE repo_name = ANY($1::text[])", [repoList])
                let data = copies[table]
                if !data.isEmpty {
                    try db.copyIn(
                        "COPY stg_github.\(table) (\(GoldCopyEncoding.columns[table]!.joined(separator: ", "))) FROM STDIN",
                        data: data)
                }
            }
            let covered = marks.filter { targets.contains($0.target) && repos.contains($0.repo) }
            if !covered.isEmpty {
                try db.command(
                    """
                    DELETE FROM ghwh_meta.gold_dirty_repos d
                    USING unnest($1::text[], $2::text[], $3::bigint[]) AS m(repo_name, target, seq)
                    WHERE d.repo_name = m.repo_name AND d.target = m.target AND d.seq <= m.seq
                    """,
                    [
                        PGArrayLiteral.text(covered.map(\.repo)), PGArrayLiteral.text(covered.map(\.target.rawValue)),
                        PGArrayLiteral.text(covered.map { String($0.seq) }),
                    ])
            }
        }
    }

    /// The stg_github tables a set of targets writes.
    public static func tables(for targets: Set<GoldTarget>) -> [String] {
        var out: [String] = []
        if targets.contains(.pullRequestsMetrics) { out += ["pull_requests_metrics", "pull_request_issue_links"] }
        if targets.contains(.labelsMetrics) { out.append("labels_metrics") }
        if targets.contains(.milestoneMetrics) { out.append("milestone_metrics") }
        if targets.contains(.dailyBacklog) { out.append("daily_backlog") }
        return out
    }

    private func micros(_ column: String) -> String { "(extract(epoch FROM \(column)) * 1000000)::bigint" }

    static func stringArray(json: String?) throws -> [String] {
        guard let json else { return [] }
        guard case .array(let items) = try JSONValue.parse(Array(json.utf8)) else {
            throw WarehouseError("expected a JSON array, got \(json.prefix(80))")
        }
        return items.compactMap { if case .string(let s) = $0 { return s } else { return nil } }
    }
}

/// A dirty mark: gold rows of `repo` for `target` are stale as of `seq`.
public struct GoldMark: Sendable, Hashable {
    public var repo: String, target: GoldTarget, seq: Int64
    public init(repo: String, target: GoldTarget, seq: Int64) {
        self.repo = repo
        self.target = target
        self.seq = seq
    }
}

/// A worker's gold output: COPY text per gold table.
public struct GoldCopies: Sendable {
    public var pullRequestsMetrics: [UInt8] = [], links: [UInt8] = [], labels: [UInt8] = [], milestones: [UInt8] = []
    /// `stg_github.daily_backlog` rows.
    public var backlog: [UInt8] = []
    public var rowCounts: [String: Int] = [:]
    public init() {}

    subscript(table: String) -> [UInt8] {
        switch table {
        case "pull_requests_metrics": return pullRequestsMetrics
        case "pull_request_issue_links": return links
        case "labels_metrics": return labels
        case "daily_backlog": return backlog
        default: return milestones
        }
    }
}

/// COPY text for gold rows, in table column order.
public enum GoldCopyEncoding {
    static let columns: [String: [String]] = [
        "pull_requests_metrics": [
            "repo_name", "pr_number", "state", "created_at", "closed_at", "merged_at", "is_merged",
            "open_seconds", "additions", "deletions", "lines_changed", "milestone_number",
            "milestone_title", "label_count",
        ],
        "pull_request_issue_links": [
            "repo_name", "pr_number", "issue_repo_name", "issue_number", "issue_created_at",
            "merged_at", "issue_to_merge_seconds",
        ],
        "labels_metrics": ["repo_name", "label_name", "pr_count", "share"],
        "milestone_metrics": [
            "repo_name", "milestone_title", "milestone_number", "pr_count", "lines_changed_total",
            "lines_changed_avg", "lines_changed_median",
        ],
        "daily_backlog": ["repo_name", "ingest_date", "issues_open", "prs_open", "prs_closed", "prs_merged"],
    ]

    public static func encode(_ o: GoldMetrics.Output) -> GoldCopies {
        var c = GoldCopies()
        var w = CopyTextWriter()
        for m in o.pullRequests {
            w.text(m.repoName)
            w.int(m.prNumber)
            w.text(m.state)
            w.timestamp(microsecondsSinceEpoch: m.createdAt)
            w.timestamp(microsecondsSinceEpoch: m.closedAt)
            w.timestamp(microsecondsSinceEpoch: m.mergedAt)
            w.bool(m.isMerged)
            w.double(m.openSeconds)
            w.int(m.additions)
            w.int(m.deletions)
            w.int(m.linesChanged)
            w.int(m.milestoneNumber)
            w.text(m.milestoneTitle)
            w.int(Int64(m.labelCount))
            w.endRow()
        }
        c.pullRequestsMetrics = w.bytes
        c.rowCounts["pull_requests_metrics"] = w.rowCount
        w = CopyTextWriter()
        for l in o.links {
            w.text(l.repoName)
            w.int(l.prNumber)
            w.text(l.issueRepoName)
            w.int(l.issueNumber)
            w.timestamp(microsecondsSinceEpoch: l.issueCreatedAt)
            w.timestamp(microsecondsSinceEpoch: l.mergedAt)
            w.double(l.issueToMergeSeconds)
            w.endRow()
        }
        c.links = w.bytes
        c.rowCounts["pull_request_issue_links"] = w.rowCount
        w = CopyTextWriter()
        for l in o.labels {
            w.text(l.repoName)
            w.text(l.labelName)
            w.int(Int64(l.prCount))
            w.double(l.share)
            w.endRow()
        }
        c.labels = w.bytes
        c.rowCounts["labels_metrics"] = w.rowCount
        w = CopyTextWriter()
        for m in o.milestones {
            w.text(m.repoName)
            w.text(m.milestoneTitle)
            w.int(m.milestoneNumber)
            w.int(Int64(m.prCount))
            w.int(m.linesChangedTotal)
            w.double(m.linesChangedAvg)
            w.double(m.linesChangedMedian)
            w.endRow()
        }
        c.milestones = w.bytes
        c.rowCounts["milestone_metrics"] = w.rowCount
        return c
    }
}
