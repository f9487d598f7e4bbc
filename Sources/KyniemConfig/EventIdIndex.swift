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
    /// A position in `ids` + 1, or `Self.empty`. Ids are only ever added, so every slot taken
    /// holds one and a probe ends at the first empty slot.
    private var slots: [UInt32] = []
    private static let empty: UInt32 = 0

    /// How many ids are held.
    var count: Int { ids.count }

    /// Room for `capacity` ids without growing.
    mutating func reserveCapacity(_ capacity: Int) {
        ids.reserveCapacity(capacity)
        marks.reserveCapacity(capacity)
        let size = Self.tableSize(for: capacity)
        if size > slots.count { rehash(size: size) }
    }

    /// Where `id` was first defined, if it is held.
    subscript(id: String) -> Mark? {
        guard !slots.isEmpty else { return nil }
        let position = slots[slot(of: id, hash: id.hashValue)]
        return position == Self.empty ? nil : marks[Int(position - 1)]
    }

    /// Adds `id` defined at `mark` unless it is held already; then returns the mark it was
    /// first given and keeps that. One hash and one probe, where asking and then setting took two.
    mutating func insert(_ id: String, at mark: Mark) -> Mark? {
        let size = Self.tableSize(for: ids.count + 1)
        if size > slots.count { rehash(size: size) }
        let slot = slot(of: id, hash: id.hashValue)
        let position = slots[slot]
        if position != Self.empty { return marks[Int(position - 1)] }
        ids.append(id)
        marks.append(mark)
        slots[slot] = UInt32(ids.count)
        return nil
    }

    /// The slot holding `id`, or else the never-used slot that ends its chain (the table is never full).
    private func slot(of id: String, hash: Int) -> Int {
        let mask = slots.count - 1
        var slot = hash & mask
        while true {
            let position = slots[slot]
            if position == Self.empty { return slot }
            if ids[Int(position - 1)] == id { return slot }
            slot = (slot + 1) & mask
        }
    }

    /// A power of two at least twice `count`, and at least 16.
    private static func tableSize(for count: Int) -> Int {
        var size = 16
        while size < 2 * count { size *= 2 }
        return size
    }

    /// Places the ids held in a new table of `size` slots.
    private mutating func rehash(size: Int) {
        var table = [UInt32](repeating: Self.empty, count: size)
        let mask = size - 1
        for position in slots where position != Self.empty {
            var slot = ids[Int(position - 1)].hashValue & mask
            while table[slot] != Self.empty { slot = (slot + 1) & mask }
            table[slot] = position
        }
        slots = table
    }
}
