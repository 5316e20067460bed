import Foundation
import GHWHWarehouse

/// ghwh's settings with one precedence: command-line flag, then environment
/// (`GHWH_<KEY>`), then the config file (`--config`, `GHWH_CONFIG`, or
/// `./ghwh.conf` if present), then the default. The keys, their types and
/// defaults are the one table in ConfigTable.swift. The file holds `key = value`
/// lines (`#` comments, optional double quotes); an unknown or repeated key or a
/// bad value is an error that names it and where it came from.
public struct Configuration: Sendable {
    public struct ConfigError: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// One value's origin: `flag`, `env NAME`, `file PATH:LINE` or `default`.
    public enum Source: Sendable, Equatable, CustomStringConvertible {
        case flag
        case environment(String)
        case file(path: String, line: Int)
        case defaultValue

        public var description: String {
            switch self {
            case .flag: return "flag"
            case .environment(let name): return "env \(name)"
            case .file(let path, let line): return "file \(path):\(line)"
            case .defaultValue: return "default"
            }
        }
    }

    private var values: [Key: String] = [:]
    /// Where each key's value came from (every key, set or not).
    public private(set) var sources: [Key: Source] = [:]
    /// The config file read, if any.
    public private(set) var filePath: String?
    /// Where each value came from, as text, for `ghwh db status` and error messages.
    public var origins: [Key: String] { sources.mapValues(\.description) }

    /// - Parameters:
    ///   - flags: values given on the command line (nil = not given).
    ///   - configFile: `--config` path, if given.
    public init(
        flags: [Key: String?] = [:], configFile: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws {
        var fileValues: [Key: ConfigFile.Entry] = [:]
        var filePath = configFile ?? environment["GHWH_CONFIG"]
        if filePath == nil, FileManager.default.fileExists(atPath: "ghwh.conf") { filePath = "ghwh.conf" }
        if let filePath {
            let file = try ConfigFile.read(filePath)
            if let first = file.problems.first { throw ConfigError(description: first.description) }
            fileValues = file.entries
        }
        self.filePath = filePath
        for key in Key.allCases {
            if let v = flags[key] ?? nil {
                (values[key], sources[key]) = (v, .flag)
            } else if let v = environment[key.environmentName] {
                (values[key], sources[key]) = (v, .environment(key.environmentName))
            } else if let entry = fileValues[key] {
                (values[key], sources[key]) = (entry.value, .file(path: entry.path, line: entry.line))
            } else {
                (values[key], sources[key]) = (key.spec.defaultValue.resolved, .defaultValue)
            }
        }
        for key in Key.allCases {
            guard let value = values[key], let reason = key.spec.kind.problem(value) else { continue }
            throw ConfigError(description: "\(key.rawValue) (from \(sources[key] ?? .defaultValue)) \(reason)")
        }
    }

    public subscript(key: Key) -> String? { values[key] }

    /// A validated key that always has a value (it has a default).
    private func text(_ key: Key) -> String {
        guard let v = values[key] else { preconditionFailure("\(key.rawValue) has no default in the table") }
        return v
    }
    private func int(_ key: Key) -> Int {
        guard let n = Int(text(key)) else { preconditionFailure("\(key.rawValue) was not validated") }
        return n
    }
    private func seconds(_ key: Key) -> Double {
        guard let n = Double(text(key)) else { preconditionFailure("\(key.rawValue) was not validated") }
        return n
    }

    /// Granularity of the daily history's partitions (`day` or `month`).
    public var historyPartition: String { text(.historyPartition) }
    public var databaseURL: String? { values[.databaseURL].flatMap { $0.isEmpty ? nil : $0 } }
    public var dataDirectory: String { text(.dataDir) }
    public var rawRoot: String? { values[.rawRoot].flatMap { $0.isEmpty ? nil : $0 } }
    public var chunkBytes: Int { int(.chunkSizeMB) << 20 }
    public var taskGroupDocuments: Int { int(.taskGroupDocuments) }
    public var workers: Int { int(.workers) }
    public var cores: Int { int(.cores) }
    public var coordinatorURL: String { text(.coordinator) }
    public var listenURL: String { text(.listen) }
    public var workerTimeout: Double { seconds(.workerTimeout) }
    public var maxAttempts: Int { int(.maxAttempts) }
    public var heartbeatInterval: Double { seconds(.heartbeatInterval) }
    /// Seconds a stopping worker gives its running tasks before handing them back.
    public var shutdownGrace: Double { seconds(.shutdownGrace) }
    /// The coordinator's web UI address (HOST:PORT, or `off`).
    public var uiListen: String { text(.uiListen) }

    /// The cluster secret: `GHWH_CLUSTER_SECRET`, else the file named by
    /// `cluster_secret_file` (config files reference the secret, never hold it).
    public func clusterSecret() throws -> String? {
        if let s = values[.clusterSecret], !s.isEmpty { return s }
        guard let path = values[.clusterSecretFile] else { return nil }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigError(
                description:
                    "cluster_secret_file (from \(sources[.clusterSecretFile] ?? .defaultValue)): cannot read \(path)"
            )
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A value as `ghwh config show` prints it: secrets masked, a DSN's password hidden.
    public func displayValue(_ key: Key) -> String? {
        guard let v = values[key] else { return nil }
        if key.spec.secret { return v.isEmpty ? "" : "****" }
        if key == .databaseURL { return PGConnection.redacted(v) }
        return v
    }
}

/// A parsed config file: its entries and every problem found in it (each with its line).
public struct ConfigFile: Sendable {
    public struct Entry: Sendable {
        public let value: String
        public let path: String
        public let line: Int
    }
    public struct Problem: Sendable, CustomStringConvertible {
        public let path: String
        public let line: Int?
        public let reason: String
        public var description: String { line.map { "\(path):\($0): \(reason)" } ?? "\(path): \(reason)" }
    }

    public let path: String
    public private(set) var entries: [Configuration.Key: Entry] = [:]
    public private(set) var problems: [Problem] = []

    /// Reads `path`; an unreadable file throws, everything else is a problem.
    public static func read(_ path: String) throws -> ConfigFile {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw Configuration.ConfigError(description: "cannot read config file \(path)")
        }
        return ConfigFile(text: text, path: path)
    }

    public init(text: String, path: String) {
        self.path = path
        let known = Configuration.fileKeys.map(\.rawValue).joined(separator: ", ")
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            func problem(_ reason: String) { problems.append(Problem(path: path, line: lineNumber, reason: reason)) }
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let eq = line.firstIndex(of: "=") else {
                problem("expected `key = value`, got `\(line)`")
                continue
            }
            let name = line[..<eq].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                value = String(value.dropFirst().dropLast())
            }
            guard let key = Configuration.Key(rawValue: name) else {
                problem("unknown key `\(name)` (known: \(known))")
                continue
            }
            guard key.spec.allowedInFile else {
                problem("`\(name)` cannot be set in a config file (set \(key.environmentName), or name a file)")
                continue
            }
            if let first = entries[key] {
                problem("duplicate key `\(name)` (first set on line \(first.line))")
                continue
            }
            entries[key] = Entry(value: value, path: path, line: lineNumber)
        }
    }

    /// Problems including bad values (a value the loader would reject if it
    /// were the effective one) and, with `everyKey`, keys the file lacks.
    public func check(everyKey: Bool = false) -> [Problem] {
        var all = problems
        for (key, entry) in entries {
            if let reason = key.spec.kind.problem(entry.value) {
                all.append(Problem(path: entry.path, line: entry.line, reason: "\(key.rawValue) \(reason)"))
            }
        }
        if everyKey {
            let absent = Configuration.fileKeys.filter { entries[$0] == nil }.map(\.rawValue)
            if !absent.isEmpty {
                all.append(
                    Problem(path: path, line: nil, reason: "lacks keys: \(absent.joined(separator: " "))"))
            }
        }
        return all.sorted { ($0.line ?? Int.max) < ($1.line ?? Int.max) }
    }
}
