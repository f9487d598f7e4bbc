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
        try parseDocument(buffer, file: file, builder: TreeBuilder(file: file))
    }

    /// Parses one document, handing over the items of long lists instead of keeping them: when
    /// the root is a mapping, the sequence value of each key in `keys` (its first occurrence,
    /// unless it has an anchor) is left empty in the returned tree, and each of its items is
    /// given to `item`, with the key, as soon as the item is complete. A caller decodes and
    /// drops each item, so a list of 100,000 events never stands in memory as a tree.
    ///
    /// Everything else is as `parseDocument(_:file:)`: the marks, anchors and aliases (an item
    /// may use an anchor defined before it), duplicate keys (inside items too), and the first
    /// error, thrown after every item before it was handed over.
    ///
    /// `fast`, when given, is first offered each item that is a plain mapping (no anchor, no
    /// alias inside, a few dozen events at most) as its events (`StreamedItem`); when it returns
    /// true it has taken the item, and no tree is built for it. A decoder that knows the item's
    /// usual shape reads it there in one pass, and returns false for anything else (a tag, a
    /// duplicate key, a value it would reject), which then comes to `item` as a node, exactly
    /// as without `fast`: duplicate keys, marks and errors are those of the tree path.
    public static func parseDocument(
        _ text: String, file: String, streaming keys: [String],
        fast: ((_ key: String, _ item: StreamedItem) -> Bool)? = nil,
        item: (_ key: String, _ node: YAMLNode) -> Void
    ) throws(YAMLError) -> Document {
        var text = text
        let result: Result<Document, YAMLError> = withoutActuallyEscaping(item) { item in
            text.withUTF8 { utf8 in
                Result { () throws(YAMLError) -> Document in
                    try parseDocument(
                        UnsafeRawBufferPointer(utf8), file: file,
                        builder: TreeBuilder(file: file, streaming: keys, fast: fast, item: item))
                }
            }
        }
        return try result.get()
    }

    /// Events per batch read from libyaml before the builder takes them: enough that the
    /// loop between the two is cheap, few enough that a batch (40 bytes an event, plus its
    /// text) stays in cache.
    static let batchSize = 2_048

    /// libyaml and the tree builder on the calling thread, taking turns a batch at a time.
    ///
    /// There used to be a second way, libyaml on a thread of its own feeding the builder
    /// through a queue, for inputs of 256 KB and more. Measured on this 2-core machine for
    /// 100,000 events (8.3 MB), it saved no CPU and, with other work on the machine, no wall
    /// time either (see the commit that removed it); with the event lists streamed, the builder
    /// does too little per event for the overlap to pay for the hand-over.
    static func parseDocument(
        _ buffer: UnsafeRawBufferPointer, file: String, builder: TreeBuilder, batchSize: Int = batchSize
    ) throws(YAMLError) -> Document {
        guard buffer.baseAddress != nil, buffer.count > 0 else { return Document(root: nil, duplicateKeyErrors: []) }
        var builder = builder
        let reader = try EventReader(buffer, file: file)
        var batch = EventBatch(reserving: batchSize)
        while true {
            let more = reader.fill(&batch, limit: batchSize)
            if try builder.consume(batch) {
                return Document(root: builder.root, duplicateKeyErrors: builder.sortedDuplicateKeyErrors())
            }
            // A last batch ends with the end of the stream or a failure, so `consume` has
            // returned true or thrown.
            precondition(more, "YAMLParser: the event stream stopped without an end")
            batch.removeAll()
        }
    }

    // MARK: - libyaml errors

    static func syntaxError(
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

