import CYAML

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Parses YAML with libyaml's event API into a `YAMLNode` tree that keeps every
/// node's mark.
///
/// - One document per file: a second `---` document is an error.
/// - Aliases resolve to the anchored node (shared storage, not a deep copy). Because
///   a consumer walking the tree still sees every expanded node, the total number of
///   nodes reached through aliases is capped at `maxAliasExpansion` ("billion laughs").
/// - Nesting deeper than `maxDepth` is an error, so recursive consumers cannot
///   overflow the stack.
/// - Merge keys (`<<`) get no special meaning: `<<` is an ordinary key, which
///   `YAMLMapping.unknownKeys(allowed:)` reports as unsupported.
/// - Tags are recorded on scalars and otherwise ignored; typing is up to the caller.
public enum YAMLParser {
    /// Most nodes that aliases may bring into one document.
    public static let maxAliasExpansion = 1_000_000
    /// Deepest nesting of sequences and mappings accepted.
    public static let maxDepth = 512

    /// Parses one document. An empty stream (nothing, or only comments) gives nil.
    public static func parse(_ bytes: [UInt8], file: String) throws(YAMLError) -> YAMLNode? {
        let result: Result<YAMLNode?, YAMLError> = bytes.withUnsafeBytes { buffer in
            Result { () throws(YAMLError) -> YAMLNode? in try parse(buffer, file: file) }
        }
        return try result.get()
    }

    /// Parses one document from text.
    public static func parse(_ text: String, file: String) throws(YAMLError) -> YAMLNode? {
        try parseDocument(text, file: file).root
    }

    /// A parsed document: its root (nil for an empty stream) and every duplicate key in
    /// it, found while the tree was built. The errors are those of `root.duplicateKeyErrors()`.
    public struct Document: Sendable {
        public let root: YAMLNode?
        public let duplicateKeyErrors: [YAMLError]
    }

    /// Parses one document from text, reading the string's UTF-8 in place.
    public static func parseDocument(_ text: String, file: String) throws(YAMLError) -> Document {
        var text = text
        let result: Result<Document, YAMLError> = text.withUTF8 { utf8 in
            Result { () throws(YAMLError) -> Document in try parseDocument(UnsafeRawBufferPointer(utf8), file: file) }
        }
        return try result.get()
    }

    /// Reads and parses a file. `displayName` is what marks show (for instance the path
    /// relative to the configuration file). An unreadable file is a `YAMLError` at 1:1.
    public static func parse(contentsOf path: String, displayName: String) throws(YAMLError) -> YAMLNode? {
        let bytes: [UInt8]
        switch readFile(path) {
        case .success(let b): bytes = b
        case .failure(let reason):
            throw YAMLError(
                mark: Mark(file: displayName, line: 1, column: 1),
                message: "cannot read the file: \(reason.text)")
        }
        return try parse(bytes, file: displayName)
    }

    /// Parses one document from memory that stays valid for the duration of the call.
    public static func parse(_ buffer: UnsafeRawBufferPointer, file: String) throws(YAMLError) -> YAMLNode? {
        try parseDocument(buffer, file: file).root
    }

    /// Parses one document from memory that stays valid for the duration of the call.
    public static func parseDocument(_ buffer: UnsafeRawBufferPointer, file: String) throws(YAMLError) -> Document {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return Document(root: nil, duplicateKeyErrors: []) }

        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        defer { parser.deallocate() }
        guard yaml_parser_initialize(parser) == 1 else {
            throw YAMLError(mark: Mark(file: file, line: 1, column: 1), message: "out of memory")
        }
        defer { yaml_parser_delete(parser) }
        yaml_parser_set_input_string(parser, base.assumingMemoryBound(to: UInt8.self), buffer.count)

        let event = UnsafeMutablePointer<yaml_event_t>.allocate(capacity: 1)
        defer { event.deallocate() }

        var builder = TreeBuilder(file: file)
        while true {
            guard yaml_parser_parse(parser, event) == 1 else {
                throw syntaxError(parser, buffer: buffer, file: file)
            }
            defer { yaml_event_delete(event) }
            if try builder.consume(event) {
                return Document(root: builder.root, duplicateKeyErrors: builder.sortedDuplicateKeyErrors())
            }
        }
    }

    // MARK: - libyaml errors

    private static func syntaxError(
        _ parser: UnsafeMutablePointer<yaml_parser_t>, buffer: UnsafeRawBufferPointer, file: String
    ) -> YAMLError {
        let p = parser.pointee
        let problem = p.problem.map { String(cString: $0) } ?? "invalid YAML"
        switch p.error {
        case YAML_MEMORY_ERROR:
            return YAMLError(mark: Mark(file: file, line: 1, column: 1), message: "out of memory")
        case YAML_READER_ERROR:
            // The reader reports a byte offset, not a mark.
            var message = problem
            if p.problem_value != -1 {
                message += " (0x\(String(p.problem_value, radix: 16, uppercase: true)))"
            }
            message += "; the file must be UTF-8"
            return YAMLError(mark: mark(atOffset: p.problem_offset, in: buffer, file: file), message: message)
        default:
            var message = problem
            if let context = p.context {
                let c = p.context_mark
                message += ", \(String(cString: context)) at line \(c.line + 1), column \(c.column + 1)"
            }
            let m = p.problem_mark
            return YAMLError(mark: Mark(file: file, line: Int(m.line) + 1, column: Int(m.column) + 1), message: message)
        }
    }

    /// Line and column (in code points, like libyaml's) of a byte offset.
    static func mark(atOffset offset: Int, in buffer: UnsafeRawBufferPointer, file: String) -> Mark {
        var line = 1
        var column = 1
        var start = 0
        if buffer.count >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { start = 3 }
        var i = start
        while i < min(offset, buffer.count) {
            let byte = buffer[i]
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
            i += 1
        }
        return Mark(file: file, line: line, column: column)
    }

    // MARK: - Files

    struct ReadFailure: Error { let text: String }

    static func readFile(_ path: String) -> Result<[UInt8], ReadFailure> {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return .failure(ReadFailure(text: String(cString: strerror(errno)))) }
        defer { close(fd) }
        var info = stat()
        var bytes: [UInt8] = []
        if fstat(fd, &info) == 0 { bytes.reserveCapacity(Int(info.st_size) + 1) }
        let chunk = 1 << 16
        while true {
            let before = bytes.count
            bytes.append(contentsOf: repeatElement(0, count: chunk))
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + before, chunk) }
            if n < 0 {
                if errno == EINTR { bytes.removeLast(chunk); continue }
                return .failure(ReadFailure(text: String(cString: strerror(errno))))
            }
            bytes.removeLast(chunk - n)
            if n == 0 { return .success(bytes) }
        }
    }
}

/// Turns the event stream into a tree. Children of open collections wait on one
/// shared stack, so each collection costs exactly one array allocation when it closes.
struct TreeBuilder {
    private struct Frame {
        let isMapping: Bool
        let start: Int
        let mark: Mark
        let anchor: String?
        /// Nodes under this one, aliases counted at their expanded size.
        var size: Int
    }

    let file: String
    private let fileID: UInt32
    private(set) var root: YAMLNode?
    /// Repeated keys, one error per repetition, in the order mappings closed.
    private var duplicates: [YAMLError] = []
    private var pending: [YAMLNode] = []
    private var frames: [Frame] = []
    private var anchors: [String: (node: YAMLNode, size: Int)] = [:]
    private var expanded = 0
    private var documents = 0

    init(file: String) {
        self.file = file
        self.fileID = FileNames.shared.id(file)
        pending.reserveCapacity(64)
        frames.reserveCapacity(16)
    }

    private func mark(_ m: yaml_mark_t) -> Mark {
        Mark(fileID: fileID, line: Int(m.line) + 1, column: Int(m.column) + 1)
    }

    /// The duplicate keys of every mapping built, in document order.
    func sortedDuplicateKeyErrors() -> [YAMLError] {
        duplicates.sorted { $0.mark < $1.mark }
    }

    /// Records each key of `pending[start...]` (keys at even offsets) that repeats an earlier
    /// one, as `YAMLMapping.duplicateKeys()` words it. Every mapping is checked once, when it
    /// closes; a mapping an alias repeats is the same mapping, so its errors are not repeated.
    private mutating func checkDuplicateKeys(from start: Int) {
        let count = (pending.count - start) / 2
        guard count > 1 else { return }
        if count <= 16 {
            for k in 1..<count {
                guard case .scalar(let scalar) = pending[start + 2 * k].value else { continue }
                for j in 0..<k where pending[start + 2 * j].hasText(scalar.text) {
                    recordDuplicate(pending[start + 2 * k], text: scalar.text, first: pending[start + 2 * j].mark)
                    break
                }
            }
            return
        }
        var firsts: [String: Mark] = [:]
        firsts.reserveCapacity(count)
        for k in 0..<count {
            let key = pending[start + 2 * k]
            guard case .scalar(let scalar) = key.value else { continue }
            if let first = firsts[scalar.text] {
                recordDuplicate(key, text: scalar.text, first: first)
            } else {
                firsts[scalar.text] = key.mark
            }
        }
    }

    private mutating func recordDuplicate(_ key: YAMLNode, text: String, first: Mark) {
        duplicates.append(key.error("duplicate key \(quote(text)) (first at line \(first.line), column \(first.column))"))
    }

    /// Handles one event; true at the end of the stream.
    mutating func consume(_ event: UnsafeMutablePointer<yaml_event_t>) throws(YAMLError) -> Bool {
        switch event.pointee.type {
        case YAML_SCALAR_EVENT:
            let s = event.pointee.data.scalar
            let text = s.length == 0
                ? "" : String(decoding: UnsafeBufferPointer(start: s.value, count: Int(s.length)), as: UTF8.self)
            let style: YAMLNode.Scalar.Style
            switch s.style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: style = .literal
            case YAML_FOLDED_SCALAR_STYLE: style = .folded
            default: style = .plain
            }
            let tag = s.tag.map { String(cString: $0) }
            let node = YAMLNode(
                scalar: YAMLNode.Scalar(text: text, style: style, tag: tag), mark: mark(event.pointee.start_mark))
            if let anchor = s.anchor { anchors[String(cString: anchor)] = (node, 1) }
            add(node, size: 1)

        case YAML_MAPPING_START_EVENT:
            try open(isMapping: true, anchor: event.pointee.data.mapping_start.anchor, at: event.pointee.start_mark)

        case YAML_SEQUENCE_START_EVENT:
            try open(isMapping: false, anchor: event.pointee.data.sequence_start.anchor, at: event.pointee.start_mark)

        case YAML_MAPPING_END_EVENT, YAML_SEQUENCE_END_EVENT:
            let frame = frames.removeLast()
            let node: YAMLNode
            if frame.isMapping {
                checkDuplicateKeys(from: frame.start)
                var entries: [(key: YAMLNode, value: YAMLNode)] = []
                entries.reserveCapacity((pending.count - frame.start) / 2)
                var i = frame.start
                while i + 1 < pending.count {
                    entries.append((pending[i], pending[i + 1]))
                    i += 2
                }
                node = YAMLNode(value: .mapping(entries), mark: frame.mark)
            } else {
                node = YAMLNode(value: .sequence(Array(pending[frame.start...])), mark: frame.mark)
            }
            pending.removeSubrange(frame.start...)
            let size = frame.size + 1
            if let anchor = frame.anchor { anchors[anchor] = (node, size) }
            add(node, size: size)

        case YAML_ALIAS_EVENT:
            let name = String(cString: event.pointee.data.alias.anchor)
            let at = mark(event.pointee.start_mark)
            guard let (original, size) = anchors[name] else {
                throw YAMLError(mark: at, message: "unknown alias *\(name); define &\(name) before using it")
            }
            expanded += size
            if expanded > YAMLParser.maxAliasExpansion {
                throw YAMLError(
                    mark: at,
                    message: "aliases expand to more than \(YAMLParser.maxAliasExpansion) nodes; refusing to continue")
            }
            add(YAMLNode(value: original.value, mark: at), size: size)

        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            if documents > 1 {
                throw YAMLError(mark: mark(event.pointee.start_mark), message: "expected a single document")
            }

        case YAML_STREAM_END_EVENT:
            return true

        default:  // stream start, document end
            break
        }
        return false
    }

    private mutating func open(
        isMapping: Bool, anchor: UnsafeMutablePointer<yaml_char_t>?, at start: yaml_mark_t
    ) throws(YAMLError) {
        let at = mark(start)
        if frames.count >= YAMLParser.maxDepth {
            throw YAMLError(mark: at, message: "nested more than \(YAMLParser.maxDepth) levels deep")
        }
        frames.append(
            Frame(isMapping: isMapping, start: pending.count, mark: at, anchor: anchor.map { String(cString: $0) }, size: 0))
    }

    private mutating func add(_ node: YAMLNode, size: Int) {
        if frames.isEmpty {
            root = node
        } else {
            pending.append(node)
            frames[frames.count - 1].size += size
        }
    }
}
