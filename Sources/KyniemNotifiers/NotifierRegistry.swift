import Foundation
import KyniemConfig
import KyniemCore

/// A notifier type built into kyniem.
public struct BuiltInNotifier: Sendable {
    public let type: String
    public let summary: String
    /// Settings the type cannot do without.
    public let requiredSettings: [String]
    let make: @Sendable (NotifierSpec, NotifierContext) -> any Notifier
}

/// One line of `kyniem plugins`.
public struct NotifierTypeListing: Sendable, Hashable {
    public let type: String
    /// `built-in`, or the plugin folder.
    public let origin: String
    public let summary: String
}

/// The notifier types, keyed by `type:`: the built-ins in a static table, then the plugins
/// discovered in the search path (`PluginCatalog`). No mutable global state: adding a built-in
/// type is one entry in `builtIns`.
public enum NotifierRegistry {
    public static let builtIns: [String: BuiltInNotifier] = [
        "console": BuiltInNotifier(
            type: "console", summary: "prints the run's digest on the terminal", requiredSettings: [],
            make: { _, context in ConsoleNotifier(write: context.console) }),
        "file": BuiltInNotifier(
            type: "file", summary: "appends a Markdown digest per day and deliveries.jsonl to the folder `path:`",
            requiredSettings: ["path"],
            make: { spec, context in FileNotifier(folder: context.resolve(spec.options["path"] ?? ".")) }),
    ]

    /// Types people expect from other tools, and what to use instead.
    static let hints: [String: String] = [
        "webhook": "send webhooks through the apprise plugin (`type: apprise`, with `urls_env:` naming a json://, slack://, … URL)",
        "email": "send e-mail through the apprise plugin (`type: apprise`, with a mailto:// URL in `urls_env:`)",
        "slack": "use the apprise plugin (`type: apprise`) with a slack:// URL",
        "telegram": "use the apprise plugin (`type: apprise`) with a tgram:// URL",
        "teams": "use the apprise plugin (`type: apprise`) with a msteams:// URL",
    ]

    /// Every notifier type, built-ins first, for `kyniem plugins`.
    public static func listing(plugins: PluginCatalog) -> [NotifierTypeListing] {
        let builtIn = builtIns.values.sorted { $0.type < $1.type }.map {
            NotifierTypeListing(type: $0.type, origin: "built-in", summary: $0.summary)
        }
        let external = plugins.plugins.filter { builtIns[$0.name] == nil }.map {
            NotifierTypeListing(
                type: $0.name, origin: $0.directory,
                summary: "plugin: \(($0.executable as NSString).lastPathComponent), timeout \(PluginNotifier.duration($0.timeoutMilliseconds))")
        }
        return builtIn + external
    }

    /// The checks of `kyniem check` for `notifiers:`, every problem at once: unknown types (with
    /// "did you mean"), missing settings, duplicate ids, template files, bad plugin manifests in
    /// the search path, and plugins whose executable is missing or not executable.
    /// `pluginDirectories` is the whole search path (see `PluginCatalog.searchPath`).
    public static func validate(
        _ specs: [NotifierSpec], pluginDirectories: [String], configDirectory: String? = nil
    ) -> [ConfigurationProblem] {
        validate(specs, plugins: PluginCatalog.discover(in: pluginDirectories), configDirectory: configDirectory)
    }

    public static func validate(
        _ specs: [NotifierSpec], plugins: PluginCatalog, configDirectory: String?
    ) -> [ConfigurationProblem] {
        var problems = plugins.problems
        for plugin in plugins.plugins {
            if builtIns[plugin.name] != nil {
                problems.append(ConfigurationProblem(
                    SourceLocation(file: plugin.manifestPath, line: 1, column: 1),
                    "plugin `\(plugin.name)` has the name of a built-in notifier type and is never used; rename it"))
            }
        }
        var seen: [String: SourceLocation] = [:]
        var checkedPlugins = Set<String>()
        for spec in specs {
            if let first = seen[spec.id] {
                problems.append(ConfigurationProblem(
                    spec.location, "notifier id `\(spec.id)` is already used at \(first); ids must be unique"))
            } else {
                seen[spec.id] = spec.location
            }
            if let builtIn = builtIns[spec.type] {
                for setting in builtIn.requiredSettings where (spec.options[setting] ?? "").isEmpty {
                    problems.append(ConfigurationProblem(
                        spec.location, "notifier `\(spec.id)` (type \(spec.type)) needs `\(setting):`"))
                }
            } else if let plugin = plugins.plugin(named: spec.type) {
                if checkedPlugins.insert(plugin.name).inserted, let problem = plugin.executableProblem {
                    problems.append(problem)
                }
                problems.append(contentsOf: environmentProblems(spec))
            } else {
                problems.append(ConfigurationProblem(
                    spec.optionLocations["type"] ?? spec.location, unknownType(spec.type, plugins: plugins)))
            }
            if case .failure(let errors) = MessageTemplates.load(for: spec, configDirectory: configDirectory) {
                problems.append(contentsOf: errors.problems)
            }
        }
        return problems
    }

    /// A `*_env: NAME` setting whose NAME is not in `env:` would reach the plugin unset.
    static func environmentProblems(_ spec: NotifierSpec) -> [ConfigurationProblem] {
        spec.options.keys.sorted().filter { $0.hasSuffix("_env") }.compactMap { setting in
            guard let name = spec.options[setting], !name.isEmpty, !spec.environment.contains(name) else { return nil }
            return ConfigurationProblem(
                spec.optionLocations[setting] ?? spec.location,
                "notifier `\(spec.id)`: \(setting) names \(name), which is not in its `env:` list, so the plugin would not see it; add `env: [\(name)]`")
        }
    }

    static func unknownType(_ type: String, plugins: PluginCatalog) -> String {
        var message = "unknown notifier type `\(type)`"
        if let hint = hints[type] {
            return message + "; \(hint)"
        }
        let known = builtIns.keys.sorted() + plugins.plugins.map(\.name)
        if let suggestion = Suggestion.closest(to: type, among: known) {
            message += "; did you mean `\(suggestion)`?"
        }
        message += " (known: \(known.joined(separator: ", ")); plugins are searched in "
        message += plugins.searchPath.isEmpty ? "no existing folder)" : plugins.searchPath.joined(separator: ", ") + ")"
        return message
    }

    /// The notifier for `spec`, or why there is none (a configuration that passed `validate`
    /// always has one, unless files changed in between).
    public static func makeNotifier(
        for spec: NotifierSpec, plugins: PluginCatalog, context: NotifierContext
    ) -> Result<any Notifier, ConfigurationErrors> {
        if let builtIn = builtIns[spec.type] {
            let missing = builtIn.requiredSettings.filter { (spec.options[$0] ?? "").isEmpty }
            guard missing.isEmpty else {
                return .failure(ConfigurationErrors(missing.map {
                    ConfigurationProblem(spec.location, "notifier `\(spec.id)` (type \(spec.type)) needs `\($0):`")
                }))
            }
            return .success(builtIn.make(spec, context))
        }
        if let plugin = plugins.plugin(named: spec.type) {
            if let problem = plugin.executableProblem { return .failure(ConfigurationErrors([problem])) }
            return .success(PluginNotifier(plugin: plugin, spec: spec, context: context))
        }
        return .failure(ConfigurationErrors([ConfigurationProblem(spec.location, unknownType(spec.type, plugins: plugins))]))
    }
}
