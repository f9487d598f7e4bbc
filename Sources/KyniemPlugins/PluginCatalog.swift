import Foundation
import KyniemConfig
import KyniemDispatch

/// The plugins found in the search path (`searchLocations`): the configuration's `plugins:`
/// folders first, then `$KYNIEM_PLUGIN_PATH`, the installed ones, and a source checkout's. The first plugin of a name wins; later ones of the same name are shadowed.
public struct PluginCatalog: Sendable {
    /// Usable plugins (a valid manifest), in search order, one per name.
    public let plugins: [PluginManifest]
    /// Valid plugins hidden by an earlier one of the same name.
    public let shadowed: [PluginManifest]
    /// Manifests that do not parse (reported by `kyniem check`).
    public let problems: [ConfigurationProblem]
    /// The folders searched, in order (only those that exist).
    public let searchPath: [String]

    public init(plugins: [PluginManifest], shadowed: [PluginManifest] = [], problems: [ConfigurationProblem] = [], searchPath: [String] = []) {
        self.plugins = plugins
        self.shadowed = shadowed
        self.problems = problems
        self.searchPath = searchPath
    }

    public static let empty = PluginCatalog(plugins: [])

    public func plugin(named name: String) -> PluginManifest? { plugins.first { $0.name == name } }

    /// Reads `*/plugin.yaml` in each folder, in order.
    public static func discover(in directories: [String]) -> PluginCatalog {
        var plugins: [PluginManifest] = []
        var shadowed: [PluginManifest] = []
        var problems: [ConfigurationProblem] = []
        var searched: [String] = []
        let files = FileManager.default
        for directory in directories {
            var isFolder: ObjCBool = false
            guard files.fileExists(atPath: directory, isDirectory: &isFolder), isFolder.boolValue else { continue }
            searched.append(directory)
            let children = ((try? files.contentsOfDirectory(atPath: directory)) ?? []).sorted()
            for child in children where !child.hasPrefix(".") {
                let manifest = ((directory as NSString).appendingPathComponent(child) as NSString)
                    .appendingPathComponent("plugin.yaml")
                guard files.fileExists(atPath: manifest) else { continue }
                switch PluginManifest.load(path: manifest) {
                case .success(let plugin):
                    if plugins.contains(where: { $0.name == plugin.name }) {
                        shadowed.append(plugin)
                    } else {
                        plugins.append(plugin)
                    }
                case .failure(let errors):
                    problems.append(contentsOf: errors.problems)
                }
            }
        }
        return PluginCatalog(plugins: plugins, shadowed: shadowed, problems: problems, searchPath: searched)
    }

    /// Where a folder of the search path comes from, as `kyniem plugins` shows it.
    public enum Origin: String, Sendable {
        case configuration = "plugins: in the configuration"
        case environment = "KYNIEM_PLUGIN_PATH"
        case installed = "installed"
        case checkout = "source checkout"
    }

    /// The folders to search, in order, each once, with where it comes from:
    /// 1. `configured` — the configuration's `plugins:` folders (absolute);
    /// 2. each folder of `$KYNIEM_PLUGIN_PATH` (colon-separated);
    /// 3. the installed plugins: `<prefix>/share/kyniem/plugins` for the prefix the executable is
    ///    installed under (`<prefix>/bin/kyniem`, symbolic links resolved: /proc/self/exe), then
    ///    `/usr/local/share/kyniem/plugins` and `/usr/share/kyniem/plugins`;
    /// 4. a source checkout's `plugins/`: the nearest folder above the executable that holds both
    ///    `Package.swift` and `plugins/` (`swift run` and `swift test` run binaries from
    ///    `<checkout>/.build/…`). Found from where the binary is, never from where it was built,
    ///    so an installed binary does not read a build machine's folders.
    public static func searchLocations(
        configured: [String], environment: [String: String], executablePath: String? = currentExecutablePath()
    ) -> [(path: String, origin: Origin)] {
        var folders = configured.map { (path: $0, origin: Origin.configuration) }
        if let extra = environment["KYNIEM_PLUGIN_PATH"] {
            folders += extra.split(separator: ":").map(String.init).filter { !$0.isEmpty }.map { ($0, .environment) }
        }
        if let executablePath {
            let bin = PathText.directory(of: (executablePath as NSString).resolvingSymlinksInPath)
            folders.append(((bin as NSString).appendingPathComponent("../share/kyniem/plugins"), .installed))
        }
        folders += installedPlugins.map { ($0, .installed) }
        if let executablePath, let checkout = checkoutPlugins(above: executablePath) {
            folders.append((checkout, .checkout))
        }
        var seen = Set<String>()
        return folders.map { (PathText.resolve($0.path, against: nil), $0.origin) }.filter { seen.insert($0.0).inserted }
    }

    /// The folders of `searchLocations`, in order.
    public static func searchPath(
        configured: [String], environment: [String: String], executablePath: String? = currentExecutablePath()
    ) -> [String] {
        searchLocations(configured: configured, environment: environment, executablePath: executablePath).map(\.path)
    }

    /// Discovers plugins in `searchPath(configured:environment:executablePath:)`.
    public static func discover(
        configured: [String], environment: [String: String], executablePath: String? = currentExecutablePath()
    ) -> PluginCatalog {
        discover(in: searchPath(configured: configured, environment: environment, executablePath: executablePath))
    }

    /// Where packages and `make install`-style installs put the bundled plugins.
    public static let installedPlugins = ["/usr/local/share/kyniem/plugins", "/usr/share/kyniem/plugins"]

    /// `<checkout>/plugins` for the nearest folder above `executablePath` (at most 8 levels) that
    /// holds `Package.swift` and `plugins/`; nil for an installed binary.
    public static func checkoutPlugins(above executablePath: String) -> String? {
        var folder = PathText.directory(of: (executablePath as NSString).resolvingSymlinksInPath)
        let files = FileManager.default
        for _ in 0..<8 {
            let plugins = (folder as NSString).appendingPathComponent("plugins")
            var isFolder: ObjCBool = false
            if files.fileExists(atPath: (folder as NSString).appendingPathComponent("Package.swift")),
                files.fileExists(atPath: plugins, isDirectory: &isFolder), isFolder.boolValue
            {
                return plugins
            }
            let parent = PathText.directory(of: folder)
            if parent == folder || parent.isEmpty { break }
            folder = parent
        }
        return nil
    }

    /// The running executable, symbolic links resolved (Linux: /proc/self/exe).
    public static func currentExecutablePath() -> String? {
        #if os(Linux)
        if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return resolved
        }
        #endif
        return Bundle.main.executablePath
    }
}
