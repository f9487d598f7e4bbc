import Foundation
import KyniemConfig
import KyniemCore
import KyniemDispatch
import KyniemFiles
import KyniemYAML

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A plugin folder's `plugin.yaml`:
/// ```yaml
/// name: telegram
/// type: notifier
/// executable: ./notify      # relative to the plugin folder; run directly, never through a shell
/// timeout: 30s
/// protocol: 2              # optional: 1 (the default) or 2
/// ```
public struct PluginManifest: Sendable, Hashable {
    /// The notifier `type:` that selects this plugin.
    public let name: String
    /// Always `notifier` for now.
    public let kind: String
    /// Absolute path of the executable.
    public let executable: String
    public let timeoutMilliseconds: Int
    /// The plugin protocol it speaks (SPEC.md, "Plugin protocol"): 1, one answer at the end; 2,
    /// one line per delivery as each outcome is known.
    public let protocolVersion: Int
    /// The plugin folder.
    public let directory: String
    /// The `plugin.yaml` file.
    public let manifestPath: String
    /// Where `executable:` stood, for errors about it.
    public let executableLocation: SourceLocation

    public static let defaultTimeoutMilliseconds = 30_000
    static let keys = ["name", "type", "executable", "timeout", "protocol"]
    public static let protocolVersions = [1, 2]

    /// Parses a manifest with KyniemYAML's typed reader, as the configuration is read: one
    /// mapping of the five keys; text is text (`name: 123` is the name "123"), `protocol:` a
    /// plain whole number, `timeout:` a duration with its unit. Every problem stands at its
    /// file:line:column: a value at the value, an unknown or repeated key at the key, a missing
    /// key at the start of the file. A YAML syntax error is the one error of its file.
    public static func parse(_ text: String, path: String) -> Result<PluginManifest, ConfigurationErrors> {
        let directory = PathText.directory(of: path)
        let fileStart = SourceLocation(file: path, line: 1, column: 1)
        let document: YAMLParser.Document
        do {
            document = try YAMLParser.parseDocument(text, file: path)
        } catch {
            return .failure(ConfigurationErrors([ConfigurationProblem(error.mark, error.message)]))
        }
        var problems = document.duplicateKeyErrors.map { ConfigurationProblem($0.mark, $0.message) }
        var map = YAMLMapping(entries: [], mark: fileStart)
        if let root = document.root, !root.isNull {
            do {
                map = try root.mapping()
            } catch {
                problems.append(ConfigurationProblem(
                    root.mark, "expected a manifest of `key: value` lines (\(keys.joined(separator: ", "))), found \(root.foundDescription)"))
            }
        }
        for (key, _) in map.entries where !keys.contains(key.scalar?.text ?? "") {
            let shown = key.scalar?.text ?? key.foundDescription
            let hint = closestKey(to: shown, among: keys).map { "; did you mean `\($0)`?" } ?? ""
            problems.append(ConfigurationProblem(
                key.mark, "unknown key `\(shown)` (a manifest has \(keys.joined(separator: ", ")))\(hint)"))
        }
        /// A text value, or nil (absent, null, or not a single value: reported at the value).
        func scalarText(_ key: String) -> (value: String, location: SourceLocation)? {
            guard let node = map.optional(key) else { return nil }
            guard node.scalar != nil, let value = try? node.string() else {
                problems.append(ConfigurationProblem(
                    node.mark, "`\(key):` expected a single value, found \(node.foundDescription); a manifest holds no lists or maps"))
                return nil
            }
            return (value, node.mark)
        }
        func required(_ key: String) -> (value: String, location: SourceLocation)? {
            guard map.optional(key) != nil else {
                problems.append(ConfigurationProblem(fileStart, "missing `\(key):`"))
                return nil
            }
            guard let found = scalarText(key) else { return nil }
            guard !found.value.isEmpty else {
                problems.append(ConfigurationProblem(found.location, "`\(key):` is empty"))
                return nil
            }
            return found
        }
        let name = required("name")
        let kind = required("type")
        let executable = required("executable")
        if let name, name.value.range(of: "^[a-z0-9][a-z0-9_-]*$", options: .regularExpression) == nil {
            problems.append(ConfigurationProblem(
                name.location, "a plugin name is lower-case letters, digits, - and _, found \"\(name.value)\""))
        }
        if let kind, kind.value != "notifier" {
            problems.append(ConfigurationProblem(kind.location, "expected `type: notifier`, found \"\(kind.value)\""))
        }
        var timeout = defaultTimeoutMilliseconds
        if let given = scalarText("timeout") {
            if let parsed = TimeoutText.parse(given.value), parsed > 0 {
                timeout = parsed
            } else {
                problems.append(ConfigurationProblem(
                    given.location, "expected a timeout like 30s, 500ms or 2m, from 1ms to 60m, found \"\(given.value)\""))
            }
        }
        var protocolVersion = 1
        if let node = map.optional("protocol") {
            if let version = try? node.int(), protocolVersions.contains(version) {
                protocolVersion = version
            } else {
                problems.append(ConfigurationProblem(
                    node.mark, "expected `protocol: 1` or `protocol: 2`, found \(node.foundDescription)"))
            }
        }
        guard problems.isEmpty, let name, let kind, let executable else {
            return .failure(ConfigurationErrors(problems.sorted { ($0.location ?? fileStart) < ($1.location ?? fileStart) }))
        }
        return .success(PluginManifest(
            name: name.value, kind: kind.value, executable: PathText.resolve(executable.value, against: directory),
            timeoutMilliseconds: timeout, protocolVersion: protocolVersion, directory: directory, manifestPath: path,
            executableLocation: executable.location))
    }

    /// Reads and parses `path`.
    public static func load(path: String) -> Result<PluginManifest, ConfigurationErrors> {
        switch TextFile.read(atPath: path, limit: 1 << 20) {
        case .success(let text):
            return parse(text, path: path)
        case .failure(let failure):
            return .failure(ConfigurationErrors([ConfigurationProblem(nil, "\(path): cannot read the plugin manifest: \(failure)")]))
        }
    }

    /// A problem with the executable (missing, not a file, not executable), or nil.
    public var executableProblem: ConfigurationProblem? {
        var status = stat()
        guard stat(executable, &status) == 0 else {
            return ConfigurationProblem(executableLocation, "plugin `\(name)`: executable \(executable) does not exist")
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            return ConfigurationProblem(executableLocation, "plugin `\(name)`: \(executable) is not a file")
        }
        guard access(executable, X_OK) == 0 else {
            return ConfigurationProblem(
                executableLocation, "plugin `\(name)`: \(executable) is not executable (chmod +x it)")
        }
        return nil
    }

    /// Problems with who may change what kyniem runs: the plugin's folder, the folder holding it
    /// (where another plugin folder could be put in its place), `plugin.yaml` or the executable
    /// (and its folder, when it lies elsewhere) writable by every user. Any local user could then
    /// make kyniem run their program with the notifier's secrets, so such a plugin is refused.
    public var permissionProblems: [ConfigurationProblem] {
        let manifestStart = SourceLocation(file: manifestPath, line: 1, column: 1)
        var checks: [(path: String, what: String, location: SourceLocation)] = [
            (PathText.directory(of: directory), "the folder holding its folder", manifestStart),
            (directory, "its folder", manifestStart),
            (manifestPath, "its manifest", manifestStart),
            (executable, "its executable", executableLocation),
        ]
        let executableFolder = PathText.directory(of: (executable as NSString).resolvingSymlinksInPath)
        if executableFolder != directory {
            checks.append((executableFolder, "its executable's folder", executableLocation))
        }
        return checks.compactMap { check in
            var status = stat()
            guard stat(check.path, &status) == 0, status.st_mode & S_IWOTH != 0 else { return nil }
            let mode = String(status.st_mode & 0o7777, radix: 8)
            return ConfigurationProblem(
                check.location,
                "plugin `\(name)`: \(check.what) \(check.path) is writable by every user (mode \(mode)), so anyone "
                    + "could change what kyniem runs; the plugin is refused until you `chmod o-w \(check.path)`")
        }
    }

    /// Why the plugin cannot be run (executable, then permissions), or nil.
    public var runProblems: [ConfigurationProblem] {
        (executableProblem.map { [$0] } ?? []) + permissionProblems
    }
}
