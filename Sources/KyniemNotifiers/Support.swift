import Foundation

enum PathText {
    static func resolve(_ path: String, against directory: String?) -> String {
        var expanded = path
        if expanded == "~" || expanded.hasPrefix("~/") {
            expanded = NSHomeDirectory() + expanded.dropFirst()
        }
        if expanded.hasPrefix("/") { return (expanded as NSString).standardizingPath }
        let base = directory ?? FileManager.default.currentDirectoryPath
        return ((base as NSString).appendingPathComponent(expanded) as NSString).standardizingPath
    }

    static func directory(of path: String) -> String { (path as NSString).deletingLastPathComponent }
}

/// Replaces the values of secrets with `***` in text that leaves the process (logs, errors).
struct Redactor: Sendable {
    let secrets: [String]

    init(secrets: [String]) {
        // Very short values would blank out ordinary words; they are not credentials anyway.
        self.secrets = secrets.filter { $0.count >= 4 }.sorted { $0.count > $1.count }
    }

    func callAsFunction(_ text: String) -> String {
        var text = text
        for secret in secrets where text.contains(secret) {
            text = text.replacingOccurrences(of: secret, with: "***")
        }
        return text
    }
}
