import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A child process could not be started or waited for.
public struct ProcessError: Error, Sendable, CustomStringConvertible {
    /// What failed, naming the program.
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// How a child ended.
public enum ExitStatus: Sendable, Equatable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    /// The shell's number for it: the exit code, or 128 + the signal.
    public var code: Int32 {
        switch self {
        case .exited(let code): code
        case .signaled(let signal): 128 + signal
        }
    }

    public var description: String {
        switch self {
        case .exited(let code): "exit status \(code)"
        case .signaled(let signal): "signal \(signal)"
        }
    }

    /// Decodes a wait status (WIFEXITED / WEXITSTATUS are macros Swift cannot import).
    init(waitStatus status: Int32) {
        let signal = status & 0x7F
        self = signal == 0 ? .exited((status >> 8) & 0xFF) : .signaled(signal)
    }
}

/// Starts `command` with posix_spawn: stdin is /dev/null, stdout and stderr are `stdout` and
/// `stderr` (-1 keeps ours), every other descriptor of ours is closed in the child.
///
/// Not Foundation `Process`: on Linux it detects a child's exit through a socket that it lets
/// the child inherit (swift-corelibs-foundation issue #4795), and `pg_ctl start` leaves the
/// server running with that socket, so `waitUntilExit()` never returns. Closing every
/// descriptor above 2 in the child means a daemon started by the child holds none of ours
/// (neither this process's pipes nor, say, a CI log pipe it would keep open).
func spawnChild(
    _ command: [String], environment: [String: String]?, currentDirectory: String?,
    stdout: Int32, stderr: Int32, blockedSignals: [Int32] = []
) throws(ProcessError) -> pid_t {
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
    if stdout >= 0 { posix_spawn_file_actions_adddup2(&actions, stdout, 1) }
    if stderr >= 0 { posix_spawn_file_actions_adddup2(&actions, stderr, 2) }

    // Default signal handling and a mask of only what the caller asks for: the caller's thread
    // may block or ignore signals (SIGPIPE is commonly ignored; SIGTERM and SIGINT are by a
    // process watching them with a DispatchSource) and ignored signals survive exec.
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for signal in [SIGPIPE, SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM] {
        sigaddset(&defaults, signal)
    }
    var mask = sigset_t()
    sigemptyset(&mask)
    for signal in blockedSignals { sigaddset(&mask, signal) }
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setsigmask(&attributes, &mask)
    var flags = Int32(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)

    #if os(Linux)
        // glibc 2.34+ has these, but only under _GNU_SOURCE, which Swift's Glibc module lacks.
        guard let closeFrom = SpawnExtensions.closeFrom, let changeDirectory = SpawnExtensions.changeDirectory else {
            throw ProcessError(
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
    let envp: [UnsafeMutablePointer<CChar>?]? = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
    defer { for pointer in envp ?? [] { free(pointer) } }
    var pid: pid_t = 0
    let result =
        if let envp {
            posix_spawn(&pid, command[0], &actions, &attributes, argv, envp)
        } else {
            posix_spawn(&pid, command[0], &actions, &attributes, argv, environ)
        }
    guard result == 0 else {
        throw ProcessError("could not run \(command[0]): \(String(cString: strerror(result)))")
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

/// A pipe whose ends are close-on-exec, so that children spawned meanwhile by other threads
/// do not get them (the one child meant to has its end dup2'ed to 1 or 2).
func closeOnExecPipe(for executable: String) throws(ProcessError) -> (read: Int32, write: Int32) {
    var ends: [Int32] = [-1, -1]
    guard pipe(&ends) == 0 else {
        throw ProcessError("cannot create a pipe for \(executable): \(errnoText())")
    }
    _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
    _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
    return (ends[0], ends[1])
}

func errnoText() -> String { String(cString: strerror(errno)) }
