/// Walks the records of one dataset emitted on one ingest day, repo by repo and number
/// by number, building each repo's model only while it is being visited (constant memory).
struct RecordCursor {
    let world: SampleWorld
    let dataset: RecordDataset
    let day: Int
    private var repoIndex = 0
    private var number = 0
    private var repo: RepoModel?

    init(world: SampleWorld, dataset: RecordDataset, day: Int) {
        self.world = world
        self.dataset = dataset
        self.day = day
    }

    /// The next record version of that day, or nil at the end.
    mutating func next() -> RecordContent? {
        guard let (repo, plan, version) = nextPlan() else { return nil }
        return RecordContent(world: world, repo: repo, plan: plan, version: version)
    }

    /// Like `next` without building the content (for counting).
    mutating func nextPlan() -> (RepoModel, RecordPlan, RecordVersion)? {
        while repoIndex < world.repoCount {
            let current: RepoModel
            if let repo {
                current = repo
            } else {
                current = RepoModel(world: world, index: repoIndex)
                repo = current
                number = 0
            }
            number += 1
            if number > world.recordsPerRepo {
                repo = nil
                repoIndex += 1
                continue
            }
            if dataset == .pullRequests && !current.isPullRequest[number - 1] { continue }
            let plan = RecordPlan(world: world, repo: current, number: number)
            if let version = plan.version(on: day) { return (current, plan, version) }
        }
        return nil
    }
}
