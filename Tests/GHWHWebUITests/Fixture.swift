import Foundation
import GHWHWebUI

/// A cluster mid-job: 2 workers (one lost) and 3 jobs, newest first:
/// a running one with tasks in every state and a `<script>` name, a failed one
/// with errors, and an old succeeded one without a task list.
enum Fixture {
    static let t0 = Date(timeIntervalSince1970: 1_736_000_000.25)  // 2025-01-04T14:13:20.250Z
    static func at(_ seconds: Double) -> Date { t0.addingTimeInterval(seconds) }
    static let now = at(3600)

    static let runningJobName = "<script>alert('x')</script> & co"

    static let snapshot = ClusterSnapshot(
        coordinatorURL: "tcp://coordinator.local:7070",
        startedAt: t0,
        generatedAt: now,
        workers: [
            .init(
                id: "w-1", host: "node-a", cores: 8, alive: true, lastHeartbeat: at(3597),
                tasksDone: 41, currentTasks: ["t-0003", "t-0004"]),
            .init(
                id: "w-2", host: "node-b", cores: 4, alive: false, lastHeartbeat: at(3000),
                tasksDone: 7, currentTasks: []),
        ],
        jobs: [
            .init(
                id: "job-0003", job: runningJobName, from: "2025-01-01", to: "2025-01-03",
                state: "running", phase: "silver", submittedAt: at(3000), startedAt: at(3001),
                finishedAt: nil, tasksPlanned: 5, tasksDone: 2, tasksRunning: 2, records: 123_456,
                uncompressedBytes: 2_500_000_000, rejects: 3, failures: [], error: nil,
                tasks: [
                    .init(
                        id: "t-0001", kind: "silver", detail: "github/issues/2025-01-01/a.json.gz#0",
                        state: "committed", worker: "w-1", attempts: 1, error: nil),
                    .init(
                        id: "t-0002", kind: "silver", detail: "github/issues/2025-01-02/b.json.zip!x.json#0",
                        state: "loading", worker: "w-2", attempts: 2,
                        error: "worker lost <w-2> & lease expired"),
                    .init(
                        id: "t-0003", kind: "silver", detail: "github/issues/2025-01-03/c.jsonl#1",
                        state: "running", worker: "w-1", attempts: 1, error: nil),
                    .init(
                        id: "t-0004", kind: "gold", detail: "bucket 7/16",
                        state: "running", worker: "w-1", attempts: 1, error: nil),
                    .init(
                        id: "t-0005", kind: "gold", detail: "bucket 8/16",
                        state: "pending", worker: nil, attempts: 0, error: nil),
                ]),
            .init(
                id: "job-0002", job: "sta_github_pull_requests", from: "2024-12-31", to: "2024-12-31",
                state: "failed", phase: "silver", submittedAt: at(1000), startedAt: at(1001),
                finishedAt: at(1100), tasksPlanned: 4, tasksDone: 3, tasksRunning: 0, records: 9_000,
                uncompressedBytes: 50_000_000, rejects: 12,
                failures: ["github/pull_requests/2024-12-31/p.json.gz: truncated gzip stream at byte 81920"],
                error: "1 document failed",
                tasks: [
                    .init(
                        id: "t-0101", kind: "silver", detail: "github/pull_requests/2024-12-31/p.json.gz#0",
                        state: "cancelled", worker: "w-2", attempts: 3,
                        error: "truncated gzip stream at byte 81920")
                ]),
            .init(
                id: "job-0001", job: "stg_github_labels_metrics", from: nil, to: nil,
                state: "succeeded", phase: "done", submittedAt: at(10), startedAt: at(11),
                finishedAt: at(71), tasksPlanned: 16, tasksDone: 16, tasksRunning: 0, records: 40_000,
                uncompressedBytes: 120_000_000, rejects: 0, failures: [], error: nil, tasks: []),
        ],
        loaderError: nil
    )
}
