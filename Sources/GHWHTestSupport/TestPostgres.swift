import Foundation
import GHWHWarehouse

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One PostgreSQL server shared by every test in the process, started on first use in a fresh
/// directory under /tmp with durability turned off, and removed when the process exits.
public enum TestPostgres {
    /// Creates a brand-new empty database on the shared server and returns its conninfo.
    /// Throws (so the test fails) when the server cannot be started.
    public static func newDatabase() throws -> String {
        let server = try shared.get()
        let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let admin = try PGConnection(conninfo: server.conninfo(database: "postgres"))
        defer { admin.close() }
        try admin.execute("CREATE DATABASE " + PGConnection.quoteIdentifier(name))
        return server.conninfo(database: name)
    }

    /// The shared server. Its directory, for tests that look at files (log, socket).
    public static func server() throws -> EmbeddedPostgres { try shared.get() }

    /// Started exactly once: Swift guarantees a static `let` is initialized once, even when
    /// parallel tests reach it together (the others wait).
    private static let shared: Result<EmbeddedPostgres, TestPostgresError> = startShared()

    private static func startShared() -> Result<EmbeddedPostgres, TestPostgresError> {
        var template = Array("/tmp/ghwh-pg-XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else {
            return .failure(
                TestPostgresError("cannot create a temporary directory under /tmp: \(String(cString: strerror(errno)))")
            )
        }
        let directory = String(cString: created)
        let server = EmbeddedPostgres(
            directory: directory,
            options: .init(
                extraSettings: ["fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"],
                database: "postgres"))
        do {
            try server.initializeIfNeeded()
            try server.start()
        } catch {
            try? server.stop(mode: .immediate)
            try? FileManager.default.removeItem(atPath: directory)
            return .failure(TestPostgresError("the shared test server in \(directory) could not start: \(error)"))
        }
        cleanupDirectory = directory
        atexit { TestPostgres.stopAtExit() }
        return .success(server)
    }

    /// Written once inside `startShared` (under the static-let once guard), read at exit.
    nonisolated(unsafe) private static var cleanupDirectory: String?

    private static func stopAtExit() {
        guard let directory = cleanupDirectory else { return }
        let server = EmbeddedPostgres(directory: directory)
        try? server.stop(mode: .immediate)
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// The shared test server could not be set up.
public struct TestPostgresError: Error, Sendable, CustomStringConvertible {
    public let message: String
    init(_ message: String) { self.message = message }
    public var description: String { "TestPostgres: " + message }
}
