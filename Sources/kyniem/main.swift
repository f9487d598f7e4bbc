import KyniemCLI

KyniemMain.main()
