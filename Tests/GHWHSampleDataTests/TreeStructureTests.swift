import Foundation
import Testing

@testable import GHWHSampleData

@Suite("Generated tree structure")
struct TreeStructureTests {
    @Test func everyDocumentParsesAndSummaryMatchesWhatIsOnDisk() throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        let summary = try SampleDataGenerator(smallOptions(dir)).generate()
        let tree = try GeneratedTree(root: dir.url)

        #expect(summary.files == tree.files.count)
        #expect(summary.records == tree.allRecords.count)
        #expect(summary.uncompressedBytes == tree.documents.reduce(0) { $0 + Int64($1.rawBytes.count) })
        let onDisk = try tree.files.reduce(Int64(0)) { total, url in
            total + ((try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.int64Value ?? 0)
        }
        #expect(summary.compressedBytes == onDisk)

        var issueKeys = Set<RecordKey>()
        var issueOnlyKeys = Set<RecordKey>()
        var pullKeys = Set<RecordKey>()
        for (doc, record) in tree.allRecords {
            let k = try #require(key(of: record), "record without repo/number in \(doc.source)")
            if doc.dataset == "issues" {
                issueKeys.insert(k)
                if record["pull_request"] == nil { issueOnlyKeys.insert(k) }
            } else {
                pullKeys.insert(k)
            }
        }
        #expect(summary.distinctIssues == issueOnlyKeys.count)
        #expect(summary.distinctIssueRecordsIncludingPRs == issueKeys.count)
        #expect(summary.distinctPullRequests == pullKeys.count)
        #expect(summary.distinctIssues == 4 * 30)
        #expect(summary.distinctPullRequests == 4 * 15)
        // Every PR is also seen through the issues endpoint, as the same (repo, number).
        #expect(pullKeys.isSubset(of: issueKeys))
        #expect(issueKeys.subtracting(issueOnlyKeys) == pullKeys)
    }

    @Test func everyFormatOccursEveryDayAndZipsHoldOneToThreeDocuments() throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        _ = try SampleDataGenerator(smallOptions(dir)).generate()
        let tree = try GeneratedTree(root: dir.url)
        for dataset in ["issues", "pull_requests"] {
            for date in ["2024-01-01", "2024-01-02", "2024-01-03"] {
                let names = tree.files.filter { $0.path.contains("/\(dataset)/\(date)/") }.map(\.lastPathComponent)
                for ext in [".json.zip", ".json.gz", ".jsonl"] {
                    #expect(names.contains { $0.hasSuffix(ext) }, "\(dataset) \(date) lacks \(ext)")
                }
                #expect(
                    names.contains { $0.hasSuffix(".json") && !$0.hasSuffix(".json.zip") },
                    "\(dataset) \(date) lacks plain .json")
            }
        }
        #expect(!tree.zipEntryNames.isEmpty)
        for (zip, entries) in tree.zipEntryNames {
            let jsonEntries = entries.filter { $0.hasSuffix(".json") }
            #expect((1...3).contains(jsonEntries.count), "\(zip) has \(jsonEntries.count) JSON entries")
            #expect(entries.allSatisfy { $0.hasSuffix(".json") || $0 == "README.txt" })
        }
        #expect(tree.zipEntryNames.values.contains { $0.contains("README.txt") })
        #expect(tree.zipEntryNames.values.contains { $0.filter { $0.hasSuffix(".json") }.count > 1 })
    }

    /// `zipOnly`: every file a zip of one or two pretty-printed entries, each at most about
    /// `maxEntryBytes`, holding the same records as the mixed layout.
    @Test func zipOnlyWritesOnlyZipsOfOneOrTwoPrettyEntries() throws {
        let mixed = ScratchDirectory()
        let zips = ScratchDirectory()
        defer {
            mixed.cleanup()
            zips.cleanup()
        }
        let mixedSummary = try SampleDataGenerator(smallOptions(mixed)).generate()
        var options = smallOptions(zips)
        options.zipOnly = true
        options.maxEntryBytes = 96 << 10
        let summary = try SampleDataGenerator(options).generate()
        let tree = try GeneratedTree(root: zips.url)
        #expect(tree.files.allSatisfy { $0.lastPathComponent.hasSuffix(".json.zip") })
        #expect(tree.zipEntryNames.count == tree.files.count)
        for (zip, entries) in tree.zipEntryNames {
            #expect((1...2).contains(entries.count), "\(zip) has \(entries.count) entries")
            #expect(entries.allSatisfy { $0.hasSuffix(".json") }, "\(zip): \(entries)")
        }
        #expect(tree.zipEntryNames.values.contains { $0.count == 2 })
        for doc in tree.documents {
            #expect(String(decoding: doc.rawBytes.prefix(12), as: UTF8.self).hasPrefix("[\n  {\n"), "\(doc.source)")
            #expect(doc.rawBytes.count < 2 * options.maxEntryBytes, "\(doc.source): \(doc.rawBytes.count) bytes")
        }
        #expect(summary.records == tree.allRecords.count)
        #expect(summary.records == mixedSummary.records)
        #expect(summary.distinctIssues == mixedSummary.distinctIssues)
        #expect(summary.distinctPullRequests == mixedSummary.distinctPullRequests)
    }

    @Test func documentsArePrettyOrCompactAsTheirFormatSays() throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        _ = try SampleDataGenerator(smallOptions(dir)).generate()
        let tree = try GeneratedTree(root: dir.url)
        for doc in tree.documents where !doc.records.isEmpty {
            let text = String(decoding: doc.rawBytes.prefix(40), as: UTF8.self)
            switch doc.format {
            case "json", "json.zip": #expect(text.hasPrefix("[\n  {\n    \"url\": "), "\(doc.source)")
            case "json.gz": #expect(text.hasPrefix("[{\"url\":"), "\(doc.source)")
            default:
                #expect(text.hasPrefix("{\"url\":"), "\(doc.source)")
                let lines = doc.rawBytes.split(separator: UInt8(ascii: "\n"))
                #expect(lines.count == doc.records.count)
            }
        }
    }

    @Test func sameSeedGivesIdenticalBytesAndAnotherSeedDiffers() throws {
        let a = ScratchDirectory()
        let b = ScratchDirectory()
        let c = ScratchDirectory()
        defer {
            a.cleanup()
            b.cleanup()
            c.cleanup()
        }
        let summaryA = try SampleDataGenerator(smallOptions(a, seed: 7)).generate()
        let summaryB = try SampleDataGenerator(smallOptions(b, seed: 7)).generate()
        _ = try SampleDataGenerator(smallOptions(c, seed: 8)).generate()
        #expect(summaryA == summaryB)
        let filesA = try relativeFiles(a)
        let filesB = try relativeFiles(b)
        let filesC = try relativeFiles(c)
        #expect(filesA == filesB)
        for name in filesA {
            let same =
                try Data(contentsOf: a.url.appendingPathComponent(name))
                == Data(contentsOf: b.url.appendingPathComponent(name))
            #expect(same, "\(name) differs between two runs with the same seed")
        }
        var anyDifference = filesA != filesC
        for name in filesA where filesC.contains(name) && !anyDifference {
            anyDifference =
                try Data(contentsOf: a.url.appendingPathComponent(name))
                != Data(contentsOf: c.url.appendingPathComponent(name))
        }
        #expect(anyDifference)
    }

    @Test func refusesToWriteIntoAnExistingTree() throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        _ = try SampleDataGenerator(smallOptions(dir)).generate()
        let before = try relativeFiles(dir)
        let error = try #require(throws: SampleDataError.self) { try SampleDataGenerator(smallOptions(dir)).generate() }
        #expect(error == .outputExists(path: dir.url.appendingPathComponent("github").path))
        #expect("\(error)".contains("github"))
        #expect(try relativeFiles(dir) == before)
    }

    @Test func rejectsBadOptionsWithTheirName() throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        var options = smallOptions(dir)
        options.firstDate = "2024-02-31"
        let error = try #require(throws: SampleDataError.self) { try SampleDataGenerator(options).generate() }
        guard case .invalidOption(let name, let value, _) = error else {
            Issue.record("unexpected \(error)")
            return
        }
        #expect(name == "firstDate" && value == "2024-02-31")
        options = smallOptions(dir)
        options.days = 0
        #expect(throws: SampleDataError.self) { try SampleDataGenerator(options).generate() }
        #expect(!FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("github").path))
    }

    private func relativeFiles(_ dir: ScratchDirectory) throws -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: dir.path)
        var names: [String] = []
        while let name = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(
                atPath: dir.url.appendingPathComponent(name).path, isDirectory: &isDirectory), !isDirectory.boolValue
            {
                names.append(name)
            }
        }
        return names.sorted()
    }
}
