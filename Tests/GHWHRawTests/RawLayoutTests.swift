import Foundation
import GHWHRaw
import Testing

@Suite struct RawLayoutTests {
    /// A raw tree with valid files, ignorable names and another dataset.
    private func makeTree() throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory()
        let tiny = Data("[]".utf8)
        for relative in [
            "github/issues/2024-01-03/b.json",
            "github/issues/2024-01-02/z.jsonl.gz",
            "github/issues/2024-01-02/a.ndjson",
            "github/issues/2024-01-02/A.JSON.ZIP",
            "github/issues/2024-01-02/y.NDJSON.GZ",
            "github/issues/2024-01-02/notes.txt",
            "github/issues/2024-01-02/x.csv.gz",
            "github/issues/2024-01-02/e.jsonl.zip",
            "github/issues/2024-13-01/c.json",
            "github/issues/latest/c.json",
            "github/issues/README.md",
            "github/issues/2024-01-04/d.json.gz",
            "github/issues/2024-01-04/sub/inner.json",
            "github/issues/2024-01-04/.DS_Store",
            "github/issues/2024-01-04/_SUCCESS",
            "github/issues/2024-02-30/f.json",
            "github/issues/2024-01-05",
            "github/pull_requests/2024-01-02/p.json",
        ] {
            try dir.write(tiny, to: relative)
        }
        try FileManager.default.createSymbolicLink(
            atPath: dir.path + "/github/issues/2024-01-03/loop.json",
            withDestinationPath: "loop.json")
        return dir
    }

    @Test func listsRawFilesByDateThenBytewisePath() throws {
        let dir = try makeTree()
        let scan = try RawLayout(root: dir.path).scan(dataset: .issues, dates: nil)
        let files = scan.files
        #expect(
            files.map(\.relativePath) == [
                "github/issues/2024-01-02/A.JSON.ZIP",
                "github/issues/2024-01-02/a.ndjson",
                "github/issues/2024-01-02/y.NDJSON.GZ",
                "github/issues/2024-01-02/z.jsonl.gz",
                "github/issues/2024-01-03/b.json",
                "github/issues/2024-01-04/d.json.gz",
            ])
        #expect(
            files.map(\.kind) == [
                .zip, .plain(.jsonLines), .gzip(.jsonLines), .gzip(.jsonLines),
                .plain(.json), .gzip(.json),
            ])
        #expect(
            files.map(\.ingestDate.description) == [
                "2024-01-02", "2024-01-02", "2024-01-02", "2024-01-02",
                "2024-01-03", "2024-01-04",
            ])
        #expect(
            files.allSatisfy { $0.dataset == .issues && $0.size == 2 && $0.path == dir.path + "/" + $0.relativePath })
        // Left out on purpose: entries that are not meant as date folders, hidden and marker files.
        #expect(
            scan.ignored == [
                "github/issues/2024-01-04/.DS_Store",
                "github/issues/2024-01-04/_SUCCESS",
                "github/issues/README.md",
                "github/issues/latest",
            ])
        // Meant as raw data but unreadable: each fails with its reason.
        #expect(
            scan.failed.map(\.path) == [
                "github/issues/2024-01-02/e.jsonl.zip",
                "github/issues/2024-01-02/notes.txt",
                "github/issues/2024-01-02/x.csv.gz",
                "github/issues/2024-01-03/loop.json",
                "github/issues/2024-01-04/sub",
                "github/issues/2024-01-05",
                "github/issues/2024-02-30",
                "github/issues/2024-13-01",
            ])
        let reasons = Dictionary(uniqueKeysWithValues: scan.failed.map { ($0.path, $0.reason) })
        #expect(reasons["github/issues/2024-02-30"]?.contains("not a valid YYYY-MM-DD date") == true)
        #expect(reasons["github/issues/2024-01-02/notes.txt"]?.contains("not a raw file name") == true)
        #expect(reasons["github/issues/2024-01-04/sub"]?.contains("folder inside a date folder") == true)
        #expect(reasons["github/issues/2024-01-03/loop.json"]?.contains("symbolic link") == true)
        #expect(reasons["github/issues/2024-01-05"]?.contains("not a folder") == true)
    }

    @Test func restrictsToTheDateRange() throws {
        let dir = try makeTree()
        let range = try #require(IngestDate("2024-01-03"))...(try #require(IngestDate("2024-01-10")))
        let scan = try RawLayout(root: dir.path + "/").scan(dataset: .issues, dates: range)
        #expect(
            scan.files.map(\.relativePath) == ["github/issues/2024-01-03/b.json", "github/issues/2024-01-04/d.json.gz"])
        #expect(scan.ignored.contains("github/issues/README.md"))
        // Bad entries of dates outside the range are not this run's business; inside it they fail.
        #expect(
            scan.failed.map(\.path) == [
                "github/issues/2024-01-03/loop.json",
                "github/issues/2024-01-04/sub",
                "github/issues/2024-01-05",
            ])
    }

    @Test func readsEachDatasetFromItsOwnFolder() throws {
        let dir = try makeTree()
        let scan = try RawLayout(root: dir.path).scan(dataset: .pullRequests, dates: nil)
        #expect(scan.files.map(\.relativePath) == ["github/pull_requests/2024-01-02/p.json"])
        #expect(scan.files.first?.dataset == .pullRequests)
        #expect(scan.ignored.isEmpty && scan.failed.isEmpty)
    }

    @Test func missingDatasetFolderIsEmptyButMissingRootThrows() throws {
        let dir = try TemporaryDirectory()
        let scan = try RawLayout(root: dir.path).scan(dataset: .issues, dates: nil)
        #expect(scan.files.isEmpty && scan.ignored.isEmpty && scan.failed.isEmpty)
        #expect(throws: RawReadError.self) {
            _ = try RawLayout(root: dir.path + "/does-not-exist").scan(dataset: .issues, dates: nil)
        }
    }

    /// A file name that is not UTF-8 cannot be opened from a Swift string: it fails, named as closely as possible.
    @Test func fileNameThatIsNotUTF8Fails() throws {
        let dir = try TemporaryDirectory()
        _ = try dir.write(Data("[]".utf8), to: "github/issues/2024-01-01/ok.json")
        let name: [CChar] =
            Array((dir.path + "/github/issues/2024-01-01/bad-").utf8CString.dropLast())
            + [CChar(bitPattern: 0xFF), 0x2E, 0x6A, 0x73, 0x6F, 0x6E, 0]  // "bad-\xFF.json"
        let fd = open(name, O_CREAT | O_WRONLY, 0o644)
        #expect(fd >= 0)
        close(fd)
        let scan = try RawLayout(root: dir.path).scan(dataset: .issues, dates: nil)
        #expect(scan.files.map(\.relativePath) == ["github/issues/2024-01-01/ok.json"])
        #expect(scan.failed.map(\.path) == ["github/issues/2024-01-01/bad-\u{FFFD}.json"])
        #expect(scan.failed.first?.reason == "the file name is not valid UTF-8")
    }
}
