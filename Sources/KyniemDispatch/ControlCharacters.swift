/// Control characters in text bound for a header, a command line or a line-oriented file,
/// looked at scalar by scalar: `"\r\n"` is a single Swift `Character`, equal to neither `"\r"`
/// nor `"\n"`, so `contains("\n")` and `split(separator: "\n")` don't see it.
package enum ControlCharacters {
    /// A C0 or C1 control character (CR, LF, NUL, ESC, DEL, NEL…) or a Unicode line or
    /// paragraph separator.
    package static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }

    package static func contains(_ text: String) -> Bool {
        text.unicodeScalars.contains(where: isControl)
    }

    /// `text` on one line: each run of control characters becomes one space.
    package static func singleLine(_ text: String) -> String {
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
    package static func lines(_ text: String) -> [String] {
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
    package static func quoted(_ text: String) -> String {
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
