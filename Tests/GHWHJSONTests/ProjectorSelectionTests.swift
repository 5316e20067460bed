import GHWHJSON
import Testing

@Suite("JSONProjector: selections")
struct ProjectorSelectionTests {
    let issue = #"""
        {"url": "https://api.github.com/repos/o/r/issues/7", "id": 1, "number": 7, "title": "T\u00edtulo",
         "user": {"login": "octo", "id": 5, "site_admin": false, "avatar": {"x": [1, 2]}},
         "labels": [{"id": 1, "name": "bug", "color": "f00"}, "plain-label", {"id": 2}, {"name": null}],
         "milestone": null, "assignees": [{"login": "a"}], "body": "line1\r\nline2 \"q\"",
         "pull_request": {"url": "u", "merged_at": null}, "reactions": {"+1": 0}}
        """#

    @Test func nestedFieldsArraysAndScalars() throws {
        let value = try project(
            issue,
            [
                "number": .all, "title": .all, "user": .fields(["login": .all]),
                "labels": .fields(["name": .all]), "milestone": .fields(["title": .all]),
                "pull_request": .all, "body": .all, "missing": .all,
            ])
        #expect(
            value
                == .object([
                    "number": .int(7), "title": .string("T\u{ED}tulo"),
                    "user": .object(["login": .string("octo")]),
                    "labels": .array([
                        .object(["name": .string("bug")]), .string("plain-label"), .object([:]),
                        .object(["name": .null]),
                    ]),
                    "milestone": .null,
                    "pull_request": .object(["url": .string("u"), "merged_at": .null]),
                    "body": .string("line1\r\nline2 \"q\""),
                ]))
    }

    /// A selection's members come back in slots (`.projected`): reading a key
    /// finds what the dictionary view has, selected keys that were absent and
    /// keys that were not selected read as nil, the empty key and keys of the
    /// same length as others are told apart, and a repeated key keeps its last value.
    @Test func projectedObjectsReadLikeDictionaries() throws {
        let selection: [String: JSONSelection] = [
            "id": .all, "ix": .all, "": .all, "number": .all, "absent": .all, "user": .fields(["login": .all]),
        ]
        let value = try project(
            #"{"id": 1, "ix": 2, "": 3, "number": 4, "number": 5, "iy": 6, "user": {"login": "a", "id": 7}}"#,
            selection)
        guard case .projected(let object) = value else {
            Issue.record("expected slots for a selection, got \(value)")
            return
        }
        #expect(object["id"] == .int(1) && object["ix"] == .int(2) && object[""] == .int(3))
        #expect(object["number"] == .int(5), "the last of a repeated key")
        #expect(object["absent"] == nil && object["iy"] == nil && object["i"] == nil && object["numbers"] == nil)
        #expect(object["user"]?["login"] == .string("a") && object["user"]?["id"] == nil)
        #expect(value.kindName == "object")
        #expect(
            value.objectMembers
                == [
                    "id": .int(1), "ix": .int(2), "": .int(3), "number": .int(5),
                    "user": .object(["login": .string("a")]),
                ])
        #expect(value == .object(value.objectMembers!) && value != .object([:]))
        let whole = try project(#"{"id": 1}"#, ["id": .all, "other": .all])
        #expect(whole == .object(["id": .int(1)]) && whole != .object(["id": .int(1), "other": .null]))
    }

    @Test func fieldsOnAScalarKeepsItWhole() throws {
        #expect(
            try project(#"{"user": "ghost"}"#, ["user": .fields(["login": .all])])
                == .object(["user": .string("ghost")]))
        #expect(try project(#"{"user": 3}"#, ["user": .fields(["login": .all])]) == .object(["user": .int(3)]))
    }

    @Test func fieldsOnNestedArraysApplyToEveryElement() throws {
        let value = try project(#"{"m": [[{"a": 1, "b": 2}], {"a": 3, "c": 4}, 5]}"#, ["m": .fields(["a": .all])])
        #expect(value == .object(["m": .array([.array([.object(["a": .int(1)])]), .object(["a": .int(3)]), .int(5)])]))
    }

    @Test func emptySelectionStillValidates() throws {
        #expect(try project(issue) == .object([:]))
        #expect(throws: JSONSyntaxError.self) { try project(#"{"a": "\x"}"#) }
        #expect(throws: JSONSyntaxError.self) { try project(#"{"a": [1,]}"#, ["b": .all]) }
        #expect(throws: JSONSyntaxError.self) { try project(#"{"a": {"b": 01}, "c": 1}"#, ["c": .all]) }
    }

    @Test func keysAreMatchedExactlyByBytes() throws {
        let selection: [String: JSONSelection] = ["id": .all, "name": .all, "n\u{E9}": .all, "": .all, "a\"b": .all]
        let value = try project(
            #"{"ix": 1, "id": 2, "Id": 3, "nam": 4, "names": 5, "na\u006de": 6, "n\u00e9": 7, "": 8, "a\"b": 9, "i": 10}"#,
            selection)
        #expect(value == .object(["id": .int(2), "name": .int(6), "n\u{E9}": .int(7), "": .int(8), "a\"b": .int(9)]))
    }

    @Test func unselectedMembersAreNotMaterialisedButAreValidated() throws {
        let projector = JSONProjector(["a": .all])
        #expect(
            try projector.project(Array(#"{"z": {"deep": [1, 2, {"x": "\ud83d\ude00"}]}, "a": true}"#.utf8))
                == .object(["a": .bool(true)]))
        #expect(throws: JSONSyntaxError.self) {
            try projector.project([0x7B, 0x22, 0x7A, 0x22, 0x3A, 0x22, 0xC0, 0xAF, 0x22, 0x7D])  // {"z":"<overlong>"}
        }
    }

    @Test func projectorIsReusableAndSendable() async throws {
        let projector = JSONProjector(["n": .all])
        let results = try await withThrowingTaskGroup(of: JSONValue.self) { group in
            for k in 0..<8 { group.addTask { try projector.project(Array("{\"n\": \(k), \"x\": [\(k)]}".utf8)) } }
            var all: [JSONValue] = []
            for try await value in group { all.append(value) }
            return all
        }
        #expect(
            Set(results.compactMap { value -> Int64? in if case .int(let n)? = value["n"] { n } else { nil } })
                == Set(0..<8))
    }
}
