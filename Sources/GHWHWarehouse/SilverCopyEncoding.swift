import GHWHModel

/// COPY encoding of silver rows into the staging tables
/// (`ghwh_meta.stage_issues` / `stage_pull_requests`), binary (`CopyBinaryWriter`):
/// `document_id`, then the silver columns in table order; of rejects, COPY
/// text. Workers encode; the loader only streams bytes.
public enum SilverCopyEncoding {
    public static let issueColumns = [
        "repo_name", "number", "id", "title", "state", "user_login", "created_at", "updated_at", "closed_at",
        "is_pull_request", "milestone_number", "milestone_title", "labels", "comments",
        "ingest_date", "source", "source_ordinal",
    ]
    public static let pullRequestColumns = [
        "repo_name", "number", "id", "title", "state", "draft", "user_login", "created_at", "updated_at",
        "closed_at", "merged_at", "additions", "deletions", "changed_files", "commits",
        "milestone_number", "milestone_title", "labels", "base_ref", "closing_references",
        "ingest_date", "source", "source_ordinal",
    ]
    public static let rejectColumns = [
        "dataset", "source", "ordinal", "byte_offset", "reason_code", "reason", "excerpt", "ingest_date", "document_id",
    ]

    /// Where a record came from; identical for every row of one task.
    public struct Provenance: Sendable {
        public let documentId: Int64
        public let ingestDate: String
        public let source: String
        public init(documentId: Int64, ingestDate: String, source: String) {
            self.documentId = documentId
            self.ingestDate = ingestDate
            self.source = source
        }
    }

    public static func append(_ r: IssueRow, ordinal: Int64, _ p: Provenance, to w: inout CopyBinaryWriter) {
        w.int(p.documentId)
        w.text(r.repoName)
        w.int(r.number)
        w.int(r.id)
        w.text(r.title)
        w.text(r.state)
        w.text(r.userLogin)
        w.timestamp(microsecondsSinceEpoch: r.createdAt)
        w.timestamp(microsecondsSinceEpoch: r.updatedAt)
        w.timestamp(microsecondsSinceEpoch: r.closedAt)
        w.bool(r.isPullRequest)
        w.int(r.milestoneNumber)
        w.text(r.milestoneTitle)
        w.textArray(r.labels)
        w.int(r.comments)
        w.date(p.ingestDate)
        w.text(p.source)
        w.int(ordinal)
        w.endRow()
    }

    public static func append(_ r: PullRequestRow, ordinal: Int64, _ p: Provenance, to w: inout CopyBinaryWriter) {
        w.int(p.documentId)
        w.text(r.repoName)
        w.int(r.number)
        w.int(r.id)
        w.text(r.title)
        w.text(r.state)
        w.bool(r.draft)
        w.text(r.userLogin)
        w.timestamp(microsecondsSinceEpoch: r.createdAt)
        w.timestamp(microsecondsSinceEpoch: r.updatedAt)
        w.timestamp(microsecondsSinceEpoch: r.closedAt)
        w.timestamp(microsecondsSinceEpoch: r.mergedAt)
        w.int(r.additions)
        w.int(r.deletions)
        w.int(r.changedFiles)
        w.int(r.commits)
        w.int(r.milestoneNumber)
        w.text(r.milestoneTitle)
        w.textArray(r.labels)
        w.text(r.baseRef)
        w.textArray(r.closingReferences.map(\.description))
        w.date(p.ingestDate)
        w.text(p.source)
        w.int(ordinal)
        w.endRow()
    }

    public static func appendReject(
        dataset: String, ordinal: Int64, byteOffset: Int64, reasonCode: String,
        reason: String, excerpt: String, _ p: Provenance, to w: inout CopyTextWriter
    ) {
        w.text(dataset)
        w.text(p.source)
        w.int(ordinal)
        w.int(byteOffset)
        w.text(reasonCode)
        w.text(reason)
        w.text(excerpt)
        w.date(p.ingestDate)
        w.int(p.documentId)
        w.endRow()
    }
}
