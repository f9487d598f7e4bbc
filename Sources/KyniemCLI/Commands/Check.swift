import ArgumentParser
import Foundation
import KyniemConfig
import KyniemNotifiers
import KyniemPlugins

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", _superCommandName: "kyniem", abstract: "Validate configuration, calendars and plugins; report every problem.")

    @OptionGroup var config: ConfigOption

    func run() throws {
        try request.run()
    }

    /// The options' values, as argument-parser read them.
    var request: Request { Request(config: config.config) }

    /// What `kyniem check` was asked: from argument-parser (`request`), or, given only
    /// `--config FILE` or nothing, straight from the arguments (`init?(plain:)`, as
    /// `Upcoming.Request`).
    struct Request: Equatable {
        var config: String?
    }
}

extension Check.Request: PlainRequest {
    init?(plain arguments: ArraySlice<String>) {
        guard let values = PlainArguments.options(arguments, single: ["config"], repeated: []) else { return nil }
        config = values["config"]?.first
    }

    /// One pass that reports every problem (SPEC.md, fixed): the configuration's and its
    /// calendars', then, even when those have problems, the plugins' and those of every
    /// notifier entry that could itself be read.
    func run() throws {
        let environment = CommandContext.processEnvironment()
        let source = ConfigurationSource.locate(
            explicit: config, currentDirectory: FileManager.default.currentDirectoryPath,
            environment: environment)
        let read = ConfigurationLoader(environment: environment).read(source)
        var problems = read.problems
        guard let configuration = read.configuration else {
            throw CommandFailure.invalid(CommandContext.report(problems))
        }
        let context = CommandContext(configuration: configuration, source: source, environment: environment)
        // `validate` lists the plugin catalogue's own problems first.
        problems += NotifierRegistry.validate(
            configuration.notifiers, plugins: context.plugins, configDirectory: context.configDirectory)
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
