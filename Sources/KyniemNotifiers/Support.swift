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

/// Text from outside kyniem (a plugin's stderr, its failure reasons) made safe for a terminal and
/// the ledger: terminal escape sequences (CSI `ESC [ … final`, OSC/DCS/APC/PM/SOS strings up to
/// BEL or `ESC \`, two- and three-character escapes, and their C1 forms) are removed whole, other
/// C0 and C1 control characters and DEL are removed, except tab; a line break becomes a space.
/// Bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) go too: they reorder what
/// a person reads. Everything else, Vietnamese included, is kept as it is.
enum PrintableText {
    static func clean(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        var kept = String.UnicodeScalarView()
        var index = 0
        func skipString() {
            // Up to BEL, ST (ESC \ or U+009C), or the end.
            while index < scalars.count {
                let value = scalars[index].value
                index += 1
                if value == 0x07 || value == 0x9C { return }
                if value == 0x1B, index < scalars.count, scalars[index] == "\\" {
                    index += 1
                    return
                }
            }
        }
        func skipControlSequence() {
            // Parameter and intermediate bytes (0x20–0x3F), then one final byte (0x40–0x7E).
            while index < scalars.count, (0x20...0x3F).contains(scalars[index].value) { index += 1 }
            if index < scalars.count, (0x40...0x7E).contains(scalars[index].value) { index += 1 }
        }
        while index < scalars.count {
            let scalar = scalars[index]
            let value = scalar.value
            index += 1
            switch value {
            case 0x1B:
                guard index < scalars.count else { break }
                let next = scalars[index].value
                index += 1
                switch next {
                case 0x5B: skipControlSequence()  // [
                case 0x5D, 0x50, 0x58, 0x5E, 0x5F: skipString()  // ] P X ^ _
                case 0x20...0x2F:  // intermediates, then a final character
                    while index < scalars.count, (0x20...0x2F).contains(scalars[index].value) { index += 1 }
                    if index < scalars.count { index += 1 }
                default: break  // a two-character escape (ESC c, ESC 7, …)
                }
            case 0x9B: skipControlSequence()
            case 0x9D, 0x90, 0x98, 0x9E, 0x9F: skipString()
            case 0x09: kept.append(scalar)
            case 0x0A, 0x0D: kept.append(" ")
            case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: break
            default: kept.append(scalar)
            }
        }
        return String(kept)
    }
}

/// Control characters in text bound for a header, a command line or a line-oriented file,
/// looked at scalar by scalar: `"\r\n"` is a single Swift `Character`, equal to neither `"\r"`
/// nor `"\n"`, so `contains("\n")` and `split(separator: "\n")` don't see it.
enum ControlCharacters {
    /// A C0 or C1 control character (CR, LF, NUL, ESC, DEL, NEL…) or a Unicode line or
    /// paragraph separator.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }

    static func contains(_ text: String) -> Bool {
        text.unicodeScalars.contains(where: isControl)
    }

    /// `text` on one line: each run of control characters becomes one space.
    static func singleLine(_ text: String) -> String {
        guard contains(text) else { return text }
        var result = String.UnicodeScalarView()
        var inRun = false
        for scalar in text.unicodeScalars {
            if isControl(scalar) {
                if !inRun { result.append(" ") }
                inRun = true
            } else {
                result.append(scalar)
                inRun = false
            }
        }
        return String(result)
    }

    /// The lines of `text`, split at LF, CR LF, a lone CR, NEL, U+2028 and U+2029 (each starts a
    /// line for some reader); other control characters but the tab become spaces.
    static func lines(_ text: String) -> [String] {
        var lines: [String] = []
        var current = String.UnicodeScalarView()
        var afterCR = false
        for scalar in text.unicodeScalars {
            defer { afterCR = scalar == "\r" }
            switch scalar {
            case "\n" where afterCR:
                continue
            case "\n", "\r", "\u{85}", "\u{2028}", "\u{2029}":
                lines.append(String(current))
                current = String.UnicodeScalarView()
            case "\t":
                current.append(scalar)
            default:
                current.append(isControl(scalar) ? " " : scalar)
            }
        }
        lines.append(String(current))
        return lines
    }

    /// `text` in double quotes with control characters written as escapes, for a message that
    /// shows a refused value.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\r": result += "\\r"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            default:
                if isControl(scalar) {
                    result += "\\u{" + String(scalar.value, radix: 16) + "}"
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
