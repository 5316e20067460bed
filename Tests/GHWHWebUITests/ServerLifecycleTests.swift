import Foundation
import GHWHTestSupport
import GHWHWebUI
import Testing

@Suite("Server lifecycle", .serialized)
struct ServerLifecycleTests {
    @Test("start() on port 0 binds, serves over TCP, and stop() returns")
    func startAndStop() async throws {
        let ui = CoordinatorWebUI(
            host: "127.0.0.1", port: 0, snapshot: { Fixture.snapshot }, metrics: ClusterMetrics())
        #expect(ui.boundPort == nil)
        try await onThread { try ui.start() }
        let port = try #require(ui.boundPort)
        #expect(port > 0)

        let health = try await onThread { try loopbackGet(port: port, "/healthz") }
        #expect(health.raw.hasPrefix("HTTP/1.1 200"))
        #expect(health.raw.hasSuffix("\r\n\r\nok"))
        let job = try await onThread { try loopbackGet(port: port, "/api/v1/jobs/job-0002") }
        #expect(job.raw.hasPrefix("HTTP/1.1 200"))
        #expect(job.body.contains("truncated gzip stream"))

        #expect(throws: WebUIError.alreadyRunning(port: port)) { try ui.start() }

        // Timed on the thread that stops it: resuming this task afterwards may wait for a
        // cooperative-pool thread that other suites' blocking tests hold.
        let stopSeconds = try await onThread { () -> Double in
            let started = Date()
            ui.stop()
            return Date().timeIntervalSince(started)
        }
        #expect(ui.boundPort == nil)
        #expect(stopSeconds < CoordinatorWebUI.stopGracePeriod)
        #expect(throws: LoopbackHTTPError.self) { try loopbackGet(port: port, "/healthz") }
        ui.stop()  // second stop is a no-op
    }

    @Test("a port in use is a clear bindFailed error")
    func portInUse() async throws {
        let first = CoordinatorWebUI(
            host: "127.0.0.1", port: 0, snapshot: { Fixture.snapshot }, metrics: ClusterMetrics())
        try await onThread { try first.start() }
        let port = try #require(first.boundPort)
        let second = CoordinatorWebUI(
            host: "127.0.0.1", port: port, snapshot: { Fixture.snapshot }, metrics: ClusterMetrics())
        let error = try await onThread { () -> WebUIError? in
            do {
                try second.start()
                return nil
            } catch let e as WebUIError { return e }
        }
        guard case .bindFailed(let host, let failedPort, let reason)? = error else {
            Issue.record("expected bindFailed, got \(String(describing: error))")
            try await onThread { first.stop() }
            return
        }
        #expect(host == "127.0.0.1" && failedPort == port)
        #expect(reason.contains("address already in use"))
        #expect(second.boundPort == nil)
        try await onThread { first.stop() }
        #expect(first.boundPort == nil)
    }
}
