// Typed access. Each accessor throws at the node's own mark with a sentence that says
// what was expected and what was found.
//
// Typing is by the caller's request, never by content: `country: NO` is the string
// "NO". Numbers and booleans must be plain (unquoted) scalars — a quoted scalar is
// always a string, so `port: "587"` is an error that says to drop the quotes.

extension YAMLNode {
    /// A `YAMLError` at this node's mark, for callers' own checks.
    public func error(_ message: String) -> YAMLError {
        YAMLError(mark: mark, message: message)
    }

    /// What this node is, for "found …" in messages: `a mapping`, `a sequence`,
    /// `null`, `"text"` (plain) or `the string "text"` (quoted).
    public var foundDescription: String {
        switch value {
        case .mapping: return "a mapping"
        case .sequence: return "a sequence"
        case .scalar(let s):
            if isNull { return s.text.isEmpty ? "nothing" : "null" }
            let quoted = quote(s.text)
            return s.style == .plain ? quoted : "the string \(quoted)"
        }
    }

    /// The text of any scalar. Null (`~`, `null`, or nothing after the colon) is not a
    /// string; quote it (`"null"`) to mean the word.
    public func string() throws(YAMLError) -> String {
        guard case .scalar(let s) = value, !isNull || s.tag == Tag.str else {
            throw error("expected a string, found \(foundDescription)")
        }
        return s.text
    }

    /// A plain decimal integer with an optional sign, such as `42` or `-1`.
    public func int() throws(YAMLError) -> Int {
        let s = try typedScalar(expecting: "an integer", tag: Tag.int)
        if let n = Int(s.text, radix: 10) { return n }
        if looksDecimal(s.text) {
            throw error("the integer \(s.text) is out of range (\(Int.min)...\(Int.max))")
        }
        throw error("expected an integer, found \(foundDescription)")
    }

    /// A plain decimal number such as `1.5`, `-2`, `.5` or `6.02e23`. `.inf` and `.nan`
    /// are refused: no setting of ours wants them.
    public func double() throws(YAMLError) -> Double {
        let s = try typedScalar(expecting: "a number", tag: Tag.float)
        guard isYAMLDecimal(s.text), let d = Double(s.text), d.isFinite else {
            throw error("expected a number, found \(foundDescription)")
        }
        return d
    }

    /// Exactly a plain `true` or `false`. YAML 1.1's `yes`, `no`, `on`, `off`, `y`,
    /// `True` are refused, so `country: NO` can never be read as a boolean.
    public func bool() throws(YAMLError) -> Bool {
        let s = try typedScalar(expecting: "true or false", tag: Tag.bool)
        switch s.text {
        case "true": return true
        case "false": return false
        default: throw error("expected true or false, found \(foundDescription)")
        }
    }

    /// The items of a sequence.
    public func sequence() throws(YAMLError) -> [YAMLNode] {
        guard case .sequence(let items) = value else {
            throw error("expected a sequence, found \(foundDescription)")
        }
        return items
    }

    /// The entries of a mapping, with lookup by key.
    public func mapping() throws(YAMLError) -> YAMLMapping {
        guard case .mapping(let entries) = value else {
            throw error("expected a mapping, found \(foundDescription)")
        }
        return YAMLMapping(entries: entries, mark: mark)
    }

    /// A scalar that may carry a typed value: plain, or quoted with the matching tag.
    private func typedScalar(expecting: String, tag: String) throws(YAMLError) -> Scalar {
        guard case .scalar(let s) = value, !isNull else {
            throw error("expected \(expecting), found \(foundDescription)")
        }
        if s.tag == tag || (s.tag == nil && s.style == .plain) { return s }
        if s.tag == nil {
            throw error("expected \(expecting), found \(foundDescription); write it without quotes")
        }
        throw error("expected \(expecting), found \(foundDescription) tagged \(s.tag!)")
    }
}

/// `"text"` with quotes and backslashes escaped, cut short when long.
func quote(_ text: String) -> String {
    var shown = text
    if shown.count > 60 { shown = String(shown.prefix(57)) + "…" }
    var out = "\""
    for ch in shown.unicodeScalars {
        switch ch {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        default: out.unicodeScalars.append(ch)
        }
    }
    return out + "\""
}

/// Optional sign and at least one ASCII digit, nothing else.
func looksDecimal(_ text: String) -> Bool {
    var bytes = text.utf8[...]
    if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
    return !bytes.isEmpty && bytes.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
}

/// The decimal floats of YAML 1.2's core schema:
/// `[-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?`
func isYAMLDecimal(_ text: String) -> Bool {
    let b = Array(text.utf8)
    var i = 0
    func digits() -> Int {
        let start = i
        while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
        return i - start
    }
    if i < b.count, b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") { i += 1 }
    let whole = digits()
    if i < b.count, b[i] == UInt8(ascii: ".") {
        i += 1
        if digits() == 0 && whole == 0 { return false }
    } else if whole == 0 {
        return false
    }
    if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
        i += 1
        if i < b.count, b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") { i += 1 }
        if digits() == 0 { return false }
    }
    return i == b.count
}

// A configuration value that carries the node it was read from (a notifier entry, whose type reads
// its own settings with the accessors above) stays Hashable.
extension YAMLNode: Hashable {
    /// By mark alone, which equal nodes share: cheap for a whole tree, and consistent with `==`.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(mark)
    }
}
