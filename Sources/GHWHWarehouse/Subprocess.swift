import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The outcome of a finished child process: exit status and its stdout+stderr interleaved.
struct SubprocessResult: Sendable {
    var command: [String]
    var exitStatus: Int32
    var output: String

    var succeeded: Bool { exitStatus == 0 }

    /// The command line and the last lines of its output, for error messages.
    var summary: String {
        let shown = command.joined(separator: " ")
        let tail = tailLines(output, maxLines: 30)
        return "`\(shown)` exited with status \(exitStatus)" + (tail.isEmpty ? "" : ":\n" + tail)
    }
}

/// Runs a program to completion and captures its output (stdout and stderr share one pipe so
/// neither can fill up while the other is read; stdin is /dev/null).
///
/// Not Foundation `Process`: on Linux it detects a child's exit through a socket that it lets
/// the child inherit (swift-corelibs-foundation issue #4795), and `pg_ctl start` leaves the
/// server running with that socket, so `waitUntilExit()` never returns. posix_spawn here
/// closes every descriptor above 2 in the child, so a daemon started by the child holds none
/// of ours (neither this process's pipes nor, say, a CI log pipe it would keep open).
func runSubprocess(
    _ executable: String, _ arguments: [String],
    currentDirectory: String? = nil
) throws(EmbeddedPostgresError) -> SubprocessResult {
    let command = [executable] + arguments
    var pipeEnds: [Int32] = [-1, -1]
    guard pipe(&pipeEnds) == 0 else {
        throw EmbeddedPostgresError("cannot create a pipe for \(executable): \(errnoText())")
    }
    let readEnd = pipeEnds[0]
    let writeEnd = pipeEnds[1]
    // Close-on-exec, so that children spawned meanwhile by other threads do not get them.
    _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)
    _ = fcntl(writeEnd, F_SETFD, FD_CLOEXEC)
    defer { close(readEnd) }

    let pid: pid_t
    do {
        defer { close(writeEnd) }  // the child has its copy; ours must go for EOF to come
        pid = try spawn(command, stdoutAndStderr: writeEnd, currentDirectory: currentDirectory)
    }

    var output: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 16_384)
    while true {
        let count = buffer.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
        if count > 0 {
            output.append(contentsOf: buffer[0..<count])
        } else if count == 0 || errno != EINTR {
            break
        }
    }

    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1 {
        guard errno == EINTR else {
            throw EmbeddedPostgresError("waiting for \(executable) failed: \(errnoText())")
        }
    }
    // WIFEXITED / WEXITSTATUS are macros Swift cannot import.
    let signal = status & 0x7F
    let exitStatus = signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    return SubprocessResult(
        command: command, exitStatus: exitStatus,
        output: String(decoding: output, as: UTF8.self))
}

private func spawn(
    _ command: [String], stdoutAndStderr fd: Int32,
    currentDirectory: String?
) throws(EmbeddedPostgresError) -> pid_t {
    #if os(Linux)
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
    #else
        var actions: posix_spawn_file_actions_t? = nil
        var attributes: posix_spawnattr_t? = nil
    #endif
    posix_spawn_file_actions_init(&actions)
    posix_spawnattr_init(&attributes)
    defer {
        posix_spawn_file_actions_destroy(&actions)
        posix_spawnattr_destroy(&attributes)
    }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_adddup2(&actions, fd, 1)
    posix_spawn_file_actions_adddup2(&actions, fd, 2)

    // Default signal handling and an empty mask: the caller's thread may block or ignore
    // signals (SIGPIPE is commonly ignored) and a child would inherit that.
    var defaults = sigset_t()
    sigemptyset(&defaults)
    sigaddset(&defaults, SIGPIPE)
    sigaddset(&defaults, SIGCHLD)
    var emptyMask = sigset_t()
    sigemptyset(&emptyMask)
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setsigmask(&attributes, &emptyMask)
    var flags = Int32(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)

    #if os(Linux)
        // glibc 2.34+ has these, but only under _GNU_SOURCE, which Swift's Glibc module lacks.
        guard let closeFrom = SpawnExtensions.closeFrom, let changeDirectory = SpawnExtensions.changeDirectory else {
            throw EmbeddedPostgresError(
                "this C library lacks posix_spawn_file_actions_addclosefrom_np/addchdir_np (glibc 2.34 or newer is needed)"
            )
        }
        _ = closeFrom(&actions, 3)
        if let currentDirectory { _ = changeDirectory(&actions, currentDirectory) }
    #else
        flags |= Int32(POSIX_SPAWN_CLOEXEC_DEFAULT)
        posix_spawn_file_actions_addinherit_np(&actions, 0)
        posix_spawn_file_actions_addinherit_np(&actions, 1)
        posix_spawn_file_actions_addinherit_np(&actions, 2)
        if let currentDirectory { posix_spawn_file_actions_addchdir_np(&actions, currentDirectory) }
    #endif
    posix_spawnattr_setflags(&attributes, Int16(truncatingIfNeeded: flags))

    let argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    var pid: pid_t = 0
    let result = posix_spawn(&pid, command[0], &actions, &attributes, argv, environ)
    guard result == 0 else {
        throw EmbeddedPostgresError("could not run \(command[0]): \(String(cString: strerror(result)))")
    }
    return pid
}

#if os(Linux)
    /// glibc's posix_spawn extensions, looked up at run time.
    private enum SpawnExtensions {
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        typealias ChangeDirectory =
            @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32

        static let closeFrom: CloseFrom? = symbol("posix_spawn_file_actions_addclosefrom_np")
        static let changeDirectory: ChangeDirectory? = symbol("posix_spawn_file_actions_addchdir_np")

        private static func symbol<T>(_ name: String) -> T? {
            guard let handle = dlopen(nil, RTLD_NOW), let address = dlsym(handle, name) else { return nil }
            return unsafeBitCast(address, to: T.self)
        }
    }
#endif

private func errnoText() -> String { String(cString: strerror(errno)) }

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
