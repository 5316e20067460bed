import GHWHCLI

ProcessSetup.configure()
GHWHCommand.main()
