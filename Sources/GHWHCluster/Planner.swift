import GHWHJSON
import GHWHModel
import GHWHRaw
import Logging

/// Splits a job into tasks (the coordinator's brain): one document at a time,
/// streaming, cut at record boundaries every `chunkBytes` of uncompressed
/// JSON. It reads raw files but never writes anything; what it finds goes out
/// as `PlanEvent`s, so memory stays bounded by the consumers' queues.
public struct Planner {
    public enum Event: Sendable {
        case task(SilverTask)
        /// Small whole documents travelling together (`SmallDocumentGrouper`).
        case taskGroup(SilverTaskGroup)
        case loader(LoaderMessage)
    }

    /// What the warehouse already holds, so unchanged work is skipped.
    public struct WarehouseState: Sendable {
        /// Per dataset: path -> (size, hash) of files loaded cleanly.
        public var loadedFiles: [Dataset: [String: (size: Int64, hash: String)]] = [:]
        /// Documents already merged (resume after an interrupted run).
        public var mergedDocuments: Set<Int64> = []
        /// Tasks already committed for documents not merged yet.
        public var committedTasks: Set<String> = []
        public init() {}
    }

    /// Counters the progress line reads; updated as planning goes.
    public struct Progress: Sendable {
        public var filesTotal = 0, filesPlanned = 0, filesSkipped = 0
        public var filesSkippedByDataset: [Dataset: Int] = [:]
        public var compressedBytesTotal: Int64 = 0, compressedBytesDone: Int64 = 0
        public var documents = 0, tasks = 0, records = 0
        public var uncompressedBytes: Int64 = 0
    }

    public let spec: JobSpec
    public let jobId: String
    public let state: WarehouseState
    let logger: Logger
    /// Fault injection for tests: runs after a file was hashed, before its documents are read.
    var afterHashing: ((RawFile) -> Void)?

    public init(spec: JobSpec, jobId: String, state: WarehouseState, logger: Logger) {
        self.spec = spec
        self.jobId = jobId
        self.state = state
        self.logger = logger
    }

    /// What the job covers: the files in planning order (`interleaved`), and
    /// the paths left out on purpose or failed (logged here, one line each).
    public struct Scan: Sendable {
        public var files: [RawFile] = []
        public var ignored: [String] = []
        public var failed: [(dataset: Dataset, path: String, reason: String)] = []
    }

    public func scan() throws -> Scan {
        let layout = RawLayout(root: spec.rawRoot)
        var all = Scan()
        var perDataset: [[RawFile]] = []
        for dataset in spec.job.datasets {
            let found = try layout.scan(dataset: dataset, dates: spec.dates)
            for path in found.ignored {
                logger.notice(
                    "ignoring raw path (not a date folder, or a hidden or marker file)", metadata: ["path": "\(path)"])
            }
            for failure in found.failed {
                logger.error(
                    "raw path cannot be read", metadata: ["path": "\(failure.path)", "reason": "\(failure.reason)"])
            }
            perDataset.append(found.files)
            all.ignored += found.ignored
            all.failed += found.failed.map { (dataset, $0.path, $0.reason) }
        }
        all.files = Self.interleaved(perDataset)
        return all
    }

    /// The datasets' files (each sorted by date, then path) in the order they
    /// are planned: day by day, and within a day taking one file of each
    /// dataset in turn. The two silver datasets are independent, so results
    /// of both reach the loader side by side and its two lanes merge them at
    /// once (`LoaderPipeline`); one dataset after the other left
    /// one lane idle for half the job.
    static func interleaved(_ perDataset: [[RawFile]]) -> [RawFile] {
        var out: [RawFile] = []
        out.reserveCapacity(perDataset.reduce(0) { $0 + $1.count })
        var next = perDataset.map { _ in 0 }
        while true {
            // The earliest day any dataset has left.
            let day = perDataset.indices.compactMap { d in
                next[d] < perDataset[d].count ? perDataset[d][next[d]].ingestDate : nil
            }.min()
            guard let day else { return out }
            var took = true
            while took {
                took = false
                for d in perDataset.indices where next[d] < perDataset[d].count {
                    let file = perDataset[d][next[d]]
                    guard file.ingestDate == day else { continue }
                    out.append(file)
                    next[d] += 1
                    took = true
                }
            }
        }
    }

    /// Plans every file; `emit` may block (back-pressure). Stops early when
    /// `isCancelled` turns true. `waitForRoom` runs before each file is read,
    /// so that the planner does not sit on a read file (up to a chunk of
    /// compressed bytes, twice: the file and its entry) while `emit` blocks.
    public func run(
        files: [RawFile], progress: (Progress) -> Void, isCancelled: () -> Bool,
        waitForRoom: () -> Void = {}, emit: (Event) -> Void
    ) {
        var p = Progress()
        // Inactive unless profiling: then it splits the planner's CPU time into stages.
        var clock = StageClock(enabled: StageProfile.shared.isEnabled)
        defer { StageProfile.shared.add(&clock) }
        p.filesTotal = files.count
        p.compressedBytesTotal = files.reduce(0) { $0 + $1.size }
        progress(p)
        var grouper = SmallDocumentGrouper(chunkBytes: spec.chunkBytes, maxMembers: spec.taskGroupDocuments)
        for file in files {
            waitForRoom()
            if isCancelled() { return }
            plan(
                file: file, progress: &p, clock: &clock, grouper: &grouper, report: progress,
                isCancelled: isCancelled, emit: emit)
            p.compressedBytesDone += file.size
            progress(p)
        }
        Self.emit(grouper.flush(), progress: &p, emit)
        progress(p)
    }

    private static func emit(
        _ planned: [SmallDocumentGrouper.Planned], progress p: inout Progress, _ emit: (Event) -> Void
    ) {
        for item in planned {
            switch item {
            case .task(let t): emit(.task(t))
            case .group(let g): emit(.taskGroup(g))
            }
            p.tasks += 1
        }
    }

    private func plan(
        file: RawFile, progress p: inout Progress, clock: inout StageClock, grouper: inout SmallDocumentGrouper,
        report: (Progress) -> Void, isCancelled: () -> Bool, emit: (Event) -> Void
    ) {
        clock.enter(.readHash)
        defer { clock.enter(.other) }
        // A file that fits in a chunk is read once: hashed, then its documents
        // are shipped from memory with their digest (no second read or hash).
        let hash: String
        var whole: RawReader.WholeFile?
        let version = FileVersion.of(file.path)
        do {
            if file.size <= spec.chunkBytes {
                whole = try RawReader.wholeFile(file)
                hash = whole!.contentHash
            } else {
                hash = try RawReader.contentHash(of: file)
            }
        } catch {
            // Unreadable file: record it as failed so the run says so.
            emit(.loader(beginFile(file, hash: "")))
            emit(.loader(sealFile(file, documentCount: 0, fileError: "cannot read file: \(error)")))
            p.filesPlanned += 1
            return
        }
        if !spec.force, let loaded = state.loadedFiles[file.dataset]?[file.relativePath],
            loaded.size == file.size, loaded.hash == hash
        {
            p.filesSkipped += 1
            p.filesSkippedByDataset[file.dataset, default: 0] += 1
            logger.debug("skipping unchanged file", metadata: ["file": "\(file.relativePath)"])
            return
        }
        emit(.loader(beginFile(file, hash: hash)))
        afterHashing?(file)
        clock.enter(.other)
        // A file read once (it fits in a chunk) is consistent by construction; one read
        // twice (hashed, then streamed) must not change in between.
        let unchanged: () throws -> Void = whole != nil ? {} : { try Self.check(file, isStill: version) }
        let documents: [RawDocument]
        do { documents = try RawReader.documents(of: file) } catch {
            emit(.loader(sealFile(file, documentCount: 0, fileError: "\(error)")))
            p.filesPlanned += 1
            return
        }
        for document in documents {
            if isCancelled() { return }
            let documentId = DocumentID.make(dataset: file.dataset, source: document.source, contentHash: hash)
            if !spec.force && state.mergedDocuments.contains(documentId) { continue }
            p.documents += 1
            let planned = PlannedDocument(document: document, file: file, whole: whole, documentId: documentId)
            plan(
                planned, unchanged: unchanged, progress: &p, clock: &clock, grouper: &grouper, report: report,
                emit: emit)
        }
        // A file that changed was recorded with the hash of the version planned: the next run sees
        // another hash, so it reads the new version (its documents have new ids).
        emit(.loader(sealFile(file, documentCount: documents.count, fileError: nil)))
        p.filesPlanned += 1
    }

    private func beginFile(_ file: RawFile, hash: String) -> LoaderMessage {
        .beginFile(
            jobId: jobId, dataset: file.dataset, path: file.relativePath, ingestDate: file.ingestDate,
            size: file.size, hash: hash, force: spec.force)
    }

    private func sealFile(_ file: RawFile, documentCount: Int, fileError: String?) -> LoaderMessage {
        .sealFile(dataset: file.dataset, path: file.relativePath, documentCount: documentCount, fileError: fileError)
    }

    /// Throws when the file is no longer the version that was hashed.
    private static func check(_ file: RawFile, isStill version: FileVersion?) throws {
        guard let now = FileVersion.of(file.path) else {
            throw FileChangedError(
                "the file disappeared while it was read (it was \(version.map { "\($0)" } ?? "unreadable"))")
        }
        guard now == version else {
            throw FileChangedError(
                "the file changed while it was read (\(version.map { "\($0)" } ?? "unknown") -> \(now)); nothing of it is loaded, a rerun reads the new version"
            )
        }
    }

    /// One document being planned: where it is and the identity its tasks share.
    private struct PlannedDocument {
        var document: RawDocument
        var file: RawFile
        var whole: RawReader.WholeFile?
        var documentId: Int64

        func task(_ jobId: String, chunkIndex: Int, final: Bool, records: RecordBatch) -> SilverTask {
            SilverTask(
                taskId: DocumentID.taskId(documentId: documentId, chunk: chunkIndex), jobId: jobId,
                dataset: file.dataset, documentId: documentId, filePath: file.relativePath,
                source: document.source, ingestDate: file.ingestDate, chunkIndex: chunkIndex,
                finalChunkCount: final ? chunkIndex + 1 : nil, records: records)
        }

        func failed(_ error: any Error) -> LoaderMessage {
            .documentFailed(
                dataset: file.dataset, documentId: documentId, filePath: file.relativePath,
                source: document.source, ingestDate: file.ingestDate, reason: "\(error)")
        }
    }

    private func plan(
        _ d: PlannedDocument, unchanged: () throws -> Void, progress p: inout Progress, clock: inout StageClock,
        grouper: inout SmallDocumentGrouper, report: (Progress) -> Void, emit: (Event) -> Void
    ) {
        /// False for a chunk a resumed job committed before (its document merges when the rest do).
        func emitUnlessCommitted(_ task: SilverTask) -> Bool {
            if !spec.force && state.committedTasks.contains(task.taskId) { return false }
            emit(.task(task))
            return true
        }
        // A document stored in at most a chunk goes to a worker whole, as
        // stored (compressed if it is), however far it inflates: the worker
        // decompresses and splits it and sends its output a chunk at a time
        // (cut where this planner would cut it), so the planner neither
        // inflates nor copies records and a cluster moves compressed bytes;
        // small ones travel in groups. A container problem (say, entry data
        // past the end of the zip) falls through to streaming, which reports it.
        if RawReader.storedSize(of: d.document, in: d.file) <= spec.chunkBytes,
            let size = RawReader.uncompressedSizeHint(of: d.document, in: d.file, whole: d.whole),
            let stored = clock.timed(.readHash, { try? RawReader.stored(d.document, of: d.file, whole: d.whole) })
        {
            do { try unchanged() } catch {
                emit(.loader(d.failed(error)))
                return
            }
            var task = d.task(jobId, chunkIndex: 0, final: true, records: RecordBatch(firstOrdinal: 0))
            task.document = stored
            task.chunkBytes = spec.chunkBytes
            p.uncompressedBytes += size
            // Not skipped when its first chunk committed: a document that is
            // not merged may have more chunks, which only a re-run produces
            // (the loader drops the chunks it committed before).
            Self.emit(grouper.add(task, size: Int(size)), progress: &p, emit)
            report(p)
            return
        }
        planStreamed(
            d, unchanged: unchanged, progress: &p, clock: &clock, emit: emitUnlessCommitted,
            failed: { emit(.loader($0)) })
        report(p)
    }

    /// Splits a document too large to ship whole into tasks of about a chunk of records each.
    private func planStreamed(
        _ d: PlannedDocument, unchanged: () throws -> Void, progress p: inout Progress, clock: inout StageClock,
        emit: (SilverTask) -> Bool, failed: (LoaderMessage) -> Void
    ) {
        var splitter = RecordSplitter(mode: d.document.format == .json ? .json : .lines)
        var chunkIndex = 0
        let capacity = min(spec.chunkBytes + (1 << 20), 64 << 20)
        var batch = RecordBatch(firstOrdinal: 0, reservingCapacity: capacity)
        var recordCount = 0
        func take(_ record: RecordSlice) {
            batch.append(record.bytes, documentOffset: record.offset, oversizedLength: record.oversizedLength)
            recordCount += 1
            if batch.byteCount >= spec.chunkBytes {
                if emit(d.task(jobId, chunkIndex: chunkIndex, final: false, records: batch)) { p.tasks += 1 }
                chunkIndex += 1
                batch = RecordBatch(firstOrdinal: recordCount, reservingCapacity: capacity)
            }
        }
        do {
            clock.enter(.inflate)
            defer { clock.enter(.other) }
            try RawReader.stream(d.document, of: d.file) { bytes in
                p.uncompressedBytes += Int64(bytes.count)
                clock.enter(.split)
                try splitter.consume(bytes, take)
                clock.enter(.inflate)
            }
            clock.enter(.split)
            try splitter.finish(take)
            try unchanged()  // before the final chunk: a changed file's document never completes
        } catch {
            p.records += recordCount
            failed(d.failed(error))
            return
        }
        p.records += recordCount
        if emit(d.task(jobId, chunkIndex: chunkIndex, final: true, records: batch)) { p.tasks += 1 }
    }
}

/// Stable identities: the same document (dataset, source, content) always has
/// the same id, so a resumed or repeated run recognises committed tasks.
public enum DocumentID {
    public static func make(dataset: Dataset, source: String, contentHash: String) -> Int64 {
        let h = StableHash.fnv1a64([dataset.rawValue, source, contentHash])
        return Int64(bitPattern: h & 0x7FFF_FFFF_FFFF_FFFF)
    }

    public static func taskId(documentId: Int64, chunk: Int) -> String {
        String(documentId, radix: 16) + ":" + String(chunk)
    }
}
