import GHWHJSON
import Testing

@Suite("RecordSplitter: arrays")
struct SplitterArrayTests {
    @Test func compactArrayOfObjects() throws {
        let records = try split(#"[{"a":1},{"b":[1,2,{"c":"}"}]},{}]"#)
        #expect(
            records == [
                SplitRecord(text: #"{"a":1}"#, ordinal: 0, offset: 1),
                SplitRecord(text: #"{"b":[1,2,{"c":"}"}]}"#, ordinal: 1, offset: 9),
                SplitRecord(text: "{}", ordinal: 2, offset: 31),
            ])
    }

    @Test func prettyPrintedArray() throws {
        let document = "[\n  {\n    \"id\": 1,\n    \"t\": \"x\"\n  },\n  {\n    \"id\": 2\n  }\n]\n"
        let records = try split(document)
        #expect(records.map(\.text) == ["{\n    \"id\": 1,\n    \"t\": \"x\"\n  }", "{\n    \"id\": 2\n  }"])
        #expect(records.map(\.offset) == [4, 39])
        #expect(records.map(\.ordinal) == [0, 1])
    }

    @Test func scalarAndNestedElements() throws {
        let records = try split(#"[ 1 , -2.5e3,true,false ,null,"s,]}",[[],[1,[2]]], tru ]"#)
        #expect(records.map(\.text) == ["1", "-2.5e3", "true", "false", "null", #""s,]}""#, "[[],[1,[2]]]", "tru"])
        #expect(records.map(\.ordinal) == Array(0..<8))
    }

    @Test func stringsWithStructuralCharactersAndEscapes() throws {
        let element = #"{"a":"]}[{,:","b":"say \"hi\"","c":"back\\","d":"\\\"","e":"\u005d"}"#
        let records = try split("[" + element + "," + #""\\""# + "," + #""\"]""# + "]")
        #expect(records.map(\.text) == [element, #""\\""#, #""\"]""#])
    }

    @Test func emptyDocuments() throws {
        #expect(try split("[]").isEmpty)
        #expect(try split(" [ \n ] \n").isEmpty)
        #expect(try split("").isEmpty)
        #expect(try split(" \n\t\r\n ").isEmpty)
        #expect(try split([0xEF, 0xBB, 0xBF]).isEmpty)
        #expect(try split([0xEF, 0xBB, 0xBF] + Array(" [ ] ".utf8)).isEmpty)
        #expect(try split("", mode: .lines).isEmpty)
    }

    @Test func shapeIsReported() throws {
        var splitter = RecordSplitter(mode: .json)
        #expect(splitter.shape == nil)
        try Array(" [1]".utf8).withUnsafeBytes { try splitter.consume($0) { _ in } }
        #expect(splitter.shape == .array)
        var lines = RecordSplitter(mode: .json)
        try Array("\n{}".utf8).withUnsafeBytes { try lines.consume($0) { _ in } }
        #expect(lines.shape == .lines)
        #expect(RecordSplitter(mode: .lines).shape == .lines)
    }

    @Test func byteOrderMarkIsSkippedAndCountedInOffsets() throws {
        let document: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("[{\"a\":1}, 2]".utf8)
        let records = try split(document)
        #expect(
            records == [
                SplitRecord(text: #"{"a":1}"#, ordinal: 0, offset: 4),
                SplitRecord(text: "2", ordinal: 1, offset: 13),
            ])
        for cut in 1..<document.count {
            #expect(try split(document, cuts: [cut]) == records, "cut at \(cut)")
        }
    }

    @Test func jsonStartingWithSomethingElseFails() throws {
        for document in ["x", "  \"a\"", "1", "]", "\n\nnull", "\u{FEFF}\u{FEFF}[]"] {
            let error = try #require(structureError(document), "\(document.debugDescription)")
            #expect(error.reason.contains("must start with '[' or '{'"))
        }
        #expect(structureError("  x")?.offset == 2)
        // A partial BOM is not a BOM.
        #expect(structureError([0xEF, 0xBB]) != nil)
        #expect(structureError([0xEF, 0x5B, 0x5D]) != nil)
    }

    @Test func truncatedArraysFail() throws {
        let cases: [(String, String)] = [
            ("[", "not closed"),
            ("[{\"a\":1}", "expected ',' or ']'"),
            ("[{\"a\":1},", "after ','"),
            ("[{\"a\":1},{\"b\":[1,2", "is not closed"),
            ("[{\"a\":\"abc", "inside a string"),
            ("[\"abc\\", "inside a string"),
            ("[12", "not closed"),
            ("[1, 2 ", "expected ',' or ']'"),
        ]
        for (document, reason) in cases {
            let error = try #require(structureError(document), "\(document.debugDescription)")
            #expect(error.reason.contains(reason), "\(document.debugDescription): \(error.reason)")
            #expect(error.offset == Int64(document.utf8.count), "\(document.debugDescription)")
            #expect(error.description.contains("byte \(document.utf8.count)"))
        }
    }

    @Test func structuralGarbageFails() throws {
        let cases: [(String, Int64, String)] = [
            ("[1 2]", 3, "expected ',' or ']'"),
            ("[{} {}]", 4, "expected ',' or ']'"),
            ("[{}x]", 3, "expected ',' or ']'"),
            ("[\"a\"\"b\"]", 4, "expected ',' or ']'"),
            ("[{\"a\":[1}]", 8, "mismatched '}'"),
            ("[{\"a\":1]]", 7, "mismatched ']'"),
            ("[[1}]", 3, "mismatched '}'"),
            ("[1,]", 3, "expected an array element after ','"),
            ("[,1]", 1, "expected an array element"),
            ("[1,,2]", 3, "expected an array element"),
            ("[}]", 1, "expected an array element"),
            ("[:]", 1, "expected an array element"),
            ("[1] x", 4, "after the closing ']'"),
            ("[1]]", 3, "after the closing ']'"),
            ("[1][2]", 3, "after the closing ']'"),
            ("[1]\n{}", 4, "after the closing ']'"),
        ]
        for (document, offset, reason) in cases {
            let error = try #require(structureError(document), "\(document.debugDescription)")
            #expect(error.offset == offset, "\(document.debugDescription): \(error)")
            #expect(error.reason.contains(reason), "\(document.debugDescription): \(error.reason)")
        }
    }

    @Test func recordsBeforeABreakAreStillReportedButTheDocumentFails() throws {
        // The splitter streams; the caller must discard a document that throws.
        var seen = 0
        var splitter = RecordSplitter(mode: .json)
        let error = #expect(throws: DocumentStructureError.self) {
            try Array("[1,2,3 4]".utf8).withUnsafeBytes { try splitter.consume($0) { _ in seen += 1 } }
        }
        #expect(seen == 3)
        #expect(error?.offset == 7)
        // A failed splitter keeps failing.
        #expect(throws: DocumentStructureError.self) { try splitter.finish { _ in } }
    }

    @Test func deepNestingIsTrackedWithoutRecursion() throws {
        let depth = 100_000
        let element = String(repeating: "[{\"k\":", count: depth) + "1" + String(repeating: "}]", count: depth)
        let records = try split("[" + element + ",2]", chunkSize: 4096)
        #expect(records.count == 2)
        #expect(records.first?.text.utf8.count == element.utf8.count)
        let broken = String(repeating: "[", count: depth) + String(repeating: "]", count: depth - 1) + "}"
        let error = try #require(structureError("[" + broken + "]"))
        #expect(error.reason.contains("mismatched '}'"))
        #expect(error.offset == Int64(1 + 2 * depth - 1))
    }

    @Test func recordLargerThanTheLimitFailsTheDocument() throws {
        let big = "{\"a\":\"" + String(repeating: "x", count: 100) + "\"}"
        let document = "[1, " + big + "]"
        #expect(try split(document, maxRecordBytes: big.utf8.count).count == 2)
        for chunkSize in [nil, 7, 1] as [Int?] {
            let error = #expect(throws: DocumentStructureError.self) {
                _ = try split(document, chunkSize: chunkSize, maxRecordBytes: big.utf8.count - 1)
            }
            #expect(error?.reason.contains("larger than the limit") == true)
            #expect(error?.offset == 4)
        }
        // (In JSON Lines an oversized line is a record of its own: SplitterLinesTests.)
    }

    @Test func errorsFromEmitPropagate() throws {
        struct Stop: Error {}
        var splitter = RecordSplitter(mode: .json)
        #expect(throws: Stop.self) {
            try Array("[1,2]".utf8).withUnsafeBytes { try splitter.consume($0) { _ in throw Stop() } }
        }
    }
}
