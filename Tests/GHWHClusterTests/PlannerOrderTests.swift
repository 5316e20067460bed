import GHWHModel
import GHWHRaw
import GHWHTestSupport
import Testing

@testable import GHWHCluster

/// The planner takes the job's files day by day, one file of each dataset in
/// turn, so the loader gets results of both datasets side by side.
@Suite struct PlannerOrderTests {
    static func file(_ dataset: Dataset, _ day: Int, _ name: String) -> RawFile {
        let rel = "github/\(dataset.rawValue)/2024-01-0\(day)/\(name)"
        return RawFile(
            dataset: dataset, ingestDate: IngestDate(year: 2024, month: 1, day: day)!, path: "/raw/" + rel,
            relativePath: rel, size: 1, kind: .zip)
    }

    @Test func filesAreTakenDayByDayAlternatingDatasets() {
        let issues = [
            Self.file(.issues, 1, "a"), Self.file(.issues, 1, "b"), Self.file(.issues, 1, "c"),
            Self.file(.issues, 3, "a"),
        ]
        let prs = [
            Self.file(.pullRequests, 1, "a"), Self.file(.pullRequests, 2, "a"), Self.file(.pullRequests, 2, "b"),
        ]
        let order = Planner.interleaved([issues, prs]).map {
            "\($0.dataset.rawValue)/\($0.ingestDate.day)/\($0.relativePath.suffix(1))"
        }
        #expect(
            order == [
                "issues/1/a", "pull_requests/1/a", "issues/1/b", "issues/1/c",
                "pull_requests/2/a", "pull_requests/2/b", "issues/3/a",
            ])
    }

    @Test func everyFileIsPlannedOnceWhateverTheShape() {
        var rng = SeededGenerator(state: 11)
        for _ in 0..<200 {
            let lists = (0..<Int.random(in: 1...3, using: &rng)).map { d -> [RawFile] in
                let dataset: Dataset = d % 2 == 0 ? .issues : .pullRequests
                let days = (0..<Int.random(in: 0...6, using: &rng)).map { _ in Int.random(in: 1...4, using: &rng) }
                    .sorted()
                return days.enumerated().map { Self.file(dataset, $0.element, "f\(d)-\($0.offset)") }
            }
            let out = Planner.interleaved(lists)
            #expect(out.count == lists.reduce(0) { $0 + $1.count })
            #expect(Set(out).count == out.count)
            // Day by day, and each dataset's own order kept.
            #expect(zip(out, out.dropFirst()).allSatisfy { $0.ingestDate <= $1.ingestDate })
            for list in lists {
                let kept = out.filter { list.contains($0) }
                #expect(kept == list)
            }
        }
    }
}
