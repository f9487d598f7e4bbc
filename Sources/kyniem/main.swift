import KyniemCLI

await KyniemMain.main()
