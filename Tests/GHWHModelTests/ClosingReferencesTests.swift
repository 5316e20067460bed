import GHWHModel
import Testing

/// One table case: title/body in, references (`owner/repo#N`) out. The PR's own repo is `own/repo`.
struct ReferenceCase: Sendable, CustomTestStringConvertible {
    let title: String?
    let body: String?
    let expected: [String]

    var testDescription: String {
        "title: \(String(reflecting: title)) body: \(String(reflecting: body)) -> \(expected)"
    }

    /// A case with the text in the body only.
    static func body(_ body: String, _ expected: [String]) -> ReferenceCase {
        ReferenceCase(title: nil, body: body, expected: expected)
    }
}

private let own = "own/repo"

@Suite("Closing references: table cases")
struct ClosingReferencesTests {
    /// Texts that link, straight from docs/contract.md#closing-references and the edge cases around it.
    static let linking: [ReferenceCase] = [
        .body("Fixes #1", ["own/repo#1"]),
        .body("close #1", ["own/repo#1"]),
        .body("closes #1", ["own/repo#1"]),
        .body("closed #1", ["own/repo#1"]),
        .body("fix #1", ["own/repo#1"]),
        .body("fixes #1", ["own/repo#1"]),
        .body("fixed #1", ["own/repo#1"]),
        .body("resolve #1", ["own/repo#1"]),
        .body("resolves #1", ["own/repo#1"]),
        .body("resolved #1", ["own/repo#1"]),
        .body("CLOSES #2", ["own/repo#2"]),
        .body("rEsOlVeD #3", ["own/repo#3"]),
        .body("FIXED #4", ["own/repo#4"]),
        .body("Fixes: #1", ["own/repo#1"]),
        .body("Closes:\n#1", ["own/repo#1"]),
        .body("fixes\n#1", ["own/repo#1"]),
        .body("fixes\r\n#1", ["own/repo#1"]),
        .body("fixes  \n #1", ["own/repo#1"]),
        .body("fixes \t\r\n\u{0B}\u{0C} #1", ["own/repo#1"]),
        .body("Fixes #1, fixes #2", ["own/repo#1", "own/repo#2"]),
        .body("Fixes #1, #2", ["own/repo#1"]),
        .body("-fixes #4", ["own/repo#4"]),
        .body("(fixes #4)", ["own/repo#4"]),
        .body("éfixes #1", ["own/repo#1"]),
        .body("日本fixes #1", ["own/repo#1"]),
        .body("fixes #12.", ["own/repo#12"]),
        .body("fixes #12,", ["own/repo#12"]),
        .body("fixes #12)", ["own/repo#12"]),
        .body("fixes #12-", ["own/repo#12"]),
        .body("fixes #12é", ["own/repo#12"]),
        .body("fixes #12\n", ["own/repo#12"]),
        .body("fixes #007", ["own/repo#7"]),
        .body("fixes #9223372036854775807", ["own/repo#9223372036854775807"]),
        .body("closes #1 closes #1", ["own/repo#1"]),
        .body("fixes fixes #1", ["own/repo#1"]),
        .body("fix #2 fix #1", ["own/repo#2", "own/repo#1"]),
        .body("fixes Org/Repo#5", ["org/repo#5"]),
        .body("fixes my-org/my_repo.js#3", ["my-org/my_repo.js#3"]),
        .body("fixes own/repo#1 and fixes #1", ["own/repo#1"]),
        .body("fixes https://github.com/Owner/Repo/issues/7", ["owner/repo#7"]),
        .body("fixes HTTPS://GitHub.COM/o/r/issues/7", ["o/r#7"]),
        .body("fixes https://github.com/o/r/issues/5#issuecomment-1", ["o/r#5"]),
        .body("fixes https://github.com/o/r/issues/5.", ["o/r#5"]),
        .body(
            "Fixes #1 and closes other/x#2 and resolves https://github.com/a/b/issues/3",
            ["own/repo#1", "other/x#2", "a/b#3"]),
        .body("Some text.\n\nFixes #10\nCloses #11\n", ["own/repo#10", "own/repo#11"]),
        ReferenceCase(title: "Fix #2: crash", body: "fixes #1, fixes #2", expected: ["own/repo#2", "own/repo#1"]),
        ReferenceCase(title: "Fixes #3", body: "Fixes #3", expected: ["own/repo#3"]),
        ReferenceCase(title: "Fixes #3", body: nil, expected: ["own/repo#3"]),
        // Title and body are scanned separately: a keyword at the end of the title does not reach into the body.
        ReferenceCase(title: "update docs, fixes", body: "#3", expected: []),
    ]

    /// Texts that must not link.
    static let notLinking: [ReferenceCase] = [
        .body("see #3", []),
        .body("prefix#4", []),
        .body("unfixes #5", []),
        .body("1fixes #1", []),
        .body("_fixes #1", []),
        .body("fixes:#1", []),
        .body("fixes#1", []),
        .body("fixes :#1", []),
        .body("fixes: : #1", []),
        .body("fixes:: #1", []),
        .body("Fixes #1Fixes #2", []),
        .body("fixes #12abc", []),
        .body("fixes #12_", []),
        .body("fixes org/repo#", []),
        .body("fixes #", []),
        .body("fixes", []),
        .body("fixes ", []),
        .body("fixes # 1", []),
        .body("fixes #-1", []),
        .body("fixes #0", []),
        .body("fixes #00", []),
        .body("fixes #9223372036854775808", []),
        .body("fixes #99999999999999999999999", []),
        .body("fixes https://github.com/o/r/pull/5", []),
        .body("fixes http://github.com/o/r/issues/5", []),
        .body("fixes https://www.github.com/o/r/issues/5", []),
        .body("fixes https://github.com/o/r/issues/5x", []),
        .body("fixes https://github.com/o/r/issues/", []),
        .body("fixes https://github.com/o/r/Issues/5", []),
        .body("fixes https://github.com/o/issues/5", []),
        .body("fixes\u{A0}#1", []),
        .body("fixes\u{3000}#1", []),
        .body("fixes\u{85}#1", []),
        .body("fixe #1", []),
        .body("fixs #1", []),
        .body("closing #1", []),
        .body("fixesx #1", []),
        .body("closeses #1", []),
        .body("fixing #1", []),
        .body("fixes o/r #1", []),
        .body("fixes o/r/#1", []),
        .body("fixes org#1", []),
        .body("fixes /repo#1", []),
        .body("fixes org/#1", []),
        .body("fixes o.x/r#1", []),
        .body("fixes o_x/r#1", []),
        .body("fixes ＃1", []),
        .body("fixes #１", []),
        .body("ﬁxes #1", []),
        .body("", []),
        ReferenceCase(title: nil, body: nil, expected: []),
    ]

    @Test("links", arguments: linking)
    func links(_ testCase: ReferenceCase) {
        let found = ClosingReferences.parse(title: testCase.title, body: testCase.body, ownRepo: own)
        #expect(found.map(\.description) == testCase.expected)
    }

    @Test("does not link", arguments: notLinking)
    func doesNotLink(_ testCase: ReferenceCase) {
        let found = ClosingReferences.parse(title: testCase.title, body: testCase.body, ownRepo: own)
        #expect(found.map(\.description) == testCase.expected)
    }

    @Test("references after a long prefix of a re-made string")
    func afterLongPrefix() {
        let large = String(repeating: "x ", count: 100) + "Fixes #42 and closes A/B#7"
        let sliced = String(large.dropFirst(200))
        let found = ClosingReferences.parse(title: nil, body: sliced, ownRepo: own)
        #expect(found.map(\.description) == ["own/repo#42", "a/b#7"])
    }

    @Test("long body: every keyword found, in order, once")
    func longBody() {
        var body = ""
        for number in 1...5_000 {
            body +=
                "Some filler text about issue \(number); see #\(number). Fixes #\(number), and fixes #\(number % 100 + 1).\n"
        }
        let found = ClosingReferences.parse(title: nil, body: body, ownRepo: own)
        #expect(found.count == 5_000)
        #expect(found.map(\.number) == Array(Int64(1)...5_000).map { $0 })
    }

    @Test("IssueReference orders by repo then number and prints owner/repo#N")
    func issueReferenceValue() {
        let references = [
            IssueReference(repoName: "b/b", number: 1),
            IssueReference(repoName: "a/a", number: 10),
            IssueReference(repoName: "a/a", number: 2),
        ]
        #expect(references.sorted().map(\.description) == ["a/a#2", "a/a#10", "b/b#1"])
        #expect(IssueReference(repoName: "a/a", number: 2) == IssueReference(repoName: "a/a", number: 2))
    }
}
