import ArgumentParser
import Foundation
import GHWHCluster
import GHWHWarehouse
import GHWHWebUI
import GHWHWire

/// Options of every networked role: the secret and the fault-free defaults.
struct ClusterOptions: ParsableArguments {
    @Flag(help: "Run without a cluster secret (messages are still framed and checked, not authenticated).")
    var insecure = false
    @Option(name: .customLong("max-message-mb"), help: "Largest message accepted or sent, in MB (NNG_OPT_RECVMAXSZ).")
    var maxMessageMB = 64
    @Option(name: .customLong("tls-cert"), help: "PEM certificate for tls+tcp:// URLs.") var tlsCert: String?
    @Option(name: .customLong("tls-key"), help: "PEM private key for tls+tcp:// URLs.") var tlsKey: String?
    @Option(name: .customLong("tls-ca"), help: "PEM CA bundle to verify the peer for tls+tcp:// URLs.") var tlsCA:
        String?

    func endpoint(url: String, config: Configuration, role: String) throws -> ClusterEndpoint {
        let secret: ClusterSecret
        if let text = try config.clusterSecret() {
            do { secret = try ClusterSecret(text) } catch { throw ValidationError("cluster secret: \(error)") }
        } else if insecure {
            secret = .insecure
        } else {
            throw ValidationError(
                "\(role): no cluster secret. Set GHWH_CLUSTER_SECRET (or cluster_secret_file in the config), or pass --insecure"
            )
        }
        var tls: TLSConfig?
        if url.hasPrefix("tls+tcp://") {
            tls = TLSConfig(certificateFile: tlsCert, keyFile: tlsKey, caFile: tlsCA)
        }
        return ClusterEndpoint(
            url: url, secret: secret, limits: FrameLimits(maxMessageBytes: maxMessageMB << 20), tls: tls)
    }
}

/// `ghwh coordinator`: the master.
struct CoordinatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coordinator",
        abstract: "Run the coordinator: plans jobs into tasks, leases them to workers, feeds the loader.")
    @OptionGroup var common: CommonOptions
    @OptionGroup var cluster: ClusterOptions
    @Option(help: Configuration.Key.listen.argumentHelp("URL to listen on")) var listen: String?
    @Option(
        help: Configuration.Key.rawRoot.argumentHelp("Raw root the coordinator reads; ghwh-submit --raw overrides it"))
    var raw: String?
    @Option(name: .customLong("worker-timeout"), help: Configuration.Key.workerTimeout.argumentHelp())
    var workerTimeout: Double?
    @Option(name: .customLong("max-attempts"), help: Configuration.Key.maxAttempts.argumentHelp())
    var maxAttempts: Int?
    @Option(name: .customLong("heartbeat-interval"), help: Configuration.Key.heartbeatInterval.argumentHelp())
    var heartbeatInterval: Double?
    @Option(name: .customLong("chunk-size-mb"), help: Configuration.Key.chunkSizeMB.argumentHelp())
    var chunkSizeMB: Int?
    @Option(name: .customLong("task-group-documents"), help: Configuration.Key.taskGroupDocuments.argumentHelp())
    var taskGroupDocuments: Int?
    @Option(name: .customLong("ui-listen"), help: Configuration.Key.uiListen.argumentHelp())
    var uiListen: String?
    @Option(
        name: .customLong("ready-file"),
        help: ArgumentHelp(
            "Once serving, write the bound addresses here as one JSON object (written whole, by rename): "
                + #"{"cluster": "tcp://HOST:PORT", "clusterPort": PORT, "ui": "HOST:PORT" or null, "uiPort": PORT or null}. "#
                + "With port 0 in --listen or --ui-listen, this is how a supervisor or test learns the ports.",
            valueName: "path"))
    var readyFile: String?

    func run() throws {
        let config = try common.configuration(extra: [
            .listen: listen, .rawRoot: raw, .workerTimeout: workerTimeout.map { String($0) },
            .maxAttempts: maxAttempts.map(String.init), .heartbeatInterval: heartbeatInterval.map { String($0) },
            .chunkSizeMB: chunkSizeMB.map(String.init), .uiListen: uiListen,
            .taskGroupDocuments: taskGroupDocuments.map(String.init),
        ])
        let logger = common.makeLogger("ghwh.coordinator", defaultLevel: .info)
        let endpoint = try cluster.endpoint(url: config.listenURL, config: config, role: "coordinator")
        let conninfo = try common.migratedWarehouse(config, logger: logger)
        var settings = Coordinator.Settings(endpoint: endpoint, rawRoot: config.rawRoot, conninfo: conninfo)
        settings.chunkBytes = config.chunkBytes
        settings.taskGroupDocuments = config.taskGroupDocuments
        settings.heartbeatInterval = config.heartbeatInterval
        settings.scheduler.workerTimeout = config.workerTimeout
        settings.scheduler.maxAttempts = config.maxAttempts
        let coordinator = Coordinator(settings: settings, logger: logger)
        let termination = TerminationWaiter()  // before serving: a stop sent as soon as we listen is not lost
        let uiAddress = config.uiListen
        var ui: CoordinatorWebUI?
        if uiAddress != "off" { ui = try CoordinatorUI.start(coordinator, listen: uiAddress) }
        try coordinator.start()
        if let port = coordinator.boundPort { print("coordinator listening on \(config.listenURL) (port \(port))") }
        let uiHost = uiAddress.split(separator: ":", omittingEmptySubsequences: false).dropLast().joined(separator: ":")
        if let ui, let port = ui.boundPort { print("web UI on http://\(uiHost):\(port)/") }
        if let readyFile {
            try ReadyFile.write(
                to: readyFile, listenURL: config.listenURL, clusterPort: coordinator.boundPort,
                uiHost: ui == nil ? nil : uiHost, uiPort: ui?.boundPort)
        }
        let signalName = termination.wait()
        logger.notice("stopping on \(signalName)")
        coordinator.stop()
        ui?.stop()
    }
}

/// `ghwh coordinator --ready-file`: the addresses a role actually bound (port 0 picks
/// one), for whoever started it; written to a temporary name and renamed, so a reader
/// that sees the file sees all of it.
enum ReadyFile {
    static func write(to path: String, listenURL: String, clusterPort: Int?, uiHost: String?, uiPort: Int?) throws {
        var cluster = listenURL
        if let clusterPort, let colon = listenURL.lastIndex(of: ":") {
            cluster = listenURL[..<colon] + ":\(clusterPort)"
        }
        let object: [String: Any] = [
            "cluster": cluster, "clusterPort": clusterPort.map { $0 as Any } ?? NSNull(),
            "ui": uiPort.map { "\(uiHost ?? "127.0.0.1"):\($0)" as Any } ?? NSNull(),
            "uiPort": uiPort.map { $0 as Any } ?? NSNull(),
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        let temporary = path + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
        do {
            try data.write(to: URL(fileURLWithPath: temporary))
            guard rename(temporary, path) == 0 else {
                throw CommandFailure("cannot rename \(temporary) to \(path): errno \(errno)")
            }
        } catch let error as CommandFailure {
            throw error
        } catch {
            throw CommandFailure("--ready-file \(path): \(error.localizedDescription)")
        }
    }
}

/// `ghwh worker`: runs tasks for a coordinator.
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run a worker: asks the coordinator for tasks and runs the silver and gold transforms.")
    @OptionGroup var common: CommonOptions
    @OptionGroup var cluster: ClusterOptions
    @Option(help: Configuration.Key.coordinator.argumentHelp()) var coordinator: String?
    @Option(help: Configuration.Key.cores.argumentHelp()) var cores: Int?
    @Option(name: .customLong("worker-id"), help: "Name of this worker (default worker-HOST-PID).")
    var workerId: String?
    @Option(name: .customLong("shutdown-grace"), help: Configuration.Key.shutdownGrace.argumentHelp())
    var shutdownGrace: Double?
    @Option(name: .customLong("exit-after-tasks"), help: .hidden) var exitAfterTasks: Int?
    @Option(name: .customLong("exit-after-parts"), help: .hidden) var exitAfterParts: Int?
    @Option(name: .customLong("task-delay-ms"), help: .hidden) var taskDelayMs: Int?
    @Option(name: .customLong("fail-tasks-matching"), help: .hidden) var failTasksMatching: String?

    func run() throws {
        let config = try common.configuration(extra: [
            .coordinator: coordinator, .cores: cores.map(String.init),
            .shutdownGrace: shutdownGrace.map { String($0) },
        ])
        let logger = common.makeLogger("ghwh.worker", defaultLevel: .info)
        let endpoint = try cluster.endpoint(url: config.coordinatorURL, config: config, role: "worker")
        let id = workerId ?? "worker-\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
        var settings = ClusterWorker.Settings(
            endpoint: endpoint, workerId: id, cores: config.cores, conninfo: config.databaseURL)
        settings.exitAfterTasks =
            exitAfterTasks ?? ProcessInfo.processInfo.environment["GHWH_FAULT_EXIT_AFTER_TASKS"].flatMap { Int($0) }
        settings.exitAfterParts = exitAfterParts
        settings.taskDelay = Double(taskDelayMs ?? 0) / 1000
        settings.failTasksMatching = failTasksMatching
        settings.shutdownGrace = config.shutdownGrace
        let worker = try ClusterWorker(settings: settings, logger: logger)
        TerminationSignals.onFirst { _ in worker.stop() }
        worker.run()
    }
}

/// `ghwh loader`: the only writer to PostgreSQL.
struct LoaderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loader",
        abstract: "Run the loader: commits the coordinator's task results into PostgreSQL.")
    @OptionGroup var common: CommonOptions
    @OptionGroup var cluster: ClusterOptions
    @Option(help: Configuration.Key.coordinator.argumentHelp()) var coordinator: String?
    @Option(name: .customLong("exit-after-commits"), help: .hidden) var exitAfterCommits: Int?

    func run() throws {
        let config = try common.configuration(extra: [.coordinator: coordinator])
        let logger = common.makeLogger("ghwh.loader", defaultLevel: .info)
        let endpoint = try cluster.endpoint(url: config.coordinatorURL, config: config, role: "loader")
        let conninfo = try common.migratedWarehouse(config, logger: logger)
        var settings = ClusterLoader.Settings(
            endpoint: endpoint, loaderId: "loader-\(ProcessInfo.processInfo.processIdentifier)",
            conninfo: conninfo)
        settings.exitAfterCommits =
            exitAfterCommits ?? ProcessInfo.processInfo.environment["GHWH_FAULT_EXIT_AFTER_COMMITS"].flatMap { Int($0) }
        let loader = try ClusterLoader(settings: settings, logger: logger)
        TerminationSignals.onFirst { _ in loader.stop() }
        loader.run()
    }
}

/// SIGINT/SIGTERM for the long-running roles, without work in a signal
/// handler: the signals are ignored at the process level and delivered to a
/// dispatch source, whose handler (an ordinary thread) asks the role to stop
/// gracefully. A second signal exits at once (an impatient operator).
enum TerminationSignals {
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []
    private static let lock = NSLock()
    nonisolated(unsafe) private static var received = 0

    /// Calls `body` once, on the first SIGINT or SIGTERM, including one that arrived
    /// before this call while the signal was blocked (a process started by another
    /// program's thread inherits its blocked signals): setting SIG_IGN would discard
    /// such a pending signal, and the process would ignore its stop.
    static func onFirst(_ body: @escaping @Sendable (_ signalName: String) -> Void) {
        var pending = sigset_t()
        sigemptyset(&pending)
        sigpending(&pending)
        var arrived: (Int32, String)?
        for (sig, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            if arrived == nil && sigismember(&pending, sig) == 1 { arrived = (sig, name) }
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                let count = lock.withLock {
                    received += 1
                    return received
                }
                if count == 1 { body(name) } else { exit(128 + sig) }
            }
            source.resume()
            lock.withLock { sources.append(source) }
        }
        if let (sig, name) = arrived {
            DispatchQueue.global().async {
                let count = lock.withLock {
                    received += 1
                    return received
                }
                if count == 1 { body(name) } else { exit(128 + sig) }
            }
        }
    }
}

/// Catches SIGINT and SIGTERM from its creation; `wait` blocks until one came.
final class TerminationWaiter: Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private let name = LockedValue("")

    init() {
        TerminationSignals.onFirst { [semaphore, name] signalName in
            name.set(signalName)
            semaphore.signal()
        }
    }

    /// The signal's name.
    func wait() -> String {
        semaphore.wait()
        return name.get()
    }
}

/// A value shared between a signal source and the waiting thread.
final class LockedValue<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: T
    init(_ value: T) { self.value = value }
    func set(_ v: T) { lock.withLock { value = v } }
    func get() -> T { lock.withLock { value } }
}
