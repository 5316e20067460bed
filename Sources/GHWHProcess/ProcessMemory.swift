import Foundation

/// A live process's own peak resident memory, VmHWM of `/proc/PID/status`
/// (Linux). Unlike wait4's `ru_maxrss`, which a child keeps from its parent
/// across exec, it counts only the program the process runs.
public enum ProcessMemory {
    /// VmHWM in kB from a status text (its value follows a tab and spaces), or nil.
    public static func peakKilobytes(status: String) -> Int? {
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return nil }
        return line.dropFirst("VmHWM:".count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first.flatMap {
            Int($0)
        }
    }

    /// The process `pid`'s, or nil when it is gone (or this is not Linux).
    public static func peakKilobytes(pid: Int) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        return peakKilobytes(status: status)
    }
}
