import Foundation
import Logging

/// Where the warehouse lives: the configured server (a DSN), or else the
/// embedded default, a private PostgreSQL under the project's data directory
/// that ghwh initialises and starts itself (Unix socket only).
public enum WarehouseLocation {
    public static func embeddedServer(dataDirectory: String) -> EmbeddedPostgres {
        EmbeddedPostgres(directory: absolute(dataDirectory) + "/postgres")
    }

    /// Returns a conninfo to connect with, starting the embedded server if no
    /// DSN is configured. Never starts a server when a DSN is given.
    public static func resolve(databaseURL: String?, dataDirectory: String, logger: Logger) throws -> String {
        if let url = databaseURL, !url.isEmpty { return url }
        let server = embeddedServer(dataDirectory: dataDirectory)
        if case .running = try server.status() { return server.conninfo }
        logger.info(
            "no database configured: starting the embedded PostgreSQL",
            metadata: ["dir": "\(absolute(dataDirectory))/postgres"])
        try server.initializeIfNeeded()
        try server.start()
        return server.conninfo
    }

    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }
}
