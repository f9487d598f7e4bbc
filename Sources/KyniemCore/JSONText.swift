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
        var bytes: [UInt8] = []
        bytes.reserveCapacity(value.utf8.count + 2)
        appendString(value, to: &bytes)
        out += String(decoding: bytes, as: UTF8.self)
    }

    /// `appendString` as UTF-8 bytes, for the writers that stream (OutputBuffer): the one
    /// implementation of the escaping, copying the runs between characters that need it whole.
    public static func appendString(_ value: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { appendEscaped($0, to: &bytes) }
        bytes.append(UInt8(ascii: "\""))
    }

    /// The inside of a JSON string literal for whole characters of UTF-8 (no quotes): what
    /// `appendString` writes between them. Text cut only at ASCII characters can be escaped in
    /// pieces with the same result, which is how a title is written as it is filled.
    public static func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>, to bytes: inout [UInt8]) {
        var runStart = 0
        var index = 0
        let count = utf8.count
        while index < count {
            let byte = utf8[index]
            // Most bytes need nothing: skip them with one comparison each.
            if byte >= 0x20, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\"), byte != 0xE2 {
                index += 1
                continue
            }
            var escape: StaticString?
            var end = index + 1
            switch byte {
            case UInt8(ascii: "\""): escape = "\\\""
            case UInt8(ascii: "\\"): escape = "\\\\"
            case 0x0A: escape = "\\n"
            case 0x0D: escape = "\\r"
            case 0x09: escape = "\\t"
            case 0x08: escape = "\\b"
            case 0x0C: escape = "\\f"
            case 0xE2:
                // U+2028 and U+2029 are E2 80 A8 and E2 80 A9.
                if index + 2 < count, utf8[index + 1] == 0x80, utf8[index + 2] == 0xA8 || utf8[index + 2] == 0xA9 {
                    escape = utf8[index + 2] == 0xA8 ? "\\u2028" : "\\u2029"
                    end = index + 3
                }
            default:  // the other C0 controls
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                let hex: StaticString = "0123456789abcdef"
                bytes.append(contentsOf: "\\u00".utf8)
                bytes.append(hex.utf8Start[Int(byte >> 4)])
                bytes.append(hex.utf8Start[Int(byte & 0xF)])
                runStart = end
                index = end
                continue
            }
            if let escape {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                bytes.append(contentsOf: UnsafeBufferPointer(start: escape.utf8Start, count: escape.utf8CodeUnitCount))
                runStart = end
            }
            index = end
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<count]))
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

}
