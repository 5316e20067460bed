import Foundation
import GHWHModel

/// The raw (bronze) folder layout: `<root>/github/<dataset>/<YYYY-MM-DD>/<name>.<ext>`.
public struct RawLayout: Sendable {
    /// The raw root (absolute or relative to the working directory).
    public let root: String

    public init(root: String) {
        self.root = root
    }

    /// What a scan of one dataset's folder found.
    public struct Scan: Sendable {
        /// Raw files, sorted by date then relativePath (byte order).
        public var files: [RawFile] = []
        /// Paths left out on purpose (relative, sorted): entries beside the date folders
        /// that do not look like dates (`latest`, `README.md`), and hidden or marker
        /// files in a date folder (`.DS_Store`, `_SUCCESS`).
        public var ignored: [String] = []
        /// Paths that look like raw data but cannot be read as such (relative, sorted by path):
        /// a date-like folder that is not a valid date, a file in a date folder whose name
        /// is not a raw file name, a folder or a non-regular file in a date folder. Nothing
        /// of them loads, and the job says so.
        public var failed: [(path: String, reason: String)] = []

        /// Files by date then path, ignored and failed by path (byte order), so a listing never depends on
        /// the order the file system lists in.
        mutating func sortAll() {
            files.sort { lhs, rhs in
                lhs.ingestDate != rhs.ingestDate
                    ? lhs.ingestDate < rhs.ingestDate
                    : lhs.relativePath.utf8.lexicographicallyPrecedes(rhs.relativePath.utf8)
            }
            ignored.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            failed.sort { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        }
    }

    /// Scans `<root>/github/<dataset>/<YYYY-MM-DD>/` for files whose names end in .json.zip, .json.gz,
    /// .jsonl.gz, .ndjson.gz, .json, .jsonl, .ndjson (case-insensitive), optionally restricted to dates
    /// in `dates`. A missing `<root>/github/<dataset>` folder yields nothing; a missing root throws.
    public func scan(dataset: Dataset, dates: ClosedRange<IngestDate>?) throws -> Scan {
        let rootPath = absoluteRoot()
        switch FileStatus.of(rootPath) {
        case .directory: break
        case .inaccessible(let reason):
            throw RawReadError(source: rootPath, reason: "cannot read the raw root: \(reason)")
        default: throw RawReadError(source: rootPath, reason: "raw root is not a directory")
        }
        let datasetRelative = "github/\(dataset.rawValue)"
        let datasetPath = rootPath + "/" + datasetRelative
        switch FileStatus.of(datasetPath) {
        case .directory: break
        case .missing: return Scan()
        case .inaccessible(let reason): throw RawReadError(source: datasetRelative, reason: "cannot read: \(reason)")
        case .regularFile, .other: throw RawReadError(source: datasetRelative, reason: "not a folder")
        }

        var scan = Scan()
        for listed in try listDirectory(datasetPath, source: datasetRelative) {
            let folder = listed.hasPrefix(Self.undecodableMark) ? String(listed.dropFirst()) : listed
            let folderRelative = datasetRelative + "/" + folder
            let folderPath = datasetPath + "/" + folder
            guard let date = IngestDate(folder) else {
                if Self.looksLikeDate(folder) {
                    // Compared as text: YYYY-MM-DD orders like the dates it would be.
                    if let dates, folder < dates.lowerBound.description || folder > dates.upperBound.description {
                        continue
                    }
                    scan.failed.append(
                        (folderRelative, "folder name looks like a date but is not a valid YYYY-MM-DD date"))
                } else {
                    scan.ignored.append(folderRelative)
                }
                continue
            }
            if let dates, !dates.contains(date) { continue }
            scanDateFolder(
                folderPath, relative: folderRelative, dataset: dataset, date: date, into: &scan)
        }
        scan.sortAll()
        return scan
    }

    /// Files of one date folder into `scan.files`, or why they cannot be read into `scan.failed`.
    private func scanDateFolder(
        _ folderPath: String, relative folderRelative: String, dataset: Dataset, date: IngestDate,
        into scan: inout Scan
    ) {
        switch FileStatus.of(folderPath) {
        case .directory: break
        case .inaccessible(let reason):
            scan.failed.append((folderRelative, "cannot read: \(reason)"))
            return
        default:
            scan.failed.append(
                (folderRelative, "a date entry that is not a folder (raw files go in <YYYY-MM-DD>/)"))
            return
        }
        let names: [String]
        do { names = try listDirectory(folderPath, source: folderRelative) } catch {
            scan.failed.append((folderRelative, error.reason))
            return
        }
        for name in names {
            scanEntry(
                name, folderPath: folderPath, folderRelative: folderRelative, dataset: dataset, date: date,
                into: &scan)
        }
    }

    /// One entry of a date folder: a raw file, ignored (hidden or a marker) or failed (and why).
    private func scanEntry(
        _ name: String, folderPath: String, folderRelative: String, dataset: Dataset, date: IngestDate,
        into scan: inout Scan
    ) {
        if name.hasPrefix(Self.undecodableMark) {
            scan.failed.append((folderRelative + "/" + name.dropFirst(), "the file name is not valid UTF-8"))
            return
        }
        let relative = folderRelative + "/" + name
        let path = folderPath + "/" + name
        if name.hasPrefix(".") || name.hasPrefix("_") {
            scan.ignored.append(relative)
            return
        }
        let status = FileStatus.of(path)
        guard let kind = RawFileKind.of(fileName: name) else {
            scan.failed.append(
                (
                    relative,
                    status == .directory
                        ? "a folder inside a date folder is not read (raw files sit directly in <YYYY-MM-DD>/)"
                        : "not a raw file name: expected .json.zip, .json.gz, .jsonl.gz, .ndjson.gz, .json, .jsonl or .ndjson"
                ))
            return
        }
        let size: Int64
        switch status {
        case .regularFile(let bytes): size = bytes
        case .directory:
            scan.failed.append((relative, "a folder with a raw file's name"))
            return
        case .missing:
            scan.failed.append((relative, "cannot be opened (a dangling symbolic link)"))
            return
        case .inaccessible(let reason):
            scan.failed.append((relative, "cannot read: \(reason)"))
            return
        case .other:
            scan.failed.append((relative, "not a regular file (a device, socket or pipe)"))
            return
        }
        scan.files.append(
            RawFile(
                dataset: dataset, ingestDate: date, path: path, relativePath: relative,
                size: size, kind: kind))
    }

    /// `NNNN-NN-NN`: meant as an ingest date, so a bad one is a mistake, not another kind of entry.
    static func looksLikeDate(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard bytes.count == 10 else { return false }
        return bytes.enumerated().allSatisfy { i, b in
            i == 4 || i == 7 ? b == UInt8(ascii: "-") : (0x30...0x39).contains(b)
        }
    }

    private func absoluteRoot() -> String {
        var path = root.hasPrefix("/") ? root : FileManager.default.currentDirectoryPath + "/" + root
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        return path
    }

    static let undecodableMark = "\u{0}"

    /// The entry names of a folder (readdir(3), so a failure names the system's reason).
    private func listDirectory(_ path: String, source: String) throws(RawReadError) -> [String] {
        guard let dir = opendir(path) else {
            throw RawReadError(source: source, reason: "cannot read: \(String(cString: strerror(errno)))")
        }
        defer { closedir(dir) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(dir) else {
                if errno != 0 {
                    throw RawReadError(source: source, reason: "cannot read: \(String(cString: strerror(errno)))")
                }
                return names
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw -> String in
                let bytes = raw.prefix(while: { $0 != 0 })
                // A name that is not UTF-8 cannot be opened again from a String: mark it (U+FFFD) so it fails.
                return String(validating: bytes, as: UTF8.self) ?? Self.undecodableMark
                    + String(decoding: bytes, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
    }
}
