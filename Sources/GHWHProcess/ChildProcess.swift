import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A long-running child (a cluster role, a server, a script under test), started with the same
/// posix_spawn as `runProcess`: stdin /dev/null, no descriptor of ours above 2, default signal
/// handling. It is reaped exactly once, by whichever call first sees it exit; if the handle goes
/// away first, a thread of its own waits for it, so it never stays a zombie.
public final class ChildProcess: @unchecked Sendable {
    /// Where the child's stdout or stderr goes.
    public enum Output: Sendable {
        /// Ours.
        case inherit
        /// /dev/null.
        case discard
        /// A file, created or truncated.
        case file(String)
        /// A pipe whose read end is `standardOutput` / `standardError`.
        case pipe
    }

    public let pid: pid_t
    public let command: [String]
    /// The read end of the stdout pipe, when stdout is `.pipe` (with stderr too when that shares it).
    public let standardOutput: FileHandle?
    /// The read end of the stderr pipe, when stderr is `.pipe` on its own.
    public let standardError: FileHandle?

    private let lock = NSLock()
    private var status: ExitStatus?
    private var maxRSS: Int?

    private init(pid: pid_t, command: [String], standardOutput: FileHandle?, standardError: FileHandle?) {
        self.pid = pid
        self.command = command
        self.standardOutput = standardOutput
        self.standardError = standardError
    }

    deinit {
        guard reap() == nil else { return }
        let pid = self.pid
        Thread.detachNewThread {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        }
    }

    /// Starts `executable` (a path; no PATH search) with `arguments`. `environment` replaces ours
    /// when given (`ChildProcess.environment(overriding:)` builds one from ours); `standardError`
    /// nil shares stdout's destination (one file, one pipe); `blockedSignals` start blocked, as
    /// they would for a child of a thread that blocks them (none otherwise).
    public static func spawn(
        _ executable: String, _ arguments: [String] = [], environment: [String: String]? = nil,
        currentDirectory: String? = nil, standardOutput: Output = .inherit, standardError: Output? = nil,
        blockedSignals: [Int32] = []
    ) throws(ProcessError) -> ChildProcess {
        var toClose: [Int32] = []
        defer { for fd in toClose { close(fd) } }  // the child has its copies
        func open(_ output: Output) throws(ProcessError) -> (child: Int32, read: FileHandle?) {
            switch output {
            case .inherit:
                return (-1, nil)
            case .discard:
                return (try openForChild("/dev/null", O_WRONLY, &toClose), nil)
            case .file(let path):
                return (try openForChild(path, O_WRONLY | O_CREAT | O_TRUNC, &toClose), nil)
            case .pipe:
                let (readEnd, writeEnd) = try closeOnExecPipe(for: executable)
                toClose.append(writeEnd)
                return (writeEnd, FileHandle(fileDescriptor: readEnd, closeOnDealloc: true))
            }
        }
        let out = try open(standardOutput)
        let err = try standardError.map { (output) throws(ProcessError) in try open(output) } ?? out
        let command = [executable] + arguments
        let pid = try spawnChild(
            command, environment: environment, currentDirectory: currentDirectory, stdout: out.child,
            stderr: err.child, blockedSignals: blockedSignals)
        return ChildProcess(
            pid: pid, command: command, standardOutput: out.read,
            standardError: standardError == nil ? nil : err.read)
    }

    /// Our environment with `overrides` set and `removing` taken out.
    public static func environment(overriding overrides: [String: String], removing: [String] = []) -> [String: String]
    {
        var environment = ProcessInfo.processInfo.environment
        for name in removing { environment.removeValue(forKey: name) }
        environment.merge(overrides) { $1 }
        return environment
    }

    /// Whether the child has not exited yet (reaps it when it has).
    public var isRunning: Bool { reap() == nil }

    /// How it ended; nil while it runs (reaps it when it has exited).
    public var exitStatus: ExitStatus? { reap() }

    /// Its peak resident set in kilobytes (wait4's rusage); nil while it runs.
    public var maxResidentKilobytes: Int? {
        _ = reap()
        return lock.withLock { maxRSS }
    }

    /// Sends `signal` unless the child has been reaped (its pid may belong to another process by then).
    public func signal(_ signal: Int32) {
        lock.withLock {
            if status == nil { _ = sendSignal(pid, signal) }
        }
    }

    public func terminate() { signal(SIGTERM) }

    public func kill() { signal(SIGKILL) }

    /// Waits up to `timeout` seconds (nil: as long as it takes) for the child to exit; nil if it
    /// still runs then.
    @discardableResult
    public func waitForExit(timeout: Double? = nil) -> ExitStatus? {
        let deadline = timeout.map { Date().addingTimeInterval($0) }
        var pause: UInt32 = 1_000
        while true {
            if let status = reap() { return status }
            if let deadline, Date() >= deadline { return nil }
            // WNOHANG and short sleeps, not a blocking wait: that would hold the lock that
            // `isRunning` and `signal` need from other threads.
            usleep(pause)
            pause = min(pause * 2, 20_000)
        }
    }

    /// Reaps the child if it has exited, once: later calls return the status recorded.
    private func reap() -> ExitStatus? {
        lock.withLock {
            if let status { return status }
            var raw: Int32 = 0
            var usage = rusage()
            while true {
                let result = wait4(pid, &raw, WNOHANG, &usage)
                if result == pid {
                    status = ExitStatus(waitStatus: raw)
                    maxRSS = Int(usage.ru_maxrss)
                    return status
                }
                if result == -1 && errno == EINTR { continue }
                return nil
            }
        }
    }
}

/// `kill(2)`, out of reach inside `ChildProcess` whose `kill()` shadows it.
private func sendSignal(_ pid: pid_t, _ signal: Int32) -> Int32 { kill(pid, signal) }

/// Opens `path` close-on-exec (only the child's dup2'ed copy is meant to reach it) and notes
/// the descriptor for closing after the spawn.
private func openForChild(_ path: String, _ flags: Int32, _ toClose: inout [Int32]) throws(ProcessError) -> Int32 {
    let fd = open(path, flags | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw ProcessError("cannot open \(path): \(errnoText())") }
    toClose.append(fd)
    return fd
}
