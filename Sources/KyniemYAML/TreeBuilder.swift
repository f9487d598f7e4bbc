import CYAML

/// A run of libyaml events as plain values: what `EventReader` fills and `TreeBuilder`
/// consumes. The text of scalars, tags, anchors and alias names is copied into one byte
/// buffer per batch, and Strings are made from it by the builder, so a batch costs two
/// allocations however many events it holds, and libyaml's own event is freed at once.
struct EventBatch: Sendable {
    enum Kind: UInt8 {
        case scalar, mappingStart, sequenceStart, collectionEnd, alias, documentStart, streamEnd
    }

    struct Event {
        var kind: Kind
        /// For scalars.
        var style: YAMLNode.Scalar.Style
        /// The 1-based start mark, clamped as `Mark` clamps it.
        var line: Int32
        var column: Int32
        /// The scalar's value or the alias's name at `bytes[textStart..<textStart + textCount]`,
        /// followed by the tag, then the anchor; a count of -1 means none.
        var textStart: Int
        var textCount: Int
        var tagCount: Int32
        var anchorCount: Int32
    }

    var events: [Event] = []
    /// The text of the batch's events in `bytes[0..<textCount]`; the rest is room to copy into.
    /// Copied with `memcpy` (`appendText`): `Array.append(contentsOf:)` cost about 90
    /// instructions for each scalar copied out of libyaml, most of the copying's cost.
    private(set) var bytes: [UInt8] = []
    private(set) var textCount = 0
    /// libyaml stopped after `events` with this error; nothing follows.
    var failure: YAMLError?

    init(failure: YAMLError? = nil) {
        self.failure = failure
    }

    /// An empty batch with room for `count` events and their text (16 bytes each, about what
    /// a configuration has on average), to grow less while it fills.
    init(reserving count: Int) {
        events.reserveCapacity(count)
        bytes = [UInt8](repeating: 0, count: count * 16)
    }

    /// Appends `count` bytes of text at `start`.
    @inline(__always)
    mutating func appendText(_ start: UnsafePointer<UInt8>, count: Int) {
        guard count > 0 else { return }
        if textCount + count > bytes.count {
            // Doubles at least, so a batch of long scalars grows a few times, not per scalar.
            bytes.append(contentsOf: repeatElement(0, count: max(bytes.count, textCount + count - bytes.count)))
        }
        let at = textCount
        bytes.withUnsafeMutableBufferPointer { _ = memcpy($0.baseAddress! + at, start, count) }
        textCount += count
    }

    /// Whether the stream ended or failed in this batch.
    var isLast: Bool {
        failure != nil || events.last?.kind == .streamEnd
    }

    mutating func removeAll() {
        events.removeAll(keepingCapacity: true)
        textCount = 0
        failure = nil
    }
}

/// libyaml's parser over a buffer, read a batch at a time. Used by one thread only; the
/// buffer must outlive it.
final class EventReader {
    private let parser: UnsafeMutablePointer<yaml_parser_t>
    private let event: UnsafeMutablePointer<yaml_event_t>
    private let buffer: UnsafeRawBufferPointer
    private let file: String
    private var ended = false

    init(_ buffer: UnsafeRawBufferPointer, file: String) throws(YAMLError) {
        self.buffer = buffer
        self.file = file
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

    /// Appends events that matter to the tree (stream start and document end are skipped)
    /// until `batch` holds `limit` of them, the stream ends, or libyaml fails (`batch.failure`,
    /// with libyaml's mark). False once the stream has ended or failed: nothing more to read.
    func fill(_ batch: inout EventBatch, limit: Int) -> Bool {
        guard !ended else { return false }
        while batch.events.count < limit {
            guard yaml_parser_parse(parser, event) == 1 else {
                batch.failure = YAMLParser.syntaxError(parser, buffer: buffer, file: file)
                ended = true
                return false
            }
            defer { yaml_event_delete(event) }
            let e = event.pointee
            var item = EventBatch.Event(
                kind: .streamEnd, style: .plain,
                line: Int32(clamping: Int(e.start_mark.line) + 1), column: Int32(clamping: Int(e.start_mark.column) + 1),
                textStart: batch.textCount, textCount: 0, tagCount: -1, anchorCount: -1)
            switch e.type {
            case YAML_SCALAR_EVENT:
                let s = e.data.scalar
                item.kind = .scalar
                switch s.style {
                case YAML_SINGLE_QUOTED_SCALAR_STYLE: item.style = .singleQuoted
                case YAML_DOUBLE_QUOTED_SCALAR_STYLE: item.style = .doubleQuoted
                case YAML_LITERAL_SCALAR_STYLE: item.style = .literal
                case YAML_FOLDED_SCALAR_STYLE: item.style = .folded
                default: item.style = .plain
                }
                item.textCount = Int(s.length)
                if s.length > 0 { batch.appendText(s.value, count: Int(s.length)) }
                if let tag = s.tag { item.tagCount = append(tag, to: &batch) }
                if let anchor = s.anchor { item.anchorCount = append(anchor, to: &batch) }
            case YAML_MAPPING_START_EVENT:
                item.kind = .mappingStart
                if let anchor = e.data.mapping_start.anchor { item.anchorCount = append(anchor, to: &batch) }
            case YAML_SEQUENCE_START_EVENT:
                item.kind = .sequenceStart
                if let anchor = e.data.sequence_start.anchor { item.anchorCount = append(anchor, to: &batch) }
            case YAML_MAPPING_END_EVENT, YAML_SEQUENCE_END_EVENT:
                item.kind = .collectionEnd
            case YAML_ALIAS_EVENT:
                item.kind = .alias
                item.textCount = Int(append(e.data.alias.anchor, to: &batch))
            case YAML_DOCUMENT_START_EVENT:
                item.kind = .documentStart
            case YAML_STREAM_END_EVENT:
                batch.events.append(item)
                ended = true
                return false
            default:  // stream start, document end
                continue
            }
            batch.events.append(item)
        }
        return true
    }

    /// Appends a NUL-terminated string's bytes; their count.
    private func append(_ string: UnsafePointer<yaml_char_t>, to batch: inout EventBatch) -> Int32 {
        let count = strlen(UnsafeRawPointer(string).assumingMemoryBound(to: CChar.self))
        batch.appendText(string, count: count)
        return Int32(count)
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
        /// A streamed sequence (`YAMLParser.parseDocument(_:file:streaming:item:)`): each item
        /// goes to `item` as soon as it is complete, and the sequence stays empty in the tree.
        var streamsItems = false
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
    /// Keys of the root mapping whose sequence values are streamed to `item`, not kept.
    private let streamedKeys: [String]
    private var keysStreamed: [String] = []
    private let item: ((_ key: String, _ node: YAMLNode) -> Void)?
    /// Offered each streamed item that is a mapping as its events, before a tree is built for
    /// it; true when it took the item, which then never becomes a node.
    private let fast: ((_ key: String, _ item: StreamedItem) -> Bool)?

    init(
        file: String, streaming keys: [String] = [],
        fast: ((_ key: String, _ item: StreamedItem) -> Bool)? = nil,
        item: ((_ key: String, _ node: YAMLNode) -> Void)? = nil
    ) {
        self.streamedKeys = item == nil ? [] : keys
        self.item = item
        self.fast = item == nil ? nil : fast
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

    /// Handles a batch of events in order; true at the end of the stream. Throws the first
    /// error: the builder's own, or libyaml's after every event before it.
    mutating func consume(_ batch: EventBatch) throws(YAMLError) -> Bool {
        let result: Result<Bool, YAMLError> = batch.bytes.withUnsafeBufferPointer { bytes in
            batch.events.withUnsafeBufferPointer { events in
                Result { () throws(YAMLError) -> Bool in
                    var i = 0
                    while i < events.count {
                        if fast != nil, let end = offerFast(events, at: i, bytes: bytes) {
                            i = end + 1
                            continue
                        }
                        if try consume(events[i], bytes: bytes) { return true }
                        i += 1
                    }
                    return false
                }
            }
        }
        if try result.get() { return true }
        if let failure = batch.failure { throw failure }
        return false
    }

    /// Most events a streamed item may have to be offered to `fast`: an event of the usual
    /// shape has a dozen or two; a larger item takes the tree path.
    static let fastItemLimit = 96

    /// When the event at `start` begins an item of a streamed list that is a mapping without
    /// an anchor, lies whole in this batch, and has no alias, offers it to `fast`; the index of
    /// its last event if `fast` took it. Such an item defines no anchor and refers to none, so
    /// leaving it out of the tree changes nothing else; its nodes still count toward the list's
    /// size, as they would have.
    private mutating func offerFast(
        _ events: UnsafeBufferPointer<EventBatch.Event>, at start: Int, bytes: UnsafeBufferPointer<UInt8>
    ) -> Int? {
        guard let fast, events[start].kind == .mappingStart, events[start].anchorCount < 0,
            let frame = frames.last, frame.streamsItems, let key = keysStreamed.last
        else { return nil }
        var depth = 0
        // The item's deepest nesting: an item the tree path would refuse as too deep is left to it.
        var deepest = 0
        var nodes = 0
        var i = start
        let limit = min(events.count, start + Self.fastItemLimit)
        while i < limit {
            switch events[i].kind {
            case .mappingStart, .sequenceStart:
                depth += 1
                deepest = max(deepest, depth)
                nodes += 1
            case .collectionEnd:
                depth -= 1
            case .scalar:
                nodes += 1
            case .alias, .documentStart, .streamEnd:
                return nil
            }
            if depth == 0 { break }
            i += 1
        }
        guard i < limit, depth == 0, frames.count + deepest <= YAMLParser.maxDepth else { return nil }
        let item = StreamedItem(
            events: UnsafeBufferPointer(rebasing: events[start...i]), bytes: bytes, fileID: fileID)
        guard fast(key, item) else { return nil }
        frames[frames.count - 1].size += nodes
        return i
    }

    private mutating func consume(_ event: EventBatch.Event, bytes: UnsafeBufferPointer<UInt8>) throws(YAMLError) -> Bool {
        let at = Mark(fileID: fileID, line: Int(event.line), column: Int(event.column))
        // Tag and anchor follow the text.
        var offset = event.textStart + event.textCount
        func take(_ count: Int32) -> String? {
            guard count >= 0 else { return nil }
            defer { offset += Int(count) }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[offset..<offset + Int(count)]), as: UTF8.self)
        }
        switch event.kind {
        case .scalar:
            let text = event.textCount == 0
                ? ""
                : String(decoding: UnsafeBufferPointer(rebasing: bytes[event.textStart..<offset]), as: UTF8.self)
            let tag = take(event.tagCount)
            let node = YAMLNode(scalar: YAMLNode.Scalar(text: text, style: event.style, tag: tag), mark: at)
            if let anchor = take(event.anchorCount) { anchors[anchor] = (node, 1) }
            add(node, size: 1)

        case .mappingStart, .sequenceStart:
            if frames.count >= YAMLParser.maxDepth {
                throw YAMLError(mark: at, message: "nested more than \(YAMLParser.maxDepth) levels deep")
            }
            let anchor = take(event.anchorCount)
            var frame = Frame(isMapping: event.kind == .mappingStart, start: pending.count, mark: at, anchor: anchor, size: 0)
            if event.kind == .sequenceStart, anchor == nil, let key = streamedKey() {
                // An anchored sequence could be repeated by an alias, so only a plain one streams.
                keysStreamed.append(key)
                frame.streamsItems = true
            }
            frames.append(frame)

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

        case .alias:
            let name = String(decoding: UnsafeBufferPointer(rebasing: bytes[event.textStart..<offset]), as: UTF8.self)
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

        case .documentStart:
            documents += 1
            if documents > 1 {
                throw YAMLError(mark: at, message: "expected a single document")
            }

        case .streamEnd:
            return true
        }
        return false
    }

    private mutating func add(_ node: YAMLNode, size: Int) {
        if frames.isEmpty {
            root = node
        } else {
            frames[frames.count - 1].size += size
            if frames[frames.count - 1].streamsItems, let item, let key = keysStreamed.last {
                item(key, node)
            } else {
                pending.append(node)
            }
        }
    }

    /// The key a sequence starting now is the value of, when that value is to be streamed: a
    /// key of `streamedKeys` in the root mapping, its first occurrence only (a repeated key is
    /// an error of its own, and its value is kept whole as before).
    private func streamedKey() -> String? {
        guard !streamedKeys.isEmpty, frames.count == 1, frames[0].isMapping,
            (pending.count - frames[0].start) % 2 == 1,
            case .scalar(let key) = pending[pending.count - 1].value,
            streamedKeys.contains(key.text), !keysStreamed.contains(key.text)
        else { return nil }
        return key.text
    }
}
