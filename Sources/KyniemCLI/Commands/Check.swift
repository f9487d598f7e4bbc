import ArgumentParser
import KyniemConfig
import KyniemNotifiers

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate configuration, calendars and plugins; report every problem.")

    @OptionGroup var config: ConfigOption

    func run() throws {
        let context = try CommandContext.load(config)
        let configuration = context.configuration
        let problems = NotifierRegistry.validate(
            configuration.notifiers,
            pluginDirectories: PluginDirectories.search(configured: configuration.pluginDirectories, environment: context.environment))
        guard problems.isEmpty else { throw CommandFailure.invalid(CommandContext.report(problems)) }
        let catalog = configuration.catalog
        Terminal.out("""
            \(context.source): ok — \(catalog.events.count) events, \(catalog.countries.count) countries, \
            \(configuration.checklists.templates.count) checklist templates, \(configuration.notifiers.count) notifiers\n
            """)
    }
}
