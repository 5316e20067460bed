import Foundation
import GHWHCluster
import GHWHProcess
import GHWHTestSupport
import GHWHWire
import Testing

/// The cluster with real processes on loopback: a coordinator, workers and a
/// loader started from the `ghwh` binary, talking over authenticated nng.
/// Every scenario must end in the tables `ghwh run` (local mode) produces.
@Suite(.serialized) struct ClusterTests {
    /// The daily history and the backlog trend too: the cluster must give the tables `ghwh run` gives.
    static let allTables = Fixtures.silverTables + GoldTests.goldTables + HistoryTests.historyTables

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
        Int(try Fixtures.scalar(db, "SELECT count(*) FROM ghwh_meta.task_commits WHERE worker = '\(worker)'") ?? "0")
            ?? 0
    }

    /// Starts a coordinator process on a fresh database and an empty raw tree, any port; stderr
    /// discarded, stdout too unless told.
    static func bareCoordinator(
        ui: String, readyFile: String? = nil, standardOutput: ChildProcess.Output = .discard,
        blockedSignals: [Int32] = []
    ) throws -> ChildProcess {
        try ChildProcess.spawn(
            ClusterHarness.binary,
            [
                "coordinator", "--listen", "tcp://127.0.0.1:0", "--ui-listen", ui,
                "--raw", try Fixtures.tempDir(), "--database-url", try Fixtures.database(),
            ]
                + (readyFile.map { ["--ready-file", $0] } ?? []),
            environment: ChildProcess.environment(overriding: ["GHWH_CLUSTER_SECRET": ClusterHarness.secret]),
            standardOutput: standardOutput, standardError: .discard, blockedSignals: blockedSignals)
    }

    /// Startup lines reach a pipe while the process runs (docker logs reads one):
    /// stdout is line-buffered, not held until exit (issue 12, defect 4).
    @Test func coordinatorStartupLinesReachAPipeWhileItRuns() throws {
        let ready = try Fixtures.tempDir("ready") + "/coordinator.json"
        let p = try Self.bareCoordinator(ui: "127.0.0.1:0", readyFile: ready, standardOutput: .pipe)
        defer {
            p.terminate()
            p.waitForExit()
        }
        // The ready file is written after both lines are printed: once it exists, a
        // line-buffered stdout has put them in the pipe (a buffered one holds them to exit).
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: ready) && p.isRunning && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(p.isRunning)
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: ready))) as? [String: Any])
        let clusterPort = try #require(object["clusterPort"] as? Int)
        let uiPort = try #require(object["uiPort"] as? Int)
        #expect(
            object["cluster"] as? String == "tcp://127.0.0.1:\(clusterPort)"
                && object["ui"] as? String == "127.0.0.1:\(uiPort)")
        // What the pipe holds now, without blocking.
        let fd = try #require(p.standardOutput).fileDescriptor
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        var bytes = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while case let n = read(fd, &buffer, buffer.count), n > 0 { bytes += buffer[0..<n] }
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(
            text.contains("coordinator listening on tcp://127.0.0.1:0 (port \(clusterPort))"), "stdout so far: \(text)")
        #expect(text.contains("web UI on http://127.0.0.1:\(uiPort)/"), "stdout so far: \(text)")
    }

    /// A SIGTERM sent while the process still blocks it (a child inherits its spawning
    /// thread's blocked signals) stops the coordinator once it is up: it was discarded,
    /// and the coordinator ran on (found when a test's stop hung the suite).
    @Test func aStopSentDuringStartupIsNotLost() throws {
        // Spawned with SIGTERM blocked, as a thread of a test runner or an init system may have it.
        let p = try Self.bareCoordinator(ui: "off", blockedSignals: [SIGTERM])
        p.terminate()
        defer {
            p.kill()
            p.waitForExit()
        }
        let status = p.waitForExit(timeout: 60)
        #expect(status != nil, "the coordinator ignored a SIGTERM sent during its startup")
        if let status { #expect(status == .exited(0)) }
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
        // The summary recorded at the job's end has every task's counts (the last
        // acknowledgement's were once counted after the job had already ended).
        let stored = try #require(
            try Fixtures.scalar(db, "SELECT summary::text FROM ghwh_meta.jobs WHERE job_id = '\(status.jobId)'"))
        let summary = try JSONDecoder().decode(JobSummary.self, from: Data(stored.utf8))
        #expect(
            try Fixtures.scalar(db, "SELECT count(*) FROM ghwh_meta.task_commits WHERE job_id = '\(status.jobId)'")
                == "\(summary.tasksCommitted)")
        #expect(
            status.summary?.contains("in \(summary.gold.tasks) tasks") == true,
            "\(status.summary ?? "") vs stored \(summary.gold.tasks)")
        // The loader says what it loaded, per job, at its default level (issue 12, defect 4).
        let loaded = cluster.log("loader").split(separator: "\n").filter {
            $0.contains("job loaded") && $0.contains("job_id=\(status.jobId)")
        }
        #expect(loaded.count == 1, "\(cluster.log("loader").suffix(2000))")
        #expect(
            loaded.first.map {
                $0.contains(" info ") && $0.contains("tasks=") && $0.contains("issues_inserted=")
                    && $0.contains("commit_s=")
            } == true)

        // ghwh-submit as a process: waits, prints the summary, exits 0.
        let submit = try cluster.startSubmit(["--job", "all", "--raw", raw], mergeStandardError: false)
        let text = String(decoding: submit.standardOutput?.readDataToEndOfFile() ?? Data(), as: UTF8.self)
        #expect(submit.waitForExit() == .exited(0))
        #expect(text.contains("succeeded") && text.contains("skipped unchanged files"))
    }

    @Test func workerKilledMidJobIsReplacedAndNothingIsLostOrDuplicated() throws {
        let (raw, expected) = try Self.treeAndExpected(seed: 32)
        let db = try Fixtures.database()
        let cluster = try ClusterHarness(conninfo: db, raw: raw)
        defer { cluster.stopAll() }
        // A task per document: two tasks are two commits.
        try cluster.startCoordinator(extra: ["--task-group-documents", "1"])
        try cluster.startLoader()
        // This worker dies (like kill -9) holding its third task.
        try cluster.startWorker("doomed", extra: ["--exit-after-tasks", "2"])
        let c = try cluster.client()
        defer { c.close() }
        let id = try c.submit(SubmitJob(job: "all", from: nil, to: nil, force: false, rawRoot: raw))
        try cluster.waitFor("the doomed worker to die", timeout: 60) { cluster.process("doomed")?.isRunning == false }
        #expect(cluster.process("doomed")?.exitStatus == .exited(137))
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
        #expect(cluster.process("loader-1")?.exitStatus == .exited(137))
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

    /// A tree of one gzipped issues document of about 3 MB of JSON (12,000
    /// issues, well under 1 MB stored) whose rows outgrow a 1 MB chunk, and a
    /// database local mode loaded it into.
    static func oneDocumentToCut() throws -> (raw: String, local: String) {
        let raw = try Fixtures.tempDir()
        let json = WholeDocumentChunkTests.issues(12_000, withReject: false)
        try Fixtures.write(
            try BadInputTests.gzip(Array(json.utf8)), to: raw + "/github/issues/2024-01-01/big.json.gz")
        let local = try Fixtures.database()
        #expect(try Fixtures.run(local, raw: raw, job: .staGithubIssues).succeeded)
        return (raw, local)
    }

    /// A compressed document stored in a chunk but inflating to several goes to
    /// a worker process whole; it sends its chunks to the coordinator as it cuts
    /// them, and the tables are those local mode makes of it in one piece.
    @Test func aWholeDocumentCutByItsWorkerGivesTheTablesOfLocalMode() throws {
        let (raw, local) = try Self.oneDocumentToCut()
        let db = try Fixtures.database()
        let cluster = try ClusterHarness(conninfo: db, raw: raw)
        defer { cluster.stopAll() }
        try cluster.startCoordinator(extra: ["--chunk-size-mb", "1"])
        try cluster.startLoader()
        try cluster.startWorker("w1")
        let status = try cluster.runJob(.staGithubIssues)
        #expect(status.state == .succeeded, "\(status)")
        #expect(try Fixtures.silver(db) == Fixtures.silver(local))
        // One task, committed as the chunks its worker cut (the planner did not split it).
        let chunks = try Fixtures.scalar(db, "SELECT count(*) FROM ghwh_meta.task_commits WHERE worker = 'w1'")
        #expect(Int(chunks ?? "0") ?? 0 >= 3, "chunks committed: \(chunks ?? "none")")
        #expect(status.tasksPlanned == 1, "one task: \(status)")
    }

    /// A document whose result cannot travel (above the cluster's message limit:
    /// here 40,000 bare numbers, 80 KB of JSON that make several MB of rejects,
    /// and a document of 1 KB rejects cut into 1 MB chunks) fails alone with a
    /// reason naming the limit; the rest loads. It used to be
    /// retried as if the coordinator were unreachable, then re-queued and re-run
    /// until the job failed with "missing from two heartbeats".
    @Test func aResultAboveTheMessageLimitFailsItsDocumentWithAClearReason() throws {
        let raw = try Fixtures.tempDir()
        let day = raw + "/github/issues/2024-01-01/"
        try Fixtures.write(
            "[" + Array(repeating: "1", count: 40_000).joined(separator: ",") + "]", to: day + "numbers.json")
        try Fixtures.write(WholeDocumentChunkTests.issues(50, withReject: false), to: day + "good.json")
        // 1.5 MB of 1 KB rejects, gzipped: a task of its own whose first 1 MB chunk (a part) is too large.
        let padded = (0..<1_500).map {
            #"{"number": "n\#($0)", "pad": ""# + String(repeating: "x", count: 990) + #""}"#
        }
        try Fixtures.write(
            try BadInputTests.gzip(Array(("[" + padded.joined(separator: ",") + "]").utf8)), to: day + "padded.json.gz")
        let db = try Fixtures.database()
        let cluster = try ClusterHarness(conninfo: db, raw: raw)
        defer { cluster.stopAll() }
        let limit = ["--max-message-mb", "1"]
        try cluster.startCoordinator(extra: limit + ["--chunk-size-mb", "1"])
        try cluster.startLoader(extra: limit)
        try cluster.startWorker("w1", extra: limit)
        let status = try cluster.runJob(.staGithubIssues, timeout: 60)
        #expect(status.state != .failed, "the job is not failed by one document: \(status)")
        #expect(try Fixtures.dump(db, "sta_github.issues").count == 50)
        // One in a task group with good.json, one whose part was refused.
        for name in ["numbers.json", "padded.json.gz"] {
            let row = try Fixtures.scalar(
                db, "SELECT status || ': ' || error FROM ghwh_meta.documents WHERE source LIKE '%\(name)'")
            #expect(row?.hasPrefix("failed: ") == true, "\(name): \(row ?? "no document row")")
            #expect(row?.contains("1048576-byte message limit") == true, "\(name): \(row ?? "no document row")")
        }
        #expect(try Fixtures.scalar(db, "SELECT count(*) FROM ghwh_meta.rejects") == "0", "nothing of it loads")
    }

    @Test func workerStartedMidJobReceivesWork() throws {
        let (raw, expected) = try Self.treeAndExpected(seed: 35)
        let db = try Fixtures.database()
        let cluster = try ClusterHarness(conninfo: db, raw: raw)
        defer { cluster.stopAll() }
        // A task per document: work is left for a late worker.
        try cluster.startCoordinator(extra: ["--task-group-documents", "1"])
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
        #expect(throws: (any Error).self) {
            _ = try intruder.submit(SubmitJob(job: "all", from: nil, to: nil, force: true, rawRoot: raw))
        }
        intruder.close()
        // Garbage bytes on a raw socket.
        let raw1 = try NNGSocket(.req, recvMaxBytes: 1 << 20, sendTimeout: 2, recvTimeout: 2)
        try raw1.dial(cluster.url, blocking: true)
        try raw1.send(Array("GET / HTTP/1.0\r\n\r\n".utf8))
        _ = try? raw1.receive()
        raw1.close()
        // An oversized message (2 MB against the coordinator's 1 MB limit): dropped unread.
        // Spoken as raw SP-over-TCP bytes: nng 1.5.2's own REQ socket can hang in nng_close
        // after its peer drops the pipe, which is the peer behaving correctly.
        #expect(
            try Self.sendOversizedSPMessage(port: cluster.port, bytes: 2 << 20) == 0,
            "the coordinator closes the connection")
        // A sender's own limit refuses to send it at all, naming the limit.
        let small = try RequestClient(
            url: cluster.url, secret: try ClusterSecret(ClusterHarness.secret),
            limits: FrameLimits(maxMessageBytes: 1 << 20), senderId: "small")
        do {
            _ = try small.call(type: MessageType.getJobStatus.rawValue, payload: Array(repeating: 7, count: 2 << 20))
            Issue.record("an oversized message was sent")
        } catch {
            #expect("\(error)".contains("1048576") || "\(error)".lowercased().contains("large"))
        }
        small.close()

        let status = try cluster.runJob()
        #expect(status.state == .succeeded, "\(status)")
        #expect(try Self.tables(db) == expected)
        let log = cluster.log("coordinator")
        #expect(log.contains("refused a message"))
        #expect(cluster.process("coordinator")?.isRunning == true)
        #expect(
            try Fixtures.scalar(db, "SELECT count(*) FROM ghwh_meta.jobs WHERE force") == "0",
            "the intruder's job never ran")
    }

    @Test func poisonChunkFailsTheJobAfterFourAttemptsNamingItsFile() throws {
        let (raw, _) = try Fixtures.generate(repos: 2, issues: 6, prs: 4, days: 2, seed: 38)
        let db = try Fixtures.database()
        let cluster = try ClusterHarness(conninfo: db, raw: raw)
        defer { cluster.stopAll() }
        // A task per document: the error names its chunk.
        try cluster.startCoordinator(extra: ["--task-group-documents", "1"])
        try cluster.startWorker("w1", extra: ["--fail-tasks-matching", "2024-01-02/issues-2024-01-02-000"])
        try cluster.startLoader()
        let status = try cluster.runJob(.staGithubIssues)
        #expect(status.state == .failed)
        let error = status.error ?? ""
        #expect(
            error.contains("failed 4 times") && error.contains("github/issues/2024-01-02/issues-2024-01-02-000"),
            "\(error)")
        #expect(error.contains("from byte"))
        #expect(cluster.log("coordinator").components(separatedBy: "task failed").count - 1 == 4)
    }

    @Test(.timeLimit(.minutes(3))) func submitStatusAndKill() throws {
        let (raw, _) = try Fixtures.generate(repos: 2, issues: 10, prs: 6, days: 3, seed: 39)
        let db = try Fixtures.database()
        let cluster = try ClusterHarness(conninfo: db, raw: raw)
        defer { cluster.stopAll() }
        try cluster.startCoordinator()
        try cluster.startWorker("slow", extra: ["--task-delay-ms", "500"])
        try cluster.startLoader()
        let c = try cluster.client()
        defer { c.close() }
        // `ghwh-submit --await-workers`: one worker registers; a second never comes.
        #expect(try c.awaitWorkers(1, timeout: 60))
        #expect(try c.awaitWorkers(2, timeout: 0.3) == false)
        let id = try c.submit(SubmitJob(job: "all", from: nil, to: nil, force: false, rawRoot: raw))
        try cluster.waitFor("the job to run", timeout: 60) { try c.status(id).state == .running }
        #expect(try c.kill(id).accepted)
        // The long poll `ghwh-submit` waits with returns the job's end.
        var polls = 0
        let final = try c.wait(id, interval: 5) { _ in polls += 1 }
        #expect(final.state == .killed)
        #expect(polls >= 1)
        #expect(try c.status("job-that-does-not-exist").state == .unknown)
        #expect(try c.kill(id).accepted == false, "already ended")
    }

    /// Connects with the SP handshake of a req0 peer, sends one message of `bytes`
    /// (4-byte request id + body), and returns how many reply bytes came back before
    /// the server closed the connection.
    static func sendOversizedSPMessage(port: Int, bytes: Int) throws -> Int {
        let fd = try connectLoopback(port: port, timeoutSeconds: 5)
        defer { close(fd) }
        let header: [UInt8] = [0x00, 0x53, 0x50, 0x00, 0x00, 0x30, 0x00, 0x00]  // "\0SP\0", protocol req0 (48)
        _ = header.withUnsafeBytes { send(fd, $0.baseAddress, 8, 0) }
        var peer = [UInt8](repeating: 0, count: 8)
        guard recv(fd, &peer, 8, Int32(MSG_WAITALL)) == 8, peer[1] == 0x53 else { throw TestFailure("no SP handshake") }
        var frame = withUnsafeBytes(of: UInt64(bytes + 4).bigEndian) { Array($0) }
        frame += [0x80, 0, 0, 1] + [UInt8](repeating: 7, count: bytes)
        _ = frame.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var buffer = [UInt8](repeating: 0, count: 64)
        let n = recv(fd, &buffer, 64, 0)
        return max(0, n)
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
