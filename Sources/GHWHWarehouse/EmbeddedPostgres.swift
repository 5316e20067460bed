import Foundation
import GHWHProcess

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A private PostgreSQL server in one directory, reachable only through a Unix socket:
///
///     <directory>/data          PGDATA
///     <directory>/run           socket directory
///     <directory>/postgres.log  server log
///
/// Run as root (containers, CI) the server runs as the `postgres` user, which therefore must be
/// able to enter the directory; otherwise it runs as the current user. Methods block while
/// initdb / pg_ctl run.
public struct EmbeddedPostgres: Sendable {
    public struct Options: Sendable {
        /// Names the socket file (`.s.PGSQL.<port>`); no TCP port is opened.
        public var port: Int = 5432
        /// Extra server settings passed as `-c name=value`, e.g. `fsync=off` for tests.
        public var extraSettings: [String: String] = [:]
        /// The database `start()` creates if it is missing and `conninfo` names.
        public var database = "ghwh"

        public init(port: Int = 5432, extraSettings: [String: String] = [:], database: String = "ghwh") {
            self.port = port
            self.extraSettings = extraSettings
            self.database = database
        }
    }

    /// Whether the cluster exists and whether a live postmaster owns it.
    public enum Status: Sendable, Equatable {
        case notInitialized
        case stopped
        case running(pid: Int32)
    }

    /// pg_ctl's shutdown modes: `smart` waits for clients, `fast` disconnects them,
    /// `immediate` aborts without a checkpoint (crash recovery on next start).
    public enum StopMode: String, Sendable {
        case smart, fast, immediate
    }

    /// Absolute path of the server's directory.
    public let directory: String
    /// The options it was created with.
    public let options: Options

    /// Longest Unix socket path the kernel accepts (sun_path is 108 bytes with the NUL).
    public static let maxSocketPathLength = 107

    /// Describes the server; touches nothing on disk. A relative `directory` is made absolute.
    public init(directory: String, options: Options = .init()) {
        let absolute =
            directory.hasPrefix("/")
            ? directory
            : FileManager.default.currentDirectoryPath + "/" + directory
        self.directory = URL(fileURLWithPath: absolute).standardizedFileURL.path
        self.options = options
    }

    /// PGDATA.
    public var dataDirectory: String { directory + "/data" }
    /// Where the Unix socket lives (the conninfo `host`).
    public var socketDirectory: String { directory + "/run" }
    /// The server log (pg_ctl -l).
    public var logFile: String { directory + "/postgres.log" }
    /// The socket file itself; at most `maxSocketPathLength` bytes.
    public var socketPath: String { socketDirectory + "/.s.PGSQL.\(options.port)" }

    /// libpq conninfo of `options.database`.
    public var conninfo: String { conninfo(database: options.database) }

    /// libpq conninfo of another database on this server.
    public func conninfo(database: String) -> String {
        "host=\(conninfoQuoted(socketDirectory)) port=\(options.port) user=postgres dbname=\(conninfoQuoted(database))"
    }

    // MARK: - Lifecycle

    /// Reads PG_VERSION and postmaster.pid. A PID file naming a dead or zombie process, or one
    /// that is not PostgreSQL, counts as stopped.
    public func status() throws -> Status {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: dataDirectory, isDirectory: &isDirectory), isDirectory.boolValue else {
            return .notInitialized
        }
        guard fm.isReadableFile(atPath: dataDirectory) else {
            throw EmbeddedPostgresError("cannot read the data directory \(dataDirectory) (owned by another user?)")
        }
        guard fm.fileExists(atPath: dataDirectory + "/PG_VERSION") else { return .notInitialized }
        if let pid = ServerFiles.pid(inLockFile: pidFile), ServerFiles.isLivePostgres(pid) {
            return .running(pid: pid)
        }
        return .stopped
    }

    /// Creates the cluster with initdb unless `data/PG_VERSION` already exists.
    public func initializeIfNeeded() throws {
        if try status() != .notInitialized { return }
        let fm = FileManager.default
        if let entries = try? fm.contentsOfDirectory(atPath: dataDirectory), !entries.isEmpty {
            throw EmbeddedPostgresError(
                "\(dataDirectory) is not empty but holds no PostgreSQL cluster (no PG_VERSION); refusing to touch it")
        }
        try prepareDirectories(recursiveChown: true)
        var arguments = ["-D", dataDirectory, "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "-U", "postgres"]
        // A throwaway server (fsync=off) needs no durable initdb either.
        if options.extraSettings["fsync"] == "off" { arguments.append("--no-sync") }
        let result = try runAsServerUser(PostgresBinaries.path("initdb"), arguments)
        guard result.succeeded else {
            throw EmbeddedPostgresError("initdb failed for \(dataDirectory): \(result.summary)")
        }
    }

    /// Starts the server (`pg_ctl -w start`) unless it runs already, then creates
    /// `options.database` if it is missing.
    public func start() throws {
        try validateOptions()
        switch try status() {
        case .notInitialized:
            throw EmbeddedPostgresError("no cluster in \(dataDirectory): call initializeIfNeeded() first")
        case .running:
            break
        case .stopped:
            try removeStaleLockFiles()
            try prepareDirectories(recursiveChown: false)
            let result = try runAsServerUser(
                PostgresBinaries.path("pg_ctl"),
                [
                    "-D", dataDirectory, "-l", logFile, "-w", "-t", "120", "-o", serverOptions(), "start",
                ])
            guard result.succeeded else {
                throw EmbeddedPostgresError(
                    "could not start the server in \(dataDirectory): \(result.summary)"
                        + logTail())
            }
        }
        try createDatabaseIfMissing()
    }

    /// Stops the server (`pg_ctl -w stop -m <mode>`); does nothing when it is not running.
    public func stop() throws { try stop(mode: .fast) }

    /// Stops the server with the given pg_ctl shutdown mode; nothing when it is not running.
    public func stop(mode: StopMode) throws {
        guard case .running = try status() else { return }
        let result = try runAsServerUser(
            PostgresBinaries.path("pg_ctl"),
            [
                "-D", dataDirectory, "-w", "-t", "120", "-m", mode.rawValue, "stop",
            ])
        guard result.succeeded else {
            throw EmbeddedPostgresError("could not stop the server in \(dataDirectory): \(result.summary)" + logTail())
        }
    }

    // MARK: - Internals

    private var pidFile: String { dataDirectory + "/postmaster.pid" }
    private var socketLockFile: String { socketPath + ".lock" }
    private var runningAsRoot: Bool { geteuid() == 0 }

    private func validateOptions() throws(EmbeddedPostgresError) {
        guard (1...65535).contains(options.port) else {
            throw EmbeddedPostgresError("port \(options.port) is out of range 1-65535")
        }
        let length = socketPath.utf8.count
        guard length <= Self.maxSocketPathLength else {
            throw EmbeddedPostgresError(
                "socket path \(socketPath) is \(length) bytes, over the Unix limit of \(Self.maxSocketPathLength): use a shorter directory"
            )
        }
        guard !socketDirectory.contains(",") && !socketDirectory.contains("\"") else {
            throw EmbeddedPostgresError(
                "directory \(directory) must not contain a comma or double quote (unix_socket_directories is a list)")
        }
        for name in options.extraSettings.keys
        where name.isEmpty || !name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ".") })
        {
            throw EmbeddedPostgresError("invalid server setting name \"\(name)\"")
        }
        guard !options.database.isEmpty, !options.database.utf8.contains(0) else {
            throw EmbeddedPostgresError("invalid database name \"\(options.database)\"")
        }
    }

    /// The `-o` string for pg_ctl, which hands it to postgres through /bin/sh.
    private func serverOptions() -> String {
        var settings = [
            ("listen_addresses", ""),
            ("unix_socket_directories", socketDirectory),
            ("port", String(options.port)),
        ]
        settings += options.extraSettings.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        return settings.map { "-c " + shellQuoted("\($0.0)=\($0.1)") }.joined(separator: " ")
    }

    /// Creates the directory layout; as root, hands it to the postgres user and checks that
    /// this user can reach it.
    private func prepareDirectories(recursiveChown: Bool) throws {
        let fm = FileManager.default
        do {
            // Folders made here get o+x whatever the umask (027 made them 0750,
            // and the server's user could not reach its own directory); folders
            // that existed keep their mode.
            var missing: [String] = []
            var path = (directory as NSString).standardizingPath
            while !path.isEmpty, path != "/", !fm.fileExists(atPath: path) {
                missing.append(path)
                path = (path as NSString).deletingLastPathComponent
            }
            try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
            for created in missing { chmod(created, 0o711) }
            try fm.createDirectory(atPath: socketDirectory, withIntermediateDirectories: true)
            if !fm.fileExists(atPath: logFile) {
                guard fm.createFile(atPath: logFile, contents: nil) else {
                    throw EmbeddedPostgresError("cannot create the log file \(logFile)")
                }
            }
        } catch let error as EmbeddedPostgresError {
            throw error
        } catch {
            throw EmbeddedPostgresError("cannot create \(directory): \(error)")
        }
        guard runningAsRoot else { return }
        guard let account = getpwnam("postgres") else {
            throw EmbeddedPostgresError(
                "running as root needs a `postgres` user to run the server as, but there is none")
        }
        let uid = account.pointee.pw_uid
        let gid = account.pointee.pw_gid
        if let blocker = ServerFiles.firstUntraversableAncestor(of: directory, uid: uid, gid: gid, userName: "postgres")
        {
            throw EmbeddedPostgresError(
                "the postgres user cannot reach \(directory): \(blocker) is not searchable by it; "
                    + "choose a directory outside it (e.g. under /var/lib or /tmp) or grant it o+x")
        }
        try ServerFiles.chown(directory, uid: uid, gid: gid, recursive: recursiveChown)
        if !recursiveChown {
            try ServerFiles.chown(socketDirectory, uid: uid, gid: gid, recursive: false)
            try ServerFiles.chown(logFile, uid: uid, gid: gid, recursive: false)
        }
        chmod(directory, 0o700)
    }

    /// Lock files left by a killed server name a dead PID. Remove them once that server's
    /// orphaned backends have let go of its shared memory, or PostgreSQL refuses to start.
    private func removeStaleLockFiles() throws {
        if let pid = ServerFiles.pid(inLockFile: pidFile), !ServerFiles.isLivePostgres(pid) {
            if let shmID = ServerFiles.sharedMemoryID(inLockFile: pidFile) {
                let deadline = Date().addingTimeInterval(15)
                while ServerFiles.isSharedMemoryAttached(shmID) {
                    guard Date() < deadline else {
                        throw EmbeddedPostgresError(
                            "old server processes of killed postmaster \(pid) still hold shared memory segment \(shmID); "
                                + "terminate them (ps -u postgres) and retry")
                    }
                    usleep(20_000)
                }
            }
            try? FileManager.default.removeItem(atPath: pidFile)
        }
        if let pid = ServerFiles.pid(inLockFile: socketLockFile), !ServerFiles.isLivePostgres(pid) {
            try? FileManager.default.removeItem(atPath: socketLockFile)
        }
    }

    private func createDatabaseIfMissing() throws {
        let name = options.database
        let connection = try PGConnection(conninfo: conninfo(database: "postgres"))
        defer { connection.close() }
        let existing = try connection.query("SELECT 1 FROM pg_database WHERE datname = $1", [name])
        guard existing.isEmpty else { return }
        do {
            try connection.execute("CREATE DATABASE " + PGConnection.quoteIdentifier(name))
        } catch let error where error.sqlState == "42P04" {
            // Created concurrently by someone else: fine.
        }
    }

    private func runAsServerUser(_ program: String, _ arguments: [String]) throws -> ProcessResult {
        if runningAsRoot {
            return try runSubprocess(
                PostgresBinaries.runuser(), ["-u", "postgres", "--", program] + arguments,
                currentDirectory: directory)
        }
        return try runSubprocess(program, arguments, currentDirectory: directory)
    }

    private func logTail() -> String {
        let tail = ServerFiles.tail(ofFile: logFile)
        return tail.isEmpty ? "" : "\n--- \(logFile) (last lines) ---\n" + tail
    }
}

/// GHWHProcess's `runProcess` with this module's error (initdb, pg_ctl, pg_config).
func runSubprocess(
    _ executable: String, _ arguments: [String], currentDirectory: String? = nil
) throws(EmbeddedPostgresError) -> ProcessResult {
    do {
        return try runProcess(executable, arguments, currentDirectory: currentDirectory)
    } catch {
        throw EmbeddedPostgresError(error.message)
    }
}

/// The last `maxLines` non-empty lines of `text`.
func tailLines(_ text: String, maxLines: Int) -> String {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
    return lines.suffix(maxLines).joined(separator: "\n")
}

/// Quotes `value` for /bin/sh: pg_ctl passes its `-o` options through a shell.
func shellQuoted(_ value: String) -> String {
    "'" + value.replacingOccurrences(of: "'", with: "'\\''") + "'"
}

/// Quotes a libpq conninfo value when it needs it (empty, spaces, quotes, backslashes).
func conninfoQuoted(_ value: String) -> String {
    let plain = !value.isEmpty && !value.contains { $0 == " " || $0 == "'" || $0 == "\\" || $0.isWhitespace }
    if plain { return value }
    let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
    return "'" + escaped + "'"
}
