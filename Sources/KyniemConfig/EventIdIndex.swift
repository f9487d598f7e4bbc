import KyniemYAML

/// Where each event id was first defined: what a `[String: Mark]` would answer, in about half
/// its memory. A dictionary of 100,000 ids took 2^18 buckets of a String and a Mark (7.4 MB,
/// most of it touched for the first time while reading); here the ids and marks lie in two
/// arrays in the order read, and a table of 4-byte positions, at most half full, finds them
/// (3.8 MB at 100,000). Ids are hashed and compared as String does (canonical equivalence), so
/// the same ids are duplicates as before.
struct EventIdIndex {
    private var ids: [String] = []
    private var marks: [Mark] = []
    /// A position in `ids` + 1; `Self.empty` never used, `Self.removed` used by a removed id.
    private var slots: [UInt32] = []
    /// Slots not empty (ids held and removed), what the table's load is counted by.
    private var used = 0
    private(set) var count = 0
    private static let empty: UInt32 = 0
    private static let removed: UInt32 = .max

    /// Room for `capacity` ids without growing.
    mutating func reserveCapacity(_ capacity: Int) {
        ids.reserveCapacity(capacity)
        marks.reserveCapacity(capacity)
        let size = Self.tableSize(for: capacity)
        if size > slots.count { rehash(size: size) }
    }

    subscript(id: String) -> Mark? {
        get {
            guard !slots.isEmpty else { return nil }
            let position = slots[slot(of: id, hash: id.hashValue)]
            return position == Self.empty ? nil : marks[Int(position - 1)]
        }
        set {
            guard let newValue else {
                guard !slots.isEmpty else { return }
                let slot = slot(of: id, hash: id.hashValue)
                guard slots[slot] != Self.empty else { return }
                ids[Int(slots[slot] - 1)] = ""
                slots[slot] = Self.removed
                count -= 1
                return
            }
            if insert(id, at: newValue) != nil {
                // Held already: its mark is replaced, as a dictionary's subscript does.
                marks[Int(slots[slot(of: id, hash: id.hashValue)] - 1)] = newValue
            }
        }
    }

    /// Adds `id` defined at `mark` unless it is held already; then returns the mark it was
    /// first given and keeps that. One hash and one probe, where asking and then setting took two.
    mutating func insert(_ id: String, at mark: Mark) -> Mark? {
        let size = Self.tableSize(for: used + 1)
        if size > slots.count { rehash(size: size) }
        let slot = slot(of: id, hash: id.hashValue)
        let position = slots[slot]
        if position != Self.empty { return marks[Int(position - 1)] }
        ids.append(id)
        marks.append(mark)
        slots[slot] = UInt32(ids.count)
        used += 1
        count += 1
        return nil
    }

    /// The slot holding `id`, or else the never-used slot that ends its chain (the table is never full).
    private func slot(of id: String, hash: Int) -> Int {
        let mask = slots.count - 1
        var slot = hash & mask
        while true {
            let position = slots[slot]
            if position == Self.empty { return slot }
            if position != Self.removed, ids[Int(position - 1)] == id { return slot }
            slot = (slot + 1) & mask
        }
    }

    /// A power of two at least twice `count`, and at least 16.
    private static func tableSize(for count: Int) -> Int {
        var size = 16
        while size < 2 * count { size *= 2 }
        return size
    }

    /// Places the ids held in a new table of `size` slots; removed ids leave no trace there.
    private mutating func rehash(size: Int) {
        var table = [UInt32](repeating: Self.empty, count: size)
        let mask = size - 1
        used = 0
        for position in slots where position != Self.empty && position != Self.removed {
            var slot = ids[Int(position - 1)].hashValue & mask
            while table[slot] != Self.empty { slot = (slot + 1) & mask }
            table[slot] = position
            used += 1
        }
        slots = table
    }
}
