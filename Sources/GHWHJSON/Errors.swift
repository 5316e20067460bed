/// A document whose structure is broken (not a `[`...`]` array of elements or
/// JSON Lines, truncated, a record over the size limit). The whole document fails.
public struct DocumentStructureError: Error, Sendable, CustomStringConvertible {
    /// Byte offset in the (decompressed) document where the problem was found.
    public let offset: Int64
    /// What was wrong, in words.
    public let reason: String

    public init(offset: Int64, reason: String) {
        self.offset = offset
        self.reason = reason
    }

    public var description: String { "broken document at byte \(offset): \(reason)" }
}

/// One record is not valid JSON (syntax, UTF-8, numbers, escapes, nesting depth).
public struct JSONSyntaxError: Error, Sendable, CustomStringConvertible {
    /// Byte offset inside the record where the problem was found.
    public let offset: Int
    /// What was wrong, in words.
    public let reason: String

    public init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }

    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}

/// Renders a byte for an error message: printable ASCII quoted, anything else in hex.
func describeByte(_ byte: UInt8) -> String {
    if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
    return "byte 0x" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
}
