import KyniemConfig
import KyniemCore

/// The names a message template may use, as a tree: what `MessageContext` gives each kind of
/// template. `kyniem check` reports a name that is not in it, since Mustache renders an unknown
/// name as nothing and the mistake would only show as a gap in a message.
///
/// `MessageContextTests` keeps this tree and `MessageContext` in step: every key a real context
/// holds is found here.
public indirect enum TemplateValue: Sendable {
    /// A string, number or flag.
    case value
    /// A dictionary: a section on it makes its keys visible.
    case object([String: TemplateValue])
    /// A list: a section on it repeats for each element.
    case list(TemplateValue)

    var keys: [String: TemplateValue] {
        if case .object(let keys) = self { return keys }
        return [:]
    }

    static let common: [String: TemplateValue] = [
        "language": .value, "is_vi": .value, "is_en": .value, "run_date": .value, "run_date_iso": .value,
    ]

    /// One delivery's values (`title_template:`, `template:`).
    public static let delivery: TemplateValue = .object(deliveryKeys)

    static let deliveryKeys: [String: TemplateValue] = common.merging([
        "key": .value, "notifier": .value, "event": .value, "kind": .value, "title": .value, "date": .value,
        "date_iso": .value, "weekday": .value, "tier": .value, "tier_label": .value, "step": .value,
        "step_text": .value, "due": .value, "due_iso": .value, "due_weekday": .value, "late": .value,
        "late_label": .value, "ordinal": .value, "ordinal_text": .value, "lunar": .value,
        "country": .object(["code": .value, "name": .value, "flag": .value]),
        "reminder": .object(["days": .value, "days_before": .value, "text": .value, "headline": .value]),
        "task": .object(["id": .value, "title": .value, "due": .value, "due_iso": .value, "due_weekday": .value]),
        "next": .object(["text": .value, "due": .value, "due_iso": .value, "step": .value]),
    ]) { a, _ in a }

    /// A digest's values (`digest_template:`).
    public static let digest: TemplateValue = .object(common.merging([
        "notifier": .value, "count": .value, "count_text": .value, "digest_title": .value,
        "sections": .list(.object([
            "urgency": .value, "heading": .value,
            "items": .list(.object([
                "title": .value, "date": .value, "when": .value, "countdown": .value, "tier_label": .value,
                "country": .value, "steps": .value, "line": .value,
            ])),
        ])),
        "deliveries": .list(.object(deliveryKeys.merging([
            "message_title": .value, "message_body": .value, "message_lines": .list(.value),
        ]) { a, _ in a })),
    ]) { a, _ in a })
}

/// A name a template uses that its values do not hold.
public struct UnknownTemplateVariable: Sendable, Hashable {
    public let name: String
    /// 1-based, in the template's own text.
    public let line: Int
    public let column: Int
    /// The names visible where it stands, sorted.
    public let known: [String]
}

/// Finds the names of a Mustache template's tags and looks each up as Mustache would: the first
/// part in the innermost section that holds it, outwards; the rest of a dotted name inside that.
public enum TemplateVariables {
    public static func unknown(in text: String, values: TemplateValue) -> [UnknownTemplateVariable] {
        var found: [UnknownTemplateVariable] = []
        // The values each open section makes visible, innermost last.
        var stack: [[String: TemplateValue]] = [values.keys]
        for tag in tags(in: text) {
            switch tag.sigil {
            case "#", "^", "":
                let resolved = resolve(tag.name, in: stack)
                if resolved == nil, let name = checkedName(tag.name) {
                    let known = Set(stack.flatMap(\.keys)).sorted()
                    found.append(UnknownTemplateVariable(name: name, line: tag.line, column: tag.column, known: known))
                }
                if tag.sigil == "#" {
                    // A list repeats its element; a dictionary shows its keys; a plain value
                    // (a flag, a text) adds none.
                    switch resolved {
                    case .list(let element)?: stack.append(element.keys)
                    case let value?: stack.append(value.keys)
                    case nil: stack.append([:])
                    }
                } else if tag.sigil == "^" {
                    stack.append([:])
                }
            case "/":
                if stack.count > 1 { stack.removeLast() }
            default:
                break
            }
        }
        return found
    }

    /// The name to check: a transform's argument (`uppercased(title)` checks `title`); nil for
    /// `.` and for what is not a name of the values (`index()` and the other sequence transforms).
    static func checkedName(_ raw: String) -> String? {
        var name = Substring(raw)
        while let open = name.firstIndex(of: "("), name.hasSuffix(")") {
            name = name[name.index(after: open)..<name.index(before: name.endIndex)]
        }
        let trimmed = String(name.filter { $0 != ")" })
        return trimmed.isEmpty || trimmed == "." ? nil : trimmed
    }

    static func resolve(_ raw: String, in stack: [[String: TemplateValue]]) -> TemplateValue? {
        guard let name = checkedName(raw) else { return .value }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard let first = parts.first,
              var value = stack.reversed().lazy.compactMap({ $0[first] }).first else { return nil }
        for part in parts.dropFirst() {
            guard let next = value.keys[part] else { return nil }
            value = next
        }
        return value
    }

    struct Tag {
        /// `#`, `^`, `/`, `&`, `{` or empty for a plain variable; other tags are skipped.
        let sigil: String
        let name: String
        let line: Int
        let column: Int
    }

    /// Every variable and section tag with where its name starts, following `{{=<% %>=}}`
    /// delimiter changes; comments, partials, blocks and pragmas are skipped. The template has
    /// already parsed, so a malformed tag needs no message here.
    static func tags(in text: String) -> [Tag] {
        let chars = Array(text)
        var open = Array("{{"), close = Array("}}")
        var tags: [Tag] = []
        var index = 0, line = 1, lineStart = 0
        func matches(_ pattern: [Character], at i: Int) -> Bool {
            i + pattern.count <= chars.count && Array(chars[i..<i + pattern.count]) == pattern
        }
        func advance(to end: Int) {
            while index < end {
                if chars[index] == "\n" { line += 1; lineStart = index + 1 }
                index += 1
            }
        }
        while index < chars.count {
            guard matches(open, at: index) else { advance(to: index + 1); continue }
            var cursor = index + open.count
            var sigil = ""
            var closing = close
            if cursor < chars.count, "#^/&{!=><$%".contains(chars[cursor]) {
                sigil = String(chars[cursor])
                cursor += 1
                if sigil == "{" { closing = ["}"] + close }
                if sigil == "=" { closing = ["="] + close }
            }
            var end = cursor
            while end < chars.count, !matches(closing, at: end) { end += 1 }
            guard end < chars.count else { break }
            let body = chars[cursor..<end]
            let leading = body.prefix { $0 == " " || $0 == "\t" }.count
            let name = String(body).trimmed([" ", "\t", "\n", "\r"])
            // Where the name starts, on the line the tag starts on (names hold no newline).
            let column = cursor + leading - lineStart + 1
            switch sigil {
            case "=":
                let parts = name.split(whereSeparator: { $0 == " " || $0 == "\t" })
                if parts.count == 2 { open = Array(parts[0]); close = Array(parts[1]) }
            case "#", "^", "/", "&", "{", "":
                tags.append(Tag(sigil: sigil == "&" || sigil == "{" ? "" : sigil, name: name, line: line, column: column))
            default:
                break
            }
            advance(to: end + closing.count)
        }
        return tags
    }
}

extension String {
    fileprivate func trimmed(_ set: Set<Character>) -> String {
        let start = firstIndex { !set.contains($0) } ?? endIndex
        let end = lastIndex { !set.contains($0) }.map(index(after:)) ?? start
        return start < end ? String(self[start..<end]) : ""
    }
}
