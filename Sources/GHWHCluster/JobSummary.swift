import GHWHModel
import GHWHRaw

/// The end-of-job account a user reads (and `ghwh run` turns into its exit status).
public struct JobSummary: Sendable, Codable {
    public struct DatasetCounts: Sendable, Codable {
        public var records = 0, inserted = 0, updated = 0, rejected = 0
        public var documentsMerged = 0, documentsFailed = 0, filesSkipped = 0
        /// `inserted`: keys silver did not hold before the job; `updated`: keys it held whose row a
        /// later version replaced, each once (SilverStore's merge). Both exact, whatever the merge order.
        /// `unchanged`: the job's other valid records (older or repeated versions).
        public var unchanged: Int { max(0, records - rejected - inserted - updated) }
    }
    public struct Failure: Sendable, Codable {
        public var dataset: String
        public var source: String
        public var reason: String
    }
    public struct RejectSample: Sendable, Codable {
        public var dataset: String, source: String, ordinal: Int64, reason: String
    }

    public struct GoldCounts: Sendable, Codable {
        public var tasks = 0, repos = 0
        public var rows: [String: Int] = [:]
        public var seconds: Double = 0
    }

    public var jobId: String
    public var job: String
    public var datasets: [String: DatasetCounts] = [:]
    public var gold = GoldCounts()
    public var failures: [Failure] = []
    public var rejectSamples: [RejectSample] = []
    /// Gold tables the job covered (empty for silver-only jobs).
    public var goldTargets: [String] = []
    public var tasksCommitted = 0
    public var duplicateResults = 0
    public var uncompressedBytes: Int64 = 0
    /// Raw paths left out on purpose (each logged): not date folders, hidden or marker files.
    public var ignoredPaths = 0
    public var seconds: Double = 0
    /// Set when the job stopped before finishing (e.g. the database went away for good).
    public var stopReason: String?
    /// `ghwh run --profile`: core-seconds per stage (`Stage.name`), plus "process" (the whole
    /// process's user+sys time, so what no stage claims shows as the difference).
    public var cpuProfile: [String: Double]?

    /// The JSON keys of stored summaries and of the wire; `stopReason` keeps its first name.
    enum CodingKeys: String, CodingKey {
        case jobId, job, datasets, gold, failures, rejectSamples, goldTargets, tasksCommitted, duplicateResults
        case uncompressedBytes, ignoredPaths, seconds, cpuProfile
        case stopReason = "fatalError"
    }

    public var totalRejected: Int { datasets.values.reduce(0) { $0 + $1.rejected } }
    public var totalFailed: Int { failures.count }
    public var succeeded: Bool { stopReason == nil && totalRejected == 0 && totalFailed == 0 }

    public init(jobId: String, job: String) {
        self.jobId = jobId
        self.job = job
    }

    /// Adds another part's counts (a loader acknowledgement) into this summary.
    public mutating func absorb(_ d: JobSummary) {
        for (name, c) in d.datasets {
            var t = datasets[name, default: .init()]
            t.records += c.records
            t.inserted += c.inserted
            t.updated += c.updated
            t.rejected += c.rejected
            t.documentsMerged += c.documentsMerged
            t.documentsFailed += c.documentsFailed
            t.filesSkipped += c.filesSkipped
            datasets[name] = t
        }
        gold.tasks += d.gold.tasks
        gold.repos += d.gold.repos
        for (k, v) in d.gold.rows { gold.rows[k, default: 0] += v }
        failures += d.failures
        tasksCommitted += d.tasksCommitted
        duplicateResults += d.duplicateResults
        uncompressedBytes += d.uncompressedBytes
        ignoredPaths += d.ignoredPaths
    }

    /// A human-readable multi-line account.
    public func render() -> String {
        var lines: [String] = []
        let mb = Double(uncompressedBytes) / 1_000_000
        lines.append(
            "job \(job) (\(jobId)): \(succeeded ? "succeeded" : "FAILED") in \(String(format: "%.1f", seconds)) s, \(String(format: "%.1f", mb)) MB of JSON, \(String(format: "%.1f", seconds > 0 ? mb / seconds : 0)) MB/s"
        )
        for name in datasets.keys.sorted() {
            let c = datasets[name]!
            lines.append(
                "  \(name): records \(c.records), loaded (new) \(c.inserted), updated \(c.updated), unchanged \(c.unchanged), rejected \(c.rejected), failed documents \(c.documentsFailed), skipped unchanged files \(c.filesSkipped)"
            )
        }
        if gold.tasks > 0 || !goldTargets.isEmpty {
            let rows = gold.rows.keys.sorted().map { "\($0) \(gold.rows[$0]!)" }.joined(separator: ", ")
            lines.append(
                "  gold: \(gold.repos) repos recomputed in \(gold.tasks) tasks (\(String(format: "%.1f", gold.seconds)) s)\(rows.isEmpty ? "" : ": " + rows)"
            )
        }
        if ignoredPaths > 0 {
            lines.append(
                "  ignored: \(ignoredPaths) path\(ignoredPaths == 1 ? "" : "s") (not date folders, or hidden or marker files), see log"
            )
        }
        if !failures.isEmpty {
            lines.append("  failed (nothing loaded from these):")
            for f in failures { lines.append("    [\(f.dataset)] \(f.source): \(f.reason)") }
        }
        if !rejectSamples.isEmpty {
            lines.append(
                "  rejected records (quarantined in ghwh_meta.rejects\(totalRejected > rejectSamples.count ? ", first \(rejectSamples.count) of \(totalRejected)" : "")):"
            )
            for r in rejectSamples { lines.append("    [\(r.dataset)] \(r.source) record #\(r.ordinal): \(r.reason)") }
        }
        if let stopReason { lines.append("  stopped: \(stopReason)") }
        return lines.joined(separator: "\n")
    }
}

extension JobSummary {
    /// The `--profile` table: core-seconds per stage and per GB of decompressed JSON.
    public func cpuProfileTable() -> String? {
        guard let profile = cpuProfile else { return nil }
        let gigabytes = Double(uncompressedBytes) / 1e9
        func line(_ name: String, _ seconds: Double) -> String {
            let perGB = gigabytes > 0 ? String(format: "%8.2f", seconds / gigabytes) : "       -"
            return name.padding(toLength: 30, withPad: " ", startingAt: 0) + String(format: "%8.2f", seconds) + perGB
        }
        var lines = ["stage (CPU of this process)      core-s  core-s/GB"]
        var attributed = 0.0
        for stage in Stage.allCases {
            let seconds = profile[stage.name] ?? 0
            attributed += seconds
            lines.append(line(stage.name, seconds))
        }
        if let process = profile["process"] {
            lines.append(line("unattributed (waits, threads)", max(0, process - attributed)))
            lines.append(line("process total (user+sys)", process))
        }
        return lines.joined(separator: "\n")
    }
}
