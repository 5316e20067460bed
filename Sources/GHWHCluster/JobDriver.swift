import Foundation
import GHWHWarehouse
import Logging

/// Runs one job from plan to end against a `Scheduler`: the job's record
/// for the loader, silver planning (tasks and loader messages, bounded by the
/// read-ahead), a wait until every task committed, gold planning and its
/// wait, then the final summary record. The coordinator and `ghwh run` both
/// drive jobs with it (as Spark's local mode runs the real master), so the
/// two modes cannot drift; who runs the tasks and commits the outbox (worker
/// processes and a loader, or threads) is not its business.
struct JobDriver {
    let scheduler: Scheduler
    let conninfo: String
    let logger: Logger

    /// How long the job's final record may wait for the loader.
    var finalRecordTimeout: Double = 30
    /// Called when a phase's tasks all committed (`silver`, `gold`): progress lines end the phase.
    var phaseEnded: @Sendable (String) -> Void = { _ in }

    func run(_ job: JobRun) {
        let started = Date()
        job.update {
            $0.state = .running
            $0.started = started
            $0.phase = "starting"
        }
        scheduler.perform { state, _ in
            state.startJob(job.id)
            return []
        }
        let spec = job.spec
        let reader = WarehouseReader(conninfo: conninfo, logger: logger)
        defer { reader.close() }
        append(
            .startJob(
                jobId: job.id, job: spec.job.rawValue, from: spec.dates?.lowerBound.description,
                to: spec.dates?.upperBound.description, force: spec.force))
        do {
            if !spec.job.datasets.isEmpty {
                try runSilver(job, reader: reader)
                phaseEnded("silver")
            }
            let targets = spec.job.goldTargets
            if !targets.isEmpty && scheduler.jobError == nil {
                try runGold(job, targets: targets, reader: reader)
                phaseEnded("gold")
            }
        } catch {
            scheduler.perform { state, _ in state.stopJob("\(error)") }
        }
        finish(job, reader: reader, started: started)
    }

    private func append(_ message: LoaderMessage) {
        scheduler.perform { state, now in state.appendForLoader(message, now: now) }
    }

    private func runSilver(_ job: JobRun, reader: WarehouseReader) throws {
        job.update { $0.phase = "silver" }
        let state = try reader.warehouseState(datasets: job.spec.job.datasets)
        let planner = Planner(spec: job.spec, jobId: job.id, state: state, logger: logger)
        let scan = try planner.scan()
        job.update { f in
            f.summary.ignoredPaths += scan.ignored.count
            f.summary.failures += scan.failed.map {
                .init(dataset: $0.dataset.rawValue, source: $0.path, reason: $0.reason)
            }
        }
        planner.run(
            files: scan.files, progress: { p in job.update { $0.planner = p } },
            isCancelled: { scheduler.jobError != nil }, waitForRoom: { scheduler.waitForRoom() }
        ) { event in
            switch event {
            case .task(let t): _ = scheduler.enqueue(.silver(t))
            case .taskGroup(let g): _ = scheduler.enqueue(.silverGroup(g))
            case .loader(let m): append(m)
            }
        }
        logger.info(
            "silver planned", metadata: ["job_id": "\(job.id)", "tasks": "\(scheduler.read { $0.job?.planned ?? 0 })"])
        scheduler.waitUntilDrained()
        logger.info("silver committed", metadata: ["job_id": "\(job.id)"])
        job.update { f in
            for (d, n) in f.planner.filesSkippedByDataset {
                f.summary.datasets[d.rawValue, default: .init()].filesSkipped += n
            }
        }
    }

    private func runGold(_ job: JobRun, targets: Set<GoldTarget>, reader: WarehouseReader) throws {
        job.update { $0.phase = "gold" }
        let goldStarted = Date()
        let plan = try reader.withGoldStore { try $0.plan(targets: targets, full: job.spec.force) }
        let tasks = GoldPlanner.tasks(
            jobId: job.id, targets: targets, repos: plan.repos, marks: plan.marks,
            buckets: job.spec.goldBuckets)
        // Counted from the plan: a repo is in the backlog task and in a bucket of the other targets.
        job.update {
            $0.goldTasks = tasks.count
            $0.summary.gold.repos = plan.repos.count
        }
        for t in tasks where !scheduler.enqueue(.gold(t)) { break }
        scheduler.waitUntilDrained()
        job.update { $0.summary.gold.seconds = Date().timeIntervalSince(goldStarted) }
    }

    /// The job's end: its summary goes to the loader (the `ghwh_meta.jobs`
    /// row ends `succeeded` or `failed`, whatever happened), then the run's state.
    private func finish(_ job: JobRun, reader: WarehouseReader, started: Date) {
        let error = scheduler.jobError
        var summary = job.update { f -> JobSummary in
            f.summary.seconds = Date().timeIntervalSince(started)
            f.summary.goldTargets = job.spec.job.goldTargets.map(\.rawValue).sorted()
            for d in job.spec.job.datasets where f.summary.datasets[d.rawValue] == nil {
                f.summary.datasets[d.rawValue] = .init()
            }
            f.summary.stopReason = error
            return f.summary
        }
        if error == nil { summary.rejectSamples = (try? reader.rejectSamples(jobId: job.id, limit: 20)) ?? [] }
        job.update { $0.summary.rejectSamples = summary.rejectSamples }
        append(.finishJob(jobId: job.id, summary: summary))
        if !scheduler.waitUntilOutboxEmpty(timeout: finalRecordTimeout) {
            logger.warning("the loader did not record the job's end in time", metadata: ["job_id": "\(job.id)"])
        }
        let tasks = scheduler.read { $0.taskList }
        job.update { f in
            f.finished = Date()
            f.error = error
            f.state = f.killed ? .killed : (error == nil ? .succeeded : .failed)
            f.phase = "done"
            f.finishedTasks = tasks
        }
    }
}
