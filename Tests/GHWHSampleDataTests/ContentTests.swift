import Foundation
import GHWHTestSupport
import Testing

@testable import GHWHSampleData

@Suite("Generated record content")
struct ContentTests {
    /// One tree shared by the content checks: 6 repos, so rare features (1-2%) occur.
    private func makeTree(_ dir: ScratchDirectory) throws -> GeneratedTree {
        var options = smallOptions(dir)
        options.repos = 6
        options.issuesPerRepo = 40
        options.prsPerRepo = 20
        _ = try SampleDataGenerator(options).generate()
        return try GeneratedTree(root: dir.url)
    }

    @Test func timestampsAreOrderedAndNotAfterTheirIngestDate() throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        let tree = try makeTree(dir)
        let iso = try NSRegularExpression(pattern: "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$")
        func valid(_ s: String) -> Bool { iso.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil }
        for (doc, r) in tree.allRecords {
            let created = try #require(r["created_at"] as? String)
            let updated = try #require(r["updated_at"] as? String)
            #expect(valid(created) && valid(updated), "bad timestamp in \(doc.source)")
            #expect(created <= updated, "created_at after updated_at in \(doc.source)")
            #expect(String(updated.prefix(10)) <= doc.date, "updated_at after ingest date in \(doc.source)")
            let state = r["state"] as? String
            if let closed = r["closed_at"] as? String {
                #expect(state == "closed")
                #expect(created <= closed && closed <= updated)
            } else {
                #expect(state == "open")
            }
            if doc.dataset == "pull_requests" {
                let merged = try #require(r["merged"] as? Bool)
                #expect(merged == (r["merged_at"] is String))
                if let mergedAt = r["merged_at"] as? String { #expect(mergedAt == r["closed_at"] as? String) }
            }
        }
    }

    @Test func laterDaysReemitUpdatedVersions() throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        let tree = try makeTree(dir)
        for dataset in ["issues", "pull_requests"] {
            var history: [RecordKey: [(date: String, record: [String: Any])]] = [:]
            for (doc, r) in tree.records(dataset) {
                history[try #require(key(of: r)), default: []].append((doc.date, r))
            }
            let updated = history.values.filter { $0.count > 1 }
            #expect(
                updated.count >= history.count / 10, "too few updated \(dataset): \(updated.count) of \(history.count)")
            var closedLater = 0
            var labelsChanged = 0
            for versions in updated {
                let sorted = versions.sorted { $0.date < $1.date }
                #expect(Set(sorted.map(\.date)).count == sorted.count, "a record appears twice on one day")
                for (a, b) in zip(sorted, sorted.dropFirst()) {
                    let ua = try #require(a.record["updated_at"] as? String)
                    let ub = try #require(b.record["updated_at"] as? String)
                    #expect(ua < ub, "updated_at does not increase for \(dataset)")
                    #expect(a.record["created_at"] as? String == b.record["created_at"] as? String)
                    if a.record["state"] as? String == "open" && b.record["state"] as? String == "closed" {
                        closedLater += 1
                    }
                    if labelNames(a.record) != labelNames(b.record) { labelsChanged += 1 }
                }
            }
            #expect(closedLater > 0, "no \(dataset) record goes open -> closed")
            #expect(labelsChanged > 0, "no \(dataset) record changes labels")
            // ~60% of the records exist on day 1; by the last day all of them do.
            let firstDay = history.values.filter { $0.contains { $0.date == "2024-01-01" } }.count
            #expect(Double(firstDay) / Double(history.count) > 0.45 && Double(firstDay) / Double(history.count) < 0.8)
        }
    }

    @Test func pullRequestsCarryClosingReferencesAndLookAlikes() throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        let tree = try makeTree(dir)
        var isPullRequest: [RecordKey: Bool] = [:]
        for (_, r) in tree.records("issues") { isPullRequest[try #require(key(of: r))] = r["pull_request"] != nil }
        let repos = Set(isPullRequest.keys.map(\.repo))
        let keyword = "(?<![A-Za-z0-9_])(?i:close|closes|closed|fix|fixes|fixed|resolve|resolves|resolved):?\\s+"
        let local = try NSRegularExpression(pattern: keyword + "#(\\d+)(?![A-Za-z0-9_])")
        let crossRepo = try NSRegularExpression(
            pattern: keyword + "([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)#(\\d+)(?![A-Za-z0-9_])")
        let url = try NSRegularExpression(pattern: keyword + "https://github\\.com/([^/\\s]+/[^/\\s]+)/issues/(\\d+)")
        var toIssue = 0
        var toPullRequest = 0
        var toMissing = 0
        var toOtherRepo = 0
        var viaURL = 0
        var inTitle = 0
        var negatives: Set<String> = []
        for (_, r) in tree.records("pull_requests") {
            let own = try #require(repoName(of: r))
            let title = r["title"] as? String ?? ""
            for text in [title, r["body"] as? String ?? ""] {
                let range = NSRange(text.startIndex..., in: text)
                for m in local.matches(in: text, range: range) {
                    let n = Int(text[Range(m.range(at: 1), in: text)!])!
                    switch isPullRequest[RecordKey(repo: own, number: n)] {
                    case .some(false): toIssue += 1
                    case .some(true): toPullRequest += 1
                    case .none: toMissing += 1
                    }
                    if text == title { inTitle += 1 }
                }
                for m in crossRepo.matches(in: text, range: range) {
                    let target = text[Range(m.range(at: 1), in: text)!].lowercased()
                    if target != own && repos.contains(target) { toOtherRepo += 1 }
                }
                viaURL += url.numberOfMatches(in: text, range: range)
                for probe in ["see #", "unfixes #", "prefix#", "/pull/", "1fixes #"] where text.contains(probe) {
                    negatives.insert(probe)
                }
                if text.range(of: "#\\d+abc", options: .regularExpression) != nil { negatives.insert("#Nabc") }
            }
        }
        #expect(
            toIssue > toPullRequest && toPullRequest > 0 && toMissing > 0,
            "issue \(toIssue) pr \(toPullRequest) missing \(toMissing)")
        #expect(toOtherRepo > 0)
        #expect(viaURL > 0)
        #expect(inTitle > 0)
        #expect(negatives == ["see #", "unfixes #", "prefix#", "/pull/", "1fixes #", "#Nabc"])
        #expect(tree.records("pull_requests").contains { $0.record["body"] is NSNull })
    }

    @Test func oldApiShapedIssuesHaveNoRepositoryURLButARepoInTheirURL() throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        let tree = try makeTree(dir)
        let issues = tree.records("issues")
        let old = issues.filter { $0.record["repository_url"] == nil }
        #expect(!old.isEmpty)
        #expect(old.count < issues.count / 15)
        for (_, r) in old {
            let url = try #require(r["url"] as? String)
            #expect(url.hasPrefix("https://api.github.com/repos/"))
            #expect(repoName(of: r) != nil)
        }
    }

    @Test func unicodeAndEscapesOccurAsInRealData() throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        let tree = try makeTree(dir)
        var scalars = Set<String>()
        var texts: [String] = []
        for (_, r) in tree.allRecords {
            texts.append(r["title"] as? String ?? "")
            texts.append(r["body"] as? String ?? "")
        }
        for text in texts {
            for s in text.unicodeScalars {
                switch s.value {
                case 0x4E00...0x9FFF: scalars.insert("CJK")
                case 0x0590...0x06FF: scalars.insert("RTL")
                case 0x1F300...0x1FAFF: scalars.insert("emoji")
                case 0x00C0...0x00FF: scalars.insert("accent")
                default: break
                }
            }
        }
        #expect(scalars == ["CJK", "RTL", "emoji", "accent"])
        #expect(texts.contains { $0.contains("\t") })
        #expect(texts.contains { $0.contains("\"") })
        #expect(texts.contains { $0.contains("\r\n") })
        // Some records spell non-ASCII as JSON escapes, including surrogate pairs.
        let raw = tree.documents.map { String(decoding: $0.rawBytes, as: UTF8.self) }
        #expect(raw.contains { $0.contains("\\ud83d\\u") })
        #expect(raw.contains { $0.range(of: "\\\\u00[c-f][0-9a-f]", options: .regularExpression) != nil })
        let logins = tree.allRecords.compactMap { ($0.record["user"] as? [String: Any])?["login"] as? String }
        #expect(logins.contains { $0.unicodeScalars.contains { $0.value > 0x7F } })
    }

    @Test func labelsAndMilestonesLookLikeGitHubs() throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        let tree = try makeTree(dir)
        var names = Set<String>()
        var bareStrings = 0
        var nullNames = 0
        var counts: [Int] = []
        for (_, r) in tree.allRecords {
            let labels = try #require(r["labels"] as? [Any])
            counts.append(labels.count)
            for label in labels {
                if let name = label as? String {
                    bareStrings += 1
                    names.insert(name)
                    continue
                }
                let object = try #require(label as? [String: Any])
                for k in ["id", "node_id", "url", "name", "color", "default", "description"] {
                    #expect(object[k] != nil, "label lacks \(k)")
                }
                if let name = object["name"] as? String { names.insert(name) } else { nullNames += 1 }
            }
        }
        #expect(counts.max() == 4 && counts.min() == 0)
        #expect(bareStrings > 0 && nullNames > 0)
        #expect(
            names.isSuperset(of: [
                "bug", "enhancement", "good first issue", "documentation", "priority: high", "área/ñ", "🚀 release",
            ]))
        #expect(names.count >= 15)

        let pulls = tree.records("pull_requests")
        let milestones = pulls.compactMap { $0.record["milestone"] as? [String: Any] }
        let share = Double(milestones.count) / Double(pulls.count)
        #expect(share > 0.4 && share < 0.8, "milestone share \(share)")
        let titles = Set(milestones.compactMap { $0["title"] as? String })
        #expect(titles.isSuperset(of: ["v1.0", "v1.1", "2024 Q1 🎯"]))
        for m in milestones {
            #expect(m["number"] is Int && m["creator"] is [String: Any] && m["url"] is String)
        }
    }

    /// Keys that most real objects (of `directory`) carry must be in every generated one
    /// (old-API issues aside).
    private func expectRealKeys(in tree: GeneratedTree, realObjectsIn directory: URL) throws {
        for dataset in ["issues", "pull_requests"] {
            let realObjects = try RealFixtures.objects("\(dataset).json", in: directory)
            var frequency: [String: Int] = [:]
            for o in realObjects { for k in o.keys { frequency[k, default: 0] += 1 } }
            let common = Set(frequency.filter { Double($0.value) >= 0.75 * Double(realObjects.count) }.keys)
            #expect(common.count > 15)
            let generated = tree.records(dataset).map(\.record).filter {
                dataset == "pull_requests" || $0["repository_url"] != nil
            }
            for r in generated {
                let missing = common.subtracting(r.keys)
                #expect(missing.isEmpty, "\(dataset) record lacks \(missing.sorted())")
            }
        }
    }

    /// The same key check against the full corpus (GHWH_FULL_CORPUS=<dir>), never run by default.
    @Test(.enabled(if: RealFixtures.fullCorpusRequested))
    func objectsHaveTheKeysOfTheFullCorpus() throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        try expectRealKeys(in: makeTree(dir), realObjectsIn: RealFixtures.fullCorpusDirectory())
    }

    @Test func objectsHaveTheKeysAndSizesOfRealGitHubObjects() throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        let tree = try makeTree(dir)
        try expectRealKeys(in: tree, realObjectsIn: RealFixtures.directory())
        for dataset in ["issues", "pull_requests"] {
            let generated = tree.records(dataset).map(\.record).filter {
                dataset == "pull_requests" || $0["repository_url"] != nil
            }
            let sizes = try generated.map {
                try JSONSerialization.data(withJSONObject: $0, options: [.prettyPrinted]).count
            }.sorted()
            let median = sizes[sizes.count / 2]
            let expected = dataset == "issues" ? 3_500...7_500 : 14_000...26_000
            #expect(expected.contains(median), "\(dataset) median pretty size \(median)")
        }
        // PRs as `GET /pulls/n` returns them: full repos in head and base.
        for (_, r) in tree.records("pull_requests") {
            let base = try #require(r["base"] as? [String: Any])
            let repo = try #require(base["repo"] as? [String: Any])
            #expect(repo["full_name"] is String && repo["owner"] is [String: Any] && repo.count > 70)
            for k in ["additions", "deletions", "changed_files", "commits", "review_comments"] { #expect(r[k] is Int) }
            let links = try #require(r["_links"] as? [String: Any])
            #expect(links.count == 8)
        }
        // PRs seen through the issues endpoint carry the pull_request object.
        let prAsIssue = tree.records("issues").compactMap { $0.record["pull_request"] as? [String: Any] }
        #expect(!prAsIssue.isEmpty)
        for p in prAsIssue { #expect(Set(p.keys) == ["url", "html_url", "diff_url", "patch_url", "merged_at"]) }
    }

    private func labelNames(_ record: [String: Any]) -> [String] {
        (record["labels"] as? [Any] ?? []).map {
            ($0 as? String) ?? (($0 as? [String: Any])?["name"] as? String) ?? "<null>"
        }
    }
}
