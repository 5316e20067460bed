import Foundation
import GHWHModel
import GHWHRaw
import GHWHWarehouse
import Testing

@testable import GHWHCluster

/// A compressed document stored in a chunk goes to a worker whole however far
/// it inflates (issue 11, item 5): the worker cuts its output into chunks where
/// the planner would have cut the document, sends each as soon as it is cut,
/// and the document still loads exactly as one output would.
@Suite struct WholeDocumentChunkTests {
    static let chunkBytes = 4096

    /// A JSON array of `count` issues (the 38th a reject unless told), about 250 bytes each
    /// plus `padding` bytes of a field no table keeps.
    static func issues(_ count: Int, withReject: Bool = true, padding: Int = 0) -> String {
        let pad = padding > 0 ? #"{"padding": ""# + String(repeating: "x", count: padding) + #"", "# : "{"
        let records = (0..<count).map { n in
            let record =
                n == 37 && withReject
                ? #"{"number": "not a number"}"#
                : SmallDocumentTests.issue(n, updated: "2024-01-01T10:00:\(String(format: "%02d", n % 60))Z")
            return pad + record.dropFirst()
        }
        return "[\n" + records.joined(separator: ",\n") + "\n]\n"
    }

    /// Plans `raw` (no warehouse state) and returns the silver tasks in order.
    static func plan(_ raw: String, chunkBytes: Int = chunkBytes) throws -> [SilverTask] {
        let spec = JobSpec(job: .staGithubIssues, dates: nil, force: false, rawRoot: raw, chunkBytes: chunkBytes)
        let planner = Planner(spec: spec, jobId: "job", state: .init(), logger: Fixtures.logger)
        var tasks: [SilverTask] = []
        planner.run(files: try planner.scan().files, progress: { _ in }, isCancelled: { false }) { event in
            switch event {
            case .task(let t): tasks.append(t)
            case .taskGroup(let g): tasks += g.members
            case .loader: break
            }
        }
        return tasks
    }

    /// A tree holding `json` as day 2024-01-01's one issues file `name`.
    static func tree(_ name: String, _ bytes: [UInt8]) throws -> String {
        let raw = try Fixtures.tempDir()
        try Fixtures.write(bytes, to: raw + "/github/issues/2024-01-01/" + name)
        return raw
    }

    /// The outputs a worker gives for a whole-document task: its parts, then its last.
    static func chunks(of task: SilverTask) throws -> (parts: [SilverTaskOutput], last: WorkerResult) {
        var parts: [SilverTaskOutput] = []
        let last = SilverTaskRunner(name: "w").result(of: task) { part in
            guard case .silverChunk(task.taskId, let output, _) = part, part.isPart else {
                Issue.record("a part that is not a chunk of \(task.taskId): \(part)")
                return false
            }
            parts.append(output)
            return true
        }
        return (parts, try #require(last))
    }

    @Test func aWholeDocumentIsCutWhereThePlannerCutsIt() throws {
        let json = Array(Self.issues(300).utf8)
        // Plain, the document is larger than a chunk: the planner streams and splits it.
        let streamed = try Self.plan(try Self.tree("a.json", json))
        #expect(streamed.count > 5 && streamed.allSatisfy { $0.document == nil })
        // Gzipped, it is stored in less than a chunk: one task carries it whole.
        let whole = try Self.plan(try Self.tree("a.json.gz", try BadInputTests.gzip(json)))
        let task = try #require(whole.first)
        #expect(whole.count == 1 && task.document != nil && task.chunkBytes == Self.chunkBytes)

        let (parts, last) = try Self.chunks(of: task)
        guard case .silverChunk(task.taskId, let final, let lastBytes) = last else {
            throw TestFailure("the last chunk should be a chunk result: \(last)")
        }
        let outputs = parts + [final]
        // Same cuts: chunk k holds the records of the planner's task k.
        #expect(outputs.map(\.chunkIndex) == streamed.map(\.chunkIndex))
        #expect(outputs.map(\.records) == streamed.map(\.records.count))
        #expect(outputs.map(\.finalChunkCount) == streamed.map(\.finalChunkCount))
        #expect(
            outputs.map(\.taskId)
                == outputs.map { DocumentID.taskId(documentId: task.documentId, chunk: $0.chunkIndex) })
        // And the same rows and rejects as one output of the whole document, in order.
        guard case .committed(let one, let oneBytes) = SilverTaskRunner(name: "w").run(task) else {
            throw TestFailure("the document should load")
        }
        #expect(outputs.flatMap { Array($0.rowsCopy) } == Array(one.rowsCopy))
        #expect(outputs.flatMap { Array($0.rejectsCopy) } == Array(one.rejectsCopy))
        #expect(outputs.map(\.rejectCount).reduce(0, +) == 1 && one.rejectCount == 1)
        let partBytes = try Self.partResults(of: task).map { part -> Int in
            guard case .silverChunk(_, _, let bytes) = part else { return -1 }
            return bytes
        }
        #expect(partBytes.count == parts.count)
        #expect(partBytes.reduce(0, +) + lastBytes == oneBytes && oneBytes == json.count)
    }

    /// The rows of a document with large records are much smaller than its
    /// JSON: when they fit in a chunk the worker sends them as one output (the
    /// loader stages and merges it in one transaction); one byte more and the
    /// document is cut where the planner would cut it.
    @Test func aWholeDocumentWhoseOutputFitsInAChunkComesBackAsOne() throws {
        let json = Array(Self.issues(300, padding: 1000).utf8)
        var task = try #require(try Self.plan(try Self.tree("a.json.gz", try BadInputTests.gzip(json))).first)
        guard case .committed(let one, let oneBytes) = SilverTaskRunner(name: "w").run(task) else {
            throw TestFailure("the document should load")
        }
        task.chunkBytes = one.copyBytes
        #expect(json.count > 4 * task.chunkBytes, "the JSON is several chunks long")
        let (parts, last) = try Self.chunks(of: task)
        #expect(parts.isEmpty)
        guard case .silver(let whole, let wholeBytes) = last else {
            throw TestFailure("expected the task's own output: \(last)")
        }
        #expect(whole.taskId == task.taskId && whole.chunkIndex == 0 && whole.finalChunkCount == 1)
        #expect(whole.rowsCopy == one.rowsCopy && whole.rejectsCopy == one.rejectsCopy)
        #expect(whole.records == 300 && whole.rowCount == 299 && whole.rejectCount == 1)
        #expect(wholeBytes == oneBytes && oneBytes == json.count)

        task.chunkBytes = one.copyBytes - 1
        let (cutParts, cutLast) = try Self.chunks(of: task)
        guard case .silverChunk(task.taskId, let final, _) = cutLast else {
            throw TestFailure("the last chunk should be a chunk result: \(cutLast)")
        }
        let outputs = cutParts + [final]
        let streamed = try Self.plan(try Self.tree("a.json", json), chunkBytes: task.chunkBytes)
        #expect(outputs.count > 4 && outputs.map(\.records) == streamed.map(\.records.count))
        #expect(outputs.map(\.finalChunkCount) == streamed.map(\.finalChunkCount))
        #expect(outputs.flatMap { Array($0.rowsCopy) } == Array(one.rowsCopy))
        #expect(outputs.flatMap { Array($0.rejectsCopy) } == Array(one.rejectsCopy))
    }

    static func partResults(of task: SilverTask) throws -> [WorkerResult] {
        var parts: [WorkerResult] = []
        _ = SilverTaskRunner(name: "w").result(of: task) { part in
            parts.append(part)
            return true
        }
        return parts
    }

    @Test func aRefusedPartStopsTheTask() throws {
        let json = Array(Self.issues(300).utf8)
        let task = try #require(try Self.plan(try Self.tree("a.json.gz", try BadInputTests.gzip(json))).first)
        var offered = 0
        let last = SilverTaskRunner(name: "w").result(of: task) { _ in
            offered += 1
            return offered < 2  // the lease is gone when the second part is offered
        }
        #expect(last == nil && offered == 2)
    }

    @Test func aDocumentThatBreaksAfterItsFirstChunksFailsWhole() throws {
        var json = Array(Self.issues(300).utf8)
        json.removeLast(3)  // no closing bracket: the array is truncated
        let task = try #require(try Self.plan(try Self.tree("a.json.gz", try BadInputTests.gzip(json))).first)
        let (parts, last) = try Self.chunks(of: task)
        #expect(parts.count > 5, "chunks were sent before the end showed the break")
        guard case .silverDocumentFailed(let failed, let reason) = last else {
            throw TestFailure("expected the document to fail: \(last)")
        }
        #expect(failed.taskId == task.taskId && failed.document == nil)
        #expect(failed.source.hasSuffix("a.json.gz") && reason.contains("truncated document"), "\(reason)")
    }

    /// The coordinator's side: parts are queued for the loader while the task
    /// runs; only the current lease's parts count; the task commits with its
    /// last chunk and counts every chunk's records.
    @Test func partsAreQueuedWhileTheTaskRuns() throws {
        let json = Array(Self.issues(300).utf8)
        let task = try #require(try Self.plan(try Self.tree("a.json.gz", try BadInputTests.gzip(json))).first)
        let results = try Self.partResults(of: task)
        let (_, last) = try Self.chunks(of: task)
        var s = ClusterState(settings: ClusterStateTests.settings(), epoch: "E1")
        s.startJob("job")
        _ = s.enqueue(.silver(task), now: 0)
        _ = s.register(worker: "w1", incarnation: "a", host: "h", cores: 1, now: 0)
        _ = s.register(worker: "w2", incarnation: "b", host: "h", cores: 1, now: 0)
        let (id, attempt) = try #require(ClusterStateTests.lease(&s, "w1", "a", poll: 1, now: 1))
        #expect(id == task.taskId)
        // Another worker's part (not the lease holder) is discarded.
        #expect(!s.result(results[0], worker: "w2", incarnation: "b", attempt: attempt, now: 2).accepted)
        for part in results {
            #expect(s.result(part, worker: "w1", incarnation: "a", attempt: attempt, now: 2).accepted)
            #expect(s.tasks[id]?.state == .running)
        }
        let early = try ClusterStateTests.fetchEntries(&s, poll: 2, now: 2)
        #expect(early.count == results.count, "the parts reach the loader before the task ends")
        #expect(s.loaderAck(epoch: "E1", upTo: early.last!.seq, now: 3).accepted)
        #expect(s.tasks[id]?.state == .running && s.job?.committed == 0)
        #expect(s.result(last, worker: "w1", incarnation: "a", attempt: attempt, now: 4).accepted)
        let rest = try ClusterStateTests.fetchEntries(&s, poll: 3, now: 4)
        #expect(rest.count == 1)
        #expect(s.loaderAck(epoch: "E1", upTo: rest[0].seq, now: 5).accepted)
        #expect(s.tasks[id]?.state == .committed && s.job?.committed == 1)
        #expect(s.job?.recordsCommitted == 300, "every chunk's records count")
        #expect(s.invariantViolation() == nil)
    }

    /// End to end in local mode with a real warehouse: a document cut into
    /// chunks by its worker leaves what one output of it leaves; a truncated
    /// one leaves nothing of it and is recorded as failed.
    @Test func aCutDocumentLoadsAsOneOutputWould() throws {
        let raw = try Self.tree("a.json.gz", try BadInputTests.gzip(Array(Self.issues(300).utf8)))
        var broken = Array(Self.issues(200).utf8)
        broken.removeLast(3)
        try Fixtures.write(try BadInputTests.gzip(broken), to: raw + "/github/issues/2024-01-01/b.json.gz")
        let cut = try Fixtures.database()
        let cutSummary = try Fixtures.run(cut, raw: raw, job: .staGithubIssues, chunkBytes: Self.chunkBytes)
        let one = try Fixtures.database()
        _ = try Fixtures.run(one, raw: raw, job: .staGithubIssues)
        #expect(try Fixtures.silver(cut) == Fixtures.silver(one))
        let rejects = "(SELECT dataset, ordinal, byte_offset, reason FROM ghwh_meta.rejects)"
        #expect(try Fixtures.dump(cut, rejects) == Fixtures.dump(one, rejects))
        #expect(try Fixtures.dump(cut, rejects).count == 1)
        #expect(try Fixtures.dump(cut, "sta_github.issues").count == 299)
        #expect(cutSummary.datasets["issues"]?.documentsFailed == 1)
        #expect(cutSummary.failures.first?.source.hasSuffix("b.json.gz") == true)
    }
}

extension WholeDocumentChunkTests {
    /// The loader's messages for `raw`'s one whole document: `resent` of its
    /// parts (a first attempt whose worker was lost), then all of its chunks
    /// (the re-run) or, `thenWhole`, its one uncut output.
    static func messages(_ raw: String, jobId: String, resent: Int, thenWhole: Bool = false) throws -> [LoaderMessage] {
        let spec = JobSpec(
            job: .staGithubIssues, dates: nil, force: false, rawRoot: raw, chunkBytes: Self.chunkBytes)
        let planner = Planner(spec: spec, jobId: jobId, state: .init(), logger: Fixtures.logger)
        var messages: [LoaderMessage] = [
            .startJob(jobId: jobId, job: spec.job.rawValue, from: nil, to: nil, force: false)
        ]
        var tasks: [SilverTask] = []
        var events: [Planner.Event] = []
        planner.run(files: try planner.scan().files, progress: { _ in }, isCancelled: { false }) { events.append($0) }
        for event in events {
            switch event {
            case .task(let t):
                tasks.append(t)
                let parts = try Self.partResults(of: t)
                messages += parts.prefix(resent).flatMap(\.loaderMessages)
                if thenWhole {
                    messages.append(SilverTaskRunner(name: "w").run(t).loaderMessage(for: t))
                    continue
                }
                let (_, last) = try Self.chunks(of: t)
                messages += (parts + [last]).flatMap(\.loaderMessages)
            case .taskGroup, .loader(.startJob): break
            case .loader(let m): messages.append(m)
            }
        }
        #expect(tasks.count == 1 && tasks[0].document != nil)
        return messages
    }

    /// A document an earlier run cut (some of its chunks committed, then the
    /// worker was lost) may come back as one output (its rows fit in a chunk of
    /// this run's size): the committed chunks give way to it, and the document
    /// loads as if it had only ever been one task.
    @Test func aWholeOutputReplacesTheChunksAnEarlierRunCommitted() throws {
        let raw = try Self.tree("a.json.gz", try BadInputTests.gzip(Array(Self.issues(300).utf8)))
        let once = try Fixtures.database()
        let loader = Loader(conninfo: once, jobId: "job-1", job: "sta_github_issues", logger: Fixtures.logger)
        for m in try Self.messages(raw, jobId: "job-1", resent: 0, thenWhole: true) { try loader.apply(m) }
        loader.close()

        let db = try Fixtures.database()
        let again = Loader(conninfo: db, jobId: "job-1", job: "sta_github_issues", logger: Fixtures.logger)
        for m in try Self.messages(raw, jobId: "job-1", resent: 3, thenWhole: true) { try again.apply(m) }
        again.close()
        #expect(try SmallDocumentTests.contents(db) == SmallDocumentTests.contents(once))
        #expect(try Fixtures.dump(db, "sta_github.issues").count == 299)
        let commits = "(SELECT chunk_index, records, rows, rejected FROM ghwh_meta.task_commits)"
        #expect(try Fixtures.dump(db, commits) == ["(0,300,299,1)"])
        let documents = "(SELECT task_count, status, records, rejected FROM ghwh_meta.documents)"
        #expect(try Fixtures.dump(db, documents) == ["(1,merged,300,1)"])
        #expect(try Fixtures.dump(db, "ghwh_meta.stage_issues").isEmpty)
    }

    /// Nothing twice: a re-run's chunks that a lost first attempt already
    /// committed are dropped, in separate transactions or in the same one.
    @Test func chunksSentAgainByAReRunCommitOnce() throws {
        let raw = try Self.tree("a.json.gz", try BadInputTests.gzip(Array(Self.issues(300).utf8)))
        let once = try Fixtures.database()
        let loader = Loader(conninfo: once, jobId: "job-1", job: "sta_github_issues", logger: Fixtures.logger)
        for m in try Self.messages(raw, jobId: "job-1", resent: 0) { try loader.apply(m) }
        loader.close()
        for together in [false, true] {
            let twice = try Fixtures.database()
            let messages = try Self.messages(raw, jobId: "job-1", resent: 3)
            let again = Loader(conninfo: twice, jobId: "job-1", job: "sta_github_issues", logger: Fixtures.logger)
            if together { try again.apply(messages) } else { for m in messages { try again.apply(m) } }
            #expect(again.snapshot.summary.duplicateResults == 3, "together: \(together)")
            again.close()
            #expect(
                try SmallDocumentTests.contents(twice) == SmallDocumentTests.contents(once), "together: \(together)")
            #expect(try Fixtures.dump(twice, "sta_github.issues").count == 299)
        }
    }
}
