import Foundation

/// The raw (bronze) folder layout: `<root>/github/<dataset>/<YYYY-MM-DD>/<name>.<ext>`.
public struct RawLayout: Sendable {
    /// The raw root (absolute or relative to the working directory).
    public let root: String

    public init(root: String) {
        self.root = root
    }

    /// Files of `<root>/github/<dataset>/<YYYY-MM-DD>/` whose names end in .json.zip, .json.gz, .jsonl.gz,
    /// .ndjson.gz, .json, .jsonl, .ndjson (case-insensitive), optionally restricted to dates in `dates`;
    /// sorted by date then relativePath (byte order).
    /// Folders that are not valid dates and files with other extensions are returned in `ignored`
    /// (relative paths, sorted) so the caller can log them. A missing `<root>/github/<dataset>` folder
    /// yields no files; a missing root throws `RawReadError`.
    public func scan(dataset: Dataset, dates: ClosedRange<IngestDate>?) throws -> (files: [RawFile], ignored: [String]) {
        let rootPath = absoluteRoot()
        guard FileStatus.of(rootPath) == .directory else {
            throw RawReadError(source: rootPath, reason: "raw root is not a directory")
        }
        let datasetRelative = "github/\(dataset.rawValue)"
        let datasetPath = rootPath + "/" + datasetRelative
        guard FileStatus.of(datasetPath) == .directory else { return ([], []) }

        var files: [RawFile] = []
        var ignored: [String] = []
        for folder in try listDirectory(datasetPath, source: datasetRelative) {
            let folderRelative = datasetRelative + "/" + folder
            let folderPath = datasetPath + "/" + folder
            guard let date = IngestDate(folder), FileStatus.of(folderPath) == .directory else {
                ignored.append(folderRelative)
                continue
            }
            if let dates, !dates.contains(date) { continue }
            for name in try listDirectory(folderPath, source: folderRelative) {
                let relative = folderRelative + "/" + name
                let path = folderPath + "/" + name
                guard let kind = RawFileKind.of(fileName: name), case .regularFile(let size) = FileStatus.of(path) else {
                    ignored.append(relative)
                    continue
                }
                files.append(RawFile(dataset: dataset, ingestDate: date, path: path, relativePath: relative,
                                     size: size, kind: kind))
            }
        }
        files.sort { lhs, rhs in
            lhs.ingestDate != rhs.ingestDate
                ? lhs.ingestDate < rhs.ingestDate
                : lhs.relativePath.utf8.lexicographicallyPrecedes(rhs.relativePath.utf8)
        }
        ignored.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        return (files, ignored)
    }

    private func absoluteRoot() -> String {
        var path = root.hasPrefix("/") ? root : FileManager.default.currentDirectoryPath + "/" + root
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        return path
    }

    private func listDirectory(_ path: String, source: String) throws(RawReadError) -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw RawReadError(source: source, reason: "cannot list directory: \(error.localizedDescription)")
        }
    }
}
