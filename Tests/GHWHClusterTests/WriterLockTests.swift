import Foundation
import GHWHCluster
import GHWHWarehouse
import Testing

/// The warehouse has one writer at a time (`ghwh run` or the cluster's
/// loader): a second one waits, naming the first and since when, or gives up
/// with that message; never a constraint error.
@Suite(.serialized) struct WriterLockTests {
    /// Holds the writer lock from the test, as another writer would (a writer
    /// that just ended may still be leaving: waits for it, bounded).
    /// The database's clock now, for `waitForARefusedWriter(since:)`.
    static func databaseNow(_ db: String) throws -> String {
        try #require(try Fixtures.scalar(db, "SELECT clock_timestamp()::text"))
    }

    static func holdLock(_ db: String, holder: String) throws -> PGConnection {
        let c = try PGConnection(conninfo: db)
        try WriterLock.take(on: c, holder: holder, wait: 30) { _ in }
        return c
    }

    /// Waits until another writer has found the lock taken: a connection to this database whose
    /// last statement (pg_stat_activity) is the look-up of the holder that follows a refused
    /// pg_try_advisory_lock in `WriterLock.take`. A state of the database, not a line of output.
    /// Only connections opened after `since` (the database's clock) count: a writer refused
    /// earlier may have exited while its backend is still leaving.
    static func waitForARefusedWriter(_ db: String, since: String, timeout: Double = 60) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let n = try Fixtures.scalar(
                db,
                """
                SELECT count(*) FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE 'SELECT holder, to_char(since%'
                  AND backend_start > '\(since)'::timestamptz
                """)
            if n != nil && n != "0" { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw TestFailure("no writer found the warehouse's lock taken within \(timeout) s")
    }

    @Test func twoRunsStartedTogetherBothSucceedOneAfterTheOther() async throws {
        try await offPool {
            let (raw, reference, db) = try Fixtures.treeWithReference(repos: 3, issues: 30, prs: 20, days: 3, seed: 61)
            let first = try Fixtures.ghwhRun(db, raw: raw)
            let second = try Fixtures.ghwhRun(db, raw: raw)
            let a = Fixtures.finish(first)
            let b = Fixtures.finish(second)
            #expect(a.status == 0 && b.status == 0, "\(a.output.suffix(1500))\n---\n\(b.output.suffix(1500))")
            #expect(!(a.output + b.output).contains("duplicate key"))
            #expect(try ClusterTests.tables(db) == ClusterTests.tables(reference))
        }
    }

    @Test func aRunWithNoWaitNamesTheWriterItFound() async throws {
        try await offPool {
            let (raw, _) = try Fixtures.generate(repos: 2, issues: 6, prs: 4, days: 1, seed: 62)
            let db = try Fixtures.database()
            #expect(try Fixtures.run(db, raw: raw).succeeded)  // migrated, with the lock table
            let held = try Self.holdLock(db, holder: "ghwh run job-elsewhere (pid 1 on cron-host)")
            let refused = Fixtures.finish(try Fixtures.ghwhRun(db, raw: raw, extra: ["--no-wait", "--force"]))
            #expect(refused.status != 0)
            #expect(
                refused.output.contains(
                    "the warehouse has another writer: ghwh run job-elsewhere (pid 1 on cron-host), since 20"),
                "\(refused.output.suffix(2000))")
            #expect(!refused.output.contains("duplicate key"))
            // With a wait, it waits for the writer and then runs.
            let since = try Self.databaseNow(db)
            let waiting = try Fixtures.ghwhRun(db, raw: raw, extra: ["--wait-timeout", "60", "--force"])
            try Self.waitForARefusedWriter(db, since: since)
            held.close()
            let done = Fixtures.finish(waiting)
            #expect(done.status == 0, "\(done.output.suffix(2000))")
            #expect(
                done.output.contains("waiting for the warehouse's other writer") && done.output.contains("cron-host"),
                "\(done.output.suffix(2000))")
        }
    }

    @Test func aRunWhileAClusterLoaderIsLiveAndALoaderStartedWhileARunHoldsTheWarehouse() async throws {
        try await offPool {
            let (raw, reference, db) = try Fixtures.treeWithReference(repos: 2, issues: 8, prs: 5, days: 2, seed: 63)
            let cluster = try ClusterHarness(conninfo: db, raw: raw)
            defer { cluster.stopAll() }
            try cluster.startCoordinator()
            try cluster.startLoader("loader-1")
            try cluster.waitFor("the loader to hold the warehouse", timeout: 60) {
                (try? Fixtures.scalar(db, "SELECT holder FROM ghwh_meta.writer_lock"))??.hasPrefix("ghwh loader")
                    == true
            }
            let refused = Fixtures.finish(try Fixtures.ghwhRun(db, raw: raw, extra: ["--no-wait"]))
            #expect(
                refused.status != 0 && refused.output.contains("the warehouse has another writer: ghwh loader"),
                "\(refused.output.suffix(2000))")

            // A loader that starts while a run holds the warehouse waits for it, then loads.
            #expect(try cluster.signalAndWait("loader-1", SIGTERM) == 0)
            let held = try Self.holdLock(db, holder: "ghwh run job-nightly (pid 2 on cron-host)")
            let since = try Self.databaseNow(db)
            try cluster.startLoader("loader-2")
            try Self.waitForARefusedWriter(db, since: since)
            held.close()
            try cluster.startWorker("w1", cores: 2)
            let status = try cluster.runJob()
            #expect(status.state == .succeeded, "\(status)")
            #expect(
                cluster.log("loader-2").contains("waiting for the warehouse's other writer")
                    && cluster.log("loader-2").contains("job-nightly"),
                "\(cluster.log("loader-2").suffix(2000))")
            #expect(try ClusterTests.tables(db) == ClusterTests.tables(reference))
        }
    }
}
