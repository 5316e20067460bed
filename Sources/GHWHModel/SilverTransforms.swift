import GHWHJSON

/// JSON record -> silver row, per docs/contract.md#silver-tables. Pure: no I/O. The
/// selections name every member a transform reads, so the scanner materialises
/// nothing else.
public enum IssueTransform {
    public static let selection: [String: JSONSelection] = [
        "number": .all, "id": .all, "title": .all, "state": .all,
        "user": .fields(["login": .all]),
        "created_at": .all, "updated_at": .all, "closed_at": .all,
        "pull_request": .fields([:]),
        "milestone": .fields(["number": .all, "title": .all]),
        "labels": .fields(["name": .all]),
        "comments": .all,
        "repository_url": .all, "url": .all, "html_url": .all,
    ]

    public static func row(from record: JSONValue) throws(RecordRejectReason) -> IssueRow {
        guard let r = FieldReader(record) else { throw .notAnObject(kind: record.kindName) }
        let number = try r.recordNumber()
        let createdAt = try r.createdAt()
        let repo = try deriveRepo(r)
        let milestone = try r.milestone()
        return IssueRow(
            repoName: repo, number: number, id: try r.int("id"), title: try r.string("title"),
            state: try r.string("state"), userLogin: try r.object("user")?.string("login"),
            createdAt: createdAt, updatedAt: try r.timestamp("updated_at") ?? createdAt,
            closedAt: try r.timestamp("closed_at"),
            isPullRequest: r.isPresentAndNotNull("pull_request"),
            milestoneNumber: milestone.number, milestoneTitle: milestone.title,
            labels: try r.labelNames(), comments: try r.int("comments"))
    }

    static func deriveRepo(_ r: FieldReader) throws(RecordRejectReason) -> String {
        if let u = try r.string("repository_url"), let repo = RepoName.fromAPIURL(u) { return repo }
        if let u = try r.string("url"), let repo = RepoName.fromAnyURL(u) { return repo }
        if let u = try r.string("html_url"), let repo = RepoName.fromHTMLURL(u) { return repo }
        throw .noRepository
    }
}

public enum PullRequestTransform {
    public static let selection: [String: JSONSelection] = [
        "number": .all, "id": .all, "title": .all, "state": .all, "draft": .all,
        "user": .fields(["login": .all]),
        "created_at": .all, "updated_at": .all, "closed_at": .all, "merged_at": .all,
        "additions": .all, "deletions": .all, "changed_files": .all, "commits": .all,
        "milestone": .fields(["number": .all, "title": .all]),
        "labels": .fields(["name": .all]),
        "base": .fields(["ref": .all, "repo": .fields(["full_name": .all])]),
        "body": .all, "url": .all, "html_url": .all,
    ]

    public static func row(from record: JSONValue) throws(RecordRejectReason) -> PullRequestRow {
        guard let r = FieldReader(record) else { throw .notAnObject(kind: record.kindName) }
        let number = try r.recordNumber()
        let createdAt = try r.createdAt()
        let base = try r.object("base")
        let repo = try deriveRepo(r, base: base)
        let milestone = try r.milestone()
        let title = try r.string("title")
        let body = try r.string("body")
        return PullRequestRow(
            repoName: repo, number: number, id: try r.int("id"), title: title,
            state: try r.string("state"), draft: try r.bool("draft"),
            userLogin: try r.object("user")?.string("login"),
            createdAt: createdAt, updatedAt: try r.timestamp("updated_at") ?? createdAt,
            closedAt: try r.timestamp("closed_at"), mergedAt: try r.timestamp("merged_at"),
            additions: try r.int("additions"), deletions: try r.int("deletions"),
            changedFiles: try r.int("changed_files"), commits: try r.int("commits"),
            milestoneNumber: milestone.number, milestoneTitle: milestone.title,
            labels: try r.labelNames(), baseRef: try base?.string("ref"),
            closingReferences: ClosingReferences.parse(title: title, body: body, ownRepo: repo))
    }

    static func deriveRepo(_ r: FieldReader, base: FieldReader?) throws(RecordRejectReason) -> String {
        if let full = try base?.object("repo")?.string("full_name"), let repo = RepoName.fromFullName(full) {
            return repo
        }
        if let u = try r.string("url"), let repo = RepoName.fromAnyURL(u) { return repo }
        if let u = try r.string("html_url"), let repo = RepoName.fromHTMLURL(u) { return repo }
        throw .noRepository
    }
}
