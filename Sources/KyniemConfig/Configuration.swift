import KyniemCore
@_exported import struct KyniemYAML.Mark
import KyniemYAML

/// Where a value stood in a file: every problem is reported as `file:line:column: message`.
/// The YAML reader's marks are exactly that, so the configuration speaks in them too.
public typealias SourceLocation = Mark

/// One problem found in the configuration, calendars or plugins.
public struct ConfigurationProblem: Error, Hashable, Sendable, CustomStringConvertible {
    public let location: SourceLocation?
    public let message: String

    public init(_ location: SourceLocation?, _ message: String) {
        self.location = location
        self.message = message
    }

    public var description: String {
        location.map { "\($0): \(message)" } ?? message
    }
}

/// Every problem of one load, so `kyniem check` can list them all (exit 2).
public struct ConfigurationErrors: Error, Sendable, CustomStringConvertible {
    public let problems: [ConfigurationProblem]

    public init(_ problems: [ConfigurationProblem]) { self.problems = problems }

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

public struct Home: Sendable, Hashable {
    public var country: String
    /// An IANA zone name; the CLI applies it once to find "today".
    public var timeZone: String
    public var language: Language
    public var weekend: Set<Weekday>

    public init(country: String, timeZone: String, language: Language, weekend: Set<Weekday>) {
        self.country = country
        self.timeZone = timeZone
        self.language = language
        self.weekend = weekend
    }

    public static let vietnam = Home(
        country: "VN", timeZone: "Asia/Ho_Chi_Minh", language: .vi, weekend: [.saturday, .sunday])
}

/// One entry of `notifiers:`, as written. The notifier registry validates the type-specific settings.
public struct NotifierSpec: Sendable, Hashable {
    public let id: String
    public let type: String
    public let language: Language
    public let filter: DeliveryFilter
    /// Names of environment variables passed to an external plugin (`env:`).
    public let environment: [String]
    public let location: SourceLocation
    /// The entry as written (a mapping, every value with its mark), which each notifier type reads
    /// with its own types (KyniemNotifiers' `NotifierSettings`: the one way settings are read);
    /// nil for an entry kyniem made itself (the default console).
    public let settings: YAMLNode?

    public init(
        id: String, type: String, language: Language, filter: DeliveryFilter, environment: [String],
        location: SourceLocation, settings: YAMLNode? = nil
    ) {
        self.id = id
        self.type = type
        self.language = language
        self.filter = filter
        self.environment = environment
        self.location = location
        self.settings = settings
    }

    public var route: Route { Route(notifier: id, language: language, filter: filter) }
}

/// A validated configuration: everything the commands need, as core values.
public struct Configuration: Sendable {
    public var home: Home
    public var catalog: Catalog
    public var reminders: Reminders
    public var checklists: Checklists
    public var workingDays: WorkingDayAdjustments
    public var notifiers: [NotifierSpec]
    /// Absolute path of the SQLite ledger.
    public var statePath: String
    public var catchUpDays: Int
    /// `run_timeout:` — the bound of a whole `kyniem run`, in seconds (SPEC.md, Dispatch).
    public var runTimeoutSeconds: Int = Configuration.defaultRunTimeoutSeconds
    /// Plugin folders named by the configuration (absolute), searched before the bundled ones.
    public var pluginDirectories: [String]
    /// The configuration file, or nil for the embedded default.
    public var sourcePath: String?
    /// `publish: {base_url: …}`: the published site's address, no trailing slash.
    public var publishBaseURL: String?
    /// A fingerprint of the configuration file's and every calendar file's text (FNV-1a): equal
    /// digests, from the same kyniem, give equal configurations. Empty for one built in code, or
    /// read without it (`ConfigurationLoader.digestsSources`).
    public var sourceDigest = ""

    public init(
        home: Home, catalog: Catalog, reminders: Reminders, checklists: Checklists,
        workingDays: WorkingDayAdjustments, notifiers: [NotifierSpec], statePath: String, catchUpDays: Int,
        pluginDirectories: [String], sourcePath: String?
    ) {
        self.home = home
        self.catalog = catalog
        self.reminders = reminders
        self.checklists = checklists
        self.workingDays = workingDays
        self.notifiers = notifiers
        self.statePath = statePath
        self.catchUpDays = catchUpDays
        self.pluginDirectories = pluginDirectories
        self.sourcePath = sourcePath
    }

    /// 15 minutes: a day's digest takes seconds, and Apprise's e-mail pacing (~5.5 s a message)
    /// fits a hundred messages; cron's next day is far off.
    public static let defaultRunTimeoutSeconds = 900
    /// From 10 seconds to 24 hours: a daily job must end before the next day's starts.
    public static let runTimeoutRange = 10...86_400

    public var planner: Planner {
        Planner(
            catalog: catalog, reminders: reminders, checklists: checklists, weekend: home.weekend,
            adjustments: workingDays, routes: notifiers.map(\.route))
    }
}

/// The base URL of a published site (`publish: {base_url}`, `kyniem publish --base-url`).
public enum PublishURL {
    /// `text` without its trailing slashes when it is an http(s) URL with a host and no space,
    /// quote or angle bracket (it goes into HTML attributes and ICS links as it is), else nil.
    public static func normalized(_ text: String) -> String? {
        var url = Substring(text)
        while url.hasSuffix("/") { url = url.dropLast() }
        let scheme = url.hasPrefix("https://") ? "https://" : url.hasPrefix("http://") ? "http://" : nil
        guard let scheme, url.count > scheme.count else { return nil }
        let forbidden: Set<Character> = [" ", "\"", "'", "<", ">", "\\", "`", "#", "?"]
        guard !url.contains(where: { forbidden.contains($0) || $0.isNewline || $0.asciiValue.map { $0 < 0x20 || $0 == 0x7F } == true })
        else { return nil }
        return String(url)
    }
}
