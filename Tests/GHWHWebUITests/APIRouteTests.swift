import Foundation
import GHWHWebUI
import Testing

@Suite("JSON API")
struct APIRouteTests {
    let decoder = SnapshotJSON.decoder()

    @Test("/api/v1/cluster decodes back to the snapshot")
    func cluster() async throws {
        let response = try await fetch("/api/v1/cluster")
        #expect(response.status == .ok)
        #expect(response.contentType == "application/json; charset=utf-8")
        let decoded = try decoder.decode(ClusterSnapshot.self, from: response.data)
        #expect(decoded == Fixture.snapshot)
    }

    @Test("dates are ISO-8601 UTC strings")
    func dateFormat() async throws {
        let body = try await fetch("/api/v1/cluster").body
        #expect(body.contains(#""startedAt":"2025-01-04T14:13:20.250Z""#))
        #expect(body.contains(#""generatedAt":"2025-01-04T15:13:20.250Z""#))
        // a plain JSONDecoder with .iso8601 must not be needed, but seconds-only input decodes too
        let plain =
            #"{"id":"w","host":"h","cores":1,"alive":true,"lastHeartbeat":"2025-01-04T14:13:20Z","tasksDone":0,"currentTasks":[]}"#
        let worker = try decoder.decode(ClusterSnapshot.Worker.self, from: Data(plain.utf8))
        #expect(worker.lastHeartbeat == Date(timeIntervalSince1970: 1_736_000_000))
    }

    @Test("a malformed date is a decoding error naming the text")
    func badDate() throws {
        let bad =
            #"{"id":"w","host":"h","cores":1,"alive":true,"lastHeartbeat":"yesterday","tasksDone":0,"currentTasks":[]}"#
        #expect {
            try decoder.decode(ClusterSnapshot.Worker.self, from: Data(bad.utf8))
        } throws: { error in
            String(describing: error).contains("yesterday")
        }
    }

    @Test("/api/v1/workers and /api/v1/jobs")
    func lists() async throws {
        let (workers, jobs) = try await {
            let r = try await fetch(["/api/v1/workers", "/api/v1/jobs"])
            return (r[0], r[1])
        }()
        #expect(workers.status == .ok && jobs.status == .ok)
        #expect(workers.contentType == "application/json; charset=utf-8")
        #expect(jobs.contentType == "application/json; charset=utf-8")
        #expect(try decoder.decode([ClusterSnapshot.Worker].self, from: workers.data) == Fixture.snapshot.workers)
        let decodedJobs = try decoder.decode([ClusterSnapshot.Job].self, from: jobs.data)
        #expect(decodedJobs == Fixture.snapshot.jobs)
        #expect(decodedJobs.map(\.id) == ["job-0003", "job-0002", "job-0001"])
    }

    @Test("/api/v1/jobs/{id} returns one job with its tasks")
    func oneJob() async throws {
        let response = try await fetch("/api/v1/jobs/job-0003")
        #expect(response.status == .ok)
        let job = try decoder.decode(ClusterSnapshot.Job.self, from: response.data)
        #expect(job == Fixture.snapshot.jobs[0])
        #expect(job.job == Fixture.runningJobName)
        #expect(Set(job.tasks.map(\.state)) == ["pending", "running", "committed", "loading"])
    }

    @Test("unknown job id is a 404 JSON error")
    func unknownJob() async throws {
        let response = try await fetch("/api/v1/jobs/job-9999")
        #expect(response.status == .notFound)
        #expect(response.contentType == "application/json; charset=utf-8")
        let error = try decoder.decode(APIError.self, from: response.data)
        #expect(error.status == 404)
        #expect(error.error.contains("job-9999"))
    }

    @Test("optional fields round-trip as absent and present")
    func optionals() throws {
        let encoded = try SnapshotJSON.encoder().encode(Fixture.snapshot)
        let back = try decoder.decode(ClusterSnapshot.self, from: encoded)
        #expect(back.jobs[2].from == nil && back.jobs[2].startedAt != nil)
        #expect(back.jobs[0].tasks[4].worker == nil)
        #expect(back.jobs[1].error == "1 document failed")
        #expect(back == Fixture.snapshot)
    }
}
