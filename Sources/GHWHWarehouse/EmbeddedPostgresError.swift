/// Why the embedded PostgreSQL server could not be set up, started or stopped. The message
/// names the path or command involved and carries the tail of its output and of postgres.log.
public struct EmbeddedPostgresError: Error, Sendable, CustomStringConvertible {
    /// What failed, with paths and command/log output.
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { "embedded PostgreSQL: " + message }
}
