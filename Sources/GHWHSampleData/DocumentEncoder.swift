/// The two raw datasets.
enum RecordDataset: Int, CaseIterable, Sendable {
    case issues = 0
    case pullRequests = 1

    /// Folder name under `<raw>/github/`.
    var directoryName: String { self == .issues ? "issues" : "pull_requests" }
}

/// How a document lays out its records.
enum DocumentStyle: Sendable {
    /// `[\n  {\n    ...` like the API's pretty output (`.json`, zip entries).
    case prettyArray
    /// `[{...},{...}]` on one line (`.json.gz`).
    case compactArray
    /// One compact object per line (`.jsonl`).
    case lines
}

/// Streams one JSON document (array or JSON Lines) of records into a sink, draining its
/// buffer every half megabyte so memory stays flat however big the document gets.
struct DocumentEncoder {
    private var writer: JSONByteWriter
    private let style: DocumentStyle
    private let dataset: RecordDataset
    private let sink: ByteSink
    private static let drainThreshold = 512 << 10
    /// Bytes handed to the sink so far.
    private(set) var bytesWritten: Int64 = 0
    private(set) var records = 0

    init(style: DocumentStyle, dataset: RecordDataset, sink: ByteSink) {
        self.style = style
        self.dataset = dataset
        self.sink = sink
        writer = JSONByteWriter(pretty: style == .prettyArray, capacity: DocumentEncoder.drainThreshold + (256 << 10))
        if style != .lines { writer.beginArray() }
    }

    mutating func add(_ content: RecordContent) throws {
        switch dataset {
        case .issues: writer.issueObject(content)
        case .pullRequests: writer.pullRequestObject(content)
        }
        if style == .lines { writer.raw("\n") }
        records += 1
        if writer.bytes.count >= DocumentEncoder.drainThreshold { try drain() }
    }

    /// Closes the array (if any) and hands out the rest.
    mutating func finish() throws {
        if style != .lines {
            writer.endArray()
            writer.raw("\n")
        }
        try drain()
    }

    private mutating func drain() throws {
        bytesWritten += Int64(writer.bytes.count)
        let sink = self.sink
        try writer.drain { try sink.write($0) }
    }
}
