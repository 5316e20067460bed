/// An error reported by libpq or by the PostgreSQL server.
public struct PGError: Error, Sendable, CustomStringConvertible {
    /// The server's or libpq's message, trimmed of its trailing newline.
    public let message: String
    /// The five-character SQLSTATE when the server sent one (e.g. `23505`), else nil.
    public let sqlState: String?
    /// True when the connection was lost or could not be made (refused, socket missing,
    /// server shutting down). The connection is then unusable: a caller may open a new one
    /// and retry. False for errors of the statement itself (syntax, constraint, bad data).
    public let isConnectionFailure: Bool

    /// Makes an error; library code and tests use it, and callers may for their own checks.
    public init(message: String, sqlState: String? = nil, isConnectionFailure: Bool = false) {
        self.message = message
        self.sqlState = sqlState
        self.isConnectionFailure = isConnectionFailure
    }

    /// `PostgreSQL error [SQLSTATE] (connection failure): message`.
    public var description: String {
        var text = "PostgreSQL error"
        if let sqlState { text += " [\(sqlState)]" }
        if isConnectionFailure { text += " (connection failure)" }
        return text + ": " + message
    }

    /// SQLSTATE classes that mean the session is gone rather than the statement being wrong:
    /// 08 connection exception, 57P01-57P03 admin/crash shutdown, cannot connect now.
    static func isConnectionState(_ state: String?) -> Bool {
        guard let state else { return false }
        return state.hasPrefix("08") || state == "57P01" || state == "57P02" || state == "57P03"
    }
}
