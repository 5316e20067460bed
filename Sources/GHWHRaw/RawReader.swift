/// Reads raw files: lists their documents and streams each document's decompressed bytes.
/// Never writes, moves or deletes a raw file.
public enum RawReader {
    /// The documents of a file: the file itself, or each `.json`/`.jsonl`/`.ndjson` entry of a zip
    /// (other entries and directories ignored, in central-directory order). A zero-byte zip has none.
    /// A zip whose directory can't be read throws `RawReadError` for the file.
    public static func documents(of file: RawFile) throws -> [RawDocument] {
        switch file.kind {
        case .zip:
            return try ZipStreamer.documents(of: file)
        case .gzip(let format):
            return [RawDocument(source: file.relativePath, format: format, entryPath: nil, uncompressedSize: nil)]
        case .plain(let format):
            return [RawDocument(source: file.relativePath, format: format, entryPath: nil, uncompressedSize: file.size)]
        }
    }

    /// Streams the decompressed bytes of one document to `consume` in chunks of 1 to `bufferSize` bytes.
    /// Corrupt/truncated gzip or deflate data, a zip CRC-32 or size mismatch, or an I/O error throws
    /// `RawReadError(source, reason)`; bytes already delivered must then be discarded by the caller.
    /// An error thrown by `consume` propagates unchanged (lets the caller abort).
    public static func stream(
        _ document: RawDocument, of file: RawFile, bufferSize: Int = 1 << 20,
        _ consume: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        guard bufferSize > 0 else {
            throw RawReadError(source: document.source, reason: "bufferSize must be positive, got \(bufferSize)")
        }
        switch file.kind {
        case .zip:
            guard let entryPath = document.entryPath else {
                throw RawReadError(source: document.source, reason: "zip document without an entry path")
            }
            try ZipStreamer.stream(
                document, entryPath: entryPath, of: file,
                bufferSize: bufferSize, consume)
        case .gzip:
            try GzipStreamer.stream(path: file.path, source: document.source, bufferSize: bufferSize, consume)
        case .plain:
            try PlainStreamer.stream(path: file.path, source: document.source, bufferSize: bufferSize, consume)
        }
    }

    /// SHA-256 of the file's bytes as lowercase hex (streaming, constant memory).
    public static func contentHash(of file: RawFile) throws -> String {
        try ContentHasher.sha256Hex(path: file.path, source: file.relativePath)
    }
}
