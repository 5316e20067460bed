/// One silver task's output, as the worker encoded it: what travels from a
/// worker to the loader and what the loader commits (a plain value, so the
/// wire and the warehouse share it without depending on each other).
public struct SilverTaskOutput: Sendable {
    public var taskId: String
    public var jobId: String
    public var dataset: Dataset
    public var documentId: Int64
    public var filePath: String
    public var source: String
    public var ingestDate: String
    public var chunkIndex: Int
    /// Set on the document's last chunk: the number of chunks (tasks) it was split into.
    public var finalChunkCount: Int?
    public var records: Int
    /// The rows in binary COPY form without header or trailer (`CopyBinaryWriter`; the
    /// rejects are COPY text); slices so that a decoded output shares the frame it came in (no copy).
    public var rowsCopy: ArraySlice<UInt8>
    public var rowCount: Int
    public var rejectsCopy: ArraySlice<UInt8>
    public var rejectCount: Int
    public var worker: String
    public init(
        taskId: String, jobId: String, dataset: Dataset, documentId: Int64, filePath: String,
        source: String, ingestDate: String, chunkIndex: Int, finalChunkCount: Int?, records: Int,
        rowsCopy: ArraySlice<UInt8>, rowCount: Int, rejectsCopy: ArraySlice<UInt8>, rejectCount: Int, worker: String
    ) {
        self.taskId = taskId
        self.jobId = jobId
        self.dataset = dataset
        self.documentId = documentId
        self.filePath = filePath
        self.source = source
        self.ingestDate = ingestDate
        self.chunkIndex = chunkIndex
        self.finalChunkCount = finalChunkCount
        self.records = records
        self.rowsCopy = rowsCopy
        self.rowCount = rowCount
        self.rejectsCopy = rejectsCopy
        self.rejectCount = rejectCount
        self.worker = worker
    }
}

extension SilverTaskOutput {
    /// Bytes of COPY data it carries (rows and rejects).
    public var copyBytes: Int { rowsCopy.count + rejectsCopy.count }
}
