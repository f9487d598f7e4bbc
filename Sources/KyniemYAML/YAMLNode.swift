/// One node of a parsed YAML document, with the place it starts.
///
/// The tree is immutable and cheap to copy (collections share storage), which is
/// also how an alias becomes a copy of its anchored node without duplicating memory.
public struct YAMLNode: Sendable {
    public enum Value: Sendable {
        case scalar(Scalar)
        case sequence([YAMLNode])
        /// Entries in document order. Duplicate keys are kept; see `duplicateKeyErrors()`.
        case mapping([(key: YAMLNode, value: YAMLNode)])
    }

    public struct Scalar: Hashable, Sendable {
        public enum Style: Hashable, Sendable {
            case plain, singleQuoted, doubleQuoted, literal, folded
        }

        /// The scalar's content after YAML's escaping and folding rules, in UTF-8.
        public let text: String
        /// An explicit tag, resolved by libyaml (`!!str` becomes `tag:yaml.org,2002:str`);
        /// nil when the document gives none.
        public let tag: String?
        // Last, so that it packs after the two strings (a node is copied a lot).
        public let style: Style

        public init(text: String, style: Style = .plain, tag: String? = nil) {
            self.text = text
            self.style = style
            self.tag = tag
        }
    }

    public let value: Value
    /// Where the node starts. For a node produced by an alias (`*name`), the mark of
    /// the alias itself; the nodes inside keep the marks of the anchored original.
    public let mark: Mark

    public init(value: Value, mark: Mark) {
        self.value = value
        self.mark = mark
    }

    public init(scalar: Scalar, mark: Mark) {
        self.value = .scalar(scalar)
        self.mark = mark
    }
}

extension YAMLNode {
    /// The scalar, when this node is one.
    public var scalar: Scalar? {
        if case .scalar(let s) = value { return s }
        return nil
    }

    /// A YAML null: a plain `~`, `null`, an empty plain scalar (as in `key:`), or a
    /// `!!null` tag. A quoted `"null"` is a string.
    public var isNull: Bool {
        guard case .scalar(let s) = value else { return false }
        if let tag = s.tag { return tag == Tag.null }
        return s.style == .plain && (s.text.isEmpty || s.text == "~" || s.text == "null")
    }
}

/// The tags of YAML's core schema, as libyaml resolves `!!name`.
enum Tag {
    static let str = "tag:yaml.org,2002:str"
    static let int = "tag:yaml.org,2002:int"
    static let float = "tag:yaml.org,2002:float"
    static let bool = "tag:yaml.org,2002:bool"
    static let null = "tag:yaml.org,2002:null"
}

extension YAMLNode: Equatable {
    /// Same content, style, tags and marks.
    public static func == (a: YAMLNode, b: YAMLNode) -> Bool {
        guard a.mark == b.mark else { return false }
        switch (a.value, b.value) {
        case (.scalar(let x), .scalar(let y)): return x == y
        case (.sequence(let x), .sequence(let y)): return x == y
        case (.mapping(let x), .mapping(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }
}
