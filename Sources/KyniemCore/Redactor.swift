/// Replaces the values of secrets with `***` in text that leaves the process (logs, errors).
package struct Redactor: Sendable {
    package let secrets: [String]

    package init(secrets: [String]) {
        // Very short values would blank out ordinary words; they are not credentials anyway.
        self.secrets = secrets.filter { $0.count >= 4 }.sorted { $0.count > $1.count }
    }

    /// Matched by Unicode scalars, not by characters: a secret is hidden even where the text
    /// goes on with a combining mark that would make its last character another one.
    package func callAsFunction(_ text: String) -> String {
        var scalars = Array(text.unicodeScalars)
        for secret in secrets {
            let pattern = Array(secret.unicodeScalars)
            guard let first = pattern.first, pattern.count <= scalars.count else { continue }
            var kept: [Unicode.Scalar] = []
            var index = 0
            var found = false
            while index < scalars.count {
                let end = index + pattern.count
                if scalars[index] == first, end <= scalars.count, scalars[index..<end].elementsEqual(pattern) {
                    kept.append(contentsOf: "***".unicodeScalars)
                    index = end
                    found = true
                } else {
                    kept.append(scalars[index])
                    index += 1
                }
            }
            if found { scalars = kept }
        }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }
}
