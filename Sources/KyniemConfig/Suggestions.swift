/// "Did you mean …" for values where edit distance alone suggests too much: every two-letter
/// code is one letter away from dozens of others.
public enum Suggestions {
    /// Codes one typing slip away from `code`: its letters swapped (`PJ` for `JP`) first, then
    /// one letter changed, at most five, in the order of `known`.
    public static func countryCodes(near code: String, among known: [String]) -> [String] {
        let letters = Array(code)
        guard letters.count == 2 else { return [] }
        let swapped = String(letters.reversed())
        var close = swapped != code && known.contains(swapped) ? [swapped] : []
        close += known.filter { candidate in
            let other = Array(candidate)
            return other.count == 2 && zip(letters, other).filter { $0 != $1 }.count == 1
        }
        return Array(close.prefix(5))
    }

    /// `A`, `A or B`, `A, B or C`.
    public static func alternatives(_ items: [String]) -> String {
        guard items.count > 1 else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " or " + items.last!
    }
}
