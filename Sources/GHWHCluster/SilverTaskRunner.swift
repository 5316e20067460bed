import GHWHJSON
import GHWHModel
import GHWHRaw
import GHWHWarehouse

/// Runs one silver task (the transform, not a process: `ClusterWorker` is the
/// process that runs these). Every record is validated and
/// projected, turned into a row or a reject, and encoded for COPY, so the
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

        /// As a worker returns it: a chunk the worker cut from `task`'s document
        /// is a `.silverChunk`, the task's own output `.silver`.
        public func result(of task: SilverTask) -> WorkerResult {
            switch self {
            case .committed(let output, let inputBytes) where output.taskId == task.taskId:
                return .silver(output, inputBytes: inputBytes)
            case .committed(let output, let inputBytes):
                return .silverChunk(leaseTaskId: task.taskId, output, inputBytes: inputBytes)
            case .documentFailed(let reason): return .silverDocumentFailed(task.withoutPayload, reason: reason)
            }
        }

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

    /// Runs a task into one output (a whole document is not cut into chunks).
    public func run(_ task: SilverTask) -> Outcome {
        run(task, cutAt: 0, part: { _ in true })!
    }

    /// Runs a task. A whole document whose output (COPY text of rows and
    /// rejects) fits in a chunk (`task.chunkBytes`) comes back as one output,
    /// however far it inflated: the loader then stages and merges it in one
    /// transaction, through its session's temporary staging table. A larger output is
    /// cut into chunks where the planner would cut the document: once the
    /// output outgrows a chunk, every chunk but the last goes to `part` as soon
    /// as it is cut, so a large document neither waits for its end nor travels
    /// as one result. `part` returns false when the task's lease is gone: the
    /// runner stops and returns nil.
    public func run(_ task: SilverTask, part: (Outcome) -> Bool) -> Outcome? {
        run(task, cutAt: task.chunkBytes, part: part)
    }

    private func run(_ task: SilverTask, cutAt: Int, part: (Outcome) -> Bool) -> Outcome? {
        let projector = task.dataset == .issues ? issueProjector : pullRequestProjector
        // Inactive unless profiling (`ghwh run --profile`): then it splits this task's CPU time into stages.
        var clock = StageClock(enabled: StageProfile.shared.isEnabled, starting: .inflate)
        defer { StageProfile.shared.add(&clock) }
        guard let document = task.document else {
            var output = Output(task: task, excerptBytes: Self.excerptBytes)
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
        struct Abandoned: Error {}
        var output = Output(task: task, excerptBytes: Self.excerptBytes)
        var splitter = RecordSplitter(mode: document.format == .json ? .json : .lines)
        var chunk = (index: task.chunkIndex, records: 0, recordBytes: 0)
        var inputBytes = 0
        var inputBytesCut = 0
        // Chunks cut but not sent while the whole output may still fit in a chunk.
        var held = HeldChunks(limit: cutAt)
        // Objects are validated and projected while the splitter finds their end (one pass, not two).
        func parse(_ rest: UnsafeRawBufferPointer) -> (value: JSONValue, length: Int)? {
            clock.enter(.transform)
            defer { clock.enter(.split) }
            return projector.projectPrefix(rest)
        }
        func take(_ record: RecordSlice) throws {
            clock.enter(.transform)
            output.add(
                record.bytes, ordinal: Int64(record.ordinal), offset: record.offset,
                oversizedLength: record.oversizedLength, projected: record.projected, projector: projector,
                clock: &clock)
            clock.enter(.split)
            chunk.records += 1
            chunk.recordBytes += record.bytes.count
            // The planner's cut: after the record that fills a chunk (Planner.planStreamed).
            guard cutAt > 0, chunk.recordBytes >= cutAt else { return }
            let done = output.commit(
                records: chunk.records, worker: name, chunkIndex: chunk.index, finalChunkCount: nil)
            held.append(done, inputBytes: inputBytes - inputBytesCut)
            inputBytesCut = inputBytes
            guard held.sendIfOutgrown(to: part) else { throw Abandoned() }
            output = Output(task: task, excerptBytes: Self.excerptBytes)
            chunk = (chunk.index + 1, 0, 0)
        }
        do {
            try document.stream { bytes in
                inputBytes += bytes.count
                clock.enter(.split)
                try splitter.consume(bytes, parse: parse, take)
                clock.enter(.inflate)
            }
            clock.enter(.split)
            try splitter.finish(take)
        } catch is Abandoned {
            return nil
        } catch {
            return .documentFailed(reason: "\(error)")
        }
        if chunk.index == task.chunkIndex {
            return .committed(output.commit(records: chunk.records, worker: name), inputBytes: inputBytes)
        }
        let final = output.commit(
            records: chunk.records, worker: name, chunkIndex: chunk.index, finalChunkCount: chunk.index + 1)
        if held.isHolding, held.bytes + final.copyBytes <= cutAt {
            return .committed(held.joined(with: final, as: task), inputBytes: inputBytes)
        }
        guard held.sendAll(to: part) else { return nil }
        return .committed(final, inputBytes: inputBytes - inputBytesCut)
    }

    /// A whole document's chunks cut by the worker and held back while the
    /// document's whole output may still fit in a chunk (`limit` bytes of COPY
    /// text). Once it outgrows that, the held chunks are sent in order and the
    /// rest go as soon as they are cut.
    struct HeldChunks {
        let limit: Int
        private var chunks: [(output: SilverTaskOutput, inputBytes: Int)] = []
        /// COPY text held.
        private(set) var bytes = 0
        /// Still holding: nothing of the document has been sent.
        private(set) var isHolding = true

        init(limit: Int) { self.limit = limit }

        mutating func append(_ output: SilverTaskOutput, inputBytes: Int) {
            chunks.append((output, inputBytes))
            bytes += output.copyBytes
        }

        /// Sends what is held once it outgrew the limit (at once after that);
        /// false when `part` refused a chunk (the lease is gone).
        mutating func sendIfOutgrown(to part: (Outcome) -> Bool) -> Bool {
            isHolding && bytes <= limit ? true : sendAll(to: part)
        }

        /// Sends what is held and holds nothing more.
        mutating func sendAll(to part: (Outcome) -> Bool) -> Bool {
            isHolding = false
            defer {
                chunks.removeAll()
                bytes = 0
            }
            return chunks.allSatisfy { part(.committed($0.output, inputBytes: $0.inputBytes)) }
        }

        /// The held chunks and the last one as the task's one output.
        func joined(with last: SilverTaskOutput, as task: SilverTask) -> SilverTaskOutput {
            var whole = last
            whole.taskId = task.taskId
            whole.chunkIndex = task.chunkIndex
            whole.finalChunkCount = task.finalChunkCount
            whole.rowsCopy = []
            whole.rowsCopy.reserveCapacity(bytes + last.copyBytes)
            whole.rejectsCopy = []
            (whole.rowCount, whole.rejectCount, whole.records) = (0, 0, 0)
            for chunk in chunks.map(\.output) + [last] {
                whole.rowsCopy += chunk.rowsCopy
                whole.rejectsCopy += chunk.rejectsCopy
                whole.rowCount += chunk.rowCount
                whole.rejectCount += chunk.rejectCount
                whole.records += chunk.records
            }
            return whole
        }
    }

    /// The COPY text of one task's rows and rejects as they are produced.
    struct Output {
        let task: SilverTask
        let excerptBytes: Int
        let provenance: SilverCopyEncoding.Provenance
        var rows: CopyBinaryWriter
        var rejects = CopyTextWriter(reservingCapacity: 1 << 12)

        init(task: SilverTask, excerptBytes: Int) {
            self.task = task
            self.excerptBytes = excerptBytes
            provenance = SilverCopyEncoding.Provenance(
                documentId: task.documentId, ingestDate: task.ingestDate.description,
                source: task.source)
            let input = task.document.map { $0.bytes.count * 2 } ?? task.records.byteCount
            rows = CopyBinaryWriter(reservingCapacity: max(1 << 16, input / 8))
        }

        /// `projected`: the record's value if the splitter already projected it.
        mutating func add(
            _ record: UnsafeRawBufferPointer, ordinal: Int64, offset: Int64, oversizedLength: Int?,
            projected: JSONValue? = nil, projector: JSONProjector, clock: inout StageClock
        ) {
            do {
                if let oversizedLength {
                    throw RecordRejectReason.tooLarge(
                        bytes: oversizedLength, limit: RecordSplitter.defaultMaxRecordBytes)
                }
                let value: JSONValue
                if let projected {
                    value = projected
                } else {
                    do throws(JSONSyntaxError) { value = try projector.project(record) } catch {
                        throw RecordRejectReason.invalidJSON(offset: error.offset, reason: error.reason)
                    }
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

        /// The task's own output (its chunk index and final count).
        func commit(records: Int, worker: String) -> SilverTaskOutput {
            commit(
                records: records, worker: worker, taskId: task.taskId, chunkIndex: task.chunkIndex,
                finalChunkCount: task.finalChunkCount)
        }

        /// One chunk of a whole document cut by the worker (its id as the planner would name it).
        func commit(records: Int, worker: String, chunkIndex: Int, finalChunkCount: Int?) -> SilverTaskOutput {
            commit(
                records: records, worker: worker,
                taskId: DocumentID.taskId(documentId: task.documentId, chunk: chunkIndex), chunkIndex: chunkIndex,
                finalChunkCount: finalChunkCount)
        }

        private func commit(
            records: Int, worker: String, taskId: String, chunkIndex: Int, finalChunkCount: Int?
        ) -> SilverTaskOutput {
            SilverTaskOutput(
                taskId: taskId, jobId: task.jobId,
                dataset: task.dataset, documentId: task.documentId,
                filePath: task.filePath, source: task.source, ingestDate: task.ingestDate.description,
                chunkIndex: chunkIndex, finalChunkCount: finalChunkCount, records: records,
                rowsCopy: SilverTaskRunner.trimmed(rows.bytes)[...], rowCount: rows.rowCount,
                rejectsCopy: SilverTaskRunner.trimmed(rejects.bytes)[...],
                rejectCount: rejects.rowCount,
                worker: worker)
        }
    }

    /// The COPY text without most of the writer's spare capacity. An output
    /// may wait in the loader's outbox, which counts its bytes, not its
    /// capacity; a small document's writer reserved 64 KB for a few KB of rows
    /// (15,000 small files held 600 MB of reserve in local mode).
    static func trimmed(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.capacity - bytes.count > max(4096, bytes.count / 8) else { return bytes }
        // A new buffer of the bytes' size (`Array(bytes[...])` would hand back the same buffer).
        return [UInt8](unsafeUninitializedCapacity: bytes.count) { buffer, initialized in
            initialized = buffer.initialize(fromContentsOf: bytes)
        }
    }

    /// The first 1 KB of a raw record as text; invalid UTF-8 becomes U+FFFD.
    static func excerpt(_ record: UnsafeRawBufferPointer) -> String {
        String(decoding: record.prefix(excerptBytes), as: UTF8.self)
    }
}

extension SilverTaskRunner {
    /// A silver task's result as a worker returns it. A whole document's
    /// chunks before its last go to `part` as `.silverChunk` results (see
    /// `run(_:part:)`); nil when `part` returned false.
    public func result(of task: SilverTask, part: (WorkerResult) -> Bool) -> WorkerResult? {
        let outcome = run(task) { outcome in
            guard case .committed(let output, let inputBytes) = outcome else { return true }
            return part(.silverChunk(leaseTaskId: task.taskId, output, inputBytes: inputBytes))
        }
        return outcome?.result(of: task)
    }

    /// A task group's result: each member runs as it would alone (in one
    /// output: members are small), so one broken document fails alone.
    public func result(of group: SilverTaskGroup) -> WorkerResult {
        .silverGroup(
            taskId: group.taskId,
            group.members.map { run($0).result(of: $0) })
    }
}
