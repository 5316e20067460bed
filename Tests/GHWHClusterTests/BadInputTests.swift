import ArgumentParser
import Foundation
import GHWHCLI
import GHWHJSON
import GHWHProcess
import GHWHWarehouse
import GHWHWire
import Testing
import ZIPFoundation

@testable import GHWHCluster

/// Bad input gets a clear error and loses nothing (docs/contract.md#rejects,
/// docs/contract.md#document-failures):
/// bad records are quarantined, broken documents fail whole, the rest loads,
/// and the command exits non-zero.
@Suite struct BadInputTests {
    static func issue(_ n: Int, repo: String = "o/r", updated: String = "2024-01-01T10:00:00Z") -> String {
        #"{"number": \#(n), "title": "issue \#(n)", "repository_url": "https://api.github.com/repos/\#(repo)", "created_at": "2024-01-01T00:00:00Z", "updated_at": "\#(updated)", "labels": []}"#
    }

    /// A tree with one good file and every kind of breakage.
    static func brokenTree() throws -> String {
        let root = try Fixtures.tempDir()
        let day = root + "/github/issues/2024-01-01/"
        try Fixtures.write(
            "[\n" + (1...3).map { issue($0) }.joined(separator: ",\n") + "\n]\n", to: day + "a-good.json")
        // JSON Lines with record-level problems: each bad line is a reject, the good lines load.
        let lines = [
            issue(10),
            #"{"number": "11", "repository_url": "https://api.github.com/repos/o/r", "created_at": "2024-01-01T00:00:00Z"}"#,
            #"{"number": 12, "repository_url": "https://api.github.com/repos/o/r", "created_at": "2016-09-15 05:52:11 UTC"}"#,
            #"{"number": 13, "created_at": "2024-01-01T00:00:00Z"}"#,
            #"{"number": 14, "repository_url": "https://api.github.com/repos/o/r", "created_at": "2024-01-01T00:00:00Z", "title": ["x"]}"#,
            #"{"number": 15, "title": "unterminated"#,
            "[1, 2]",
            issue(16),
        ]
        var jsonl = Array(lines.joined(separator: "\n").utf8) + [0x0A]
        // A line with invalid UTF-8 inside a string.
        jsonl +=
            Array(#"{"number": 17, "title": "bad "#.utf8) + [0xC3, 0x28]
            + Array(
                #"", "repository_url": "https://api.github.com/repos/o/r", "created_at": "2024-01-01T00:00:00Z"}"#.utf8)
            + [0x0A]
        try Fixtures.write(jsonl, to: day + "b-lines.jsonl")
        // An array cut mid-way: nothing of it loads, not even its first records.
        try Fixtures.write(
            "[\n" + issue(20) + ",\n" + issue(21) + ",\n{\"number\": 22, \"ti", to: day + "c-truncated.json")
        // Not JSON at all.
        try Fixtures.write("hello, world\n", to: day + "d-not-json.json")
        // A gzip cut short.
        let gz = try gzip(Array(("[" + issue(30) + "]").utf8))
        try Fixtures.write(Array(gz.prefix(gz.count / 2)), to: day + "e-cut.json.gz")
        // Empty documents are zero records, not failures.
        try Fixtures.write("", to: day + "f-empty.json")
        try Fixtures.write("[]", to: day + "g-empty-array.json")
        return root
    }

    static func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        let dir = try Fixtures.tempDir("gz")
        let path = dir + "/x"
        try Fixtures.write(bytes, to: path)
        _ = try runProcess("/bin/gzip", ["-n", path])
        return Array(try Data(contentsOf: URL(fileURLWithPath: path + ".gz")))
    }

    @Test func rejectsAndFailuresAreRecordedAndTheRestLoads() throws {
        let raw = try Self.brokenTree()
        let db = try Fixtures.database()
        let summary = try Fixtures.run(db, raw: raw, job: .staGithubIssues)
        #expect(!summary.succeeded)

        let numbers = try PGRowsDump.rows(db, "SELECT number FROM sta_github.issues ORDER BY number").map { $0[0] }
        #expect(numbers == ["1", "2", "3", "10", "16"])

        let rejects = try PGRowsDump.rows(
            db, "SELECT source, ordinal, reason_code, excerpt FROM ghwh_meta.rejects ORDER BY ordinal")
        #expect(rejects.map { $0[0] } == Array(repeating: "github/issues/2024-01-01/b-lines.jsonl", count: 7))
        #expect(rejects.map { $0[1] } == ["1", "2", "3", "4", "5", "6", "8"])
        #expect(
            rejects.map { $0[2] } == [
                "invalid_number", "invalid_timestamp", "no_repository", "wrong_type",
                "invalid_json", "not_an_object", "invalid_json",
            ])
        #expect(rejects[0][3].contains(#""number": "11""#), "excerpt holds the raw record")

        let failed = summary.failures.map(\.source).sorted()
        #expect(
            failed == [
                "github/issues/2024-01-01/c-truncated.json", "github/issues/2024-01-01/d-not-json.json",
                "github/issues/2024-01-01/e-cut.json.gz",
            ])
        #expect(summary.failures.allSatisfy { !$0.reason.isEmpty })
        #expect(summary.datasets["issues"]?.rejected == 7)
        let rendered = summary.render()
        #expect(rendered.contains("c-truncated.json") && rendered.contains("b-lines.jsonl record #1"))
        #expect(
            try Fixtures.scalar(db, "SELECT string_agg(path || '=' || status, ',' ORDER BY path) FROM ghwh_meta.files")
                == "github/issues/2024-01-01/a-good.json=loaded,github/issues/2024-01-01/b-lines.jsonl=loaded,github/issues/2024-01-01/c-truncated.json=failed,github/issues/2024-01-01/d-not-json.json=failed,github/issues/2024-01-01/e-cut.json.gz=failed,github/issues/2024-01-01/f-empty.json=loaded,github/issues/2024-01-01/g-empty-array.json=loaded"
        )

        // Re-running retries the failed files only; rejects are not duplicated.
        let again = try Fixtures.run(db, raw: raw, job: .staGithubIssues)
        #expect(again.failures.count == 3)
        #expect(try Fixtures.scalar(db, "SELECT count(*) FROM ghwh_meta.rejects") == "7")
    }

    /// A document that fits in a chunk goes to a worker whole and is
    /// decompressed and split there; a larger one is split by the planner.
    /// Either way the same records load, the same rejects are kept and a
    /// broken document fails with the same error.
    @Test func wholeDocumentTasksAndPlannerSplitsGiveTheSameOutcome() throws {
        let raw = try Self.brokenTree()
        let whole = try Fixtures.database()
        let split = try Fixtures.database()
        let a = try Fixtures.run(whole, raw: raw, job: .staGithubIssues)  // every document fits a 16 MB chunk
        let b = try Fixtures.run(split, raw: raw, job: .staGithubIssues, chunkBytes: 1)  // every record its own task
        #expect(a.tasksCommitted < b.tasksCommitted, "\(a.tasksCommitted) vs \(b.tasksCommitted)")
        #expect(a.failures.map(\.source).sorted() == b.failures.map(\.source).sorted())
        #expect(a.failures.count == 3)
        for query in [
            "SELECT source, status, records, rejected, error FROM ghwh_meta.documents ORDER BY source",
            "SELECT source, ordinal, byte_offset, reason_code, reason, excerpt FROM ghwh_meta.rejects ORDER BY source, ordinal",
            "SELECT path, status, records, rejected, error FROM ghwh_meta.files ORDER BY path",
        ] {
            #expect(try PGRowsDump.rows(whole, query) == PGRowsDump.rows(split, query), "\(query)")
        }
        #expect(try Fixtures.silver(whole) == Fixtures.silver(split))
        #expect(try Fixtures.scalar(whole, "SELECT count(*) FROM sta_github.issues") == "5")
    }

    /// A document split into several tasks that breaks at its end loads
    /// nothing, even from the chunks that committed before the break.
    @Test func multiTaskDocumentThatBreaksLoadsNothing() throws {
        let root = try Fixtures.tempDir()
        let records = (1...400).map { Self.issue($0) }.joined(separator: ",\n")
        try Fixtures.write("[\n" + records + ",\n{\"number\": 401", to: root + "/github/issues/2024-01-01/big.json")
        try Fixtures.write("[\n" + records + "\n]", to: root + "/github/issues/2024-01-02/big.json")
        let db = try Fixtures.database()
        let s = try Fixtures.run(
            db, raw: root, job: .staGithubIssues, dates: Fixtures.date("2024-01-01")...Fixtures.date("2024-01-01"),
            chunkBytes: 4096)
        #expect(s.failures.count == 1)
        #expect(s.tasksCommitted > 3, "the document was split into tasks: \(s.tasksCommitted)")
        #expect(try Fixtures.scalar(db, "SELECT count(*) FROM sta_github.issues") == "0")
        #expect(try Fixtures.scalar(db, "SELECT count(*) FROM ghwh_meta.stage_issues") == "0")
        let ok = try Fixtures.run(db, raw: root, job: .staGithubIssues, chunkBytes: 4096)
        #expect(ok.failures.count == 1)  // day 1 is still broken
        #expect(try Fixtures.scalar(db, "SELECT count(*) FROM sta_github.issues") == "400")
    }

    @Test func commandExitsNonZeroWhenAnythingWasRejected() throws {
        let raw = try Self.brokenTree()
        let db = try Fixtures.database()
        var command = try GHWHCommand.parseAsRoot([
            "run", "--job", "sta_github_issues", "--raw", raw,
            "--database-url", db, "--no-progress", "--log-level", "critical",
        ])
        #expect(throws: ExitCode(1)) { try command.run() }

        let clean = try Fixtures.tempDir()
        try Fixtures.write("[" + Self.issue(1) + "]", to: clean + "/github/issues/2024-01-01/ok.json")
        var ok = try GHWHCommand.parseAsRoot([
            "run", "--job", "sta_github_issues", "--raw", clean,
            "--database-url", db, "--no-progress", "--log-level", "critical",
        ])
        try ok.run()
    }
}

/// Issue 13, gaps 1 and 2: a JSON Lines line over the record limit, and raw
/// paths that do not fit the layout.
@Suite struct OddRawTreeTests {
    /// A line over 64 MiB is a reject (reason, offset, 1 KB excerpt), not a
    /// failed document: the lines around it load, whether the planner splits
    /// the file (plain, larger than a chunk) or a worker gets it whole (gzip).
    /// The summary counts the bytes read, the oversized line included.
    @Test func jsonLinesLineOverTheRecordLimitIsARejectAndTheRestLoads() throws {
        let root = try Fixtures.tempDir()
        let limit = RecordSplitter.defaultMaxRecordBytes
        let head = Array(#"{"number": 2, "repository_url": "https://api.github.com/repos/o/r", "title": ""#.utf8)
        let big = head + Array(repeating: UInt8(ascii: "x"), count: limit) + Array(#""}"#.utf8)
        let first = Array((BadInputTests.issue(1) + "\n").utf8)
        let document = first + big + [0x0A] + Array((BadInputTests.issue(3) + "\n").utf8)
        try Fixtures.write(document, to: root + "/github/issues/2024-01-01/big.jsonl")
        try Fixtures.write(try BadInputTests.gzip(document), to: root + "/github/issues/2024-01-02/big.jsonl.gz")

        let db = try Fixtures.database()
        let summary = try Fixtures.run(db, raw: root, job: .staGithubIssues, chunkBytes: 32 << 20)
        #expect(summary.failures.isEmpty, "\(summary.failures)")
        #expect(!summary.succeeded, "a reject makes the run fail")
        #expect(
            try PGRowsDump.rows(db, "SELECT number FROM sta_github.issues ORDER BY number").map { $0[0] } == ["1", "3"])
        let rejects = try PGRowsDump.rows(
            db,
            "SELECT source, ordinal, byte_offset, reason_code, reason, length(excerpt), left(excerpt, 12) FROM ghwh_meta.rejects ORDER BY source"
        )
        #expect(
            rejects.map { $0[0] } == ["github/issues/2024-01-01/big.jsonl", "github/issues/2024-01-02/big.jsonl.gz"])
        for r in rejects {
            #expect(Array(r[1...3]) == ["1", "\(first.count)", "too_large"])
            #expect(r[4] == "record is \(big.count) bytes, over the limit of \(limit) bytes per record")
            #expect(r[5] == "1024" && r[6] == #"{"number": 2"#)
        }
        // (A split document counts its records' bytes, not the newlines between them.)
        #expect(summary.uncompressedBytes >= 2 * Int64(big.count), "counted \(summary.uncompressedBytes) bytes")
        #expect(summary.render().contains("big.jsonl record #1: record is \(big.count) bytes"))
    }

    /// Unreadable raw data is an error naming the path, never "no data" (issue 12,
    /// defect 1: under umask 027 the coordinator's user could not read the tree and
    /// jobs "succeeded" with 0 files). Root reads everything, so `ghwh ls` runs as
    /// `nobody` through setpriv(1).
    @Test func unreadableRawDataFailsNamingThePath() throws {
        try #require(getuid() == 0, "this test runs ghwh as another user, which needs root")
        let root = try Fixtures.tempDir()
        let good = "[" + BadInputTests.issue(1) + "]"
        try Fixtures.write(good, to: root + "/github/issues/2024-01-01/ok.json")
        try Fixtures.write(good, to: root + "/github/issues/2024-01-02/locked.json")
        func ls() throws -> (status: Int32, output: String) {
            try Fixtures.runToEnd(
                "/usr/bin/setpriv",
                [
                    "--reuid=65534", "--regid=65534", "--clear-groups", ClusterHarness.binary,
                    "ls", "--job", "sta_github_issues", "--raw", root,
                ], directory: root)
        }
        let open = try ls()
        #expect(open.status == 0 && open.output.contains("github/issues/2024-01-02/locked.json"), "\(open.output)")

        // A date folder nobody may read: that folder fails, the other day is still listed.
        #expect(chmod(root + "/github/issues/2024-01-02", 0o700) == 0)
        let day = try ls()
        #expect(day.status == 1, "\(day.output)")
        #expect(
            day.output.contains("FAILED\t-\tgithub/issues/2024-01-02: cannot read: Permission denied"), "\(day.output)")
        #expect(day.output.contains("github/issues/2024-01-01/ok.json"))

        // The dataset folder itself: the whole listing fails, naming it.
        #expect(chmod(root + "/github/issues", 0o750) == 0)
        let dataset = try ls()
        #expect(dataset.status != 0)
        #expect(
            dataset.output.contains("github/issues") && dataset.output.contains("Permission denied"),
            "\(dataset.output)")
        #expect(!dataset.output.contains("ok.json"))
    }

    /// A task's batch keeps which records were oversized across the wire (a worker process gets it so).
    @Test func oversizedRecordsOfABatchSurviveTheWire() throws {
        var batch = RecordBatch(firstOrdinal: 5)
        for (i, text) in ["{}", "{\"a\"", "[]"].enumerated() {
            Array(text.utf8).withUnsafeBytes {
                batch.append($0, documentOffset: Int64(10 * i), oversizedLength: i == 1 ? 99 : nil)
            }
        }
        #expect(batch.inputBytes == 2 + 99 + 2)
        let task = SilverTask(
            taskId: "t", jobId: "j", dataset: .issues, documentId: 1, filePath: "f", source: "s",
            ingestDate: Fixtures.date("2024-01-01"), chunkIndex: 0, finalChunkCount: 1, records: batch)
        var reader = WireReader(TaskAssignment(task: .silver(task), attempt: 1).encoded())
        guard case .silver(let decoded)? = try TaskAssignment.decode(from: &reader).task else {
            Issue.record("not a silver task")
            return
        }
        #expect(decoded.records.oversizedLengths == [1: 99])
        #expect(decoded.records.inputBytes == batch.inputBytes && decoded.records.documentOffsets == [0, 10, 20])
    }

    /// A date-like folder that is not a date and a file in a date folder whose
    /// name is not a raw file name fail (the run exits non-zero); entries left
    /// out on purpose (not date folders, hidden and marker files) are counted.
    @Test func rawPathsOutsideTheLayoutFailOrAreCountedAsIgnored() throws {
        let root = try Fixtures.tempDir()
        let good = "[" + BadInputTests.issue(1) + "]"
        try Fixtures.write(good, to: root + "/github/issues/2024-01-01/ok.json")
        try Fixtures.write(good, to: root + "/github/issues/2024-02-30/lost.json")
        try Fixtures.write("a,b\n", to: root + "/github/issues/2024-01-01/export.csv")
        try Fixtures.write("", to: root + "/github/issues/2024-01-01/_SUCCESS")
        try Fixtures.write("", to: root + "/github/issues/2024-01-01/.DS_Store")
        try Fixtures.write("notes", to: root + "/github/issues/README.md")

        let db = try Fixtures.database()
        let summary = try Fixtures.run(db, raw: root, job: .staGithubIssues)
        #expect(summary.failures.map(\.source) == ["github/issues/2024-01-01/export.csv", "github/issues/2024-02-30"])
        #expect(summary.failures.first?.reason.contains("not a raw file name") == true)
        #expect(summary.failures.last?.reason.contains("not a valid YYYY-MM-DD date") == true)
        #expect(summary.ignoredPaths == 3)
        #expect(!summary.succeeded)
        let text = summary.render()
        #expect(text.contains("ignored: 3 paths") && text.contains("see log"), "\(text)")
        #expect(text.contains("[issues] github/issues/2024-02-30: folder name looks like a date"))
        #expect(try Fixtures.scalar(db, "SELECT count(*) FROM sta_github.issues") == "1")

        var command = try GHWHCommand.parseAsRoot([
            "run", "--job", "sta_github_issues", "--raw", root,
            "--database-url", db, "--no-progress", "--log-level", "critical",
        ])
        #expect(throws: ExitCode(1)) { try command.run() }
    }
}

enum PGRowsDump {
    static func rows(_ conninfo: String, _ sql: String) throws -> [[String]] {
        let db = try PGConnection(conninfo: conninfo)
        defer { db.close() }
        return try db.query(sql).rows.map { $0.map { $0 ?? "NULL" } }
    }
}

/// A zip's entries are separate documents: a broken entry fails alone.
@Suite struct ZipEntryTests {
    @Test func brokenEntryFailsAloneAndOtherEntriesLoad() throws {
        let root = try Fixtures.tempDir()
        let dir = root + "/github/issues/2024-01-01"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let archive = try Archive(url: URL(fileURLWithPath: dir + "/dump.json.zip"), accessMode: .create)
        func add(_ name: String, _ text: String) throws {
            let data = Data(text.utf8)
            try archive.addEntry(
                with: name, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate,
                provider: { position, size in data.subdata(in: Int(position)..<Int(position) + size) })
        }
        try add("part-1.json", "[" + BadInputTests.issue(1) + "," + BadInputTests.issue(2) + "]")
        try add("part-2.json", "[" + BadInputTests.issue(3) + ", {\"number\": 4")
        try add("README.txt", "not data")
        try add("nested/part-3.jsonl", BadInputTests.issue(5) + "\n" + BadInputTests.issue(6) + "\n")

        let db = try Fixtures.database()
        let s = try Fixtures.run(db, raw: root, job: .staGithubIssues)
        #expect(s.failures.map(\.source) == ["github/issues/2024-01-01/dump.json.zip!part-2.json"])
        #expect(
            try PGRowsDump.rows(db, "SELECT number FROM sta_github.issues ORDER BY number").map { $0[0] } == [
                "1", "2", "5", "6",
            ])
        #expect(
            try Fixtures.scalar(db, "SELECT string_agg(DISTINCT source, ',') FROM sta_github.issues")
                == "github/issues/2024-01-01/dump.json.zip!nested/part-3.jsonl,github/issues/2024-01-01/dump.json.zip!part-1.json"
        )
        #expect(try Fixtures.scalar(db, "SELECT status FROM ghwh_meta.files") == "failed")
    }
}
