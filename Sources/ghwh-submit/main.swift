import GHWHCLI

ProcessSetup.configure()
SubmitCommand.main()
