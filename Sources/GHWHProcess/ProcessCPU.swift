#if canImport(Glibc)
    import Glibc
#endif

/// A process's CPU time from a `/proc/PID/stat` line (Linux): what the bench
/// reads of PostgreSQL's processes.
public struct ProcessCPU: Sendable, Equatable {
    public var ppid: Int
    /// User + system seconds of the process itself.
    public var seconds: Double
    /// User + system seconds of its children it has waited for.
    public var reapedChildrenSeconds: Double

    /// Parses a stat line; `ticksPerSecond` is `sysconf(_SC_CLK_TCK)`. The command
    /// name (field 2) is in parentheses and may hold spaces, so fields are counted
    /// after its closing one: field 3 (state) is the first there, so field n is at n - 3.
    public init?(statLine stat: Substring, ticksPerSecond: Double) {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        func field(_ n: Int) -> Double? { fields.count > n - 3 ? Double(fields[n - 3]) : nil }
        // utime(14) stime(15) cutime(16) cstime(17), in clock ticks.
        guard let ppid = field(4), let utime = field(14), let stime = field(15), let cutime = field(16),
            let cstime = field(17)
        else { return nil }
        self.ppid = Int(ppid)
        seconds = (utime + stime) / ticksPerSecond
        reapedChildrenSeconds = (cutime + cstime) / ticksPerSecond
    }

    /// The process `pid`'s, or nil when it is gone (or this is not Linux).
    public init?(pid: Int) {
        var buffer = [UInt8](repeating: 0, count: 1024)
        let fd = open("/proc/\(pid)/stat", O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        let n = read(fd, &buffer, buffer.count)
        guard n > 0 else { return nil }
        self.init(
            statLine: Substring(decoding: buffer[..<n], as: UTF8.self),
            ticksPerSecond: Double(sysconf(Int32(_SC_CLK_TCK))))
    }
}
