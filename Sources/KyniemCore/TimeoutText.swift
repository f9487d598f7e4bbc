/// Timeouts as settings write them (`30s`, `500ms`, `2m`) and as messages show them. One rule for
/// a plugin's `timeout:`, a notifier's `timeout:` and the transports' "no answer within …".
package enum TimeoutText {
    /// The longest `timeout:` a plugin or a notifier may have: a run holds its lock while it waits.
    package static let longestMilliseconds = 3_600_000

    /// `30s`, `500ms`, `2m` → milliseconds, at most an hour (`longestMilliseconds`). A bare
    /// number has no unit and is refused: `timeout: 1` could mean a second or a millisecond.
    package static func parse(_ text: String) -> Int? {
        let units: [(String, Int)] = [("ms", 1), ("s", 1000), ("m", 60_000)]
        for (unit, factor) in units where text.hasSuffix(unit) {
            let number = text.dropLast(unit.count)
            // At most seven digits before multiplying, so the product cannot overflow.
            guard !number.isEmpty, number.count <= 7, number.allSatisfy(\.isASCII), number.allSatisfy(\.isNumber),
                let value = Int(number), value * factor <= longestMilliseconds
            else { return nil }
            return value * factor
        }
        return nil
    }

    /// `30s` for whole seconds, else `1500ms`.
    package static func describe(_ milliseconds: Int) -> String {
        milliseconds % 1000 == 0 ? "\(milliseconds / 1000)s" : "\(milliseconds)ms"
    }

    /// A duration in whole milliseconds, never negative.
    package static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return max(0, seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }
}
