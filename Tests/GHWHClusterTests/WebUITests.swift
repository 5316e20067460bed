import Foundation
import GHWHCluster
import GHWHTestSupport
import Testing

/// The coordinator's web UI against a real coordinator process with a job in flight.
@Suite(.serialized) struct CoordinatorWebUITests {
    /// A finished job keeps its task table; after a coordinator restart the
    /// job page reads it from the journal (Spark's history server).
    @Test func aFinishedJobsTaskTableOutlivesTheCoordinator() async throws {
        try await offPool {
            let (raw, _) = try Fixtures.generate(repos: 2, issues: 8, prs: 4, days: 2, seed: 41)
            let db = try Fixtures.database()
            let cluster = try ClusterHarness(conninfo: db, raw: raw)
            defer { cluster.stopAll() }
            try cluster.startCoordinator(name: "coordinator-1")
            var uiPort = try #require(cluster.uiPort)
            try cluster.startWorker("w1", cores: 2)
            try cluster.startLoader()
            let c = try cluster.client()
            let id = try c.submit(SubmitJob(job: "all", from: nil, to: nil, force: false, rawRoot: raw))
            let done = try cluster.waitForJob(id, client: c, timeout: 60)
            c.close()
            #expect(done.state == .succeeded)
            let before = try loopbackGet(port: uiPort, "/jobs/\(id)")
            #expect(
                before.body.contains("Duration")
                    && before.body.contains(#"<span class="badge committed">committed</span>"#))
            #expect(!before.body.contains("No task list kept"))
            #expect(try cluster.signalAndWait("coordinator-1", SIGTERM) == 0)

            try cluster.startCoordinator(name: "coordinator-2")
            uiPort = try #require(cluster.uiPort)
            let after = try loopbackGet(port: uiPort, "/jobs/\(id)")
            #expect(after.status == 200)
            #expect(
                after.body.contains(#"<span class="badge committed">committed</span>"#) && after.body.contains(">w1<"))
            let api = try loopbackGet(port: uiPort, "/api/v1/jobs/\(id)")
            let job = try #require(try JSONSerialization.jsonObject(with: Data(api.body.utf8)) as? [String: Any])
            let tasks = try #require(job["tasks"] as? [[String: Any]])
            #expect(
                tasks.count == done.tasksDone && tasks.allSatisfy { $0["state"] as? String == "committed" },
                "\(tasks.count) tasks listed, \(done.tasksDone) done: \(tasks.map { $0["state"] ?? "?" })")
            #expect(job["state"] as? String == "succeeded")
        }
    }

    @Test func pagesAPIAndMetricsWithAJobInFlight() throws {
        let (raw, _) = try Fixtures.generate(repos: 2, issues: 8, prs: 4, days: 2, seed: 40)
        let db = try Fixtures.database()
        let cluster = try ClusterHarness(conninfo: db, raw: raw)
        defer { cluster.stopAll() }
        try cluster.startCoordinator()
        let uiPort = try #require(cluster.uiPort)
        try cluster.startWorker("slow-worker", extra: ["--task-delay-ms", "150"])
        try cluster.startLoader()
        let c = try cluster.client()
        defer { c.close() }
        let id = try c.submit(SubmitJob(job: "all", from: nil, to: nil, force: false, rawRoot: raw))
        try cluster.waitFor("a task to commit", timeout: 60) { try c.status(id).tasksDone >= 1 }

        let health = try loopbackGet(port: uiPort, "/healthz")
        #expect(health.status == 200 && health.body.contains("ok"))
        let overview = try loopbackGet(port: uiPort, "/")
        #expect(overview.status == 200 && overview.contentType.hasPrefix("text/html"))
        #expect(
            overview.body.contains("slow-worker") && overview.body.contains(id) && overview.body.contains("running"))
        #expect(overview.body.contains("http-equiv=\"refresh\""))
        let job = try loopbackGet(port: uiPort, "/jobs/\(id)")
        #expect(job.status == 200 && job.body.contains(id))
        #expect(job.body.contains("committed") || job.body.contains("running") || job.body.contains("pending"))
        let workers = try loopbackGet(port: uiPort, "/workers")
        #expect(workers.status == 200 && workers.body.contains("slow-worker"))

        let api = try loopbackGet(port: uiPort, "/api/v1/cluster")
        #expect(api.status == 200 && api.contentType.hasPrefix("application/json"))
        let cluster1 = try #require(try JSONSerialization.jsonObject(with: Data(api.body.utf8)) as? [String: Any])
        let apiWorkers = try #require(cluster1["workers"] as? [[String: Any]])
        #expect(apiWorkers.contains { $0["id"] as? String == "slow-worker" && $0["alive"] as? Bool == true })
        let apiJob = try loopbackGet(port: uiPort, "/api/v1/jobs/\(id)")
        let jobObject = try #require(try JSONSerialization.jsonObject(with: Data(apiJob.body.utf8)) as? [String: Any])
        #expect(
            jobObject["state"] as? String == "running" && (jobObject["tasksDone"] as? Int ?? 0) >= 1,
            "\(apiJob.body.prefix(400))")
        #expect(!((jobObject["tasks"] as? [Any]) ?? []).isEmpty, "the running job lists its tasks")
        #expect(try loopbackGet(port: uiPort, "/api/v1/jobs/nope").status == 404)

        let metrics = try loopbackGet(port: uiPort, "/metrics")
        #expect(metrics.status == 200 && metrics.contentType.hasPrefix("text/plain"))
        let lines = metrics.body.split(separator: "\n")
        #expect(
            lines.contains {
                $0.hasPrefix("ghwh_workers{") && $0.contains("alive") && ($0.hasSuffix(" 1.0") || $0.hasSuffix(" 1"))
            })
        #expect(lines.contains { $0.hasPrefix("ghwh_task_duration_seconds_count") })
        #expect(lines.contains { $0.hasPrefix("ghwh_records_processed_total") })
        for line in lines where !line.hasPrefix("#") {
            #expect(
                line.range(
                    of: #"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? [-+0-9.eE]+|NaN|[+-]Inf$"#, options: .regularExpression)
                    != nil, "\(line)")
        }

        let final = try cluster.waitForJob(id, client: c, timeout: 120)
        #expect(final.state == .succeeded)
        let done = try loopbackGet(port: uiPort, "/api/v1/jobs/\(id)")
        #expect(done.body.contains("succeeded"))
        // The loader's commits are timed (the histogram was declared but never fed).
        let after = try loopbackGet(port: uiPort, "/metrics").body.split(separator: "\n")
        let commits = after.first { $0.hasPrefix("ghwh_loader_commit_seconds_count") }
        #expect(
            commits.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0 >= 1,
            "\(commits ?? "no ghwh_loader_commit_seconds_count")")
    }
}
