import GHWHModel

/// The daily history's own operations (docs/contract.md#daily-history): the partition
/// granularity, `ghwh db prune`, and the gold layer as of a past day. The
/// daily rows themselves are written by `SilverStore`'s merge statement.
public final class HistoryStore {
    public enum Granularity: String, CaseIterable, Sendable { case day, month }

    let db: PGConnection
    public init(_ db: PGConnection) { self.db = db }

    /// The granularity new partitions get. It can change only while no
    /// partition exists: an explicit setting that contradicts the existing
    /// partitions is an error; the default adopts what the warehouse has.
    public func configurePartitioning(_ wanted: Granularity, explicit: Bool) throws {
        try db.transaction {
            let current =
                try db.query("SELECT partition FROM ghwh_meta.history_settings FOR UPDATE").first?.string("partition")
                ?? "month"
            guard current != wanted.rawValue else { return }
            if try partitions().isEmpty {
                try db.command("UPDATE ghwh_meta.history_settings SET partition = $1", [wanted.rawValue])
            } else if explicit {
                throw WarehouseError(
                    """
                    history_partition is \(wanted.rawValue) but the daily tables are already partitioned by \(current); \
                    the granularity is fixed once the first partition exists (set history_partition = \(current))
                    """)
            }
        }
    }

    public func granularity() throws -> Granularity {
        let partition = try db.query("SELECT partition FROM ghwh_meta.history_settings").first?.string("partition")
        return Granularity(rawValue: partition ?? "") ?? .month
    }

    /// One partition of a daily table: ingest dates in `from ..< to`.
    public struct Partition: Sendable, Equatable {
        public var table: String, parent: String, from: String, to: String
    }

    /// Every partition of both history tables (under the `*_daily` views), by parent then start.
    public func partitions() throws -> [Partition] {
        try db.query(
            """
            SELECT c.relname AS partition, p.relname AS parent,
                   substring(pg_get_expr(c.relpartbound, c.oid) FROM 'FROM \\(''([0-9-]+)''\\)') AS range_from,
                   substring(pg_get_expr(c.relpartbound, c.oid) FROM 'TO \\(''([0-9-]+)''\\)') AS range_to
            FROM pg_inherits i
            JOIN pg_class c ON c.oid = i.inhrelid
            JOIN pg_class p ON p.oid = i.inhparent
            JOIN pg_namespace n ON n.oid = p.relnamespace
            WHERE n.nspname = 'sta_github' AND p.relname IN ('issues_history', 'pull_requests_history')
            ORDER BY parent, range_from
            """
        ).map {
            Partition(
                table: $0.string("partition") ?? "", parent: $0.string("parent") ?? "",
                from: $0.string("range_from") ?? "", to: $0.string("range_to") ?? "")
        }
    }

    /// What answers as of a day can rest on.
    public struct Span: Sendable, Equatable {
        /// First and last loaded ingest day still kept (nil: none loaded).
        public var firstDay: String?, lastDay: String?
        /// Days before this were pruned.
        public var prunedBefore: String?
    }

    public func span() throws -> Span {
        let r =
            try db.query(
                """
                SELECT (SELECT min(ingest_date)::text FROM ghwh_meta.history_days) AS first_day,
                       (SELECT max(ingest_date)::text FROM ghwh_meta.history_days) AS last_day,
                       (SELECT pruned_before::text FROM ghwh_meta.history_settings) AS pruned_before
                """
            ).first
        return Span(
            firstDay: r?.string("first_day"), lastDay: r?.string("last_day"), prunedBefore: r?.string("pruned_before"))
    }

    /// Refuses a day the history cannot answer for, with the reason.
    public func checkAsOf(_ day: String) throws {
        guard IngestDay.isValid(day) else { throw WarehouseError("--as-of wants a date YYYY-MM-DD, got `\(day)`") }
        let s = try span()
        if let pruned = s.prunedBefore, day < pruned {
            throw WarehouseError("no history for \(day): the days before \(pruned) were pruned (ghwh db prune)")
        }
        guard let first = s.firstDay else {
            throw WarehouseError("no daily history loaded: load some days first (ghwh run --job all --raw DIR)")
        }
        if day < first {
            throw WarehouseError("no history for \(day): it is before the first loaded ingest day, \(first)")
        }
    }

    // MARK: - Prune

    public struct PruneResult: Sendable, Equatable {
        public var dropped: [Partition] = []
        /// Rows the dropped partitions held, per daily table.
        public var droppedRows: [String: Int] = [:]
        /// Keys whose winner among the dropped rows was folded into the `*_pruned_base` tables.
        public var carried: [String: Int] = [:]
    }

    /// Drops every partition of the history tables lying entirely before
    /// `before`, in one transaction. A date inside a partition (not its
    /// first day) is refused: the answer would otherwise depend on rows that
    /// are half gone. The as-of state of every day >= `before` is kept
    /// exactly: each key's winner among the dropped rows moves to the
    /// `*_pruned_base` tables first. Backlog rows of the dropped days go too.
    public func prune(before: String) throws -> PruneResult {
        guard IngestDay.isValid(before) else {
            throw WarehouseError("--before wants a date YYYY-MM-DD, got `\(before)`")
        }
        return try db.transaction { () throws -> PruneResult in
            try db.execute(
                "LOCK TABLE sta_github.issues_history, sta_github.pull_requests_history IN ACCESS EXCLUSIVE MODE")
            let all = try partitions()
            if let cut = all.first(where: { $0.from < before && before < $0.to }) {
                throw WarehouseError(
                    """
                    --before \(before) would cut partition sta_github.\(cut.table) (ingest days \(cut.from) up to, \
                    not including, \(cut.to)) in the middle: use --before \(cut.from) or --before \(cut.to)
                    """)
            }
            var result = PruneResult()
            result.dropped = all.filter { $0.to <= before }
            for (table, columns) in [
                ("issues", SilverCopyEncoding.issueColumns),
                ("pull_requests", SilverCopyEncoding.pullRequestColumns),
            ] {
                let cols = columns.joined(separator: ", ")
                let updates = columns.dropFirst(2).map { "\($0) = EXCLUDED.\($0)" }.joined(separator: ", ")
                result.carried[table + "_history"] = try db.command(
                    """
                    INSERT INTO sta_github.\(table)_pruned_base AS t (\(cols))
                    SELECT DISTINCT ON (repo_name, number) \(cols) FROM sta_github.\(table)_history
                    WHERE ingest_date < $1::date
                    ORDER BY repo_name, number, updated_at DESC, ingest_date DESC, source DESC, source_ordinal DESC
                    ON CONFLICT (repo_name, number) DO UPDATE SET \(updates)
                    WHERE (t.updated_at, t.ingest_date, t.source, t.source_ordinal)
                        < (EXCLUDED.updated_at, EXCLUDED.ingest_date, EXCLUDED.source, EXCLUDED.source_ordinal)
                    """, [before])
            }
            for p in result.dropped {
                let n =
                    try db.query("SELECT count(*) AS n FROM sta_github.\(p.table)").first?.int("n").map { Int($0) } ?? 0
                result.droppedRows[p.parent, default: 0] += n
                try db.execute("DROP TABLE sta_github.\(p.table)")
            }
            // Rows of dropped days that a partition could not hold cannot exist:
            // every daily row lies in a partition, and none is left before `before`.
            try db.command("DELETE FROM stg_github.daily_backlog WHERE ingest_date < $1::date", [before])
            try db.command("DELETE FROM ghwh_meta.history_days WHERE ingest_date < $1::date", [before])
            if !result.dropped.isEmpty {
                try db.command(
                    """
                    UPDATE ghwh_meta.history_settings SET pruned_before = greatest(pruned_before, $1::date)
                    """, [before])
            }
            return result
        }
    }

    // MARK: - As of a day

    /// Builds the gold layer as of `day` in this session's temporary schema:
    /// `pg_temp.pull_requests_metrics`, `pull_request_issue_links`,
    /// `labels_metrics`, `milestone_metrics` and `daily_backlog`, computed from
    /// the as-of state by the same code as the gold tasks, and the cross-repo
    /// views over them with the definitions of the `stg_github` ones. A report
    /// reading schema `pg_temp` then answers as of that day.
    public func prepareAsOf(_ day: String) throws {
        try checkAsOf(day)
        let tables = [
            "pull_requests_metrics", "pull_request_issue_links", "labels_metrics", "milestone_metrics", "daily_backlog",
        ]
        // In dependency order: the summaries read the per-question row views (migration 7).
        let views = [
            "pr_open_time_values", "pr_time_to_merge_values", "issue_to_merge_values",
            "pr_open_time", "pr_time_to_merge", "issue_to_merge", "label_distribution", "backlog_trend",
        ]
        for v in views.reversed() { try db.execute("DROP VIEW IF EXISTS pg_temp.\(v)") }
        for t in tables {
            try db.execute(
                "DROP TABLE IF EXISTS pg_temp.\(t); CREATE TEMP TABLE \(t) (LIKE stg_github.\(t) INCLUDING ALL)")
        }
        let gold = GoldStore(db)
        let silver = try gold.readSilver(asOf: day)
        var copies = GoldCopyEncoding.encode(
            GoldMetrics.compute(pullRequests: silver.pullRequests, issues: silver.issues))
        copies.backlog = try gold.backlogCopy(repos: nil, upTo: day).copy
        for t in tables where !copies[t].isEmpty {
            try db.copyIn(
                "COPY pg_temp.\(t) (\(GoldCopyEncoding.columns[t]!.joined(separator: ", "))) FROM STDIN",
                data: copies[t])
        }
        for v in views {
            guard
                let def = try db.query("SELECT pg_get_viewdef('stg_github.\(v)'::regclass) AS definition").first?
                    .string("definition")
            else {
                throw WarehouseError("view stg_github.\(v) not found")
            }
            try db.execute("CREATE TEMP VIEW \(v) AS " + def.replacingOccurrences(of: "stg_github.", with: "pg_temp."))
        }
    }
}

/// `YYYY-MM-DD` with a real month and day.
enum IngestDay {
    static func isValid(_ s: String) -> Bool {
        let b = Array(s.utf8)
        guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-") else { return false }
        for i in [0, 1, 2, 3, 5, 6, 8, 9] where !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b[i]) { return false }
        guard let y = Int(s.prefix(4)), let m = Int(s.dropFirst(5).prefix(2)), let d = Int(s.suffix(2)) else {
            return false
        }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return (1...12).contains(m) && (1...days[m - 1]).contains(d)
    }
}
