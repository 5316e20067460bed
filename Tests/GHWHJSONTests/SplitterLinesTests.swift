import Testing
import GHWHJSON

@Suite("RecordSplitter: JSON Lines")
struct SplitterLinesTests {
    @Test func linesWithCRLFBlankLinesAndNoFinalNewline() throws {
        let document = "{\"a\":1}\r\n\r\n  \t \n{\"b\":2}\n\n{\"c\":3}"
        let records = try split(document, mode: .lines)
        #expect(records == [
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
        #expect(records == [
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
            let expected = document.split(separator: 0x0A, omittingEmptySubsequences: false).compactMap { line -> String? in
                var bytes = Array(line)
                if bytes.last == 0x0D { bytes.removeLast() }
                if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return nil }
                return String(decoding: bytes, as: UTF8.self)
            }
            #expect(records.map(\.text) == expected)
            #expect(records.map(\.ordinal) == Array(0..<expected.count))
        }
    }
}
