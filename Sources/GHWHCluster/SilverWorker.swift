import GHWHJSON
import GHWHModel
import GHWHRaw
import GHWHWarehouse

/// Runs the silver transform of one task: every record is validated and
/// projected, turned into a row or a reject, and encoded as COPY text, so the
/// loader only streams bytes into Postgres.
public struct SilverWorker: Sendable {
    public let name: String
    let issueProjector = JSONProjector(IssueTransform.selection)
    let pullRequestProjector = JSONProjector(PullRequestTransform.selection)

    public static let excerptBytes = 1024

    public init(name: String) { self.name = name }

    public func run(_ task: SilverTask) -> SilverStore.TaskCommit {
        var rows = CopyTextWriter(reservingCapacity: max(1 << 16, task.records.byteCount / 8))
        var rejects = CopyTextWriter(reservingCapacity: 1 << 12)
        let provenance = SilverCopyEncoding.Provenance(documentId: task.documentId,
                                                      ingestDate: task.ingestDate.description, source: task.source)
        let batch = task.records
        let projector = task.dataset == .issues ? issueProjector : pullRequestProjector
        batch.bytes.withUnsafeBytes { all in
            for i in 0..<batch.count {
                let record = UnsafeRawBufferPointer(rebasing: all[batch.bounds[i] ..< batch.bounds[i + 1]])
                let ordinal = Int64(batch.firstOrdinal + i)
                do {
                    let value: JSONValue
                    do throws(JSONSyntaxError) { value = try projector.project(record) } catch {
                        throw RecordRejectReason.invalidJSON(offset: error.offset, reason: error.reason)
                    }
                    switch task.dataset {
                    case .issues:
                        SilverCopyEncoding.append(try IssueTransform.row(from: value), ordinal: ordinal, provenance, to: &rows)
                    case .pullRequests:
                        SilverCopyEncoding.append(try PullRequestTransform.row(from: value), ordinal: ordinal, provenance, to: &rows)
                    }
                } catch let reason as RecordRejectReason {
                    SilverCopyEncoding.appendReject(
                        dataset: task.dataset.rawValue, ordinal: ordinal, byteOffset: batch.documentOffsets[i],
                        reasonCode: reason.code, reason: reason.description,
                        excerpt: Self.excerpt(record), provenance, to: &rejects)
                } catch {
                    preconditionFailure("transforms throw only RecordRejectReason: \(error)")
                }
            }
        }
        return SilverStore.TaskCommit(
            taskId: task.taskId, jobId: task.jobId, dataset: task.dataset.silver, documentId: task.documentId,
            filePath: task.filePath, source: task.source, ingestDate: task.ingestDate.description,
            chunkIndex: task.chunkIndex, finalChunkCount: task.finalChunkCount, records: batch.count,
            rowsCopy: rows.bytes, rowCount: rows.rowCount, rejectsCopy: rejects.bytes, rejectCount: rejects.rowCount,
            worker: name)
    }

    /// The first 1 KB of a raw record as text; invalid UTF-8 becomes U+FFFD.
    static func excerpt(_ record: UnsafeRawBufferPointer) -> String {
        String(decoding: record.prefix(excerptBytes), as: UTF8.self)
    }
}
