import Foundation
import GHWHCluster
import GHWHProcess
import GHWHTestSupport
import GHWHWire
import Synchronization
import Testing

/// Starts the real `ghwh` binary's roles as separate processes on loopback,
/// the way docker-compose or a Spark operator would, and tears them down.
final class ClusterHarness: @unchecked Sendable {
    static let secret = "test-secret-0123456789abcdef"
    /// The `ghwh` built with these tests: beside the test runner, so a sanitizer
    /// build (`--scratch-path .build/asan`) runs its own instrumented binary.
    static let binary: String = {
        let runner = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var dir = runner.deletingLastPathComponent()
        // On Linux the runner is `<build>/ghwhPackageTests.xctest`; elsewhere it may sit inside a bundle.
        while !FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent("ghwh").path), dir.path != "/" {
            dir.deleteLastPathComponent()
        }
        let binary = dir.appendingPathComponent("ghwh").path
        precondition(FileManager.default.isExecutableFile(atPath: binary), "no ghwh binary beside \(runner.path)")
        return binary
    }()

    let conninfo: String
    let raw: String
    let logDir: String
    /// The cluster port the first coordinator bound (it listens on port 0 and says which
    /// in its ready file); later coordinators of this cluster take the same one, so the
    /// workers, the loader and ghwh-submit find them where they were. 0 until then.
    private(set) var port = 0
    /// The web UI port of the coordinator started last (each binds a fresh one).
    private(set) var uiPort: Int?
    var url: String {
        precondition(port != 0, "the cluster has no port before its first coordinator is ready")
        return "tcp://127.0.0.1:\(port)"
    }
    private var processes: [String: ChildProcess] = [:]
    private let lock = NSLock()

    init(conninfo: String, raw: String) throws {
        self.conninfo = conninfo
        self.raw = raw
        self.logDir = try Fixtures.tempDir("cluster-logs")
    }

    deinit { stopAll() }

    /// Starts `ghwh <args>` with the cluster secret; output goes to `<logDir>/<name>.log`.
    @discardableResult
    func start(
        _ name: String, _ args: [String], environment extra: [String: String] = [:],
        host: NetworkNamespaceHost? = nil
    ) throws -> ChildProcess {
        let (executable, arguments) = host?.wrap(Self.binary, args) ?? (Self.binary, args)
        let env = ChildProcess.environment(
            overriding: ["GHWH_CLUSTER_SECRET": Self.secret].merging(extra) { $1 }, removing: ["GHWH_CONFIG"])
        let p = try ChildProcess.spawn(
            executable, arguments, environment: env, standardOutput: .file(logDir + "/\(name).log"))
        lock.withLock { processes[name] = p }
        return p
    }

    func log(_ name: String) -> String {
        (try? String(contentsOfFile: logDir + "/\(name).log", encoding: .utf8)) ?? ""
    }

    /// Coordinator with short liveness settings so failures show up in seconds; returns once
    /// it serves (its ready file names the ports it bound: `port`, `uiPort`).
    func startCoordinator(
        name: String = "coordinator", workerTimeout: Double = 3, listenOnAllAddresses: Bool = false,
        extra: [String] = []
    ) throws {
        let listen = "tcp://\(listenOnAllAddresses ? "0.0.0.0" : "127.0.0.1"):\(port)"
        try start(
            name,
            [
                "coordinator", "--listen", listen, "--raw", raw, "--database-url", conninfo,
                "--worker-timeout", String(workerTimeout), "--heartbeat-interval", "0.5", "--log-level", "info",
                "--ui-listen", "127.0.0.1:0", "--ready-file", readyFile(name),
            ] + extra)
        try waitUntilReady(name)
    }

    /// Where coordinator `name` writes its bound addresses (`--ready-file`).
    func readyFile(_ name: String) -> String { logDir + "/\(name).ready.json" }

    /// Waits for coordinator `name`'s ready file (not for a line of its log) and takes
    /// the ports it bound; fails at once if the process ends first.
    func waitUntilReady(_ name: String, timeout: Double = 60) throws {
        let path = readyFile(name)
        try waitFor("\(name) to write its ready file", timeout: timeout) {
            if FileManager.default.fileExists(atPath: path) { return true }
            if let p = process(name), !p.isRunning {
                throw TestFailure(
                    "\(name) exited (\(p.exitStatus.map { "\($0)" } ?? "?")) before it was ready:\n\(log(name).suffix(3000))"
                )
            }
            return false
        }
        let object =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        guard let clusterPort = object?["clusterPort"] as? Int, clusterPort > 0 else {
            throw TestFailure("\(name)'s ready file has no cluster port: \(String(describing: object))")
        }
        guard port == 0 || port == clusterPort else {
            throw TestFailure("\(name) bound port \(clusterPort), not the cluster's \(port)")
        }
        lock.withLock {
            port = clusterPort
            uiPort = object?["uiPort"] as? Int
        }
    }

    func startWorker(_ name: String, cores: Int = 1, extra: [String] = [], host: NetworkNamespaceHost? = nil) throws {
        let coordinator = host.map { "tcp://\($0.hostAddress):\(port)" } ?? url
        try start(
            name,
            [
                "worker", "--coordinator", coordinator, "--cores", String(cores), "--worker-id", name,
                "--database-url", conninfo, "--log-level", "info",
            ] + extra, host: host)
    }

    func startLoader(_ name: String = "loader", extra: [String] = []) throws {
        // No --log-level: the loader's default (info) is what a deployment gets.
        try start(name, ["loader", "--coordinator", url, "--database-url", conninfo] + extra)
    }

    func process(_ name: String) -> ChildProcess? { lock.withLock { processes[name] } }

    /// `ghwh-submit <args>` against this cluster as a process; its output (stdout and stderr) comes through the pipe.
    func startSubmit(_ args: [String], mergeStandardError: Bool = true) throws -> ChildProcess {
        let submit = try ChildProcess.spawn(
            URL(fileURLWithPath: Self.binary).deletingLastPathComponent().appendingPathComponent("ghwh-submit").path,
            ["--coordinator", url] + args,
            environment: ["GHWH_CLUSTER_SECRET": Self.secret, "PATH": "/usr/bin:/bin"],
            standardOutput: .pipe, standardError: mergeStandardError ? nil : .discard)
        return submit
    }

    /// Sends `signal` and waits for the process to exit; returns its exit status (the shell's number).
    func signalAndWait(_ name: String, _ signal: Int32, timeout: Double = 60) throws -> Int32 {
        guard let p = process(name), p.isRunning else { throw TestFailure("\(name) is not running") }
        p.signal(signal)
        try waitFor("\(name) to exit after signal \(signal)", timeout: timeout) { !p.isRunning }
        return p.exitStatus?.code ?? -1
    }

    func kill9(_ name: String) {
        guard let p = process(name), p.isRunning else { return }
        p.kill()
        p.waitForExit()
    }

    func stopAll() {
        let all = lock.withLock { Array(processes.values) }
        for p in all { p.kill() }
        for p in all { p.waitForExit() }
    }

    func client(secret: String = ClusterHarness.secret) throws -> SubmitClient {
        try SubmitClient(endpoint: ClusterEndpoint(url: url, secret: try ClusterSecret(secret)))
    }

    /// Submits a job and waits for it (bounded), returning its final status.
    func runJob(
        _ job: JobName = .all, from: String? = nil, to: String? = nil, force: Bool = false,
        timeout: Double = 120
    ) throws -> JobStatus {
        let c = try client()
        defer { c.close() }
        let id = try c.submit(SubmitJob(job: job.rawValue, from: from, to: to, force: force, rawRoot: raw))
        return try waitForJob(id, client: c, timeout: timeout)
    }

    func waitForJob(_ id: String, client c: SubmitClient, timeout: Double) throws -> JobStatus {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let s = try c.status(id)
            if [.succeeded, .failed, .killed, .unknown].contains(s.state) { return s }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw TestFailure(
            "job \(id) did not finish within \(timeout) s; coordinator log:\n\(log("coordinator").suffix(3000))")
    }

    /// Polls a condition until it holds (bounded): waiting for an event, not papering over a race.
    func waitFor(_ what: String, timeout: Double, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw TestFailure("timed out waiting for \(what)")
    }
}

/// The Foundation `Process` names the cluster tests were written with, on GHWHProcess's child.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// A worker's own "host": a network namespace joined to this one by a veth
/// pair (root only; CI runs as root), whose link can be cut and restored.
final class NetworkNamespaceHost: @unchecked Sendable {
    let name: String
    let hostAddress: String
    let namespaceAddress: String
    private let hostLink: String

    init(index: Int) throws {
        guard getuid() == 0 else {
            throw TestFailure("network namespaces need root (CI runs as root); this test cannot run without it")
        }
        let tag = "\(getpid() % 10000)x\(index)"
        name = "ghwh-\(tag)"
        hostLink = "gh\(tag)h"
        let subnet = "10.\(100 + index % 100).\(getpid() % 250).0"
        let base = subnet.split(separator: ".").prefix(3).joined(separator: ".")
        hostAddress = "\(base).1"
        namespaceAddress = "\(base).2"
        let peer = "gh\(tag)n"
        try Self.ip(["netns", "add", name])
        try Self.ip(["link", "add", hostLink, "type", "veth", "peer", "name", peer])
        try Self.ip(["link", "set", peer, "netns", name])
        try Self.ip(["addr", "add", "\(hostAddress)/24", "dev", hostLink])
        try Self.ip(["link", "set", hostLink, "up"])
        try Self.ip(["netns", "exec", name, "ip", "addr", "add", "\(namespaceAddress)/24", "dev", peer])
        try Self.ip(["netns", "exec", name, "ip", "link", "set", peer, "up"])
        try Self.ip(["netns", "exec", name, "ip", "link", "set", "lo", "up"])
    }

    deinit {
        _ = try? Self.ip(["link", "del", hostLink])
        _ = try? Self.ip(["netns", "del", name])
    }

    /// Cuts the link (no FIN, no RST: to the peers it looks like a silent partition).
    func cut() throws { try Self.ip(["link", "set", hostLink, "down"]) }
    func restore() throws { try Self.ip(["link", "set", hostLink, "up"]) }

    /// The command line that runs `args` inside the namespace.
    func wrap(_ executable: String, _ args: [String]) -> (String, [String]) {
        ("/usr/sbin/ip", ["netns", "exec", name, executable] + args)
    }

    @discardableResult
    static func ip(_ args: [String]) throws -> String {
        let result = try runProcess("/usr/sbin/ip", args)
        guard result.succeeded else {
            throw TestFailure("ip \(args.joined(separator: " ")) failed: \(result.output)")
        }
        return result.output
    }
}

/// Runs a blocking test body on a thread of its own: the cluster tests wait
/// on processes and sockets for seconds, and doing that on Swift's
/// cooperative pool (two threads here) would starve the suites that need it.
/// The body stays in the test's task (an executor preference, not a detached
/// thread), so a failed expectation in it is the test's, not «unknown».
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    let executor = DedicatedThreadExecutor()
    defer { executor.shutdown() }
    return try await withTaskExecutorPreference(executor) { try body() }
}

/// A task executor with one thread of its own, which runs its jobs in order.
final class DedicatedThreadExecutor: TaskExecutor, @unchecked Sendable {
    /// Every thread these executors started (pthread ids), for tests of where a body ran.
    static let startedThreads = Mutex<Set<UInt>>([])
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var stopping = false

    init() {
        let thread = Thread { [self] in
            _ = Self.startedThreads.withLock { $0.insert(UInt(pthread_self())) }
            runJobs()
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    func enqueue(_ job: UnownedJob) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// The thread ends once the jobs enqueued so far have run.
    func shutdown() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    private func runJobs() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            if jobs.isEmpty {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
