import ArgumentParser
import Foundation
import GHWHCluster
import GHWHModel
import GHWHWarehouse
import Logging

/// Shared by `ghwh run` and `ghwh-submit` (local master): resolve the
/// warehouse, migrate, run the job in-process, print the summary, and turn it
/// into the exit status (non-zero when anything was rejected or failed).
enum JobRunner {
    static func run(
        common: CommonOptions, jobOptions: JobOptions, showProgress: Bool, summaryJSON: String? = nil,
        writerWait: Double = 300, profile: Bool = false
    ) throws {
        let config = try common.configuration(extra: jobOptions.configFlags)
        let spec = try jobOptions.spec(config)
        let logger = common.makeLogger("ghwh")
        let conninfo = try common.migratedWarehouse(config, logger: logger)

        let isTTY = isatty(STDERR_FILENO) == 1
        let writeLine: @Sendable (String) -> Void = { line in
            FileHandle.standardError.write(Data(((isTTY ? "\r\u{1B}[K" : "") + line + (isTTY ? "" : "\n")).utf8))
        }
        let progress = showProgress ? writeLine : nil
        var options = LocalCluster.Options(workers: config.workers)
        options.writerWait = writerWait
        let cluster = LocalCluster(conninfo: conninfo, options: options, logger: logger)
        // Ctrl-C: no new task starts, the transaction in flight finishes, the job is recorded as failed; a rerun completes it.
        TerminationSignals.onFirst { name in
            FileHandle.standardError.write(
                Data("\n\(name): stopping the job (again to quit at once); a rerun completes it\n".utf8))
            cluster.control.interrupt("interrupted by \(name)")
        }
        if profile { StageProfile.shared.enable() }
        let cpuBefore = processCPUSeconds()
        var summary = try cluster.run(spec, progress: progress)
        if isTTY && showProgress { FileHandle.standardError.write(Data("\n".utf8)) }
        if profile {
            var seconds = Dictionary(
                uniqueKeysWithValues: Stage.allCases.map { ($0.name, StageProfile.shared.snapshot[$0]) })
            seconds["process"] = processCPUSeconds() - cpuBefore
            summary.cpuProfile = seconds
        }
        print(summary.render())
        if let table = summary.cpuProfileTable() { print(table) }
        if let summaryJSON {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(summary).write(to: URL(fileURLWithPath: summaryJSON))
        }
        if !summary.succeeded { throw ExitCode(1) }
    }
}

/// This process's user + system CPU time so far, in seconds.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}
