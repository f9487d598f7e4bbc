/// Collects errors so that a caller can report every problem in one pass
/// (`kyniem check` lists them all) while still using throwing accessors:
///
///     var diagnostics = Diagnostics()
///     let id = diagnostics.attempt { try map.required("id").string() }
///     let day = diagnostics.attempt { try map.required("day").int() }
///     // go on with whatever decoded; print diagnostics.sorted at the end
public struct Diagnostics: Sendable, CustomStringConvertible {
    public private(set) var errors: [YAMLError] = []

    public init() {}

    public var isEmpty: Bool { errors.isEmpty }

    public mutating func record(_ error: YAMLError) {
        errors.append(error)
    }

    public mutating func record(contentsOf errors: some Sequence<YAMLError>) {
        self.errors.append(contentsOf: errors)
    }

    /// Runs `body`; on a `YAMLError` records it and returns nil.
    ///
    /// The closure is untyped-throwing because Swift 6 does not yet infer
    /// `throws(YAMLError)` for closures (that needs the FullTypedThrows feature), and
    /// an annotation at every call would bury the code it protects. Any error other
    /// than `YAMLError` means a caller forgot to locate it: a programming error that
    /// stops here. Use `attempt(at:_:)` around code that throws other errors.
    public mutating func attempt<T>(_ body: () throws -> T) -> T? {
        do {
            return try body()
        } catch let error as YAMLError {
            errors.append(error)
            return nil
        } catch {
            preconditionFailure("Diagnostics.attempt: unlocated error \(error); use attempt(at:_:)")
        }
    }

    /// Runs `body`; records a `YAMLError` as it is, and any other error at `mark`
    /// with the error's description as the message. Returns nil after an error.
    public mutating func attempt<T>(at mark: Mark, _ body: () throws -> T) -> T? {
        do {
            return try body()
        } catch let error as YAMLError {
            errors.append(error)
            return nil
        } catch {
            errors.append(YAMLError(mark: mark, message: String(describing: error)))
            return nil
        }
    }

    /// The errors by file, line and column, exact repeats removed.
    public var sorted: [YAMLError] {
        var seen = Set<YAMLError>()
        return errors.filter { seen.insert($0).inserted }.sorted { $0.mark < $1.mark }
    }

    /// One `file:line:column: message` per line, sorted.
    public var description: String {
        sorted.map(\.description).joined(separator: "\n")
    }
}
