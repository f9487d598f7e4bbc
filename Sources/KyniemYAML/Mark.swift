/// A position in a YAML file, as a person would look for it in an editor.
///
/// `line` and `column` are 1-based. libyaml counts columns in Unicode code points
/// (not bytes), so a column after "Sự kiện" points at the right character.
public struct Mark: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column`, the form editors and terminals turn into links.
    public var description: String { "\(file):\(line):\(column)" }

    public static func < (a: Mark, b: Mark) -> Bool {
        (a.file, a.line, a.column) < (b.file, b.line, b.column)
    }
}

/// Every problem this module reports: a syntax error from libyaml, a value of the
/// wrong type, a missing or unknown key. Always located.
public struct YAMLError: Error, Hashable, Sendable, CustomStringConvertible {
    public let mark: Mark
    public let message: String

    public init(mark: Mark, message: String) {
        self.mark = mark
        self.message = message
    }

    /// `file:line:column: message`
    public var description: String { "\(mark): \(message)" }
}
