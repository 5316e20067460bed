import Foundation
import GHWHRaw
import Testing

/// A whole document handed to a worker as stored bytes must stream exactly
/// like the file it came from: the same bytes, and for damaged data the same
/// error (source and reason), so a document fails the same way whichever
/// side decompresses it.
@Suite struct StoredDocumentTests {
    /// What streaming gave: the bytes, or the error's source and reason.
    enum Outcome: Equatable {
        case bytes(Data)
        case failed(source: String, reason: String)
    }

    static func outcome(_ stream: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void) -> Outcome {
        var data = Data()
        do {
            try stream { data.append(contentsOf: $0) }
            return .bytes(data)
        } catch let error as RawReadError {
            return .failed(source: error.source, reason: error.reason)
        } catch {
            return .failed(source: "?", reason: "\(error)")
        }
    }

    /// Every document of `file`, streamed from the file and from its stored
    /// bytes, read on their own and lent by the file read whole (as the planner
    /// does for a file that fits in a chunk).
    func expectAgreement(_ file: RawFile, bufferSize: Int = 1 << 20, sourceLocation: SourceLocation = #_sourceLocation)
        throws -> [Outcome]
    {
        var outcomes: [Outcome] = []
        let whole = try RawReader.wholeFile(file)
        for document in try RawReader.documents(of: file) {
            let fromFile = Self.outcome { try RawReader.stream(document, of: file, bufferSize: bufferSize, $0) }
            let stored = try RawReader.stored(document, of: file)
            #expect(
                stored.source == document.source && stored.format == document.format, sourceLocation: sourceLocation)
            let fromMemory = Self.outcome { try stored.stream(bufferSize: bufferSize, $0) }
            #expect(fromMemory == fromFile, sourceLocation: sourceLocation)
            let lent = try RawReader.stored(document, of: file, whole: whole)
            #expect(
                lent.bytes.elementsEqual(stored.bytes) && lent.encoding == stored.encoding,
                sourceLocation: sourceLocation)
            #expect(
                Self.outcome { try lent.stream(bufferSize: bufferSize, $0) } == fromFile, sourceLocation: sourceLocation
            )
            outcomes.append(fromFile)
        }
        return outcomes
    }

    @Test func zipEntriesDeflatedAndStoredStreamTheSameBytes() throws {
        let dir = try TemporaryDirectory()
        let relative = "github/issues/2024-01-02/a.json.zip"
        let big = sampleJSONLines(approximateSize: 400_000)
        try writeZip(
            at: dir.path + "/" + relative,
            [
                .file("deflated.jsonl", big), .file("stored.json", Data("[{\"n\":1}]".utf8), method: .none),
                .file("empty.json", Data()),
            ])
        let file = try rawFile(dir, relative, kind: .zip)
        for bufferSize in [1000, 1 << 20] {
            let outcomes = try expectAgreement(file, bufferSize: bufferSize)
            #expect(outcomes == [.bytes(big), .bytes(Data("[{\"n\":1}]".utf8)), .bytes(Data())])
        }
        let documents = try RawReader.documents(of: file)
        #expect(RawReader.uncompressedSizeHint(of: documents[0], in: file) == Int64(big.count))
        #expect(
            try RawReader.stored(documents[0], of: file).bytes.count < big.count / 2,
            "a deflated entry travels compressed")
    }

    @Test func gzipWithTwoMembersAndItsSizeHint() throws {
        let dir = try TemporaryDirectory()
        let relative = "github/pull_requests/2024-01-02/p.jsonl.gz"
        let first = sampleJSONLines(approximateSize: 200_000)
        let second = Data("{\"number\":7}\n".utf8)
        try dir.write(try gzipMember(first) + gzipMember(second), to: relative)
        let file = try rawFile(dir, relative, kind: .gzip(.jsonLines), dataset: .pullRequests)
        #expect(try expectAgreement(file, bufferSize: 999) == [.bytes(first + second)])
        let document = try #require(try RawReader.documents(of: file).first)
        // ISIZE is the last member's size: a hint, exact for one member.
        #expect(RawReader.uncompressedSizeHint(of: document, in: file) == Int64(second.count))

        try dir.write(try gzipMember(first), to: relative)
        let single = try rawFile(dir, relative, kind: .gzip(.jsonLines), dataset: .pullRequests)
        #expect(RawReader.uncompressedSizeHint(of: document, in: single) == Int64(first.count))
    }

    @Test func plainFilesStreamAsStored() throws {
        let dir = try TemporaryDirectory()
        let relative = "github/issues/2024-01-02/i.jsonl"
        let body = sampleJSONLines(approximateSize: 50_000)
        try dir.write(body, to: relative)
        let file = try rawFile(dir, relative, kind: .plain(.jsonLines))
        #expect(try expectAgreement(file, bufferSize: 4096) == [.bytes(body)])
    }

    @Test(arguments: [1, 10, 50, 2000])
    func truncatedGzipFailsTheSameWay(cutBytes: Int) throws {
        let dir = try TemporaryDirectory()
        let relative = "github/issues/2024-01-02/t.jsonl.gz"
        let whole = try gzipMember(sampleJSONLines(approximateSize: 100_000))
        try dir.write(whole.prefix(whole.count - cutBytes), to: relative)
        let outcomes = try expectAgreement(try rawFile(dir, relative, kind: .gzip(.jsonLines)))
        guard case .failed(let source, let reason)? = outcomes.first else {
            Issue.record("expected a failure")
            return
        }
        #expect(source == relative && reason.hasPrefix("truncated gzip"), "\(reason)")
    }

    @Test func garbageAfterAGzipMemberFailsTheSameWay() throws {
        let dir = try TemporaryDirectory()
        let relative = "github/issues/2024-01-02/g.jsonl.gz"
        try dir.write(
            try gzipMember(sampleJSONLines(approximateSize: 10_000)) + Data("not gzip at all".utf8), to: relative)
        let outcomes = try expectAgreement(try rawFile(dir, relative, kind: .gzip(.jsonLines)))
        guard case .failed? = outcomes.first else {
            Issue.record("expected a failure, got \(outcomes)")
            return
        }
    }

    @Test func flippedByteInAStoredEntryFailsItsCRCTheSameWay() throws {
        let dir = try TemporaryDirectory()
        let relative = "github/issues/2024-01-02/c.json.zip"
        let marker = Data("MARKER-abcdefghijklmnopqrstuvwxyz".utf8)
        let path = dir.path + "/" + relative
        try writeZip(
            at: path, [.file("bad.json", Data("[{\"title\":\"".utf8) + marker + Data("\"}]".utf8), method: .none)])
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[try #require(offset(of: marker, in: bytes)) + 10] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: path))
        let outcomes = try expectAgreement(try rawFile(dir, relative, kind: .zip))
        guard case .failed(_, let reason)? = outcomes.first else {
            Issue.record("expected a failure")
            return
        }
        #expect(reason.contains("CRC-32 mismatch"))
    }

    @Test func corruptDeflateDataFailsTheSameWayNamingTheZipOffset() throws {
        let dir = try TemporaryDirectory()
        let relative = "github/issues/2024-01-02/d.json.zip"
        let path = dir.path + "/" + relative
        try writeZip(at: path, [.file("a.jsonl", sampleJSONLines(approximateSize: 200_000))])
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        for index in stride(from: 200, to: 2_200, by: 10) { bytes[index] ^= 0xA5 }
        try bytes.write(to: URL(fileURLWithPath: path))
        let outcomes = try expectAgreement(try rawFile(dir, relative, kind: .zip))
        guard case .failed(_, let reason)? = outcomes.first else {
            Issue.record("expected a failure")
            return
        }
        #expect(reason.contains("of the zip"), "\(reason)")
    }

    @Test func entryDataPastTheEndOfATruncatedZipCannotBeStored() throws {
        let dir = try TemporaryDirectory()
        let relative = "github/issues/2024-01-02/t.json.zip"
        let path = dir.path + "/" + relative
        try writeZip(at: path, [.file("a.jsonl", sampleJSONLines(approximateSize: 100_000))])
        let file = try rawFile(dir, relative, kind: .zip)
        let document = try #require(try RawReader.documents(of: file).first)  // directory read while whole
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
        let error = try #require(throws: RawReadError.self) { _ = try RawReader.stored(document, of: file) }
        #expect(error.reason.contains("truncated zip"), "\(error.reason)")
        let truncated = try RawReader.wholeFile(file)
        let lent = try #require(throws: RawReadError.self) {
            _ = try RawReader.stored(document, of: file, whole: truncated)
        }
        #expect(lent.reason == error.reason)
    }
}
