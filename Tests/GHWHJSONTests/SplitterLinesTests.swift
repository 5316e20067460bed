import GHWHJSON
import GHWHRandom
import GHWHTestSupport
import Testing

@Suite("RecordSplitter: JSON Lines")
struct SplitterLinesTests {
    @Test func linesWithCRLFBlankLinesAndNoFinalNewline() throws {
        let document = "{\"a\":1}\r\n\r\n  \t \n{\"b\":2}\n\n{\"c\":3}"
        let records = try split(document, mode: .lines)
        #expect(
            records == [
                SplitRecord(text: #"{"a":1}"#, ordinal: 0, offset: 0),
                SplitRecord(text: #"{"b":2}"#, ordinal: 1, offset: 16),
                SplitRecord(text: #"{"c":3}"#, ordinal: 2, offset: 25),
            ])
    }

    @Test func invalidContentLinesAreStillRecords() throws {
        let records = try split("garbage\n[1,\n\"unterminated\n}\n", mode: .lines)
        #expect(records.map(\.text) == ["garbage", "[1,", "\"unterminated", "}"])
        #expect(records.map(\.ordinal) == [0, 1, 2, 3])
    }

    @Test func onlyOneTrailingCarriageReturnIsStripped() throws {
        let records = try split("{}\r\r\n{} \r\n", mode: .lines)
        #expect(records.map(\.text) == ["{}\r", "{} "])
    }

    @Test func invalidUTF8LinesAreEmittedNotRejected() throws {
        let document: [UInt8] = Array("{\"a\":\"".utf8) + [0xFF, 0xC0] + Array("\"}\n{}\n".utf8)
        let records = try split(document, mode: .lines, chunkSize: 3)
        #expect(records.count == 2)
        #expect(records.map(\.offset) == [0, 11])
    }

    @Test func byteOrderMarkInLinesMode() throws {
        let withBOM: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("{\"a\":1}\n".utf8)
        #expect(try split(withBOM, mode: .lines) == [SplitRecord(text: #"{"a":1}"#, ordinal: 0, offset: 3)])
        // A partial BOM is content: the line keeps those bytes (and the projector will reject it).
        let partial: [UInt8] = [0xEF, 0xBB] + Array("{}\n{}".utf8)
        for cut in 0...partial.count {
            let records = try split(partial, mode: .lines, cuts: [cut])
            #expect(records.map(\.offset) == [0, 5], "cut at \(cut)")
            #expect(records.first?.text == "\u{FFFD}{}")  // EF BB decodes to one replacement character
        }
        #expect(try split([0xEF], mode: .lines).count == 1)
    }

    @Test func jsonDocumentStartingWithBraceIsJSONLines() throws {
        let records = try split("\n\n  {\"a\":1}\n{\"b\":\n2}\n")
        #expect(
            records == [
                SplitRecord(text: #"{"a":1}"#, ordinal: 0, offset: 4),
                SplitRecord(text: #"{"b":"#, ordinal: 1, offset: 12),
                SplitRecord(text: "2}", ordinal: 2, offset: 18),
            ])
    }

    @Test func longLinesSpanningManyChunks() throws {
        let long = "{\"k\":\"" + String(repeating: "abc", count: 5000) + "\"}"
        let document = long + "\n" + long + "\r\n{}"
        for chunkSize in [1, 2, 7, 64, 4096, 100_000] {
            let records = try split(document, mode: .lines, chunkSize: chunkSize)
            #expect(records.map(\.text) == [long, long, "{}"], "chunk size \(chunkSize)")
            #expect(records.map(\.offset) == [0, Int64(long.utf8.count + 1), Int64(2 * long.utf8.count + 3)])
        }
    }

    @Test func linesModeNeverFailsOnContent() throws {
        var rng = SeededGenerator(seed: 7)
        for _ in 0..<200 {
            let document = (0..<Int.random(in: 0...200, using: &rng)).map { _ in
                [0x0A, 0x0D, 0x20, 0x7B, 0x22, 0x5C, 0xFF, 0x61].randomElement(using: &rng)! as UInt8
            }
            let records = try split(document, mode: .lines, chunkSize: Int.random(in: 1...20, using: &rng))
            // Records are exactly the non-blank lines (minus one trailing CR).
            let expected = document.split(separator: 0x0A, omittingEmptySubsequences: false).compactMap {
                line -> String? in
                var bytes = Array(line)
                if bytes.last == 0x0D { bytes.removeLast() }
                if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return nil }
                return String(decoding: bytes, as: UTF8.self)
            }
            #expect(records.map(\.text) == expected)
            #expect(records.map(\.ordinal) == Array(0..<expected.count))
        }
    }

    /// In JSON Lines each line is a record: one over the limit is handed out as
    /// an oversized record (its length and first bytes, for a reject) and the
    /// lines after it are read as usual, at every chunking.
    @Test func lineOverTheLimitIsAnOversizedRecordAndTheNextLinesLoad() throws {
        let big = "{\"a\":\"" + String(repeating: "x", count: 3000) + "\"}"
        let document = "{\"n\":1}\n" + big + "\r\n{\"n\":2}\n" + big + "\n{\"n\":3}"
        let expected = [
            SplitRecord(text: #"{"n":1}"#, ordinal: 0, offset: 0),
            SplitRecord(
                text: String(big.prefix(RecordSlice.excerptBytes)), ordinal: 1, offset: 8,
                oversizedLength: big.utf8.count),
            SplitRecord(text: #"{"n":2}"#, ordinal: 2, offset: Int64(8 + big.utf8.count + 2)),
            SplitRecord(
                text: String(big.prefix(RecordSlice.excerptBytes)), ordinal: 3, offset: Int64(16 + big.utf8.count + 2),
                oversizedLength: big.utf8.count),
            SplitRecord(text: #"{"n":3}"#, ordinal: 4, offset: Int64(16 + 2 * big.utf8.count + 3)),
        ]
        for chunkSize in [nil, 1, 3, 7, 100, 1023, 1024, 1025, 2999, 3009, 4096] as [Int?] {
            #expect(
                try split(document, mode: .lines, chunkSize: chunkSize, maxRecordBytes: 2000) == expected,
                "chunk size \(chunkSize.map(String.init) ?? "whole")")
        }
        // A `.json` document that starts with '{' is JSON Lines too.
        #expect(try split(document, mode: .json, chunkSize: 64, maxRecordBytes: 2000) == expected)
        // At exactly the limit a line is an ordinary record, with or without a final '\r'.
        let exact = try split(big + "\r\n" + big, mode: .lines, chunkSize: 10, maxRecordBytes: big.utf8.count)
        #expect(exact.map(\.oversizedLength) == [nil, nil] && exact.map(\.text) == [big, big])
        // One byte over the limit is oversized; the '\r' does not count.
        let over = try split(big + "x\r\n{}", mode: .lines, chunkSize: 10, maxRecordBytes: big.utf8.count)
        #expect(over.map(\.oversizedLength) == [big.utf8.count + 1, nil])
    }

    /// A blank line is no record however long; a tiny limit keeps the excerpt within the line.
    @Test func longBlankLinesAreSkippedAndTinyLimitsKeepExcerptsInsideTheLine() throws {
        let blank = String(repeating: " ", count: 500) + "\t\r"
        for chunkSize in [nil, 1, 64] as [Int?] {
            let records = try split(
                "{}\n" + blank + "\n[1,2,3]\n" + blank, mode: .lines, chunkSize: chunkSize, maxRecordBytes: 4)
            #expect(
                records == [
                    SplitRecord(text: "{}", ordinal: 0, offset: 0),
                    SplitRecord(
                        text: "[1,2,3]", ordinal: 1, offset: Int64(3 + blank.utf8.count + 1), oversizedLength: 7),
                ], "chunk size \(chunkSize.map(String.init) ?? "whole")")
        }
    }

    /// A random document of short and oversized lines splits the same at any cuts.
    @Test func oversizedLinesAtRandomCutsMatchOneChunk() throws {
        var rng = SeededGenerator(seed: 7)
        for round in 0..<200 {
            var document: [UInt8] = []
            for _ in 0..<Int(rng.next() % 8) {
                let length = Int(rng.next() % 40)
                document += (0..<length).map { _ in
                    [UInt8(ascii: "a"), 0x20, 0x0D, UInt8(ascii: "{")][Int(rng.next() % 4)]
                }
                document.append(0x0A)
            }
            let whole = try split(document, mode: .lines, maxRecordBytes: 12)
            var cuts = (0..<Int(rng.next() % 6)).map { _ in Int(rng.next() % UInt64(document.count + 1)) }
            cuts.sort()
            #expect(
                try split(document, mode: .lines, cuts: cuts, maxRecordBytes: 12) == whole,
                "round \(round) cuts \(cuts)")
        }
    }
}
