import Foundation
import Testing

@testable import GHWHSampleData

@Suite("Corpus sizing and streaming")
struct SizingTests {
    @Test func targetBytesIsHonouredWithinTenPercent() throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        var options = SampleDataOptions(outputDirectory: dir.path)
        options.issuesPerRepo = 20
        options.prsPerRepo = 10
        options.targetBytes = 12_000_000
        let summary = try SampleDataGenerator(options).generate()
        let tree = try GeneratedTree(root: dir.url)
        let written = tree.documents.reduce(Int64(0)) { $0 + Int64($1.rawBytes.count) }
        #expect(written == summary.uncompressedBytes)
        let error = abs(Double(written) - 12_000_000) / 12_000_000
        #expect(error < 0.10, "wrote \(written) bytes for a 12 MB target")
        #expect(summary.repos > 5)
        #expect(summary.distinctPullRequests == summary.repos * 10)
    }

    @Test func maxEntryBytesSplitsADayIntoDocumentsOfAboutThatSize() throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        var options = smallOptions(dir)
        options.maxEntryBytes = 64 << 10
        let summary = try SampleDataGenerator(options).generate()
        let tree = try GeneratedTree(root: dir.url)
        #expect(tree.documents.count > 2 * 3 * DayLayout.minimumDocuments + 10)
        #expect(summary.files < tree.documents.count)
        let largest = tree.documents.map(\.rawBytes.count).max() ?? 0
        // "About" the limit: documents are cut by record count, so allow some slack.
        #expect(largest < 2 * options.maxEntryBytes, "largest document \(largest)")
        #expect(tree.documents.filter { $0.rawBytes.count > options.maxEntryBytes / 4 }.count > 10)
    }

    @Test func progressIsReportedAndEndsAtTheTotals() throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        let reports = ProgressLog()
        let summary = try SampleDataGenerator(smallOptions(dir)).generate { reports.append($0) }
        let all = reports.all
        #expect(all.count >= summary.files)
        #expect(zip(all, all.dropFirst()).allSatisfy { $0.bytesWritten <= $1.bytesWritten && $0.records <= $1.records })
        #expect(all.last?.bytesWritten == summary.uncompressedBytes)
        #expect(all.last?.files == summary.files)
        #expect(all.last?.records == summary.records)
    }

    @Test func jsonWriterEscapesLikeJSONSerializationReadsBack() throws {
        let samples = [
            "plain", "quote \" backslash \\ slash /", "tab\tnewline\ncr\r", "\u{01}\u{1F}", "café 日本 🚀 👩‍💻", "",
        ]
        for asciiOnly in [false, true] {
            for pretty in [false, true] {
                var w = JSONByteWriter(pretty: pretty)
                w.asciiOnly = asciiOnly
                w.beginArray()
                for s in samples { w.string(s) }
                w.beginObject()
                w.key("k")
                w.int(-42)
                w.key("e")
                w.beginArray()
                w.endArray()
                w.endObject()
                w.endArray()
                if asciiOnly { #expect(w.bytes.allSatisfy { $0 < 0x80 }) }
                let parsed = try #require(try JSONSerialization.jsonObject(with: Data(w.bytes)) as? [Any])
                #expect(parsed.prefix(samples.count).compactMap { $0 as? String } == samples)
                let object = try #require(parsed.last as? [String: Any])
                #expect(object["k"] as? Int == -42)
            }
        }
    }
}

/// Collects progress reports (the callback runs synchronously on the generating thread).
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var reports: [SampleDataProgress] = []
    func append(_ p: SampleDataProgress) { lock.withLock { reports.append(p) } }
    var all: [SampleDataProgress] { lock.withLock { reports } }
}
