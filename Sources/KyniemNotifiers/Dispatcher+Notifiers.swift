import KyniemConfig
import KyniemCore
import KyniemDispatch
import KyniemPlugins

// The one place that knows every kind of notifier: the dispatcher itself speaks only `Notifier`,
// so it is built here, beside the registry, from the configuration's entries.
extension Dispatcher {
    /// Targets for the configured notifiers. A notifier that cannot be built (a plugin that
    /// vanished since `kyniem check`, a template that no longer parses) fails its own deliveries
    /// with the reason, and the others still send.
    public init(notifiers specs: [NotifierSpec], plugins: PluginCatalog, context: NotifierContext, planner: Planner? = nil) {
        let targets = specs.map { spec -> Target in
            do throws(ConfigurationErrors) {
                let templates = try MessageTemplates.load(for: spec, configDirectory: context.configDirectory).get()
                let notifier = try NotifierRegistry.makeNotifier(for: spec, plugins: plugins, context: context).get()
                return Target(id: spec.id, language: spec.language, notifier: notifier, templates: templates)
            } catch {
                return Target(id: spec.id, language: spec.language, notifier: UnavailableNotifier(reason: error.description))
            }
        }
        self.init(targets: targets, planner: planner)
    }
}
