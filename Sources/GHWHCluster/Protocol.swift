import Foundation
import GHWHModel
import GHWHRaw
import GHWHWarehouse
import GHWHWire

// The cluster's wire protocol: every message type, in one place.
//
// Transport: nng REQ/REP. The coordinator listens (default tcp://0.0.0.0:7077);
// workers, the loader and ghwh-submit dial it and make requests. Every frame
// is versioned and authenticated by GHWHWire (magic, version, type, sender,
// sequence, timestamp, HMAC-SHA256 under the cluster secret). Payloads:
// compact binary for the bulk messages (task assignments carry the raw record
// chunk itself; results carry COPY data), JSON for the small control ones.
//
//   worker  -> RegisterWorker     -> Registered            (a new incarnation of its worker id)
//   worker  -> Heartbeat          -> HeartbeatReply        (tasks it no longer holds are named: stop them)
//   worker  -> RequestTask        -> TaskAssignment        (zero or one task; a long poll)
//   worker  -> SubmitResult       -> Ack                   (stale or duplicate results: accepted = false)
//   worker  -> ReportTaskFailure  -> Ack
//   worker  -> ReleaseTasks       -> Ack                   (graceful stop: hands tasks back, then leaves)
//
// Every worker message carries the worker id and its incarnation (a random
// id per process): only the current incarnation's messages count.
//   loader  -> FetchLoaderWork    -> LoaderWork            (ordered entries after the last ack, or after `after`)
//   loader  -> AckLoaderWork      -> Ack                   (after the commit, never before)
//   loader  -> ReportLoaderError  -> Ack                   (e.g. PostgreSQL unreachable, retrying)
//   submit  -> SubmitJob          -> JobAccepted
//   submit  -> GetJobStatus       -> JobStatus
//   submit  -> KillJob            -> Ack

public enum MessageType: UInt16, Sendable {
    case registerWorker = 1
    case registered, heartbeat, heartbeatReply, requestTask, taskAssignment
    case submitResult, ack, reportTaskFailure
    case fetchLoaderWork, loaderWork, ackLoaderWork, reportLoaderError
    case submitJob, jobAccepted, getJobStatus, jobStatus, killJob
    case releaseTasks
}

/// Small control messages travel as JSON inside the authenticated frame.
public protocol JSONWireMessage: WireMessage, Codable {}

extension JSONWireMessage {
    public func encode(into w: inout WireWriter) {
        w.bytes((try? JSONEncoder().encode(self)).map(Array.init) ?? [])
    }
    public static func decode(from r: inout WireReader) throws -> Self {
        try JSONDecoder().decode(Self.self, from: Data(try r.bytes("json")))
    }
}

// MARK: - Worker messages

public struct RegisterWorker: JSONWireMessage {
    public static let typeCode = MessageType.registerWorker.rawValue
    public var workerId: String, host: String, cores: Int
    /// Unique per worker process: a restart under the same id is a new incarnation.
    public var incarnation: String
}

public struct Registered: JSONWireMessage {
    public static let typeCode = MessageType.registered.rawValue
    public var heartbeatInterval: Double, workerTimeout: Double
}

public struct Heartbeat: JSONWireMessage {
    public static let typeCode = MessageType.heartbeat.rawValue
    public var workerId: String
    public var incarnation: String
    public var runningTasks: [String]
}

public struct HeartbeatReply: JSONWireMessage {
    public static let typeCode = MessageType.heartbeatReply.rawValue
    /// False when the coordinator doesn't know the worker (restarted, or declared it lost): register again.
    public var known: Bool
    /// Tasks the worker runs that it no longer holds: stop them (their results would be discarded).
    public var stop: [String] = []
}

public struct RequestTask: JSONWireMessage {
    public static let typeCode = MessageType.requestTask.rawValue
    public var workerId: String
    public var incarnation: String
}

public struct TaskAssignment: WireMessage {
    public static let typeCode = MessageType.taskAssignment.rawValue
    public var task: WorkerTask?
    public var attempt: Int
    /// The worker is unknown to the coordinator: register first.
    public var unknownWorker: Bool

    public init(task: WorkerTask?, attempt: Int, unknownWorker: Bool = false) {
        self.task = task
        self.attempt = attempt
        self.unknownWorker = unknownWorker
    }
    public func encode(into w: inout WireWriter) {
        w.bool(unknownWorker)
        w.varint(UInt64(attempt))
        w.optional(task) { w, t in t.encode(into: &w) }
    }
    public static func decode(from r: inout WireReader) throws -> TaskAssignment {
        let unknown = try r.bool()
        let attempt = try r.int()
        return TaskAssignment(
            task: try r.optional { try WorkerTask.decode(from: &$0) }, attempt: attempt, unknownWorker: unknown)
    }
}

public struct SubmitResult: WireMessage {
    public static let typeCode = MessageType.submitResult.rawValue
    public var workerId: String
    public var incarnation: String
    public var attempt: Int
    public var result: WorkerResult

    public func encode(into w: inout WireWriter) {
        w.string(workerId)
        w.string(incarnation)
        w.varint(UInt64(attempt))
        result.encode(into: &w)
    }
    public static func decode(from r: inout WireReader) throws -> SubmitResult {
        SubmitResult(
            workerId: try r.string(), incarnation: try r.string(), attempt: try r.int(),
            result: try WorkerResult.decode(from: &r))
    }
}

public struct ReportTaskFailure: JSONWireMessage {
    public static let typeCode = MessageType.reportTaskFailure.rawValue
    public var workerId: String, incarnation: String, taskId: String, attempt: Int, error: String
}

/// A worker that stops gracefully hands back the tasks it will not finish;
/// with `leaving`, it is also done (its incarnation ends now, not at a timeout).
public struct ReleaseTasks: JSONWireMessage {
    public static let typeCode = MessageType.releaseTasks.rawValue
    public var workerId: String, incarnation: String
    public var taskIds: [String]
    public var leaving: Bool
}

public struct Ack: JSONWireMessage {
    public static let typeCode = MessageType.ack.rawValue
    public var accepted: Bool
    public var message: String
    public init(_ accepted: Bool = true, _ message: String = "") {
        self.accepted = accepted
        self.message = message
    }
}

// MARK: - Loader messages

public struct FetchLoaderWork: JSONWireMessage {
    public static let typeCode = MessageType.fetchLoaderWork.rawValue
    public var loaderId: String
    public var maxBytes: Int
    /// Entries after this sequence number of the outbox of `epoch` (the
    /// loader fetches ahead while it commits); from the last acknowledgement
    /// when nil or for another epoch.
    public var after: UInt64? = nil
    public var epoch: String? = nil
}

/// Entries of the coordinator's loader outbox, in order; `seq` increases by one.
public struct LoaderWork: WireMessage {
    public static let typeCode = MessageType.loaderWork.rawValue
    /// Identifies this coordinator process: sequence numbers restart with it.
    public var epoch: String
    public var entries: [LoaderEntry]

    public func encode(into w: inout WireWriter) {
        w.string(epoch)
        w.array(entries) { w, e in
            w.u64(e.seq)
            e.message.encode(into: &w)
        }
    }
    public static func decode(from r: inout WireReader) throws -> LoaderWork {
        LoaderWork(
            epoch: try r.string(),
            entries: try r.array { r in LoaderEntry(seq: try r.u64(), message: try LoaderMessage.decode(from: &r)) })
    }
}

public struct LoaderEntry: Sendable {
    public var seq: UInt64
    public var message: LoaderMessage
}

public struct AckLoaderWork: JSONWireMessage {
    public static let typeCode = MessageType.ackLoaderWork.rawValue
    public var loaderId: String
    /// The epoch of the `LoaderWork` acknowledged: an acknowledgement meant
    /// for a previous coordinator process is ignored.
    public var epoch: String
    /// Every entry up to and including this one is committed.
    public var upToSeq: UInt64
    /// What those commits did (added into the job's summary).
    public var delta: JobSummary
    /// Wall time of each transaction (the ghwh_loader_commit_seconds histogram); absent from older loaders.
    public var commitSeconds: [Double]?
}

public struct ReportLoaderError: JSONWireMessage {
    public static let typeCode = MessageType.reportLoaderError.rawValue
    public var loaderId: String, message: String
}

// MARK: - Client (ghwh-submit) messages

public struct SubmitJob: JSONWireMessage {
    public static let typeCode = MessageType.submitJob.rawValue
    public var job: String
    public var from: String?, to: String?
    public var force: Bool
    /// Overrides the coordinator's raw root.
    public var rawRoot: String?
    public init(job: String, from: String?, to: String?, force: Bool, rawRoot: String?) {
        self.job = job
        self.from = from
        self.to = to
        self.force = force
        self.rawRoot = rawRoot
    }
}

public struct JobAccepted: JSONWireMessage {
    public static let typeCode = MessageType.jobAccepted.rawValue
    public var jobId: String
}

public struct GetJobStatus: JSONWireMessage {
    public static let typeCode = MessageType.getJobStatus.rawValue
    public var jobId: String
    /// A long poll: the coordinator answers as soon as the job ends, or
    /// after this many seconds (at most 5) with its progress. nil: at once.
    public var waitSeconds: Double?
    public init(jobId: String, waitSeconds: Double? = nil) {
        self.jobId = jobId
        self.waitSeconds = waitSeconds
    }
}

public struct JobStatus: JSONWireMessage, Equatable {
    public static let typeCode = MessageType.jobStatus.rawValue
    public enum State: String, Codable, Sendable { case queued, running, succeeded, failed, killed, unknown }
    public var jobId: String
    public var job: String
    public var state: State
    public var phase: String
    public var filesDone = 0, filesTotal = 0
    public var tasksDone = 0, tasksPlanned = 0, tasksRunning = 0
    public var records = 0
    public var uncompressedBytes: Int64 = 0
    public var elapsedSeconds: Double = 0
    public var etaSeconds: Double?
    /// Set instead of an ETA when nothing was planned or committed for a while.
    public var stalledSeconds: Double?
    public var workersAlive = 0
    public var error: String?
    public var loaderError: String?
    /// The rendered summary once the job ended.
    public var summary: String?
    public var summaryFailed: Bool?
}

public struct KillJob: JSONWireMessage {
    public static let typeCode = MessageType.killJob.rawValue
    public var jobId: String
}

// MARK: - Bulk payload encodings
//
// Counts, sizes and indices are read with `WireReader.int()`, which refuses a varint
// beyond Int as malformed; `Int(r.varint())` trapped on one (found by fuzzing).

/// Records, JSON bytes read and rejects of silver outputs (task metrics).
public struct SilverTotals: Sendable, Equatable {
    public var records = 0, inputBytes = 0, rejects = 0

    static func + (a: SilverTotals, b: SilverTotals) -> SilverTotals {
        SilverTotals(
            records: a.records + b.records, inputBytes: a.inputBytes + b.inputBytes, rejects: a.rejects + b.rejects)
    }
}

/// A finished task as a worker returns it.
public enum WorkerResult: Sendable {
    case silver(SilverTaskOutput, inputBytes: Int)
    case gold(GoldResult)
    /// A whole-document task whose document broke (the task without its payload).
    case silverDocumentFailed(SilverTask, reason: String)
    /// A task group's results, one per member in the group's order (each `.silver` or `.silverDocumentFailed`).
    case silverGroup(taskId: String, [WorkerResult])
    /// One chunk of a whole document's output, sent as soon as it is ready
    /// (`leaseTaskId` is the task that produced it). Chunks before the last
    /// are parts: the task keeps running; the last (its output's
    /// `finalChunkCount` set) finishes it.
    case silverChunk(leaseTaskId: String, SilverTaskOutput, inputBytes: Int)

    public var taskId: String {
        switch self {
        case .silver(let c, _): return c.taskId
        case .gold(let g): return g.task.taskId
        case .silverDocumentFailed(let t, _): return t.taskId
        case .silverGroup(let taskId, _): return taskId
        case .silverChunk(let leaseTaskId, _, _): return leaseTaskId
        }
    }

    /// True for a chunk before a document's last: its task is still running.
    public var isPart: Bool {
        if case .silverChunk(_, let output, _) = self { return output.finalChunkCount == nil }
        return false
    }

    /// What the loader commits for it, in order (a group's members one after another).
    var loaderMessages: [LoaderMessage] {
        switch self {
        case .silver(let c, let bytes), .silverChunk(_, let c, let bytes): return [.result(c, inputBytes: bytes)]
        case .gold(let g): return [.goldResult(g)]
        case .silverDocumentFailed(let t, let reason):
            return [SilverTaskRunner.Outcome.documentFailed(reason: reason).loaderMessage(for: t)]
        case .silverGroup(_, let members): return members.flatMap(\.loaderMessages)
        }
    }

    /// Records, JSON bytes read and rejects of the silver outputs it carries (task metrics).
    var silverTotals: SilverTotals {
        switch self {
        case .silver(let c, let bytes), .silverChunk(_, let c, let bytes):
            return SilverTotals(records: c.records, inputBytes: bytes, rejects: c.rejectCount)
        case .gold, .silverDocumentFailed: return SilverTotals()
        case .silverGroup(_, let members): return members.reduce(SilverTotals()) { $0 + $1.silverTotals }
        }
    }

    func encode(into w: inout WireWriter) {
        switch self {
        case .silver(let c, let bytes):
            w.u8(0)
            c.encodeWire(into: &w)
            w.varint(UInt64(bytes))
        case .gold(let g):
            w.u8(1)
            g.encodeWire(into: &w)
        case .silverDocumentFailed(let t, let reason):
            w.u8(2)
            WorkerTask.silver(t.withoutPayload).encode(into: &w)
            w.string(reason)
        case .silverGroup(let taskId, let members):
            w.u8(3)
            w.string(taskId)
            w.array(members) { w, m in m.encode(into: &w) }
        case .silverChunk(let leaseTaskId, let c, let bytes):
            w.u8(4)
            w.string(leaseTaskId)
            c.encodeWire(into: &w)
            w.varint(UInt64(bytes))
        }
    }
    static func decode(from r: inout WireReader) throws -> WorkerResult {
        switch try r.u8("result kind") {
        case 0: return .silver(try SilverTaskOutput.decodeWire(from: &r), inputBytes: try r.int())
        case 1: return .gold(try GoldResult.decodeWire(from: &r))
        case 2:
            guard case .silver(let t) = try WorkerTask.decode(from: &r) else {
                throw WireError.malformed("failed-document result without its silver task")
            }
            return .silverDocumentFailed(t, reason: try r.string())
        case 3:
            let taskId = try r.string()
            let members = try r.array { r -> WorkerResult in
                let member = try WorkerResult.decode(from: &r)
                switch member {
                case .silver, .silverDocumentFailed: return member
                case .gold, .silverGroup, .silverChunk:
                    throw WireError.malformed("a task group's result holds a gold, group or chunk result")
                }
            }
            return .silverGroup(taskId: taskId, members)
        case 4:
            let leaseTaskId = try r.string()
            return .silverChunk(
                leaseTaskId: leaseTaskId, try SilverTaskOutput.decodeWire(from: &r), inputBytes: try r.int())
        case let k: throw WireError.malformed("unknown result kind \(k)")
        }
    }
}

extension SilverTask {
    /// The task's identity without its records or document (for a result naming it).
    var withoutPayload: SilverTask {
        var t = self
        t.records = RecordBatch(firstOrdinal: records.firstOrdinal)
        t.document = nil
        return t
    }
}

extension WorkerTask {
    var taskId: String {
        switch self {
        case .silver(let t): return t.taskId
        case .gold(let t): return t.taskId
        case .silverGroup(let g): return g.taskId
        }
    }

    /// Bytes a task holds in memory (its records or documents), for read-ahead accounting.
    var payloadBytes: Int {
        switch self {
        case .silver(let t): return t.payloadBytes
        case .silverGroup(let g): return g.payloadBytes
        case .gold: return 0
        }
    }

    func encode(into w: inout WireWriter) {
        switch self {
        case .silver(let t):
            w.u8(0)
            w.string(t.taskId)
            w.string(t.jobId)
            w.string(t.dataset.rawValue)
            w.i64(t.documentId)
            w.string(t.filePath)
            w.string(t.source)
            w.string(t.ingestDate.description)
            w.varint(UInt64(t.chunkIndex))
            w.optional(t.finalChunkCount) { w, n in w.varint(UInt64(n)) }
            w.varint(UInt64(t.records.firstOrdinal))
            w.array(t.records.bounds) { w, b in w.varint(UInt64(b)) }
            w.array(t.records.documentOffsets) { w, o in w.varint(UInt64(max(0, o))) }
            w.array(t.records.oversizedLengths.sorted { $0.key < $1.key }) { w, e in
                w.varint(UInt64(e.key))
                w.varint(UInt64(e.value))
            }
            w.bytesByReference(t.records.bytes)
            w.optional(t.document) { w, d in d.encodeWire(into: &w) }
            w.varint(UInt64(t.chunkBytes))
        case .gold(let t):
            w.u8(1)
            t.encodeWire(into: &w)
        case .silverGroup(let g):
            w.u8(2)
            w.string(g.taskId)
            w.array(g.members) { w, t in WorkerTask.silver(t).encode(into: &w) }
        }
    }

    static func decode(from r: inout WireReader) throws -> WorkerTask {
        switch try r.u8("task kind") {
        case 0:
            let taskId = try r.string()
            let jobId = try r.string()
            guard let dataset = Dataset(rawValue: try r.string()) else { throw WireError.malformed("unknown dataset") }
            let documentId = try r.i64()
            let filePath = try r.string()
            let source = try r.string()
            guard let date = IngestDate(try r.string()) else { throw WireError.malformed("bad ingest date") }
            let chunk = try r.int()
            let final = try r.optional { try $0.int() }
            var batch = RecordBatch(firstOrdinal: try r.int())
            batch.bounds = try r.array { try $0.int() }
            batch.documentOffsets = try r.array { Int64(try $0.int()) }
            let oversized = try r.array { (index: try $0.int(), length: try $0.int()) }
            batch.bytes = try r.bytesSlice("records")
            guard batch.bounds.first == 0, batch.bounds.last == batch.bytes.count,
                batch.documentOffsets.count == batch.count,
                zip(batch.bounds, batch.bounds.dropFirst()).allSatisfy({ $0 <= $1 })
            else {
                throw WireError.malformed("record batch bounds do not match its bytes")
            }
            for entry in oversized {
                guard entry.index < batch.count, entry.length >= 0, batch.oversizedLengths[entry.index] == nil else {
                    throw WireError.malformed("record batch names an oversized record it does not hold")
                }
                batch.oversizedLengths[entry.index] = entry.length
            }
            let document = try r.optional { try StoredDocument.decodeWire(from: &$0) }
            return .silver(
                SilverTask(
                    taskId: taskId, jobId: jobId, dataset: dataset, documentId: documentId,
                    filePath: filePath, source: source, ingestDate: date, chunkIndex: chunk,
                    finalChunkCount: final, records: batch, document: document, chunkBytes: try r.int()))
        case 1:
            return .gold(try GoldTask.decodeWire(from: &r))
        case 2:
            let taskId = try r.string()
            let members = try r.array { r -> SilverTask in
                guard case .silver(let t) = try WorkerTask.decode(from: &r) else {
                    throw WireError.malformed("a task group holds a task that is not a silver task")
                }
                return t
            }
            guard !members.isEmpty else { throw WireError.malformed("an empty task group") }
            var group = SilverTaskGroup(members: members)
            group.taskId = taskId
            return .silverGroup(group)
        case let k:
            throw WireError.malformed("unknown task kind \(k)")
        }
    }
}

extension StoredDocument {
    func encodeWire(into w: inout WireWriter) {
        w.string(source)
        w.u8(format == .json ? 0 : 1)
        switch encoding {
        case .plain: w.u8(0)
        case .gzip: w.u8(1)
        case .zipEntry(let method, let crc32, let uncompressedSize, let dataOffset):
            w.u8(2)
            w.u16(method)
            w.u32(crc32)
            w.u64(uncompressedSize)
            w.i64(dataOffset)
        }
        w.bytesByReference(bytes, sha256: sha256)
    }

    static func decodeWire(from r: inout WireReader) throws -> StoredDocument {
        let source = try r.string("document source")
        let format: DocumentFormat
        switch try r.u8("document format") {
        case 0: format = .json
        case 1: format = .jsonLines
        case let k: throw WireError.malformed("unknown document format \(k)")
        }
        let encoding: StoredDocument.Encoding
        switch try r.u8("document encoding") {
        case 0: encoding = .plain
        case 1: encoding = .gzip
        case 2:
            encoding = .zipEntry(
                method: try r.u16(), crc32: try r.u32(), uncompressedSize: try r.u64(), dataOffset: try r.i64())
        case let k: throw WireError.malformed("unknown document encoding \(k)")
        }
        return StoredDocument(
            source: source, format: format, encoding: encoding, bytes: try r.bytesSlice("document bytes"))
    }
}

extension GoldTask {
    func encodeWire(into w: inout WireWriter) {
        w.string(taskId)
        w.string(jobId)
        w.varint(UInt64(bucket))
        w.array(repos) { $0.string($1) }
        w.array(targets.map(\.rawValue).sorted()) { $0.string($1) }
        w.array(marks) { w, m in
            w.string(m.repo)
            w.string(m.target.rawValue)
            w.i64(m.seq)
        }
    }
    static func decodeWire(from r: inout WireReader) throws -> GoldTask {
        let taskId = try r.string()
        let jobId = try r.string()
        let bucket = try r.int()
        let repos = try r.array { try $0.string() }
        let targets = try r.array { r -> GoldTarget in
            guard let t = GoldTarget(rawValue: try r.string()) else { throw WireError.malformed("unknown gold target") }
            return t
        }
        let marks = try r.array { r -> GoldMark in
            let repo = try r.string()
            guard let t = GoldTarget(rawValue: try r.string()) else { throw WireError.malformed("unknown gold target") }
            return GoldMark(repo: repo, target: t, seq: try r.i64())
        }
        return GoldTask(taskId: taskId, jobId: jobId, bucket: bucket, repos: repos, targets: Set(targets), marks: marks)
    }
}

extension GoldResult {
    func encodeWire(into w: inout WireWriter) {
        task.encodeWire(into: &w)
        w.string(worker)
        w.bytes(copies.pullRequestsMetrics)
        w.bytes(copies.links)
        w.bytes(copies.labels)
        w.bytes(copies.milestones)
        w.array(copies.rowCounts.sorted { $0.key < $1.key }) { w, kv in
            w.string(kv.key)
            w.varint(UInt64(kv.value))
        }
        w.bytes(copies.backlog)
    }
    static func decodeWire(from r: inout WireReader) throws -> GoldResult {
        let task = try GoldTask.decodeWire(from: &r)
        let worker = try r.string()
        var c = GoldCopies()
        c.pullRequestsMetrics = try r.bytes()
        c.links = try r.bytes()
        c.labels = try r.bytes()
        c.milestones = try r.bytes()
        let counts = try r.array { r in (try r.string(), try r.int()) }
        for (k, v) in counts { c.rowCounts[k] = v }
        c.backlog = try r.bytes()
        return GoldResult(task: task, copies: c, worker: worker)
    }
}

extension SilverTaskOutput {
    func encodeWire(into w: inout WireWriter) {
        w.string(taskId)
        w.string(jobId)
        w.string(dataset.rawValue)
        w.i64(documentId)
        w.string(filePath)
        w.string(source)
        w.string(ingestDate)
        w.varint(UInt64(chunkIndex))
        w.optional(finalChunkCount) { w, n in w.varint(UInt64(n)) }
        w.varint(UInt64(records))
        w.bytesByReferenceIfLarge(rowsCopy[...])
        w.varint(UInt64(rowCount))
        w.bytesByReferenceIfLarge(rejectsCopy[...])
        w.varint(UInt64(rejectCount))
        w.string(worker)
    }
    static func decodeWire(from r: inout WireReader) throws -> SilverTaskOutput {
        let taskId = try r.string()
        let jobId = try r.string()
        guard let dataset = Dataset(rawValue: try r.string()) else {
            throw WireError.malformed("unknown dataset")
        }
        let documentId = try r.i64()
        let filePath = try r.string()
        let source = try r.string()
        let date = try r.string()
        let chunk = try r.int()
        let final = try r.optional { try $0.int() }
        let records = try r.int()
        let rows = try r.bytesSlice()
        let rowCount = try r.int()
        let rejects = try r.bytesSlice()
        let rejectCount = try r.int()
        let worker = try r.string()
        return .init(
            taskId: taskId, jobId: jobId, dataset: dataset, documentId: documentId, filePath: filePath,
            source: source, ingestDate: date, chunkIndex: chunk, finalChunkCount: final, records: records,
            rowsCopy: rows, rowCount: rowCount, rejectsCopy: rejects, rejectCount: rejectCount, worker: worker)
    }
}

extension LoaderMessage {
    func encode(into w: inout WireWriter) {
        switch self {
        case .beginFile(let jobId, let dataset, let path, let date, let size, let hash, let force):
            w.u8(0)
            w.string(jobId)
            w.string(dataset.rawValue)
            w.string(path)
            w.string(date.description)
            w.i64(size)
            w.string(hash)
            w.bool(force)
        case .result(let commit, let inputBytes):
            w.u8(1)
            commit.encodeWire(into: &w)
            w.varint(UInt64(inputBytes))
        case .documentFailed(let dataset, let documentId, let filePath, let source, let date, let reason):
            w.u8(2)
            w.string(dataset.rawValue)
            w.i64(documentId)
            w.string(filePath)
            w.string(source)
            w.string(date.description)
            w.string(reason)
        case .sealFile(let dataset, let path, let count, let error):
            w.u8(3)
            w.string(dataset.rawValue)
            w.string(path)
            w.varint(UInt64(count))
            w.optional(error) { $0.string($1) }
        case .goldResult(let g):
            w.u8(4)
            g.encodeWire(into: &w)
        case .startJob(let jobId, let job, let from, let to, let force):
            w.u8(5)
            w.string(jobId)
            w.string(job)
            w.optional(from) { $0.string($1) }
            w.optional(to) { $0.string($1) }
            w.bool(force)
        case .finishJob(let jobId, let summary):
            w.u8(6)
            w.string(jobId)
            w.bytes((try? JSONEncoder().encode(summary)).map(Array.init) ?? [])
        }
    }

    static func decode(from r: inout WireReader) throws -> LoaderMessage {
        func dataset() throws -> Dataset {
            guard let d = Dataset(rawValue: try r.string()) else { throw WireError.malformed("unknown dataset") }
            return d
        }
        func date() throws -> IngestDate {
            guard let d = IngestDate(try r.string()) else { throw WireError.malformed("bad ingest date") }
            return d
        }
        switch try r.u8("loader message kind") {
        case 0:
            return .beginFile(
                jobId: try r.string(), dataset: try dataset(), path: try r.string(), ingestDate: try date(),
                size: try r.i64(), hash: try r.string(), force: try r.bool())
        case 1:
            return .result(try SilverTaskOutput.decodeWire(from: &r), inputBytes: try r.int())
        case 2:
            return .documentFailed(
                dataset: try dataset(), documentId: try r.i64(), filePath: try r.string(),
                source: try r.string(), ingestDate: try date(), reason: try r.string())
        case 3:
            return .sealFile(
                dataset: try dataset(), path: try r.string(), documentCount: try r.int(),
                fileError: try r.optional { try $0.string() })
        case 4:
            return .goldResult(try GoldResult.decodeWire(from: &r))
        case 5:
            return .startJob(
                jobId: try r.string(), job: try r.string(), from: try r.optional { try $0.string() },
                to: try r.optional { try $0.string() }, force: try r.bool())
        case 6:
            let jobId = try r.string()
            return .finishJob(
                jobId: jobId, summary: try JSONDecoder().decode(JobSummary.self, from: Data(try r.bytes())))
        case let k:
            throw WireError.malformed("unknown loader message kind \(k)")
        }
    }

    /// Approximate bytes held by this message (outbox memory bound).
    var byteCount: Int {
        switch self {
        case .result(let c, _): return c.rowsCopy.count + c.rejectsCopy.count + 256
        case .goldResult(let g):
            return g.copies.pullRequestsMetrics.count + g.copies.links.count + g.copies.labels.count
                + g.copies.milestones.count + g.copies.backlog.count + 256
        default: return 256
        }
    }
}
