import ArgumentParser
import Foundation
import KyniemNotifiers
import KyniemPlugins

struct Plugins: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins", _superCommandName: "kyniem", abstract: "List notifier types: built-in and found in plugin folders.")

    @OptionGroup var config: ConfigOption

    func run() throws {
        let context = try CommandContext.load(config)
        let catalog = context.plugins
        let locations = PluginCatalog.searchLocations(
            configured: context.configuration.pluginDirectories, environment: context.environment)
        func origin(of folder: String) -> String {
            let parent = (folder as NSString).deletingLastPathComponent
            return locations.first { $0.path == parent }.map { " (\($0.origin.rawValue))" } ?? ""
        }
        let listing = NotifierRegistry.listing(plugins: catalog)
        let width = listing.map(\.type.count).max() ?? 0
        var out = ""
        for entry in listing {
            let found = entry.origin == "built-in" ? entry.origin : entry.origin + origin(of: entry.origin)
            out += entry.type.padding(toLength: width + 2) + entry.summary + "  [\(found)]\n"
        }
        out += "\nsearched, in order:\n"
        for location in locations {
            let exists = catalog.searchPath.contains(location.path) ? "" : ", missing"
            out += "  \(location.path) (\(location.origin.rawValue)\(exists))\n"
        }
        Terminal.out(out)
        if !catalog.problems.isEmpty {
            Terminal.error(catalog.problems.map(\.description).joined(separator: "\n"))
        }
    }
}
