import GHWHRandom

/// A label defined in a repo.
struct LabelDefinition: Sendable {
    var id: Int
    var nodeId: String
    var name: String
    /// URL-encoded name for the label's `url`.
    var urlName: String
    var color: String
    var isDefault: Bool
    var description: String?
}

/// A milestone defined in a repo.
struct MilestoneDefinition: Sendable {
    var number: Int
    var id: Int
    var nodeId: String
    var title: String
    var description: String?
    var creator: Int
    var openIssues: Int
    var closedIssues: Int
    var isClosed: Bool
    var createdAt: Int64
    var updatedAt: Int64
    var dueOn: Int64?
}

/// One generated repository: its names, labels, milestones, which numbers are PRs,
/// and the attributes of its full `repo` object. Rebuilt on demand from the seed.
struct RepoModel: Sendable {
    let index: Int
    let owner: String
    let name: String
    let fullName: String
    let id: Int
    let nodeId: String
    let ownerProfile: UserProfile
    let labels: [LabelDefinition]
    let milestones: [MilestoneDefinition]
    /// `isPullRequest[n - 1]` for number n.
    let isPullRequest: [Bool]
    /// Users who triage, review and merge (indices into the world's users).
    let maintainers: [Int]
    let description: String?
    let language: String?
    let topics: [String]
    let hasLicense: Bool
    let createdAt: Int64
    let pushedAt: Int64
    let stars: Int
    let forks: Int
    let size: Int
    let openIssuesCount: Int
    let defaultBranch: String
    let homepage: String?

    init(world: SampleWorld, index: Int) {
        self.index = index
        (owner, name) = world.repoOwnerAndName(index)
        fullName = owner + "/" + name
        var rng = SplitMix64(world.seed, UInt64(index), RandomPurpose.repo.rawValue, 2)
        id = 500_000_000 + index * 1_009 + rng.below(1_000)
        nodeId = NodeID.make("010:Repository", id)
        let ownerId = 9_000_000 + index * 131 + rng.below(100)
        ownerProfile = UserProfile(
            login: owner, id: ownerId, kind: .organization, siteAdmin: false,
            nodeId: NodeID.make("012:Organization", ownerId))

        // About 15 labels; a few repos spell "bug" as "Bug" (label names are case-sensitive).
        var labels: [LabelDefinition] = []
        let pool = TextPool.labels
        let wanted = min(pool.count, 13 + rng.below(4))
        var start = rng.below(pool.count)
        let forcedFirst = 7  // the first seven (bug ... 🚀 release) are in every repo
        var chosen = Array(0..<forcedFirst)
        while chosen.count < wanted {
            let candidate = forcedFirst + start % (pool.count - forcedFirst)
            if !chosen.contains(candidate) { chosen.append(candidate) }
            start += 1
        }
        let capitalBug = rng.chance(0.15)
        for (i, p) in chosen.enumerated() {
            let labelId = 100_000_000 + index * 97 + i * 3 + rng.below(3)
            var labelName = pool[p].name
            if p == 0 && capitalBug { labelName = "Bug" }
            labels.append(
                LabelDefinition(
                    id: labelId, nodeId: NodeID.make("05:Label", labelId), name: labelName,
                    urlName: RepoModel.percentEncode(labelName),
                    color: TextPool.labelColors[p % TextPool.labelColors.count],
                    isDefault: p < 4, description: pool[p].description))
        }
        self.labels = labels

        let base = world.dayStart(0)
        var milestones: [MilestoneDefinition] = []
        let milestoneCount = 3 + rng.below(2)
        for m in 0..<milestoneCount {
            let mid = 7_000_000 + index * 11 + m
            let created = base - Int64(86_400 * (200 + rng.below(200)))
            milestones.append(
                MilestoneDefinition(
                    number: m + 1, id: mid, nodeId: NodeID.make("09:Milestone", mid),
                    title: TextPool.milestoneTitles[m],
                    description: m == 2 ? nil : "Tracking work for \(TextPool.milestoneTitles[m])",
                    creator: rng.below(world.users.count), openIssues: rng.below(30), closedIssues: rng.below(80),
                    isClosed: m == 0 && rng.chance(0.5), createdAt: created,
                    updatedAt: base - Int64(rng.below(86_400 * 20)),
                    dueOn: rng.chance(0.5) ? base + Int64(86_400 * (30 + 30 * m)) : nil))
        }
        self.milestones = milestones

        isPullRequest = RepoModel.shuffledKinds(world: world, index: index)
        maintainers = (0..<3).map { _ in rng.below(world.users.count) }
        description =
            rng.chance(0.85)
            ? "A \(TextPool.repoWords[index % TextPool.repoWords.count]) for \(TextPool.topics[rng.below(TextPool.topics.count)]) — fast, small and friendly ✨"
            : nil
        language = rng.chance(0.9) ? rng.pick(TextPool.languages) : nil
        topics = (0..<rng.below(6)).map { TextPool.topics[($0 + index) % TextPool.topics.count] }
        hasLicense = rng.chance(0.8)
        createdAt = base - Int64(86_400 * (400 + rng.below(2_000)))
        pushedAt = base - Int64(rng.below(86_400))
        stars = rng.skewed(max: 50_000)
        forks = rng.skewed(max: 5_000)
        size = rng.skewed(max: 200_000)
        openIssuesCount = rng.below(300)
        defaultBranch = rng.chance(0.7) ? "main" : "master"
        homepage = rng.chance(0.4) ? "https://\(name.lowercased()).example.org" : nil
    }

    /// Which numbers are PRs: exactly `prsPerRepo` of them, spread over the sequence.
    static func shuffledKinds(world: SampleWorld, index: Int) -> [Bool] {
        var kinds = [Bool](repeating: false, count: world.recordsPerRepo)
        for i in 0..<world.prsPerRepo { kinds[i] = true }
        var rng = SplitMix64(world.seed, UInt64(index), RandomPurpose.repoKinds.rawValue)
        if kinds.count > 1 {
            for i in stride(from: kinds.count - 1, to: 0, by: -1) {
                kinds.swapAt(i, rng.below(i + 1))
            }
        }
        return kinds
    }

    /// Percent-encodes a label name for its API URL (as GitHub does: spaces become %20).
    static func percentEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF")
                out.append("%")
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 15)])
            }
        }
        return out
    }
}
