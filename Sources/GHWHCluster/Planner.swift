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

    /// A compressed document stored in at most a chunk goes to a worker whole
    /// if it inflates to at most this many chunks (bounds a task's work and result).
    public static let wholeDocumentInflation = 4

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

    /// What the job covers: the files per dataset in dependency order, and the
    /// paths left out on purpose or failed (logged here, one line each).
    public struct Scan: Sendable {
        public var files: [RawFile] = []
        public var ignored: [String] = []
        public var failed: [(dataset: Dataset, path: String, reason: String)] = []
    }

    public func scan() throws -> Scan {
        let layout = RawLayout(root: spec.rawRoot)
        var all = Scan()
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
            all.files += found.files
            all.ignored += found.ignored
            all.failed += found.failed.map { (dataset, $0.path, $0.reason) }
        }
        return all
    }

    /// Plans every file; `emit` may block (back-pressure). Stops early when
    /// `isCancelled` turns true.
    public func run(
        files: [RawFile], progress: (Progress) -> Void, isCancelled: () -> Bool,
        emit: (Event) -> Void
    ) {
        var p = Progress()
        p.filesTotal = files.count
        p.compressedBytesTotal = files.reduce(0) { $0 + $1.size }
        progress(p)
        for file in files {
            if isCancelled() { return }
            plan(file: file, progress: &p, report: progress, isCancelled: isCancelled, emit: emit)
            p.compressedBytesDone += file.size
            progress(p)
        }
    }

    private func plan(
        file: RawFile, progress p: inout Progress, report: (Progress) -> Void,
        isCancelled: () -> Bool, emit: (Event) -> Void
    ) {
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
            emit(
                .loader(
                    .beginFile(
                        jobId: jobId, dataset: file.dataset, path: file.relativePath, ingestDate: file.ingestDate,
                        size: file.size, hash: "", force: spec.force)))
            emit(
                .loader(
                    .sealFile(
                        dataset: file.dataset, path: file.relativePath, documentCount: 0,
                        fileError: "cannot read file: \(error)")))
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
        emit(
            .loader(
                .beginFile(
                    jobId: jobId, dataset: file.dataset, path: file.relativePath, ingestDate: file.ingestDate,
                    size: file.size, hash: hash, force: spec.force)))
        afterHashing?(file)
        // A file read once (it fits in a chunk) is consistent by construction; one read
        // twice (hashed, then streamed) must not change in between.
        let unchanged: () throws -> Void =
            whole != nil
            ? {}
            : {
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
        let documents: [RawDocument]
        do { documents = try RawReader.documents(of: file) } catch {
            emit(
                .loader(
                    .sealFile(
                        dataset: file.dataset, path: file.relativePath, documentCount: 0,
                        fileError: "\(error)")))
            p.filesPlanned += 1
            return
        }
        for document in documents {
            if isCancelled() { return }
            let documentId = DocumentID.make(dataset: file.dataset, source: document.source, contentHash: hash)
            if !spec.force && state.mergedDocuments.contains(documentId) { continue }
            p.documents += 1
            plan(
                document: document, of: file, whole: whole, documentId: documentId, unchanged: unchanged,
                progress: &p, report: report, emit: emit)
        }
        // A file that changed was recorded with the hash of the version planned: the next run sees
        // another hash, so it reads the new version (its documents have new ids).
        emit(
            .loader(
                .sealFile(
                    dataset: file.dataset, path: file.relativePath, documentCount: documents.count,
                    fileError: nil)))
        p.filesPlanned += 1
    }

    private func plan(
        document: RawDocument, of file: RawFile, whole: RawReader.WholeFile?, documentId: Int64,
        unchanged: () throws -> Void, progress p: inout Progress,
        report: (Progress) -> Void, emit: (Event) -> Void
    ) {
        var splitter = RecordSplitter(mode: document.format == .json ? .json : .lines)
        var chunkIndex = 0
        var batch = RecordBatch(firstOrdinal: 0)
        var recordCount = 0
        func emitUnlessCommitted(_ task: SilverTask) {
            // A resumed job: this chunk committed before; its document merges when the rest do.
            if !spec.force && state.committedTasks.contains(task.taskId) { return }
            emit(.task(task))
            p.tasks += 1
        }
        func makeTask(final: Bool) -> SilverTask {
            SilverTask(
                taskId: DocumentID.taskId(documentId: documentId, chunk: chunkIndex), jobId: jobId,
                dataset: file.dataset, documentId: documentId, filePath: file.relativePath,
                source: document.source, ingestDate: file.ingestDate, chunkIndex: chunkIndex,
                finalChunkCount: final ? chunkIndex + 1 : nil, records: batch)
        }
        // A document that fits in one chunk goes to a worker whole, as stored
        // (compressed if it is): the worker decompresses and splits it, so the
        // planner neither inflates nor copies records, and a cluster moves
        // compressed bytes. A container problem (say, entry data past the end
        // of the zip) falls through to streaming, which reports it.
        if RawReader.storedSize(of: document, in: file) <= spec.chunkBytes,
            let size = RawReader.uncompressedSizeHint(of: document, in: file, whole: whole),
            size <= spec.chunkBytes * Self.wholeDocumentInflation,
            let stored = try? RawReader.stored(document, of: file, whole: whole)
        {
            do { try unchanged() } catch {
                emit(
                    .loader(
                        .documentFailed(
                            dataset: file.dataset, documentId: documentId, filePath: file.relativePath,
                            source: document.source, ingestDate: file.ingestDate, reason: "\(error)")))
                return
            }
            var task = makeTask(final: true)
            task.document = stored
            p.uncompressedBytes += size
            emitUnlessCommitted(task)
            report(p)
            return
        }
        batch.bytes.reserveCapacity(min(spec.chunkBytes + (1 << 20), 64 << 20))
        func take(_ record: RecordSlice) {
            batch.append(record.bytes, documentOffset: record.offset, oversizedLength: record.oversizedLength)
            recordCount += 1
            if batch.byteCount >= spec.chunkBytes {
                emitUnlessCommitted(makeTask(final: false))
                chunkIndex += 1
                batch = RecordBatch(
                    firstOrdinal: recordCount, reservingCapacity: min(spec.chunkBytes + (1 << 20), 64 << 20))
            }
        }
        do {
            try RawReader.stream(document, of: file) { bytes in
                p.uncompressedBytes += Int64(bytes.count)
                try splitter.consume(bytes, take)
            }
            try splitter.finish(take)
            try unchanged()  // before the final chunk: a changed file's document never completes
        } catch {
            p.records += recordCount
            emit(
                .loader(
                    .documentFailed(
                        dataset: file.dataset, documentId: documentId, filePath: file.relativePath,
                        source: document.source, ingestDate: file.ingestDate,
                        reason: "\(error)")))
            return
        }
        p.records += recordCount
        emitUnlessCommitted(makeTask(final: true))
        report(p)
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
