#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A position in a YAML file, as a person would look for it in an editor.
///
/// `line` and `column` are 1-based. libyaml counts columns in Unicode code points
/// (not bytes), so a column after "Sự kiện" points at the right character.
///
/// A parsed file has a mark on every node, so a mark is kept small and free to copy:
/// the file name is interned (`FileNames`) and the mark stores its number, with line
/// and column as 32-bit numbers (saturating, for files of more than 2 billion lines).
public struct Mark: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Index into `FileNames.shared`; equal names have equal numbers.
    let fileID: UInt32
    private let storedLine: Int32
    private let storedColumn: Int32

    public var file: String { FileNames.shared.name(fileID) }
    public var line: Int { Int(storedLine) }
    public var column: Int { Int(storedColumn) }

    public init(file: String, line: Int, column: Int) {
        self.init(fileID: FileNames.shared.id(file), line: line, column: column)
    }

    /// A file name interned once, for a caller outside this module that marks many positions
    /// in one file (the compiled bundled calendars: 841 marks at each start): `Mark(file:line:column:)`
    /// with a `String` looks the name up under a lock every time.
    public struct File: Hashable, Sendable {
        let id: UInt32
        public init(_ name: String) { id = FileNames.shared.id(name) }
        public var name: String { FileNames.shared.name(id) }
    }

    /// The same mark as `Mark(file: file.name, line: line, column: column)`, without the lookup.
    public init(file: File, line: Int, column: Int) {
        self.init(fileID: file.id, line: line, column: column)
    }

    /// For callers that mark many positions in one file: the name is interned once.
    @inline(__always)
    init(fileID: UInt32, line: Int, column: Int) {
        self.fileID = fileID
        self.storedLine = Int32(clamping: line)
        self.storedColumn = Int32(clamping: column)
    }

    /// `file:line:column`, the form editors and terminals turn into links.
    public var description: String { "\(file):\(line):\(column)" }

    public static func < (a: Mark, b: Mark) -> Bool {
        if a.fileID != b.fileID {
            let (x, y) = (a.file, b.file)
            if x != y { return x < y }
        }
        return (a.storedLine, a.storedColumn) < (b.storedLine, b.storedColumn)
    }
}

/// The file names marks refer to, each stored once for the life of the process.
final class FileNames: @unchecked Sendable {
    static let shared = FileNames()

    // Guarded by `mutex`.
    private var names: [String] = []
    private var ids: [String: UInt32] = [:]
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    private init() {
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func id(_ name: String) -> UInt32 {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        if let id = ids[name] { return id }
        let id = UInt32(names.count)
        names.append(name)
        ids[name] = id
        return id
    }

    func name(_ id: UInt32) -> String {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return names[Int(id)]
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
