import ArgumentParser
import Foundation

/// `ghwh config show` and `ghwh config check`: the configuration table at work.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Show the effective configuration, or check a config file.",
        subcommands: [Show.self, Check.self])

    /// `ghwh config show`: every key, its effective value (secrets masked) and where it came from.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print each key's effective value and its source (flag, env NAME, file PATH:LINE, default).")

        enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

        @Option(help: "Config file of `key = value` lines (default: $GHWH_CONFIG, else ./ghwh.conf if present).")
        var config: String?
        @Option(help: "text or json.") var format: Format = .text
        // One option per key with a flag (ConfigTable's `flag`; a test keeps them in step).
        @Option(name: .customLong("database-url"), help: Configuration.Key.databaseURL.argumentHelp())
        var databaseURL: String?
        @Option(name: .customLong("data-dir"), help: Configuration.Key.dataDir.argumentHelp())
        var dataDir: String?
        @Option(name: .customLong("raw"), help: Configuration.Key.rawRoot.argumentHelp())
        var raw: String?
        @Option(name: .customLong("chunk-size-mb"), help: Configuration.Key.chunkSizeMB.argumentHelp())
        var chunkSizeMB: String?
        @Option(name: .customLong("task-group-documents"), help: Configuration.Key.taskGroupDocuments.argumentHelp())
        var taskGroupDocuments: String?
        @Option(name: .customLong("workers"), help: Configuration.Key.workers.argumentHelp())
        var workers: String?
        @Option(name: .customLong("coordinator"), help: Configuration.Key.coordinator.argumentHelp())
        var coordinator: String?
        @Option(name: .customLong("listen"), help: Configuration.Key.listen.argumentHelp())
        var listen: String?
        @Option(name: .customLong("worker-timeout"), help: Configuration.Key.workerTimeout.argumentHelp())
        var workerTimeout: String?
        @Option(name: .customLong("max-attempts"), help: Configuration.Key.maxAttempts.argumentHelp())
        var maxAttempts: String?
        @Option(name: .customLong("heartbeat-interval"), help: Configuration.Key.heartbeatInterval.argumentHelp())
        var heartbeatInterval: String?
        @Option(name: .customLong("cores"), help: Configuration.Key.cores.argumentHelp())
        var cores: String?
        @Option(name: .customLong("ui-listen"), help: Configuration.Key.uiListen.argumentHelp())
        var uiListen: String?
        @Option(name: .customLong("shutdown-grace"), help: Configuration.Key.shutdownGrace.argumentHelp())
        var shutdownGrace: String?

        var flags: [Configuration.Key: String?] {
            [
                .databaseURL: databaseURL, .dataDir: dataDir, .rawRoot: raw, .chunkSizeMB: chunkSizeMB,
                .workers: workers, .coordinator: coordinator, .listen: listen, .workerTimeout: workerTimeout,
                .maxAttempts: maxAttempts, .heartbeatInterval: heartbeatInterval, .cores: cores,
                .uiListen: uiListen, .shutdownGrace: shutdownGrace, .taskGroupDocuments: taskGroupDocuments,
            ]
        }

        func run() throws {
            let config: Configuration
            do { config = try Configuration(flags: flags, configFile: self.config) } catch {
                throw ValidationError("\(error)")
            }
            print(try Self.render(config, format: format), terminator: "")
        }

        static func render(_ config: Configuration, format: Format) throws -> String {
            let keys = Configuration.Key.allCases
            switch format {
            case .text:
                let width = keys.map(\.rawValue.count).max() ?? 0
                let shown = keys.map { config.displayValue($0) ?? "(unset)" }
                let valueWidth = min(shown.map(\.count).max() ?? 0, 40)
                var out = ""
                for (key, value) in zip(keys, shown) {
                    let source = config.sources[key] ?? .defaultValue
                    out += pad(key.rawValue, width) + "  " + pad(value, valueWidth) + "  " + "\(source)\n"
                }
                return out
            case .json:
                let rows: [[String: Any]] = keys.map { key in
                    let spec = key.spec
                    return [
                        "key": key.rawValue, "value": config.displayValue(key) ?? NSNull(),
                        "source": "\(config.sources[key] ?? .defaultValue)", "env": key.environmentName,
                        "flag": spec.flag ?? NSNull(), "type": spec.kind.typeName, "secret": spec.secret,
                        "help": spec.help,
                    ]
                }
                let data = try JSONSerialization.data(
                    withJSONObject: rows, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
                return String(decoding: data, as: UTF8.self) + "\n"
            }
        }

        static func pad(_ s: String, _ width: Int) -> String {
            s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
        }
    }

    /// `ghwh config check FILE`: unknown, repeated or env-only keys and bad values, each as FILE:LINE: reason.
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check config files against the key table: prints FILE: ok, or FILE:LINE: reason per problem.")

        @Flag(name: .customLong("every-key"), help: "Also require every key a config file may set.")
        var everyKey = false
        @Argument(help: "Config files.") var files: [String]

        func validate() throws {
            if files.isEmpty { throw ValidationError("name at least one config file") }
        }

        func run() throws {
            var failed = false
            for path in files {
                let problems: [ConfigFile.Problem]
                do { problems = try ConfigFile.read(path).check(everyKey: everyKey) } catch {
                    print("\(path): \(error)")
                    failed = true
                    continue
                }
                if problems.isEmpty {
                    print("\(path): ok")
                } else {
                    failed = true
                    for problem in problems { print(problem) }
                }
            }
            if failed { throw ExitCode(1) }
        }
    }
}
