import Foundation
import GHWHCluster
import GHWHWarehouse
import Testing

/// The real GitHub objects of ../shared/corpus/github-real, placed into a raw
/// tree, loaded, and checked against an independent reading with Foundation.
@Suite struct RealCorpusLoadTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../shared/corpus/github-real").standardizedFileURL.path

    static func objects(_ name: String) throws -> [[String: Any]] {
        let data = try Data(contentsOf: URL(fileURLWithPath: corpus + "/" + name))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
    }

    /// Repo as DESIGN.md section 2 derives it, computed here without ghwh's code.
    static func repo(_ o: [String: Any], pullRequest: Bool) -> String? {
        if pullRequest, let full = ((o["base"] as? [String: Any])?["repo"] as? [String: Any])?["full_name"] as? String {
            return full.lowercased()
        }
        for key in pullRequest ? ["url"] : ["repository_url", "url"] {
            if let u = o[key] as? String, let r = u.range(of: "/repos/") {
                let parts = u[r.upperBound...].split(separator: "/")
                if parts.count >= 2 { return "\(parts[0])/\(parts[1])".lowercased() }
            }
        }
        return nil
    }

    /// created_at in the accepted ISO-8601 form (the corpus has a few `... UTC` ones, which are rejects).
    static func validCreatedAt(_ o: [String: Any]) -> Bool {
        guard let s = o["created_at"] as? String else { return false }
        return s.range(of: #"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$"#, options: .regularExpression) != nil
    }

    @Test func loadsTheRealCorpus() throws {
        let raw = try Fixtures.tempDir()
        for (name, dataset) in [("issues.json", "issues"), ("pull_requests.json", "pull_requests")] {
            let dir = raw + "/github/\(dataset)/2024-06-01"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: Self.corpus + "/" + name, toPath: dir + "/" + name)
        }
        let db = try Fixtures.database()
        let summary = try Fixtures.run(db, raw: raw)
        #expect(summary.failures.isEmpty)

        for (name, table, isPR) in [("issues.json", "sta_github.issues", false), ("pull_requests.json", "sta_github.pull_requests", true)] {
            let objects = try Self.objects(name)
            let valid = objects.filter(Self.validCreatedAt)
            // Latest version per (repo, number) by updated_at (else created_at), later ordinal on ties.
            var latest: [String: (updated: String, index: Int)] = [:]
            for (i, o) in valid.enumerated() {
                guard let repo = Self.repo(o, pullRequest: isPR), let n = o["number"] as? Int else { continue }
                let key = "\(repo)#\(n)"
                let updated = (o["updated_at"] as? String) ?? (o["created_at"] as! String)
                if let cur = latest[key], cur.updated > updated { continue }
                latest[key] = (updated, i)
            }
            let rows = try PGRowsDump.rows(db, "SELECT repo_name || '#' || number, title, array_length(labels, 1) FROM \(table)")
            #expect(latest.count > 90, "the corpus has ~100 PRs and ~1,200 issues")
            #expect(rows.count == latest.count, "\(table)")
            #expect(Set(rows.map { $0[0] }) == Set(latest.keys))
            // Titles and label counts of the winning versions.
            var mismatches = 0
            for row in rows {
                guard let winner = latest[row[0]].map({ valid[$0.index] }) else { continue }
                if (winner["title"] as? String ?? "NULL") != row[1] { mismatches += 1 }
                let labels = (winner["labels"] as? [Any])?.compactMap { l -> String? in
                    (l as? String) ?? ((l as? [String: Any])?["name"] as? String) } ?? []
                if (labels.isEmpty ? "NULL" : String(Set(labels).count)) != row[2] { mismatches += 1 }
            }
            #expect(mismatches == 0, "\(table)")
            let rejected = summary.datasets[isPR ? "pull_requests" : "issues"]?.rejected ?? -1
            #expect(rejected == objects.count - valid.count, "only the `... UTC` created_at records are rejected")
        }
        let merged = try Fixtures.scalar(db, "SELECT count(*) FROM sta_github.pull_requests WHERE merged_at IS NOT NULL")
        let expectedMerged = try Self.objects("pull_requests.json").filter(Self.validCreatedAt)
            .reduce(into: [String: [String: Any]]()) { acc, o in
                let key = "\(Self.repo(o, pullRequest: true)!)#\(o["number"] as! Int)"
                if let cur = acc[key], (cur["updated_at"] as? String ?? "") > (o["updated_at"] as? String ?? "") { return }
                acc[key] = o
            }.values.filter { !($0["merged_at"] is NSNull) && $0["merged_at"] != nil }.count
        #expect(merged == String(expectedMerged))
    }
}
