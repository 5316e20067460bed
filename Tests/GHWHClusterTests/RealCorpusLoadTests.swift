import Foundation
import GHWHCluster
import GHWHTestSupport
import GHWHWarehouse
import Testing

/// The real GitHub objects of Tests/Fixtures/github-real (or, when GHWH_FULL_CORPUS names it,
/// the full corpus they were picked from), placed into a raw tree, loaded, and checked against
/// an independent reading with Foundation.
@Suite struct RealCorpusLoadTests {
    /// A raw tree holding `directory`'s issues.json and pull_requests.json as one day's files.
    static func rawTree(from directory: URL) throws -> String {
        let raw = try Fixtures.tempDir()
        for (name, dataset) in [("issues.json", "issues"), ("pull_requests.json", "pull_requests")] {
            let dir = raw + "/github/\(dataset)/2024-06-01"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try FileManager.default.copyItem(
                atPath: directory.appendingPathComponent(name).path, toPath: dir + "/" + name)
        }
        return raw
    }

    /// Per (repo, number), the version silver must keep: of the objects with a valid created_at,
    /// the latest by updated_at (else created_at), the later one on ties.
    static func latest(_ objects: [[String: Any]], pullRequest: Bool) -> [String: [String: Any]] {
        var latest: [String: (updated: String, object: [String: Any])] = [:]
        for o in objects.filter(Self.validCreatedAt) {
            guard let repo = Self.repo(o, pullRequest: pullRequest), let n = o["number"] as? Int else { continue }
            let key = "\(repo)#\(n)"
            let updated = (o["updated_at"] as? String) ?? (o["created_at"] as! String)
            if let cur = latest[key], cur.updated > updated { continue }
            latest[key] = (updated, o)
        }
        return latest.mapValues(\.object)
    }

    /// Repo as docs/contract.md#repository-names derives it, computed here without ghwh's code.
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
        return s.range(
            of: #"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$"#, options: .regularExpression)
            != nil
    }

    /// Loads `directory` and checks silver against the objects; returns, per file, how many
    /// distinct keys and rejects it expected.
    static func loadAndCheck(_ directory: URL) throws -> [String: (keys: Int, rejected: Int)] {
        let raw = try rawTree(from: directory)
        let db = try Fixtures.database()
        let summary = try Fixtures.run(db, raw: raw)
        #expect(summary.failures.isEmpty)

        var seen: [String: (keys: Int, rejected: Int)] = [:]
        for (name, table, isPR) in [
            ("issues.json", "sta_github.issues", false), ("pull_requests.json", "sta_github.pull_requests", true),
        ] {
            let objects = try RealFixtures.objects(name, in: directory)
            let valid = objects.filter(Self.validCreatedAt)
            let latest = Self.latest(objects, pullRequest: isPR)
            let rows = try PGRowsDump.rows(
                db, "SELECT repo_name || '#' || number, title, array_length(labels, 1) FROM \(table)")
            #expect(rows.count == latest.count, "\(table)")
            #expect(Set(rows.map { $0[0] }) == Set(latest.keys))
            // Titles and label counts of the winning versions.
            var mismatches = 0
            for row in rows {
                guard let winner = latest[row[0]] else { continue }
                if (winner["title"] as? String ?? "NULL") != row[1] { mismatches += 1 }
                let labels =
                    (winner["labels"] as? [Any])?.compactMap { l -> String? in
                        (l as? String) ?? ((l as? [String: Any])?["name"] as? String)
                    } ?? []
                if (labels.isEmpty ? "NULL" : String(Set(labels).count)) != row[2] { mismatches += 1 }
            }
            #expect(mismatches == 0, "\(table)")
            let rejected = summary.datasets[isPR ? "pull_requests" : "issues"]?.rejected ?? -1
            #expect(rejected == objects.count - valid.count, "only the `... UTC` created_at records are rejected")
            seen[name] = (latest.count, objects.count - valid.count)
        }
        let merged = try Fixtures.scalar(
            db, "SELECT count(*) FROM sta_github.pull_requests WHERE merged_at IS NOT NULL")
        let expectedMerged = Self.latest(
            try RealFixtures.objects("pull_requests.json", in: directory), pullRequest: true
        )
        .values.filter { !($0["merged_at"] is NSNull) && $0["merged_at"] != nil }.count
        #expect(merged == String(expectedMerged))
        return seen
    }

    @Test func loadsTheRealFixtures() throws {
        let directory = try RealFixtures.directory()
        let seen = try Self.loadAndCheck(directory)
        // The fixtures hold each (repo, number) once per file, and one wrong-type created_at,
        // in a PR (Tests/Fixtures/github-real/SOURCES.md).
        for name in RealFixtures.fileNames {
            let objects = try RealFixtures.objects(name, in: directory)
            let rejected = name == "pull_requests.json" ? 1 : 0
            #expect(seen[name]?.keys == objects.count - rejected && seen[name]?.rejected == rejected, "\(name)")
        }
    }

    /// The same on the full corpus (GHWH_FULL_CORPUS=<dir>), never run by default.
    @Test(.enabled(if: RealFixtures.fullCorpusRequested))
    func loadsTheFullCorpus() throws {
        let seen = try Self.loadAndCheck(RealFixtures.fullCorpusDirectory())
        #expect(seen.values.allSatisfy { $0.keys > 90 }, "the corpus has ~100 PRs and ~1,200 issues")
    }
}
