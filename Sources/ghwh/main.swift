import GHWHCLI

ProcessSetup.configure()
// Also installed as `ghwh-submit` (a symlink: the container image ships one binary).
if CommandLine.arguments.first?.split(separator: "/").last == "ghwh-submit" {
    SubmitCommand.main()
} else {
    GHWHCommand.main()
}
