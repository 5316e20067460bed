import GHWHRandom

/// A GitHub account as it appears in `user`, `assignee`, `owner`, ... objects.
struct UserProfile: Sendable {
    enum Kind: String, Sendable {
        case user = "User"
        case bot = "Bot"
        case organization = "Organization"
    }
    var login: String
    var id: Int
    var kind: Kind
    var siteAdmin: Bool
    /// `MDQ6VXNlcjEyMw==`-style node id, computed once.
    var nodeId: String
}

/// Everything shared by all repos of one generated corpus: the pool of user accounts
/// and the names of the repos. Small and fixed, so it is built once up front.
struct SampleWorld: Sendable {
    let seed: UInt64
    let users: [UserProfile]
    let repoCount: Int
    let issuesPerRepo: Int
    let prsPerRepo: Int
    let days: Int
    /// Days since the epoch of the first ingest date.
    let firstDay: Int
    /// Full daily dumps: every day re-delivers the latest version of every record created so far.
    var snapshots = false

    init(seed: UInt64, repoCount: Int, issuesPerRepo: Int, prsPerRepo: Int, days: Int, firstDay: Int) {
        self.seed = seed
        self.repoCount = repoCount
        self.issuesPerRepo = issuesPerRepo
        self.prsPerRepo = prsPerRepo
        self.days = days
        self.firstDay = firstDay
        users = SampleWorld.makeUsers(seed: seed, count: 400)
    }

    /// Numbers per repo (issues and PRs share one sequence).
    var recordsPerRepo: Int { issuesPerRepo + prsPerRepo }

    /// Unix seconds of midnight UTC of ingest day `day` (0-based).
    func dayStart(_ day: Int) -> Int64 { Int64(firstDay + day) * 86_400 }

    /// `YYYY-MM-DD` of ingest day `day`.
    func dateString(_ day: Int) -> String { IsoTimestamp.dateString(days: firstDay + day) }

    /// `owner/name` with GitHub's canonical casing (downstream lower-cases it).
    func repoOwnerAndName(_ index: Int) -> (owner: String, name: String) {
        var rng = SplitMix64(seed, UInt64(index), RandomPurpose.repo.rawValue, 1)
        let ownerWord = rng.pick(TextPool.ownerWords)
        let repoWord = rng.pick(TextPool.repoWords)
        // Some upper-case letters, as in real names like `Azure/Azure-SDK` or `apple/swift-NIO`.
        let owner: String
        switch rng.below(4) {
        case 0: owner = "acme-" + ownerWord.capitalizedFirst
        case 1: owner = "ACME-" + ownerWord
        default: owner = "acme-" + ownerWord
        }
        let name: String
        switch rng.below(3) {
        case 0: name = repoWord.capitalizedFirst + "-\(index + 1)"
        case 1: name = repoWord.uppercased() + "-\(index + 1)"
        default: name = repoWord + "-\(index + 1)"
        }
        return (owner, name)
    }

    private static func makeUsers(seed: UInt64, count: Int) -> [UserProfile] {
        var rng = SplitMix64(seed, RandomPurpose.users.rawValue)
        var users: [UserProfile] = []
        users.reserveCapacity(count)
        for i in 0..<count {
            let id = 10_000 + i * 7_919 + rng.below(7_000)
            let login: String
            var kind = UserProfile.Kind.user
            if i < TextPool.botLogins.count {
                login = TextPool.botLogins[i]
                kind = .bot
            } else if i - TextPool.botLogins.count < TextPool.unicodeLogins.count {
                login = TextPool.unicodeLogins[i - TextPool.botLogins.count]
            } else {
                let stem = rng.pick(TextPool.loginStems)
                switch rng.below(4) {
                case 0: login = "\(stem)\(i)"
                case 1: login = "\(stem)-\(rng.pick(TextPool.repoWords))\(i)"
                case 2: login = "\(stem.capitalizedFirst)Dev\(i)"
                default: login = "\(stem)-\(i)"
                }
            }
            users.append(
                UserProfile(
                    login: login, id: id, kind: kind, siteAdmin: i == 7,
                    nodeId: NodeID.make(kind == .bot ? "03:Bot" : "04:User", id)))
        }
        return users
    }
}

extension String {
    /// "orbit" -> "Orbit".
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
