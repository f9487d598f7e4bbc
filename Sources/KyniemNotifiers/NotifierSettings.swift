import KyniemConfig
import KyniemCore
import KyniemDispatch
import KyniemYAML

/// A built-in notifier's settings, read from the entry as written (`NotifierSpec.settings`) with
/// KyniemYAML's typed accessors, so one typing rule holds here as in the rest of the
/// configuration: booleans are exactly `true` and `false`, numbers are plain (`port: "587"` is
/// refused with "write it without quotes"), and text is text (`helo: 1` is the name "1"). Each
/// problem stands at the value it is about (`smtp.starttls:` at its own line and column, not at
/// `smtp:`); a missing setting stands at the map that lacks it.
struct NotifierSettings {
    let spec: NotifierSpec
    private let mapping: YAMLMapping
    /// The dotted path of this map inside the entry (`smtp.`), for messages.
    private let prefix: String
    private(set) var problems: [ConfigurationProblem] = []

    init(_ spec: NotifierSpec) {
        self.spec = spec
        if let node = spec.settings, case .mapping(let entries) = node.value {
            self.mapping = YAMLMapping(entries: entries, mark: node.mark)
        } else {
            // An entry kyniem made itself (the default console) has nothing to read.
            self.mapping = YAMLMapping(entries: [], mark: spec.location)
        }
        self.prefix = ""
    }

    private init(spec: NotifierSpec, mapping: YAMLMapping, prefix: String) {
        self.spec = spec
        self.mapping = mapping
        self.prefix = prefix
    }

    /// Where `key` stands: its value when it is given, else this map (whose key is missing).
    func location(_ key: String) -> SourceLocation {
        mapping[key]?.mark ?? mapping.mark
    }

    func name(_ key: String) -> String { prefix + key }

    mutating func problem(_ key: String, _ message: String) {
        problem(at: location(key), message)
    }

    private mutating func problem(at location: SourceLocation, _ message: String) {
        problems.append(ConfigurationProblem(location, "notifier `\(spec.id)` (type \(spec.type)): \(message)"))
    }

    /// The value of `key`; a null (`key:` with nothing after it) counts as not given.
    private func node(_ key: String) -> YAMLNode? { mapping.optional(key) }

    func has(_ key: String) -> Bool { node(key) != nil }

    /// The keys of this map as written, in file order (a key that is not a scalar left out).
    var keys: [String] { mapping.entries.compactMap { $0.key.scalar?.text } }

    /// A scalar as text, whatever its form (`chat_id: -100123` is the text "-100123"); not a
    /// list or a map.
    mutating func string(_ key: String, required: Bool = false) -> String? {
        guard let node = node(key) else {
            if required { problem(key, "needs `\(name(key)):`") }
            return nil
        }
        guard node.scalar != nil, let text = try? node.string() else {
            problem(at: node.mark, "`\(name(key)):` must be a single value, found \(node.foundDescription)")
            return nil
        }
        guard !text.isEmpty else {
            problem(at: node.mark, "`\(name(key)):` is empty")
            return nil
        }
        return text
    }

    /// Exactly `true` or `false` (SPEC typing rule: not `yes`, `1` or `"true"`).
    mutating func bool(_ key: String) -> Bool? {
        guard let node = node(key) else { return nil }
        do {
            return try node.bool()
        } catch {
            problem(at: error.mark, "`\(name(key)):` \(error.message)")
            return nil
        }
    }

    /// A plain whole number within `range`.
    mutating func integer(_ key: String, in range: ClosedRange<Int>) -> Int? {
        guard let node = node(key) else { return nil }
        let number: Int
        do {
            number = try node.int()
        } catch {
            problem(at: error.mark, "`\(name(key)):` must be a whole number from \(range.lowerBound) to \(range.upperBound); \(error.message)")
            return nil
        }
        guard range.contains(number) else {
            problem(at: node.mark, "`\(name(key)):` must be a whole number from \(range.lowerBound) to \(range.upperBound), found \(number)")
            return nil
        }
        return number
    }

    /// A list of scalars; a single scalar counts as a list of one. A bad item is reported at the item.
    mutating func list(_ key: String, required: Bool = false) -> [String]? {
        guard let node = node(key) else {
            if required { problem(key, "needs `\(name(key)):`") }
            return nil
        }
        guard case .sequence(let items) = node.value else {
            return string(key, required: required).map { [$0] }
        }
        guard !items.isEmpty else {
            problem(at: node.mark, "`\(name(key)):` must be a non-empty list of plain values")
            return nil
        }
        var texts: [String] = []
        for item in items {
            guard item.scalar != nil, let text = try? item.string(), !text.isEmpty else {
                problem(at: item.mark, "`\(name(key)):` must be a non-empty list of plain values, found \(item.foundDescription)")
                continue
            }
            texts.append(text)
        }
        return texts.count == items.count ? texts : nil
    }

    /// A nested map (`smtp: {…}`), read with the same rules; its problems join this one's with `merge`.
    mutating func map(_ key: String, required: Bool = false) -> NotifierSettings? {
        guard let node = node(key) else {
            if required { problem(key, "needs `\(name(key)):` (a map)") }
            return nil
        }
        guard case .mapping(let entries) = node.value else {
            problem(at: node.mark, "`\(name(key)):` must be a map, like `\(name(key)): {host: …}`, found \(node.foundDescription)")
            return nil
        }
        return NotifierSettings(spec: spec, mapping: YAMLMapping(entries: entries, mark: node.mark), prefix: name(key) + ".")
    }

    /// Keys every notifier entry takes, read by the configuration reader and the templates
    /// rather than by the notifier itself.
    static let commonKeys = ["id", "type", "language", "when", "env"] + MessageTemplates.settingKeys

    /// Reports each key of this map that is neither in `allowed` nor (at the top) a common key,
    /// at the key, with "did you mean" for a near miss: a misspelt `startls:` or `ca_flie:` must
    /// not pass silently and change how, or whether securely, kyniem connects.
    mutating func rejectUnknownKeys(_ allowed: [String]) {
        let known = prefix.isEmpty ? Self.commonKeys + allowed : allowed
        let unknown = mapping.entries.filter { !known.contains($0.key.scalar?.text ?? "") }
        for (keyNode, _) in unknown.sorted(by: { $0.key.mark < $1.key.mark }) {
            let key = keyNode.scalar?.text ?? keyNode.foundDescription
            var message = "unknown setting `\(name(key))`"
            if let suggestion = closestKey(to: key, among: known) {
                message += "; did you mean `\(name(suggestion))`?"
            }
            // A type with no settings of its own (console) names the common ones.
            let shown = allowed.isEmpty ? Self.commonKeys : allowed
            problem(at: keyNode.mark, message + " (known: \(shown.map(name).joined(separator: ", ")))")
        }
    }

    mutating func merge(_ other: NotifierSettings) {
        problems += other.problems
    }

    /// A `timeout:` like `10s` or `500ms`, in milliseconds. A bare number has no unit and is
    /// refused (`timeout: 1` could mean a second or a millisecond), as in a plugin's manifest.
    mutating func timeout(_ key: String = "timeout", default fallback: Int) -> Int {
        guard let text = string(key) else { return fallback }
        guard let value = TimeoutText.parse(text), value > 0 else {
            problem(key, "expected `\(name(key)):` like 10s, 500ms or 1m, from 1ms to 60m, found \"\(text)\"")
            return fallback
        }
        return value
    }

    /// One of `choices`, with "did you mean" for a near miss.
    mutating func choice(_ key: String, among choices: [String], default fallback: String) -> String {
        guard let text = string(key) else { return fallback }
        guard choices.contains(text) else {
            var message = "unknown \(name(key)) `\(text)`"
            if let suggestion = closestKey(to: text, among: choices) {
                message += "; did you mean `\(suggestion)`?"
            }
            problem(key, message + " (known: \(choices.joined(separator: ", ")))")
            return fallback
        }
        return text
    }

    /// The template files the entry names (`title_template:`, `template:`, `digest_template:`),
    /// each a path as text at its own mark; a list, a map or an empty value is a problem there.
    mutating func templateFiles() -> [MessageTemplates.File] {
        MessageTemplates.settingKeys.compactMap { key in
            string(key).map { MessageTemplates.File(setting: key, path: $0, location: location(key)) }
        }
    }

    /// A `*_env:` setting: the name of an environment variable (checked as a name; its value is
    /// read at send time).
    mutating func environmentName(_ key: String, required: Bool = false) -> String? {
        guard let name = string(key, required: required) else { return nil }
        guard EnvironmentName.isValid(name) else {
            problem(key, "`\(self.name(key)):` must name an environment variable (letters, digits and _), found \"\(name)\"")
            return nil
        }
        return name
    }
}
