import GHWHRandom

/// Everything about one record that both datasets render: title, body, ids and the
/// PR-only facts (branches, shas, line counts). Derived from the seed per (repo, number),
/// with per-version bits (shas after new pushes, title edits) derived from the version.
struct RecordContent {
    let world: SampleWorld
    let repo: RepoModel
    let plan: RecordPlan
    let version: RecordVersion
    let title: String
    let body: String?
    let issueId: Int
    let pullId: Int
    let authorAssociation: String
    /// Write strings with `\uXXXX` escapes for all non-ASCII (about 6% of records).
    let asciiEscaped: Bool
    /// Issue object in the old API shape, without `repository_url` (about 2%).
    let oldApiShape: Bool
    /// Labels as bare strings, the old form (about 1%).
    let bareStringLabels: Bool
    let closedBy: Int?
    let stateReason: String?
    let reactionCounts: [Int]

    init(world: SampleWorld, repo: RepoModel, plan: RecordPlan, version: RecordVersion) {
        self.world = world
        self.repo = repo
        self.plan = plan
        self.version = version
        let r = UInt64(repo.index)
        let n = UInt64(plan.number)
        let composer = TextComposer(world: world, repo: repo)
        var titleRng = SplitMix64(world.seed, r, n, RandomPurpose.content.rawValue, 1)
        title = composer.title(
            number: plan.number, isPullRequest: plan.isPullRequest, edited: version.titleEdited, rng: &titleRng)
        var bodyRng = SplitMix64(world.seed, r, n, RandomPurpose.body.rawValue)
        body = plan.isPullRequest ? composer.pullRequestBody(&bodyRng) : composer.issueBody(&bodyRng)
        let stride = max(50_000, world.recordsPerRepo + 1)
        issueId = 1_000_000_000 + repo.index * stride + plan.number
        pullId = 3_000_000_000 + repo.index * stride + plan.number

        var rng = SplitMix64(world.seed, r, n, RandomPurpose.content.rawValue, 2)
        authorAssociation = rng.pick([
            "OWNER", "MEMBER", "CONTRIBUTOR", "CONTRIBUTOR", "NONE", "FIRST_TIME_CONTRIBUTOR", "COLLABORATOR",
        ])
        asciiEscaped = rng.chance(0.06)
        closedBy = rng.chance(0.6) ? repo.maintainers[rng.below(repo.maintainers.count)] : nil
        reactionCounts = (0..<8).map { _ in rng.chance(0.15) ? rng.skewed(max: 30) : 0 }

        var versionRng = SplitMix64(world.seed, r, n, UInt64(version.day), RandomPurpose.version.rawValue)
        oldApiShape = versionRng.chance(0.02)
        bareStringLabels = versionRng.chance(0.01)
        if version.isClosed {
            stateReason = version.mergedAt != nil || versionRng.chance(0.8) ? "completed" : "not_planned"
        } else {
            stateReason = version.revision > 0 && versionRng.chance(0.1) ? "reopened" : nil
        }
    }

    var author: UserProfile { world.users[plan.author] }

    /// Attached labels in the repo's order.
    var labels: [LabelDefinition] {
        var out: [LabelDefinition] = []
        for (i, label) in repo.labels.enumerated() where version.labelMask & (1 << UInt32(i)) != 0 { out.append(label) }
        return out
    }

    var assignees: [UserProfile] {
        (0..<version.assignees).map { world.users[repo.maintainers[($0 + plan.number) % repo.maintainers.count]] }
    }

    var milestone: MilestoneDefinition? { version.milestone.map { repo.milestones[$0] } }

    /// Whether label number `i` of this record is written with a null name (rare).
    func labelNameIsNull(_ i: Int) -> Bool {
        var rng = SplitMix64(
            world.seed, UInt64(repo.index), UInt64(plan.number), UInt64(version.day), UInt64(i),
            RandomPurpose.labelName.rawValue)
        return rng.below(200) == 0
    }
}
