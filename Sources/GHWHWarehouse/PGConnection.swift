import CLibPQ
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// NOTICE / WARNING messages from the server are not errors: they go to this logger at debug.
private let noticeLogger = Logger(label: "ghwh.postgres.notice")

/// What ghwh's sessions are called in `pg_stat_activity` (`application_name`), so the
/// server's work can be told apart by role (`make bench` splits its CPU this way).
public enum SessionName {
    /// The loader: COPYs into the stage, merges, bookkeeping.
    public static let loader = "ghwh loader"
    /// Gold workers: silver reads and the backlog query.
    public static let gold = "ghwh gold"
    /// Every other session (planning, reports, commands).
    public static let other = "ghwh"
}

/// A blocking libpq connection.
///
/// Every call blocks the calling thread until the server answers, so use it from a dedicated
/// thread, never from Swift's cooperative pool. It is `@unchecked Sendable` so that it can be
/// handed to such a thread, but it is not thread-safe: one thread at a time may use it.
public final class PGConnection: @unchecked Sendable {
    /// nil once closed.
    private var conn: OpaquePointer?
    /// Nesting depth of `transaction` calls (0: none open).
    private var transactionDepth = 0

    /// COPY data is handed to libpq in pieces of this size, so that libpq's own output buffer
    /// stays small however big the caller's buffer is.
    static let copyChunkSize = 1 << 20

    /// Connects with a libpq conninfo string (`host=/run/dir port=5432 dbname=x`) or a
    /// `postgresql://` URL. The session's client_encoding is UTF8. `applicationName` names
    /// the session in `pg_stat_activity` (and so in the bench's split of the server's CPU)
    /// unless the conninfo sets `application_name` itself.
    public init(conninfo: String, applicationName: String = SessionName.other) throws(PGError) {
        try Self.validate(conninfo: conninfo)
        // expand_dbname = 1: the first "dbname" value is itself a conninfo/URL; the
        // client_encoding after it overrides whatever the string says.
        let keywords = ["dbname", "client_encoding", "fallback_application_name"]
        let values = [conninfo, "UTF8", applicationName]
        let connection = withCStringArray(keywords) { keys in
            withCStringArray(values) { vals in PQconnectdbParams(keys, vals, 1) }
        }
        guard let connection else {
            throw PGError(message: "libpq could not allocate a connection", isConnectionFailure: true)
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = Self.trimmed(PQerrorMessage(connection))
            PQfinish(connection)
            throw PGError(
                message: "could not connect (\(Self.redacted(conninfo))): \(message)",
                isConnectionFailure: true)
        }
        PQsetNoticeProcessor(
            connection,
            { _, message in
                guard let message else { return }
                noticeLogger.debug("\(PGConnection.trimmed(message))")
            }, nil)
        conn = connection
    }

    deinit { close() }

    /// True while the connection is open and libpq has not seen it break. A server that went
    /// away is noticed only by the next statement, which then fails with `isConnectionFailure`.
    public var isAlive: Bool {
        guard let conn else { return false }
        return PQstatus(conn) == CONNECTION_OK
    }

    /// Closes the connection; later calls fail. Closing twice is harmless.
    public func close() {
        if let conn { PQfinish(conn) }
        conn = nil
    }

    /// Runs one or more `;`-separated statements through the simple query protocol
    /// (no parameters, results discarded). Stops at the first failing statement.
    public func execute(_ sql: String) throws(PGError) {
        let connection = try open()
        let result = PQexec(connection, sql)
        defer { PQclear(result) }
        _ = try check(result, connection)
    }

    /// Runs one statement with `$1, $2, ...` parameters sent as text (nil = NULL) and returns
    /// its rows in text format.
    public func query(_ sql: String, _ params: [String?] = []) throws(PGError) -> PGRows {
        let connection = try open()
        let result = try execParams(connection, sql, params)
        defer { PQclear(result) }
        let ok = try check(result, connection)
        return Self.rows(of: ok)
    }

    /// Runs one statement with text parameters and returns the number of rows it affected
    /// (0 for statements without a count, such as CREATE TABLE).
    @discardableResult
    public func command(_ sql: String, _ params: [String?] = []) throws(PGError) -> Int {
        let connection = try open()
        let result = try execParams(connection, sql, params)
        defer { PQclear(result) }
        let ok = try check(result, connection)
        return Self.affectedRows(ok)
    }

    /// Runs `COPY ... FROM STDIN` and feeds it `data`, which must already be in the
    /// statement's format (COPY text: `CopyTextWriter`). Returns the number of rows copied.
    /// A bad row aborts the whole COPY and its server error is thrown; the connection stays usable.
    @discardableResult
    public func copyIn(_ copySQL: String, data: [UInt8]) throws(PGError) -> Int {
        try copyIn(copySQL, parts: [data[...]])
    }

    @discardableResult
    public func copyIn(_ copySQL: String, data: ArraySlice<UInt8>) throws(PGError) -> Int {
        try copyIn(copySQL, parts: [data])
    }

    /// Runs `COPY ... FROM STDIN (FORMAT binary)` over rows written by `CopyBinaryWriter`
    /// (the rows of several writers, one after the other), adding the format's header and trailer.
    @discardableResult
    public func copyInBinary(_ copySQL: String, rows: [ArraySlice<UInt8>]) throws(PGError) -> Int {
        try copyIn(copySQL, parts: [CopyBinaryWriter.header[...]] + rows + [CopyBinaryWriter.trailer[...]])
    }

    /// `copyIn` with the data in parts, sent one after the other.
    private func copyIn(_ copySQL: String, parts: [ArraySlice<UInt8>]) throws(PGError) -> Int {
        let connection = try open()
        let start = PQexec(connection, copySQL)
        guard let start, PQresultStatus(start) == PGRES_COPY_IN else {
            defer { PQclear(start) }
            _ = try check(start, connection)  // throws the server's error if there is one
            throw PGError(message: "copyIn needs a COPY ... FROM STDIN statement, got: \(copySQL.prefix(200))")
        }
        PQclear(start)

        var sendFailure: String?
        for data in parts where sendFailure == nil {
            data.withUnsafeBytes { buffer in
                guard let base = buffer.baseAddress else { return }
                var offset = 0
                while offset < buffer.count {
                    let length = min(Self.copyChunkSize, buffer.count - offset)
                    let piece = (base + offset).assumingMemoryBound(to: CChar.self)
                    if PQputCopyData(connection, piece, Int32(length)) != 1 {
                        sendFailure = Self.trimmed(PQerrorMessage(connection))
                        return
                    }
                    offset += length
                }
            }
        }
        // On a send failure, end the COPY with an error so that the server rolls it back.
        if PQputCopyEnd(connection, sendFailure == nil ? nil : "client failed to send COPY data") != 1,
            sendFailure == nil
        {
            sendFailure = Self.trimmed(PQerrorMessage(connection))
        }

        // The outcome, including any row error, arrives only now. Drain every result.
        var copied = 0
        var serverError: PGError?
        while let result = PQgetResult(connection) {
            defer { PQclear(result) }
            switch PQresultStatus(result) {
            case PGRES_COMMAND_OK:
                copied = Self.affectedRows(result)
            case PGRES_COPY_IN:
                // Still in COPY: the end message was not accepted. Try once more, then give up.
                if PQputCopyEnd(connection, "client abandoned COPY") != 1 {
                    serverError = serverError ?? error(from: result, connection)
                    return try finishBroken(serverError, sendFailure)
                }
            default:
                if serverError == nil { serverError = error(from: result, connection) }
            }
        }
        if let serverError { throw serverError }
        if let sendFailure {
            throw PGError(
                message: "COPY failed while sending data: \(sendFailure)",
                isConnectionFailure: PQstatus(connection) != CONNECTION_OK)
        }
        return copied
    }

    /// Runs `body` inside BEGIN / COMMIT. If `body` throws, the transaction is rolled back and
    /// the original error is rethrown. A COMMIT that the server turns into a rollback (because
    /// a statement inside failed and its error was swallowed) throws a `PGError`.
    /// Called inside another `transaction`, `body` simply joins the outer one (which
    /// commits or rolls back everything), so several units can share one commit.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        if transactionDepth > 0 {
            transactionDepth += 1
            defer { transactionDepth -= 1 }
            return try body()
        }
        try execute("BEGIN")
        transactionDepth = 1
        let value: T
        do {
            value = try body()
        } catch {
            transactionDepth = 0
            try? execute("ROLLBACK")
            throw error
        }
        transactionDepth = 0
        let connection = try open()
        let result = PQexec(connection, "COMMIT")
        defer { PQclear(result) }
        let ok = try check(result, connection)
        if let tag = PQcmdStatus(ok), String(cString: tag) == "ROLLBACK" {
            throw PGError(
                message: "COMMIT was turned into ROLLBACK: a statement in the transaction had failed",
                sqlState: "25P02")
        }
        return value
    }

    /// `name` as a double-quoted SQL identifier (`a"b` becomes `"a""b"`), for names that
    /// cannot be passed as parameters (databases, schemas, tables).
    public static func quoteIdentifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    // MARK: - Internals

    private func open() throws(PGError) -> OpaquePointer {
        guard let conn else { throw PGError(message: "connection is closed") }
        return conn
    }

    private func execParams(_ connection: OpaquePointer, _ sql: String, _ params: [String?]) throws(PGError)
        -> OpaquePointer?
    {
        // A C string ends at NUL: a parameter holding one would be cut short without a word.
        for (index, param) in params.enumerated() where param?.utf8.contains(0) == true {
            throw PGError(
                message: "parameter $\(index + 1) contains a NUL character, which PostgreSQL text cannot hold")
        }
        return withOptionalCStringArray(params) { values in
            PQexecParams(connection, sql, Int32(params.count), nil, values, nil, nil, 0)
        }
    }

    /// Returns the result when it succeeded; otherwise throws its error. A statement that
    /// started a COPY is not allowed here: the COPY is ended first so the session stays usable.
    private func check(_ result: OpaquePointer?, _ connection: OpaquePointer) throws(PGError) -> OpaquePointer {
        guard let result else {
            // No result at all: libpq could not send or receive (the statement never ran).
            throw PGError(message: Self.trimmed(PQerrorMessage(connection)), isConnectionFailure: true)
        }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY, PGRES_SINGLE_TUPLE:
            return result
        case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
            abandonCopy(connection)
            throw PGError(message: "COPY FROM STDIN / TO STDOUT is only supported through copyIn")
        default:
            throw error(from: result, connection)
        }
    }

    /// Leaves a COPY state that `execute`/`query` ran into, discarding any data.
    private func abandonCopy(_ connection: OpaquePointer) {
        _ = PQputCopyEnd(connection, "COPY is not supported through this call")
        var buffer: UnsafeMutablePointer<CChar>?
        while PQgetCopyData(connection, &buffer, 0) > 0 {
            PQfreemem(buffer)
            buffer = nil
        }
        while let result = PQgetResult(connection) { PQclear(result) }
    }

    private func finishBroken(_ serverError: PGError?, _ sendFailure: String?) throws(PGError) -> Int {
        throw PGError(
            message: serverError?.message ?? sendFailure ?? "COPY could not be ended",
            sqlState: serverError?.sqlState, isConnectionFailure: true)
    }

    private func error(from result: OpaquePointer, _ connection: OpaquePointer) -> PGError {
        var message = Self.trimmed(PQresultErrorMessage(result))
        if message.isEmpty { message = Self.trimmed(PQerrorMessage(connection)) }
        let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
        // A server error always carries a SQLSTATE; one without it was made by libpq itself
        // (e.g. "server closed the connection unexpectedly", which can leave PQstatus OK).
        let lost = PQstatus(connection) != CONNECTION_OK || PGError.isConnectionState(state) || state == nil
        return PGError(message: message, sqlState: state, isConnectionFailure: lost)
    }

    private static func rows(of result: OpaquePointer) -> PGRows {
        let columnCount = Int(PQnfields(result))
        let rowCount = Int(PQntuples(result))
        let columns = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
        var rows: [[String?]] = []
        rows.reserveCapacity(rowCount)
        for r in 0..<Int32(rowCount) {
            var row: [String?] = []
            row.reserveCapacity(columnCount)
            for c in 0..<Int32(columnCount) {
                if PQgetisnull(result, r, c) != 0 {
                    row.append(nil)
                } else {
                    let length = Int(PQgetlength(result, r, c))
                    guard let value = PQgetvalue(result, r, c) else {
                        row.append(nil)
                        continue
                    }
                    let bytes = UnsafeRawPointer(value).assumingMemoryBound(to: UInt8.self)
                    row.append(String(decoding: UnsafeBufferPointer(start: bytes, count: length), as: UTF8.self))
                }
            }
            rows.append(row)
        }
        return PGRows(columns: columns, rows: rows)
    }

    private static func affectedRows(_ result: OpaquePointer) -> Int {
        guard let text = PQcmdTuples(result) else { return 0 }
        return Int(String(cString: text)) ?? 0
    }

    private static func validate(conninfo: String) throws(PGError) {
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(conninfo, &errorMessage) else {
            let detail = errorMessage.map { trimmed($0) } ?? "out of memory"
            if let errorMessage { PQfreemem(errorMessage) }
            throw PGError(message: "invalid connection string: \(detail)")
        }
        PQconninfoFree(options)
    }

    /// conninfo with any password value blanked, for error messages.
    public static func redacted(_ conninfo: String) -> String {
        if conninfo.contains("password") { return "<conninfo hidden: it contains a password>" }
        // postgresql://user:secret@host/db
        if let scheme = conninfo.range(of: "://") {
            let authority = conninfo[scheme.upperBound...].prefix { $0 != "/" && $0 != "?" }
            if let at = authority.lastIndex(of: "@"), authority[..<at].contains(":") {
                return "<conninfo hidden: it contains a password>"
            }
        }
        return conninfo
    }

    static func trimmed(_ text: UnsafePointer<CChar>?) -> String {
        guard let text else { return "" }
        var message = String(cString: text)
        while let last = message.last, last.isWhitespace { message.removeLast() }
        return message
    }
}

/// Calls `body` with a C array of C strings (not NULL-terminated: libpq is told the count,
/// except for PQconnectdbParams, which needs the trailing NULL that is added here).
private func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
    withOptionalCStringArray(strings.map { Optional($0) }, body)
}

private func withOptionalCStringArray<R>(_ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R)
    -> R
{
    let pointers: [UnsafeMutablePointer<CChar>?] = strings.map { $0.flatMap { strdup($0) } }
    defer { for pointer in pointers { free(pointer) } }
    let constPointers = pointers.map { UnsafePointer($0) } + [nil]
    return constPointers.withUnsafeBufferPointer { body($0.baseAddress) }
}
