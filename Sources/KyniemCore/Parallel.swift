import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Pure work over a large collection, split into contiguous chunks that run on the machine's
/// cores. The result is the same as a sequential pass, in the same order: only the time changes.
/// Small inputs (under `minimumChunk` per core) stay on the calling thread.
public enum Parallel {
    /// Online processors, at least 1.
    public static let cores: Int = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

    /// `body` applied to consecutive ranges of `0..<count`, results in range order.
    public static func chunks<T>(
        count: Int, minimumChunk: Int = 8_192, _ body: @Sendable (Range<Int>) -> T
    ) -> [T] {
        let parts = min(cores, max(1, count / minimumChunk))
        guard parts > 1 else { return [body(0..<count)] }
        let results = UnsafeMutableBufferPointer<T?>.allocate(capacity: parts)
        results.initialize(repeating: nil)
        defer {
            results.deinitialize()
            results.deallocate()
        }
        let slots = UnsafeSendable(results)
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let lower = count * part / parts
            let upper = count * (part + 1) / parts
            // Each iteration writes its own slot only.
            slots.value[part] = body(lower..<upper)
        }
        return results.map { $0! }
    }
}

/// A value handed to concurrent iterations that each touch a distinct part of it.
private struct UnsafeSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
