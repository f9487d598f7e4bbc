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
        try parseDocument(buffer, file: file, pipelineThreshold: pipelineThreshold)
    }

    /// Inputs of at least this many bytes are parsed in a pipeline (`parsePipelined`): libyaml
    /// on a thread of its own, the tree built on the calling thread. Measured in process (best
    /// of 200): at 80 KB, the largest bundled calendar, the pipeline is slower (1.7 ms against
    /// 1.6, and its median twice the serial one, from starting and waking a thread); the two
    /// break even near 190 KB; at 245 KB it takes 9.4 ms against 12.6, at 820 KB 31 against 42.
    /// So the bundled calendars and ordinary configurations stay on the single-threaded path.
    /// With one core there is nothing to overlap, so never.
    static let pipelineThreshold = cores > 1 ? 256 * 1024 : Int.max

    /// Events per batch handed from the libyaml thread to the tree builder: enough that the
    /// lock is taken rarely (about a thousand times for a 10 MB file), few enough that a batch
    /// (40 bytes an event, plus its text) stays in cache and the builder starts soon. The
    /// single-threaded path reads in batches of the same size.
    static let pipelineBatchSize = 2_048

    private static let cores: Int = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

    /// Parses one document, in a pipeline when the input has at least `pipelineThreshold`
    /// bytes. Both ways give the same document or the same error. Tests lower the threshold
    /// and the batch size to take the pipeline on small inputs.
    static func parseDocument(
        _ buffer: UnsafeRawBufferPointer, file: String, pipelineThreshold: Int, batchSize: Int = pipelineBatchSize
    ) throws(YAMLError) -> Document {
        guard buffer.baseAddress != nil, buffer.count > 0 else { return Document(root: nil, duplicateKeyErrors: []) }
        if buffer.count >= pipelineThreshold {
            return try parsePipelined(buffer, file: file, batchSize: batchSize)
        }
        return try parseSerially(buffer, file: file, batchSize: batchSize)
    }

    /// libyaml and the tree builder on the calling thread, taking turns a batch at a time.
    private static func parseSerially(
        _ buffer: UnsafeRawBufferPointer, file: String, batchSize: Int
    ) throws(YAMLError) -> Document {
        var builder = TreeBuilder(file: file)
        let reader = try EventReader(buffer, file: file)
        var batch = EventBatch()
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

    /// libyaml on a thread of its own (`EventProducer`) filling `EventBatch`es, handed over
    /// through a bounded `EventChannel`; the calling thread builds the tree from them in
    /// order, exactly as `parseSerially` does, so the document, the marks and the first error
    /// are the same. A syntax error arrives after every event before it. Whenever this returns
    /// or throws (an error of the builder's: unknown alias, too deep, a second document), the
    /// channel is cancelled and the producer joined first: no thread outlives the call, and
    /// none reads `buffer` after it.
    private static func parsePipelined(
        _ buffer: UnsafeRawBufferPointer, file: String, batchSize: Int
    ) throws(YAMLError) -> Document {
        let channel = EventChannel(capacity: 4)
        let producer = EventProducer(buffer: buffer, file: file, channel: channel, batchSize: batchSize)
        guard let thread = producer.start() else { return try parseSerially(buffer, file: file, batchSize: batchSize) }
        defer {
            channel.cancel()
            thread.join()
        }
        var builder = TreeBuilder(file: file)
        while let batch = channel.receive() {
            if try builder.consume(batch) {
                return Document(root: builder.root, duplicateKeyErrors: builder.sortedDuplicateKeyErrors())
            }
            channel.recycle(batch)
        }
        // The producer always ends with the end of the stream or a failure.
        preconditionFailure("YAMLParser: the libyaml thread stopped without ending the stream")
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

