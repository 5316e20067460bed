import Foundation
import GHWHCluster
import GHWHWire
import Testing

/// The cluster with real processes on loopback: a coordinator, workers and a
/// loader started from the `ghwh` binary, talking over authenticated nng.
/// Every scenario must end in the tables `ghwh run` (local mode) produces.
@Suite(.serialized) struct ClusterTests {
    static let allTables = Fixtures.silverTables + GoldTests.goldTables

    static func tables(_ db: String) throws -> [String: [String]] {
        var out: [String: [String]] = [:]
        for t in allTables { out[t] = try Fixtures.dump(db, t) }
        return out
    }

    /// A tree and the tables local mode makes of it.
    static func treeAndExpected(seed: UInt64 = 31) throws -> (raw: String, expected: [String: [String]]) {
        let (raw, _) = try Fixtures.generate(repos: 3, issues: 14, prs: 10, days: 3, seed: seed)
        let local = try Fixtures.database()
        #expect(try Fixtures.run(local, raw: raw).succeeded)
        return (raw, try tables(local))
    }

    static func committedTasks(_ db: String, worker: String) throws -> Int {
        Int(try Fixtures.scalar(db, "SELECT count(*) FROM ghwh_meta.task_commits WHERE worker = '\(worker)'") ?? "0") ?? 0
    }

    @Test func threeWorkersGiveTheSameTablesAsLocalMode() throws {
        let (raw, expected) = try Self.treeAndExpected()
        let db = try Fixtures.database()
        let cluster = try ClusterHarness(conninfo: db, raw: raw)
        defer { cluster.stopAll() }
        try cluster.startCoordinator()
        for i in 1...3 { try cluster.startWorker("w\(i)") }
        try cluster.startLoader()
        let status = try cluster.runJob()
        #expect(status.state == .succeeded, "\(status)")
        #expect(status.summaryFailed == false)
        #expect(try Self.tables(db) == expected)
        #expect(try (1...3).map { try Self.committedTasks(db, worker: "w\($0)") }.reduce(0, +) > 10)

        // ghwh-submit as a process: waits, prints the summary, exits 0.
        let submit = Process()
        submit.executableURL = URL(fileURLWithPath: ClusterHarness.binary.replacingOccurrences(of: "/ghwh", with: "/ghwh-submit"))
        submit.arguments = ["--coordinator", cluster.url, "--job", "all", "--raw", raw]
        submit.environment = ["GHWH_CLUSTER_SECRET": ClusterHarness.secret, "PATH": "/usr/bin:/bin"]
        let out = Pipe()
        submit.standardOutput = out
        submit.standardError = FileHandle.nullDevice
        try submit.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        submit.waitUntilExit()
        #expect(submit.terminationStatus == 0)
        #expect(text.contains("succeeded") && text.contains("skipped unchanged files"))
    }

    @Test func workerKilledMidJobIsReplacedAndNothingIsLostOrDuplicated() throws {
        let (raw, expected) = try Self.treeAndExpected(seed: 32)
        let db = try Fixtures.database()
        let cluster = try ClusterHarness(conninfo: db, raw: raw)
        defer { cluster.stopAll() }
        try cluster.startCoordinator()
        try cluster.startLoader()
        // This worker dies (like kill -9) holding its third task.
        try cluster.startWorker("doomed", extra: ["--exit-after-tasks", "2"])
        let c = try cluster.client()
        defer { c.close() }
        let id = try c.submit(SubmitJob(job: "all", from: nil, to: nil, force: false, rawRoot: raw))
        try cluster.waitFor("the doomed worker to die", timeout: 60) { cluster.process("doomed")?.isRunning == false }
        #expect(cluster.process("doomed")?.terminationStatus == 137)
        try cluster.startWorker("survivor", cores: 2)
        let status = try cluster.waitForJob(id, client: c, timeout: 120)
        #expect(status.state == .succeeded, "\(status)")
        #expect(cluster.log("coordinator").contains("worker lost"))
        #expect(try Self.tables(db) == expected)
        #expect(try Fixtures.scalar(db, "SELECT count(*) FROM ghwh_meta.task_commits WHERE worker = 'doomed'") == "2")
    }

    @Test func loaderKilledMidJobRestartsAndTheJobCompletes() throws {
        let (raw, expected) = try Self.treeAndExpected(seed: 33)
        let db = try Fixtures.database()
        let cluster = try ClusterHarness(conninfo: db, raw: raw)
        defer { cluster.stopAll() }
        try cluster.startCoordinator()
        try cluster.startWorker("w1", cores: 2)
        try cluster.startLoader("loader-1", extra: ["--exit-after-commits", "4"])
        let c = try cluster.client()
        defer { c.close() }
        let id = try c.submit(SubmitJob(job: "all", from: nil, to: nil, force: false, rawRoot: raw))
        try cluster.waitFor("the first loader to die", timeout: 60) { cluster.process("loader-1")?.isRunning == false }
        #expect(cluster.process("loader-1")?.terminationStatus == 137)
        try cluster.startLoader("loader-2")
        let status = try cluster.waitForJob(id, client: c, timeout: 120)
        #expect(status.state == .succeeded, "\(status)")
        #expect(try Self.tables(db) == expected)
        // Re-submitting changes nothing.
        let again = try cluster.runJob()
        #expect(again.state == .succeeded)
        #expect(try Self.tables(db) == expected)
    }

    @Test func coordinatorRestartedMidJobResumesFromCommittedTasks() throws {
        let (raw, expected) = try Self.treeAndExpected(seed: 34)
        let db = try Fixtures.database()
        let cluster = try ClusterHarness(conninfo: db, raw: raw)
        defer { cluster.stopAll() }
        try cluster.startCoordinator(name: "coordinator-1")
        try cluster.startWorker("w1")
        try cluster.startLoader()
        let c = try cluster.client()
        let id = try c.submit(SubmitJob(job: "all", from: nil, to: nil, force: false, rawRoot: raw))
        try cluster.waitFor("some tasks to commit", timeout: 60) { try c.status(id).tasksDone >= 3 }
        cluster.kill9("coordinator-1")
        c.close()
        let committedBefore = Int(try Fixtures.scalar(db, "SELECT count(*) FROM ghwh_meta.task_commits") ?? "0") ?? 0
        #expect(committedBefore >= 3)
        try cluster.startCoordinator(name: "coordinator")
        let status = try cluster.runJob()
        #expect(status.state == .succeeded, "\(status)")
        #expect(try Self.tables(db) == expected)
    }

    @Test func workerStartedMidJobReceivesWork() throws {
        let (raw, expected) = try Self.treeAndExpected(seed: 35)
        let db = try Fixtures.database()
        let cluster = try ClusterHarness(conninfo: db, raw: raw)
        defer { cluster.stopAll() }
        try cluster.startCoordinator()
        try cluster.startLoader()
        try cluster.startWorker("early", extra: ["--task-delay-ms", "300"])  // a slow machine: the job lasts seconds
        let c = try cluster.client()
        defer { c.close() }
        let id = try c.submit(SubmitJob(job: "all", from: nil, to: nil, force: false, rawRoot: raw))
        try cluster.waitFor("the job to start", timeout: 60) { try c.status(id).tasksDone >= 1 }
        try cluster.startWorker("late", cores: 2)
        let status = try cluster.waitForJob(id, client: c, timeout: 120)
        #expect(status.state == .succeeded)
        #expect(try Self.committedTasks(db, worker: "late") > 0, "the late worker got work")
        #expect(try Self.tables(db) == expected)
    }

    @Test func badMessagesAreRefusedAndTheClusterKeepsWorking() throws {
        let (raw, expected) = try Self.treeAndExpected(seed: 36)
        let db = try Fixtures.database()
        let cluster = try ClusterHarness(conninfo: db, raw: raw)
        defer { cluster.stopAll() }
        try cluster.startCoordinator(extra: ["--max-message-mb", "1"])
        try cluster.startWorker("w1", cores: 2)
        try cluster.startLoader()

        // Wrong secret: refused, never executed.
        let intruder = try cluster.client(secret: "not-the-cluster-secret-at-all")
        #expect(throws: (any Error).self) { _ = try intruder.submit(SubmitJob(job: "all", from: nil, to: nil, force: true, rawRoot: raw)) }
        intruder.close()
        // Garbage bytes on a raw socket.
        let raw1 = try NNGSocket(.req, recvMaxBytes: 1 << 20, sendTimeout: 2, recvTimeout: 2)
        try raw1.dial(cluster.url, blocking: true)
        try raw1.send(Array("GET / HTTP/1.0\r\n\r\n".utf8))
        _ = try? raw1.receive()
        raw1.close()
        // An oversized (but authenticated) message: dropped by the receive limit.
        let big = try RequestClient(url: cluster.url, secret: try ClusterSecret(ClusterHarness.secret),
                                    limits: FrameLimits(maxMessageBytes: 8 << 20), senderId: "big",
                                    options: RequestClientOptions(resendTime: 60, callTimeout: 2))
        #expect(throws: (any Error).self) { _ = try big.call(type: MessageType.getJobStatus.rawValue, payload: Array(repeating: 7, count: 2 << 20)) }
        big.close()

        let status = try cluster.runJob()
        #expect(status.state == .succeeded, "\(status)")
        #expect(try Self.tables(db) == expected)
        let log = cluster.log("coordinator")
        #expect(log.contains("refused a message"))
        #expect(cluster.process("coordinator")?.isRunning == true)
        #expect(try Fixtures.scalar(db, "SELECT count(*) FROM ghwh_meta.jobs WHERE force") == "0", "the intruder's job never ran")
    }

    @Test func backfillOverDaysLoadedOutOfOrderEqualsLoadingAllAtOnce() throws {
        let (raw, expected) = try Self.treeAndExpected(seed: 37)
        let db = try Fixtures.database()
        let cluster = try ClusterHarness(conninfo: db, raw: raw)
        defer { cluster.stopAll() }
        try cluster.startCoordinator()
        try cluster.startWorker("w1", cores: 2)
        try cluster.startLoader()
        #expect(try cluster.runJob(from: "2024-01-03", to: "2024-01-03").state == .succeeded)
        #expect(try cluster.runJob(from: "2024-01-01", to: "2024-01-02").state == .succeeded)
        #expect(try Self.tables(db) == expected)
    }
}
