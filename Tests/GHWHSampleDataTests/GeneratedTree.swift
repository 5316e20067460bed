import CGHWHZlib
import Foundation
import ZIPFoundation

@testable import GHWHSampleData

/// One parsed JSON document of the generated tree.
struct ParsedDocument {
    var dataset: String  // "issues" or "pull_requests"
    var date: String  // ingest date folder
    var source: String  // path relative to the raw root, `!entry` for zip entries
    var format: String  // file extension
    var rawBytes: Data  // uncompressed document text
    var records: [[String: Any]]
}

enum TreeError: Error { case unexpected(String) }

/// Reads back a generated tree the way a loader would: every file, every zip entry,
/// gzip inflated with zlib, arrays and JSON Lines parsed with JSONSerialization.
struct GeneratedTree {
    let root: URL
    var documents: [ParsedDocument] = []
    var files: [URL] = []
    var zipEntryNames: [String: [String]] = [:]

    init(root: URL) throws {
        self.root = root
        let github = root.appendingPathComponent("github")
        for dataset in ["issues", "pull_requests"] {
            let datasetDir = github.appendingPathComponent(dataset)
            for date in try FileManager.default.contentsOfDirectory(atPath: datasetDir.path).sorted() {
                let dayDir = datasetDir.appendingPathComponent(date)
                for name in try FileManager.default.contentsOfDirectory(atPath: dayDir.path).sorted() {
                    let url = dayDir.appendingPathComponent(name)
                    files.append(url)
                    try read(url, dataset: dataset, date: date, relative: "github/\(dataset)/\(date)/\(name)")
                }
            }
        }
    }

    var allRecords: [(doc: ParsedDocument, record: [String: Any])] {
        documents.flatMap { d in d.records.map { (d, $0) } }
    }

    func records(_ dataset: String) -> [(doc: ParsedDocument, record: [String: Any])] {
        allRecords.filter { $0.doc.dataset == dataset }
    }

    private mutating func read(_ url: URL, dataset: String, date: String, relative: String) throws {
        let name = url.lastPathComponent
        if name.hasSuffix(".json.zip") {
            let archive = try Archive(url: url, accessMode: .read)
            var names: [String] = []
            for entry in archive {
                names.append(entry.path)
                var data = Data()
                _ = try archive.extract(entry) { data.append($0) }  // verifies CRC-32
                guard entry.path.hasSuffix(".json") else { continue }
                documents.append(
                    try parse(
                        data, lines: false, dataset: dataset, date: date,
                        source: relative + "!" + entry.path, format: "json.zip"))
            }
            zipEntryNames[relative] = names
        } else if name.hasSuffix(".json.gz") {
            let data = try GeneratedTree.gunzip(Data(contentsOf: url))
            documents.append(
                try parse(data, lines: false, dataset: dataset, date: date, source: relative, format: "json.gz"))
        } else if name.hasSuffix(".jsonl") {
            documents.append(
                try parse(
                    Data(contentsOf: url), lines: true, dataset: dataset, date: date, source: relative, format: "jsonl")
            )
        } else if name.hasSuffix(".json") {
            documents.append(
                try parse(
                    Data(contentsOf: url), lines: false, dataset: dataset, date: date, source: relative, format: "json")
            )
        } else {
            throw TreeError.unexpected("unknown file \(relative)")
        }
    }

    private func parse(_ data: Data, lines: Bool, dataset: String, date: String, source: String, format: String) throws
        -> ParsedDocument
    {
        var records: [[String: Any]] = []
        if lines {
            for line in data.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
                guard let object = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
                    throw TreeError.unexpected("non-object line in \(source)")
                }
                records.append(object)
            }
        } else {
            guard let array = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
                throw TreeError.unexpected("not an array of objects: \(source)")
            }
            records = array
        }
        return ParsedDocument(
            dataset: dataset, date: date, source: source, format: format, rawBytes: data, records: records)
    }

    /// Inflates a gzip member with zlib (16 + MAX_WBITS).
    static func gunzip(_ input: Data) throws -> Data {
        var stream = z_stream()
        guard inflateInit2_(&stream, 16 + MAX_WBITS, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw TreeError.unexpected("inflateInit2 failed")
        }
        defer { inflateEnd(&stream) }
        var output = Data()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var rc: Int32 = Z_OK
        try input.withUnsafeBytes { (inBuffer: UnsafeRawBufferPointer) in
            stream.next_in = UnsafeMutablePointer(mutating: inBuffer.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(inBuffer.count)
            repeat {
                let produced: Int = chunk.withUnsafeMutableBytes { out in
                    stream.next_out = out.bindMemory(to: Bytef.self).baseAddress
                    stream.avail_out = uInt(out.count)
                    rc = inflate(&stream, Z_NO_FLUSH)
                    return out.count - Int(stream.avail_out)
                }
                output.append(contentsOf: chunk[0..<produced])
                if rc != Z_OK && rc != Z_STREAM_END { throw TreeError.unexpected("inflate error \(rc)") }
            } while rc != Z_STREAM_END
        }
        return output
    }
}

/// A fresh scratch directory, removed by `cleanup()`.
struct ScratchDirectory {
    let url: URL
    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("ghwh-sample-\(UUID().uuidString)")
    }
    var path: String { url.path }
    func cleanup() { try? FileManager.default.removeItem(at: url) }
}

/// Small options so the tests stay quick in debug builds.
func smallOptions(_ directory: ScratchDirectory, seed: UInt64 = 42) -> SampleDataOptions {
    var options = SampleDataOptions(outputDirectory: directory.path)
    options.repos = 4
    options.issuesPerRepo = 30
    options.prsPerRepo = 15
    options.days = 3
    options.seed = seed
    return options
}

/// Repo `owner/name` of a record: `repository_url`, else `base.repo.full_name`, else `url`.
func repoName(of record: [String: Any]) -> String? {
    if let repositoryURL = record["repository_url"] as? String {
        return repositoryURL.components(separatedBy: "/repos/").last?.lowercased()
    }
    if let base = record["base"] as? [String: Any], let repo = base["repo"] as? [String: Any],
        let fullName = repo["full_name"] as? String
    {
        return fullName.lowercased()
    }
    if let url = record["url"] as? String, let range = url.range(of: "/repos/") {
        let parts = url[range.upperBound...].split(separator: "/")
        return parts.count >= 2 ? "\(parts[0])/\(parts[1])".lowercased() : nil
    }
    return nil
}

struct RecordKey: Hashable {
    var repo: String
    var number: Int
}

func key(of record: [String: Any]) -> RecordKey? {
    guard let repo = repoName(of: record), let number = record["number"] as? Int else { return nil }
    return RecordKey(repo: repo, number: number)
}
