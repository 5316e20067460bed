import GHWHJSON
import Testing

@Suite("JSONProjector: values")
struct ProjectorValueTests {
    @Test func everyJSONType() throws {
        let value = try parse(
            #" {"n": null, "t": true, "f": false, "i": -42, "d": 2.5, "s": "x", "a": [1, "y", [], {}], "o": {"k": {}}} "#
        )
        #expect(
            value
                == .object([
                    "n": .null, "t": .bool(true), "f": .bool(false), "i": .int(-42), "d": .double(2.5),
                    "s": .string("x"),
                    "a": .array([.int(1), .string("y"), .array([]), .object([:])]),
                    "o": .object(["k": .object([:])]),
                ]))
    }

    @Test func topLevelScalarsAndArraysComeBackWhole() throws {
        #expect(try project("17", ["x": .all]) == .int(17))
        #expect(try project(" \"s\" ", ["x": .all]) == .string("s"))
        #expect(try project("null") == .null)
        #expect(try project("[{\"a\":1,\"b\":2}]", ["a": .all]) == .array([.object(["a": .int(1), "b": .int(2)])]))
    }

    @Test func numbers() throws {
        let cases: [(String, JSONValue)] = [
            ("0", .int(0)), ("-0", .int(0)), ("7", .int(7)), ("-7", .int(-7)),
            ("9223372036854775807", .int(.max)), ("-9223372036854775808", .int(.min)),
            ("9223372036854775808", .double(9_223_372_036_854_775_808)),
            ("-9223372036854775809", .double(-9_223_372_036_854_775_809)),
            ("123456789012345678901234567890", .double(1.2345678901234568e29)),
            ("1.5", .double(1.5)), ("-0.25", .double(-0.25)), ("0.0", .double(0)), ("1.0", .double(1)),
            ("1e3", .double(1000)), ("1E+3", .double(1000)), ("25e-1", .double(2.5)), ("-1.5e-3", .double(-0.0015)),
            ("0e0", .double(0)), ("1e400", .double(.infinity)), ("-1e400", .double(-.infinity)),
            ("0.1", .double(0.1)), ("2.2250738585072014e-308", .double(2.2250738585072014e-308)),
            ("100000000000000000", .int(100_000_000_000_000_000)),
            ("999999999999999999", .int(999_999_999_999_999_999)),
        ]
        for (text, expected) in cases {
            #expect(try parse(text) == expected, "\(text)")
            #expect(try parse("[\(text)]") == .array([expected]), "[\(text)]")
        }
    }

    @Test func escapes() throws {
        #expect(try parse(#""a\nb\tc\/d\be\ff\rg\"h\\i\u00e9j""#) == .string("a\nb\tc/d\u{8}e\u{C}f\rg\"h\\i\u{E9}j"))
        #expect(try parse(#""\u0041\u00DF\u6771\uFFFF""#) == .string("A\u{DF}\u{6771}\u{FFFF}"))
        #expect(try parse(#""\u0000""#) == .string("\u{0}"))
        #expect(try parse(#""\\\"""#) == .string("\\\""))
    }

    @Test func surrogatePairsAndLoneSurrogates() throws {
        #expect(try parse(#""\ud83d\ude00""#) == .string("\u{1F600}"))
        #expect(try parse(#""x\uD83D\uDE00y""#) == .string("x\u{1F600}y"))
        #expect(try parse(#""\udbff\udfff""#) == .string("\u{10FFFF}"))
        // Documented leniency: a surrogate that is not part of a high+low pair becomes U+FFFD.
        #expect(try parse(#""\ud800""#) == .string("\u{FFFD}"))
        #expect(try parse(#""a\ud800b""#) == .string("a\u{FFFD}b"))
        #expect(try parse(#""\ude00\ud83d""#) == .string("\u{FFFD}\u{FFFD}"))
        #expect(try parse(#""\ud83d\u0041""#) == .string("\u{FFFD}A"))
        #expect(try parse(#""\ud83d\ud83d\ude00""#) == .string("\u{FFFD}\u{1F600}"))
        #expect(try parse(#""\ud83d\n""#) == .string("\u{FFFD}\n"))
    }

    @Test func rawUTF8IsKept() throws {
        #expect(
            try parse("\"h\u{E9}llo \u{6771}\u{4EAC} \u{1F600} \u{10FFFF}\"")
                == .string("h\u{E9}llo \u{6771}\u{4EAC} \u{1F600} \u{10FFFF}"))
        let long = String(repeating: "\u{E9}a\u{1F600}bcdefgh", count: 50)
        #expect(try parse("\"" + long + "\"") == .string(long))
    }

    @Test func longStringsExerciseTheWordAtATimePath() throws {
        for length in 0..<40 {
            let plain = String(repeating: "abcdefghij", count: 4).prefix(length)
            #expect(try parse("\"\(plain)\"") == .string(String(plain)))
            #expect(try parse("\"\(plain)\\n\(plain)\"") == .string("\(plain)\n\(plain)"))
            #expect(try parse("\"\(plain)\u{E9}\"") == .string("\(plain)\u{E9}"))
        }
    }

    @Test func duplicateKeysLastWins() throws {
        #expect(try parse(#"{"a": 1, "b": 2, "a": 3}"#) == .object(["a": .int(3), "b": .int(2)]))
        #expect(
            try project(#"{"a": {"x": 1}, "a": {"y": 2}}"#, ["a": .fields(["x": .all])]) == .object(["a": .object([:])])
        )
        #expect(try project(#"{"a": 1, "a": "s"}"#, ["a": .all]) == .object(["a": .string("s")]))
    }

    @Test func whitespaceEverywhere() throws {
        let value = try parse(" \t\r\n{ \"a\" \n:\t[ 1 ,\r\n 2 ] , \"b\" : { } } \n")
        #expect(value == .object(["a": .array([.int(1), .int(2)]), "b": .object([:])]))
    }

    @Test func depthLimit() throws {
        func nested(_ depth: Int) -> String {
            String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        }
        func nestedObjects(_ depth: Int) -> String {
            String(repeating: "{\"k\":", count: depth - 1) + "{}" + String(repeating: "}", count: depth - 1)
        }
        #expect(try parse(nested(128)) != .null)
        #expect(try parse(nestedObjects(128)) != .null)
        #expect(syntaxError(nested(129))?.reason.contains("nesting deeper than the limit of 128") == true)
        #expect(syntaxError(nestedObjects(129))?.offset == 128 * 5)
        #expect(syntaxError(nested(5), maxDepth: 4)?.offset == 4)
        #expect(try parse(nested(4), maxDepth: 4) != .null)
        // Skipped values are held to the same limit.
        let projector = JSONProjector(["a": .all], maxDepth: 10)
        let deepSkipped = Array(("{\"a\":1,\"z\":" + nested(9) + "}").utf8)
        #expect(try projector.project(deepSkipped) == .object(["a": .int(1)]))
        let tooDeepSkipped = Array(("{\"a\":1,\"z\":" + nested(10) + "}").utf8)
        #expect(throws: JSONSyntaxError.self) { try projector.project(tooDeepSkipped) }
        // Deep skipping past 64 levels uses the spill stack.
        let mixed = String(repeating: "[{\"k\":", count: 60) + "1" + String(repeating: "}]", count: 60)
        #expect(
            try JSONProjector(["a": .all], maxDepth: 200).project(Array("{\"z\":\(mixed),\"a\":2}".utf8))
                == .object(["a": .int(2)]))
        #expect(throws: JSONSyntaxError.self) {
            try JSONProjector(["a": .all], maxDepth: 200).project(Array("{\"z\":\(mixed.dropLast()),\"a\":2}".utf8))
        }
    }

    @Test func validateChecksWithoutBuilding() throws {
        let projector = JSONProjector([:])
        try Array(#"{"a":[1,{"b":"\u00e9"}]}"#.utf8).withUnsafeBytes { try projector.validate($0) }
        #expect(throws: JSONSyntaxError.self) {
            try Array(#"{"a":[1,}"#.utf8).withUnsafeBytes { try projector.validate($0) }
        }
    }
}
