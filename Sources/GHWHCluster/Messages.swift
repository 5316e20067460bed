import GHWHModel
import GHWHRaw
import GHWHWarehouse

// Every value the cluster roles hand each other. Today they travel through
// in-process queues (`LocalCluster`); the wire protocol frames exactly these.

/// A contiguous batch of raw records cut from one document.
public struct RecordBatch: Sendable {
    /// The records' bytes, back to back (a slice: a worker decodes them in
    /// place in the task frame's payload).
    public var bytes: ArraySlice<UInt8> = []
    /// Record i is bytes[bounds[i] ..< bounds[i+1]].
    public var bounds: [Int] = [0]
    /// Byte offset of each record in its document (for reject reports).
    public var documentOffsets: [Int64] = []
    /// Ordinal (0-based index in the document) of the first record.
    public var firstOrdinal: Int = 0
    /// Records (by index in the batch) that were over the size limit: their
    /// full length; their bytes here are only the excerpt the reject keeps.
    public var oversizedLengths: [Int: Int] = [:]

    /// Reserving the chunk size up front avoids doubling growth (2x memory per batch).
    public init(firstOrdinal: Int = 0, reservingCapacity: Int = 0) {
        self.firstOrdinal = firstOrdinal
        bytes.reserveCapacity(reservingCapacity)
    }

    public var count: Int { bounds.count - 1 }
    public var byteCount: Int { bytes.count }
    /// Bytes of JSON the batch stands for (oversized records at their full length).
    public var inputBytes: Int {
        oversizedLengths.reduce(bytes.count) { sum, entry in
            sum + entry.value - (bounds[entry.key + 1] - bounds[entry.key])
        }
    }

    public mutating func append(_ record: UnsafeRawBufferPointer, documentOffset: Int64, oversizedLength: Int? = nil) {
        if let oversizedLength { oversizedLengths[count] = oversizedLength }
        bytes.append(contentsOf: record)
        bounds.append(bytes.count)
        documentOffsets.append(documentOffset)
    }
}

/// One unit of silver work: a chunk of one document, committed exactly once.
public struct SilverTask: Sendable {
    /// Stable across runs: "<document id hex>:<chunk index>".
    public var taskId: String
    public var jobId: String
    public var dataset: Dataset
    public var documentId: Int64
    public var filePath: String
    public var source: String
    public var ingestDate: IngestDate
    public var chunkIndex: Int
    /// Set on a document's last chunk: how many chunks it has.
    public var finalChunkCount: Int?
    public var records: RecordBatch
    /// Set instead of `records` when the task is a whole document stored in
    /// at most a chunk: its stored (possibly compressed) bytes, split by the worker.
    public var document: StoredDocument? = nil
    /// For a whole document: the worker cuts its output into chunks where the
    /// planner would cut a streamed document (after the record that reaches
    /// this many bytes), so each result stays about a chunk's size and a chunk
    /// has the same identity whichever side split it. 0: one output.
    public var chunkBytes = 0

    /// Bytes the task holds in memory, for read-ahead accounting.
    public var payloadBytes: Int { records.byteCount + (document?.bytes.count ?? 0) }
}

/// Small whole documents (of one dataset) travelling as one task, so a tree
/// of many small files costs a task, a transaction and a merge per group,
/// not per file. Each member keeps its own identity: it commits, fails and
/// is skipped on resume as it would alone.
public struct SilverTaskGroup: Sendable {
    /// "<first member's task id>+<member count>": unique within a job.
    public var taskId: String
    public var members: [SilverTask]

    public init(members: [SilverTask]) {
        precondition(!members.isEmpty, "a task group has members")
        self.taskId = members[0].taskId + "+" + String(members.count)
        self.members = members
    }

    public var payloadBytes: Int { members.reduce(0) { $0 + $1.payloadBytes } }
}

/// One unit of gold work: every gold row of a hash bucket of repos.
public struct GoldTask: Sendable {
    public var taskId: String
    public var jobId: String
    public var bucket: Int
    public var repos: [String]
    public var targets: Set<GoldTarget>
    /// The dirty marks this task clears when it commits.
    public var marks: [GoldMark]
}

/// A gold task's output, COPY-encoded per table.
public struct GoldResult: Sendable {
    public var task: GoldTask
    public var copies: GoldCopies
    public var worker: String
}

/// What a worker is handed.
public enum WorkerTask: Sendable {
    case silver(SilverTask)
    case gold(GoldTask)
    case silverGroup(SilverTaskGroup)
}

/// What the planner tells the loader besides task results.
public enum LoaderMessage: Sendable {
    case startJob(jobId: String, job: String, from: String?, to: String?, force: Bool)
    case beginFile(
        jobId: String, dataset: Dataset, path: String, ingestDate: IngestDate, size: Int64, hash: String, force: Bool)
    case result(SilverTaskOutput, inputBytes: Int)
    case documentFailed(
        dataset: Dataset, documentId: Int64, filePath: String, source: String,
        ingestDate: IngestDate, reason: String)
    case sealFile(dataset: Dataset, path: String, documentCount: Int, fileError: String?)
    case goldResult(GoldResult)
    case finishJob(jobId: String, summary: JobSummary)
}
