import CoreMetrics
import Foundation
import Prometheus

/// The coordinator's Prometheus metrics, served at `/metrics`.
///
/// Metrics are made with the swift-metrics API against a factory over a
/// registry this instance owns: the global `MetricsSystem` is never bootstrapped,
/// so several instances (tests, embedded runs) never share or clash.
public final class ClusterMetrics: @unchecked Sendable {
    // @unchecked: every stored property is immutable after init and the
    // swift-metrics handles are thread-safe (Prometheus uses locks/atomics).

    /// Upper bounds, in seconds, of the task duration histogram buckets.
    public static let taskDurationBuckets: [Double] = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600]
    /// Upper bounds, in seconds, of the loader commit histogram buckets.
    public static let loaderCommitBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

    static let workerStates = ["alive", "lost"]
    /// Exactly the coordinator's task states (`ClusterState.TaskState`; a cluster test checks they agree).
    public static let taskStates = ["pending", "running", "loading", "committed", "cancelled"]
    static let jobStates = ["queued", "running", "succeeded", "failed", "killed"]

    /// HELP text per family; the factory path registers metrics without help,
    /// so ``prometheusText()`` inserts these before each family's TYPE line.
    static let help: [String: String] = [
        "ghwh_task_duration_seconds": "Wall time of finished tasks, by kind (silver, gold).",
        "ghwh_records_processed_total": "Records read by workers.",
        "ghwh_bytes_processed_total": "Uncompressed bytes read by workers.",
        "ghwh_rejects_total": "Records quarantined to ghwh_meta.rejects.",
        "ghwh_loader_commit_seconds": "Wall time of one loader transaction commit.",
        "ghwh_workers": "Registered workers by state.",
        "ghwh_tasks": "Tasks of the current (running) job by state.",
        "ghwh_jobs": "Jobs in the coordinator's history by state.",
    ]

    private let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    private let records: CoreMetrics.Counter
    private let bytes: CoreMetrics.Counter
    private let rejectsCounter: CoreMetrics.Counter
    private let loaderCommit: CoreMetrics.Recorder
    private let workerGauges: [String: CoreMetrics.Gauge]
    private let taskGauges: [String: CoreMetrics.Gauge]
    private let jobGauges: [String: CoreMetrics.Gauge]
    private let taskDurations = LockedBox<[String: Recorder]>([:])

    public init() {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.valueHistogramBuckets = [
            "ghwh_task_duration_seconds": Self.taskDurationBuckets,
            "ghwh_loader_commit_seconds": Self.loaderCommitBuckets,
        ]
        self.registry = registry
        self.factory = factory
        records = Counter(label: "ghwh_records_processed_total", factory: factory)
        bytes = Counter(label: "ghwh_bytes_processed_total", factory: factory)
        rejectsCounter = Counter(label: "ghwh_rejects_total", factory: factory)
        loaderCommit = Recorder(label: "ghwh_loader_commit_seconds", aggregate: true, factory: factory)
        func gauges(_ name: String, _ states: [String]) -> [String: CoreMetrics.Gauge] {
            Dictionary(
                uniqueKeysWithValues: states.map {
                    ($0, CoreMetrics.Gauge(label: name, dimensions: [("state", $0)], factory: factory))
                })
        }
        workerGauges = gauges("ghwh_workers", Self.workerStates)
        taskGauges = gauges("ghwh_tasks", Self.taskStates)
        jobGauges = gauges("ghwh_jobs", Self.jobStates)
        // Pre-create both kinds so the histogram family shows before the first task ends.
        for kind in ["silver", "gold"] { _ = taskDurationRecorder(kind) }
        for gauge in [workerGauges, taskGauges, jobGauges].flatMap(\.values) { gauge.record(0) }
    }

    /// A task finished on a worker after `seconds` of wall time.
    public func taskFinished(kind: String, seconds: Double) {
        taskDurationRecorder(kind).record(seconds)
    }

    /// Workers read `n` records holding `bytes` uncompressed bytes.
    public func recordsProcessed(_ n: Int, bytes: Int64) {
        if n > 0 { records.increment(by: n) }
        if bytes > 0 { self.bytes.increment(by: bytes) }
    }

    /// `n` records were quarantined.
    public func rejects(_ n: Int) {
        if n > 0 { rejectsCounter.increment(by: n) }
    }

    /// The loader committed one transaction in `seconds`.
    public func loaderCommit(seconds: Double) {
        loaderCommit.record(seconds)
    }

    /// Sets the state gauges from a snapshot: workers alive/lost, tasks of the
    /// current job by state, and jobs by state. States not present are set to 0.
    public func update(from snapshot: ClusterSnapshot) {
        let alive = snapshot.workers.filter(\.alive).count
        workerGauges["alive"]?.record(alive)
        workerGauges["lost"]?.record(snapshot.workers.count - alive)

        let taskCounts = Self.taskCounts(of: snapshot.currentJob)
        for (state, gauge) in taskGauges { gauge.record(taskCounts[state] ?? 0) }

        var jobCounts: [String: Int] = [:]
        for job in snapshot.jobs { jobCounts[job.state, default: 0] += 1 }
        for (state, gauge) in jobGauges { gauge.record(jobCounts[state] ?? 0) }
    }

    /// The registry in Prometheus text exposition format 0.0.4, with HELP lines.
    public func prometheusText() -> String {
        let raw = registry.emitToString()
        var out = ""
        out.reserveCapacity(raw.utf8.count + 1024)
        for line in raw.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("# TYPE ") {
                let name = line.dropFirst("# TYPE ".count).split(separator: " ").first.map(String.init) ?? ""
                if let text = Self.help[name] { out += "# HELP \(name) \(text)\n" }
            }
            out += line + "\n"
        }
        return out
    }

    /// Task counts by state for a job: from its task list when it has one,
    /// else derived from its counters (planned − done − running are pending).
    static func taskCounts(of job: ClusterSnapshot.Job?) -> [String: Int] {
        guard let job else { return [:] }
        if !job.tasks.isEmpty {
            var counts = Dictionary(uniqueKeysWithValues: taskStates.map { ($0, 0) })
            for task in job.tasks { counts[task.state, default: 0] += 1 }
            return counts
        }
        return [
            "committed": job.tasksDone,
            "running": job.tasksRunning,
            "pending": max(0, job.tasksPlanned - job.tasksDone - job.tasksRunning),
        ]
    }

    private func taskDurationRecorder(_ kind: String) -> Recorder {
        taskDurations.withLock { recorders in
            if let recorder = recorders[kind] { return recorder }
            let recorder = Recorder(
                label: "ghwh_task_duration_seconds", dimensions: [("kind", kind)],
                aggregate: true, factory: factory)
            recorders[kind] = recorder
            return recorder
        }
    }
}
