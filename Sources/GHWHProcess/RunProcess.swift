#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The outcome of a finished child process: exit status and its stdout+stderr interleaved.
public struct ProcessResult: Sendable {
    public var command: [String]
    /// The exit code, or 128 + the signal that ended it.
    public var exitStatus: Int32
    public var output: String

    public var succeeded: Bool { exitStatus == 0 }

    /// The command line and the last lines of its output, for error messages.
    public var summary: String {
        let shown = command.joined(separator: " ")
        let lines = output.split(separator: "\n", omittingEmptySubsequences: true)
        let tail = lines.suffix(30).joined(separator: "\n")
        return "`\(shown)` exited with status \(exitStatus)" + (tail.isEmpty ? "" : ":\n" + tail)
    }
}

/// Runs a program to completion and captures its output (stdout and stderr share one pipe so
/// neither can fill up while the other is read; stdin is /dev/null). `environment` replaces
/// ours when given. See `spawnChild` for why this is posix_spawn and not Foundation `Process`.
public func runProcess(
    _ executable: String, _ arguments: [String],
    environment: [String: String]? = nil, currentDirectory: String? = nil
) throws(ProcessError) -> ProcessResult {
    let command = [executable] + arguments
    let (readEnd, writeEnd) = try closeOnExecPipe(for: executable)
    defer { close(readEnd) }

    let pid: pid_t
    do {
        defer { close(writeEnd) }  // the child has its copy; ours must go for EOF to come
        pid = try spawnChild(
            command, environment: environment, currentDirectory: currentDirectory, stdout: writeEnd,
            stderr: writeEnd)
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
            throw ProcessError("waiting for \(executable) failed: \(errnoText())")
        }
    }
    return ProcessResult(
        command: command, exitStatus: ExitStatus(waitStatus: status).code,
        output: String(decoding: output, as: UTF8.self))
}
