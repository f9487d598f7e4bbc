import KyniemCore

/// The `*_env:` settings: names of environment variables, whose values are read at send time.
enum EnvironmentName {
    static func isValid(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else {
            return false
        }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }

    /// The value of the variable a `*_env:` setting names, or why there is none; the message
    /// names the variable, never a value.
    static func value(_ name: String, setting: String, in environment: [String: String]) -> Result<String, SendFailure> {
        guard let value = environment[name], !value.isEmpty else {
            return .failure(SendFailure("environment variable \(name) (named by `\(setting):`) is not set"))
        }
        return .success(value)
    }
}
