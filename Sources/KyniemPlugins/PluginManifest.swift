import Foundation
import KyniemConfig
import KyniemDispatch
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

    /// Parses a manifest. It holds only flat `key: value` lines, so this is a small strict
    /// parser (comments, blank lines and quoted values allowed; anything else is an error with
    /// its line), not a YAML loader.
    public static func parse(_ text: String, path: String) -> Result<PluginManifest, ConfigurationErrors> {
        var values: [String: (value: String, location: SourceLocation)] = [:]
        var problems: [ConfigurationProblem] = []
        let directory = PathText.directory(of: path)
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            var line = Substring(rawLine)
            if line.hasSuffix("\r") { line = line.dropLast() }
            let trimmed = line.drop(while: { $0 == " " })
            if trimmed.isEmpty || trimmed.hasPrefix("#") || (lineNumber == 1 && trimmed == "---") { continue }
            func at(_ column: Int) -> SourceLocation { SourceLocation(file: path, line: lineNumber, column: column) }
            guard trimmed.count == line.count else {
                problems.append(ConfigurationProblem(at(1), "expected a top-level `key: value` line, found an indented line"))
                continue
            }
            guard let colon = line.firstIndex(of: ":") else {
                problems.append(ConfigurationProblem(at(1), "expected `key: value`, found \"\(line)\""))
                continue
            }
            let key = String(line[..<colon])
            let valueStart = line.index(after: colon)
            let valueColumn = line.distance(from: line.startIndex, to: valueStart) + 2
            guard keys.contains(key) else {
                let hint = closestKey(to: key, among: keys).map { "; did you mean `\($0)`?" } ?? ""
                problems.append(ConfigurationProblem(
                    at(1), "unknown key `\(key)` (a manifest has \(keys.joined(separator: ", ")))\(hint)"))
                continue
            }
            guard values[key] == nil else {
                problems.append(ConfigurationProblem(at(1), "`\(key)` is given twice"))
                continue
            }
            switch scalar(line[valueStart...]) {
            case .success(let value): values[key] = (value, at(valueColumn))
            case .failure(let error): problems.append(ConfigurationProblem(at(valueColumn), error.message))
            }
        }
        func required(_ key: String) -> (value: String, location: SourceLocation)? {
            if let found = values[key], !found.value.isEmpty { return found }
            problems.append(ConfigurationProblem(
                SourceLocation(file: path, line: 1, column: 1), "missing `\(key):`"))
            return nil
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
        if let given = values["timeout"] {
            if let parsed = TimeoutText.parse(given.value), parsed > 0 {
                timeout = parsed
            } else {
                problems.append(ConfigurationProblem(
                    given.location, "expected a timeout like 30s, 500ms or 2m, from 1ms to 60m, found \"\(given.value)\""))
            }
        }
        var protocolVersion = 1
        if let given = values["protocol"] {
            if let version = Int(given.value), protocolVersions.contains(version), given.value.allSatisfy(\.isASCII) {
                protocolVersion = version
            } else {
                problems.append(ConfigurationProblem(
                    given.location, "expected `protocol: 1` or `protocol: 2`, found \"\(given.value)\""))
            }
        }
        guard problems.isEmpty, let name, let kind, let executable else { return .failure(ConfigurationErrors(problems)) }
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

    /// A plain or quoted scalar, with a trailing ` # comment` removed.
    private static func scalar(_ raw: Substring) -> Result<String, PlainError> {
        let text = raw.trimmingCharacters(in: .whitespaces)
        if let quote = text.first, quote == "\"" || quote == "'" {
            guard let close = text.dropFirst().firstIndex(of: quote) else {
                return .failure(PlainError("unterminated quoted value"))
            }
            let rest = text[text.index(after: close)...].trimmingCharacters(in: .whitespaces)
            guard rest.isEmpty || rest.hasPrefix("#") else {
                return .failure(PlainError("unexpected text after the quoted value: \"\(rest)\""))
            }
            let inner = String(text[text.index(after: text.startIndex)..<close])
            if quote == "\"", inner.contains("\\") {
                return .failure(PlainError("escapes are not supported in a manifest value"))
            }
            return .success(inner)
        }
        var value = text
        if let comment = value.range(of: " #") { value = String(value[..<comment.lowerBound]) }
        if value.hasPrefix("#") { value = "" }
        value = value.trimmingCharacters(in: .whitespaces)
        if let first = value.first, "[{&*!|>%@`".contains(first) {
            return .failure(PlainError("expected a plain value; a manifest holds no lists, maps or YAML tags"))
        }
        return .success(value)
    }

    struct PlainError: Error {
        let message: String
        init(_ message: String) { self.message = message }
    }
}
