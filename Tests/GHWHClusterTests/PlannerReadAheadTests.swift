import Foundation
import GHWHRaw
import Testing

@testable import GHWHCluster

/// The coordinator's memory is bounded by the tasks it queues: the planner
/// waits for room in the queue before it reads a file, so it never sits on a
/// file it read (a chunk of compressed bytes) while the queue is full.
@Suite struct PlannerReadAheadTests {
    @Test func thePlannerWaitsForRoomBeforeItReadsEachFile() throws {
        let raw = try Fixtures.tempDir()
        for day in ["2024-01-01", "2024-01-02"] {
            let dir = raw + "/github/issues/" + day
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            for name in ["a", "b"] {
                try Fixtures.write(ChangingFileTests.issues(3, title: "\(day) \(name)"), to: dir + "/\(name).json")
            }
        }
        var planner = Planner(
            spec: JobSpec(job: .staGithubIssues, rawRoot: raw), jobId: "job-read-ahead", state: .init(),
            logger: Fixtures.logger)
        var events: [String] = []
        planner.afterHashing = { events.append("read " + $0.relativePath) }
        planner.run(
            files: try planner.scan().files, progress: { _ in }, isCancelled: { false },
            waitForRoom: { events.append("wait") }
        ) { event in
            if case .loader = event { return }
            events.append("task")
        }
        let reads = events.indices.filter { events[$0].hasPrefix("read ") }
        #expect(reads.count == 4, "\(events)")
        for i in reads {
            let previous = events[..<i].last { $0 == "wait" || $0.hasPrefix("read ") }
            #expect(previous == "wait", "\(events[i]) was read without waiting for room first: \(events)")
        }
        #expect(events.contains("task"))
    }
}
