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
            let templates: MessageTemplates
            switch MessageTemplates.load(for: spec, configDirectory: context.configDirectory) {
            case .success(let loaded): templates = loaded
            case .failure(let errors):
                return Target(
                    id: spec.id, language: spec.language, notifier: UnavailableNotifier(reason: errors.description))
            }
            switch NotifierRegistry.makeNotifier(for: spec, plugins: plugins, context: context) {
            case .success(let notifier):
                return Target(id: spec.id, language: spec.language, notifier: notifier, templates: templates)
            case .failure(let errors):
                return Target(
                    id: spec.id, language: spec.language, notifier: UnavailableNotifier(reason: errors.description))
            }
        }
        self.init(targets: targets, planner: planner)
    }
}
