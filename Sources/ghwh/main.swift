import GHWHCLI

GHWHCommand.main()
