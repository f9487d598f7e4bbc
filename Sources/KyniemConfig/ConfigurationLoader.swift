import Foundation
import KyniemCore
import KyniemFiles
import KyniemYAML

/// Where the configuration comes from.
public enum ConfigurationSource: Sendable, Equatable, CustomStringConvertible {
    /// A `kyniem.yaml` on disk (absolute path).
    case file(String)
    /// No file anywhere: the bundled calendars and a console notifier, built into the binary.
    case embedded

    /// `--config FILE`, else `./kyniem.yaml`, else `$XDG_CONFIG_HOME/kyniem/kyniem.yaml`
    /// (default `~/.config`), else the embedded default (SPEC.md, fixed).
    public static func locate(
        explicit: String?, currentDirectory: String, environment: [String: String]
    ) -> ConfigurationSource {
        if let explicit { return .file(Paths.absolute(explicit, relativeTo: currentDirectory, environment: environment)) }
        let local = Paths.join(currentDirectory, "kyniem.yaml")
        if FileManager.default.fileExists(atPath: local) { return .file(local) }
        let configHome = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? environment["HOME"].map { Paths.join($0, ".config") }
        if let configHome {
            let user = Paths.join(configHome, "kyniem/kyniem.yaml")
            if FileManager.default.fileExists(atPath: user) { return .file(user) }
        }
        return .embedded
    }

    public var description: String {
        switch self {
        case .file(let path): path
        case .embedded: "embedded default"
        }
    }
}

/// Reads `kyniem.yaml` and its calendars into a validated `Configuration`, or every problem found.
public struct ConfigurationLoader: Sendable {
    public var environment: [String: String]
    /// Bundled calendar files by path under `calendars/` (`vietnam/relations.yaml`).
    public var bundled: [(path: String, text: String)]
    /// Whether sound entries of `events:` lists are decoded straight from libyaml's events
    /// (`ConfigurationReader.fastEvent`); off, every entry takes the tree path. The two give the
    /// same result: tests compare them.
    var decodesEventsFromStream = true
    /// Whether `Configuration.sourceDigest` is computed: a pass over every byte of every file
    /// read (15 ms for 8 MB), wanted only by `kyniem publish`, so other commands turn it off.
    public var digestsSources = true

    public init(environment: [String: String], bundled: [(path: String, text: String)] = BundledCalendars.files) {
        self.environment = environment
        self.bundled = bundled
    }

    /// The configuration used when there is no file: the bundled calendars and a console notifier.
    public static let embeddedDefault = """
        # kyniem's embedded default: Vietnam's bundled calendars and a console notifier.
        home:
          country: VN
          timezone: Asia/Ho_Chi_Minh
          language: vi
          weekend: [saturday, sunday]
        calendars: [bundled:vietnam]
        notifiers:
          - id: console
            type: console

        """

    public func load(_ source: ConfigurationSource) throws(ConfigurationErrors) -> Configuration {
        let result = read(source)
        if let configuration = result.configuration, result.problems.isEmpty { return configuration }
        throw ConfigurationErrors(result.problems)
    }

    /// What one read found: every problem, in file order, and the configuration made of the
    /// parts that were sound (nil when the file could not be read or is not a mapping).
    /// `kyniem check` goes on with it to validate the notifiers and plugins that could be read,
    /// so one pass reports every problem; every other command refuses a configuration with
    /// problems (`load`).
    public struct ReadResult: Sendable {
        public let configuration: Configuration?
        public let problems: [ConfigurationProblem]
    }

    public func read(_ source: ConfigurationSource) -> ReadResult {
        let reader = ConfigurationReader(environment: environment, bundled: bundled)
        reader.decodesEventsFromStream = decodesEventsFromStream
        reader.digestsSources = digestsSources
        let configuration: Configuration?
        switch source {
        case .embedded:
            configuration = reader.read(
                text: Self.embeddedDefault, displayName: "embedded:kyniem.yaml", baseDirectory: nil, path: nil)
        case .file(let path):
            let text: String
            switch Self.readText(atPath: path) {
            case .success(let read): text = read
            case .failure(let failure):
                return ReadResult(
                    configuration: nil,
                    problems: [ConfigurationProblem(nil, "\(path): cannot read the configuration file: \(failure)")])
            }
            configuration = reader.read(
                text: consume text, displayName: Paths.display(path),
                baseDirectory: (path as NSString).deletingLastPathComponent, path: path)
        }
        return ReadResult(configuration: configuration, problems: Self.ordered(reader.problems))
    }
}

extension ConfigurationLoader {
    /// A configuration or calendar file's text (`TextFile.read`).
    static func readText(atPath path: String) -> Result<String, TextFile.Failure> {
        TextFile.read(atPath: path)
    }

    /// File by file in the order the files were first read, each top to bottom.
    static func ordered(_ problems: [ConfigurationProblem]) -> [ConfigurationProblem] {
        var fileOrder: [String: Int] = [:]
        for problem in problems {
            let file = problem.location?.file ?? ""
            if fileOrder[file] == nil { fileOrder[file] = fileOrder.count }
        }
        return problems.enumerated().sorted { a, b in
            let (l, r) = (a.element.location, b.element.location)
            let keyL = (fileOrder[l?.file ?? ""]!, l?.line ?? 0, l?.column ?? 0, a.offset)
            let keyR = (fileOrder[r?.file ?? ""]!, r?.line ?? 0, r?.column ?? 0, b.offset)
            return keyL < keyR
        }.map(\.element)
    }
}

enum Paths {
    static func join(_ base: String, _ rest: String) -> String {
        base.hasSuffix("/") ? base + rest : base + "/" + rest
    }

    /// `~` expanded; relative paths resolved against `base`.
    static func absolute(_ path: String, relativeTo base: String, environment: [String: String]) -> String {
        var path = path
        if path == "~" || path.hasPrefix("~/") {
            let home = environment["HOME"] ?? NSHomeDirectory()
            path = home + path.dropFirst()
        }
        if path.hasPrefix("/") { return (path as NSString).standardizingPath }
        return (join(base, path) as NSString).standardizingPath
    }

    /// A path as errors show it: relative to the current folder when it is inside it.
    static func display(_ path: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath
        let prefix = cwd.hasSuffix("/") ? cwd : cwd + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }
}
