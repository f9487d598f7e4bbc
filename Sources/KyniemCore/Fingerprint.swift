/// FNV-1a, 64 bits: a stable fingerprint of bytes across runs and machines (Swift's `Hasher` is
/// seeded per process), for a published event's text and for the inputs of a publish. Only change
/// detection, never security.
public struct Fingerprint: Sendable {
    @usableFromInline var value: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    @inlinable public mutating func add(_ bytes: some Sequence<UInt8>) {
        // A String's UTF-8 is read in place, twice as fast as through its iterator.
        let done: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            var value = self.value
            for byte in buffer {
                value ^= UInt64(byte)
                value = value &* 0x0000_0100_0000_01b3
            }
            self.value = value
        }
        if done != nil { return }
        for byte in bytes {
            value ^= UInt64(byte)
            value = value &* 0x0000_0100_0000_01b3
        }
    }

    public var hex: String {
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    public static func fnv1a(_ bytes: some Sequence<UInt8>) -> String {
        var fingerprint = Fingerprint()
        fingerprint.add(bytes)
        return fingerprint.hex
    }
}
