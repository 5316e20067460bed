import Foundation
import GHWHModel
import GHWHRaw
import GHWHWarehouse
import Testing

@testable import GHWHCluster

/// The loader commits several task results in one transaction: all of them
/// or none, and its counters move only when the commit succeeded.
@Suite struct GroupCommitTests {
    static func task(_ n: Int, json: String) -> SilverTask {
        var batch = RecordBatch()
        let bytes = Array(json.utf8)
        bytes.withUnsafeBytes { batch.append($0, documentOffset: 0) }
        return SilverTask(
            taskId: "doc\(n):0", jobId: "job-group", dataset: .issues, documentId: Int64(1000 + n),
            filePath: "github/issues/2024-01-01/f\(n).json", source: "github/issues/2024-01-01/f\(n).json",
            ingestDate: IngestDate("2024-01-01")!, chunkIndex: 0, finalChunkCount: 1, records: batch)
    }

    static func commit(_ t: SilverTask) throws -> SilverTaskOutput {
        guard case .committed(let c, _) = SilverTaskRunner(name: "w").run(t) else {
            throw TestFailure("the record should transform")
        }
        return c
    }

    @Test func aFailingEntryRollsBackItsWholeGroup() throws {
        let db = try Fixtures.database()
        let issue = { (n: Int) in
            #"{"number": \#(n), "title": "t", "repository_url": "https://api.github.com/repos/o/r", "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z", "labels": []}"#
        }
        let good = try Self.commit(Self.task(1, json: issue(1)))
        var broken = try Self.commit(Self.task(2, json: issue(2)))
        // PostgreSQL refuses it inside the group's transaction
        broken.rowsCopy = Array("not\\tCOPY\\ttext\n".utf8)[...]

        let loader = Loader(conninfo: db, jobId: "job-group", job: "sta_github_issues", logger: Fixtures.logger)
        defer { loader.close() }
        #expect(throws: (any Error).self) {
            try loader.apply([.result(good, inputBytes: 10), .result(broken, inputBytes: 10)])
        }
        #expect(
            try Fixtures.scalar(db, "SELECT count(*) FROM ghwh_meta.task_commits") == "0",
            "the good entry rolled back too")
        #expect(try Fixtures.scalar(db, "SELECT count(*) FROM sta_github.issues") == "0")
        #expect(loader.snapshot.tasksCommitted == 0 && loader.snapshot.summary.uncompressedBytes == 0)

        let other = try Self.commit(Self.task(3, json: issue(3)))
        try loader.apply([.result(good, inputBytes: 10), .result(other, inputBytes: 10)])
        #expect(try Fixtures.scalar(db, "SELECT count(*) FROM ghwh_meta.task_commits") == "2")
        #expect(
            try Fixtures.scalar(db, "SELECT string_agg(number::text, ',' ORDER BY number) FROM sta_github.issues")
                == "1,3")
        #expect(loader.snapshot.tasksCommitted == 2 && loader.snapshot.summary.uncompressedBytes == 20)
    }
}
