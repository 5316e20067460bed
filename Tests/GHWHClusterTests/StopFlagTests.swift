import Dispatch
import Foundation
import Synchronization
import Testing

@testable import GHWHCluster

/// Threads that do something every period end when their stop flag is set, not at the end of
/// their current period: `ghwh run` joined its progress thread, which slept a whole second,
/// so every run ended up to a second after its job did.
@Suite struct StopFlagTests {
    @Test func waitReturnsOnceTheFlagIsSet() {
        let flag = StopFlag()
        #expect(!flag.wait(upTo: 0))
        let waited = DispatchSemaphore(value: 0)
        let result = Mutex<Bool?>(nil)
        Thread.detachNewThread {
            let set = flag.wait(upTo: 3600)
            result.withLock { $0 = set }
            waited.signal()
        }
        flag.set()
        #expect(waited.wait(timeout: .now() + 30) == .success, "wait(upTo: 3600) did not return on set()")
        #expect(result.withLock { $0 } == true)
        #expect(flag.isSet)
    }

    /// A job with an hour-long progress period still returns when it ends.
    @Test func aRunEndsWithItsJobNotWithTheProgressPeriod() throws {
        let (raw, generated) = try Fixtures.generate(repos: 2, issues: 10, prs: 5, days: 1, seed: 11)
        let db = try Fixtures.database()
        let cluster = LocalCluster(
            conninfo: db, options: .init(workers: 2, progressInterval: 3600), logger: Fixtures.logger)
        let done = DispatchSemaphore(value: 0)
        let outcome = Mutex<JobSummary?>(nil)
        Thread.detachNewThread {
            let summary = try? cluster.run(JobSpec(job: .all, rawRoot: raw)) { _ in }
            outcome.withLock { $0 = summary }
            done.signal()
        }
        try #require(
            done.wait(timeout: .now() + 60) == .success, "the run waited out its progress thread's hour-long period")
        let summary = try #require(outcome.withLock { $0 })
        #expect(summary.succeeded, "\(summary.render())")
        #expect(summary.datasets.values.reduce(0) { $0 + $1.records } == generated.records)
    }
}
