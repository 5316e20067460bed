import GHWHRandom

/// File formats of the raw tree.
enum FileFormat: Int, CaseIterable, Sendable {
    case zip, gzip, jsonLines, json

    var fileExtension: String {
        switch self {
        case .zip: return "json.zip"
        case .gzip: return "json.gz"
        case .jsonLines: return "jsonl"
        case .json: return "json"
        }
    }

    /// The layout of the documents this format holds.
    var style: DocumentStyle {
        switch self {
        case .zip, .json: return .prettyArray
        case .gzip: return .compactArray
        case .jsonLines: return .lines
        }
    }
}

/// One file of a day: its format, how many documents (zip entries) it holds,
/// and whether a zip also carries a README.txt entry.
struct PlannedFile: Sendable {
    var format: FileFormat
    var documents: Int
    var readme: Bool
}

/// How one day of one dataset is cut into documents and files. Formats rotate so every
/// format occurs every day; a zip holds 1-3 documents.
struct DayLayout: Sendable {
    /// Fewest documents per day and dataset: enough for every format, and zips with several entries.
    static let minimumDocuments = 6

    let files: [PlannedFile]
    /// Records in that day's dataset, split evenly over the documents.
    let records: Int

    var documentCount: Int { files.reduce(0) { $0 + $1.documents } }

    /// Share of documents that are pretty-printed (they are larger than compact ones).
    var prettyShare: Double {
        let pretty = files.reduce(0) { $0 + ($1.format.style == .prettyArray ? $1.documents : 0) }
        return Double(pretty) / Double(max(1, documentCount))
    }

    init(
        records: Int, estimatedBytes: Double, maxEntryBytes: Int, day: Int, dataset: RecordDataset, seed: UInt64,
        oneRecordPerFile: Bool = false, zipOnly: Bool = false
    ) {
        self.records = records
        if oneRecordPerFile {
            files = Array(repeating: PlannedFile(format: .json, documents: 1, readme: false), count: max(1, records))
            return
        }
        var rng = SplitMix64(seed, UInt64(day), UInt64(dataset.rawValue), RandomPurpose.layout.rawValue)
        let bySize = Int((estimatedBytes / Double(maxEntryBytes)).rounded(.up))
        if zipOnly {
            files = Self.zips(documents: max(1, bySize), &rng)
            return
        }
        let wanted = max(DayLayout.minimumDocuments, bySize)
        let formats = FileFormat.allCases
        let rotation = (day + dataset.rawValue) % formats.count
        var files: [PlannedFile] = []
        var remaining = wanted
        var i = 0
        while remaining > 0 {
            let format = formats[(i + rotation) % formats.count]
            // Keep enough documents for the formats not yet used today.
            let stillUncovered = max(0, formats.count - 1 - i)
            var documents = 1
            if format == .zip { documents = max(1, min(1 + rng.below(3), remaining - stillUncovered)) }
            files.append(PlannedFile(format: format, documents: documents, readme: format == .zip && rng.chance(0.5)))
            remaining -= documents
            i += 1
        }
        self.files = files
    }

    /// Zips of one pretty-printed entry, or two half as large, and nothing else: the shape of
    /// issue 11's benchmark corpus.
    static func zips(documents: Int, _ rng: inout SplitMix64) -> [PlannedFile] {
        var files: [PlannedFile] = []
        var remaining = documents
        while remaining > 0 {
            let entries = remaining >= 2 && rng.chance(0.5) ? 2 : 1
            files.append(PlannedFile(format: .zip, documents: entries, readme: false))
            remaining -= entries
        }
        return files
    }

    /// Records in document `k` of `documentCount` (an even split).
    func recordsInDocument(_ k: Int) -> Int {
        let n = documentCount
        return (k + 1) * records / n - k * records / n
    }
}
