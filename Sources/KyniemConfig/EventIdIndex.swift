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
            guard let slot = find(id) else { return nil }
            let position = slots[slot]
            return position == Self.empty ? nil : marks[Int(position - 1)]
        }
        set {
            if let slot = find(id), slots[slot] != Self.empty {
                let position = Int(slots[slot] - 1)
                if let newValue {
                    marks[position] = newValue
                } else {
                    slots[slot] = Self.removed
                    ids[position] = ""
                    count -= 1
                }
                return
            }
            guard let newValue else { return }
            let size = Self.tableSize(for: used + 1)
            if size > slots.count { rehash(size: size) }
            ids.append(id)
            marks.append(newValue)
            let mask = slots.count - 1
            var slot = id.hashValue & mask
            while slots[slot] != Self.empty { slot = (slot + 1) & mask }
            slots[slot] = UInt32(ids.count)
            used += 1
            count += 1
        }
    }

    /// The slot holding `id`, or the never-used slot that ends its chain; nil while the table is empty.
    private func find(_ id: String) -> Int? {
        guard !slots.isEmpty else { return nil }
        let mask = slots.count - 1
        var slot = id.hashValue & mask
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
