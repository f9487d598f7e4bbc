import Foundation

/// Replaces the values of secrets with `***` in text that leaves the process (logs, errors).
package struct Redactor: Sendable {
    package let secrets: [String]

    package init(secrets: [String]) {
        // Very short values would blank out ordinary words; they are not credentials anyway.
        self.secrets = secrets.filter { $0.count >= 4 }.sorted { $0.count > $1.count }
    }

    package func callAsFunction(_ text: String) -> String {
        var text = text
        for secret in secrets where text.contains(secret) {
            text = text.replacingOccurrences(of: secret, with: "***")
        }
        return text
    }
}
