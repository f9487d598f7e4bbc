import Foundation
import KyniemConfig

/// The plugins found in the search path: the configuration's `plugins:` folders first, then the
/// bundled ones. The first plugin of a name wins; later ones of the same name are shadowed.
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

    /// The folders to search, in order, without duplicates:
    /// 1. `configured` — the configuration's `plugins:` folders (absolute);
    /// 2. each folder of `$KYNIEM_PLUGIN_PATH` (colon-separated);
    /// 3. `plugins/` beside the executable, then `../share/kyniem/plugins` from the executable's
    ///    folder (an installed layout: `bin/kyniem`, `share/kyniem/plugins/`);
    /// 4. the source checkout's `plugins/`, so `swift run` and the tests find the bundled plugins.
    public static func searchPath(
        configured: [String], environment: [String: String], executablePath: String? = currentExecutablePath()
    ) -> [String] {
        var folders = configured
        if let extra = environment["KYNIEM_PLUGIN_PATH"] {
            folders += extra.split(separator: ":").map(String.init).filter { !$0.isEmpty }
        }
        if let executablePath {
            let bin = PathText.directory(of: (executablePath as NSString).resolvingSymlinksInPath)
            folders.append((bin as NSString).appendingPathComponent("plugins"))
            folders.append((bin as NSString).appendingPathComponent("../share/kyniem/plugins"))
        }
        folders.append(sourceCheckoutPlugins)
        var seen = Set<String>()
        return folders.map { PathText.resolve($0, against: nil) }.filter { seen.insert($0).inserted }
    }

    /// Discovers plugins in `searchPath(configured:environment:executablePath:)`.
    public static func discover(
        configured: [String], environment: [String: String], executablePath: String? = currentExecutablePath()
    ) -> PluginCatalog {
        discover(in: searchPath(configured: configured, environment: environment, executablePath: executablePath))
    }

    /// `<checkout>/plugins`, from this source file's place in `Sources/KyniemNotifiers/`.
    public static let sourceCheckoutPlugins: String = {
        let file = "\(#filePath)" as NSString
        let checkout = ((file.deletingLastPathComponent as NSString).deletingLastPathComponent as NSString)
            .deletingLastPathComponent
        return (checkout as NSString).appendingPathComponent("plugins")
    }()

    public static func currentExecutablePath() -> String? {
        Bundle.main.executablePath
    }
}
