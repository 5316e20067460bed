import Foundation
import GHWHModel
import GHWHRaw
import GHWHTestSupport
import GHWHWarehouse
import Testing

@testable import GHWHCluster

/// The loader commits issue results on its main connection and pull-request
/// results on a second one, side by side (`LoaderBatching.commitSteps`).
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

    /// Whichever lane waits on a lock, the other commits meanwhile (one after
    /// the other, in either order, could not).
    @Test(arguments: [Dataset.issues, .pullRequests])
    func eachLaneCommitsWhileTheOtherWaits(blocked: Dataset) throws {
        let db = try Fixtures.database()
        let loader = Loader(conninfo: db, jobId: "job-lanes", job: "all", logger: Fixtures.logger)
        defer { loader.close() }
        let issues = [try Self.issue(1), try Self.issue(2)]
        let pullRequests = [try Self.pullRequest(3)]
        let blockedTable = blocked == .issues ? "sta_github.issues" : "sta_github.pull_requests"
        let (freeTable, freeRows) = blocked == .issues ? ("sta_github.pull_requests", "1") : ("sta_github.issues", "2")

        // Another session holds a lock the blocked dataset's merge needs.
        let blocker = try PGConnection(conninfo: db)
        defer { blocker.close() }
        try blocker.execute("BEGIN")
        try blocker.execute("LOCK TABLE \(blockedTable) IN ACCESS EXCLUSIVE MODE")

        let finished = DispatchSemaphore(value: 0)
        let failure = LockedError()
        Thread {
            do { try loader.applyInTwoLanes(main: [issues], second: [pullRequests]) } catch { failure.set(error) }
            finished.signal()
        }.start()

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
        #expect(finished.wait(timeout: .now()) == .timedOut, "the call waits for the blocked lane")

        try blocker.execute("ROLLBACK")
        #expect(finished.wait(timeout: .now() + 30) == .success)
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

    @Test func aFailedLaneLeavesTheOtherCommittedAndThrows() throws {
        let db = try Fixtures.database()
        let loader = Loader(conninfo: db, jobId: "job-lanes", job: "all", logger: Fixtures.logger)
        defer { loader.close() }
        guard case .result(var broken, let bytes) = try Self.pullRequest(4) else { return }
        broken.rowsCopy = Array("not\tCOPY\ttext\n".utf8)[...]
        #expect(throws: (any Error).self) {
            try loader.applyInTwoLanes(main: [[try Self.issue(1)]], second: [[.result(broken, inputBytes: bytes)]])
        }
        #expect(try Fixtures.scalar(db, "SELECT count(*) FROM sta_github.issues") == "1")
        #expect(try Fixtures.scalar(db, "SELECT count(*) FROM ghwh_meta.task_commits") == "1")
        #expect(loader.snapshot.tasksCommitted == 1, "only what committed is counted")
        // Re-applied (as an unacknowledged batch is), the committed half is a duplicate.
        try loader.applyInTwoLanes(main: [[try Self.issue(1)]], second: [[try Self.pullRequest(4)]])
        #expect(loader.snapshot.tasksCommitted == 2 && loader.snapshot.summary.duplicateResults == 1)
        #expect(try Fixtures.scalar(db, "SELECT count(*) FROM sta_github.pull_requests") == "1")
    }

    @Test func commitStepsPutBothDatasetsRunsSideBySide() throws {
        let i1 = try Self.issue(1)
        let i2 = try Self.issue(2)
        let p1 = try Self.pullRequest(3)
        let p2 = try Self.pullRequest(4)
        let begin = LoaderMessage.startJob(jobId: "j", job: "all", from: nil, to: nil, force: false)
        let finish = LoaderMessage.finishJob(jobId: "j", summary: JobSummary(jobId: "j", job: "all"))
        let open = LoaderMessage.beginFile(
            jobId: "j", dataset: .pullRequests, path: "p", ingestDate: IngestDate("2024-01-01")!, size: 1, hash: "h",
            force: false)
        let seal = LoaderMessage.sealFile(dataset: .issues, path: "i", documentCount: 1, fileError: nil)
        let messages = [begin, i1, p1, i2, finish, open, p2, i1, seal, begin]
        let steps = LoaderBatching.commitSteps(messages, sizes: messages.map { _ in 1 })
        #expect(
            steps == [
                .transaction([0]), .sideBySide(issues: [[1, 3]], pullRequests: [[2]]), .transaction([4]),
                .sideBySide(issues: [[7, 8]], pullRequests: [[5, 6]]), .transaction([9]),
            ])
        // A run of one dataset stays on the main lane, with what surrounds it.
        let one = [begin, i1, i2, finish]
        #expect(LoaderBatching.commitSteps(one, sizes: [1, 1, 1, 1]) == [.transaction([0, 1, 2, 3])])
        // Each lane is cut into transactions like the main lane.
        let big = [i1, p1, i2, p2]
        let limit = LoaderBatching.maxBytesPerTransaction
        #expect(
            LoaderBatching.commitSteps(big, sizes: [limit, 1, limit, 1])
                == [.sideBySide(issues: [[0], [2]], pullRequests: [[1, 3]])])
    }

    @Test func commitStepsCoverTheBatchInOrder() throws {
        let pool = [
            try Self.issue(1), try Self.pullRequest(2),
            LoaderMessage.startJob(jobId: "j", job: "all", from: nil, to: nil, force: false),
            LoaderMessage.sealFile(dataset: .pullRequests, path: "p", documentCount: 1, fileError: nil),
        ]
        var rng = SeededGenerator(state: 5)
        for _ in 0..<300 {
            let messages = (0..<Int.random(in: 0...12, using: &rng)).map { _ in pool.randomElement(using: &rng)! }
            let sizes = messages.map { _ in Int.random(in: 1...(LoaderBatching.maxBytesPerTransaction / 2), using: &rng)
            }
            var seen: [Int] = []
            for step in LoaderBatching.commitSteps(messages, sizes: sizes) {
                switch step {
                case .transaction(let group):
                    #expect(group == Array(group.sorted()))
                    seen += group
                case .sideBySide(let issues, let pullRequests):
                    let i: [Int] = issues.flatMap { $0 }
                    let p: [Int] = pullRequests.flatMap { $0 }
                    #expect(!i.isEmpty && !p.isEmpty)
                    #expect(i.allSatisfy { messages[$0].dataset == .issues })
                    #expect(p.allSatisfy { messages[$0].dataset == .pullRequests })
                    #expect(i == i.sorted() && p == p.sorted())
                    seen += Array(i + p).sorted()
                }
            }
            #expect(seen == Array(messages.indices), "every entry once, steps in the batch's order")
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
