import Foundation

/// Where the PostgreSQL server programs (initdb, pg_ctl, postgres) live, and how to run them
/// as the postgres user when we are root.
enum PostgresBinaries {
    static let fallbackDirectory = "/usr/lib/postgresql/15/bin"

    /// `pg_config --bindir` when it holds initdb, else the Debian PostgreSQL 15 directory.
    /// Looked up once per process.
    static let directory: Result<String, EmbeddedPostgresError> = locate()

    private static func locate() -> Result<String, EmbeddedPostgresError> {
        var tried: [String] = []
        if let result = try? runSubprocess("/usr/bin/env", ["pg_config", "--bindir"]), result.succeeded {
            let reported = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
            if isExecutable(reported + "/initdb") { return .success(reported) }
            tried.append(reported + " (from pg_config --bindir)")
        } else {
            tried.append("pg_config --bindir (not runnable)")
        }
        if isExecutable(fallbackDirectory + "/initdb") { return .success(fallbackDirectory) }
        tried.append(fallbackDirectory)
        return .failure(
            EmbeddedPostgresError(
                "PostgreSQL server programs (initdb, pg_ctl) not found; looked in: \(tried.joined(separator: ", ")). "
                    + "Install the server, e.g. `apt-get install postgresql-15`."))
    }

    static func path(_ program: String) throws(EmbeddedPostgresError) -> String {
        switch directory {
        case .success(let directory): return directory + "/" + program
        case .failure(let error): throw error
        }
    }

    /// runuser, which root uses to drop to the postgres user (initdb and postgres refuse root).
    static func runuser() throws(EmbeddedPostgresError) -> String {
        for candidate in ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser", "/bin/runuser"]
        where isExecutable(candidate) {
            return candidate
        }
        throw EmbeddedPostgresError(
            "running as root needs `runuser` (util-linux) to start PostgreSQL as the postgres user, but it was not found"
        )
    }

    private static func isExecutable(_ path: String) -> Bool {
        FileManager.default.isExecutableFile(atPath: path)
    }
}
