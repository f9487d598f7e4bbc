import ArgumentParser
import KyniemNotifiers

struct Plugins: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List notifier types: built-in and found in plugin folders.")

    @OptionGroup var config: ConfigOption

    func run() throws {
        let context = try CommandContext.load(config)
        let catalog = context.plugins
        let listing = NotifierRegistry.listing(plugins: catalog)
        let width = listing.map(\.type.count).max() ?? 0
        var out = ""
        for entry in listing {
            out += entry.type.padding(toLength: width + 2) + entry.summary + "  [\(entry.origin)]\n"
        }
        out += "\nsearched: " + (catalog.searchPath.isEmpty ? "(no plugin folders)" : catalog.searchPath.joined(separator: ", ")) + "\n"
        Terminal.out(out)
        if !catalog.problems.isEmpty {
            Terminal.error(catalog.problems.map(\.description).joined(separator: "\n"))
        }
    }
}
