import ArgumentParser
import Foundation
import GHWHJSON
import GHWHModel
import GHWHProcess
import GHWHRaw
import GHWHSampleData
import GHWHWarehouse

/// `make bench`: silver end to end (raw zip to merged sta_github rows, the
/// real `ghwh run` binary against a PostgreSQL on this machine) at each corpus
/// size, plus the scanner alone. Prints throughput and the ghwh process's peak RSS.
@main
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ghwh-bench")

    @Option(name: .customLong("corpus-dir"), help: "Where corpora are generated (reused when present).")
    var corpusDir = "bench-data"
    @Option(
        name: .customLong("sizes-mb"),
        help: "Corpus sizes in MB of uncompressed JSON, comma-separated; none: only the small-files tree.")
    var sizesMB = "1024,2048"
    @Option(help: "The ghwh binary to measure.")
    var ghwh = ".build/release/ghwh"
    @Option(help: "Worker threads for ghwh run.")
    var workers = ProcessInfo.processInfo.activeProcessorCount
    @Option(name: .customLong("scanner-mb"), help: "MB of decompressed JSON for the scanner measurement.")
    var scannerMB = 256
    @Option(
        name: .customLong("document-mb"),
        help:
            "Largest document (zip entry or file) in the corpus, MB of JSON. Documents up to the 16 MB chunk go to workers whole; larger ones are split by the planner."
    )
    var documentMB = 8
    @Flag(
        name: .customLong("zip-only"),
        help:
            "Corpora of only .json.zip files, one or two pretty-printed entries each (issue 11's shape: every byte is inflated, so local's time compares with the inflate floor)."
    )
    var zipOnly = false
    @Option(
        name: .customLong("repeat"),
        help: "Runs per measurement; the median is reported (the machine is shared and noisy).")
    var repeats: Int = 3
    @Flag(help: "Also run each corpus through the cluster: coordinator + 2 workers + loader over tcp loopback.")
    var cluster = false
    @Flag(name: .customLong("no-profile"), help: "Skip the CPU budget (one extra ghwh run --profile per corpus).")
    var noProfile = false
    @Flag(
        name: .customLong("scanner-only"),
        help: "Only the one-core scanner measurement over the first corpus (for profiling the projector).")
    var scannerOnly = false
    @Option(
        name: .customLong("small-files"),
        help: "Also time a tree of about this many one-record .json files (gen-data --one-record-per-file); 0 skips it."
    )
    var smallFiles = 15_000

    func run() throws {
        let sizes = sizesMB.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !sizes.isEmpty || (sizesMB == "none" && smallFiles > 0) else {
            throw ValidationError("--sizes-mb needs at least one size (or none, with --small-files)")
        }
        var corpora: [(Int, CorpusInfo)] = []
        for size in sizes { corpora.append((size, try corpus(sizeMB: size))) }
        if scannerOnly, let first = corpora.first { return try scannerBenchmark(root: first.1.root) }

        let server = EmbeddedPostgres(directory: absolute(corpusDir) + "/postgres")
        try server.initializeIfNeeded()
        try server.start()
        print(
            "\n== silver end to end: ghwh run --job all (\(workers) workers, Postgres 15 on this machine; documents up to \(documentMB) MB; median of \(repeats)) =="
        )
        print(
            ["corpus", "all wall s", "silver s", "silver MB/s", "records/s", "gold s", "gold/silver", "peak RSS MB"]
                .map { $0.padding(toLength: 13, withPad: " ", startingAt: 0) }.joined())
        var localWall: [Int: Double] = [:]
        for (size, info) in corpora {
            var runs: [(wall: Double, summary: RunSummary, rssKB: Int)] = []
            for _ in 0..<max(1, repeats) {
                let db = try freshDatabase("bench_\(size)", server: server)
                let summaryPath = absolute(corpusDir) + "/summary-\(size).json"
                let result = try TimedRun.run(
                    ghwh,
                    [
                        "run", "--job", "all", "--raw", info.root, "--database-url", db,
                        "--workers", String(workers), "--summary-json", summaryPath,
                    ])
                guard result.status == 0 else { throw ValidationError("ghwh run exited \(result.status)") }
                let summary = try JSONDecoder().decode(
                    RunSummary.self, from: Data(contentsOf: URL(fileURLWithPath: summaryPath)))
                runs.append((result.seconds, summary, result.maxRSSKilobytes))
            }
            let median = Self.median(runs, by: \.wall)
            localWall[size] = median.wall
            let silverSeconds = median.summary.seconds - median.summary.gold.seconds
            let mb = Double(info.uncompressedBytes) / 1e6
            let cells = [
                "\(size) MB", String(format: "%.2f", median.wall), String(format: "%.2f", silverSeconds),
                String(format: "%.1f", mb / silverSeconds),
                String(format: "%.0f", Double(info.records) / silverSeconds),
                String(format: "%.2f", median.summary.gold.seconds),
                String(format: "%.0f%%", 100 * median.summary.gold.seconds / silverSeconds),
                String(format: "%.1f", Double(runs.map(\.rssKB).max() ?? 0) / 1024),
            ]
            print(cells.map { $0.padding(toLength: 13, withPad: " ", startingAt: 0) }.joined())
        }
        if cluster && !corpora.isEmpty {
            try clusterBenchmark(corpora: corpora, server: server, localWall: localWall)
        }
        for (size, info) in corpora where !noProfile {
            let floor = try inflateFloor(info: info)
            let mb = Double(floor.bytes) / 1e6
            print(
                String(
                    format:
                        "\n== %d MB corpus: one core inflating its zip entries (%.0f MB of JSON): zlib %.2f s (%.0f MB/s), ISA-L %.2f s (%.0f MB/s); local end to end = %.2fx zlib's time ==",
                    size, mb, floor.zlib, mb / floor.zlib, floor.isal, mb / floor.isal,
                    (localWall[size] ?? 0) / floor.zlib))
            try profileRun(size: size, info: info, server: server)
        }
        if smallFiles > 0 { try smallFilesBenchmark(server: server) }
        // Last: it fills this process with hundreds of MB, and Linux carries a
        // vfork-spawned child's peak RSS over from its parent at exec.
        if let first = corpora.first { try scannerBenchmark(root: first.1.root) }
    }

    /// The parts of `ghwh run --summary-json` the bench reads.
    struct RunSummary: Decodable {
        struct Gold: Decodable {
            var seconds: Double
            var repos: Int
        }
        var seconds: Double
        var gold: Gold
    }

    /// The same job through separate processes talking nng over tcp loopback.
    /// The run with the median value of `key` (the upper one of an even count).
    static func median<Run>(_ runs: [Run], by key: (Run) -> Double) -> Run {
        runs.sorted { key($0) < key($1) }[runs.count / 2]
    }

    func freshDatabase(_ name: String, server: EmbeddedPostgres) throws -> String {
        let admin = try PGConnection(conninfo: server.conninfo(database: "postgres"))
        defer { admin.close() }
        try admin.execute("DROP DATABASE IF EXISTS \(name)")
        try admin.execute("CREATE DATABASE \(name)")
        return server.conninfo(database: name)
    }

    /// The same job through separate processes talking nng over tcp loopback;
    /// each run on a fresh database with freshly started roles, timed once
    /// every worker has registered (a standing cluster, as with Spark).
    func clusterBenchmark(corpora: [(Int, CorpusInfo)], server: EmbeddedPostgres, localWall: [Int: Double]) throws {
        print(
            "\n== cluster: coordinator + 2 workers (1 core each) + loader over tcp://127.0.0.1, ghwh-submit --job all; median of \(repeats) =="
        )
        print(
            ["corpus", "wall s", "MB/s", "records/s", "coord RSS MB", "MB/s vs local"].map {
                $0.padding(toLength: 13, withPad: " ", startingAt: 0)
            }.joined())
        for (size, info) in corpora {
            var runs: [(wall: Double, rssKB: Int)] = []
            for _ in 0..<max(1, repeats) { runs.append(try clusterRun(size: size, info: info, server: server)) }
            let median = Self.median(runs, by: \.wall)
            let mb = Double(info.uncompressedBytes) / 1e6
            let share = localWall[size].map { String(format: "%.0f%%", 100 * $0 / median.wall) } ?? "-"
            let cells = [
                "\(size) MB", String(format: "%.2f", median.wall), String(format: "%.1f", mb / median.wall),
                String(format: "%.0f", Double(info.records) / median.wall),
                String(format: "%.1f", Double(runs.map(\.rssKB).max() ?? 0) / 1024), share,
            ]
            print(cells.map { $0.padding(toLength: 13, withPad: " ", startingAt: 0) }.joined())
        }
    }

    func clusterRun(size: Int, info: CorpusInfo, server: EmbeddedPostgres) throws -> (wall: Double, rssKB: Int) {
        let submit = URL(fileURLWithPath: ghwh).deletingLastPathComponent().appendingPathComponent("ghwh-submit").path
        let db = try freshDatabase("bench_cluster_\(size)", server: server)
        let url = "tcp://127.0.0.1:17\(size % 1000 + 100)"
        setenv("GHWH_CLUSTER_SECRET", "bench-secret-0123456789abcdef", 1)
        let coordinator = try ChildProcess.spawn(
            ghwh,
            [
                "coordinator", "--listen", url, "--raw", info.root, "--ui-listen", "off",
                "--database-url", db, "--log-level", "warning",
            ])
        var others: [ChildProcess] = []
        func stopAll() -> Int {
            for child in others {
                child.kill()
                child.waitForExit()
            }
            // Read before it exits: wait4's peak can be this bench's own, carried over at exec.
            let peak = ProcessMemory.peakKilobytes(pid: Int(coordinator.pid))
            coordinator.terminate()
            let maxRSS = TimedRun.finish(coordinator).maxRSSKilobytes
            return peak ?? maxRSS
        }
        let result: TimedRun
        do {
            for i in 1...2 {
                others.append(
                    try ChildProcess.spawn(
                        ghwh,
                        [
                            "worker", "--coordinator", url, "--cores", "1", "--worker-id", "bench-\(i)",
                            "--database-url", db, "--log-level", "warning",
                        ]))
            }
            others.append(
                try ChildProcess.spawn(
                    ghwh, ["loader", "--coordinator", url, "--database-url", db, "--log-level", "warning"]))
            // Like a standing Spark cluster: the job is timed once every worker is up.
            let ready = try TimedRun.run(
                submit, ["--coordinator", url, "--await-workers", "2", "--await-timeout", "60"])
            guard ready.status == 0 else { throw ValidationError("the cluster's workers did not register") }
            result = try TimedRun.run(submit, ["--coordinator", url, "--job", "all"])
        } catch {
            _ = stopAll()
            throw error
        }
        let coordinatorRSS = stopAll()
        guard result.status == 0 else { throw ValidationError("ghwh-submit exited \(result.status)") }
        return (result.seconds, coordinatorRSS)
    }

    struct CorpusInfo: Codable {
        var root: String
        var uncompressedBytes: Int64
        var records: Int
    }

    func corpus(sizeMB: Int) throws -> CorpusInfo {
        let root = absolute(corpusDir) + "/corpus-\(sizeMB)mb-doc\(documentMB)mb\(zipOnly ? "-zip" : "")"
        let infoPath = root + "/corpus-info.json"
        if let data = FileManager.default.contents(atPath: infoPath) {
            return try JSONDecoder().decode(CorpusInfo.self, from: data)
        }
        try? FileManager.default.removeItem(atPath: root)
        print("generating a \(sizeMB) MB corpus under \(root) ...")
        var o = SampleDataOptions(outputDirectory: root)
        o.repos = 20
        o.issuesPerRepo = 400
        o.prsPerRepo = 200
        o.days = 4
        o.seed = 2026
        o.targetBytes = Int64(sizeMB) * 1_000_000
        o.maxEntryBytes = documentMB << 20
        o.zipOnly = zipOnly
        let started = Date()
        let s = try SampleDataGenerator(o).generate { p in
            FileHandle.standardError.write(
                Data(String(format: "\r  %.0f MB, %d files", Double(p.bytesWritten) / 1e6, p.files).utf8))
        }
        let secs = Date().timeIntervalSince(started)
        print(
            String(
                format: "\n  %d records, %.0f MB JSON, %.0f MB on disk, %.1f s (%.0f MB/s)", s.records,
                Double(s.uncompressedBytes) / 1e6, Double(s.compressedBytes) / 1e6, secs,
                Double(s.uncompressedBytes) / 1e6 / secs))
        let info = CorpusInfo(root: root, uncompressedBytes: s.uncompressedBytes, records: s.records)
        try JSONEncoder().encode(info).write(to: URL(fileURLWithPath: infoPath))
        return info
    }

    /// The scanner alone, one thread: record splitting, then splitting plus
    /// projection and the silver transform, over decompressed documents in memory.
    func scannerBenchmark(root: String) throws {
        var documents: [(Dataset, [UInt8], DocumentFormat)] = []
        var total = 0
        let limit = scannerMB * 1_000_000
        outer: for dataset in Dataset.allCases {
            for file in try RawLayout(root: root).scan(dataset: dataset, dates: nil).files {
                for doc in try RawReader.documents(of: file) {
                    var bytes: [UInt8] = []
                    try RawReader.stream(doc, of: file) { bytes.append(contentsOf: $0) }
                    total += bytes.count
                    documents.append((dataset, bytes, doc.format))
                    if total >= limit / 2 * (dataset == .issues ? 1 : 2) { continue outer }
                }
            }
        }
        let mb = Double(total) / 1e6
        let passes = max(1, repeats)
        print(
            "\n== scanner, one core, \(String(format: "%.0f", mb)) MB of decompressed JSON in memory (best of \(passes) passes) =="
        )
        let issueProjector = JSONProjector(IssueTransform.selection)
        let prProjector = JSONProjector(PullRequestTransform.selection)
        let projector = { (dataset: Dataset) in dataset == .issues ? issueProjector : prProjector }
        // The same pass stopped after splitting, validation and projection: where the time goes.
        let split = try bestPass(documents, passes) { _, _ in true }
        let validate = try bestPass(documents, passes) { dataset, r in
            (try? projector(dataset).validate(r.bytes)) != nil
        }
        // Projection as the silver runner does it: objects are validated and projected while the
        // splitter finds their end (RecordSplitter.consume(_:parse:_:)); first with nothing
        // selected (validation in the splitter's pass), then with the transforms' selections.
        let nothing = JSONProjector([:])
        let validateInPass = try bestPass(documents, passes, parseWith: { _ in nothing }) { _, r in
            r.projected != nil || (try? nothing.validate(r.bytes)) != nil
        }
        let project = try bestPass(documents, passes, parseWith: projector) { dataset, r in
            r.projected != nil || (try? projector(dataset).project(r.bytes)) != nil
        }
        let transform = try bestPass(documents, passes, parseWith: projector) { dataset, r in
            guard let value = r.projected ?? (try? projector(dataset).project(r.bytes)) else { return false }
            if dataset == .issues { return (try? IssueTransform.row(from: value)) != nil }
            return (try? PullRequestTransform.row(from: value)) != nil
        }
        print(
            String(
                format: "record splitter:                    %8.0f MB/s  (%d records)", mb / split.seconds, split.kept))
        print(String(format: "splitter + validation only:         %8.0f MB/s", mb / validate.seconds))
        print(String(format: "  the same in one pass:             %8.0f MB/s", mb / validateInPass.seconds))
        print(String(format: "splitter + projector:               %8.0f MB/s", mb / project.seconds))
        print(
            String(
                format: "splitter + projector + transform:   %8.0f MB/s  (%d rows)", mb / transform.seconds,
                transform.kept))
    }

    /// The fastest of `passes` runs that split every document and hand each record to `take`
    /// (the least disturbed by the rest of the machine), and how many records `take` kept.
    func bestPass(
        _ documents: [(Dataset, [UInt8], DocumentFormat)], _ passes: Int,
        parseWith projector: ((Dataset) -> JSONProjector)? = nil,
        _ take: @escaping (Dataset, RecordSlice) -> Bool
    ) throws -> (seconds: Double, kept: Int) {
        var best = Double.infinity
        var kept = 0
        for _ in 0..<passes {
            kept = 0
            let started = Date()
            for (dataset, bytes, format) in documents {
                var splitter = RecordSplitter(mode: format == .json ? .json : .lines)
                let each: (RecordSlice) throws -> Void = { r in if take(dataset, r) { kept += 1 } }
                try bytes.withUnsafeBytes { b in
                    try splitter.consume(b, projectingWith: projector?(dataset), each)
                    try splitter.finish(each)
                }
            }
            best = min(best, Date().timeIntervalSince(started))
        }
        return (best, kept)
    }

    func absolute(_ p: String) -> String { p.hasPrefix("/") ? p : FileManager.default.currentDirectoryPath + "/" + p }
}

/// Runs a child process to its end (output to ours) and reports its wall time and peak RSS (wait4's rusage).
struct TimedRun {
    var status: Int32
    var seconds: Double
    var maxRSSKilobytes: Int

    static func run(_ path: String, _ args: [String]) throws -> TimedRun {
        let started = Date()
        let child = try ChildProcess.spawn(path, args)
        var result = finish(child)
        result.seconds = Date().timeIntervalSince(started)
        return result
    }

    /// Waits for `child` (its status the shell's way: 128 + signal when killed).
    static func finish(_ child: ChildProcess) -> TimedRun {
        let status = child.waitForExit()
        return TimedRun(status: status?.code ?? -1, seconds: 0, maxRSSKilobytes: child.maxResidentKilobytes ?? 0)
    }
}
