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

    /// Runs `body`; on an error records it and returns nil.
    public mutating func attempt<T>(_ body: () throws(YAMLError) -> T) -> T? {
        do {
            return try body()
        } catch {
            errors.append(error)
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
