/// An issue object as `GET /repos/{o}/{r}/issues` returns it; PRs appear here too,
/// with a `pull_request` key. About 2% use the old shape without `repository_url`.
extension JSONByteWriter {
    mutating func issueObject(_ c: RecordContent) {
        // Long on purpose: the object's keys in the API's order, written one by one, read as the JSON they produce.
        let repo = c.repo
        let n = c.plan.number
        let v = c.version
        let isPR = c.plan.isPullRequest
        asciiOnly = c.asciiEscaped
        defer { asciiOnly = false }
        beginObject()
        key("url")
        repoAPIURL(repo, "/issues/", n)
        if !c.oldApiShape {
            key("repository_url")
            repoAPIURL(repo, "")
        }
        key("labels_url")
        repoAPIURL(repo, "/issues/", n, "/labels{/name}")
        key("comments_url")
        repoAPIURL(repo, "/issues/", n, "/comments")
        key("events_url")
        repoAPIURL(repo, "/issues/", n, "/events")
        if isPR {
            key("html_url")
            repoHTMLURL(repo, "/pull/", n)
        } else {
            key("html_url")
            repoHTMLURL(repo, "/issues/", n)
        }
        key("id")
        int(c.issueId)
        if !c.oldApiShape {
            key("node_id")
            string(NodeID.make(isPR ? "011:PullRequest" : "05:Issue", c.issueId))
        }
        key("number")
        int(n)
        key("title")
        string(c.title)
        key("user")
        userObject(c.author)
        key("labels")
        labelsArray(c)
        key("state")
        string(v.isClosed ? "closed" : "open")
        key("locked")
        bool(false)
        let assignees = c.assignees
        key("assignee")
        userObject(assignees.first)
        key("assignees")
        usersArray(assignees)
        key("milestone")
        milestoneObject(c.milestone, world: c.world, repo: repo)
        key("comments")
        int(v.comments)
        key("created_at")
        timestamp(c.plan.createdAt)
        key("updated_at")
        timestamp(v.updatedAt)
        key("closed_at")
        timestamp(v.closedAt)
        key("author_association")
        string(c.authorAssociation)
        if !c.oldApiShape {
            key("type")
            null()
            key("active_lock_reason")
            null()
            key("sub_issues_summary")
            beginObject()
            key("total")
            int(0)
            key("completed")
            int(0)
            key("percent_completed")
            int(0)
            endObject()
        }
        if isPR {
            key("draft")
            bool(v.isDraft)
            key("pull_request")
            beginObject()
            key("url")
            repoAPIURL(repo, "/pulls/", n)
            key("html_url")
            repoHTMLURL(repo, "/pull/", n)
            key("diff_url")
            repoHTMLURL(repo, "/pull/", n, ".diff")
            key("patch_url")
            repoHTMLURL(repo, "/pull/", n, ".patch")
            key("merged_at")
            timestamp(v.mergedAt)
            endObject()
        }
        key("body")
        string(c.body)
        if v.isClosed, let closer = c.closedBy {
            key("closed_by")
            userObject(c.world.users[closer])
        }
        if !c.oldApiShape {
            key("reactions")
            reactionsObject(c)
            key("timeline_url")
            repoAPIURL(repo, "/issues/", n, "/timeline")
            key("performed_via_github_app")
            null()
            key("state_reason")
            string(c.stateReason)
        }
        endObject()
    }
}
