import GHWHTestSupport
import Testing

@testable import GHWHModel

/// Repository names (docs/contract.md#repository-names). An ASCII URL is read as
/// bytes; the byte rules must give what the character rules give, which
/// still handle every other string.
@Suite struct RepoNameTests {
    @Test func namesFromEachKindOfURL() {
        #expect(RepoName.fromAPIURL("https://api.github.com/repos/Acme/Hub-61") == "acme/hub-61")
        #expect(RepoName.fromAPIURL("https://api.github.com/repos/Acme/Hub-61/issues/3") == "acme/hub-61")
        #expect(RepoName.fromAPIURL("https://api.github.com/users/acme") == nil)
        #expect(RepoName.fromAPIURL("https://api.github.com/repos/acme/") == nil)
        #expect(RepoName.fromAPIURL("https://api.github.com/repos/ac me/hub") == nil)
        #expect(RepoName.fromHTMLURL("https://github.com/Acme/Repo/pull/1") == "acme/repo")
        #expect(RepoName.fromHTMLURL("https://github.com/Acme/Repo?tab=readme") == "acme/repo")
        #expect(RepoName.fromHTMLURL("https://github.com/Acme/Repo#top") == "acme/repo")
        #expect(RepoName.fromHTMLURL("github.com/Acme/Repo") == nil)
        #expect(RepoName.fromFullName("Owner/Repo") == "owner/repo")
        #expect(RepoName.fromFullName("Owner/Repo/x") == nil)
        #expect(RepoName.fromFullName("<GITHUB_LOGIN>/Repo") == "<github_login>/repo")
        #expect(RepoName.fromAnyURL("https://github.com/Acme/Repo/issues/2") == "acme/repo")
    }

    @Test func aStringThatIsNotASCIIKeepsTheCharacterRules() {
        // Unicode lower-casing, not ASCII's.
        #expect(RepoName.fromAPIURL("https://api.github.com/repos/ÜBER/RÉPO") == "über/répo")
        #expect(RepoName.fromFullName("ÄÖ/Ü") == "äö/ü")
        // A combining mark joins the '/' before it into one character, which is not a '/'.
        #expect(RepoName.fromHTMLURL("https://github.com/owner/\u{301}repo") == nil)
        #expect(RepoName.fromFullName("owner/\u{301}repo") == nil)
    }

    /// Random ASCII strings built from the pieces the rules look at.
    @Test func byteRulesAgreeWithCharacterRulesOnASCII() {
        let pieces = [
            "/", "/", "/repos/", "repos", "://", "https:", "github.com", "?", "#", "a", "B", "Zz", "-", ".", "_",
            " ", "\t", "\r\n", "\u{7F}", "\u{01}", "<X>", "9",
        ]
        var rng = SeededGenerator(seed: 20_261_202)
        for _ in 0..<20_000 {
            var s = ""
            for _ in 0..<rng.next(upTo: 12) { s += pieces[rng.next(upTo: pieces.count)] }
            #expect(RepoName.fromAPIURL(s) == RepoName.CharacterRules.fromAPIURL(s), "\(s.debugDescription)")
            #expect(RepoName.fromHTMLURL(s) == RepoName.CharacterRules.fromHTMLURL(s), "\(s.debugDescription)")
            #expect(RepoName.fromFullName(s) == RepoName.CharacterRules.fromFullName(s), "\(s.debugDescription)")
        }
    }
}
