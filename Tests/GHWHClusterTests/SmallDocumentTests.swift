import Foundation
import GHWHModel
import GHWHRaw
import GHWHWarehouse
import GHWHWire
import Testing

@testable import GHWHCluster

/// Many small documents travel in task groups and commit in bulk (issue 11,
/// item 6). The bulk path must leave exactly what committing the documents
/// one at a time leaves, and keep every per-document guarantee.
@Suite struct SmallDocumentTests {
    // MARK: - The bulk commit leaves what one-by-one commits leave

    static func issue(_ n: Int, repo: String = "o/r", updated: String, title: String = "t") -> String {
        #"{"number": \#(n), "title": "\#(title)", "repository_url": "https://api.github.com/repos/\#(repo)", "created_at": "2024-01-01T00:00:00Z", "updated_at": "\#(updated)", "labels": [{"name": "l\#(n % 3)"}]}"#
    }

    static func pr(_ n: Int, updated: String, labels: [String]) -> String {
        let names = labels.map { #"{"name": "\#($0)"}"# }.joined(separator: ", ")
        return
            #"{"number": \#(n), "state": "open", "title": "pr \#(n)", "created_at": "2024-01-01T00:00:00Z", "updated_at": "\#(updated)", "additions": 3, "deletions": 1, "labels": [\#(names)], "base": {"ref": "main", "repo": {"full_name": "o/r"}}}"#
    }

    /// Day `day` of a tree of one- or two-record files whose keys collide within a day and across
    /// days: the same issue in several files of one day (one pair tied on updated_at, so the
    /// source decides), PRs whose labels change, a bad record and a broken document.
    static func writeDay(_ root: String, day: Int) throws {
        let date = "2024-01-0\(day)"
        let issues = root + "/github/issues/\(date)/"
        let prs = root + "/github/pull_requests/\(date)/"
        for n in 0..<24 {
            let key = n % 8  // each key three times a day, its latest two tied on updated_at
            let hour = n < 16 ? 11 : 10
            try Fixtures.write(
                "[" + issue(key, updated: "\(date)T\(hour):00:00Z", title: "d\(day) f\(n)") + "]",
                to: issues + String(format: "i%02d.json", n))
        }
        try Fixtures.write(
            "[" + issue(50 + day, updated: "\(date)T09:00:00Z") + #", {"number": "not a number"}]"#,
            to: issues + "with-reject.json")
        try Fixtures.write("[" + issue(60, updated: "\(date)T09:00:00Z"), to: issues + "truncated.json")
        // A zip without entries: a file of no documents, done as soon as it is sealed.
        try Fixtures.write([0x50, 0x4B, 0x05, 0x06] + [UInt8](repeating: 0, count: 18), to: issues + "empty.json.zip")
        // And one that is not a zip at all: a file that fails with no documents.
        try Fixtures.write("not a zip", to: issues + "garbage.json.zip")
        for n in 0..<12 {
            let labels = (0..<(n + day) % 4).map { "x\($0 + day)" }
            try Fixtures.write(
                "[" + pr(n % 5, updated: "\(date)T1\(n % 6):00:00Z", labels: labels) + "]",
                to: prs + String(format: "p%02d.json", n))
        }
    }

    /// Plans `raw` and runs every task in this process; returns the loader messages in order.
    static func messages(_ db: String, raw: String, jobId: String, dates: ClosedRange<IngestDate>) throws
        -> [LoaderMessage]
    {
        let spec = JobSpec(job: .all, dates: dates, force: false, rawRoot: raw, chunkBytes: 16 << 20)
        let planner = Planner(
            spec: spec, jobId: jobId,
            state: try WarehouseReader(conninfo: db, logger: Fixtures.logger).warehouseState(
                datasets: spec.job.datasets),
            logger: Fixtures.logger)
        var messages: [LoaderMessage] = [
            .startJob(jobId: jobId, job: spec.job.rawValue, from: nil, to: nil, force: false)
        ]
        var groups = 0
        let worker = SilverTaskRunner(name: "w")
        planner.run(files: try planner.scan().files, progress: { _ in }, isCancelled: { false }) { event in
            switch event {
            case .task(let t): messages.append(worker.run(t).loaderMessage(for: t))
            case .taskGroup(let g):
                groups += 1
                messages += worker.result(of: g).loaderMessages
            case .loader(let m): messages.append(m)
            }
        }
        #expect(groups == 2, "one group per dataset")
        return messages
    }

    /// What the warehouse holds, as text: silver, history, rejects and bookkeeping (without times,
    /// and without the per-document split of merge counts, which depends on merge order).
    static func contents(_ db: String) throws -> [String: [String]] {
        var out = try Fixtures.silver(db)
        for table in ["sta_github.issues_history", "sta_github.pull_requests_history", "ghwh_meta.history_days"] {
            out[table] = try Fixtures.dump(db, table)
        }
        let pg = try PGConnection(conninfo: db)
        defer { pg.close() }
        let queries = [
            "rejects":
                "SELECT concat_ws(',', dataset, source, ordinal, byte_offset, reason_code, reason, excerpt, ingest_date, document_id) FROM ghwh_meta.rejects",
            "documents":
                "SELECT concat_ws(',', document_id, dataset, file_path, source, ingest_date, task_count, status, records, rejected, error) FROM ghwh_meta.documents",
            "merge counts": "SELECT sum(inserted) || ',' || sum(updated) FROM ghwh_meta.documents",
            "files":
                "SELECT concat_ws(',', dataset, path, ingest_date, size_bytes, content_hash, documents, status, records, rejected, error, job_id) FROM ghwh_meta.files",
            "task commits":
                "SELECT concat_ws(',', task_id, document_id, chunk_index, job_id, records, rows, rejected, worker) FROM ghwh_meta.task_commits",
            "gold marks": "SELECT repo_name || ',' || target FROM ghwh_meta.gold_dirty_repos",
            "staged":
                "SELECT 'issues ' || (SELECT count(*) FROM ghwh_meta.stage_issues) || ' rejects ' || (SELECT count(*) FROM ghwh_meta.stage_rejects)",
        ]
        for (name, sql) in queries { out[name] = try pg.query(sql).rows.map { $0[0] ?? "NULL" }.sorted() }
        return out
    }

    @Test func documentsCommittedInBulkLeaveWhatOneByOneLeaves() throws {
        let raw = try Fixtures.tempDir()
        for day in 1...3 { try Self.writeDay(raw, day: day) }
        let oneByOne = try Fixtures.database()
        let bulk = try Fixtures.database()
        // Two jobs, so the second replaces rows the first wrote (the `updated` counts).
        for (job, dates) in [
            ("job-1", Fixtures.date("2024-01-01")...Fixtures.date("2024-01-02")),
            ("job-2", Fixtures.date("2024-01-03")...Fixtures.date("2024-01-03")),
        ] {
            let messages = try Self.messages(oneByOne, raw: raw, jobId: job, dates: dates)
            #expect(try Self.messages(bulk, raw: raw, jobId: job, dates: dates).count == messages.count)
            let single = Loader(conninfo: oneByOne, jobId: job, job: "all", logger: Fixtures.logger)
            for m in messages { try single.apply(m) }
            let many = Loader(conninfo: bulk, jobId: job, job: "all", logger: Fixtures.logger)
            let steps = LoaderBatching.steps(messages)
            #expect(steps.contains { if case .wholeDocuments(let r) = $0 { r.count > 20 } else { false } })
            #expect(
                steps.contains { if case .files(let b, let s) = $0 { b.count > 20 && s.count > 20 } else { false } })
            try many.apply(messages)
            let a = single.snapshot.summary
            let b = many.snapshot.summary
            single.close()
            many.close()
            #expect(a.tasksCommitted == b.tasksCommitted && a.uncompressedBytes == b.uncompressedBytes)
            for (name, counts) in a.datasets {
                let other = b.datasets[name]
                #expect(
                    [counts.records, counts.rejected, counts.inserted, counts.updated, counts.documentsMerged]
                        == [
                            other?.records, other?.rejected, other?.inserted, other?.updated, other?.documentsMerged,
                        ], "\(name)")
            }
            #expect(a.failures.map(\.source).sorted() == b.failures.map(\.source).sorted())
        }
        let expected = try Self.contents(oneByOne)
        let got = try Self.contents(bulk)
        for (name, rows) in expected { #expect(got[name] == rows, "\(name)") }
        // The tree is what it claims to be: keys replaced across days, rejects, a broken document per day.
        #expect(expected["merge counts"]?.first?.hasSuffix(",0") == false, "the second job replaced rows")
        #expect(expected["rejects"]?.count == 3)
        #expect(expected["documents"]?.filter { $0.contains(",failed,") }.count == 3)
        #expect(expected["staged"] == ["issues 0 rejects 0"])
        #expect(expected["files"]?.filter { $0.contains("empty.json.zip") && $0.contains(",0,loaded,") }.count == 3)
        #expect(expected["files"]?.filter { $0.contains("garbage.json.zip") && $0.contains(",0,failed,") }.count == 3)
    }

    /// A document the warehouse knows (here: one a previous run failed) is not
    /// bulk-inserted over: it goes the one-at-a-time way, and a result
    /// delivered twice in one batch commits once.
    @Test func knownDocumentsAndRepeatsInABatchCommitOnce() throws {
        let db = try Fixtures.database()
        let loader = Loader(conninfo: db, jobId: "job-known", job: "sta_github_issues", logger: Fixtures.logger)
        defer { loader.close() }
        let outputs = try (1...3).map { n in
            try GroupCommitTests.commit(GroupCommitTests.task(n, json: Self.issue(n, updated: "2024-01-01T10:00:00Z")))
        }
        try loader.apply(
            .documentFailed(
                dataset: .issues, documentId: outputs[0].documentId, filePath: outputs[0].filePath,
                source: outputs[0].source, ingestDate: Fixtures.date("2024-01-01"), reason: "broke earlier"))
        try loader.apply(outputs.map { .result($0, inputBytes: 10) } + [.result(outputs[1], inputBytes: 10)])
        #expect(
            try Fixtures.scalar(db, "SELECT string_agg(number::text, ',' ORDER BY number) FROM sta_github.issues")
                == "2,3")
        #expect(try Fixtures.scalar(db, "SELECT count(*) FROM ghwh_meta.task_commits") == "2")
        #expect(loader.snapshot.summary.duplicateResults == 1 && loader.snapshot.tasksCommitted == 2)
    }

    // MARK: - Plain values: batching, grouping, the wire

    static func task(_ n: Int, dataset: Dataset = .issues) -> SilverTask {
        var t = GroupCommitTests.task(n, json: "{}")
        t.dataset = dataset
        return t
    }

    static func output(_ n: Int) throws -> SilverTaskOutput {
        try GroupCommitTests.commit(GroupCommitTests.task(n, json: issue(n, updated: "2024-01-01T10:00:00Z")))
    }

    static func begin(_ path: String) -> LoaderMessage {
        .beginFile(
            jobId: "j", dataset: .issues, path: path, ingestDate: Fixtures.date("2024-01-01"), size: 1, hash: "h",
            force: false)
    }

    static func seal(_ path: String) -> LoaderMessage {
        .sealFile(dataset: .issues, path: path, documentCount: 1, fileError: nil)
    }

    static func shape(_ steps: [LoaderBatching.Step]) -> [String] {
        steps.map {
            switch $0 {
            case .single: "single"
            case .files(let b, let s): "files \(b.count)/\(s.count)"
            case .wholeDocuments(let r): "results \(r.count)"
            }
        }
    }

    /// A small document's output keeps its COPY text, not its writer's 64 KB
    /// reserve: outputs wait in the outbox, which counts bytes.
    @Test func outputsDropTheirWritersSpareCapacity() {
        var small: [UInt8] = []
        small.reserveCapacity(1 << 16)
        small += Array(repeating: 0x41, count: 3000)
        let trimmed = SilverTaskRunner.trimmed(small)
        #expect(trimmed == small && trimmed.capacity < 3000 + 4096, "capacity \(trimmed.capacity)")
        var large: [UInt8] = []
        large.reserveCapacity(1_100_000)
        large += Array(repeating: 0x42, count: 1_000_000)
        #expect(SilverTaskRunner.trimmed(large).capacity == large.capacity, "an eighth spare or less stays")
    }

    @Test func runsOfSmallThingsBecomeBulkSteps() throws {
        let (r1, r2, r3) = (try Self.output(1), try Self.output(2), try Self.output(3))
        var chunk = try Self.output(4)
        chunk.finalChunkCount = nil  // the first chunk of a split document never goes in bulk
        let steps = LoaderBatching.steps([
            Self.begin("a"), Self.seal("a"), Self.begin("b"), Self.seal("b"),
            .result(r1, inputBytes: 1), .result(r2, inputBytes: 1), .result(chunk, inputBytes: 1),
            .result(r3, inputBytes: 1), Self.begin("c"),
            // A path sealed, then begun again: the run ends before the second begin.
            Self.seal("c"), Self.begin("c"), Self.seal("d"),
            // The same result twice: the run ends before the repeat.
            .result(r1, inputBytes: 1), .result(r2, inputBytes: 1), .result(r1, inputBytes: 1),
        ])
        #expect(
            Self.shape(steps) == [
                "files 2/2", "results 2", "single", "single", "files 1/1", "files 1/1", "results 2", "single",
            ])
        guard case .files(let begins, let seals) = steps[0] else { return }
        #expect(begins.compactMap(\.fileBegin).map(\.path) == ["a", "b"])
        #expect(seals.compactMap(\.fileSeal).map(\.path) == ["a", "b"])
    }

    @Test func transactionsAreCutByCountAndBytes() {
        let max = LoaderBatching.maxMessagesPerTransaction
        #expect(LoaderBatching.transactions(sizes: []) == [])
        #expect(
            LoaderBatching.transactions(sizes: Array(repeating: 256, count: max + 1)) == [0..<max, max..<(max + 1)])
        let big = LoaderBatching.maxBytesPerTransaction / 2
        #expect(LoaderBatching.transactions(sizes: [big, big, 1, big * 3]) == [0..<2, 2..<3, 3..<4])
    }

    @Test func smallDocumentsGroupByChunkAndDataset() {
        var g = SmallDocumentGrouper(chunkBytes: 1000)
        var out: [SmallDocumentGrouper.Planned] = []
        for n in 0..<5 { out += g.add(Self.task(n), size: 200) }  // 1,000 bytes: the fifth still fits
        out += g.add(Self.task(5), size: 200)  // over a chunk: the first five leave as one group
        out += g.add(Self.task(6, dataset: .pullRequests), size: 10)  // another dataset: its own group opens
        out += g.add(Self.task(7, dataset: .pullRequests), size: 250)  // large: alone, after all that waited
        out += g.add(Self.task(8, dataset: .pullRequests), size: 10)
        out += g.flush()
        let shape = out.map {
            switch $0 {
            case .task(let t): "task \(t.documentId - 1000)"
            case .group(let g): "group \(g.members.map { String($0.documentId - 1000) }.joined(separator: ","))"
            }
        }
        #expect(shape == ["group 0,1,2,3,4", "task 5", "task 6", "task 7", "task 8"])
        if case .group(let group) = out[0] { #expect(group.taskId == "doc0:0+5") }
        #expect(g.waiting == 0 && g.flush().isEmpty)
    }

    /// The planner alternates the datasets' files: each dataset keeps its own open group.
    @Test func interleavedDatasetsStillGroup() {
        var g = SmallDocumentGrouper(chunkBytes: 1000)
        var out: [SmallDocumentGrouper.Planned] = []
        for n in 0..<8 { out += g.add(Self.task(n, dataset: n % 2 == 0 ? .issues : .pullRequests), size: 240) }
        #expect(out.isEmpty && g.waiting == 8)
        out += g.add(Self.task(8, dataset: .pullRequests), size: 100)  // over a chunk: the PR group leaves
        out += g.flush()
        let shape = out.map {
            switch $0 {
            case .task(let t): "task \(t.documentId - 1000)"
            case .group(let g): "group \(g.members.map { String($0.documentId - 1000) }.joined(separator: ","))"
            }
        }
        #expect(shape == ["group 1,3,5,7", "group 0,2,4,6", "task 8"])
    }

    @Test func taskGroupsAndTheirResultsCrossTheWire() throws {
        let group = SilverTaskGroup(members: [Self.task(1), Self.task(2)])
        var reader = WireReader(TaskAssignment(task: .silverGroup(group), attempt: 2).encoded())
        guard case .silverGroup(let decoded)? = try TaskAssignment.decode(from: &reader).task else {
            Issue.record("not a task group")
            return
        }
        #expect(decoded.taskId == group.taskId && decoded.members.map(\.documentId) == [1001, 1002])
        #expect(decoded.members.map { $0.records.bytes.count } == [2, 2])

        let result = SilverTaskRunner(name: "w").result(of: group)
        var w = WireWriter()
        result.encode(into: &w)
        var r = WireReader(w.joined())
        let back = try WorkerResult.decode(from: &r)
        #expect(back.taskId == group.taskId && back.loaderMessages.count == 2)
        #expect(back.silverTotals.records == 2 && back.silverTotals.rejects == 2, "`{}` is rejected: no number")

        // A group's result holding a group is refused (no unbounded nesting).
        var nested = WireWriter()
        WorkerResult.silverGroup(taskId: "g", [result]).encode(into: &nested)
        var n = WireReader(nested.joined())
        #expect(throws: WireError.self) { try WorkerResult.decode(from: &n) }
    }
}
