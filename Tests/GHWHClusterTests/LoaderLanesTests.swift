import Foundation
import GHWHModel
import GHWHRaw
import GHWHTestSupport
import GHWHWarehouse
import Testing

@testable import GHWHCluster

/// The loader commits issue entries on its main connection and pull-request
/// entries on a second one, side by side (`LoaderPipeline`, `LoaderLanes`).
@Suite struct LoaderLanesTests {
    static func result(_ n: Int, _ dataset: Dataset, json: String) throws -> LoaderMessage {
        var batch = RecordBatch()
        Array(json.utf8).withUnsafeBytes { batch.append($0, documentOffset: 0) }
        let path = "github/\(dataset.rawValue)/2024-01-01/f\(n).json"
        let task = SilverTask(
            taskId: "doc\(n):0", jobId: "job-lanes", dataset: dataset, documentId: Int64(2000 + n),
            filePath: path, source: path, ingestDate: IngestDate("2024-01-01")!, chunkIndex: 0,
            finalChunkCount: 1, records: batch)
        guard case .committed(let output, _) = SilverTaskRunner(name: "w").run(task) else {
            throw TestFailure("the record should transform")
        }
        return .result(output, inputBytes: json.utf8.count)
    }

    static func issue(_ n: Int) throws -> LoaderMessage {
        try result(
            n, .issues,
            json:
                #"{"number": \#(n), "title": "t", "repository_url": "https://api.github.com/repos/o/r", "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z", "labels": []}"#
        )
    }

    static func pullRequest(_ n: Int) throws -> LoaderMessage {
        try result(
            n, .pullRequests,
            json:
                #"{"number": \#(n), "state": "open", "title": "pr", "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z", "labels": [{"name": "bug"}], "base": {"ref": "main", "repo": {"full_name": "o/r"}}}"#
        )
    }

    /// Waits (up to 30 s) until `sql` answers `expected`.
    static func eventually(_ db: String, _ sql: String, _ expected: String) throws -> Bool {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if try Fixtures.scalar(db, sql) == expected { return true }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return false
    }

    /// Entries numbered from 1, as an outbox hands them out.
    static func entries(_ messages: [LoaderMessage]) -> [LoaderEntry] {
        messages.enumerated().map { LoaderEntry(seq: UInt64($0.offset + 1), message: $0.element) }
    }

    /// Runs `LoaderLanes` on a thread of its own over `messages` (fetched at
    /// once, as one outbox of epoch "E"), committing with `commit`; `stop()`
    /// ends it and waits for it.
    final class LanesRun: @unchecked Sendable {
        private let lock = NSLock()
        private var acks: [UInt64] = []
        private let stopped = DispatchSemaphore(value: 0)
        private let flag = StopFlag()
        private let ended = DispatchSemaphore(value: 0)

        init(_ messages: [LoaderMessage], commit: @escaping LoaderLanes.Commit) {
            let lanes = LoaderLanes(
                commit: commit, acknowledge: { [self] upTo, _ in lock.withLock { acks.append(upTo) } })
            let all = LoaderLanesTests.entries(messages)
            Thread { [self] in
                var first = true
                lanes.run(
                    fetch: { _, _ in
                        if first {
                            first = false
                            return .init(epoch: "E", entries: all)
                        }
                        // A long poll with nothing more, ended early by stop().
                        _ = stopped.wait(timeout: .now() + 1)
                        return nil
                    }, isStopped: { flag.isSet })
                ended.signal()
            }.start()
        }

        var acknowledged: [UInt64] { lock.withLock { acks } }

        /// Waits (up to 30 s) until the acknowledgements reach `seq`.
        func awaitAck(_ seq: UInt64) -> Bool {
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline {
                if (acknowledged.last ?? 0) >= seq { return true }
                Thread.sleep(forTimeInterval: 0.01)
            }
            return false
        }

        func stop() {
            flag.set()
            stopped.signal()
            ended.wait()
        }
    }

    /// Whichever lane waits on a lock, the other commits meanwhile (one after
    /// the other, in either order, could not); the entries it committed are
    /// not acknowledged before the waiting lane's earlier ones commit.
    @Test(arguments: [Dataset.issues, .pullRequests])
    func eachLaneCommitsWhileTheOtherWaits(blocked: Dataset) throws {
        let db = try Fixtures.database()
        let loader = Loader(conninfo: db, jobId: "job-lanes", job: "all", logger: Fixtures.logger)
        defer { loader.close() }
        let issues = [try Self.issue(1), try Self.issue(2)]
        let pullRequests = [try Self.pullRequest(3)]
        let blockedTable = blocked == .issues ? "sta_github.issues" : "sta_github.pull_requests"
        let (freeTable, freeRows) = blocked == .issues ? ("sta_github.pull_requests", "1") : ("sta_github.issues", "2")
        // The blocked dataset's entries come first in the outbox.
        let messages = blocked == .issues ? issues + pullRequests : pullRequests + issues
        let blockedCount = UInt64(blocked == .issues ? issues.count : pullRequests.count)

        // Another session holds a lock the blocked dataset's merge needs.
        let blocker = try PGConnection(conninfo: db)
        defer { blocker.close() }
        try blocker.execute("BEGIN")
        try blocker.execute("LOCK TABLE \(blockedTable) IN ACCESS EXCLUSIVE MODE")

        let failure = LockedError()
        let run = LanesRun(messages) { lane, entries in
            do { try loader.apply(entries.map(\.message), lane: lane) } catch { failure.set(error) }
            return true
        }
        #expect(try Self.eventually(db, "SELECT count(*) FROM \(freeTable)", freeRows))
        // (This test's database only: tests run side by side on one server, this one's two cases too.)
        #expect(
            try Self.eventually(
                db,
                """
                SELECT count(*) FROM pg_stat_activity
                WHERE datname = current_database() AND application_name = '\(SessionName.loader)'
                  AND wait_event_type = 'Lock'
                """, "1"))
        #expect(run.acknowledged.isEmpty, "nothing is acknowledged past an entry that has not committed")
        #expect(blockedCount < UInt64(messages.count))

        try blocker.execute("ROLLBACK")
        #expect(run.awaitAck(UInt64(messages.count)))
        run.stop()
        #expect(failure.get() == nil)
        #expect(try Fixtures.scalar(db, "SELECT count(*) FROM sta_github.issues") == "2")
        #expect(try Fixtures.scalar(db, "SELECT count(*) FROM sta_github.pull_requests") == "1")
        #expect(try Fixtures.scalar(db, "SELECT count(*) FROM sta_github.pull_request_labels") == "1")
        #expect(try Fixtures.scalar(db, "SELECT count(*) FROM ghwh_meta.task_commits") == "3")
        #expect(loader.snapshot.tasksCommitted == 3)
        #expect(loader.snapshot.summary.datasets["pull_requests"]?.inserted == 1)
        #expect(loader.snapshot.summary.datasets["issues"]?.inserted == 2)
        // Each lane wrote its own loaded day and gold marks (migration 9): no row in common.
        #expect(
            try Fixtures.scalar(db, "SELECT string_agg(dataset, ',' ORDER BY dataset) FROM ghwh_meta.history_days")
                == "issues,pull_requests")
        #expect(try Fixtures.scalar(db, "SELECT count(DISTINCT dataset) FROM ghwh_meta.gold_dirty_repos") == "2")
    }

    /// A lane that gives up (the loader stops while its write fails) leaves its
    /// entries unacknowledged, however far the other lane committed; applied
    /// again (as unacknowledged entries are), the committed ones are duplicates.
    @Test func entriesALaneGaveUpOnStayUnacknowledged() throws {
        let db = try Fixtures.database()
        let loader = Loader(conninfo: db, jobId: "job-lanes", job: "all", logger: Fixtures.logger)
        defer { loader.close() }
        guard case .result(var broken, let bytes) = try Self.pullRequest(4) else { return }
        broken.rowsCopy = Array("not\tCOPY\ttext\n".utf8)[...]
        let run = LanesRun([.result(broken, inputBytes: bytes), try Self.issue(1)]) { lane, entries in
            do { try loader.apply(entries.map(\.message), lane: lane) } catch { return false }
            return true
        }
        #expect(try Self.eventually(db, "SELECT count(*) FROM sta_github.issues", "1"))
        run.stop()
        #expect(run.acknowledged.isEmpty)
        #expect(try Fixtures.scalar(db, "SELECT count(*) FROM ghwh_meta.task_commits") == "1")
        #expect(loader.snapshot.tasksCommitted == 1, "only what committed is counted")
        let again = LanesRun([try Self.pullRequest(4), try Self.issue(1)]) { lane, entries in
            do { try loader.apply(entries.map(\.message), lane: lane) } catch { return false }
            return true
        }
        #expect(again.awaitAck(2))
        again.stop()
        #expect(loader.snapshot.tasksCommitted == 2 && loader.snapshot.summary.duplicateResults == 1)
        #expect(try Fixtures.scalar(db, "SELECT count(*) FROM sta_github.pull_requests") == "1")
    }

    // MARK: - The pipeline (a plain value)

    static let start = LoaderMessage.startJob(jobId: "j", job: "all", from: nil, to: nil, force: false)
    static let finish = LoaderMessage.finishJob(jobId: "j", summary: JobSummary(jobId: "j", job: "all"))

    @Test func lanesTakeTheirDatasetAndBarriersWaitForEverythingBefore() throws {
        let i = try Self.issue(1)
        let p = try Self.pullRequest(2)
        let seal = LoaderMessage.sealFile(dataset: .pullRequests, path: "p", documentCount: 1, fileError: nil)
        var pipe = LoaderPipeline()
        pipe.add(Self.entries([Self.start, Self.start, i, p, i, Self.finish, seal, i]))
        func take(_ lane: Loader.Lane) -> [UInt64]? { pipe.take(for: lane).map { $0.map(\.seq) } }
        #expect(take(.second) == nil, "a barrier at the head: nothing for the second lane")
        #expect(take(.main) == [1, 2], "the barriers at the head, together")
        #expect(take(.second) == nil, "nothing starts while a barrier runs")
        pipe.finished(.main)
        #expect(pipe.committedThrough == 2)
        #expect(take(.main) == [3, 5] && take(.second) == [4], "each lane its dataset, up to the next barrier")
        #expect(take(.second) == nil, "one transaction at a time per lane")
        pipe.finished(.main)
        #expect(pipe.committedThrough == 3, "3 and 5 committed, 4 not yet: 3 is as far as it goes")
        #expect(take(.main) == nil, "the barrier waits for the second lane")
        pipe.finished(.second)
        #expect(pipe.committedThrough == 5)
        #expect(take(.second) == nil && take(.main) == [6])
        pipe.finished(.main)
        #expect(take(.second) == [7] && take(.main) == [8])
        pipe.finished(.second)
        pipe.finished(.main)
        #expect(pipe.committedThrough == 8 && pipe.pending.isEmpty && pipe.isIdle)
        // Fetched again from the head (an outbox that ignored `after`): nothing twice.
        pipe.add(Self.entries([Self.start, Self.start, i, p, i, Self.finish, seal, i, p]))
        #expect(pipe.pending.map(\.seq) == [9] && pipe.lastFetched == 9)
    }

    @Test func aLaneTakesOneTransactionsWorth() throws {
        var pipe = LoaderPipeline()
        let n = LoaderBatching.maxMessagesPerTransaction + 5
        pipe.add(Self.entries(Array(repeating: Self.start, count: n)))
        #expect(pipe.take(for: .main)?.count == LoaderBatching.maxMessagesPerTransaction)
        pipe.finished(.main)
        #expect(pipe.take(for: .main)?.count == 5)
    }

    /// Random outboxes, fetched in random pieces, taken and finished by the two
    /// lanes in random order: every entry commits once; each dataset in order;
    /// a barrier starts after every earlier entry committed, and nothing starts
    /// while it runs; `committedThrough` is always the committed prefix.
    @Test func randomSchedulesKeepTheOutboxOrder() throws {
        let pool = [
            try Self.issue(1), try Self.pullRequest(2), Self.start,
            LoaderMessage.sealFile(dataset: .pullRequests, path: "p", documentCount: 1, fileError: nil),
            LoaderMessage.sealFile(dataset: .issues, path: "i", documentCount: 1, fileError: nil),
        ]
        var rng = SeededGenerator(state: 11)
        for _ in 0..<300 {
            let all = Self.entries(
                (0..<Int.random(in: 0...30, using: &rng)).map { _ in pool.randomElement(using: &rng)! })
            var pipe = LoaderPipeline()
            var fetched = 0
            var running: [Loader.Lane: [LoaderEntry]] = [:]
            var committed = Set<UInt64>()
            var started = Set<UInt64>()
            var lastOfDataset: [Dataset: UInt64] = [:]
            var steps = 0
            while committed.count < all.count {
                steps += 1
                #expect(steps < 10_000, "stuck")
                if steps >= 10_000 { return }
                switch Int.random(in: 0..<4, using: &rng) {
                case 0 where fetched < all.count:
                    let n = Int.random(in: 1...(all.count - fetched), using: &rng)
                    // Sometimes from the head again, as an outbox that ignored `after`.
                    let from = Bool.random(using: &rng) ? 0 : fetched
                    pipe.add(Array(all[from..<(fetched + n)]))
                    fetched += n
                case 1, 2:
                    let lane: Loader.Lane = Bool.random(using: &rng) ? .main : .second
                    guard let work = pipe.take(for: lane) else { continue }
                    #expect(running[lane] == nil)
                    for e in work {
                        #expect(!started.contains(e.seq), "entry \(e.seq) taken twice")
                        started.insert(e.seq)
                        if let d = e.message.dataset {
                            #expect(d == (lane == .main ? .issues : .pullRequests))
                            #expect(lastOfDataset[d].map { $0 < e.seq } ?? true, "\(d) out of order")
                            lastOfDataset[d] = e.seq
                            #expect(running.values.allSatisfy { $0.allSatisfy { $0.message.dataset != nil } })
                        } else {
                            #expect(lane == .main && running.isEmpty, "a barrier runs alone")
                            #expect(
                                (1..<e.seq).allSatisfy { s in committed.contains(s) || work.contains { $0.seq == s } },
                                "a barrier after all before it")
                        }
                    }
                    // Nothing after a barrier that has not committed.
                    let firstOpenBarrier = all.first { $0.message.dataset == nil && !committed.contains($0.seq) }
                    if let b = firstOpenBarrier, !work.contains(where: { $0.seq == b.seq }) {
                        #expect(work.allSatisfy { $0.seq < b.seq })
                    }
                    running[lane] = work
                default:
                    guard let lane = running.keys.randomElement(using: &rng), let work = running[lane] else { continue }
                    running[lane] = nil
                    pipe.finished(lane)
                    committed.formUnion(work.map(\.seq))
                    var prefix: UInt64 = 0
                    while committed.contains(prefix + 1) { prefix += 1 }
                    #expect(pipe.committedThrough == (prefix == 0 ? nil : prefix))
                }
            }
            #expect(started.count == all.count && pipe.pending.isEmpty && pipe.isIdle)
        }
    }
}

/// An error handed from a thread to the test.
final class LockedError: @unchecked Sendable {
    private let lock = NSLock()
    private var error: Error?
    func set(_ e: Error) { lock.withLock { error = e } }
    func get() -> Error? { lock.withLock { error } }
}
