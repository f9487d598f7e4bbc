/// A mapping's entries in document order, with lookup by key text.
///
/// Keys match by their text whatever their quoting (`id:` and `"id":` are the same key).
/// Lookup is a linear scan: configuration mappings are small, and order matters more.
/// Duplicate keys are not an error here; `duplicateKeys()` and `keyProblems(allowed:)`
/// report them, and lookup then finds the first occurrence.
public struct YAMLMapping: Sendable {
    public let entries: [(key: YAMLNode, value: YAMLNode)]
    /// Where the mapping starts.
    public let mark: Mark

    public init(entries: [(key: YAMLNode, value: YAMLNode)], mark: Mark) {
        self.entries = entries
        self.mark = mark
    }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }

    /// The text of every scalar key, in document order (duplicates included).
    public var keys: [String] { entries.compactMap { $0.key.scalar?.text } }

    /// The value of the first entry whose key is `key`.
    public subscript(key: String) -> YAMLNode? {
        // Indexing in place compares each key without copying the entry (a hot path:
        // decoding one event looks up a dozen keys).
        let found = entries.withUnsafeBufferPointer { buffer in
            buffer.firstIndex { $0.key.hasText(key) }
        }
        return found.map { entries[$0].value }
    }

    /// The value for `key`, or "missing key \"id\"" at the mapping's mark.
    public func required(_ key: String) throws(YAMLError) -> YAMLNode {
        guard let node = self[key] else {
            throw YAMLError(mark: mark, message: "missing key \(quote(key))")
        }
        return node
    }

    /// The value for `key`, or nil when the key is absent or its value is null.
    public func optional(_ key: String) -> YAMLNode? {
        guard let node = self[key], !node.isNull else { return nil }
        return node
    }

    /// One error per key not in `allowed`, at the key, with a suggestion when an
    /// allowed key is a likely misspelling: `unknown key "titel"; did you mean "title"?`.
    /// Keys that are not scalars, and merge keys (`<<`), are reported too.
    public func unknownKeys(allowed: [String]) -> [YAMLError] {
        var errors: [YAMLError] = []
        for index in entries.indices {
            let key = entries[index].key
            guard let s = key.scalar, !key.isNull || s.style != .plain else {
                errors.append(key.error("expected a key, found \(key.foundDescription)"))
                continue
            }
            if allowed.contains(s.text) { continue }
            if s.text == "<<" && s.style == .plain {
                errors.append(key.error("merge keys (<<) are not supported; write the keys out"))
                continue
            }
            var message = "unknown key \(quote(s.text))"
            if let suggestion = closestKey(to: s.text, among: allowed) {
                message += "; did you mean \(quote(suggestion))?"
            } else if !allowed.isEmpty {
                message += "; expected one of " + allowed.map(quote).joined(separator: ", ")
            }
            errors.append(key.error(message))
        }
        return errors
    }

    /// One error per repeated key, at the repetition: `duplicate key "id"`.
    public func duplicateKeys() -> [YAMLError] {
        var errors: [YAMLError] = []
        // Mappings are small: comparing each key with the ones before it is cheaper than hashing.
        for index in entries.indices {
            guard case .scalar(let scalar) = entries[index].key.value else { continue }
            guard let first = entries[..<index].firstIndex(where: { $0.key.hasText(scalar.text) }) else { continue }
            let mark = entries[first].key.mark
            errors.append(entries[index].key.error(
                "duplicate key \(quote(scalar.text)) (first at line \(mark.line), column \(mark.column))"))
        }
        return errors
    }

    /// Duplicate and unknown keys together, in document order: what a validating
    /// caller usually wants for each mapping it decodes.
    public func keyProblems(allowed: [String]) -> [YAMLError] {
        (duplicateKeys() + unknownKeys(allowed: allowed)).sorted { $0.mark < $1.mark }
    }
}

/// The allowed key closest to `key`, if it is close enough to be a likely typo:
/// at most 2 edits, and at most a third of the key's length (at least 1), so that
/// short keys like "id" are not "corrected" into unrelated ones like "to".
public func closestKey(to key: String, among allowed: [String]) -> String? {
    let a = Array(key.lowercased().unicodeScalars)
    var best: (key: String, distance: Int)?
    for candidate in allowed {
        let b = Array(candidate.lowercased().unicodeScalars)
        let limit = min(2, max(1, max(a.count, b.count) / 3))
        let d = editDistance(a, b)
        if d <= limit, d < (best?.distance ?? .max) { best = (candidate, d) }
    }
    return best?.key
}

/// Optimal string alignment distance: insertions, deletions, substitutions and
/// transpositions of neighbours each cost 1 ("titel" → "title" is 1).
func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous2 = [Int](repeating: 0, count: b.count + 1)
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            var d = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                d = min(d, previous2[j - 2] + 1)
            }
            current[j] = d
        }
        (previous2, previous, current) = (previous, current, previous2)
    }
    return previous[b.count]
}

extension YAMLNode {
    /// True for a scalar whose text is `text`, compared without copying the node.
    @inline(__always)
    func hasText(_ text: String) -> Bool {
        if case .scalar(let scalar) = value { return scalar.text == text }
        return false
    }

    /// Every duplicate key in every mapping of this tree, in document order. Run it
    /// once on a parsed file: YAML forbids duplicate keys but libyaml does not check.
    public func duplicateKeyErrors() -> [YAMLError] {
        var errors = Set<YAMLError>()
        var stack = [self]
        while let node = stack.popLast() {
            switch node.value {
            case .scalar: break
            case .sequence(let items): stack.append(contentsOf: items)
            case .mapping(let entries):
                let found = YAMLMapping(entries: entries, mark: node.mark).duplicateKeys()
                // A Set, because an alias repeats its anchor's nodes and so their errors.
                if !found.isEmpty { errors.formUnion(found) }
                for index in entries.indices {
                    if case .scalar = entries[index].key.value {} else { stack.append(entries[index].key) }
                    stack.append(entries[index].value)
                }
            }
        }
        return errors.sorted { $0.mark < $1.mark }
    }
}
