import Foundation
import Testing

/// `ghwh run --profile` accounts for the process's CPU by stage: the stages a
/// job runs are charged, and together they stay within the process's own time.
@Suite struct ProfileTests {
    @Test func runProfileChargesTheStagesAJobRuns() throws {
        let (raw, _) = try Fixtures.generate(repos: 3, issues: 40, prs: 20, days: 2, seed: 11)
        let db = try Fixtures.database()
        let summaryPath = try Fixtures.tempDir("profile") + "/summary.json"
        let (status, output) = Fixtures.finish(
            try Fixtures.ghwhRun(db, raw: raw, extra: ["--profile", "--summary-json", summaryPath]))
        #expect(status == 0, "\(output)")
        #expect(output.contains("core-s/GB"), "the table is printed: \(output)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: summaryPath)))
        let profile = try #require((json as? [String: Any])?["cpuProfile"] as? [String: Double])
        for stage in ["read+hash", "split", "validate+project+transform", "COPY encode", "COPY+merge (loader)", "gold"]
        {
            #expect((profile[stage] ?? 0) > 0, "\(stage) was charged: \(profile)")
        }
        let process = try #require(profile["process"])
        let attributed = profile.filter { $0.key != "process" }.values.reduce(0, +)
        #expect(attributed <= process * 1.01, "stages \(attributed) s within the process's \(process) s")
    }

    @Test func withoutProfileTheSummaryHasNoCPUProfile() throws {
        let (raw, _) = try Fixtures.generate(repos: 1, issues: 5, prs: 3, days: 1, seed: 12)
        let db = try Fixtures.database()
        let summaryPath = try Fixtures.tempDir("profile") + "/summary.json"
        let (status, output) = Fixtures.finish(
            try Fixtures.ghwhRun(db, raw: raw, extra: ["--summary-json", summaryPath]))
        #expect(status == 0, "\(output)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: summaryPath)))
        #expect((json as? [String: Any])?["cpuProfile"] == nil)
    }
}
