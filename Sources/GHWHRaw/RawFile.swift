import GHWHModel

/// How a document's bytes are laid out once decompressed.
public enum DocumentFormat: Sendable, Hashable {
    /// One JSON value (normally a top-level array of objects): `.json`.
    case json
    /// One JSON value per line: `.jsonl`, `.ndjson`.
    case jsonLines

    /// The format a file or entry name implies (case-insensitive), or nil for other names.
    static func of(name: String) -> DocumentFormat? {
        let lower = name.lowercased()
        if lower.hasSuffix(".json") { return .json }
        if lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") { return .jsonLines }
        return nil
    }
}

/// How a raw file is packaged.
public enum RawFileKind: Sendable, Hashable {
    /// A zip archive (`.json.zip`) whose `.json`/`.jsonl`/`.ndjson` entries are documents.
    case zip
    /// A gzip file (`.json.gz`, `.jsonl.gz`, `.ndjson.gz`) holding one document.
    case gzip(DocumentFormat)
    /// An uncompressed document (`.json`, `.jsonl`, `.ndjson`).
    case plain(DocumentFormat)

    /// The kind a file name implies (case-insensitive), or nil when the name is not a raw file.
    static func of(fileName: String) -> RawFileKind? {
        let lower = fileName.lowercased()
        if lower.hasSuffix(".json.zip") { return .zip }
        if lower.hasSuffix(".gz") {
            return DocumentFormat.of(name: String(lower.dropLast(3))).map { .gzip($0) }
        }
        return DocumentFormat.of(name: lower).map { .plain($0) }
    }
}

/// One file of the raw layer, as found by `RawLayout.scan`.
public struct RawFile: Sendable, Hashable {
    public let dataset: Dataset
    public let ingestDate: IngestDate
    /// Absolute path.
    public let path: String
    /// Path relative to the raw root, e.g. `github/issues/2024-01-02/part-0001.json.zip`.
    public let relativePath: String
    /// Size in bytes when scanned.
    public let size: Int64
    public let kind: RawFileKind

    public init(
        dataset: Dataset, ingestDate: IngestDate, path: String, relativePath: String,
        size: Int64, kind: RawFileKind
    ) {
        self.dataset = dataset
        self.ingestDate = ingestDate
        self.path = path
        self.relativePath = relativePath
        self.size = size
        self.kind = kind
    }
}
