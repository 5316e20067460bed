/// One document of a raw file: a plain or gzip file, or one zip entry. A document loads or fails as a whole.
public struct RawDocument: Sendable, Hashable {
    /// The file's relative path, or `<relativePath>!<entry path>` for a zip entry.
    public let source: String
    public let format: DocumentFormat
    /// The entry's path inside the zip; nil for plain and gzip files.
    public let entryPath: String?
    /// Decompressed size when known up front (zip entries, plain files); nil for gzip.
    public let uncompressedSize: Int64?

    /// The entry's central-directory record when listed by `RawReader.documents(of:)`,
    /// so streaming needn't read the directory again.
    let zipRecord: ZipEntryRecord?

    public init(source: String, format: DocumentFormat, entryPath: String?, uncompressedSize: Int64?) {
        self.init(
            source: source, format: format, entryPath: entryPath, uncompressedSize: uncompressedSize,
            zipRecord: nil)
    }

    init(
        source: String, format: DocumentFormat, entryPath: String?, uncompressedSize: Int64?,
        zipRecord: ZipEntryRecord?
    ) {
        self.source = source
        self.format = format
        self.entryPath = entryPath
        self.uncompressedSize = uncompressedSize
        self.zipRecord = zipRecord
    }
}
