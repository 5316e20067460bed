import Foundation
import GHWHModel
import GHWHTestSupport
import Testing

@Suite("Closing references: cross-checked against a regex implementation")
struct ClosingReferencesCrossCheckTests {
    /// Loose pieces: keywords (and near misses), separators, numbers around the Int64 limit,
    /// owner/repo characters and URL parts.
    static let tokens: [String] = [
        "fixes", "Fixes", "FIX", "fixed", "fix", "close", "Closes", "closed", "resolve", "RESOLVES",
        "resolved", "fixe", "un", "#", "#", "#", "1", "42", "0", "007", "9223372036854775807",
        "9223372036854775808", " ", " ", " ", "\n", "\t", "\r\n", "\u{0B}", "\u{0C}", ":", ":", "/", "/",
        "-", "_", ".", ",", ")", "a", "Org", "repo", "é", "\u{A0}", "https://github.com/",
        "HTTPS://GITHUB.COM/", "http://github.com/", "/issues/", "/pull/", "issues", "x", "ſ",
    ]
    static let keywords = [
        "fixes", "Fixes", "FIX", "fixed", "fix", "close", "Closes", "closed", "cLoSeD",
        "resolve", "RESOLVES", "resolved", "fixe", "closing", "fixesfixes",
    ]
    static let before = ["", "", "", "-", "un", "1", "_", "é", " ", "(", "\n", "#1"]
    static let spaces = [" ", " ", "  ", "\n", "\t", "\r\n", " \n ", "\u{0B}", "\u{0C}", "", "\u{A0}"]
    static let numbers = [
        "1", "42", "3", "0", "007", "9223372036854775807", "9223372036854775808",
        "99999999999999999999", "", "-1",
    ]
    static let owners = ["Org", "a-b", "x", "", "a.b", "own", "-"]
    static let repos = ["repo", "R.js", "my_repo", "", "-", ".", "Repo"]
    static let after = ["", "", "", ".", ",", ")", "a", "_", "9", " ", "\n", "é", "#", "/"]
    static let urlPrefixes = ["https://github.com/", "HTTPS://GitHub.COM/", "http://github.com/", "https://github.co/"]

    /// A keyword, separator and target, each piece sometimes broken, so that about half link.
    static func referenceAttempt(_ generator: inout SeededGenerator) -> String {
        func pick(_ choices: [String]) -> String { choices.randomElement(using: &generator)! }
        let colon = Int.random(in: 0...3, using: &generator) == 0 ? ":" : ""
        let number = pick(numbers)
        let target: String
        switch Int.random(in: 0...3, using: &generator) {
        case 0, 1: target = "#" + number
        case 2: target = pick(owners) + "/" + pick(repos) + "#" + number
        default:
            target =
                pick(urlPrefixes) + pick(owners) + "/" + pick(repos) + pick(["/issues/", "/issues/", "/pull/"]) + number
        }
        return pick(before) + pick(keywords) + colon + pick(spaces) + target + pick(after)
    }

    static func randomText(_ generator: inout SeededGenerator) -> String {
        var text = ""
        for _ in 0..<Int.random(in: 1...8, using: &generator) {
            if Bool.random(using: &generator) {
                text += referenceAttempt(&generator)
            } else {
                for _ in 0..<Int.random(in: 1...4, using: &generator) {
                    text += tokens.randomElement(using: &generator)!
                }
            }
        }
        return text
    }

    @Test("random token strings: same references as the reference implementation", arguments: [1, 2, 3, 4] as [UInt64])
    func randomStrings(seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        var mismatches: [String] = []
        var linksFound = 0
        for _ in 0..<5_000 {
            let title: String? = Bool.random(using: &generator) ? Self.randomText(&generator) : nil
            let body = Self.randomText(&generator)
            let expected = ReferenceClosingReferences.parse(title: title, body: body, ownRepo: "own/repo")
            let actual = ClosingReferences.parse(title: title, body: body, ownRepo: "own/repo").map(\.description)
            linksFound += actual.count
            if actual != expected, mismatches.count < 5 {
                mismatches.append(
                    "title \(String(reflecting: title)) body \(String(reflecting: body)): got \(actual), want \(expected)"
                )
            }
        }
        #expect(mismatches.isEmpty, "seed \(seed): \(mismatches.joined(separator: "\n"))")
        // Guard against a vacuous test: the alphabet must actually produce links.
        #expect(linksFound > 1_000, "seed \(seed) produced only \(linksFound) links")
    }

    /// Every title and body of `directory`'s objects: the references of the reference
    /// implementation, and per object (keyed `repo#number`) the references with its own repo.
    static func crossCheck(_ directory: URL) throws -> (texts: Int, objects: Int, links: [String: [String]]) {
        var texts = 0
        var count = 0
        var links: [String: [String]] = [:]
        for name in RealFixtures.fileNames {
            let objects = try RealFixtures.objects(name, in: directory)
            count += objects.count
            for object in objects {
                let title = object["title"] as? String
                let body = object["body"] as? String
                texts += (title == nil ? 0 : 1) + (body == nil ? 0 : 1)
                let expected = ReferenceClosingReferences.parse(title: title, body: body, ownRepo: "own/repo")
                let actual = ClosingReferences.parse(title: title, body: body, ownRepo: "own/repo").map(\.description)
                #expect(actual == expected, "\(name) #\(object["number"] ?? "?")")
                // Own repo from the API URL, `.../repos/{owner}/{repo}/...`.
                let url = try #require(object["url"] as? String)
                let parts = url.components(separatedBy: "/repos/").last!.split(separator: "/")
                let repo = "\(parts[0])/\(parts[1])".lowercased()
                let found = ClosingReferences.parse(title: title, body: body, ownRepo: repo).map(\.description)
                if !found.isEmpty { links["\(repo)#\(object["number"] ?? "?")"] = found }
            }
        }
        return (texts, count, links)
    }

    @Test("real GitHub titles and bodies: same references as the reference implementation")
    func realFixtures() throws {
        let (texts, objects, links) = try Self.crossCheck(RealFixtures.directory())
        #expect(texts >= objects && objects > 0, "every object has a title")
        // The objects whose title or body links, read off their text by the rules of
        // docs/contract.md#closing-references; every other fixture links nothing.
        #expect(
            links == [
                "skywinder/changelog_test#4": ["skywinder/changelog_test#3"],  // title "fix #3. hotfix. ..."
                // "close #12" in the title, "Fix #12" in the body
                "skywinder/changelog_test#13": ["skywinder/changelog_test#12"],
                "hub4j/github-api#56": ["hub4j/github-api#55"],  // "Fixes #55 "
                "hub4j/github-api#216": ["hub4j/github-api#215"],  // "fixes #215"
                // "[#269]" in the title has no keyword; "Fixes #269."
                "hub4j/github-api#270": ["hub4j/github-api#269"],
                // "Fixes https://github.com/sferik/rails_admin/issues/2711"
                "sferik/rails_admin#2712": ["sferik/rails_admin#2711"],
                "betamaxpy/betamax#72": ["betamaxpy/betamax#12"],  // "Closes #12"
                "betamaxpy/betamax#136": ["betamaxpy/betamax#135"],  // "Closes: #135"
                // "Fixes https://github.com/sigmavirus24/betamax/issues/143"
                "betamaxpy/betamax#144": ["sigmavirus24/betamax#143"],
                // title "... - Fixes #384"; "Full context: #382" has no keyword
                "danger/danger#518": ["danger/danger#384"],
                "sigmavirus24/github3.py#873": ["sigmavirus24/github3.py#787"],  // "Closes #787 "
            ])
    }

    /// The same cross-check on the full corpus (GHWH_FULL_CORPUS=<dir>), never run by default.
    @Test(
        "full corpus titles and bodies: same references as the reference implementation",
        .enabled(if: RealFixtures.fullCorpusRequested))
    func fullCorpus() throws {
        let (texts, _, _) = try Self.crossCheck(RealFixtures.fullCorpusDirectory())
        #expect(texts > 300)
    }
}
