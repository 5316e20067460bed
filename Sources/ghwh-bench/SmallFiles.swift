import Foundation
import GHWHSampleData
import GHWHWarehouse

/// Many small files (per-issue backups, per-repo daily exports): a tree of
/// one-record `.json` files over 3 days, timed end to end in files per second.
extension Bench {
    func smallFilesBenchmark(server: EmbeddedPostgres) throws {
        let root = absolute(corpusDir) + "/small-files-\(smallFiles)"
        let infoPath = root + "/corpus-info.json"
        var files: Int
        if let data = FileManager.default.contents(atPath: infoPath),
            let count = Int(String(decoding: data, as: UTF8.self))
        {
            files = count
        } else {
            try? FileManager.default.removeItem(atPath: root)
            var o = SampleDataOptions(outputDirectory: root)
            // About 150 files per repo: 60 issues and 30 PRs, most delivered again with updates.
            o.repos = max(1, smallFiles / 150)
            o.issuesPerRepo = 60
            o.prsPerRepo = 30
            o.days = 3
            o.seed = 2027
            o.oneRecordPerFile = true
            files = try SampleDataGenerator(o).generate().files
            try Data("\(files)".utf8).write(to: URL(fileURLWithPath: infoPath))
        }
        print(
            "\n== small files: \(files) one-record .json files over 3 days, ghwh run --job all; median of \(repeats) =="
        )
        var walls: [Double] = []
        for _ in 0..<max(1, repeats) {
            let db = try freshDatabase("bench_small_files", server: server)
            let run = try TimedRun.run(
                ghwh, ["run", "--job", "all", "--raw", root, "--database-url", db, "--no-progress"])
            guard run.status == 0 else { throw BenchError("ghwh run exited \(run.status) on the small files") }
            walls.append(run.seconds)
        }
        let wall = walls.sorted()[walls.count / 2]
        print(String(format: "local:   wall %.2f s, %.0f files/s (target 5,000)", wall, Double(files) / wall))
        guard cluster else { return }
        // The same tree through the standing cluster (coordinator + 2 workers + loader on loopback).
        let info = CorpusInfo(root: root, uncompressedBytes: 0, records: files)
        let runs = try (0..<max(1, repeats)).map { _ in try clusterRun(size: 15, info: info, server: server) }
        let clusterWall = Self.median(runs, by: \.wall).wall
        print(
            String(
                format: "cluster: wall %.2f s, %.0f files/s, coordinator RSS %.1f MB", clusterWall,
                Double(files) / clusterWall, Double(runs.map(\.rssKB).max() ?? 0) / 1024))
    }
}
