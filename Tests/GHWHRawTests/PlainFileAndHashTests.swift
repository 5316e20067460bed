import Foundation
import GHWHProcess
import GHWHRaw
import Testing

@Suite struct PlainFileAndHashTests {
    @Test func streamsAPlainFileInBoundedChunks() throws {
        let dir = try TemporaryDirectory()
        let relative = "github/issues/2024-01-02/issues.json"
        let body = sampleJSONLines(approximateSize: 100_000)
        try dir.write(body, to: relative)
        let file = try rawFile(dir, relative, kind: .plain(.json))
        let documents = try RawReader.documents(of: file)
        #expect(
            documents == [
                RawDocument(
                    source: relative, format: .json, entryPath: nil,
                    uncompressedSize: Int64(body.count))
            ])
        let (data, chunks) = try collect(documents[0], of: file, bufferSize: 3000)
        #expect(data == body)
        #expect(chunks.allSatisfy { $0 > 0 && $0 <= 3000 })
    }

    @Test func emptyPlainFileStreamsNothing() throws {
        let dir = try TemporaryDirectory()
        let relative = "github/issues/2024-01-02/empty.ndjson"
        try dir.write(Data(), to: relative)
        let file = try rawFile(dir, relative, kind: .plain(.jsonLines))
        var calls = 0
        try RawReader.stream(try #require(try RawReader.documents(of: file).first), of: file) { _ in calls += 1 }
        #expect(calls == 0)
    }

    @Test func missingFileAndBadBufferSizeThrowNamedErrors() throws {
        let dir = try TemporaryDirectory()
        let relative = "github/issues/2024-01-02/gone.json"
        try dir.write(Data("[]".utf8), to: relative)
        let file = try rawFile(dir, relative, kind: .plain(.json))
        let document = try #require(try RawReader.documents(of: file).first)
        let badSize = try #require(throws: RawReadError.self) {
            try RawReader.stream(document, of: file, bufferSize: 0) { _ in }
        }
        #expect(badSize.source == relative)
        try FileManager.default.removeItem(atPath: file.path)
        let missing = try #require(throws: RawReadError.self) { _ = try collect(document, of: file) }
        #expect(missing.source == relative && missing.reason.contains("cannot open"))
        #expect(throws: RawReadError.self) { _ = try RawReader.contentHash(of: file) }
    }

    @Test func errorThrownByTheConsumerPropagatesUnchanged() throws {
        let dir = try TemporaryDirectory()
        let relative = "github/issues/2024-01-02/issues.jsonl"
        try dir.write(sampleJSONLines(approximateSize: 10_000), to: relative)
        let file = try rawFile(dir, relative, kind: .plain(.jsonLines))
        #expect(throws: StopReading.self) {
            try RawReader.stream(try #require(try RawReader.documents(of: file).first), of: file) { _ in
                throw StopReading()
            }
        }
    }

    @Test func contentHashMatchesSha256sumAndLeavesTheFileUntouched() throws {
        let dir = try TemporaryDirectory()
        let cases: [(String, Data, RawFileKind)] = [
            ("github/issues/2024-01-02/a.json.zip", Data(), .zip),
            (
                "github/issues/2024-01-02/b.json.gz", try gzipMember(sampleJSONLines(approximateSize: 3 << 20)),
                .gzip(.json)
            ),
            ("github/issues/2024-01-02/c.json", Data(), .plain(.json)),
        ]
        try writeZip(at: dir.path + "/" + cases[0].0, [.file("x.json", sampleJSONLines(approximateSize: 50_000))])
        for (relative, bytes, kind) in cases where kind != .zip { try dir.write(bytes, to: relative) }
        for (relative, _, kind) in cases {
            let file = try rawFile(dir, relative, kind: kind)
            let before = try FileManager.default.attributesOfItem(atPath: file.path)
            let hash = try RawReader.contentHash(of: file)
            #expect(hash == (try sha256sum(file.path)), "\(relative)")
            for document in try RawReader.documents(of: file) { _ = try collect(document, of: file) }
            let after = try FileManager.default.attributesOfItem(atPath: file.path)
            #expect(before[.modificationDate] as? Date == after[.modificationDate] as? Date)
            #expect(try RawReader.contentHash(of: file) == hash)
        }
    }

    /// The first field of `sha256sum FILE`.
    private func sha256sum(_ path: String) throws -> String {
        let result = try runProcess("/usr/bin/sha256sum", [path])
        #expect(result.exitStatus == 0, "\(result.summary)")
        return result.output.split(separator: " ").first.map(String.init) ?? ""
    }
}
