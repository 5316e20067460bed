/// A document's bytes exactly as stored in its raw file (a whole plain or
/// gzip file, or one zip entry's data), small enough to hand to a worker
/// whole. The worker decompresses and splits it, so the planner skips that
/// work and a compressed document travels compressed. Streaming it gives the
/// same bytes, checks and errors as `RawReader.stream` over the file.
public struct StoredDocument: Sendable, Equatable {
    public enum Encoding: Sendable, Equatable {
        case plain
        case gzip
        /// A zip entry's data: `method` 0 (stored) or 8 (deflate), checked
        /// against the directory's size and CRC-32; `dataOffset` is where the
        /// data starts in the zip (for error messages).
        case zipEntry(method: UInt16, crc32: UInt32, uncompressedSize: UInt64, dataOffset: Int64)
    }

    public var source: String
    public var format: DocumentFormat
    public var encoding: Encoding
    /// A slice so a worker can use the bytes where the task frame was decoded (no copy).
    public var bytes: ArraySlice<UInt8>
    /// SHA-256 of `bytes` when already known (a whole file read once for its
    /// content hash); lets a sealed frame skip hashing them again. Not sent.
    public var sha256: [UInt8]?

    public init(
        source: String, format: DocumentFormat, encoding: Encoding, bytes: ArraySlice<UInt8>, sha256: [UInt8]? = nil
    ) {
        self.source = source
        self.format = format
        self.encoding = encoding
        self.bytes = bytes
        self.sha256 = sha256
    }

    /// Streams the decompressed bytes like `RawReader.stream` (same errors).
    public func stream(bufferSize: Int = 1 << 20, _ consume: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard bufferSize > 0 else {
            throw RawReadError(source: source, reason: "bufferSize must be positive, got \(bufferSize)")
        }
        switch encoding {
        case .plain:
            var at = 0
            try bytes.withUnsafeBytes { all in
                while at < all.count {
                    let end = min(all.count, at + bufferSize)
                    try consume(UnsafeRawBufferPointer(rebasing: all[at..<end]))
                    at = end
                }
            }
        case .gzip:
            try GzipStreamer.stream(MemoryInput(bytes, startOffset: 0), source: source, bufferSize: bufferSize, consume)
        case .zipEntry(let method, let crc32, let uncompressedSize, let dataOffset):
            let record = ZipEntryRecord(
                path: source, isFile: true, flags: 0, method: method, crc32: crc32,
                compressedSize: UInt64(bytes.count), uncompressedSize: uncompressedSize,
                localHeaderOffset: 0)
            try ZipStreamer.streamEntryData(
                MemoryInput(bytes, startOffset: dataOffset), record: record,
                dataStart: dataOffset, source: source, bufferSize: bufferSize, consume)
        }
    }
}

extension RawReader {
    /// The document's decompressed size if it can be known without
    /// decompressing: a zip entry's declared size, a plain file's size, or a
    /// gzip file's ISIZE trailer (exact for a single member under 4 GiB),
    /// taken from `whole` when the file is already in memory.
    public static func uncompressedSizeHint(of document: RawDocument, in file: RawFile, whole: WholeFile? = nil)
        -> Int64?
    {
        if let size = document.uncompressedSize { return size }
        guard case .gzip = file.kind, file.size >= 18 else { return nil }
        let trailer: [UInt8]
        if let whole {
            guard whole.bytes.count >= 18 else { return nil }
            trailer = Array(whole.bytes.suffix(4))
        } else {
            guard let handle = try? ReadOnlyFile(path: file.path, source: document.source),
                let read = try? handle.readExactly(4, at: file.size - 4, what: "gzip trailer")
            else { return nil }
            trailer = read
        }
        let isize = UInt32(trailer[0]) | UInt32(trailer[1]) << 8 | UInt32(trailer[2]) << 16 | UInt32(trailer[3]) << 24
        return Int64(isize)
    }

    /// How many bytes the document takes in its file: a zip entry's
    /// compressed size, or the whole plain or gzip file.
    public static func storedSize(of document: RawDocument, in file: RawFile) -> Int64 {
        if case .zip = file.kind { return document.zipRecord.map { Int64(clamping: $0.compressedSize) } ?? file.size }
        return file.size
    }

    /// A whole file's bytes and their SHA-256, read once (for files small
    /// enough to hold: the planner hashes them and ships them from memory).
    public struct WholeFile: Sendable {
        public let bytes: [UInt8]
        public let sha256: [UInt8]
        public var contentHash: String { ContentHasher.hex(sha256) }
    }

    public static func wholeFile(_ file: RawFile) throws -> WholeFile {
        let bytes = try readAll(file, source: file.relativePath)
        return WholeFile(bytes: bytes, sha256: ContentHasher.sha256(bytes))
    }

    private static func readAll(_ file: RawFile, source: String) throws -> [UInt8] {
        let handle = try ReadOnlyFile(path: file.path, source: source)
        return try handle.readExactly(Int(try handle.size()), at: 0, what: "file")
    }

    /// Reads the document's stored bytes (from `whole` when given: a plain or
    /// gzip file's with its digest, a zip entry's as a slice of it). Throws what streaming it would
    /// throw for a damaged container (entry data past the end of the file,
    /// an encrypted entry or an unsupported method).
    public static func stored(_ document: RawDocument, of file: RawFile, whole: WholeFile? = nil) throws
        -> StoredDocument
    {
        switch file.kind {
        case .zip:
            guard let entryPath = document.entryPath else {
                throw RawReadError(source: document.source, reason: "zip document without an entry path")
            }
            let archive = try ReadOnlyFile(path: file.path, source: document.source)
            let (record, dataStart) = try ZipStreamer.locateEntry(document, entryPath: entryPath, in: archive)
            // A zip read whole (to hash it) lends its entries' bytes: no second
            // read, and no second copy while the planner and the queue hold them.
            let bytes: ArraySlice<UInt8>
            let end = dataStart + Int64(record.compressedSize)
            if let whole, end <= Int64(whole.bytes.count) {
                bytes = whole.bytes[Int(dataStart)..<Int(end)]
            } else {
                bytes = try archive.readExactly(Int(record.compressedSize), at: dataStart, what: "zip entry data")[...]
            }
            return StoredDocument(
                source: document.source, format: document.format,
                encoding: .zipEntry(
                    method: record.method, crc32: record.crc32,
                    uncompressedSize: record.uncompressedSize, dataOffset: dataStart),
                bytes: bytes)
        case .gzip, .plain:
            let bytes = try whole?.bytes ?? readAll(file, source: document.source)
            let encoding: StoredDocument.Encoding
            if case .gzip = file.kind { encoding = .gzip } else { encoding = .plain }
            return StoredDocument(
                source: document.source, format: document.format, encoding: encoding, bytes: bytes[...],
                sha256: whole?.sha256)
        }
    }
}
