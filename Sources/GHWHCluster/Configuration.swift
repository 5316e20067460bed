import Foundation

/// ghwh's settings with one precedence: command-line flag, then environment
/// (`GHWH_<KEY>`), then the config file (`--config`, `GHWH_CONFIG`, or
/// `./ghwh.conf` if present), then the default. The file holds `key = value`
/// lines (`#` comments, optional double quotes); an unknown key or a bad value
/// is an error that names it.
public struct Configuration: Sendable {
    public enum Key: String, CaseIterable, Sendable {
        case databaseURL = "database_url"
        case dataDir = "data_dir"
        case rawRoot = "raw_root"
        case chunkSizeMB = "chunk_size_mb"
        case workers = "workers"
        case coordinator = "coordinator"
        case listen = "listen"
        case clusterSecretFile = "cluster_secret_file"
        case workerTimeout = "worker_timeout"
        case maxAttempts = "max_attempts"
        case heartbeatInterval = "heartbeat_interval"
        case cores = "cores"
        case uiListen = "ui_listen"
        case shutdownGrace = "shutdown_grace"
        case historyPartition = "history_partition"

        public var environmentName: String { "GHWH_" + rawValue.uppercased() }
        var defaultValue: String? {
            switch self {
            case .databaseURL, .rawRoot, .clusterSecretFile: return nil
            case .dataDir: return ".ghwh"
            case .chunkSizeMB: return "16"
            case .workers, .cores: return String(ProcessInfo.processInfo.activeProcessorCount)
            case .coordinator: return "tcp://127.0.0.1:7077"
            case .listen: return "tcp://0.0.0.0:7077"
            case .workerTimeout: return "60"
            case .maxAttempts: return "4"
            case .heartbeatInterval: return "5"
            case .uiListen: return "127.0.0.1:8080"
            case .shutdownGrace: return "30"
            case .historyPartition: return "month"
            }
        }
    }

    public struct ConfigError: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    private var values: [Key: String] = [:]
    /// Where each value came from, for `ghwh db status` and error messages.
    public private(set) var origins: [Key: String] = [:]

    /// - Parameters:
    ///   - flags: values given on the command line (nil = not given).
    ///   - configFile: `--config` path, if given.
    public init(
        flags: [Key: String?] = [:], configFile: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws {
        var fileValues: [Key: String] = [:]
        var filePath = configFile ?? environment["GHWH_CONFIG"]
        if filePath == nil, FileManager.default.fileExists(atPath: "ghwh.conf") { filePath = "ghwh.conf" }
        if let filePath { fileValues = try Self.parseFile(filePath) }
        for key in Key.allCases {
            if let v = flags[key] ?? nil {
                values[key] = v
                origins[key] = "flag"
            } else if let v = environment[key.environmentName] {
                values[key] = v
                origins[key] = "env \(key.environmentName)"
            } else if let v = fileValues[key] {
                values[key] = v
                origins[key] = "config \(filePath ?? "")"
            } else if let v = key.defaultValue {
                values[key] = v
                origins[key] = "default"
            }
        }
        for key in [Key.chunkSizeMB, .workers, .cores, .maxAttempts] {
            guard let v = values[key], let n = Int(v), n > 0 else {
                throw ConfigError(
                    description:
                        "\(key.rawValue) (from \(origins[key] ?? "?")) must be a positive integer, got \(values[key] ?? "nothing")"
                )
            }
        }
        for key in [Key.workerTimeout, .heartbeatInterval, .shutdownGrace] {
            guard let v = values[key], let n = Double(v), n > 0 else {
                throw ConfigError(
                    description:
                        "\(key.rawValue) (from \(origins[key] ?? "?")) must be a positive number of seconds, got \(values[key] ?? "nothing")"
                )
            }
        }
        for key in [Key.coordinator, .listen] {
            guard let v = values[key],
                v.hasPrefix("tcp://") || v.hasPrefix("ipc://") || v.hasPrefix("tls+tcp://") || v.hasPrefix("inproc://")
            else {
                throw ConfigError(
                    description:
                        "\(key.rawValue) (from \(origins[key] ?? "?")) must be a tcp://, tls+tcp:// or ipc:// URL, got \(values[key] ?? "nothing")"
                )
            }
        }
        if let v = values[.historyPartition], v != "day", v != "month" {
            throw ConfigError(
                description:
                    "history_partition (from \(origins[.historyPartition] ?? "?")) must be day or month, got \(v)")
        }
    }

    public subscript(key: Key) -> String? { values[key] }
    /// Granularity of the daily history's partitions (`day` or `month`).
    public var historyPartition: String { values[.historyPartition] ?? "month" }
    public var databaseURL: String? { values[.databaseURL].flatMap { $0.isEmpty ? nil : $0 } }
    public var dataDirectory: String { values[.dataDir] ?? ".ghwh" }
    public var rawRoot: String? { values[.rawRoot] }
    public var chunkBytes: Int { (Int(values[.chunkSizeMB] ?? "16") ?? 16) << 20 }
    public var workers: Int { Int(values[.workers] ?? "1") ?? 1 }
    public var cores: Int { Int(values[.cores] ?? "1") ?? 1 }
    public var coordinatorURL: String { values[.coordinator] ?? "tcp://127.0.0.1:7077" }
    public var listenURL: String { values[.listen] ?? "tcp://0.0.0.0:7077" }
    public var workerTimeout: Double { Double(values[.workerTimeout] ?? "60") ?? 60 }
    public var maxAttempts: Int { Int(values[.maxAttempts] ?? "4") ?? 4 }
    public var heartbeatInterval: Double { Double(values[.heartbeatInterval] ?? "5") ?? 5 }
    /// Seconds a stopping worker gives its running tasks before handing them back.
    public var shutdownGrace: Double { Double(values[.shutdownGrace] ?? "30") ?? 30 }
    /// The coordinator's web UI address (HOST:PORT, or `off`).
    public var uiListen: String { values[.uiListen] ?? "127.0.0.1:8080" }

    /// The cluster secret: `GHWH_CLUSTER_SECRET`, else the file named by
    /// `cluster_secret_file` (config files reference the secret, never hold it).
    public func clusterSecret(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String? {
        if let s = environment["GHWH_CLUSTER_SECRET"], !s.isEmpty { return s }
        guard let path = values[.clusterSecretFile] else { return nil }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigError(
                description: "cluster_secret_file (from \(origins[.clusterSecretFile] ?? "?")): cannot read \(path)")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func parseFile(_ path: String) throws -> [Key: String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigError(description: "cannot read config file \(path)")
        }
        var out: [Key: String] = [:]
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let eq = line.firstIndex(of: "=") else {
                throw ConfigError(description: "\(path):\(index + 1): expected `key = value`, got `\(line)`")
            }
            let name = line[..<eq].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                value = String(value.dropFirst().dropLast())
            }
            guard let key = Key(rawValue: name) else {
                throw ConfigError(
                    description:
                        "\(path):\(index + 1): unknown key `\(name)` (known: \(Key.allCases.map(\.rawValue).joined(separator: ", ")))"
                )
            }
            out[key] = value
        }
        return out
    }
}
