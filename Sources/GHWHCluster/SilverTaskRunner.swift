import GHWHJSON
import GHWHModel
import GHWHRaw
import GHWHWarehouse

/// Runs one silver task (the transform, not a process: `ClusterWorker` is the
/// process that runs these). Every record is validated and
/// projected, turned into a row or a reject, and encoded as COPY text, so the
/// loader only streams bytes into Postgres. A task carrying a whole stored
/// document is decompressed and split here first (record by record, never
/// held decompressed in memory).
public struct SilverTaskRunner: Sendable {
    public let name: String
    let issueProjector = JSONProjector(IssueTransform.selection)
    let pullRequestProjector = JSONProjector(PullRequestTransform.selection)

    public static let excerptBytes = RecordSlice.excerptBytes

    public init(name: String) { self.name = name }

    /// What a silver task gives the loader.
    public enum Outcome: Sendable {
        /// Rows and rejects to commit; `inputBytes` of decompressed JSON were read.
        case committed(SilverTaskOutput, inputBytes: Int)
        /// The task's whole document broke (corrupt data, a truncated array):
        /// nothing of it loads. Only tasks carrying a whole document end so;
        /// a split document's breakage is found by the planner.
        case documentFailed(reason: String)

        /// The loader's message for it.
        public func loaderMessage(for task: SilverTask) -> LoaderMessage {
            switch self {
            case .committed(let commit, let bytes): return .result(commit, inputBytes: bytes)
            case .documentFailed(let reason):
                return .documentFailed(
                    dataset: task.dataset, documentId: task.documentId, filePath: task.filePath,
                    source: task.source, ingestDate: task.ingestDate, reason: reason)
            }
        }
    }

    public func run(_ task: SilverTask) -> Outcome {
        var output = Output(task: task, excerptBytes: Self.excerptBytes)
        let projector = task.dataset == .issues ? issueProjector : pullRequestProjector
        // Inactive unless profiling (`ghwh run --profile`): then it splits this task's CPU time into stages.
        var clock = StageClock(enabled: StageProfile.shared.isEnabled, starting: .inflate)
        defer { StageProfile.shared.add(&clock) }
        if let document = task.document {
            var splitter = RecordSplitter(mode: document.format == .json ? .json : .lines)
            var inputBytes = 0
            var records = 0
            let take = { (record: RecordSlice) in
                clock.enter(.transform)
                output.add(
                    record.bytes, ordinal: Int64(record.ordinal), offset: record.offset,
                    oversizedLength: record.oversizedLength, projector: projector, clock: &clock)
                clock.enter(.split)
                records += 1
            }
            do {
                try document.stream { bytes in
                    inputBytes += bytes.count
                    clock.enter(.split)
                    try splitter.consume(bytes, take)
                    clock.enter(.inflate)
                }
                clock.enter(.split)
                try splitter.finish(take)
            } catch {
                return .documentFailed(reason: "\(error)")
            }
            return .committed(output.commit(records: records, worker: name), inputBytes: inputBytes)
        }
        let batch = task.records
        let anyOversized = !batch.oversizedLengths.isEmpty
        batch.bytes.withUnsafeBytes { all in
            for i in 0..<batch.count {
                clock.enter(.transform)
                output.add(
                    UnsafeRawBufferPointer(rebasing: all[batch.bounds[i]..<batch.bounds[i + 1]]),
                    ordinal: Int64(batch.firstOrdinal + i), offset: batch.documentOffsets[i],
                    oversizedLength: anyOversized ? batch.oversizedLengths[i] : nil, projector: projector,
                    clock: &clock)
            }
        }
        return .committed(output.commit(records: batch.count, worker: name), inputBytes: batch.inputBytes)
    }

    /// The COPY text of one task's rows and rejects as they are produced.
    struct Output {
        let task: SilverTask
        let excerptBytes: Int
        let provenance: SilverCopyEncoding.Provenance
        var rows: CopyTextWriter
        var rejects = CopyTextWriter(reservingCapacity: 1 << 12)

        init(task: SilverTask, excerptBytes: Int) {
            self.task = task
            self.excerptBytes = excerptBytes
            provenance = SilverCopyEncoding.Provenance(
                documentId: task.documentId, ingestDate: task.ingestDate.description,
                source: task.source)
            let input = task.document.map { $0.bytes.count * 2 } ?? task.records.byteCount
            rows = CopyTextWriter(reservingCapacity: max(1 << 16, input / 8))
        }

        mutating func add(
            _ record: UnsafeRawBufferPointer, ordinal: Int64, offset: Int64, oversizedLength: Int?,
            projector: JSONProjector, clock: inout StageClock
        ) {
            do {
                if let oversizedLength {
                    throw RecordRejectReason.tooLarge(
                        bytes: oversizedLength, limit: RecordSplitter.defaultMaxRecordBytes)
                }
                let value: JSONValue
                do throws(JSONSyntaxError) { value = try projector.project(record) } catch {
                    throw RecordRejectReason.invalidJSON(offset: error.offset, reason: error.reason)
                }
                switch task.dataset {
                case .issues:
                    let row = try IssueTransform.row(from: value)
                    clock.enter(.copyEncode)
                    SilverCopyEncoding.append(row, ordinal: ordinal, provenance, to: &rows)
                case .pullRequests:
                    let row = try PullRequestTransform.row(from: value)
                    clock.enter(.copyEncode)
                    SilverCopyEncoding.append(row, ordinal: ordinal, provenance, to: &rows)
                }
            } catch let reason as RecordRejectReason {
                SilverCopyEncoding.appendReject(
                    dataset: task.dataset.rawValue, ordinal: ordinal, byteOffset: offset,
                    reasonCode: reason.code, reason: reason.description,
                    excerpt: SilverTaskRunner.excerpt(record), provenance, to: &rejects)
            } catch {
                preconditionFailure("transforms throw only RecordRejectReason: \(error)")
            }
        }

        func commit(records: Int, worker: String) -> SilverTaskOutput {
            SilverTaskOutput(
                taskId: task.taskId, jobId: task.jobId, dataset: task.dataset, documentId: task.documentId,
                filePath: task.filePath, source: task.source, ingestDate: task.ingestDate.description,
                chunkIndex: task.chunkIndex, finalChunkCount: task.finalChunkCount, records: records,
                rowsCopy: rows.bytes, rowCount: rows.rowCount, rejectsCopy: rejects.bytes,
                rejectCount: rejects.rowCount,
                worker: worker)
        }
    }

    /// The first 1 KB of a raw record as text; invalid UTF-8 becomes U+FFFD.
    static func excerpt(_ record: UnsafeRawBufferPointer) -> String {
        String(decoding: record.prefix(excerptBytes), as: UTF8.self)
    }
}

extension SilverTaskRunner {
    /// A silver task's result as a worker returns it.
    public func result(of task: SilverTask) -> WorkerResult {
        switch run(task) {
        case .committed(let output, let inputBytes): return .silver(output, inputBytes: inputBytes)
        case .documentFailed(let reason): return .silverDocumentFailed(task.withoutPayload, reason: reason)
        }
    }

    /// A task group's result: each member runs as it would alone, so one broken document fails alone.
    public func result(of group: SilverTaskGroup) -> WorkerResult {
        .silverGroup(taskId: group.taskId, group.members.map { result(of: $0) })
    }
}
