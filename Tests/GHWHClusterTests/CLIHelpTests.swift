import ArgumentParser
import Testing

@testable import GHWHCLI

/// Each flag's help states the config table's default, so `--help` cannot drift from the code (issue 14).
@Suite struct CLIHelpTests {
    /// What a flag's help must contain: the table's default and environment variable.
    static func tableSuffix(_ key: Configuration.Key) -> String {
        "(\(key.spec.defaultValue.helpRendering); env \(key.environmentName)"
    }

    /// Every command's help, unwrapped (one option a line) so a phrase is never split across lines.
    static func helpMessages() -> [(name: String, text: String)] {
        let columns = 10_000
        var messages: [(String, String)] = [
            ("ghwh", GHWHCommand.helpMessage(columns: columns)),
            ("ghwh-submit", SubmitCommand.helpMessage(columns: columns)),
        ]
        for sub in GHWHCommand.configuration.subcommands {
            messages.append((sub._commandName, GHWHCommand.helpMessage(for: sub, columns: columns)))
            for nested in sub.configuration.subcommands {
                messages.append(
                    (
                        "\(sub._commandName) \(nested._commandName)",
                        GHWHCommand.helpMessage(for: nested, columns: columns)
                    ))
            }
        }
        return messages
    }

    @Test func everyFlaggedKeyHelpRendersTheTableDefault() {
        for key in Configuration.Key.allCases {
            guard key.spec.flag != nil else { continue }
            let text = key.helpText()
            #expect(text.contains(Self.tableSuffix(key)), "\(key.rawValue): \(text)")
            #expect(text.contains(key.spec.defaultValue.documented) || key.spec.defaultValue == .unset)
        }
    }

    /// Wherever a table flag appears in a command's help, its line carries the table's default.
    @Test func everyCommandsHelpStatesTableDefaults() {
        let messages = Self.helpMessages()
        #expect(messages.count > 10)
        var checked = 0
        for (name, text) in messages {
            #expect(!text.isEmpty, "\(name)")
            for key in Configuration.Key.allCases {
                guard let flag = key.spec.flag else { continue }
                for entry in Self.optionEntries(text) where entry.hasPrefix(flag + " ") {
                    #expect(entry.contains(Self.tableSuffix(key)), "\(name): \(entry)")
                    checked += 1
                }
            }
        }
        #expect(checked > 30, "only \(checked) table flags found in the help texts")
    }

    /// Each option of a help text with its help, on one line: argument-parser puts the help of a long
    /// option name on the next line.
    static func optionEntries(_ help: String) -> [String] {
        var entries: [String] = []
        for line in help.split(separator: "\n") {
            let trimmed = line.trimmingPrefix(while: { $0 == " " })
            if trimmed.hasPrefix("-") && line.count - trimmed.count == 2 {
                entries.append(String(trimmed))
            } else if !entries.isEmpty && line.hasPrefix("   ") {
                entries[entries.count - 1] += " " + trimmed
            }
        }
        return entries
    }

    @Test func coordinatorHelpStatesTheWorkerTimeoutDefault() {
        let text = GHWHCommand.helpMessage(for: CoordinatorCommand.self, columns: 10_000)
        let timeout = Configuration.Key.workerTimeout
        guard case .value(let seconds) = timeout.spec.defaultValue else {
            Issue.record("worker_timeout has no default")
            return
        }
        #expect(text.contains("--worker-timeout"))
        #expect(text.contains("(default \(seconds); env GHWH_WORKER_TIMEOUT; config key worker_timeout)"))
    }
}
