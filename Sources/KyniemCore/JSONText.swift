/// Hand-written JSON, shared by the renderers and the run report, so that keys keep the
/// order SPEC.md shows and output is the same byte for byte on every run.
/// JSON string literals (RFC 8259 §7).
public enum JSONText {
    public static func appendOptional(_ value: String?, to out: inout String) {
        if let value { appendString(value, to: &out) } else { out += "null" }
    }

    /// Quotes and escapes `value`: `"` and `\`, the C0 controls (short forms where JSON has
    /// them), and U+2028/U+2029, which JavaScript before ES2019 did not accept inside strings.
    /// Everything else is copied as it is, in runs between the characters that need escaping.
    public static func appendString(_ value: String, to out: inout String) {
        out += "\""
        let utf8 = value.utf8
        var runStart = utf8.startIndex
        var index = utf8.startIndex
        while index != utf8.endIndex {
            let byte = utf8[index]
            let next = utf8.index(after: index)
            var escape: String?
            var end = next
            switch byte {
            case UInt8(ascii: "\""): escape = "\\\""
            case UInt8(ascii: "\\"): escape = "\\\\"
            case 0x0A: escape = "\\n"
            case 0x0D: escape = "\\r"
            case 0x09: escape = "\\t"
            case 0x08: escape = "\\b"
            case 0x0C: escape = "\\f"
            case 0..<0x20: escape = "\\u00" + hexDigits[Int(byte >> 4)] + hexDigits[Int(byte & 0xF)]
            case 0xE2:
                // U+2028 and U+2029 are E2 80 A8 and E2 80 A9.
                let rest = utf8[next...].prefix(2)
                if rest.count == 2, rest.first == 0x80, rest.last == 0xA8 || rest.last == 0xA9 {
                    escape = rest.last == 0xA8 ? "\\u2028" : "\\u2029"
                    end = utf8.index(next, offsetBy: 2)
                }
            default: break
            }
            if let escape {
                out += value[runStart..<index]
                out += escape
                runStart = end
            }
            index = end
        }
        out += value[runStart...]
        out += "\""
    }

    public static func string(_ value: String) -> String {
        var out = ""
        appendString(value, to: &out)
        return out
    }

    /// A JSON string, or `null` for nil.
    public static func quote(_ value: String?) -> String {
        guard let value else { return "null" }
        return string(value)
    }

    /// `{"a": 1, "b": "x"}` from pairs whose values are already JSON, keys in the order given.
    public static func object(_ pairs: [(String, String)]) -> String {
        "{" + pairs.map { "\(string($0.0)): \($0.1)" }.joined(separator: ", ") + "}"
    }

    private static let hexDigits = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c", "d", "e", "f"]
}
