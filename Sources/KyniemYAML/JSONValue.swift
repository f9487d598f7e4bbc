/// A JSON value that keeps object keys in document order; used to hand a plugin its
/// settings as written in YAML.
public enum JSONValue: Sendable, Equatable {
    public enum Number: Sendable, Equatable {
        case int(Int)
        case double(Double)
    }

    case null
    case bool(Bool)
    case number(Number)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.array(let x), .array(let y)): return x == y
        case (.object(let x), .object(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }

    /// Compact JSON text (RFC 8259): no spaces, keys in order, non-ASCII kept as UTF-8,
    /// `"`, `\` and control characters escaped.
    public var jsonText: String {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        write(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private func write(to out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .number(.int(let n)): out.append(contentsOf: String(n).utf8)
        // Swift prints the shortest text that reads back the same double, in a form
        // JSON accepts (`1.5`, `1e-07`, `1e+20`); non-finite values cannot be built
        // from YAML, and are written as null rather than as invalid JSON.
        case .number(.double(let d)): out.append(contentsOf: (d.isFinite ? d.description : "null").utf8)
        case .string(let s): JSONValue.writeString(s, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                item.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (i, member) in members.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                JSONValue.writeString(member.key, to: &out)
                out.append(UInt8(ascii: ":"))
                member.value.write(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func writeString(_ s: String, to out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        out.append(UInt8(ascii: "\""))
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x08: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0..<0x20:
                out.append(contentsOf: "\\u00".utf8)
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            default: out.append(byte)  // multi-byte UTF-8 passes through unchanged
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

extension YAMLNode {
    /// Converts to JSON, typing plain scalars by their content — the one place this
    /// module does so, because a plugin's settings have no schema on our side:
    ///
    /// - plain `true` / `false` → bool; plain `null`, `~` or nothing → null;
    /// - plain decimal integers → `.int` (beyond Int's range → `.double`), and plain
    ///   decimal floats (`1.5`, `.5`, `6.02e23`) → `.double`;
    /// - numbers with a leading zero (`007`, `0901234567`) stay strings: they are
    ///   codes and phone numbers far more often than numbers;
    /// - quoted scalars, block scalars, `!!str`, and everything else → string
    ///   (`yes`, `NO`, `.inf`, `0x1F`, `1973-09-21` included).
    ///
    /// Mapping keys must be scalars; a sequence or mapping as a key is an error at it.
    public func toJSONValue() throws(YAMLError) -> JSONValue {
        switch value {
        case .scalar(let s):
            return YAMLNode.jsonScalar(s, isNull: isNull)
        case .sequence(let items):
            var array: [JSONValue] = []
            array.reserveCapacity(items.count)
            for item in items { array.append(try item.toJSONValue()) }
            return .array(array)
        case .mapping(let entries):
            var members: [(key: String, value: JSONValue)] = []
            members.reserveCapacity(entries.count)
            for (key, value) in entries {
                guard let k = key.scalar else {
                    throw key.error("a key passed on as JSON must be a string, found \(key.foundDescription)")
                }
                members.append((k.text, try value.toJSONValue()))
            }
            return .object(members)
        }
    }

    private static func jsonScalar(_ s: Scalar, isNull: Bool) -> JSONValue {
        if isNull { return .null }
        if let tag = s.tag, tag != Tag.int, tag != Tag.float, tag != Tag.bool { return .string(s.text) }
        if s.style != .plain && s.tag == nil { return .string(s.text) }
        switch s.text {
        case "true": return .bool(true)
        case "false": return .bool(false)
        default: break
        }
        guard isYAMLDecimal(s.text), !hasLeadingZero(s.text) else { return .string(s.text) }
        if let n = Int(s.text, radix: 10) { return .number(.int(n)) }
        if let d = Double(s.text), d.isFinite { return .number(.double(d)) }
        return .string(s.text)
    }

    /// `007`, `-01.5`: a zero followed by another digit at the start of the number.
    private static func hasLeadingZero(_ text: String) -> Bool {
        var bytes = text.utf8[...]
        if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
        guard bytes.first == UInt8(ascii: "0"), let next = bytes.dropFirst().first else { return false }
        return next >= 0x30 && next <= 0x39
    }
}
