/// A raw file or document could not be read: `source` names it (see `RawDocument.source`),
/// `reason` says what was wrong and, where known, at which byte offset.
public struct RawReadError: Error, Sendable, CustomStringConvertible {
    public let source: String
    public let reason: String

    public init(source: String, reason: String) {
        self.source = source
        self.reason = reason
    }

    public var description: String { "\(source): \(reason)" }
}
