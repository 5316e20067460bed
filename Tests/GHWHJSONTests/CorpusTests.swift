import Foundation
import GHWHJSON
import GHWHTestSupport
import Testing

/// Every element of the real GitHub objects (Tests/Fixtures/github-real) must split and project
/// without error, and agree with Foundation's JSONSerialization. The same checks run on the full
/// corpus when GHWH_FULL_CORPUS names it.
@Suite("Real GitHub corpus")
struct CorpusTests {
    static let selection: [String: JSONSelection] = [
        "number": .all, "id": .all, "title": .all, "state": .all, "user": .fields(["login": .all]),
        "labels": .fields(["name": .all]), "milestone": .fields(["number": .all, "title": .all]),
        "created_at": .all, "updated_at": .all, "closed_at": .all, "repository_url": .all, "url": .all,
        "html_url": .all, "pull_request": .all, "comments": .all, "body": .all,
        "base": .fields(["ref": .all, "repo": .fields(["full_name": .all])]),
        "additions": .all, "deletions": .all, "changed_files": .all, "commits": .all, "merged_at": .all, "draft": .all,
    ]

    @Test(arguments: RealFixtures.fileNames)
    func everyElementSplitsAndProjects(file: String) throws {
        try Self.splitsAndProjects(RealFixtures.directory().appendingPathComponent(file))
    }

    @Test(.enabled(if: RealFixtures.fullCorpusRequested), arguments: RealFixtures.fileNames)
    func fullCorpusSplitsAndProjects(file: String) throws {
        try Self.splitsAndProjects(RealFixtures.fullCorpusDirectory().appendingPathComponent(file))
    }

    @Test(arguments: RealFixtures.fileNames)
    func fullParseAgreesOnEveryString(file: String) throws {
        try Self.parsesLikeFoundation(RealFixtures.directory().appendingPathComponent(file))
    }

    @Test(.enabled(if: RealFixtures.fullCorpusRequested), arguments: RealFixtures.fileNames)
    func fullCorpusParseAgreesOnEveryString(file: String) throws {
        try Self.parsesLikeFoundation(RealFixtures.fullCorpusDirectory().appendingPathComponent(file))
    }

    /// SOURCES.md beside the fixtures has one row per object, in order, naming the object's
    /// repository and number and a permissive licence.
    @Test(arguments: RealFixtures.fileNames)
    func everyFixtureHasItsProvenance(file: String) throws {
        let directory = try RealFixtures.directory()
        let objects = try RealFixtures.objects(file, in: directory)
        let sources = try String(contentsOf: directory.appendingPathComponent("SOURCES.md"), encoding: .utf8)
        let lines = sources.components(separatedBy: "\n")
        let heading = try #require(lines.firstIndex(of: "## \(file)"), "SOURCES.md has no section for \(file)")
        let header = try #require(lines[heading...].firstIndex { $0.hasPrefix("| #") })
        let columns = lines[header].split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
        let repositoryColumn = try #require(columns.firstIndex(of: "repository"))
        let numberColumn = try #require(columns.firstIndex(of: "number"))
        let licenceColumn = try #require(columns.firstIndex(of: "licence"))
        let rows = lines[(header + 2)...].prefix { $0.hasPrefix("|") }
            .map {
                $0.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                    .map { $0.trimmingCharacters(in: .whitespaces) }
            }
        #expect(rows.count == objects.count, "\(file): \(objects.count) objects, \(rows.count) rows in SOURCES.md")
        for (index, (row, object)) in zip(rows, objects).enumerated() {
            #expect(row[0] == String(index))
            let url = try #require(object["url"] as? String)
            let path = url.components(separatedBy: "/repos/").last!.split(separator: "/")
            #expect(
                row[repositoryColumn].replacingOccurrences(of: "`", with: "").lowercased()
                    == "\(path[0])/\(path[1])".lowercased(), "\(file) #\(index)")
            #expect(row[numberColumn] == String(describing: object["number"] ?? ""), "\(file) #\(index)")
            let licence = row[licenceColumn]
            #expect(["MIT", "BSD-", "Apache-2.0"].contains { licence.hasPrefix($0) }, "\(file) #\(index): \(licence)")
        }
    }

    static func splitsAndProjects(_ url: URL) throws {
        let file = url.lastPathComponent
        let data = try Data(contentsOf: url)
        let reference = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        let bytes = [UInt8](data)
        #expect(!reference.isEmpty, "\(url.path) holds no objects")
        let projector = JSONProjector(Self.selection)

        for chunkSize in [nil, 65_536, 4093] as [Int?] {
            var projected: [JSONValue] = []
            var splitter = RecordSplitter(mode: .json)
            let handle: (RecordSlice) throws -> Void = { slice in
                #expect(slice.ordinal == projected.count)
                projected.append(try projector.project(slice.bytes))
            }
            let size = chunkSize ?? bytes.count
            var start = 0
            while start < bytes.count {
                let chunk = Array(bytes[start..<min(start + size, bytes.count)])
                try chunk.withUnsafeBytes { try splitter.consume($0, handle) }
                start += size
            }
            try splitter.finish(handle)
            #expect(splitter.shape == .array)
            try #require(projected.count == reference.count, "\(file), chunk size \(String(describing: chunkSize))")

            for (index, (value, object)) in zip(projected, reference).enumerated() {
                let number = try #require(object["number"] as? Int)
                #expect(value["number"] == .int(Int64(number)), "\(file) #\(index)")
                #expect(value["title"] == (object["title"] as? String).map(JSONValue.string), "\(file) #\(index)")
                #expect(
                    value["body"] == (object["body"] as? String).map(JSONValue.string) ?? .null, "\(file) #\(index)")
                let login = (object["user"] as? [String: Any])?["login"] as? String
                #expect(value["user"]?["login"] == login.map(JSONValue.string), "\(file) #\(index)")
                let labelNames = (object["labels"] as? [[String: Any]])?.map { $0["name"] as? String }
                if case .array(let labels)? = value["labels"] {
                    #expect(
                        labels.map { $0["name"].flatMap { if case .string(let s) = $0 { s } else { nil } } }
                            == labelNames)
                }
            }
        }
    }

    static func parsesLikeFoundation(_ url: URL) throws {
        let file = url.lastPathComponent
        let data = try Data(contentsOf: url)
        let reference = try #require(try JSONSerialization.jsonObject(with: data) as? [Any])
        let parsed = try parse([UInt8](data))
        guard case .array(let elements) = parsed else {
            Issue.record("not an array")
            return
        }
        #expect(elements.count == reference.count)
        // Compare every string and integer leaf in document order.
        var mismatches = 0
        func compare(_ value: JSONValue, _ any: Any, _ path: String) {
            switch value {
            case .string(let s):
                if (any as? String) != s {
                    mismatches += 1
                    Issue.record("\(path): \(s)")
                }
            case .int(let n):
                if (any as? NSNumber)?.int64Value != n {
                    mismatches += 1
                    Issue.record("\(path): \(n)")
                }
            case .object, .projected:
                let members = value.objectMembers!
                guard let dict = any as? [String: Any], dict.count == members.count else {
                    mismatches += 1
                    return
                }
                for (key, member) in members { compare(member, dict[key] as Any, path + "." + key) }
            case .array(let items):
                guard let array = any as? [Any], array.count == items.count else {
                    mismatches += 1
                    return
                }
                for (k, item) in items.enumerated() { compare(item, array[k], path + "[\(k)]") }
            case .null: if !(any is NSNull) { mismatches += 1 }
            case .bool, .double: break
            }
        }
        compare(parsed, reference, file)
        #expect(mismatches == 0)
    }
}
