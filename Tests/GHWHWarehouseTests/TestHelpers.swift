import Foundation
import GHWHTestSupport

@testable import GHWHWarehouse

#if canImport(Glibc)
    import Glibc
#endif

/// A fresh, short directory under /tmp (Unix socket paths are limited to 107 bytes).
func makeTemporaryDirectory(_ prefix: String = "ghwh-t") throws -> String {
    var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
    guard let created = mkdtemp(&template) else {
        throw EmbeddedPostgresError("mkdtemp failed: \(String(cString: strerror(errno)))")
    }
    let path = String(cString: created)
    // mkdtemp makes it 0700; the postgres user (when we are root) must be able to enter it.
    chmod(path, 0o755)
    return path
}

/// A connection to a brand-new database on the shared test server.
func newConnection() throws -> PGConnection {
    try PGConnection(conninfo: TestPostgres.newDatabase())
}

/// Polls `condition` until it holds or `seconds` pass; returns whether it held. For waiting on
/// another process (a killed server going away), not for hiding races in our own code.
func waitUntil(seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        usleep(10_000)
    }
    return try condition()
}

struct MarkerError: Error, Equatable {
    let tag: String
}
