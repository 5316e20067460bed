import Foundation
import GHWHRaw
import Testing
import ZIPFoundation

@Suite struct ZipReaderTests {
    let relative = "github/issues/2024-01-02/part-0001.json.zip"

    @Test func listsDocumentEntriesInDirectoryOrderAndStreamsThem() throws {
        let dir = try TemporaryDirectory()
        let contents: [String: Data] = [
            "a.json": Data("[{\"number\":1}]".utf8),
            "sub/dir/b.jsonl": Data("{\"number\":2}\n{\"number\":3}\n".utf8),
            "c.NDJSON": Data("{\"number\":4}\n".utf8),
            "empty.json": Data(),
        ]
        try writeZip(
            at: dir.path + "/" + relative,
            [
                .file("a.json", contents["a.json"]!),
                .file("notes.txt", Data("not a document".utf8)),
                .directory("folder/"),
                .file("sub/dir/b.jsonl", contents["sub/dir/b.jsonl"]!, method: .none),
                .file("c.NDJSON", contents["c.NDJSON"]!),
                .file("empty.json", Data()),
            ])
        let file = try rawFile(dir, relative, kind: .zip)
        let documents = try RawReader.documents(of: file)

        #expect(documents.map(\.entryPath) == ["a.json", "sub/dir/b.jsonl", "c.NDJSON", "empty.json"])
        #expect(documents.map(\.source) == documents.map { "\(relative)!\($0.entryPath ?? "?")" })
        #expect(documents.map(\.format) == [.json, .jsonLines, .jsonLines, .json])
        for document in documents {
            let expected = try #require(contents[document.entryPath ?? ""])
            #expect(document.uncompressedSize == Int64(expected.count))
            let (data, chunks) = try collect(document, of: file)
            #expect(data == expected, "entry \(document.source)")
            #expect(!chunks.contains(0), "an empty chunk was delivered for \(document.source)")
        }
    }

    @Test func agreesWithZIPFoundationOnEntryOrderAndSizes() throws {
        let dir = try TemporaryDirectory()
        let names = (0..<40).map { "day/\(39 - $0)-part.json" }
        try writeZip(at: dir.path + "/" + relative, names.map { .file($0, Data("[\($0.count)]".utf8)) })
        let file = try rawFile(dir, relative, kind: .zip)
        let archive = try Archive(url: URL(fileURLWithPath: file.path), accessMode: .read)
        let documents = try RawReader.documents(of: file)
        #expect(documents.map(\.entryPath) == archive.map(\.path))
        #expect(documents.map(\.uncompressedSize) == archive.map { Int64($0.uncompressedSize) })
    }

    @Test func streamsADocumentBuiltFromItsPublicFields() throws {
        let dir = try TemporaryDirectory()
        let body = Data("[{\"number\":7}]".utf8)
        try writeZip(at: dir.path + "/" + relative, [.file("x/y.json", body)])
        let file = try rawFile(dir, relative, kind: .zip)
        let document = RawDocument(
            source: "\(relative)!x/y.json", format: .json, entryPath: "x/y.json",
            uncompressedSize: nil)
        #expect(try collect(document, of: file).data == body)
        let missing = RawDocument(
            source: "\(relative)!nope.json", format: .json, entryPath: "nope.json",
            uncompressedSize: nil)
        #expect(throws: RawReadError.self) { _ = try collect(missing, of: file) }
    }

    @Test(arguments: [true, false])
    func streamsALargeEntryInManySmallChunks(deflated: Bool) throws {
        let method: CompressionMethod = deflated ? .deflate : .none
        let dir = try TemporaryDirectory()
        let body = sampleJSONLines(approximateSize: 3 << 20)
        try writeZip(at: dir.path + "/" + relative, [.file("big.jsonl", body, method: method)])
        let file = try rawFile(dir, relative, kind: .zip)
        let document = try #require(try RawReader.documents(of: file).first)
        let (data, chunks) = try collect(document, of: file, bufferSize: 4096)
        #expect(data == body)
        #expect(chunks.allSatisfy { $0 > 0 && $0 <= 4096 })
        #expect(chunks.count >= body.count / 4096)
    }

    @Test func storedEntryWithAFlippedByteFailsItsCRC() throws {
        let dir = try TemporaryDirectory()
        let marker = Data("MARKER-abcdefghijklmnopqrstuvwxyz".utf8)
        let body = Data("[{\"title\":\"".utf8) + marker + Data("\"}]".utf8)
        let path = dir.path + "/" + relative
        try writeZip(at: path, [.file("ok.json", Data("[]".utf8)), .file("bad.json", body, method: .none)])
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let at = try #require(offset(of: marker, in: bytes)) + 10
        bytes[at] ^= 0x01  // 'h' -> 'i': still valid JSON, same size; only the CRC can tell
        try bytes.write(to: URL(fileURLWithPath: path))

        let file = try rawFile(dir, relative, kind: .zip)
        let documents = try RawReader.documents(of: file)
        #expect(try collect(documents[0], of: file).data == Data("[]".utf8))
        let error = try #require(throws: RawReadError.self) { _ = try collect(documents[1], of: file) }
        #expect(error.source == "\(relative)!bad.json")
        #expect(error.reason.contains("CRC-32 mismatch"))
    }

    @Test func corruptDeflateDataFails() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/" + relative
        try writeZip(at: path, [.file("a.json", sampleJSONLines(approximateSize: 200_000))])
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let dataStart = localDataStart(bytes)
        for index in stride(from: dataStart + 100, to: dataStart + 2_100, by: 10) { bytes[index] ^= 0xA5 }
        try bytes.write(to: URL(fileURLWithPath: path))
        let file = try rawFile(dir, relative, kind: .zip)
        let document = try #require(try RawReader.documents(of: file).first)
        let error = try #require(throws: RawReadError.self) { _ = try collect(document, of: file) }
        #expect(error.source == "\(relative)!a.json")
    }

    /// A deflate stream that claims more data than the entry holds must end in an error, not a hang.
    @Test func deflateStreamRunningPastTheEntryFails() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/" + relative
        try writeZip(at: path, [.file("a.json", sampleJSONLines(approximateSize: 50_000))])
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let dataStart = localDataStart(bytes)
        // A non-final stored block of 65535 bytes: longer than the rest of the file.
        bytes.replaceSubrange(dataStart..<dataStart + 5, with: [0x00, 0xFF, 0xFF, 0x00, 0x00])
        try bytes.write(to: URL(fileURLWithPath: path))
        let file = try rawFile(dir, relative, kind: .zip)
        let document = try #require(try RawReader.documents(of: file).first)
        let error = try #require(throws: RawReadError.self) { _ = try collect(document, of: file, bufferSize: 4096) }
        #expect(error.reason.contains("truncated deflate data"))
    }

    @Test func truncatedZipFailsAtEveryCutPoint() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/" + relative
        try writeZip(
            at: path,
            [
                .file("a.json", sampleJSONLines(approximateSize: 20_000)),
                .file("b.jsonl", Data("{}\n".utf8), method: .none),
            ])
        let whole = try Data(contentsOf: URL(fileURLWithPath: path))
        var checked = 0
        for length in Array(stride(from: 1, to: whole.count, by: 97)) + [whole.count - 1, whole.count / 2] {
            try whole.prefix(length).write(to: URL(fileURLWithPath: path))
            let file = try rawFile(dir, relative, kind: .zip)
            let error = try #require(throws: RawReadError.self, "cut at \(length)") {
                for document in try RawReader.documents(of: file) { _ = try collect(document, of: file) }
            }
            #expect(error.source.hasPrefix(relative))
            checked += 1
        }
        #expect(checked > 5)
    }

    @Test func emptyFilesHaveNoDocumentsOrStreamNothing() throws {
        let dir = try TemporaryDirectory()
        try dir.write(Data(), to: relative)
        #expect(try RawReader.documents(of: rawFile(dir, relative, kind: .zip)).isEmpty)

        let emptyArchive = "github/issues/2024-01-02/none.json.zip"
        try writeZip(at: dir.path + "/" + emptyArchive, [])
        #expect(try RawReader.documents(of: rawFile(dir, emptyArchive, kind: .zip)).isEmpty)

        let notZip = "github/issues/2024-01-02/junk.json.zip"
        try dir.write(Data("this is not a zip archive at all".utf8), to: notZip)
        let error = try #require(throws: RawReadError.self) {
            _ = try RawReader.documents(of: rawFile(dir, notZip, kind: .zip))
        }
        #expect(error.source == notZip)
    }

    @Test func errorThrownByTheConsumerPropagatesUnchanged() throws {
        let dir = try TemporaryDirectory()
        try writeZip(at: dir.path + "/" + relative, [.file("a.jsonl", sampleJSONLines(approximateSize: 100_000))])
        let file = try rawFile(dir, relative, kind: .zip)
        let document = try #require(try RawReader.documents(of: file).first)
        var calls = 0
        #expect(throws: StopReading.self) {
            try RawReader.stream(document, of: file, bufferSize: 1024) { _ in
                calls += 1
                if calls == 3 { throw StopReading() }
            }
        }
        #expect(calls == 3)
    }

    /// Where the first entry's data starts: after its 30-byte local header, name and extra field.
    private func localDataStart(_ bytes: Data) -> Int {
        30 + (Int(bytes[26]) | Int(bytes[27]) << 8) + (Int(bytes[28]) | Int(bytes[29]) << 8)
    }
}

struct StopReading: Error {}
