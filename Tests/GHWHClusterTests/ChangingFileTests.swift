import Foundation
import GHWHRaw
import GHWHWarehouse
import Testing

@testable import GHWHCluster

/// A raw file that changes (or disappears) between being hashed and being
/// read fails as a document with a clear reason and loads nothing; the next
/// run reads the new version.
@Suite struct ChangingFileTests {
    static func issues(_ n: Int, title: String) -> String {
        "[\n"
            + (1...n).map { i in
                #"{"number": \#(i), "title": "\#(title) \#(i) \#(String(repeating: "x", count: 200))", "repository_url": "https://api.github.com/repos/o/r", "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z", "labels": []}"#
            }.joined(separator: ",\n") + "\n]\n"
    }

    /// Plans the tree (with `afterHashing`), runs every task through a silver worker and commits everything.
    static func load(_ db: String, raw: String, afterHashing: ((RawFile) -> Void)?) throws -> JobSummary {
        let spec = JobSpec(job: .staGithubIssues, rawRoot: raw, chunkBytes: 4096)
        let loader = Loader(conninfo: db, jobId: "job-changing", job: spec.job.rawValue, logger: Fixtures.logger)
        defer { loader.close() }
        var planner = Planner(
            spec: spec, jobId: "job-changing",
            state: try WarehouseReader(conninfo: db, logger: Fixtures.logger).warehouseState(datasets: [.issues]),
            logger: Fixtures.logger)
        planner.afterHashing = afterHashing
        var messages: [LoaderMessage] = [
            .startJob(jobId: "job-changing", job: spec.job.rawValue, from: nil, to: nil, force: false)
        ]
        let worker = SilverTaskRunner(name: "w")
        planner.run(files: try planner.scan().files, progress: { _ in }, isCancelled: { false }) { event in
            switch event {
            case .task(let t): messages.append(worker.run(t).loaderMessage(for: t))
            case .taskGroup(let g): messages += worker.result(of: g).loaderMessages
            case .loader(let m): messages.append(m)
            }
        }
        for m in messages { try loader.apply(m) }
        return loader.snapshot.summary
    }

    @Test func aFileRewrittenWhileItIsReadLoadsNothingOfIt() throws {
        let raw = try Fixtures.tempDir()
        let day = raw + "/github/issues/2024-01-01"
        try FileManager.default.createDirectory(atPath: day, withIntermediateDirectories: true)
        // ~18 KB: read twice (hashed, streamed)
        try Fixtures.write(Self.issues(60, title: "old"), to: day + "/big.json")
        let db = try Fixtures.database()
        let summary = try Self.load(db, raw: raw) { file in
            guard file.relativePath.hasSuffix("big.json") else { return }
            try? Fixtures.write(Self.issues(61, title: "new"), to: file.path)  // a dump tool rewriting it in place
        }
        let failure = try #require(summary.failures.first)
        #expect(failure.source.hasSuffix("big.json"))
        #expect(failure.reason.contains("the file changed while it was read"), "\(failure.reason)")
        #expect(
            try Fixtures.scalar(db, "SELECT count(*) FROM sta_github.issues") == "0", "nothing of either version loaded"
        )
        // The next run reads the new version whole.
        let again = try Self.load(db, raw: raw, afterHashing: nil)
        #expect(again.failures.isEmpty)
        #expect(try Fixtures.scalar(db, "SELECT count(*) FROM sta_github.issues") == "61")
        #expect(try Fixtures.scalar(db, "SELECT count(*) FROM sta_github.issues WHERE title LIKE 'new %'") == "61")
    }

    @Test func aFileThatDisappearsWhileItIsReadFailsNamingIt() throws {
        let raw = try Fixtures.tempDir()
        let day = raw + "/github/issues/2024-01-01"
        try FileManager.default.createDirectory(atPath: day, withIntermediateDirectories: true)
        try Fixtures.write(Self.issues(60, title: "gone"), to: day + "/big.json")
        try Fixtures.write(Self.issues(3, title: "kept"), to: day + "/small.json")
        let db = try Fixtures.database()
        let summary = try Self.load(db, raw: raw) { file in
            if file.relativePath.hasSuffix("big.json") { try? FileManager.default.removeItem(atPath: file.path) }
        }
        #expect(summary.failures.contains { $0.source.hasSuffix("big.json") })
        #expect(
            summary.failures.allSatisfy { $0.reason.contains("disappeared") || $0.reason.contains("No such file") },
            "\(summary.failures)")
        #expect(try Fixtures.scalar(db, "SELECT count(*) FROM sta_github.issues") == "3", "the other file still loads")
    }
}
