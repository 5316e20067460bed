import GHWHJSON
import GHWHRandom
import GHWHTestSupport
import Testing

/// Records must not depend on where the chunks are cut: at every split point,
/// in every chunk size, inside strings, escapes, UTF-8 sequences and the BOM.
@Suite("RecordSplitter: chunk boundaries")
struct SplitterChunkingTests {
    static let arrayDocument: [UInt8] =
        [0xEF, 0xBB, 0xBF]
        + Array(
            """
            [
              {"s": "a]b}c,d\\"e\\\\", "n": [1, [2, {"x": "\\\\"}]], "u": "h\u{E9}llo \u{1F600} \\u00e9"},
              "str\\"ing]", -12.5e3 ,true,null,
              [], {},
              "\\\\\\"",
              [["]"], {"}": "["}]
            ]

            """.utf8)

    static let linesDocument: [UInt8] =
        [0xEF, 0xBB, 0xBF]
        + Array(
            "{\"a\":1}\r\n\n   \n{\"b\":\"x\\ny\"}\n\r\nnot json at all\n\t\n{\"c\":\"\u{E9}\"}".utf8)

    static let jsonLinesDocument: [UInt8] = Array(" \n {\"a\":1}\n{\"b\":2}\r\n\n[3]\n".utf8)

    static let documents: [(name: String, bytes: [UInt8], mode: RecordSplitter.Mode)] = [
        ("array", arrayDocument, .json),
        ("lines", linesDocument, .lines),
        (".json as JSON Lines", jsonLinesDocument, .json),
    ]

    @Test func oneShotResultsAreAsExpected() throws {
        let array = try split(Self.arrayDocument)
        #expect(
            array.map(\.text) == [
                #"{"s": "a]b}c,d\"e\\", "n": [1, [2, {"x": "\\"}]], "u": "h\#u{E9}llo \#u{1F600} \u00e9"}"#,
                #""str\"ing]""#, "-12.5e3", "true", "null", "[]", "{}", #""\\\"""#, #"[["]"], {"}": "["}]"#,
            ])
        #expect(array.map(\.ordinal) == Array(0..<9))
        #expect(array.first?.offset == 7)
        let lines = try split(Self.linesDocument, mode: .lines)
        #expect(lines.map(\.text) == [#"{"a":1}"#, #"{"b":"x\ny"}"#, "not json at all", "{\"c\":\"\u{E9}\"}"])
        #expect(lines.map(\.ordinal) == [0, 1, 2, 3])
        let jsonLines = try split(Self.jsonLinesDocument)
        #expect(jsonLines.map(\.text) == [#"{"a":1}"#, #"{"b":2}"#, "[3]"])
        #expect(jsonLines.map(\.offset) == [3, 11, 21])
    }

    @Test(arguments: documents.indices)
    func everySingleSplitPoint(index: Int) throws {
        let (name, document, mode) = Self.documents[index]
        let expected = try split(document, mode: mode)
        for cut in 0...document.count {
            #expect(try split(document, mode: mode, cuts: [cut]) == expected, "\(name), cut at \(cut)")
        }
    }

    @Test(arguments: documents.indices)
    func everyPairOfSplitPoints(index: Int) throws {
        let (name, document, mode) = Self.documents[index]
        let expected = try split(document, mode: mode)
        for first in 0...document.count {
            for second in first...document.count {
                let got = try split(document, mode: mode, cuts: [first, second])
                if got != expected { Issue.record("\(name), cuts at \(first), \(second): \(got)") }
            }
        }
    }

    @Test(arguments: documents.indices)
    func everyChunkSize(index: Int) throws {
        let (name, document, mode) = Self.documents[index]
        let expected = try split(document, mode: mode)
        for size in 1...document.count {
            #expect(try split(document, mode: mode, chunkSize: size) == expected, "\(name), chunk size \(size)")
        }
    }

    @Test func randomCutsOfALargeDocument() throws {
        var rng = SeededGenerator(seed: 42)
        var document: [UInt8] = Array("[\n".utf8)
        for k in 0..<300 {
            if k > 0 { document += Array(",\n ".utf8) }
            document += Array(
                #"{"id": \#(k), "t": "q\"]}\\ \#(String(repeating: "x", count: k % 37))", "a": [[{}], "\u005d"]}"#.utf8)
        }
        document += Array("\n]".utf8)
        let expected = try split(document)
        #expect(expected.count == 300)
        for _ in 0..<50 {
            let cuts = (0..<Int.random(in: 1...40, using: &rng)).map { _ in
                Int.random(in: 0...document.count, using: &rng)
            }.sorted()
            #expect(try split(document, cuts: cuts) == expected, "cuts \(cuts)")
        }
    }

    @Test func errorsDoNotDependOnChunking() throws {
        let broken = [
            "[{\"a\": \"x\\\"]\"}, {\"b\": [1, 2}]",
            "[1, 2, {\"a\": \"unterminated]",
            "[{\"a\": 1} {\"b\": 2}]",
            "[1, 2] trailing",
            "[\"esc\\",
            "  nope",
        ]
        for text in broken {
            let document = Array(text.utf8)
            let expected = try #require(structureError(document), "\(text.debugDescription)")
            for cut in 0...document.count {
                let error = structureError(document, cuts: [cut])
                #expect(
                    error?.offset == expected.offset && error?.reason == expected.reason,
                    "\(text.debugDescription) cut at \(cut): \(String(describing: error)) vs \(expected)")
            }
            let bytewise = structureError(document, cuts: Array(1..<document.count))
            #expect(bytewise?.offset == expected.offset, "\(text.debugDescription) byte by byte")
        }
    }

    @Test func recordsWithinOneChunkAreNotCopied() throws {
        let document = Array(#"[{"a":1},{"b":2}]"#.utf8)
        var splitter = RecordSplitter(mode: .json)
        var pointers: [UnsafeRawPointer?] = []
        try document.withUnsafeBytes { chunk in
            try splitter.consume(chunk) { pointers.append($0.bytes.baseAddress) }
            #expect(pointers == [chunk.baseAddress! + 1, chunk.baseAddress! + 9])
        }
        try splitter.finish { _ in Issue.record("nothing left to emit") }
    }
}
