import Foundation
import GHWHCluster
import GHWHWebUI

/// Glue between the coordinator and its web UI: the UI module knows only
/// `ClusterSnapshot`; this maps the coordinator's overview onto it and feeds
/// task and loader events into the Prometheus metrics.
enum CoordinatorUI {
    static func start(_ coordinator: Coordinator, listen: String) throws -> CoordinatorWebUI {
        let parts = listen.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 2, let port = Int(parts.last!) else {
            throw CommandFailure("--ui-listen must be HOST:PORT, got \(listen)")
        }
        let host = parts.dropLast().joined(separator: ":")
        let metrics = ClusterMetrics()
        coordinator.observe(
            taskFinished: { kind, seconds, records, bytes, rejects in
                metrics.taskFinished(kind: kind, seconds: seconds)
                if records > 0 || bytes > 0 { metrics.recordsProcessed(records, bytes: bytes) }
                if rejects > 0 { metrics.rejects(rejects) }
            }, loaderCommit: { metrics.loaderCommit(seconds: $0) })
        let ui = CoordinatorWebUI(
            host: host.isEmpty ? "127.0.0.1" : host, port: port,
            snapshot: { snapshot(coordinator.overview()) }, metrics: metrics,
            pastJob: { id in coordinator.pastJob(id: id).map(job) })
        try ui.start()
        return ui
    }

    static func snapshot(_ o: Coordinator.Overview) -> ClusterSnapshot {
        ClusterSnapshot(
            coordinatorURL: o.url, startedAt: o.startedAt, generatedAt: Date(),
            workers: o.workers.map {
                ClusterSnapshot.Worker(
                    id: $0.id, host: $0.host, cores: $0.cores, alive: $0.alive, lastHeartbeat: $0.lastHeartbeat,
                    tasksDone: $0.tasksDone, currentTasks: $0.currentTasks)
            },
            jobs: o.jobs.map(job),
            loaderError: o.loaderError)
    }

    static func job(_ j: Coordinator.Overview.Job) -> ClusterSnapshot.Job {
        ClusterSnapshot.Job(
            id: j.id, job: j.job, from: j.from, to: j.to, state: j.state, phase: j.phase, submittedAt: j.submittedAt,
            startedAt: j.startedAt, finishedAt: j.finishedAt, tasksPlanned: j.tasksPlanned, tasksDone: j.tasksDone,
            tasksRunning: j.tasksRunning, records: j.records, uncompressedBytes: j.uncompressedBytes,
            rejects: j.rejects,
            failures: j.failures, error: j.error,
            tasks: j.tasks.map {
                ClusterSnapshot.TaskInfo(
                    id: $0.id, kind: $0.kind, detail: $0.detail, state: $0.state, worker: $0.worker,
                    attempts: $0.attempts, error: $0.error, seconds: $0.seconds, records: $0.records)
            })
    }
}
