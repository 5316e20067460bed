/// Sub-objects that appear all over GitHub payloads: users, labels, milestones, reactions.
extension JSONByteWriter {
    mutating func userObject(_ u: UserProfile) {
        beginObject()
        key("login")
        string(u.login)
        key("id")
        int(u.id)
        key("node_id")
        string(u.nodeId)
        key("avatar_url")
        beginString()
        fragment("https://avatars.githubusercontent.com/u/")
        fragment(u.id)
        fragment("?v=4")
        endString()
        key("gravatar_id")
        string("")
        key("url")
        userURL(u, "")
        key("html_url")
        beginString()
        fragment("https://github.com/")
        fragment(u.login)
        endString()
        key("followers_url")
        userURL(u, "/followers")
        key("following_url")
        userURL(u, "/following{/other_user}")
        key("gists_url")
        userURL(u, "/gists{/gist_id}")
        key("starred_url")
        userURL(u, "/starred{/owner}{/repo}")
        key("subscriptions_url")
        userURL(u, "/subscriptions")
        key("organizations_url")
        userURL(u, "/orgs")
        key("repos_url")
        userURL(u, "/repos")
        key("events_url")
        userURL(u, "/events{/privacy}")
        key("received_events_url")
        userURL(u, "/received_events")
        key("type")
        string(u.kind.rawValue)
        key("user_view_type")
        string("public")
        key("site_admin")
        bool(u.siteAdmin)
        endObject()
    }

    mutating func userObject(_ u: UserProfile?) {
        if let u { userObject(u) } else { null() }
    }

    private mutating func userURL(_ u: UserProfile, _ suffix: StaticString) {
        beginString()
        fragment("https://api.github.com/users/")
        fragment(u.login)
        fragment(suffix)
        endString()
    }

    /// `https://api.github.com/repos/<owner>/<name><suffix>`.
    mutating func repoAPIURL(_ repo: RepoModel, _ suffix: StaticString) {
        beginString()
        fragment("https://api.github.com/repos/")
        fragment(repo.fullName)
        fragment(suffix)
        endString()
    }

    /// `https://api.github.com/repos/<owner>/<name><suffix><number><tail>`.
    mutating func repoAPIURL(_ repo: RepoModel, _ suffix: StaticString, _ number: Int, _ tail: StaticString = "") {
        beginString()
        fragment("https://api.github.com/repos/")
        fragment(repo.fullName)
        fragment(suffix)
        fragment(number)
        fragment(tail)
        endString()
    }

    /// `https://github.com/<owner>/<name><suffix><number><tail>`.
    mutating func repoHTMLURL(_ repo: RepoModel, _ suffix: StaticString, _ number: Int, _ tail: StaticString = "") {
        beginString()
        fragment("https://github.com/")
        fragment(repo.fullName)
        fragment(suffix)
        fragment(number)
        fragment(tail)
        endString()
    }

    mutating func labelObject(_ label: LabelDefinition, repo: RepoModel, nullName: Bool) {
        beginObject()
        key("id")
        int(label.id)
        key("node_id")
        string(label.nodeId)
        key("url")
        beginString()
        fragment("https://api.github.com/repos/")
        fragment(repo.fullName)
        fragment("/labels/")
        fragment(label.urlName)
        endString()
        key("name")
        if nullName { null() } else { string(label.name) }
        key("color")
        string(label.color)
        key("default")
        bool(label.isDefault)
        key("description")
        string(label.description)
        endObject()
    }

    /// `labels`: objects, or (old form) bare strings; rarely an object with a null name.
    mutating func labelsArray(_ content: RecordContent) {
        beginArray()
        for (i, label) in content.labels.enumerated() {
            if content.bareStringLabels {
                string(label.name)
            } else {
                labelObject(label, repo: content.repo, nullName: content.labelNameIsNull(i))
            }
        }
        endArray()
    }

    mutating func milestoneObject(_ m: MilestoneDefinition?, world: SampleWorld, repo: RepoModel) {
        guard let m else {
            null()
            return
        }
        beginObject()
        key("url")
        repoAPIURL(repo, "/milestones/", m.number)
        key("html_url")
        repoHTMLURL(repo, "/milestone/", m.number)
        key("labels_url")
        repoAPIURL(repo, "/milestones/", m.number, "/labels")
        key("id")
        int(m.id)
        key("node_id")
        string(m.nodeId)
        key("number")
        int(m.number)
        key("title")
        string(m.title)
        key("description")
        string(m.description)
        key("creator")
        userObject(world.users[m.creator])
        key("open_issues")
        int(m.openIssues)
        key("closed_issues")
        int(m.closedIssues)
        key("state")
        string(m.isClosed ? "closed" : "open")
        key("created_at")
        timestamp(m.createdAt)
        key("updated_at")
        timestamp(m.updatedAt)
        key("due_on")
        timestamp(m.dueOn)
        key("closed_at")
        timestamp(m.isClosed ? m.updatedAt : nil)
        endObject()
    }

    mutating func usersArray(_ users: [UserProfile]) {
        beginArray()
        for u in users { userObject(u) }
        endArray()
    }

    mutating func reactionsObject(_ content: RecordContent) {
        let c = content.reactionCounts
        beginObject()
        key("url")
        repoAPIURL(content.repo, "/issues/", content.plan.number, "/reactions")
        key("total_count")
        int(c.reduce(0, +))
        key("+1")
        int(c[0])
        key("-1")
        int(c[1])
        key("laugh")
        int(c[2])
        key("hooray")
        int(c[3])
        key("confused")
        int(c[4])
        key("heart")
        int(c[5])
        key("rocket")
        int(c[6])
        key("eyes")
        int(c[7])
        endObject()
    }
}
