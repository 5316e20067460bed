import ArgumentParser
import Foundation
import GHWHCluster

/// The one table of ghwh's settings: each key's environment variable, flag,
/// type, default, whether it is a secret, and its help. The config-file parser,
/// the flag/environment merge, `ghwh config show` and `ghwh config check` all
/// read it; docs/operations.md#keys lists the same keys and defaults (a test
/// compares them).
extension Configuration {
    /// What a value must look like; each kind has one error message.
    public enum ValueKind: Sendable, Equatable {
        /// Any text (a path, a DSN, a secret).
        case string
        /// An integer > 0.
        case positiveInt
        /// A number of seconds > 0.
        case positiveSeconds
        /// A cluster URL: `tcp://`, `tls+tcp://`, `ipc://` or `inproc://`.
        case clusterURL
        /// `HOST:PORT` with a numeric port, or `off`.
        case hostPortOrOff
        /// One of the listed words.
        case oneOf([String])

        /// The type's name in `ghwh config show --format json`.
        public var typeName: String {
            switch self {
            case .string: return "string"
            case .positiveInt: return "int"
            case .positiveSeconds: return "double"
            case .clusterURL: return "url"
            case .hostPortOrOff: return "address"
            case .oneOf: return "enum"
            }
        }

        static let clusterSchemes = ["tcp://", "tls+tcp://", "ipc://", "inproc://"]

        /// nil when `value` is acceptable, else the reason (after "KEY ... ").
        func problem(_ value: String) -> String? {
            switch self {
            case .string:
                return nil
            case .positiveInt:
                if let n = Int(value), n > 0 { return nil }
                return "must be a positive integer, got \(value)"
            case .positiveSeconds:
                if let n = Double(value), n > 0, n.isFinite { return nil }
                return "must be a positive number of seconds, got \(value)"
            case .clusterURL:
                if Self.clusterSchemes.contains(where: { value.hasPrefix($0) }) { return nil }
                return "must be a tcp://, tls+tcp://, ipc:// or inproc:// URL, got \(value)"
            case .hostPortOrOff:
                if value == "off" { return nil }
                let parts = value.split(separator: ":", omittingEmptySubsequences: false)
                if parts.count >= 2, let port = Int(parts[parts.count - 1]), (0...65535).contains(port) { return nil }
                return "must be HOST:PORT or off, got \(value)"
            case .oneOf(let words):
                if words.contains(value) { return nil }
                let list = words.count <= 2 ? words.joined(separator: " or ") : words.joined(separator: ", ")
                return "must be \(list), got \(value)"
            }
        }
    }

    /// A key's default, written once.
    public enum Default: Sendable, Equatable {
        /// No value (the key is optional).
        case unset
        case value(String)
        /// The number of active processors of this machine.
        case processorCount

        public var resolved: String? {
            switch self {
            case .unset: return nil
            case .value(let v): return v
            case .processorCount: return String(ProcessInfo.processInfo.activeProcessorCount)
            }
        }

        /// How docs/operations.md's keys table writes it.
        public var documented: String {
            switch self {
            case .unset: return "unset"
            case .value(let v): return v
            case .processorCount: return "the number of cores"
            }
        }
    }

    public struct KeySpec: Sendable {
        public let key: Key
        /// The command-line flag that sets it (on the commands that read it), if any.
        public let flag: String?
        public let kind: ValueKind
        public let defaultValue: Default
        /// Masked as `****` by `ghwh config show`.
        public let secret: Bool
        /// False for a key that only the environment may set (a config file naming it is an error).
        public let allowedInFile: Bool
        public let help: String

        public var name: String { key.rawValue }
        public var environmentName: String { key.environmentName }
    }

    public enum Key: String, CaseIterable, Sendable {
        case databaseURL = "database_url"
        case dataDir = "data_dir"
        case rawRoot = "raw_root"
        case chunkSizeMB = "chunk_size_mb"
        case taskGroupDocuments = "task_group_documents"
        case workers = "workers"
        case coordinator = "coordinator"
        case listen = "listen"
        case clusterSecret = "cluster_secret"
        case clusterSecretFile = "cluster_secret_file"
        case workerTimeout = "worker_timeout"
        case maxAttempts = "max_attempts"
        case heartbeatInterval = "heartbeat_interval"
        case cores = "cores"
        case shutdownGrace = "shutdown_grace"
        case uiListen = "ui_listen"
        case historyPartition = "history_partition"

        public var environmentName: String { "GHWH_" + rawValue.uppercased() }

        // swift-format-ignore
        public var spec: KeySpec {
            func s(_ flag: String?, _ kind: ValueKind, _ def: Default, secret: Bool = false, file: Bool = true,
                   _ help: String) -> KeySpec {
                KeySpec(key: self, flag: flag, kind: kind, defaultValue: def, secret: secret, allowedInFile: file,
                        help: help)
            }
            switch self {
            case .databaseURL: return s("--database-url", .string, .unset,
                "libpq conninfo or postgresql:// URL; unset or empty: the embedded server under data_dir")
            case .dataDir: return s("--data-dir", .string, .value(".ghwh"),
                "local state; the embedded server lives in <data_dir>/postgres")
            case .rawRoot: return s("--raw", .string, .unset, "the raw root; a job cannot run without one")
            case .chunkSizeMB: return s("--chunk-size-mb", .positiveInt, .value("16"), "task size in MB")
            case .taskGroupDocuments: return s("--task-group-documents", .positiveInt,
                .value(String(SmallDocumentGrouper.defaultMaxMembers)),
                "most small documents (under a quarter of a chunk) one task carries; 1: a task per document")
            case .workers: return s("--workers", .positiveInt, .processorCount, "worker threads of ghwh run")
            case .coordinator: return s("--coordinator", .clusterURL, .value("tcp://127.0.0.1:7077"),
                "where to find the coordinator")
            case .listen: return s("--listen", .clusterURL, .value("tcp://0.0.0.0:7077"),
                "what the coordinator listens on")
            case .clusterSecret: return s(nil, .string, .unset, secret: true, file: false,
                "the cluster secret itself (environment only; config files name its file instead)")
            case .clusterSecretFile: return s(nil, .string, .unset,
                "a file holding the cluster secret, used when GHWH_CLUSTER_SECRET is unset")
            case .workerTimeout: return s("--worker-timeout", .positiveSeconds, .value("60"),
                "seconds without a heartbeat before a worker is lost")
            case .maxAttempts: return s("--max-attempts", .positiveInt, .value("4"),
                "failed attempts of one task before its job fails")
            case .heartbeatInterval: return s("--heartbeat-interval", .positiveSeconds, .value("5"),
                "seconds between worker heartbeats")
            case .cores: return s("--cores", .positiveInt, .processorCount, "tasks one worker process runs at once")
            case .uiListen: return s("--ui-listen", .hostPortOrOff, .value("127.0.0.1:8080"),
                "the web UI, JSON API and /metrics address (HOST:PORT), or off")
            case .shutdownGrace: return s("--shutdown-grace", .positiveSeconds, .value("30"),
                "seconds running tasks get to finish on SIGTERM before they are handed back")
            case .historyPartition: return s(nil, .oneOf(["day", "month"]), .value("month"),
                "granularity of the history partitions, fixed once the first exists")
            }
        }
    }

    /// The keys a config file may set.
    public static var fileKeys: [Key] { Key.allCases.filter { $0.spec.allowedInFile } }
}

extension Configuration.Key {
    /// The `--help` text of this key's flag. The default, environment variable and key name come from the
    /// table, so a flag's help cannot state a default the code no longer has.
    /// - Parameter summary: what the flag means on this command, when the table's help is not specific enough.
    public func helpText(_ summary: String? = nil) -> String {
        let spec = self.spec
        let text = summary ?? spec.help.prefix(1).uppercased() + spec.help.dropFirst()
        var sources = ["env \(environmentName)"]
        if spec.allowedInFile { sources.append("config key \(rawValue)") }
        return "\(text) (\(spec.defaultValue.helpRendering); \(sources.joined(separator: "; ")))"
    }

    /// `helpText(summary)` as argument-parser's help.
    func argumentHelp(_ summary: String? = nil) -> ArgumentHelp { ArgumentHelp(helpText(summary)) }
}

extension Configuration.Default {
    /// How a flag's `--help` states it.
    public var helpRendering: String {
        switch self {
        case .unset: return "unset by default"
        case .value, .processorCount: return "default \(documented)"
        }
    }
}
