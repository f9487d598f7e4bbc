/// How much an occurrence matters: `major`, `notable`, `routine`, or any name a configuration uses.
public struct Tier: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ name: String) { self.rawValue = name }

    public static let major = Tier("major")
    public static let notable = Tier("notable")
    public static let routine = Tier("routine")

    public var description: String { rawValue }

    /// Known tiers sort by weight (major first); others after them, by name.
    public static func < (lhs: Tier, rhs: Tier) -> Bool {
        let order = [Tier.major, .notable, .routine]
        let l = order.firstIndex(of: lhs) ?? order.count
        let r = order.firstIndex(of: rhs) ?? order.count
        return l != r ? l < r : lhs.rawValue < rhs.rawValue
    }
}

extension Tier {
    /// The tier as offices name it: vi "Trọng điểm", "Đáng chú ý", "Thường niên"; en "Major",
    /// "Notable", "Routine". A tier of the configuration's own is shown by its name.
    public func label(_ language: Language) -> String {
        switch (self, language) {
        case (.major, .vi): "Trọng điểm"
        case (.notable, .vi): "Đáng chú ý"
        case (.routine, .vi): "Thường niên"
        case (.major, .en): "Major"
        case (.notable, .en): "Notable"
        case (.routine, .en): "Routine"
        default: rawValue
        }
    }
}

/// One line of `milestones:`. A rule matches when every condition it names holds;
/// a rule that names none matches everything (the catch-all).
public struct MilestoneRule: Sendable, Hashable {
    /// The ordinal is a positive multiple of `every`.
    public let every: Int?
    /// The ordinal is one of these (`at: [1, 25, 50]`).
    public let at: [Int]?
    /// The event is of one of these kinds.
    public let kinds: Set<EventKind>?
    public let tier: Tier

    public init(every: Int? = nil, at: [Int]? = nil, kinds: Set<EventKind>? = nil, tier: Tier) {
        self.every = every
        self.at = at
        self.kinds = kinds
        self.tier = tier
    }

    public func matches(ordinal: Int?, kind: EventKind) -> Bool {
        if let kinds, !kinds.contains(kind) { return false }
        if let every {
            guard let ordinal, ordinal > 0, ordinal % every == 0 else { return false }
        }
        if let at {
            guard let ordinal, at.contains(ordinal) else { return false }
        }
        return true
    }
}

/// `milestones:` — first match wins; with no match the tier is `routine`.
public struct MilestonePolicy: Sendable, Hashable {
    public let rules: [MilestoneRule]

    public init(rules: [MilestoneRule]) { self.rules = rules }

    /// Ten-yearly anniversaries are major, five-yearly notable (năm tròn, năm chẵn), the rest routine.
    public static let standard = MilestonePolicy(rules: [
        MilestoneRule(every: 10, tier: .major),
        MilestoneRule(every: 5, tier: .notable),
        MilestoneRule(tier: .routine),
    ])

    public func tier(ordinal: Int?, kind: EventKind) -> Tier {
        rules.first { $0.matches(ordinal: ordinal, kind: kind) }?.tier ?? .routine
    }

    /// Every tier a rule can produce, in rule order, plus `routine`.
    public var tiers: [Tier] {
        var seen: [Tier] = []
        for rule in rules where !seen.contains(rule.tier) { seen.append(rule.tier) }
        if !seen.contains(.routine) { seen.append(.routine) }
        return seen
    }
}

public enum Ordinal {
    /// English ordinal: 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, 101st, 111th, 112th.
    public static func english(_ n: Int) -> String {
        let tens = abs(n) % 100
        let suffix: String
        if (11...13).contains(tens) {
            suffix = "th"
        } else {
            switch abs(n) % 10 {
            case 1: suffix = "st"
            case 2: suffix = "nd"
            case 3: suffix = "rd"
            default: suffix = "th"
            }
        }
        return "\(n)\(suffix)"
    }
}
