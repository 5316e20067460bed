import GHWHRandom

/// Builds titles and bodies: ordinary prose, code blocks, unicode, escapes (`\n`, `\r\n`,
/// `\t`, `"`), and closing references in PRs.
struct TextComposer {
    let world: SampleWorld
    let repo: RepoModel

    func title(number: Int, isPullRequest: Bool, edited: Bool, rng: inout SplitMix64) -> String {
        var title: String
        if rng.chance(0.15) {
            title = rng.pick(TextPool.unicodeTitles)
        } else {
            title = rng.pick(TextPool.titleVerbs) + " " + rng.pick(TextPool.titleObjects)
        }
        if isPullRequest {
            if rng.chance(0.15) {
                title += " (" + ReferenceComposer(world: world, repo: repo).positive(&rng).replacingNewlines + ")"
            } else if rng.chance(0.05) {
                title += " " + ReferenceComposer(world: world, repo: repo).negative(&rng)
            }
        }
        if edited { title = "[" + rng.pick(TextPool.repoWords) + "] " + title }
        return title
    }

    /// An issue body of roughly 300-2500 bytes, or nil.
    func issueBody(_ rng: inout SplitMix64) -> String? {
        if rng.chance(0.08) { return nil }
        if rng.chance(0.03) { return "" }
        var body = ""
        body.reserveCapacity(3_000)
        let newline = rng.chance(0.3) ? "\r\n" : "\n"
        let paragraphs = 1 + rng.below(4)
        for p in 0..<paragraphs {
            if p > 0 { body += newline + newline }
            if rng.chance(0.3) {
                body +=
                    "### " + rng.pick(["Steps to reproduce", "Expected behaviour", "Environment", "Details"]) + newline
            }
            appendSentences(&body, count: 2 + rng.below(5), rng: &rng)
        }
        if rng.chance(0.4) { body += newline + newline + rng.pick(TextPool.codeBlocks) }
        if rng.chance(0.2) {
            body +=
                newline + newline
                + "Possibly related: see #\(ReferenceComposer(world: world, repo: repo).target(&rng))."
        }
        if rng.chance(0.3) {
            body +=
                newline + newline + "- OS:\t" + rng.pick(["Ubuntu 22.04", "macOS 14.2", "Windows 11"]) + newline
                + "- Version:\t2.\(rng.below(9)).\(rng.below(20))"
        }
        return body
    }

    /// A PR body with closing references (and look-alikes), or nil.
    func pullRequestBody(_ rng: inout SplitMix64) -> String? {
        if rng.chance(0.08) { return nil }
        let references = ReferenceComposer(world: world, repo: repo)
        var body = ""
        body.reserveCapacity(4_000)
        let newline = rng.chance(0.3) ? "\r\n" : "\n"
        body += "## Summary" + newline + newline
        appendSentences(&body, count: 2 + rng.below(6), rng: &rng)
        body += newline + newline + "## Changes" + newline
        for _ in 0..<(1 + rng.below(5)) {
            body += newline + "- " + rng.pick(TextPool.titleVerbs) + " " + rng.pick(TextPool.titleObjects)
        }
        if rng.chance(0.35) { body += newline + newline + rng.pick(TextPool.codeBlocks) }
        // Most PRs close something; a few mention issues without closing them.
        let positives = rng.chance(0.75) ? 1 + rng.below(3) : 0
        let negatives = rng.chance(0.4) ? 1 + rng.below(2) : 0
        if positives + negatives > 0 { body += newline + newline }
        for i in 0..<(positives + negatives) {
            if i > 0 { body += rng.chance(0.5) ? newline : ", " }
            body += i < positives ? references.positive(&rng) : references.negative(&rng)
        }
        if rng.chance(0.3) {
            body +=
                newline + newline + "Inline mentions: this " + references.positive(&rng) + " and "
                + references.negative(&rng) + "."
        }
        if rng.chance(0.3) { body += newline + newline + "- [x] Tests added" + newline + "- [ ] Changelog updated" }
        return body
    }

    private func appendSentences(_ body: inout String, count: Int, rng: inout SplitMix64) {
        for s in 0..<count {
            if s > 0 { body += " " }
            body += rng.chance(0.12) ? rng.pick(TextPool.unicodeSentences) : rng.pick(TextPool.sentences)
        }
    }
}

extension String {
    /// Titles are single-line on GitHub.
    var replacingNewlines: String { String(map { $0 == "\n" ? " " : $0 }) }
}
