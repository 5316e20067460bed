import CGHWHZlib
import Foundation
import GHWHModel
import GHWHProcess
import GHWHRaw
import GHWHWarehouse

/// The CPU budget (docs/operations.md#cpu-budget): where a job's core-seconds go,
/// per stage and per GB of JSON, and what the machine's floor is on the same
/// corpus (one core inflating every document with zlib, and with ISA-L).
extension Bench {
    /// CPU seconds (user + system) of a PostgreSQL server so far: the postmaster,
    /// its live children, and the children it has reaped (ended backends).
    static func postgresCPUSeconds(dataDirectory: String) -> Double {
        guard let pidFile = try? String(contentsOfFile: dataDirectory + "/postmaster.pid", encoding: .utf8),
            let postmaster = pidFile.split(separator: "\n").first.flatMap({ Int($0) })
        else { return 0 }
        var total = 0.0
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.compactMap { Int($0) } ?? []
        for pid in pids {
            guard let cpu = ProcessCPU(pid: pid) else { continue }
            if pid == postmaster {
                total += cpu.seconds + cpu.reapedChildrenSeconds
            } else if cpu.ppid == postmaster {
                total += cpu.seconds
            }
        }
        return total
    }

    /// One `ghwh run --profile` on a fresh database: the stage table, with PostgreSQL's CPU beside it.
    func profileRun(size: Int, info: CorpusInfo, server: EmbeddedPostgres) throws {
        let db = try freshDatabase("bench_profile_\(size)", server: server)
        let summaryPath = absolute(corpusDir) + "/profile-\(size).json"
        let postgresBefore = Self.postgresCPUSeconds(dataDirectory: server.dataDirectory)
        let sampler = try PostgresCPUSampler(conninfo: server.conninfo(database: "postgres"))
        sampler.start()
        let result: TimedRun
        do {
            result = try TimedRun.run(
                ghwh,
                [
                    "run", "--job", "all", "--raw", info.root, "--database-url", db, "--workers", String(workers),
                    "--summary-json", summaryPath, "--profile",
                ])
        } catch {
            _ = sampler.stop()
            throw error
        }
        let roles = sampler.stop()
        guard result.status == 0 else { throw BenchError("ghwh run --profile exited \(result.status)") }
        let postgres = Self.postgresCPUSeconds(dataDirectory: server.dataDirectory) - postgresBefore
        struct Profiled: Decodable {
            var cpuProfile: [String: Double]
            var uncompressedBytes: Int64
        }
        let summary = try JSONDecoder().decode(Profiled.self, from: Data(contentsOf: URL(fileURLWithPath: summaryPath)))
        let gigabytes = Double(summary.uncompressedBytes) / 1e9
        print(
            "\n== CPU budget, \(size) MB corpus: ghwh run --profile (wall \(String(format: "%.2f", result.seconds)) s) =="
        )
        print("stage".padding(toLength: 48, withPad: " ", startingAt: 0) + "core-s   core-s/GB")
        func row(_ name: String, _ seconds: Double) {
            print(
                name.padding(toLength: 44, withPad: " ", startingAt: 0)
                    + String(format: "%10.2f %10.2f", seconds, seconds / gigabytes))
        }
        var attributed = 0.0
        for stage in Stage.allCases {
            let seconds = summary.cpuProfile[stage.name] ?? 0
            attributed += seconds
            row(stage.name, seconds)
        }
        let process = summary.cpuProfile["process"] ?? 0
        row("unattributed (ghwh)", max(0, process - attributed))
        row("ghwh process total", process)
        var sampled = 0.0
        for role in PostgresCPUSampler.Role.allCases {
            sampled += roles[role] ?? 0
            row("PostgreSQL: " + role.rawValue, roles[role] ?? 0)
        }
        row("PostgreSQL: ended between samples", max(0, postgres - sampled))
        row("PostgreSQL (all backends)", postgres)
        row("ghwh + PostgreSQL", process + postgres)
    }

    /// One core decoding every zip entry of the corpus, in memory, with zlib and with ISA-L (ghwh's decoder).
    func inflateFloor(info: CorpusInfo) throws -> (zlib: Double, isal: Double, bytes: Int64) {
        var entries: [StoredDocument] = []
        for dataset in Dataset.allCases {
            for file in try RawLayout(root: info.root).scan(dataset: dataset, dates: nil).files
            where file.kind == .zip {
                for document in try RawReader.documents(of: file) {
                    entries.append(try RawReader.stored(document, of: file))
                }
            }
        }
        var bytes: Int64 = 0
        var started = Date()
        for entry in entries { bytes += try Self.zlibInflate(entry.bytes) }
        let zlib = Date().timeIntervalSince(started)
        started = Date()
        for entry in entries { try entry.stream { _ in } }
        return (zlib, Date().timeIntervalSince(started), bytes)
    }

    /// Raw-deflate `compressed` with zlib into a reused 1 MB buffer; returns the bytes produced.
    static func zlibInflate(_ compressed: ArraySlice<UInt8>) throws -> Int64 {
        var stream = z_stream()
        guard inflateInit2_(&stream, -15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw BenchError("inflateInit2 failed")
        }
        defer { inflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: 1 << 20)
        var produced: Int64 = 0
        try compressed.withUnsafeBytes { input in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
            stream.avail_in = uInt(input.count)
            var status = Z_OK
            while status == Z_OK {
                status = output.withUnsafeMutableBytes { out in
                    stream.next_out = out.baseAddress?.assumingMemoryBound(to: Bytef.self)
                    stream.avail_out = uInt(out.count)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                produced += Int64(output.count) - Int64(stream.avail_out)
            }
            guard status == Z_STREAM_END else { throw BenchError("zlib inflate status \(status)") }
        }
        return produced
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
