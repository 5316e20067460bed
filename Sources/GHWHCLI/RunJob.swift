import ArgumentParser
import Foundation
import GHWHCluster
import GHWHWarehouse
import Logging

/// Shared by `ghwh run` and `ghwh-submit` (local master): resolve the
/// warehouse, migrate, run the job in-process, print the summary, and turn it
/// into the exit status (non-zero when anything was rejected or failed).
enum JobRunner {
    static func run(
        common: CommonOptions, jobOptions: JobOptions, showProgress: Bool, summaryJSON: String? = nil,
        writerWait: Double = 300
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
        let summary = try cluster.run(spec, progress: progress)
        if isTTY && showProgress { FileHandle.standardError.write(Data("\n".utf8)) }
        print(summary.render())
        if let summaryJSON {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(summary).write(to: URL(fileURLWithPath: summaryJSON))
        }
        if !summary.succeeded { throw ExitCode(1) }
    }
}
