/// Whether a document turned out to be one top-level array of records or JSON Lines.
public enum DocumentShape: Sendable {
    case array
    case lines
}

/// The bytes of one record, handed to the `emit` callback of `RecordSplitter`.
/// `bytes` is only valid during that call: copy what must outlive it.
public struct RecordSlice {
    /// Exactly the element's bytes (array) or the line without its `\n` / trailing `\r` (lines).
    public let bytes: UnsafeRawBufferPointer
    /// 0-based index of the record among the records of the document.
    public let ordinal: Int
    /// Byte offset of the record's first byte in the (decompressed) document.
    public let offset: Int64
    /// Set when the record (a JSON Lines line) is longer than the splitter's
    /// limit: its full length, while `bytes` holds only its first
    /// `RecordSlice.excerptBytes` bytes. Such a record is a reject, not a
    /// broken document: in JSON Lines the next line is the next record.
    public let oversizedLength: Int?
    /// The record already validated and projected, when the splitter was given
    /// a parser and the record lay within one chunk (`RecordSplitter.consume(_:parse:_:)`).
    public let projected: JSONValue?

    /// How much of an oversized record is kept for its reject's excerpt.
    public static let excerptBytes = 1024

    public init(
        bytes: UnsafeRawBufferPointer, ordinal: Int, offset: Int64, oversizedLength: Int? = nil,
        projected: JSONValue? = nil
    ) {
        self.bytes = bytes
        self.ordinal = ordinal
        self.offset = offset
        self.oversizedLength = oversizedLength
        self.projected = projected
    }
}
