import Foundation
import GHWHRaw
import Testing

@Suite struct GzipReaderTests {
    let relative = "github/pull_requests/2024-01-02/prs.jsonl.gz"

    private func gzipFile(_ dir: TemporaryDirectory, _ bytes: Data) throws -> RawFile {
        try dir.write(bytes, to: relative)
        return try rawFile(dir, relative, kind: .gzip(.jsonLines), dataset: .pullRequests)
    }

    private func onlyDocument(_ file: RawFile) throws -> RawDocument {
        let documents = try RawReader.documents(of: file)
        #expect(documents.count == 1)
        return try #require(documents.first)
    }

    @Test func streamsOneMember() throws {
        let dir = try TemporaryDirectory()
        let body = Data("{\"number\":1}\n{\"number\":2}\n".utf8)
        let file = try gzipFile(dir, try gzipMember(body))
        let document = try onlyDocument(file)
        #expect(document.source == relative)
        #expect(document.format == .jsonLines)
        #expect(document.entryPath == nil && document.uncompressedSize == nil)
        #expect(try collect(document, of: file).data == body)
    }

    @Test func concatenatesTwoMembers() throws {
        let dir = try TemporaryDirectory()
        let first = sampleJSONLines(approximateSize: 300_000)
        let second = Data("{\"number\":999999}\n".utf8)
        let file = try gzipFile(dir, try gzipMember(first) + gzipMember(second))
        // A small buffer makes the first member end mid-way through an input chunk.
        #expect(try collect(onlyDocument(file), of: file, bufferSize: 1000).data == first + second)
        #expect(try collect(onlyDocument(file), of: file).data == first + second)
    }

    @Test func streamsALargeDocumentInManySmallChunks() throws {
        let dir = try TemporaryDirectory()
        let body = sampleJSONLines(approximateSize: 3 << 20)
        let file = try gzipFile(dir, try gzipMember(body, level: 1))
        let (data, chunks) = try collect(onlyDocument(file), of: file, bufferSize: 4096)
        #expect(data == body)
        #expect(chunks.allSatisfy { $0 > 0 && $0 <= 4096 })
        #expect(chunks.count >= body.count / 4096)
    }

    @Test(arguments: [1, 10, 50, 2000])
    func truncatedGzipFails(cutBytes: Int) throws {
        let dir = try TemporaryDirectory()
        let whole = try gzipMember(sampleJSONLines(approximateSize: 100_000))
        let file = try gzipFile(dir, whole.prefix(whole.count - cutBytes))
        let error = try #require(throws: RawReadError.self) { _ = try collect(onlyDocument(file), of: file) }
        #expect(error.source == relative)
        #expect(error.reason.hasPrefix("truncated gzip"), "\(error.reason)")
    }

    @Test func garbageFailsWithZlibsMessage() throws {
        let dir = try TemporaryDirectory()
        let file = try gzipFile(dir, Data("[{\"not\":\"gzip at all\"}]".utf8))
        let error = try #require(throws: RawReadError.self) { _ = try collect(onlyDocument(file), of: file) }
        #expect(error.reason.hasPrefix("bad gzip data: incorrect header check"), "\(error.reason)")
    }

    @Test func garbageAfterAMemberFails() throws {
        let dir = try TemporaryDirectory()
        let file = try gzipFile(dir, try gzipMember(Data("{}\n".utf8)) + Data("trailing junk".utf8))
        let error = try #require(throws: RawReadError.self) { _ = try collect(onlyDocument(file), of: file) }
        #expect(error.reason.hasPrefix("bad gzip data:"), "\(error.reason)")
    }

    @Test func wrongTrailerChecksumFails() throws {
        let dir = try TemporaryDirectory()
        var bytes = try gzipMember(sampleJSONLines(approximateSize: 10_000))
        bytes[bytes.count - 8] ^= 0xFF  // first byte of the CRC-32 in the trailer
        let file = try gzipFile(dir, bytes)
        let error = try #require(throws: RawReadError.self) { _ = try collect(onlyDocument(file), of: file) }
        #expect(error.reason.hasPrefix("bad gzip data: incorrect data check"), "\(error.reason)")
    }

    @Test func emptyFileAndEmptyMemberStreamNothing() throws {
        let dir = try TemporaryDirectory()
        for bytes in [Data(), try gzipMember(Data())] {
            let file = try gzipFile(dir, bytes)
            var calls = 0
            try RawReader.stream(onlyDocument(file), of: file) { _ in calls += 1 }
            #expect(calls == 0, "\(bytes.count)-byte gzip file")
        }
    }

    @Test func errorThrownByTheConsumerPropagatesUnchanged() throws {
        let dir = try TemporaryDirectory()
        let file = try gzipFile(dir, try gzipMember(sampleJSONLines(approximateSize: 100_000)))
        var calls = 0
        #expect(throws: StopReading.self) {
            try RawReader.stream(onlyDocument(file), of: file, bufferSize: 512) { _ in
                calls += 1
                if calls == 2 { throw StopReading() }
            }
        }
        #expect(calls == 2)
    }
}
