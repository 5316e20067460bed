import GHWHModel

/// Many small things at once: documents that are one task each commit and
/// merge together (one COPY, one merge statement, bookkeeping rows in bulk),
/// and files begin and seal in bulk. Each keeps every per-document guarantee
/// of its one-at-a-time counterpart in `SilverStore`; a directory of small
/// files would otherwise cost a dozen statements per file.
extension SilverStore {
    /// A file about to be (re)read (`beginFile`'s arguments).
    public struct FileBegin: Sendable {
        public var dataset: Dataset, path: String, ingestDate: String, size: Int64, hash: String
        public var jobId: String, force: Bool
        public init(
            dataset: Dataset, path: String, ingestDate: String, size: Int64, hash: String, jobId: String, force: Bool
        ) {
            self.dataset = dataset
            self.path = path
            self.ingestDate = ingestDate
            self.size = size
            self.hash = hash
            self.jobId = jobId
            self.force = force
        }
    }

    /// A file the planner finished reading (`sealFile`'s arguments).
    public struct FileSeal: Sendable {
        public var dataset: Dataset, path: String, documentCount: Int, fileError: String?
        public init(dataset: Dataset, path: String, documentCount: Int, fileError: String?) {
            self.dataset = dataset
            self.path = path
            self.documentCount = documentCount
            self.fileError = fileError
        }
    }

    /// `beginFile` for each of `begins`, then `sealFile` for each of `seals`,
    /// in one transaction. Files seen before (rare) begin one by one; new
    /// files are recorded with one statement per dataset, already sealed when
    /// their seal is among `seals` (a file with no documents is then done).
    public func beginAndSealFiles(begins: [FileBegin], seals: [FileSeal]) throws {
        try db.transaction {
            var sealing: [Dataset: [String: FileSeal]] = [:]
            for seal in seals { sealing[seal.dataset, default: [:]][seal.path] = seal }
            var sealedAtInsert: [Dataset: Set<String>] = [:]
            for (dataset, group) in Dictionary(grouping: begins, by: \.dataset) {
                let known = try db.query(
                    "SELECT path FROM ghwh_meta.files WHERE dataset = $1 AND path = ANY ($2::text[])",
                    [dataset.rawValue, PGArrayLiteral.text(group.map(\.path))])
                let seen = Set(known.compactMap { $0.string("path") })
                var new: [FileBegin] = []
                for file in group {
                    if seen.contains(file.path) {
                        try beginFile(
                            dataset: dataset, path: file.path, ingestDate: file.ingestDate, size: file.size,
                            hash: file.hash, jobId: file.jobId, force: file.force)
                    } else {
                        new.append(file)
                    }
                }
                sealedAtInsert[dataset] = try insertNewFiles(dataset: dataset, new, seals: sealing[dataset] ?? [:])
            }
            try sealFiles(seals.filter { sealedAtInsert[$0.dataset]?.contains($0.path) != true })
        }
    }

    /// Records files never recorded before as loading, or sealed when `seals` has their seal;
    /// returns the paths sealed so. Such a path has no documents (a document is recorded only
    /// after its file began, and file rows are never deleted), so `beginFile`'s cleanup has
    /// nothing to do for it and a sealed one is done at once if it has no documents.
    private func insertNewFiles(dataset: Dataset, _ files: [FileBegin], seals: [String: FileSeal]) throws -> Set<
        String
    > {
        guard !files.isEmpty else { return [] }
        let documents = files.map { seals[$0.path]?.documentCount }
        let status = files.map { file -> String in
            guard let seal = seals[file.path], seal.documentCount == 0 else { return "loading" }
            return seal.fileError == nil ? "loaded" : "failed"
        }
        try db.command(
            """
            INSERT INTO ghwh_meta.files (dataset, path, ingest_date, size_bytes, content_hash, status, job_id, documents, error)
            SELECT $1, f.path, f.ingest_date, f.size_bytes, f.content_hash, f.status, f.job_id, f.documents, f.error
            FROM unnest($2::text[], $3::date[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::integer[], $9::text[])
                AS f(path, ingest_date, size_bytes, content_hash, job_id, status, documents, error)
            ON CONFLICT (dataset, path) DO NOTHING
            """,
            [
                dataset.rawValue, PGArrayLiteral.text(files.map(\.path)), PGArrayLiteral.text(files.map(\.ingestDate)),
                PGArrayLiteral.integers(files.map(\.size)), PGArrayLiteral.text(files.map(\.hash)),
                PGArrayLiteral.text(files.map(\.jobId)), PGArrayLiteral.text(status),
                PGArrayLiteral.text(documents.map { $0.map(String.init) }),
                PGArrayLiteral.text(files.map { seals[$0.path]?.fileError }),
            ])
        return Set(files.compactMap { seals[$0.path] == nil ? nil : $0.path })
    }

    /// `sealFile` for each, in one transaction and one statement per dataset.
    public func sealFiles(_ files: [FileSeal]) throws {
        try db.transaction {
            for (dataset, group) in Dictionary(grouping: files, by: \.dataset) {
                try db.command(
                    """
                    UPDATE ghwh_meta.files f SET documents = s.documents, error = s.error, updated_at = now()
                    FROM unnest($2::text[], $3::integer[], $4::text[]) AS s(path, documents, error)
                    WHERE f.dataset = $1 AND f.path = s.path
                    """,
                    [
                        dataset.rawValue, PGArrayLiteral.text(group.map(\.path)),
                        PGArrayLiteral.integers(group.map(\.documentCount)),
                        PGArrayLiteral.text(group.map(\.fileError)),
                    ])
                try completeFilesIfDone(dataset: dataset, paths: Set(group.map(\.path)))
            }
        }
    }

    /// Commits results each of which is a whole document (one task), in one
    /// transaction: one COPY of all their rows, one merge statement per
    /// dataset, bookkeeping rows in bulk. Outcomes are in `outputs`' order and
    /// what `commit` would have returned, except that the merge counts of a
    /// key several of these documents carry go to the document whose version
    /// won (the job's totals are the same). A document the warehouse already
    /// knows (failed, or a resumed one) goes through `commit`.
    public func commitWholeDocuments(_ outputs: [SilverTaskOutput]) throws -> [CommitOutcome] {
        precondition(outputs.allSatisfy(\.isWholeDocument), "only one-task documents commit in bulk")
        return try db.transaction { () throws -> [CommitOutcome] in
            var outcomes = [CommitOutcome?](repeating: nil, count: outputs.count)
            let ids = PGArrayLiteral.integers(outputs.map(\.documentId))
            let known = try db.query(
                "SELECT document_id FROM ghwh_meta.documents WHERE document_id = ANY ($1::bigint[]) FOR UPDATE", [ids])
            let seen = Set(known.compactMap { $0.int("document_id") })
            var fresh: [Int] = []
            var freshIds = Set<Int64>()
            for (i, output) in outputs.enumerated() {
                if seen.contains(output.documentId) || freshIds.contains(output.documentId) {
                    outcomes[i] = try commit(output)
                } else {
                    fresh.append(i)
                    freshIds.insert(output.documentId)
                }
            }
            let recorded = try recordTaskCommits(fresh.map { outputs[$0] })
            for i in fresh where !recorded.contains(outputs[i].taskId) { outcomes[i] = .duplicate }
            let committing = fresh.filter { recorded.contains(outputs[$0].taskId) }
            for (dataset, indices) in Dictionary(grouping: committing, by: { outputs[$0].dataset }) {
                let stats = try mergeWholeDocuments(indices.map { outputs[$0] }, dataset: dataset)
                for (i, s) in zip(indices, stats) { outcomes[i] = .committed(merged: s) }
            }
            return outcomes.map { $0! }
        }
    }

    /// Inserts the outputs' commit records; returns the task ids that had none (the rest are duplicates).
    private func recordTaskCommits(_ outputs: [SilverTaskOutput]) throws -> Set<String> {
        guard !outputs.isEmpty else { return [] }
        let rows = try db.query(
            """
            INSERT INTO ghwh_meta.task_commits (task_id, document_id, chunk_index, job_id, records, rows, rejected, worker)
            SELECT * FROM unnest($1::text[], $2::bigint[], $3::integer[], $4::text[], $5::bigint[], $6::bigint[],
                                 $7::bigint[], $8::text[])
            ON CONFLICT (task_id) DO NOTHING RETURNING task_id
            """,
            [
                PGArrayLiteral.text(outputs.map(\.taskId)), PGArrayLiteral.integers(outputs.map(\.documentId)),
                PGArrayLiteral.integers(outputs.map(\.chunkIndex)), PGArrayLiteral.text(outputs.map(\.jobId)),
                PGArrayLiteral.integers(outputs.map(\.records)), PGArrayLiteral.integers(outputs.map(\.rowCount)),
                PGArrayLiteral.integers(outputs.map(\.rejectCount)), PGArrayLiteral.text(outputs.map(\.worker)),
            ])
        return Set(rows.compactMap { $0.string("task_id") })
    }

    /// Stages, merges and records documents of one dataset that are new to the warehouse.
    private func mergeWholeDocuments(_ outputs: [SilverTaskOutput], dataset: Dataset) throws -> [MergeStats] {
        let stage = dataset.singleTaskStageTable
        let rows = outputs.filter { $0.rowCount > 0 }
        if !rows.isEmpty {
            let cols = (["document_id"] + dataset.columns).joined(separator: ", ")
            try db.copyInBinary("COPY \(stage) (\(cols)) FROM STDIN (FORMAT binary)", rows: rows.map(\.rowsCopy))
        }
        let rejects = outputs.filter { $0.rejectCount > 0 }
        if !rejects.isEmpty {
            let cols = SilverCopyEncoding.rejectColumns.joined(separator: ", ")
            try db.copyIn(
                "COPY ghwh_meta.stage_rejects (\(cols)) FROM STDIN", data: Array(rejects.map(\.rejectsCopy).joined()))
        }
        let dates = Set(outputs.map(\.ingestDate))
        try ensureHistoryPartitions(dataset: dataset, dates: dates)
        let documentIds = outputs.map(\.documentId)
        let counts = try runMergeStatement(
            documentIds: documentIds, dataset: dataset, stage: stage, ingestDates: dates, jobId: outputs[0].jobId)
        try replaceRejects(documentIds: documentIds, dataset: dataset, sources: outputs.map(\.source))
        try db.command(
            "DELETE FROM \(stage) WHERE document_id = ANY ($1::bigint[])", [PGArrayLiteral.integers(documentIds)])
        let stats = outputs.map { output -> MergeStats in
            var s = MergeStats()
            s.records = output.records
            s.rejected = output.rejectCount
            (s.inserted, s.updated) = counts[output.source] ?? (0, 0)
            return s
        }
        try db.command(
            """
            INSERT INTO ghwh_meta.documents
                (document_id, dataset, file_path, source, ingest_date, task_count, status, records, rejected, inserted, updated)
            SELECT d.document_id, $1, d.file_path, d.source, d.ingest_date, 1, 'merged', d.records, d.rejected,
                   d.inserted, d.updated
            FROM unnest($2::bigint[], $3::text[], $4::text[], $5::date[], $6::bigint[], $7::bigint[], $8::bigint[],
                        $9::bigint[]) AS d(document_id, file_path, source, ingest_date, records, rejected, inserted, updated)
            """,
            [
                dataset.rawValue, PGArrayLiteral.integers(documentIds), PGArrayLiteral.text(outputs.map(\.filePath)),
                PGArrayLiteral.text(outputs.map(\.source)), PGArrayLiteral.text(outputs.map(\.ingestDate)),
                PGArrayLiteral.integers(stats.map(\.records)), PGArrayLiteral.integers(stats.map(\.rejected)),
                PGArrayLiteral.integers(stats.map(\.inserted)), PGArrayLiteral.integers(stats.map(\.updated)),
            ])
        try completeFilesIfDone(dataset: dataset, paths: Set(outputs.map(\.filePath)))
        return stats
    }
}

extension SilverTaskOutput {
    /// The whole document in one task: it can commit and merge in bulk with others.
    public var isWholeDocument: Bool { chunkIndex == 0 && finalChunkCount == 1 }
}
