/// What to generate and where.
public struct SampleDataOptions: Sendable {
    /// The raw root; files go to `<root>/github/{issues,pull_requests}/<YYYY-MM-DD>/`.
    public var outputDirectory: String
    /// Number of repos (ignored when `targetBytes` is set).
    public var repos = 5
    /// Issues per repo (issue and PR numbers share one sequence per repo).
    public var issuesPerRepo = 40
    /// Pull requests per repo.
    public var prsPerRepo = 20
    /// Number of ingest days (date folders), consecutive from `firstDate`.
    public var days = 3
    /// Seed of all content: the same seed and options give the same bytes.
    public var seed: UInt64 = 42
    /// The first ingest date, `YYYY-MM-DD`.
    public var firstDate = "2024-01-01"
    /// If set: use as many repos (with the per-repo counts above) as it takes to write
    /// about this many uncompressed JSON bytes (for benchmarks).
    public var targetBytes: Int64? = nil
    /// Split a day's records over several files / zip entries of about this many uncompressed bytes.
    public var maxEntryBytes: Int = 64 << 20
    /// Full daily dumps: each day re-delivers the latest version of every record created so far
    /// (most of them unchanged), as real daily API dumps do.
    public var snapshots = false
    /// Every record in a file of its own (a plain `.json` array of one), as per-issue backup
    /// tools and per-repo exports write them: the many-small-files shape.
    public var oneRecordPerFile = false
    /// Only `.json.zip` files of one or two pretty-printed entries of up to `maxEntryBytes`
    /// (no gzip, JSON Lines or plain files): a corpus whose every byte goes through inflate.
    public var zipOnly = false

    public init(outputDirectory: String) {
        self.outputDirectory = outputDirectory
    }
}

/// What a run wrote.
public struct SampleDataSummary: Sendable, Equatable {
    /// Files created (a zip counts once).
    public var files: Int
    /// Records written, both datasets, every version.
    public var records: Int
    /// Uncompressed bytes of all JSON documents (plain files, gzip content, zip entries; not README entries).
    public var uncompressedBytes: Int64
    /// Bytes on disk of all files written (plain files count as they are).
    public var compressedBytes: Int64
    /// Distinct (repo, number) among issue records that are not pull requests.
    public var distinctIssues: Int
    /// Distinct (repo, number) in the issues dataset (issues and PRs seen as issues).
    public var distinctIssueRecordsIncludingPRs: Int
    /// Distinct (repo, number) in the pull_requests dataset.
    public var distinctPullRequests: Int
    /// Number of repos generated (differs from the option when `targetBytes` was set).
    public var repos: Int
}

/// Reported while generating.
public struct SampleDataProgress: Sendable {
    /// Uncompressed JSON bytes written so far.
    public var bytesWritten: Int64
    /// Files completed so far.
    public var files: Int
    /// Records written so far.
    public var records: Int
}

/// Why generation stopped.
public enum SampleDataError: Error, CustomStringConvertible, Equatable {
    /// The output directory already has a `github/` tree; nothing is overwritten.
    case outputExists(path: String)
    /// An option is out of range.
    case invalidOption(name: String, value: String, reason: String)
    /// A file system call failed.
    case io(path: String, operation: String, errno: Int32)
    /// zlib reported an error.
    case compression(path: String, code: Int32)
    /// A zip would exceed the classic (non-zip64) 4 GiB limits.
    case zipTooLarge(path: String)

    public var description: String {
        switch self {
        case .outputExists(let path): return "output already exists: \(path) (refusing to overwrite)"
        case .invalidOption(let name, let value, let reason): return "invalid option \(name)=\(value): \(reason)"
        case .io(let path, let operation, let errno): return "\(operation) failed for \(path): errno \(errno)"
        case .compression(let path, let code): return "zlib error \(code) while writing \(path)"
        case .zipTooLarge(let path): return "zip too large for the classic format (4 GiB): \(path)"
        }
    }
}
