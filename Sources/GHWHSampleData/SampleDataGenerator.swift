import Foundation

/// Generates a realistic raw tree of GitHub API dumps (docs/contract.md#raw-layout):
/// `<root>/github/{issues,pull_requests}/<YYYY-MM-DD>/*.{json.zip,json.gz,jsonl,json}`.
///
/// Output is deterministic: the same options and seed give the same bytes. Files are
/// streamed to disk, so memory stays flat for corpora of any size.
public struct SampleDataGenerator: Sendable {
    public let options: SampleDataOptions

    public init(_ options: SampleDataOptions) {
        self.options = options
    }

    /// Writes the tree. `progress` is called after every file and about every 16 MB.
    /// Throws `SampleDataError.outputExists` if `<root>/github` is already there.
    public func generate(progress: ((SampleDataProgress) -> Void)? = nil) throws -> SampleDataSummary {
        let firstDay = try validate()
        let root = (options.outputDirectory as NSString).appendingPathComponent("github")
        try createRoot(root)
        let plan = CorpusPlanner(options: options, firstDay: firstDay).plan()
        let writer = CorpusWriter(world: plan.world, root: root, progress: progress)
        for day in 0..<options.days {
            for dataset in RecordDataset.allCases {
                try writer.writeDay(day, dataset: dataset, layout: plan.layouts[day][dataset.rawValue])
            }
        }
        let world = plan.world
        return SampleDataSummary(
            files: writer.files, records: writer.records,
            uncompressedBytes: writer.uncompressedBytes, compressedBytes: writer.compressedBytes,
            distinctIssues: world.repoCount * world.issuesPerRepo,
            distinctIssueRecordsIncludingPRs: world.repoCount * world.recordsPerRepo,
            distinctPullRequests: world.repoCount * world.prsPerRepo,
            repos: world.repoCount)
    }

    /// Checks the options; returns the first date as days since the epoch.
    private func validate() throws -> Int {
        func invalid(_ name: String, _ value: Any, _ reason: String) -> SampleDataError {
            .invalidOption(name: name, value: "\(value)", reason: reason)
        }
        guard !options.outputDirectory.isEmpty else { throw invalid("outputDirectory", "", "must not be empty") }
        guard options.repos >= 1 else { throw invalid("repos", options.repos, "must be at least 1") }
        guard options.issuesPerRepo >= 0 else {
            throw invalid("issuesPerRepo", options.issuesPerRepo, "must not be negative")
        }
        guard options.prsPerRepo >= 0 else { throw invalid("prsPerRepo", options.prsPerRepo, "must not be negative") }
        guard options.issuesPerRepo + options.prsPerRepo <= 1_000_000 else {
            throw invalid(
                "issuesPerRepo+prsPerRepo", options.issuesPerRepo + options.prsPerRepo, "at most 1,000,000 per repo")
        }
        guard (1...3_650).contains(options.days) else { throw invalid("days", options.days, "must be 1...3650") }
        guard (4_096...(1 << 30)).contains(options.maxEntryBytes) else {
            throw invalid("maxEntryBytes", options.maxEntryBytes, "must be 4 KiB...1 GiB (zip entries are not zip64)")
        }
        if let target = options.targetBytes, target < 1 { throw invalid("targetBytes", target, "must be positive") }
        guard let firstDay = IsoTimestamp.parseDate(options.firstDate) else {
            throw invalid("firstDate", options.firstDate, "expected YYYY-MM-DD")
        }
        return firstDay
    }

    /// Creates `<root>/github` itself with mkdir, which fails if it exists: never overwrite.
    private func createRoot(_ root: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: options.outputDirectory, withIntermediateDirectories: true)
        } catch {
            throw SampleDataError.io(path: options.outputDirectory, operation: "mkdir", errno: EIO)
        }
        if mkdir(root, 0o755) != 0 {
            if errno == EEXIST { throw SampleDataError.outputExists(path: root) }
            throw SampleDataError.io(path: root, operation: "mkdir", errno: errno)
        }
    }
}
