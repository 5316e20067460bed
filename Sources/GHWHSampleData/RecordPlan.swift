import GHWHRandom

/// The state of one issue or PR as emitted on one ingest day.
struct RecordVersion: Sendable {
    var day: Int
    var updatedAt: Int64
    var isClosed: Bool
    var closedAt: Int64?
    var mergedAt: Int64?
    var isDraft: Bool
    /// Bit i: the repo's label i is attached.
    var labelMask: UInt32
    /// Index into the repo's milestones, or nil.
    var milestone: Int?
    var titleEdited: Bool
    var comments: Int
    var assignees: Int
    /// Position of this version in the record's history (0 = as created).
    var revision: Int
}

/// The whole life of one (repo, number) across the ingest days: created on one day
/// (~60% on the first), then re-emitted with changes on ~20% of the later days.
/// A pure function of the seed, so any day can be rendered without the others.
struct RecordPlan: Sendable {
    let number: Int
    let isPullRequest: Bool
    let creationDay: Int
    let createdAt: Int64
    let author: Int
    let versions: [RecordVersion]
    /// `SampleWorld.snapshots`: a record is re-emitted, unchanged, on every day after its last change.
    let snapshots: Bool

    init(world: SampleWorld, repo: RepoModel, number: Int) {
        self.number = number
        snapshots = world.snapshots
        isPullRequest = repo.isPullRequest[number - 1]
        var rng = SplitMix64(world.seed, UInt64(repo.index), UInt64(number), RandomPurpose.plan.rawValue)
        let days = world.days
        // Later numbers tend to be created later, as on GitHub.
        let lateShare = Double(number) / Double(world.recordsPerRepo)
        let createdLater = days > 1 && rng.chance(min(0.95, 0.8 * lateShare))
        creationDay = createdLater ? 1 + rng.below(days - 1) : 0
        author = rng.below(world.users.count)

        let dayStart = world.dayStart(creationDay)
        let dayEnd = dayStart + 86_399
        var version = RecordVersion(
            day: creationDay, updatedAt: 0, isClosed: false, closedAt: nil, mergedAt: nil,
            isDraft: false, labelMask: 0, milestone: nil, titleEdited: false,
            comments: 0, assignees: rng.below(3) == 0 ? 1 + rng.below(2) : 0, revision: 0)
        if creationDay == 0 {
            // Existing history: created up to a year before the first snapshot.
            createdAt = dayStart - Int64(1 + rng.below(365 * 86_400))
            version.updatedAt = createdAt + Int64(rng.below(Int(dayEnd - createdAt) + 1))
            version.comments = rng.skewed(max: 40) - 1
        } else {
            createdAt = dayStart + Int64(rng.below(20 * 3_600))
            version.updatedAt = createdAt + Int64(rng.below(4 * 3_600))
        }
        let closedInitially = rng.chance(creationDay == 0 ? 0.45 : 0.1)
        if closedInitially {
            version.isClosed = true
            let closedAt = createdAt + Int64(rng.below(Int(version.updatedAt - createdAt) + 1))
            version.closedAt = closedAt
            if isPullRequest && rng.chance(0.7) { version.mergedAt = closedAt }
        } else if isPullRequest {
            version.isDraft = rng.chance(0.12)
        }
        let labelCount = repo.labels.isEmpty ? 0 : rng.below(5)
        for _ in 0..<labelCount { version.labelMask |= 1 << UInt32(rng.below(repo.labels.count)) }
        if rng.chance(isPullRequest ? 0.55 : 0.3) { version.milestone = rng.below(repo.milestones.count) }

        var versions = [version]
        var day = creationDay + 1
        while day < days {
            if rng.chance(0.2) {
                version = RecordPlan.evolve(
                    version, day: day, world: world, repo: repo,
                    isPullRequest: isPullRequest, rng: &rng)
                versions.append(version)
            }
            day += 1
        }
        self.versions = versions
    }

    /// The version emitted on `day`, if the record is in that day's snapshot.
    func version(on day: Int) -> RecordVersion? {
        if snapshots { return versions.last { $0.day <= day } }
        for v in versions where v.day == day { return v }
        return nil
    }

    /// An update on a later day: later `updated_at`, maybe closed/merged, labels and milestone edited.
    private static func evolve(
        _ previous: RecordVersion, day: Int, world: SampleWorld, repo: RepoModel,
        isPullRequest: Bool, rng: inout SplitMix64
    ) -> RecordVersion {
        var v = previous
        v.day = day
        v.revision += 1
        let start = world.dayStart(day)
        v.updatedAt = start + Int64(3_600 + rng.below(20 * 3_600))
        if !v.isClosed && rng.chance(0.5) {
            v.isClosed = true
            let closedAt = v.updatedAt - Int64(rng.below(3_600))
            v.closedAt = closedAt
            if isPullRequest && rng.chance(0.7) { v.mergedAt = closedAt }
            v.isDraft = false
        } else if v.isClosed && v.mergedAt == nil && rng.chance(0.1) {
            v.isClosed = false  // reopened
            v.closedAt = nil
        }
        if !repo.labels.isEmpty && rng.chance(0.5) {
            let bit: UInt32 = 1 << UInt32(rng.below(repo.labels.count))
            if v.labelMask & bit != 0 {
                v.labelMask &= ~bit
            } else if v.labelMask.nonzeroBitCount < 4 {
                v.labelMask |= bit
            }
        }
        if v.milestone == nil && rng.chance(0.4) { v.milestone = rng.below(repo.milestones.count) }
        if rng.chance(0.2) { v.titleEdited = true }
        v.comments += rng.below(4)
        return v
    }
}
