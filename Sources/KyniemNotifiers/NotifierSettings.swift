import Foundation
import KyniemConfig
import KyniemCore
import KyniemDispatch
import KyniemYAML

/// A built-in notifier's settings, read from `NotifierSpec.settingsJSON` (which, unlike
/// `options`, holds nested maps such as `smtp: {host: …}` and lists such as `to: [...]`), and
/// the problems found reading them, located where the configuration says.
struct NotifierSettings {
    let spec: NotifierSpec
    private let values: [String: Any]
    /// The dotted path of this map inside the entry (`smtp.`), for messages.
    private let prefix: String
    private(set) var problems: [ConfigurationProblem] = []

    init(_ spec: NotifierSpec) {
        self.spec = spec
        let object = try? JSONSerialization.jsonObject(with: Data(spec.settingsJSON.utf8))
        self.values = object as? [String: Any] ?? [:]
        self.prefix = ""
    }

    private init(spec: NotifierSpec, values: [String: Any], prefix: String) {
        self.spec = spec
        self.values = values
        self.prefix = prefix
    }

    /// Where `key` stands: its own location for a top-level scalar, else the entry's.
    func location(_ key: String) -> SourceLocation {
        prefix.isEmpty ? spec.optionLocations[key] ?? spec.location : spec.optionLocations[topKey] ?? spec.location
    }

    private var topKey: String { String(prefix.split(separator: ".").first ?? "") }

    func name(_ key: String) -> String { prefix + key }

    mutating func problem(_ key: String, _ message: String) {
        problems.append(ConfigurationProblem(location(key), "notifier `\(spec.id)` (type \(spec.type)): \(message)"))
    }

    func has(_ key: String) -> Bool { values[key] != nil && !(values[key] is NSNull) }

    /// A scalar as text (numbers too; not booleans, lists or maps).
    mutating func string(_ key: String, required: Bool = false) -> String? {
        guard has(key) else {
            if required { problem(key, "needs `\(name(key)):`") }
            return nil
        }
        let value = values[key]
        if let text = value as? String, !text.isEmpty { return text }
        if !(value is Bool), let number = value as? NSNumber { return number.stringValue }
        problem(key, value is String ? "`\(name(key)):` is empty" : "`\(name(key)):` must be a single value")
        return nil
    }

    mutating func bool(_ key: String) -> Bool? {
        guard has(key) else { return nil }
        if let flag = values[key] as? Bool { return flag }
        if let text = values[key] as? String, ["true", "yes", "false", "no"].contains(text.lowercased()) {
            return ["true", "yes"].contains(text.lowercased())
        }
        problem(key, "`\(name(key)):` must be true or false")
        return nil
    }

    mutating func integer(_ key: String, in range: ClosedRange<Int>) -> Int? {
        guard let text = string(key) else { return nil }
        guard let number = Int(text), range.contains(number) else {
            problem(key, "`\(name(key)):` must be a whole number from \(range.lowerBound) to \(range.upperBound), found \(text)")
            return nil
        }
        return number
    }

    /// A list of scalars; a single scalar counts as a list of one.
    mutating func list(_ key: String, required: Bool = false) -> [String]? {
        guard has(key) else {
            if required { problem(key, "needs `\(name(key)):`") }
            return nil
        }
        if let items = values[key] as? [Any] {
            let texts = items.compactMap { $0 as? String ?? ($0 is Bool ? nil : ($0 as? NSNumber)?.stringValue) }
            guard texts.count == items.count, !texts.isEmpty, texts.allSatisfy({ !$0.isEmpty }) else {
                problem(key, "`\(name(key)):` must be a non-empty list of plain values")
                return nil
            }
            return texts
        }
        return string(key, required: required).map { [$0] }
    }

    /// A nested map (`smtp: {…}`), read with the same rules; its problems join this one's with `merge`.
    mutating func map(_ key: String, required: Bool = false) -> NotifierSettings? {
        guard has(key) else {
            if required { problem(key, "needs `\(name(key)):` (a map)") }
            return nil
        }
        guard let inner = values[key] as? [String: Any] else {
            problem(key, "`\(name(key)):` must be a map, like `\(name(key)): {host: …}`")
            return nil
        }
        return NotifierSettings(spec: spec, values: inner, prefix: name(key) + ".")
    }

    /// Keys every notifier entry takes, read by the configuration reader and the templates
    /// rather than by the notifier itself.
    static let commonKeys = ["id", "type", "language", "when", "env"] + MessageTemplates.settingKeys

    /// Reports each key of this map that is neither in `allowed` nor (at the top) a common key,
    /// with "did you mean" for a near miss: a misspelt `startls:` or `ca_flie:` must not pass
    /// silently and change how, or whether securely, kyniem connects.
    mutating func rejectUnknownKeys(_ allowed: [String]) {
        let known = prefix.isEmpty ? Self.commonKeys + allowed : allowed
        for key in values.keys.sorted() where !known.contains(key) {
            var message = "unknown setting `\(name(key))`"
            if let suggestion = closestKey(to: key, among: known) {
                message += "; did you mean `\(name(suggestion))`?"
            }
            problem(key, message + " (known: \(allowed.map(name).joined(separator: ", ")))")
        }
    }

    mutating func merge(_ other: NotifierSettings) {
        problems += other.problems
    }

    /// A `timeout:` like `10s` or `500ms`, in milliseconds.
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
