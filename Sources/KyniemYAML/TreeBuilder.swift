import CYAML

/// One libyaml event as a Swift value that owns its text, so that it can be built on the
/// thread running libyaml and consumed on another (`YAMLParser.parsePipelined`). Scalars
/// arrive as finished nodes: decoding their text is most of the per-event work, and it
/// is done where the event is read.
enum ParseEvent: Sendable {
    case scalar(YAMLNode, anchor: String?)
    case collectionStart(isMapping: Bool, anchor: String?, mark: Mark)
    /// The end of the innermost open mapping or sequence.
    case collectionEnd
    case alias(name: String, mark: Mark)
    case documentStart(Mark)
    case streamEnd
    /// libyaml stopped here; nothing follows.
    case failure(YAMLError)
}

/// libyaml's parser over a buffer, read one `ParseEvent` at a time. Used by one thread
/// only; the buffer must outlive it.
final class EventReader {
    private let parser: UnsafeMutablePointer<yaml_parser_t>
    private let event: UnsafeMutablePointer<yaml_event_t>
    private let buffer: UnsafeRawBufferPointer
    private let file: String
    private let fileID: UInt32

    init(_ buffer: UnsafeRawBufferPointer, file: String, fileID: UInt32) throws(YAMLError) {
        self.buffer = buffer
        self.file = file
        self.fileID = fileID
        parser = .allocate(capacity: 1)
        event = .allocate(capacity: 1)
        guard yaml_parser_initialize(parser) == 1 else {
            parser.deallocate()
            event.deallocate()
            throw YAMLError(mark: Mark(file: file, line: 1, column: 1), message: "out of memory")
        }
        yaml_parser_set_input_string(parser, buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), buffer.count)
    }

    deinit {
        yaml_parser_delete(parser)
        parser.deallocate()
        event.deallocate()
    }

    private func mark(_ m: yaml_mark_t) -> Mark {
        Mark(fileID: fileID, line: Int(m.line) + 1, column: Int(m.column) + 1)
    }

    /// The next event that matters to the tree (stream start and document end are skipped).
    /// After `.streamEnd` there are no more; a syntax error is thrown with libyaml's mark.
    func next() throws(YAMLError) -> ParseEvent {
        while true {
            guard yaml_parser_parse(parser, event) == 1 else {
                throw YAMLParser.syntaxError(parser, buffer: buffer, file: file)
            }
            defer { yaml_event_delete(event) }
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
                return .scalar(node, anchor: s.anchor.map { String(cString: $0) })

            case YAML_MAPPING_START_EVENT:
                return .collectionStart(
                    isMapping: true, anchor: event.pointee.data.mapping_start.anchor.map { String(cString: $0) },
                    mark: mark(event.pointee.start_mark))

            case YAML_SEQUENCE_START_EVENT:
                return .collectionStart(
                    isMapping: false, anchor: event.pointee.data.sequence_start.anchor.map { String(cString: $0) },
                    mark: mark(event.pointee.start_mark))

            case YAML_MAPPING_END_EVENT, YAML_SEQUENCE_END_EVENT:
                return .collectionEnd

            case YAML_ALIAS_EVENT:
                return .alias(name: String(cString: event.pointee.data.alias.anchor), mark: mark(event.pointee.start_mark))

            case YAML_DOCUMENT_START_EVENT:
                return .documentStart(mark(event.pointee.start_mark))

            case YAML_STREAM_END_EVENT:
                return .streamEnd

            default:  // stream start, document end
                continue
            }
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
    /// The interned `file`, for the marks of the events.
    let fileID: UInt32
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
    mutating func consume(_ event: ParseEvent) throws(YAMLError) -> Bool {
        switch event {
        case .scalar(let node, let anchor):
            if let anchor { anchors[anchor] = (node, 1) }
            add(node, size: 1)

        case .collectionStart(let isMapping, let anchor, let at):
            if frames.count >= YAMLParser.maxDepth {
                throw YAMLError(mark: at, message: "nested more than \(YAMLParser.maxDepth) levels deep")
            }
            frames.append(Frame(isMapping: isMapping, start: pending.count, mark: at, anchor: anchor, size: 0))

        case .collectionEnd:
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

        case .alias(let name, let at):
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

        case .documentStart(let at):
            documents += 1
            if documents > 1 {
                throw YAMLError(mark: at, message: "expected a single document")
            }

        case .streamEnd:
            return true

        case .failure(let error):
            throw error
        }
        return false
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
