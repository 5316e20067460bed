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
            "github/pull_requests/2024-01-02/p.json",
        ] {
            try dir.write(tiny, to: relative)
        }
        return dir
    }

    @Test func listsRawFilesByDateThenBytewisePath() throws {
        let dir = try makeTree()
        let (files, ignored) = try RawLayout(root: dir.path).scan(dataset: .issues, dates: nil)
        #expect(files.map(\.relativePath) == [
            "github/issues/2024-01-02/A.JSON.ZIP",
            "github/issues/2024-01-02/a.ndjson",
            "github/issues/2024-01-02/y.NDJSON.GZ",
            "github/issues/2024-01-02/z.jsonl.gz",
            "github/issues/2024-01-03/b.json",
            "github/issues/2024-01-04/d.json.gz",
        ])
        #expect(files.map(\.kind) == [.zip, .plain(.jsonLines), .gzip(.jsonLines), .gzip(.jsonLines),
                                      .plain(.json), .gzip(.json)])
        #expect(files.map(\.ingestDate.description) == ["2024-01-02", "2024-01-02", "2024-01-02", "2024-01-02",
                                                        "2024-01-03", "2024-01-04"])
        #expect(files.allSatisfy { $0.dataset == .issues && $0.size == 2 && $0.path == dir.path + "/" + $0.relativePath })
        #expect(ignored == [
            "github/issues/2024-01-02/e.jsonl.zip",
            "github/issues/2024-01-02/notes.txt",
            "github/issues/2024-01-02/x.csv.gz",
            "github/issues/2024-01-04/sub",
            "github/issues/2024-13-01",
            "github/issues/README.md",
            "github/issues/latest",
        ])
    }

    @Test func restrictsToTheDateRange() throws {
        let dir = try makeTree()
        let range = try #require(IngestDate("2024-01-03"))...(try #require(IngestDate("2024-01-10")))
        let (files, ignored) = try RawLayout(root: dir.path + "/").scan(dataset: .issues, dates: range)
        #expect(files.map(\.relativePath) == ["github/issues/2024-01-03/b.json", "github/issues/2024-01-04/d.json.gz"])
        #expect(ignored.contains("github/issues/2024-13-01"))
        #expect(!ignored.contains("github/issues/2024-01-02/notes.txt"))
    }

    @Test func readsEachDatasetFromItsOwnFolder() throws {
        let dir = try makeTree()
        let (files, ignored) = try RawLayout(root: dir.path).scan(dataset: .pullRequests, dates: nil)
        #expect(files.map(\.relativePath) == ["github/pull_requests/2024-01-02/p.json"])
        #expect(files.first?.dataset == .pullRequests)
        #expect(ignored.isEmpty)
    }

    @Test func missingDatasetFolderIsEmptyButMissingRootThrows() throws {
        let dir = try TemporaryDirectory()
        let (files, ignored) = try RawLayout(root: dir.path).scan(dataset: .issues, dates: nil)
        #expect(files.isEmpty && ignored.isEmpty)
        #expect(throws: RawReadError.self) {
            _ = try RawLayout(root: dir.path + "/does-not-exist").scan(dataset: .issues, dates: nil)
        }
    }
}
