import GHWHCLI

SubmitCommand.main()
