import GHWHModel

/// The loader's side of the silver layer: commits task results exactly once,
/// makes a document visible only when all its tasks committed, and merges it
/// into `sta_github` with the order-independent dedupe rule. Every method runs
/// in its own transaction on the one connection it owns (the loader thread's).
public final class SilverStore {
    public struct MergeStats: Sendable, Equatable {
        public var inserted = 0, updated = 0, records = 0, rejected = 0
        public init() {}
    }

    public enum CommitOutcome: Sendable, Equatable {
        /// Committed; `merged` is set when this commit completed its document.
        case committed(merged: MergeStats?)
        /// The task had committed before (a re-run or late duplicate): nothing written.
        case duplicate
        /// Its document already failed: nothing written.
        case documentFailed
    }

    public enum FileStatus: String, Sendable { case loading, loaded, failed }

    let db: PGConnection

    public init(_ db: PGConnection) throws {
        self.db = db
        try db.raiseSessionMemory()
        for dataset in [Dataset.issues, .pullRequests] {
            try db.execute(
                """
                CREATE TEMP TABLE IF NOT EXISTS \(dataset.singleTaskStageTable) (LIKE \(dataset.stageTable)) ON COMMIT DELETE ROWS
                """)
        }
    }

    /// Runs `body` (calls on this store and on a `GoldStore` of the same
    /// connection) in one transaction: one commit for many task results.
    public func inOneTransaction(_ body: () throws -> Void) throws {
        try db.transaction(body)
    }

    // MARK: - Planning-time reads

    /// Files already loaded cleanly: path -> (size, hash).
    public func loadedFiles(dataset: Dataset) throws -> [String: (size: Int64, hash: String)] {
        let r = try db.query(
            "SELECT path, size_bytes, content_hash FROM ghwh_meta.files WHERE dataset = $1 AND status = 'loaded'",
            [dataset.rawValue])
        var out: [String: (Int64, String)] = [:]
        for row in r {
            if let p = row.string("path"), let s = row.int("size_bytes"), let h = row.string("content_hash") {
                out[p] = (s, h)
            }
        }
        return out
    }

    /// Documents already merged (so a resumed run need not redo them).
    public func mergedDocuments(dataset: Dataset) throws -> Set<Int64> {
        let r = try db.query(
            "SELECT document_id FROM ghwh_meta.documents WHERE dataset = $1 AND status = 'merged'",
            [dataset.rawValue])
        return Set(r.compactMap { $0.int("document_id") })
    }

    // MARK: - Loader operations

    /// A file is about to be (re)read: record it as loading and forget the
    /// state of its failed documents (of all its documents with `force`, or
    /// when its content changed). Documents with committed tasks keep them, so
    /// a resumed job only runs the rest. Applying it twice in one job is a no-op.
    public func beginFile(
        dataset: Dataset, path: String, ingestDate: String, size: Int64, hash: String,
        jobId: String, force: Bool
    ) throws {
        try db.transaction {
            let previous = try db.query(
                "SELECT content_hash, job_id, status FROM ghwh_meta.files WHERE dataset = $1 AND path = $2",
                [dataset.rawValue, path]
            ).first
            if let previous, previous.string("job_id") == jobId, previous.string("status") == "loading" { return }
            let dropAll = force || (previous != nil && previous?.string("content_hash") != hash)
            let docFilter = dropAll ? "" : "AND status = 'failed'"
            let docs = "SELECT document_id FROM ghwh_meta.documents WHERE dataset = $1 AND file_path = $2 \(docFilter)"
            try db.command(
                "DELETE FROM \(dataset.stageTable) WHERE document_id IN (\(docs))", [dataset.rawValue, path])
            try db.command(
                "DELETE FROM ghwh_meta.stage_rejects WHERE document_id IN (\(docs))", [dataset.rawValue, path])
            try db.command(
                "DELETE FROM ghwh_meta.task_commits WHERE document_id IN (\(docs))", [dataset.rawValue, path])
            try db.command(
                "DELETE FROM ghwh_meta.documents WHERE dataset = $1 AND file_path = $2 \(docFilter)",
                [dataset.rawValue, path])
            if dropAll, previous != nil {
                // --force (or new content) replaces this file's rows in its day's history;
                // the repos they belonged to get their backlog recomputed.
                try db.command(
                    """
                    WITH gone AS (
                        DELETE FROM \(dataset.historyTable)
                        WHERE ingest_date = $1::date AND (source = $2 OR left(source, length($2) + 1) = $2 || '!')
                        RETURNING repo_name
                    )
                    INSERT INTO ghwh_meta.gold_dirty_repos (repo_name, target, dataset, seq)
                    SELECT r.repo_name, 'daily_backlog', $3, nextval('ghwh_meta.gold_dirty_seq') FROM (SELECT DISTINCT repo_name FROM gone) r
                    ON CONFLICT (repo_name, target, dataset) DO UPDATE SET seq = EXCLUDED.seq
                    """, [ingestDate, path, dataset.rawValue])
            }
            try db.command(
                """
                INSERT INTO ghwh_meta.files (dataset, path, ingest_date, size_bytes, content_hash, status, job_id)
                VALUES ($1, $2, $3, $4, $5, 'loading', $6)
                ON CONFLICT (dataset, path) DO UPDATE SET ingest_date = EXCLUDED.ingest_date,
                    size_bytes = EXCLUDED.size_bytes, content_hash = EXCLUDED.content_hash, status = 'loading',
                    documents = NULL, records = 0, rejected = 0, error = NULL, job_id = EXCLUDED.job_id, updated_at = now()
                """, [dataset.rawValue, path, ingestDate, String(size), hash, jobId])
        }
    }

    /// Tasks committed for documents not yet merged (a resumed job skips them).
    public func committedTasksOfOpenDocuments(dataset: Dataset) throws -> Set<String> {
        let r = try db.query(
            """
            SELECT c.task_id FROM ghwh_meta.task_commits c JOIN ghwh_meta.documents d USING (document_id)
            WHERE d.dataset = $1 AND d.status = 'open'
            """, [dataset.rawValue])
        return Set(r.compactMap { $0.string("task_id") })
    }

    /// Commits one task's rows and rejects with its commit record, in one transaction.
    public func commit(_ t: SilverTaskOutput) throws -> CommitOutcome {
        try db.transaction { () throws -> CommitOutcome in
            let docId = String(t.documentId)
            let status = try db.query(
                "SELECT status FROM ghwh_meta.documents WHERE document_id = $1 FOR UPDATE", [docId])
            if status.first?.string("status") == "failed" { return .documentFailed }
            if status.first?.string("status") == "open", t.isWholeDocument {
                try forgetCommittedChunks(documentId: docId, dataset: t.dataset)
            }
            if status.isEmpty {
                try db.command(
                    """
                    INSERT INTO ghwh_meta.documents (document_id, dataset, file_path, source, ingest_date, status)
                    VALUES ($1, $2, $3, $4, $5, 'open')
                    """, [docId, t.dataset.rawValue, t.filePath, t.source, t.ingestDate])
            }
            let fresh = try db.command(
                """
                INSERT INTO ghwh_meta.task_commits (task_id, document_id, chunk_index, job_id, records, rows, rejected, worker)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (task_id) DO NOTHING
                """,
                [
                    t.taskId, docId, String(t.chunkIndex), t.jobId, String(t.records), String(t.rowCount),
                    String(t.rejectCount), t.worker,
                ])
            if fresh == 0 { return .duplicate }
            let singleTask = t.chunkIndex == 0 && t.finalChunkCount == 1
            let stage = singleTask ? t.dataset.singleTaskStageTable : t.dataset.stageTable
            if t.rowCount > 0 {
                let cols = (["document_id"] + t.dataset.columns).joined(separator: ", ")
                try db.copyInBinary("COPY \(stage) (\(cols)) FROM STDIN (FORMAT binary)", rows: [t.rowsCopy])
            }
            if t.rejectCount > 0 {
                let cols = SilverCopyEncoding.rejectColumns.joined(separator: ", ")
                try db.copyIn("COPY ghwh_meta.stage_rejects (\(cols)) FROM STDIN", data: t.rejectsCopy)
            }
            try db.command(
                """
                UPDATE ghwh_meta.documents SET records = records + $2, rejected = rejected + $3,
                    task_count = COALESCE($4::integer, task_count), updated_at = now()
                WHERE document_id = $1
                """, [docId, String(t.records), String(t.rejectCount), t.finalChunkCount.map(String.init)])
            let merged = try mergeIfComplete(documentId: t.documentId, dataset: t.dataset, stage: stage, jobId: t.jobId)
            if merged != nil { try completeFileIfDone(dataset: t.dataset, path: t.filePath) }
            return .committed(merged: merged)
        }
    }

    /// A document still open has chunks committed by an earlier run that cut it
    /// (its output did not fit in a chunk then: another chunk size, or an
    /// older version); now its whole output arrived as one task. The chunks'
    /// rows and commit records go, so the whole output alone makes the document.
    private func forgetCommittedChunks(documentId docId: String, dataset: Dataset) throws {
        try deleteStaged(documentId: docId, dataset: dataset)
        try db.command("DELETE FROM ghwh_meta.task_commits WHERE document_id = $1", [docId])
        try db.command(
            """
            UPDATE ghwh_meta.documents SET records = 0, rejected = 0, task_count = NULL, updated_at = now()
            WHERE document_id = $1
            """, [docId])
    }

    /// The document's rows and rejects staged by its committed chunks.
    private func deleteStaged(documentId docId: String, dataset: Dataset) throws {
        try db.command("DELETE FROM \(dataset.stageTable) WHERE document_id = $1", [docId])
        try db.command("DELETE FROM ghwh_meta.stage_rejects WHERE document_id = $1", [docId])
    }

    /// A document broke (bad zip entry, truncated array, ...): it loads nothing
    /// and rejects nothing; late results for it are discarded.
    public func failDocument(
        dataset: Dataset, documentId: Int64, filePath: String, source: String,
        ingestDate: String, reason: String
    ) throws {
        try db.transaction {
            let docId = String(documentId)
            try deleteStaged(documentId: docId, dataset: dataset)
            try db.command(
                """
                INSERT INTO ghwh_meta.documents (document_id, dataset, file_path, source, ingest_date, status, error)
                VALUES ($1, $2, $3, $4, $5, 'failed', $6)
                ON CONFLICT (document_id) DO UPDATE SET status = 'failed', error = EXCLUDED.error,
                    records = 0, rejected = 0, updated_at = now()
                """, [docId, dataset.rawValue, filePath, source, ingestDate, reason])
            try completeFileIfDone(dataset: dataset, path: filePath)
        }
    }

    /// The planner finished reading a file: it has `documentCount` documents
    /// (a file that could not be opened at all passes 0 and `fileError`).
    public func sealFile(dataset: Dataset, path: String, documentCount: Int, fileError: String?) throws {
        try db.transaction {
            try db.command(
                "UPDATE ghwh_meta.files SET documents = $3, error = $4, updated_at = now() WHERE dataset = $1 AND path = $2",
                [dataset.rawValue, path, String(documentCount), fileError])
            try completeFileIfDone(dataset: dataset, path: path)
        }
    }

    public func fileStatus(dataset: Dataset, path: String) throws -> FileStatus? {
        let r = try db.query(
            "SELECT status FROM ghwh_meta.files WHERE dataset = $1 AND path = $2", [dataset.rawValue, path])
        return r.first?.string("status").flatMap { FileStatus(rawValue: $0) }
    }

    public struct RejectSample: Sendable {
        public let dataset: String, source: String, ordinal: Int64, reason: String
    }

    /// The first rejects of documents a job committed tasks for.
    public func rejectSamples(jobId: String, limit: Int) throws -> [RejectSample] {
        let r = try db.query(
            """
            SELECT dataset, source, ordinal, reason FROM ghwh_meta.rejects
            WHERE document_id IN (SELECT document_id FROM ghwh_meta.task_commits WHERE job_id = $1)
            ORDER BY dataset, source, ordinal LIMIT $2
            """, [jobId, String(limit)])
        return r.map {
            RejectSample(
                dataset: $0.string("dataset") ?? "", source: $0.string("source") ?? "",
                ordinal: $0.int("ordinal") ?? -1,
                reason: $0.string("reason") ?? "")
        }
    }

    /// Job bookkeeping in `ghwh_meta.jobs`.
    public func startJob(id: String, job: String, from: String?, to: String?, force: Bool) throws {
        try db.command(
            """
            INSERT INTO ghwh_meta.jobs (job_id, job, date_from, date_to, force, status, first_xid)
            VALUES ($1, $2, $3, $4, $5, 'running', pg_current_xact_id()::text::bigint)
            ON CONFLICT (job_id) DO UPDATE SET status = 'running', finished_at = NULL
            """, [id, job, from, to, force ? "t" : "f"])
    }

    public func finishJob(id: String, succeeded: Bool, summaryJSON: String) throws {
        try db.command(
            "UPDATE ghwh_meta.jobs SET status = $2, finished_at = now(), summary = $3::jsonb WHERE job_id = $1",
            [id, succeeded ? "succeeded" : "failed", summaryJSON])
    }

    // MARK: - Internals (called inside a transaction)

    /// Merges the document from `stage` once all its tasks committed.
    private func mergeIfComplete(
        documentId: Int64, dataset: Dataset, stage: String,
        jobId: String
    ) throws -> MergeStats? {
        let docId = String(documentId)
        guard let document = try completeDocument(docId) else { return nil }
        var stats = MergeStats()
        stats.records = document.records
        stats.rejected = document.rejected
        // The day's history partition, created in this transaction if it is the first of its day (or month).
        try ensureHistoryPartitions(dataset: dataset, dates: [document.ingestDate])
        let counts = try runMergeStatement(
            documentIds: [documentId], dataset: dataset, stage: stage, ingestDates: [document.ingestDate],
            jobId: jobId)
        (stats.inserted, stats.updated) = counts.values.reduce((0, 0)) { ($0.0 + $1.inserted, $0.1 + $1.updated) }
        try replaceRejects(documentIds: [documentId], dataset: dataset, sources: [document.source])
        try db.command("DELETE FROM \(stage) WHERE document_id = $1", [docId])
        try db.command(
            """
            UPDATE ghwh_meta.documents SET status = 'merged', inserted = $2, updated = $3, updated_at = now()
            WHERE document_id = $1
            """, [docId, String(stats.inserted), String(stats.updated)])
        return stats
    }

    /// What the merge needs of a document all of whose tasks committed.
    private struct CompleteDocument {
        var records: Int, rejected: Int, source: String, ingestDate: String
    }

    /// The document's totals and origin, or nil while some of its tasks have not committed
    /// (or its task count is not known yet).
    private func completeDocument(_ docId: String) throws -> CompleteDocument? {
        let state = try db.query(
            """
            SELECT d.task_count,
                   (SELECT count(*) FROM ghwh_meta.task_commits c WHERE c.document_id = d.document_id) AS committed,
                   d.records, d.rejected, d.dataset, d.source, d.ingest_date
            FROM ghwh_meta.documents d WHERE d.document_id = $1
            """, [docId])
        guard let row = state.first, let taskCount = row.int("task_count"),
            let committed = row.int("committed"), committed == taskCount
        else { return nil }
        return CompleteDocument(
            records: row.int("records").map { Int($0) } ?? 0, rejected: row.int("rejected").map { Int($0) } ?? 0,
            source: row.string("source") ?? "", ingestDate: row.string("ingest_date") ?? "")
    }

    /// Runs the one merge statement for the documents and returns (inserted, updated) per source
    /// whose version won (a source missing from the result inserted and updated nothing).
    func runMergeStatement(
        documentIds: [Int64], dataset: Dataset, stage: String, ingestDates: Set<String>, jobId: String
    ) throws -> [String: (inserted: Int, updated: Int)] {
        let rows = try db.query(
            mergeStatement(dataset: dataset, stage: stage),
            [PGArrayLiteral.integers(documentIds), PGArrayLiteral.text(ingestDates.sorted()), jobId])
        var counts: [String: (inserted: Int, updated: Int)] = [:]
        for row in rows {
            counts[row.string("source") ?? ""] = (
                row.int("inserted").map { Int($0) } ?? 0, row.int("updated").map { Int($0) } ?? 0
            )
        }
        return counts
    }

    /// The merge statement of documents of `dataset` staged in `stage`: $1 the documents (bigint[]),
    /// $2 their ingest dates (date[]), $3 the job. It returns one row per source whose version won
    /// a key: how many keys it inserted and how many pre-job rows it replaced.
    ///
    /// One statement: merge, then from the rows it changed (RETURNING) mark
    /// their repos' gold rows stale (docs/contract.md#what-gold-recomputes) and, for pull
    /// requests, make the labels table follow the new labels arrays.
    /// The documents' latest version of a key is the greatest (updated_at,
    /// ingest_date, source, source_ordinal), the order the upsert compares
    /// by, so merging many documents at once leaves what merging them one by
    /// one in any order leaves (a key is upserted once, by its winner).
    /// The documents' rows are appended to their day's history straight from
    /// the stage (the *_daily views, the as-of functions and the backlog
    /// keep each day's winner by the same order, so a key twice in one
    /// document needs no dedupe here, and `src` stays inlined), and their
    /// repos' backlog is marked stale.
    /// `updated` counts the keys silver held before this job whose row a
    /// version of this job replaces for the first time: the replaced row
    /// (read from the statement's snapshot, so before the upsert) was
    /// written before the job's first transaction. A key the job inserted,
    /// or had replaced already, is not counted again, so the job's counts
    /// are the same whatever order its documents merge in. (xmin is 32
    /// bits: its full id is recovered relative to the current one.)
    func mergeStatement(dataset: Dataset, stage: String) -> String {
        let cols = dataset.columns
        let colList = cols.joined(separator: ", ")
        let updates = cols.dropFirst(2).map { "\($0) = EXCLUDED.\($0)" }.joined(separator: ", ")
        return """
            WITH src AS (
                SELECT DISTINCT ON (repo_name, number) \(colList) FROM \(stage)
                WHERE document_id = ANY ($1::bigint[])
                ORDER BY repo_name, number, updated_at DESC, ingest_date DESC, source DESC, source_ordinal DESC
            ), up AS (
                INSERT INTO \(dataset.silverTable) AS t (\(colList)) SELECT \(colList) FROM src
                ON CONFLICT (repo_name, number) DO UPDATE SET \(updates)
                WHERE (t.updated_at, t.ingest_date, t.source, t.source_ordinal)
                    < (EXCLUDED.updated_at, EXCLUDED.ingest_date, EXCLUDED.source, EXCLUDED.source_ordinal)
                RETURNING t.repo_name, t.number, t.source, (t.xmax = 0) AS inserted, t.labels
            ), history AS (
                INSERT INTO \(dataset.historyTable) (\(colList)) SELECT \(colList) FROM \(stage)
                WHERE document_id = ANY ($1::bigint[])
            ), day AS (
                INSERT INTO ghwh_meta.history_days (ingest_date, dataset) SELECT unnest($2::date[]), '\(dataset.rawValue)'
                ON CONFLICT DO NOTHING
            ), dirty AS (
                INSERT INTO ghwh_meta.gold_dirty_repos (repo_name, target, dataset, seq)
                SELECT r.repo_name, g.target, '\(dataset.rawValue)', nextval('ghwh_meta.gold_dirty_seq')
                FROM (SELECT DISTINCT repo_name FROM up) r
                CROSS JOIN (VALUES ('pull_requests_metrics'), ('labels_metrics'), ('milestone_metrics')) AS g(target)
                UNION ALL
                SELECT r.repo_name, 'daily_backlog', '\(dataset.rawValue)', nextval('ghwh_meta.gold_dirty_seq')
                FROM (SELECT DISTINCT repo_name FROM \(stage) WHERE document_id = ANY ($1::bigint[])) r
                ON CONFLICT (repo_name, target, dataset) DO UPDATE SET seq = EXCLUDED.seq
            ), job AS (
                SELECT pg_current_xact_id()::text::bigint AS now_xid,
                       COALESCE((SELECT first_xid FROM ghwh_meta.jobs WHERE job_id = $3), 9223372036854775807) AS first_xid
            ), replaced_first AS (
                SELECT u.source FROM up u JOIN \(dataset.silverTable) o USING (repo_name, number), job
                WHERE NOT u.inserted AND job.now_xid - ((job.now_xid - o.xmin::text::bigint) & 4294967295) < job.first_xid
            )\(labelCTEs(dataset))
            SELECT source, sum(inserted) AS inserted, sum(updated) AS updated FROM (
                SELECT source, 1 AS inserted, 0 AS updated FROM up WHERE inserted
                UNION ALL SELECT source, 0, 1 FROM replaced_first
            ) counted GROUP BY source
            """
    }

    /// For pull requests, the merge statement's CTEs that make the labels table follow the
    /// new labels arrays: labels a PR dropped are deleted, new ones inserted, kept ones left
    /// alone. The two CTEs touch disjoint labels.
    private func labelCTEs(_ dataset: Dataset) -> String {
        guard dataset == .pullRequests else { return "" }
        return """
            , dropped AS (
                DELETE FROM sta_github.pull_request_labels l USING up c
                WHERE l.repo_name = c.repo_name AND l.number = c.number AND NOT c.inserted
                  AND NOT (l.label_name = ANY (c.labels))
            ), added AS (
                INSERT INTO sta_github.pull_request_labels (repo_name, number, label_name)
                SELECT c.repo_name, c.number, l.name FROM up c CROSS JOIN LATERAL unnest(c.labels) AS l(name)
                ON CONFLICT DO NOTHING
            )
            """
    }

    /// The dataset's history partitions of `dates`, created in this transaction where missing
    /// (only this dataset's: the other dataset's merges may run beside it, on the loader's other lane).
    func ensureHistoryPartitions(dataset: Dataset, dates: Set<String>) throws {
        for date in dates.sorted() {
            _ = try db.query(
                "SELECT ghwh_meta.ensure_history_partition($1::date, $2)", [date, dataset.historyTableName])
        }
    }

    /// Rejects of this source replace those of any earlier load of it; the document's staged
    /// rejects are then no longer needed.
    func replaceRejects(documentIds: [Int64], dataset: Dataset, sources: [String]) throws {
        let ids = PGArrayLiteral.integers(documentIds)
        try db.command(
            "DELETE FROM ghwh_meta.rejects WHERE dataset = $1 AND source = ANY ($2::text[])",
            [dataset.rawValue, PGArrayLiteral.text(sources)])
        try db.command(
            """
            INSERT INTO ghwh_meta.rejects SELECT * FROM ghwh_meta.stage_rejects WHERE document_id = ANY ($1::bigint[])
            ON CONFLICT (dataset, source, ordinal) DO NOTHING
            """, [ids])
        try db.command("DELETE FROM ghwh_meta.stage_rejects WHERE document_id = ANY ($1::bigint[])", [ids])
    }

    private func completeFileIfDone(dataset: Dataset, path: String) throws {
        try completeFilesIfDone(dataset: dataset, paths: [path])
    }

    /// Marks each of the files loaded (or failed) once all its documents merged or failed.
    func completeFilesIfDone(dataset: Dataset, paths: Set<String>) throws {
        guard !paths.isEmpty else { return }
        try db.command(
            """
            UPDATE ghwh_meta.files f SET
                status = CASE WHEN f.error IS NOT NULL OR agg.failed > 0 THEN 'failed' ELSE 'loaded' END,
                error = COALESCE(f.error, agg.errors),
                records = agg.records, rejected = agg.rejected, updated_at = now()
            FROM unnest($2::text[]) AS p(path) CROSS JOIN LATERAL (
                SELECT count(*) FILTER (WHERE status IN ('merged', 'failed')) AS finished,
                       count(*) FILTER (WHERE status = 'failed') AS failed,
                       COALESCE(sum(records), 0) AS records, COALESCE(sum(rejected), 0) AS rejected,
                       string_agg(source || ': ' || error, '; ' ORDER BY source) FILTER (WHERE status = 'failed') AS errors
                FROM ghwh_meta.documents WHERE dataset = $1 AND file_path = p.path
            ) agg
            WHERE f.dataset = $1 AND f.path = p.path AND f.documents IS NOT NULL AND agg.finished = f.documents
            """, [dataset.rawValue, PGArrayLiteral.text(paths)])
    }
}

/// Where each dataset lives in the warehouse.
extension Dataset {
    var stageTable: String { self == .issues ? "ghwh_meta.stage_issues" : "ghwh_meta.stage_pull_requests" }
    /// Session-private staging for a document that is one task: it merges
    /// in the same transaction, so its rows need no WAL or index. (They are
    /// still deleted after the merge: a group commit merges many documents
    /// in one transaction, and the table would otherwise grow within it.)
    var singleTaskStageTable: String { self == .issues ? "ghwh_stage_issues" : "ghwh_stage_pull_requests" }
    var silverTable: String { self == .issues ? "sta_github.issues" : "sta_github.pull_requests" }
    /// The daily history's table (docs/contract.md#history-tables), partitioned by ingest_date: every
    /// merged document's rows, appended; the `*_daily` views keep each day's winner.
    var historyTable: String { "sta_github." + historyTableName }
    /// Its name within `sta_github` (what `ensure_history_partition` takes).
    var historyTableName: String { self == .issues ? "issues_history" : "pull_requests_history" }
    var columns: [String] {
        self == .issues ? SilverCopyEncoding.issueColumns : SilverCopyEncoding.pullRequestColumns
    }
}
