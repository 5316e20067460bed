import GHWHRandom

/// Writes closing references (docs/contract.md#closing-references) into PR titles and bodies: the forms
/// that link and the look-alikes that must not, so downstream parsing gets exercised.
struct ReferenceComposer {
    let world: SampleWorld
    let repo: RepoModel

    /// A number in this repo to point at: mostly issues, some PRs, some that don't exist.
    func target(_ rng: inout SplitMix64) -> Int {
        let roll = rng.below(100)
        let total = repo.isPullRequest.count
        if roll < 12 || total == 0 { return total + 1 + rng.below(500) }
        let wantPR = roll < 27
        for _ in 0..<8 {
            let n = 1 + rng.below(total)
            if repo.isPullRequest[n - 1] == wantPR { return n }
        }
        return 1 + rng.below(total)
    }

    /// `owner/name` of another generated repo, with its casing sometimes changed.
    func otherRepoName(_ rng: inout SplitMix64) -> String {
        let other =
            world.repoCount > 1 ? (repo.index + 1 + rng.below(world.repoCount - 1)) % world.repoCount : repo.index
        let (owner, name) = world.repoOwnerAndName(other)
        let full = owner + "/" + name
        switch rng.below(4) {
        case 0: return full.lowercased()
        case 1: return full.uppercased()
        default: return full
        }
    }

    /// One reference that links, in one of GitHub's accepted spellings.
    func positive(_ rng: inout SplitMix64) -> String {
        let keyword = rng.pick([
            "Fixes", "fixes", "Closes", "closes:", "Resolves", "resolved", "FIXED", "close", "Fix:", "resolve",
        ])
        switch rng.below(10) {
        case 0, 1, 2, 3: return "\(keyword) #\(target(&rng))"
        case 4: return "\(keyword) \(otherRepoName(&rng))#\(1 + rng.below(max(1, world.recordsPerRepo)))"
        case 5: return "\(keyword) https://github.com/\(repo.fullName)/issues/\(target(&rng))"
        case 6: return "\(keyword)\n#\(target(&rng))"
        case 7: return "-fixes #\(target(&rng))"
        case 8: return "\(keyword) #\(target(&rng)), fixes #\(target(&rng))"
        default: return "(\(keyword.lowercased()) #\(target(&rng)))"
        }
    }

    /// A mention that looks like a reference but must not link.
    func negative(_ rng: inout SplitMix64) -> String {
        switch rng.below(9) {
        case 0: return "see #\(target(&rng))"
        case 1: return "unfixes #\(target(&rng))"
        case 2: return "prefix#\(target(&rng))"
        case 3: return "fixes #\(target(&rng))abc"
        case 4: return "fixes https://github.com/\(repo.fullName)/pull/\(target(&rng))"
        case 5: return "1fixes #\(target(&rng))"
        case 6: return "_closes #\(target(&rng))"
        case 7: return "related to #\(target(&rng))"
        default: return "fixes issue #\(target(&rng))"
        }
    }
}
