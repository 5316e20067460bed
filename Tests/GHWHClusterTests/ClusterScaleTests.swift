import Foundation
import GHWHCluster
import Testing

/// Many workers with many cores each: every core long-polls the coordinator,
/// which holds those polls without a thread each.
@Suite(.serialized) struct ClusterScaleTests {
    static func threads(of pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Threads:") }),
            let n = Int(line.dropFirst("Threads:".count).trimmingCharacters(in: .whitespaces))
        else {
            throw TestFailure("no thread count for pid \(pid)")
        }
        return n
    }

    @Test func aCoordinatorServes64WorkersOf4CoresWithABoundedNumberOfThreads() async throws {
        try await offPool {
            let (raw, expected) = try ClusterTests.treeAndExpected(seed: 58)
            let db = try Fixtures.database()
            let cluster = try ClusterHarness(conninfo: db, raw: raw)
            defer { cluster.stopAll() }
            // A task per document: grouped, this small tree is one or two tasks, which cannot spread.
            try cluster.startCoordinator(workerTimeout: 60, extra: ["--task-group-documents", "1"])
            try cluster.startLoader()
            let workers = 64
            let cores = 4
            for i in 0..<workers { try cluster.startWorker("many-\(i)", cores: cores) }
            let c = try cluster.client()
            defer { c.close() }
            #expect(try c.awaitWorkers(workers, timeout: 120), "all \(workers) workers registered")
            let pid = try #require(cluster.process("coordinator")).pid
            // 256 task polls are in flight all the time now (each answered empty after 1 s and asked again).
            var peak = 0
            for _ in 0..<20 {
                peak = max(peak, try Self.threads(of: pid))
                Thread.sleep(forTimeInterval: 0.1)  // sampling period of the thread count
            }
            #expect(peak < 100, "the coordinator ran \(peak) threads for \(workers * cores) waiting worker cores")
            let status = try cluster.runJob(timeout: 120)
            #expect(status.state == .succeeded, "\(status)")
            #expect(status.workersAlive == workers)
            #expect(try ClusterTests.tables(db) == expected)
            let busy = try Fixtures.scalar(db, "SELECT count(DISTINCT worker) FROM ghwh_meta.task_commits") ?? "0"
            #expect((Int(busy) ?? 0) > 1, "tasks spread over several workers")
            print(
                "scale: \(workers) workers x \(cores) cores, coordinator peak threads \(peak), \(busy) workers committed tasks"
            )
        }
    }
}
