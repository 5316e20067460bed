import GHWHJSON
import Testing

@Suite("JSONProjector: errors")
struct ProjectorErrorTests {
    /// Every case must be rejected at the given offset, both when selected and when skipped.
    func expectRejected(
        _ bytes: [UInt8], at offset: Int, _ reason: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let error = syntaxError(bytes)
        #expect(error?.offset == offset, "\(bytes): \(String(describing: error))", sourceLocation: sourceLocation)
        #expect(
            error?.reason.contains(reason) == true, "\(bytes): \(String(describing: error))",
            sourceLocation: sourceLocation)
        // The same value, unselected inside an object, goes through the skipper.
        let wrapped = Array(#"{"skip":"#.utf8) + bytes + Array("}".utf8)
        let skipped: JSONSyntaxError?
        do {
            _ = try JSONProjector(["other": .all]).project(wrapped)
            skipped = nil
        } catch { skipped = error }
        #expect(
            skipped?.offset == offset + 8, "skipped \(bytes): \(String(describing: skipped))",
            sourceLocation: sourceLocation)
    }

    func expectRejected(
        _ text: String, at offset: Int, _ reason: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        expectRejected(Array(text.utf8), at: offset, reason, sourceLocation: sourceLocation)
    }

    @Test func invalidEscapes() {
        expectRejected(#""a\x""#, at: 2, "invalid escape")
        expectRejected(#""\u12""#, at: 1, "invalid \\u escape")
        expectRejected(#""\u12g4""#, at: 1, "invalid \\u escape")
        expectRejected(#""\U0041""#, at: 1, "invalid escape")
        expectRejected(#""\'""#, at: 1, "invalid escape")
        expectRejected(#""\ ""#, at: 1, "invalid escape")
    }

    @Test func invalidUTF8() throws {
        let cases: [([UInt8], Int, String)] = [
            ([0x22, 0x80, 0x22], 1, "continuation"),  // lone continuation
            ([0x22, 0x61, 0xBF, 0x22], 2, "continuation"),
            ([0x22, 0xC3, 0x22], 1, "invalid UTF-8"),  // truncated 2-byte sequence
            ([0x22, 0xE6, 0x9D, 0x22], 1, "invalid UTF-8"),  // truncated 3-byte sequence
            ([0x22, 0xF0, 0x9F, 0x98, 0x22], 1, "invalid UTF-8"),  // truncated 4-byte sequence
            ([0x22, 0xC0, 0xAF, 0x22], 1, "invalid UTF-8"),  // overlong '/'
            ([0x22, 0xC1, 0xBF, 0x22], 1, "invalid UTF-8"),  // overlong
            ([0x22, 0xE0, 0x80, 0xAF, 0x22], 1, "invalid UTF-8"),  // overlong 3-byte
            ([0x22, 0xF0, 0x80, 0x80, 0xAF, 0x22], 1, "invalid UTF-8"),  // overlong 4-byte
            ([0x22, 0xED, 0xA0, 0x80, 0x22], 1, "invalid UTF-8"),  // UTF-16 surrogate D800
            ([0x22, 0xED, 0xBF, 0xBF, 0x22], 1, "invalid UTF-8"),  // surrogate DFFF
            ([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], 1, "invalid UTF-8"),  // U+110000
            ([0x22, 0xF5, 0x80, 0x80, 0x80, 0x22], 1, "invalid UTF-8"),
            ([0x22, 0xFF, 0x22], 1, "invalid UTF-8"),
            ([0x22, 0xFE, 0x22], 1, "invalid UTF-8"),
            // after the word-at-a-time path
            ([0x22] + Array("abcdefghijklmnop".utf8) + [0xFF, 0x22], 17, "invalid UTF-8"),
        ]
        for (bytes, offset, reason) in cases { expectRejected(bytes, at: offset, reason) }
        // Truncated at end of input is named as such.
        #expect(syntaxError([0x22, 0xE6, 0x9D])?.reason.contains("truncated UTF-8") == true)
        // Bytes >= 0x80 outside strings are never valid.
        #expect(syntaxError([0xC3, 0xA9]) != nil)
        #expect(syntaxError([0x5B, 0x31, 0x2C, 0xE9, 0x5D])?.offset == 3)
        // Valid boundaries are accepted.
        for scalar in [0x7F, 0x80, 0x7FF, 0x800, 0xD7FF, 0xE000, 0xFFFD, 0xFFFF, 0x10000, 0x10FFFF] as [UInt32] {
            let s = String(Unicode.Scalar(scalar)!)
            #expect(try parse("\"\(s)\"") == .string(s), "U+\(String(scalar, radix: 16))")
        }
    }

    @Test func rawControlCharacters() throws {
        for c in [0x00, 0x01, 0x09, 0x0A, 0x0D, 0x1F] as [UInt8] {
            expectRejected([0x22, 0x61, c, 0x22], at: 2, "control character")
            expectRejected([0x22] + Array("0123456789".utf8) + [c, 0x22], at: 11, "control character")
        }
        #expect(try parse([0x22, 0x7F, 0x22]) == .string("\u{7F}"))  // DEL is allowed
    }

    @Test func numberGrammar() {
        expectRejected("01", at: 0, "leading zeros")
        expectRejected("-01", at: 1, "leading zeros")
        expectRejected("00.5", at: 0, "leading zeros")
        expectRejected("-", at: 1, "expected a digit")
        expectRejected("-a", at: 1, "expected a digit")
        expectRejected("1.", at: 2, "after '.'")
        expectRejected("1.e5", at: 2, "after '.'")
        expectRejected("1e", at: 2, "exponent")
        expectRejected("1e+", at: 3, "exponent")
        expectRejected("1E-x", at: 3, "exponent")
        #expect(syntaxError(".5")?.offset == 0)
        #expect(syntaxError("+1")?.offset == 0)
        #expect(syntaxError("NaN")?.offset == 0)
        #expect(syntaxError("Infinity")?.offset == 0)
        #expect(syntaxError("-Infinity")?.offset == 1)
        #expect(syntaxError("0x10")?.offset == 1)
        #expect(syntaxError("1 2")?.offset == 2)
        #expect(syntaxError("[1.5.5]")?.offset == 4)
    }

    @Test func literals() {
        expectRejected("tru", at: 0, "expected 'true'")
        expectRejected("trux", at: 0, "invalid literal")
        expectRejected("nul", at: 0, "expected 'null'")
        expectRejected("False", at: 0, "expected a value")
        expectRejected("nulll", at: 4, "'l'")
        #expect(syntaxError("truex")?.reason.contains("after the JSON value") == true)
    }

    @Test func structure() {
        expectRejected("{\"a\" 1}", at: 5, "expected ':'")
        expectRejected("{\"a\":1 \"b\":2}", at: 7, "expected ',' or '}'")
        expectRejected("{\"a\":1,}", at: 7, "a string key")
        expectRejected("{a:1}", at: 1, "a string key")
        expectRejected("{,}", at: 1, "a string key")
        expectRejected("[1,]", at: 3, "expected a value")
        expectRejected("[1 2]", at: 3, "expected ',' or ']'")
        expectRejected("[1}", at: 2, "expected ',' or ']'")
        expectRejected("{\"a\":1]", at: 6, "expected ',' or '}'")
        expectRejected("{\"a\":}", at: 5, "expected a value")
        expectRejected("[,]", at: 1, "expected a value")
        #expect(syntaxError("")?.reason.contains("empty input") == true)
        #expect(syntaxError("   ")?.offset == 3)
        #expect(syntaxError("{} {}")?.offset == 3)
        #expect(syntaxError("[1] x")?.reason.contains("after the JSON value") == true)
        #expect(syntaxError("\"a\"\"b\"")?.offset == 3)
    }

    @Test func everyPrefixOfAValidDocumentFailsCleanly() throws {
        let document = Array(
            #"{"a": [1, -2.5e+3, true, false, null, {"b": "x\"y\\z\u00e9\ud83d\ude00 é 😀"}], "c": {"d": []}, "e": "plain", "f": 0}"#
                .utf8)
        let full = try parse(document)
        #expect(full["f"] == .int(0))
        let selections: [[String: JSONSelection]] = [[:], ["a": .fields(["b": .all])], ["c": .all, "e": .all]]
        for selection in selections {
            let projector = JSONProjector(selection)
            for length in 0..<document.count {
                let prefix = Array(document[0..<length])
                #expect(throws: JSONSyntaxError.self, "prefix of \(length) bytes") { try projector.project(prefix) }
            }
        }
        // Every prefix of a top-level string/number is also checked without crashing.
        for text in [#""abc\u00e9\ud83d\ude00""#, "-12.5e-7", "true"] {
            let bytes = Array(text.utf8)
            for length in 0..<bytes.count {
                _ = syntaxError(Array(bytes[0..<length]))  // must not crash; "-12.5e-" style prefixes error
            }
            #expect(syntaxError(Array(bytes[0..<(bytes.count - 1)])) != nil || text.first == "-")
        }
    }

    @Test func errorDescriptionsNameTheOffset() {
        let error = syntaxError("[1,]")
        #expect(error?.description == "invalid JSON at byte 3: expected a value, found ']'")
    }
}
