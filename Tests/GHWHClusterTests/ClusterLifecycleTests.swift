import Foundation
import GHWHTestSupport
import Testing

@testable import GHWHCluster
@testable import GHWHWarehouse

/// The failures a deployment produces (workers restarted under their id,
/// crashes, SIGTERM of every role), with real processes: none may stall or
/// fail a job, and every run ends in the tables local mode makes.
@Suite(.serialized) struct ClusterLifecycleTests {
    /// Well under the 60 s heartbeat timeout these tests run with: a job that
    /// waited for the timeout anywhere takes longer than this.
    static let noTimeoutWait = 40.0

    @Test func aWorkerKilledAndRestartedUnderTheSameIdDoesNotStallTheJob() async throws {
        try await offPool {
            let (raw, expected) = try ClusterTests.treeAndExpected(seed: 51)
            let db = try Fixtures.database()
            let cluster = try ClusterHarness(conninfo: db, raw: raw)
            defer { cluster.stopAll() }
            try cluster.startCoordinator(workerTimeout: 60)
            try cluster.startLoader()
            // Dies like kill -9 holding its third task; systemd/k8s/compose restart it at once under the same id.
            try cluster.startWorker("w1", extra: ["--exit-after-tasks", "2"])
            let c = try cluster.client()
            defer { c.close() }
            let started = Date()
            let id = try c.submit(SubmitJob(job: "all", from: nil, to: nil, force: false, rawRoot: raw))
            try cluster.waitFor("w1 to die", timeout: 60) { cluster.process("w1")?.isRunning == false }
            #expect(cluster.process("w1")?.exitStatus == .exited(137))
            try cluster.startWorker("w1", cores: 2)
            let status = try cluster.waitForJob(id, client: c, timeout: Self.noTimeoutWait)
            #expect(status.state == .succeeded, "\(status)")
            #expect(Date().timeIntervalSince(started) < Self.noTimeoutWait)
            #expect(cluster.log("coordinator").contains("worker restarted under the same id"))
            #expect(try ClusterTests.tables(db) == expected)
        }
    }

    /// A worker dies (like kill -9) after the coordinator accepted two parts of a
    /// document it was cutting: the parts already queued commit, the task is
    /// re-queued at once (the connection closed), another worker runs the whole
    /// document again, the loader drops the chunks it has, and the tables are
    /// local mode's.
    @Test func aWorkerKilledInTheMiddleOfADocumentsPartsLeavesTheTablesOfLocalMode() async throws {
        try await offPool {
            let (raw, local) = try ClusterTests.oneDocumentToCut()
            let db = try Fixtures.database()
            let cluster = try ClusterHarness(conninfo: db, raw: raw)
            defer { cluster.stopAll() }
            try cluster.startCoordinator(workerTimeout: 60, extra: ["--chunk-size-mb", "1"])
            try cluster.startLoader()
            try cluster.startWorker("doomed", extra: ["--exit-after-parts", "2"])
            let c = try cluster.client()
            defer { c.close() }
            let started = Date()
            let id = try c.submit(
                SubmitJob(job: JobName.staGithubIssues.rawValue, from: nil, to: nil, force: false, rawRoot: raw))
            try cluster.waitFor("the doomed worker to die", timeout: 60) {
                cluster.process("doomed")?.isRunning == false
            }
            #expect(cluster.process("doomed")?.exitStatus == .exited(137))
            try cluster.startWorker("survivor")
            let status = try cluster.waitForJob(id, client: c, timeout: Self.noTimeoutWait)
            #expect(status.state == .succeeded, "\(status)")
            #expect(Date().timeIntervalSince(started) < Self.noTimeoutWait)
            #expect(try Fixtures.silver(db) == Fixtures.silver(local))
            #expect(try Fixtures.dump(db, "sta_github.issues").count == 12_000)
            let byWorker = "(SELECT worker, count(*) FROM ghwh_meta.task_commits GROUP BY worker)"
            let commits = try Fixtures.dump(db, byWorker)
            // The first attempt's two parts, then the rest from the survivor (its copies of those two dropped).
            #expect(commits.first == "(doomed,2)" && commits.count == 2, "chunks committed per worker: \(commits)")
            #expect(try Fixtures.scalar(db, "SELECT status FROM ghwh_meta.documents") == "merged")
        }
    }

    @Test func aWorkerKilledUnderANewIdLosesItsTasksAtOnce() async throws {
        try await offPool {
            let (raw, expected) = try ClusterTests.treeAndExpected(seed: 52)
            let db = try Fixtures.database()
            let cluster = try ClusterHarness(conninfo: db, raw: raw)
            defer { cluster.stopAll() }
            try cluster.startCoordinator(workerTimeout: 60)
            try cluster.startLoader()
            // It dies (like kill -9) holding its first task: with the tree's small documents in
            // task groups there may be no third task for it.
            try cluster.startWorker("doomed", extra: ["--exit-after-tasks", "0"])
            try cluster.startWorker("survivor")
            let started = Date()
            let status = try cluster.runJob(timeout: Self.noTimeoutWait)
            #expect(status.state == .succeeded, "\(status)")
            #expect(cluster.process("doomed")?.exitStatus == .exited(137))
            #expect(Date().timeIntervalSince(started) < Self.noTimeoutWait)
            #expect(cluster.log("coordinator").contains("its connection closed"))
            #expect(try ClusterTests.tables(db) == expected)
        }
    }

    @Test func sigtermOnAWorkerFinishesItsTaskAndExitsZero() async throws {
        try await offPool {
            let (raw, expected) = try ClusterTests.treeAndExpected(seed: 53)
            let db = try Fixtures.database()
            let cluster = try ClusterHarness(conninfo: db, raw: raw)
            defer { cluster.stopAll() }
            try cluster.startCoordinator(workerTimeout: 60)
            try cluster.startLoader()
            try cluster.startWorker("stopping", extra: ["--task-delay-ms", "800"])
            let c = try cluster.client()
            defer { c.close() }
            let id = try c.submit(SubmitJob(job: "all", from: nil, to: nil, force: false, rawRoot: raw))
            // The worker's own word, not the coordinator's lease: an assignment can still be on
            // its way (a task group's frame is large) when the coordinator counts it running.
            try cluster.waitFor("a task to run", timeout: 60) { cluster.log("stopping").contains("task started") }
            #expect(try cluster.signalAndWait("stopping", SIGTERM) == 0)
            let log = cluster.log("stopping")
            #expect(log.contains("stopping: no new tasks") && log.contains("worker stopped"))
            try cluster.startWorker("replacement", cores: 2)
            let status = try cluster.waitForJob(id, client: c, timeout: Self.noTimeoutWait)
            #expect(status.state == .succeeded, "\(status)")
            #expect(try ClusterTests.committedTasks(db, worker: "stopping") >= 1, "the task in hand finished")
            #expect(try ClusterTests.tables(db) == expected)
        }
    }

    @Test func sigtermOnAWorkerPastItsGraceHandsTheTaskBack() async throws {
        try await offPool {
            let (raw, expected) = try ClusterTests.treeAndExpected(seed: 54)
            let db = try Fixtures.database()
            let cluster = try ClusterHarness(conninfo: db, raw: raw)
            defer { cluster.stopAll() }
            try cluster.startCoordinator(workerTimeout: 60)
            try cluster.startLoader()
            try cluster.startWorker("slow", extra: ["--task-delay-ms", "20000", "--shutdown-grace", "0.5"])
            let c = try cluster.client()
            defer { c.close() }
            let id = try c.submit(SubmitJob(job: "all", from: nil, to: nil, force: false, rawRoot: raw))
            try cluster.waitFor("a task to run", timeout: 60) { cluster.log("slow").contains("task started") }
            #expect(try cluster.signalAndWait("slow", SIGTERM, timeout: 10) == 0)
            #expect(cluster.log("slow").contains("handing running tasks back"))
            try cluster.startWorker("fast", cores: 2)
            let status = try cluster.waitForJob(id, client: c, timeout: Self.noTimeoutWait)
            #expect(status.state == .succeeded, "\(status)")
            #expect(cluster.log("coordinator").contains("released by worker slow"))
            #expect(try ClusterTests.committedTasks(db, worker: "slow") == 0)
            #expect(try ClusterTests.tables(db) == expected)
        }
    }

    @Test func sigtermOnTheLoaderAndTheCoordinatorStopsThemCleanly() async throws {
        try await offPool {
            let (raw, expected) = try ClusterTests.treeAndExpected(seed: 55)
            let db = try Fixtures.database()
            let cluster = try ClusterHarness(conninfo: db, raw: raw)
            defer { cluster.stopAll() }
            try cluster.startCoordinator()
            try cluster.startWorker("w1", cores: 2)
            try cluster.startLoader("loader-1")
            #expect(try cluster.runJob(.staGithubIssues).state == .succeeded)
            #expect(try cluster.signalAndWait("loader-1", SIGTERM) == 0)
            #expect(cluster.log("loader-1").contains("loader stopped"))
            try cluster.startLoader("loader-2")
            #expect(try cluster.runJob().state == .succeeded)
            #expect(try ClusterTests.tables(db) == expected)
            #expect(try cluster.signalAndWait("coordinator", SIGTERM) == 0)
            let log = cluster.log("coordinator")
            #expect(log.contains("stopping on SIGTERM") && log.contains("coordinator stopped"))
        }
    }

    /// The coordinator dies mid-job and comes back: it resumes the journaled
    /// job under the same id, and the `ghwh-submit` that was waiting follows it
    /// to its end, with no re-submit.
    @Test func aCoordinatorKilledMidJobResumesItWithoutAResubmit() async throws {
        try await offPool {
            let (raw, expected) = try ClusterTests.treeAndExpected(seed: 57)
            let db = try Fixtures.database()
            let cluster = try ClusterHarness(conninfo: db, raw: raw)
            defer { cluster.stopAll() }
            try cluster.startCoordinator(name: "coordinator-1")
            try cluster.startLoader()
            try cluster.startWorker("w1", cores: 2, extra: ["--task-delay-ms", "150"])
            let submit = try cluster.startSubmit(["--job", "all", "--raw", raw])
            try cluster.waitFor("some tasks to commit", timeout: 60) {
                Int(try Fixtures.scalar(db, "SELECT count(*) FROM ghwh_meta.task_commits") ?? "0") ?? 0 >= 3
            }
            cluster.kill9("coordinator-1")
            #expect(submit.isRunning, "ghwh-submit keeps waiting while the coordinator is down")
            try cluster.startCoordinator(name: "coordinator-2")
            let text = String(decoding: submit.standardOutput?.readDataToEndOfFile() ?? Data(), as: UTF8.self)
            #expect(submit.waitForExit() == .exited(0), "\(text.suffix(2000))")
            #expect(cluster.log("coordinator-2").contains("resuming a journaled job"))
            #expect(try ClusterTests.tables(db) == expected)
            #expect(try Fixtures.scalar(db, "SELECT count(*) FROM ghwh_meta.coordinator_jobs") == "1", "no second job")
            #expect(try Fixtures.scalar(db, "SELECT state FROM ghwh_meta.coordinator_jobs") == "succeeded")
        }
    }

    /// A worker on its own host loses its link for longer than the timeout
    /// (a silent partition: no connection is closed). Its task re-runs
    /// elsewhere, its late result is discarded, and it re-joins.
    @Test func aPartitionedWorkerIsReplacedAndItsLateResultDiscarded() async throws {
        try await offPool {
            let island = try NetworkNamespaceHost(index: 1)
            let (raw, expected) = try ClusterTests.treeAndExpected(seed: 56)
            let db = try Fixtures.database()
            let cluster = try ClusterHarness(conninfo: db, raw: raw)
            defer { cluster.stopAll() }
            try cluster.startCoordinator(workerTimeout: 3, listenOnAllAddresses: true)
            try cluster.startLoader()
            try cluster.startWorker("island", extra: ["--task-delay-ms", "8000"], host: island)
            let c = try cluster.client()
            defer { c.close() }
            let id = try c.submit(SubmitJob(job: "all", from: nil, to: nil, force: false, rawRoot: raw))
            try cluster.waitFor("the island to hold a task", timeout: 60) { try c.status(id).tasksRunning >= 1 }
            try island.cut()
            try cluster.startWorker("mainland", cores: 2)
            try cluster.waitFor("the island to be declared lost", timeout: 30) {
                try Self.islandAlive(cluster) == false
            }
            try island.restore()
            let status = try cluster.waitForJob(id, client: c, timeout: 120)
            #expect(status.state == .succeeded, "\(status)")
            #expect(try ClusterTests.tables(db) == expected)
            try cluster.waitFor("the island to re-join", timeout: 60) { try Self.islandAlive(cluster) == true }
            // Its late result never counts: nothing is committed under its name. Stopped, the island
            // finishes its task (8 s, within the shutdown grace) and hands in the result before it exits.
            #expect(try ClusterTests.committedTasks(db, worker: "island") == 0)
            _ = try cluster.signalAndWait("island", SIGTERM, timeout: 60)
            #expect(try ClusterTests.committedTasks(db, worker: "island") == 0)
            // The coordinator discarded it, or (told by a heartbeat) the island dropped it.
            #expect(
                cluster.log("coordinator").contains("discarded a result")
                    || cluster.log("island").contains("task result dropped"),
                "\(cluster.log("coordinator").suffix(2000))\n---\n\(cluster.log("island").suffix(2000))")
            #expect(cluster.log("coordinator").contains("worker lost: no heartbeat within the timeout"))
        }
    }

    /// Whether the coordinator's JSON API lists worker "island" as alive (nil: not listed).
    static func islandAlive(_ cluster: ClusterHarness) throws -> Bool? {
        let api = try loopbackGet(port: try #require(cluster.uiPort), "/api/v1/cluster")
        let object = try JSONSerialization.jsonObject(with: Data(api.body.utf8)) as? [String: Any]
        let workers = object?["workers"] as? [[String: Any]] ?? []
        return workers.first { $0["id"] as? String == "island" }?["alive"] as? Bool
    }

    /// Ctrl-C on `ghwh run`: the job stops and is recorded as failed (not
    /// left `running`), the exit status is non-zero, and a rerun completes
    /// the warehouse to what an undisturbed run makes.
    @Test func ctrlCOnGhwhRunLeavesAWarehouseThatARerunCompletes() async throws {
        try await offPool {
            let (raw, reference, db) = try Fixtures.treeWithReference(repos: 4, issues: 60, prs: 40, days: 4, seed: 59)
            // One worker and small chunks: the job lasts long enough to be interrupted.
            let options = ["--workers", "1", "--chunk-size-mb", "1"]
            let first = try Fixtures.ghwhRun(db, raw: raw, extra: options)
            let deadline = Date().addingTimeInterval(60)
            while first.isRunning, Date() < deadline,
                (Int(try Fixtures.scalar(db, "SELECT count(*) FROM ghwh_meta.task_commits") ?? "0") ?? 0) < 1
            {
                Thread.sleep(forTimeInterval: 0.01)  // polling for the first commit, bounded by the deadline
            }
            #expect(first.isRunning, "the job ended before it could be interrupted")
            kill(first.pid, SIGINT)
            #expect(Fixtures.finish(first).status != 0)
            #expect(try Fixtures.scalar(db, "SELECT status FROM ghwh_meta.jobs") == "failed")
            let second = Fixtures.finish(try Fixtures.ghwhRun(db, raw: raw, extra: options))
            #expect(second.status == 0, "\(second.output.suffix(2000))")
            #expect(try ClusterTests.tables(db) == ClusterTests.tables(reference))
        }
    }

    /// The loader's own sessions (every `WarehouseSession`) commit synchronously, so an
    /// acknowledged commit survives a server crash even where the server default is off.
    @Test func theLoaderCommitsDurablyOnAServerWithSynchronousCommitOff() async throws {
        try await offPool {
            let db = try Fixtures.database()
            #expect(try Fixtures.scalar(db, "SHOW synchronous_commit") == "off", "the test server's own default")
            let session = WarehouseSession(conninfo: db, logger: Fixtures.logger, writer: nil)
            defer { session.close() }
            var setting: String?
            try session.withRetry { store in
                setting = try store.db.query("SHOW synchronous_commit").rows.first?[0] ?? nil
            }
            #expect(setting == "on")
        }
    }
}
