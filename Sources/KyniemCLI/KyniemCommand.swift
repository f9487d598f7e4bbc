import ArgumentParser

public struct KyniemCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "kyniem",
        abstract: "Anniversaries of diplomatic relations, national days and home observances: plan, remind, publish."
    )

    public init() {}
}
