import ArgumentParser
import Foundation
import KyniemConfig
import KyniemNotifiers

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate configuration, calendars and plugins; report every problem.")

    @OptionGroup var config: ConfigOption

    func run() throws {
        let context = try CommandContext.load(config)
        let configuration = context.configuration
        let plugins = context.plugins
        let problems = plugins.problems + NotifierRegistry.validate(
            configuration.notifiers, plugins: plugins, configDirectory: context.configDirectory)
        guard problems.isEmpty else { throw CommandFailure.invalid(CommandContext.report(problems)) }
        let catalog = configuration.catalog
        Terminal.out("""
            \(context.source): ok — \(catalog.events.count) events, \(catalog.countries.count) countries, \
            \(configuration.checklists.templates.count) checklist templates, \(configuration.notifiers.count) notifiers\n
            """)
    }
}

extension CommandContext {
    /// The configuration file's folder: relative paths in notifier settings resolve here.
    var configDirectory: String? {
        configuration.sourcePath.map { ($0 as NSString).deletingLastPathComponent }
    }

    /// Plugin folders: the configuration's, then `$KYNIEM_PLUGIN_PATH`, then the bundled ones.
    var plugins: PluginCatalog {
        PluginCatalog.discover(configured: configuration.pluginDirectories, environment: environment)
    }
}
