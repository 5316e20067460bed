import GHWHRandom

/// A pull-request object as `GET /repos/{o}/{r}/pulls/{n}` returns it: `head`/`base` with
/// full repo objects, merge facts, line counts and `_links`.
extension JSONByteWriter {
    mutating func pullRequestObject(_ c: RecordContent) {
        // Long on purpose: the object's keys in the API's order, written one by one, read as the JSON they produce.
        let repo = c.repo
        let n = c.plan.number
        let v = c.version
        var rng = SplitMix64(c.world.seed, UInt64(repo.index), UInt64(n), RandomPurpose.pullRequest.rawValue)
        // Facts fixed for the PR's life.
        let branch = rng.pick(TextPool.branchWords) + "/" + rng.pick(TextPool.repoWords) + "-\(n)"
        let fromFork = rng.chance(0.3)
        let headRepoDeleted = fromFork && rng.chance(0.03)
        let additions = rng.skewed(max: 3_000) - 1
        let deletions = rng.skewed(max: 1_500) - 1
        let changedFiles = rng.skewed(max: 60)
        let maintainerCanModify = fromFork && rng.chance(0.6)
        let reviewers = (0..<rng.below(3)).map { c.world.users[repo.maintainers[$0 % repo.maintainers.count]] }
        let mergedBy = repo.maintainers[rng.below(repo.maintainers.count)]
        // Facts that change as commits are pushed (one push per revision).
        var push = SplitMix64(
            c.world.seed, UInt64(repo.index), UInt64(n), UInt64(v.revision), RandomPurpose.pullRequest.rawValue)
        let headSha = NodeID.sha(&push)
        let baseSha = NodeID.sha(&push)
        let mergeSha: String? = push.chance(0.03) ? nil : NodeID.sha(&push)
        let commits = rng.skewed(max: 25) + v.revision
        let reviewComments = push.skewed(max: 20) - 1 + v.revision
        let mergeable: Bool? = v.isClosed ? nil : (push.chance(0.2) ? nil : push.chance(0.8))
        let merged = v.mergedAt != nil

        asciiOnly = c.asciiEscaped
        defer { asciiOnly = false }
        beginObject()
        key("url")
        repoAPIURL(repo, "/pulls/", n)
        key("id")
        int(c.pullId)
        key("node_id")
        string(NodeID.make("011:PullRequest", c.pullId))
        key("html_url")
        repoHTMLURL(repo, "/pull/", n)
        key("diff_url")
        repoHTMLURL(repo, "/pull/", n, ".diff")
        key("patch_url")
        repoHTMLURL(repo, "/pull/", n, ".patch")
        key("issue_url")
        repoAPIURL(repo, "/issues/", n)
        key("number")
        int(n)
        key("state")
        string(v.isClosed ? "closed" : "open")
        key("locked")
        bool(false)
        key("title")
        string(c.title)
        key("user")
        userObject(c.author)
        key("body")
        string(c.body)
        key("created_at")
        timestamp(c.plan.createdAt)
        key("updated_at")
        timestamp(v.updatedAt)
        key("closed_at")
        timestamp(v.closedAt)
        key("merged_at")
        timestamp(v.mergedAt)
        key("merge_commit_sha")
        string(mergeSha)
        let assignees = c.assignees
        key("assignee")
        userObject(assignees.first)
        key("assignees")
        usersArray(assignees)
        key("requested_reviewers")
        usersArray(v.isClosed ? [] : reviewers)
        key("requested_teams")
        beginArray()
        endArray()
        key("labels")
        labelsArray(c)
        key("milestone")
        milestoneObject(c.milestone, world: c.world, repo: repo)
        key("draft")
        bool(v.isDraft)
        key("commits_url")
        repoAPIURL(repo, "/pulls/", n, "/commits")
        key("review_comments_url")
        repoAPIURL(repo, "/pulls/", n, "/comments")
        key("review_comment_url")
        repoAPIURL(repo, "/pulls/comments{/number}")
        key("comments_url")
        repoAPIURL(repo, "/issues/", n, "/comments")
        key("statuses_url")
        beginString()
        fragment("https://api.github.com/repos/")
        fragment(repo.fullName)
        fragment("/statuses/")
        fragment(headSha)
        endString()

        key("head")
        let headOwner = fromFork ? c.author : repo.ownerProfile
        beginObject()
        key("label")
        beginString()
        fragment(headOwner.login)
        fragment(":")
        fragment(branch)
        endString()
        key("ref")
        string(branch)
        key("sha")
        string(headSha)
        key("user")
        userObject(headOwner)
        key("repo")
        if headRepoDeleted { null() } else { repositoryObject(repo, forkOwner: fromFork ? c.author : nil) }
        endObject()

        key("base")
        beginObject()
        key("label")
        beginString()
        fragment(repo.owner)
        fragment(":")
        fragment(repo.defaultBranch)
        endString()
        key("ref")
        string(repo.defaultBranch)
        key("sha")
        string(baseSha)
        key("user")
        userObject(repo.ownerProfile)
        key("repo")
        repositoryObject(repo)
        endObject()

        key("_links")
        beginObject()
        key("self")
        link { $0.repoAPIURL(repo, "/pulls/", n) }
        key("html")
        link { $0.repoHTMLURL(repo, "/pull/", n) }
        key("issue")
        link { $0.repoAPIURL(repo, "/issues/", n) }
        key("comments")
        link { $0.repoAPIURL(repo, "/issues/", n, "/comments") }
        key("review_comments")
        link { $0.repoAPIURL(repo, "/pulls/", n, "/comments") }
        key("review_comment")
        link { $0.repoAPIURL(repo, "/pulls/comments{/number}") }
        key("commits")
        link { $0.repoAPIURL(repo, "/pulls/", n, "/commits") }
        key("statuses")
        link { w in
            w.beginString()
            w.fragment("https://api.github.com/repos/")
            w.fragment(repo.fullName)
            w.fragment("/statuses/")
            w.fragment(headSha)
            w.endString()
        }
        endObject()

        key("author_association")
        string(c.authorAssociation)
        key("auto_merge")
        null()
        key("active_lock_reason")
        null()
        key("merged")
        bool(merged)
        key("mergeable")
        if let mergeable { bool(mergeable) } else { null() }
        key("rebaseable")
        if let mergeable { bool(mergeable && push.chance(0.9)) } else { null() }
        key("mergeable_state")
        string(
            v.isClosed
                ? "unknown" : (mergeable == false ? "dirty" : push.pick(["clean", "blocked", "unstable", "clean"])))
        key("merged_by")
        userObject(merged ? c.world.users[mergedBy] : nil)
        key("comments")
        int(v.comments)
        key("review_comments")
        int(reviewComments)
        key("maintainer_can_modify")
        bool(maintainerCanModify)
        key("commits")
        int(commits)
        key("additions")
        int(additions)
        key("deletions")
        int(deletions)
        key("changed_files")
        int(changedFiles)
        endObject()
    }

    /// `{"href": ...}`.
    private mutating func link(_ href: (inout JSONByteWriter) -> Void) {
        beginObject()
        key("href")
        href(&self)
        endObject()
    }
}
