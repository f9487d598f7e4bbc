import KyniemCLI

await KyniemCommand.main()
