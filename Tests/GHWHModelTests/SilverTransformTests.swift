import Foundation
import GHWHJSON
import GHWHTestSupport
import Testing

@testable import GHWHModel

/// JSON record -> silver row, per docs/contract.md#silver-tables.
struct SilverTransformTests {
    static func issue(_ json: String) throws(RecordRejectReason) -> IssueRow {
        try IssueTransform.row(from: project(json, IssueTransform.selection))
    }
    static func pull(_ json: String) throws(RecordRejectReason) -> PullRequestRow {
        try PullRequestTransform.row(from: project(json, PullRequestTransform.selection))
    }
    static func project(_ json: String, _ selection: [String: JSONSelection]) -> JSONValue {
        var bytes = Array(json.utf8)
        return bytes.withUnsafeMutableBytes { try! JSONProjector(selection).project(UnsafeRawBufferPointer($0)) }
    }
    static func rejectReason(_ body: () throws(RecordRejectReason) -> Void) -> RecordRejectReason? {
        do {
            try body()
            return nil
        } catch { return error }
    }

    static let base =
        #""repository_url": "https://api.github.com/repos/Octo-Org/Hello.World", "created_at": "2024-01-02T03:04:05Z""#

    @Test func newAPIIssue() throws {
        let row = try Self.issue(
            #"""
            {"number": 7, "id": 99, "title": "Crash 💥", "state": "closed", "user": {"login": "ana", "id": 1},
             \#(Self.base), "updated_at": "2024-01-03T00:00:00Z", "closed_at": "2024-01-03T00:00:00+01:00",
             "labels": [{"name": "bug", "color": "f00"}, "legacy", {"name": null}, {"color": "x"}, {"name": "bug"}],
             "milestone": {"number": 2, "title": "v1.0", "state": "open"}, "comments": 3, "body": "x"}
            """#)
        #expect(row.repoName == "octo-org/hello.world")
        #expect(row.number == 7 && row.id == 99 && row.title == "Crash 💥" && row.state == "closed")
        #expect(row.userLogin == "ana")
        #expect(row.createdAt == 1_704_164_645_000_000)
        #expect(row.updatedAt == 1_704_240_000_000_000)
        #expect(row.closedAt == 1_704_236_400_000_000)
        #expect(row.labels == ["bug", "legacy"])
        #expect(row.milestoneNumber == 2 && row.milestoneTitle == "v1.0")
        #expect(row.comments == 3)
        #expect(row.isPullRequest == false)
    }

    @Test func pullRequestSeenThroughIssuesEndpoint() throws {
        let row = try Self.issue(#"{"number": 1, \#(Self.base), "pull_request": {"url": "u"}}"#)
        #expect(row.isPullRequest)
        let nullPR = try Self.issue(#"{"number": 1, \#(Self.base), "pull_request": null}"#)
        #expect(!nullPR.isPullRequest)
    }

    @Test func oldAPIRecordWithoutRepositoryURL() throws {
        let fromURL = try Self.issue(
            #"{"number": 3, "created_at": "2012-05-27T07:03:19Z", "url": "https://api.github.com/repos/Jacquev6/PyGithub/issues/3"}"#
        )
        #expect(fromURL.repoName == "jacquev6/pygithub")
        let fromHTML = try Self.issue(
            #"{"number": 3, "created_at": "2012-05-27T07:03:19Z", "html_url": "https://github.com/Jacquev6/PyGithub/issues/3"}"#
        )
        #expect(fromHTML.repoName == "jacquev6/pygithub")
    }

    @Test func updatedAtMissingMeansCreatedAt() throws {
        let row = try Self.issue(#"{"number": 1, \#(Self.base)}"#)
        #expect(row.updatedAt == row.createdAt)
        let nullUpdated = try Self.issue(#"{"number": 1, \#(Self.base), "updated_at": null}"#)
        #expect(nullUpdated.updatedAt == nullUpdated.createdAt)
    }

    @Test(arguments: [
        (#"{"number": 12.5, \#(base)}"#, "invalid_number"),
        (#"{"number": "12", \#(base)}"#, "invalid_number"),
        (#"{"number": true, \#(base)}"#, "invalid_number"),
        (#"{"number": null, \#(base)}"#, "missing_number"),
        (#"{\#(base)}"#, "missing_number"),
        (#"{"number": 1, "repository_url": "https://api.github.com/repos/o/r"}"#, "missing_created_at"),
        (
            #"{"number": 1, "repository_url": "https://api.github.com/repos/o/r", "created_at": "2016-09-15 05:52:11 UTC"}"#,
            "invalid_timestamp"
        ),
        (
            #"{"number": 1, "repository_url": "https://api.github.com/repos/o/r", "created_at": 1473918731}"#,
            "invalid_timestamp"
        ),
        (#"{"number": 1, \#(base), "updated_at": "yesterday"}"#, "invalid_timestamp"),
        (#"{"number": 1, "created_at": "2024-01-01T00:00:00Z"}"#, "no_repository"),
        (#"{"number": 1, "created_at": "2024-01-01T00:00:00Z", "url": "not a url"}"#, "no_repository"),
        (#"{"number": 1, \#(base), "title": 5}"#, "wrong_type"),
        (#"{"number": 1, \#(base), "labels": "bug"}"#, "wrong_type"),
        (#"{"number": 1, \#(base), "labels": [3]}"#, "wrong_type"),
        (#"{"number": 1, \#(base), "labels": [{"name": 3}]}"#, "wrong_type"),
        (#"{"number": 1, \#(base), "milestone": "v1"}"#, "wrong_type"),
        (#"{"number": 1, \#(base), "milestone": {"number": "2"}}"#, "wrong_type"),
        (#"{"number": 1, \#(base), "user": {"login": 5}}"#, "wrong_type"),
        (#"{"number": 1, \#(base), "comments": 1.5}"#, "wrong_type"),
        (#"[1, 2]"#, "not_an_object"),
        (#""text""#, "not_an_object"),
    ])
    func issueRejects(json: String, code: String) {
        let reason = Self.rejectReason { () throws(RecordRejectReason) in _ = try Self.issue(json) }
        #expect(reason?.code == code, "\(json) -> \(String(describing: reason))")
        #expect(reason.map { !$0.description.isEmpty } ?? false)
    }

    @Test func pullRequestRow() throws {
        let row = try Self.pull(
            #"""
            {"number": 42, "id": 5, "title": "Fix parser, fixes #7", "state": "closed", "draft": false,
             "user": {"login": "bo"}, "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-02T00:00:00Z",
             "closed_at": "2024-01-02T00:00:00Z", "merged_at": "2024-01-02T00:00:00Z",
             "additions": 10, "deletions": 4, "changed_files": 2, "commits": 3,
             "milestone": null, "labels": [{"name": "bug"}],
             "base": {"ref": "main", "repo": {"full_name": "Octo/Repo"}},
             "body": "Closes Other/Lib#3 and see #9.\nResolves https://github.com/octo/repo/issues/11",
             "url": "https://api.github.com/repos/elsewhere/x/pulls/42"}
            """#)
        #expect(row.repoName == "octo/repo")
        #expect(
            row.draft == false && row.additions == 10 && row.deletions == 4 && row.changedFiles == 2 && row.commits == 3
        )
        #expect(row.mergedAt == 1_704_153_600_000_000)
        #expect(row.baseRef == "main")
        #expect(row.labels == ["bug"])
        #expect(row.milestoneTitle == nil)
        #expect(row.closingReferences.map(\.description) == ["octo/repo#7", "other/lib#3", "octo/repo#11"])
    }

    @Test func pullRequestRepoFallsBackToURL() throws {
        let row = try Self.pull(
            #"{"number": 1, "created_at": "2024-01-01T00:00:00Z", "base": {"repo": null}, "url": "https://api.github.com/repos/A/B/pulls/1"}"#
        )
        #expect(row.repoName == "a/b")
        let reason = Self.rejectReason { () throws(RecordRejectReason) in
            _ = try Self.pull(
                #"{"number": 1, "created_at": "2024-01-01T00:00:00Z", "additions": "10", "url": "https://api.github.com/repos/A/B/pulls/1"}"#
            )
        }
        #expect(reason?.code == "wrong_type")
    }

    /// What a run over real objects went through, so a test can tell it was not vacuous.
    struct RealRun {
        var objects = 0, rejects = 0, pullRequestIssues = 0, plainIssues = 0, oldShapeIssues = 0, merged = 0
    }

    /// Every real issue or PR object of `directory` transforms, and the repo and number agree
    /// with an independent reading through Foundation.
    static func transformsEveryObject(dataset: String, in directory: URL) throws -> RealRun {
        let objects = try RealFixtures.objects("\(dataset).json", in: directory)
        var run = RealRun(objects: objects.count)
        for object in objects {
            let bytes = try JSONSerialization.data(withJSONObject: object)
            let expectedNumber = try #require(object["number"] as? Int)
            let apiURL = try #require(object["url"] as? String)
            let parts = apiURL.components(separatedBy: "/repos/")[1].split(separator: "/")
            let expectedRepo = "\(parts[0])/\(parts[1])".lowercased()
            let text = String(decoding: bytes, as: UTF8.self)
            // A few recorded objects use `2016-09-15 05:52:11 UTC`, which docs/contract.md#timestamps
            // refuses: those must be rejects, nothing else.
            let created = try #require(object["created_at"] as? String)
            if Timestamp.parseMicroseconds(created) == nil {
                #expect(created.hasSuffix(" UTC"))
                let reason = Self.rejectReason { () throws(RecordRejectReason) in
                    _ = dataset == "issues" ? try Self.issue(text).number : try Self.pull(text).number
                }
                #expect(reason?.code == "invalid_timestamp")
                run.rejects += 1
                continue
            }
            if dataset == "issues" {
                let row = try Self.issue(text)
                #expect(row.number == Int64(expectedNumber))
                #expect(row.repoName == expectedRepo || object["repository_url"] != nil)
                #expect(row.isPullRequest == (object["pull_request"] != nil))
                if row.isPullRequest { run.pullRequestIssues += 1 } else { run.plainIssues += 1 }
                if object["repository_url"] == nil { run.oldShapeIssues += 1 }
            } else {
                let row = try Self.pull(text)
                #expect(row.number == Int64(expectedNumber))
                let full = ((object["base"] as? [String: Any])?["repo"] as? [String: Any])?["full_name"] as? String
                #expect(row.repoName == (full?.lowercased() ?? expectedRepo))
                #expect(row.additions == (object["additions"] as? Int).map(Int64.init))
                if row.mergedAt != nil { run.merged += 1 }
            }
        }
        return run
    }

    /// The fixtures were picked to hold each case (Tests/Fixtures/github-real/SOURCES.md says why
    /// each object is there): PRs seen as issues and plain issues, old-API issues without
    /// `repository_url`, merged PRs, and one PR whose `created_at` ends in ` UTC`.
    @Test func realIssues() throws {
        let run = try Self.transformsEveryObject(dataset: "issues", in: RealFixtures.directory())
        #expect(run.pullRequestIssues > 0 && run.plainIssues > 0 && run.oldShapeIssues > 0, "\(run)")
        #expect(run.rejects == 0)
    }

    @Test func realPullRequests() throws {
        let run = try Self.transformsEveryObject(dataset: "pull_requests", in: RealFixtures.directory())
        #expect(run.merged > 0 && run.rejects == 1, "\(run)")
    }

    /// The same on the full corpus (GHWH_FULL_CORPUS=<dir>), never run by default.
    @Test(.enabled(if: RealFixtures.fullCorpusRequested), arguments: ["issues", "pull_requests"])
    func fullCorpus(dataset: String) throws {
        let run = try Self.transformsEveryObject(dataset: dataset, in: RealFixtures.fullCorpusDirectory())
        #expect(run.objects > 100)
    }
}
