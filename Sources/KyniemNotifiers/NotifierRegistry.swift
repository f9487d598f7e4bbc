import Foundation
import KyniemConfig
import KyniemCore
import KyniemDispatch
import KyniemPlugins
import KyniemTransports
import KyniemYAML

/// A notifier type built into kyniem.
public struct BuiltInNotifier: Sendable {
    public let type: String
    public let summary: String
    /// The type's own checks of its settings (nested ones included), for `kyniem check` and
    /// before a run builds the notifier.
    let check: @Sendable (NotifierSpec) -> [ConfigurationProblem]
    /// Checks of the files the settings name (a `ca_file:`), relative to the configuration's
    /// folder: `kyniem check` runs them; a run meets such a problem when it sends.
    let checkFiles: @Sendable (NotifierSpec, _ configDirectory: String?) -> [ConfigurationProblem]
    let make: @Sendable (NotifierSpec, NotifierContext) -> any Notifier

    init(
        type: String, summary: String,
        check: @escaping @Sendable (NotifierSpec) -> [ConfigurationProblem] = { _ in [] },
        checkFiles: @escaping @Sendable (NotifierSpec, String?) -> [ConfigurationProblem] = { _, _ in [] },
        make: @escaping @Sendable (NotifierSpec, NotifierContext) -> any Notifier
    ) {
        self.type = type
        self.summary = summary
        self.check = check
        self.checkFiles = checkFiles
        self.make = make
    }
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
            type: "console", summary: "prints the run's digest on the terminal",
            check: { spec in
                // Only the common settings: a misspelt `templat:` must not pass silently here either.
                var settings = NotifierSettings(spec)
                settings.rejectUnknownKeys([])
                return settings.problems
            },
            make: { _, context in ConsoleNotifier(write: context.console, failure: context.consoleFailure) }),
        "file": BuiltInNotifier(
            type: "file", summary: "appends a Markdown digest per day and deliveries.jsonl to the folder `path:`",
            check: { spec in FileNotifier.folder(spec).problems },
            make: { spec, context in
                switch FileNotifier.folder(spec) {
                case .success(let path): return FileNotifier(folder: context.resolve(path))
                case .failure(let errors): return UnavailableNotifier(reason: errors.description)
                }
            }),
        "webhook": BuiltInNotifier(
            type: "webhook",
            summary: "POSTs JSON (generic, slack, teams, telegram, mattermost) to the URL in the variable `url_env:`",
            check: { spec in WebhookNotifier.configuration(spec).problems },
            checkFiles: { spec, directory in
                NotifierRegistry.caFileProblems(
                    (try? WebhookNotifier.configuration(spec).get())?.caFile, at: NotifierSettings(spec).location("ca_file"),
                    of: spec, configDirectory: directory)
            },
            make: { spec, context in
                switch WebhookNotifier.configuration(spec) {
                case .success(var configuration):
                    configuration.caFile = configuration.caFile.map(context.resolve)
                    return WebhookNotifier(configuration: configuration, environment: context.environment)
                case .failure(let errors):
                    return UnavailableNotifier(reason: errors.description)
                }
            }),
        "email": BuiltInNotifier(
            type: "email",
            summary: "sends the run's digest as one e-mail over SMTP (`from:`, `to:`, `smtp: {host, port, starttls, tls, user, password_env}`)",
            check: { spec in EmailNotifier.configuration(spec).problems },
            checkFiles: { spec, directory in
                var settings = NotifierSettings(spec)
                return NotifierRegistry.caFileProblems(
                    (try? EmailNotifier.configuration(spec).get())?.caFile, at: settings.map("smtp")?.location("ca_file") ?? spec.location,
                    of: spec, configDirectory: directory)
            },
            make: { spec, context in
                switch EmailNotifier.configuration(spec) {
                case .success(var configuration):
                    configuration.caFile = configuration.caFile.map(context.resolve)
                    return EmailNotifier(configuration: configuration, environment: context.environment)
                case .failure(let errors):
                    return UnavailableNotifier(reason: errors.description)
                }
            }),
    ]

    /// Types people expect from other tools, and what to use instead.
    static let hints: [String: String] = [
        "slack": "use `type: webhook` with `format: slack`",
        "mattermost": "use `type: webhook` with `format: mattermost`",
        "telegram": "use `type: webhook` with `format: telegram` and `chat_id:`",
        "teams": "use `type: webhook` with `format: teams`",
        "smtp": "use `type: email`",
        "mail": "use `type: email`",
    ]

    /// Every notifier type, built-ins first, for `kyniem plugins`.
    public static func listing(plugins: PluginCatalog) -> [NotifierTypeListing] {
        let builtIn = builtIns.values.sorted { $0.type < $1.type }.map {
            NotifierTypeListing(type: $0.type, origin: "built-in", summary: $0.summary)
        }
        let external = plugins.plugins.filter { builtIns[$0.name] == nil }.map {
            NotifierTypeListing(
                type: $0.name, origin: $0.directory,
                summary: "plugin: \(($0.executable as NSString).lastPathComponent), timeout \(TimeoutText.describe($0.timeoutMilliseconds)), protocol \($0.protocolVersion)")
        }
        return builtIn + external
    }

    /// The checks of `kyniem check` for `notifiers:`, every problem at once: unknown types (with
    /// "did you mean"), missing settings, duplicate ids, template files, bad plugin manifests in
    /// the search path, plugins whose executable is missing or not executable, and plugins that
    /// every user could change (a world-writable folder, manifest or executable).
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
                problems.append(contentsOf: builtIn.check(spec))
                problems.append(contentsOf: builtIn.checkFiles(spec, configDirectory))
            } else if let plugin = plugins.plugin(named: spec.type) {
                if checkedPlugins.insert(plugin.name).inserted {
                    problems.append(contentsOf: plugin.runProblems)
                }
                problems.append(contentsOf: PluginNotifier.settingsObject(for: spec).problems)
                problems.append(contentsOf: environmentProblems(spec))
            } else {
                problems.append(ConfigurationProblem(
                    NotifierSettings(spec).location("type"), unknownType(spec.type, plugins: plugins)))
            }
            if case .failure(let errors) = MessageTemplates.load(for: spec, configDirectory: configDirectory) {
                problems.append(contentsOf: errors.problems)
            }
            problems.append(contentsOf: MessageTemplates.variableProblems(for: spec, configDirectory: configDirectory))
        }
        return problems
    }

    /// A `ca_file:` (webhook, or email's `smtp.ca_file:`) that does not load as certificates,
    /// resolved against the configuration's folder as sending resolves it; at the setting's value.
    static func caFileProblems(
        _ caFile: String?, at location: SourceLocation, of spec: NotifierSpec, configDirectory: String?
    ) -> [ConfigurationProblem] {
        guard let caFile, let reason = TLSStream.caFileProblem(PathText.resolve(caFile, against: configDirectory)) else {
            return []
        }
        return [ConfigurationProblem(location, "notifier `\(spec.id)`: cannot use ca_file \(caFile): \(reason)")]
    }

    /// A plugin's `*_env: NAME` settings, read typed like a built-in's: NAME must be one name of
    /// an environment variable (not a list, not `MY-TOKEN`), and a NAME that is not in `env:`
    /// would reach the plugin unset. Each problem stands at the setting's value.
    static func environmentProblems(_ spec: NotifierSpec) -> [ConfigurationProblem] {
        var settings = NotifierSettings(spec)
        var problems: [ConfigurationProblem] = []
        for setting in settings.keys where setting.hasSuffix("_env") {
            let before = settings.problems.count
            let name = settings.environmentName(setting)
            problems += settings.problems[before...]
            guard let name, !spec.environment.contains(name) else { continue }
            problems.append(ConfigurationProblem(
                settings.location(setting),
                "notifier `\(spec.id)`: \(setting) names \(name), which is not in its `env:` list, so the plugin would not see it; add `env: [\(name)]`"))
        }
        return problems
    }

    static func unknownType(_ type: String, plugins: PluginCatalog) -> String {
        var message = "unknown notifier type `\(type)`"
        if let hint = hints[type] {
            return message + "; \(hint)"
        }
        let known = builtIns.keys.sorted() + plugins.plugins.map(\.name)
        if let suggestion = closestKey(to: type, among: known) {
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
            let problems = builtIn.check(spec)
            guard problems.isEmpty else { return .failure(ConfigurationErrors(problems)) }
            return .success(builtIn.make(spec, context))
        }
        if let plugin = plugins.plugin(named: spec.type) {
            let settings = PluginNotifier.settingsObject(for: spec)
            let problems = plugin.runProblems + settings.problems
            guard problems.isEmpty, case .success(let object) = settings else { return .failure(ConfigurationErrors(problems)) }
            return .success(PluginNotifier(plugin: plugin, spec: spec, settings: object, context: context))
        }
        return .failure(ConfigurationErrors([ConfigurationProblem(spec.location, unknownType(spec.type, plugins: plugins))]))
    }
}

extension Result where Failure == ConfigurationErrors {
    /// The problems of a failure; none for a success.
    var problems: [ConfigurationProblem] {
        if case .failure(let errors) = self { return errors.problems }
        return []
    }
}
