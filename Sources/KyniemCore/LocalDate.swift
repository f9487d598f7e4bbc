/// A day on the proleptic Gregorian calendar, with no time and no time zone.
///
/// The core speaks only in `LocalDate`s: "today" is found once, at the CLI edge, by
/// applying the home time zone to the clock.
public struct LocalDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// A validated date; nil for days that do not exist (1973-02-30, 2027-02-29).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1, day <= LocalDate.daysIn(month: month, year: year) else {
            return nil
        }
        self.year = year
        self.month = month
        self.day = day
    }

    /// For callers that have already checked the parts.
    public init(_ year: Int, _ month: Int, _ day: Int) {
        precondition(LocalDate(year: year, month: month, day: day) != nil, "invalid date \(year)-\(month)-\(day)")
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses exactly `YYYY-MM-DD`; nil for anything else or a day that does not exist.
    public init?(iso text: some StringProtocol) {
        // The text's own UTF-8 when it is contiguous (a native String or Substring): reading a
        // configuration parses a date for every dated event, and an Array of the bytes was a
        // malloc each time.
        let parsed = text.utf8.withContiguousStorageIfAvailable(Self.parseISO)
            ?? Array(text.utf8).withUnsafeBufferPointer(Self.parseISO)
        guard let parsed else { return nil }
        self = parsed
    }

    private static func parseISO(_ bytes: UnsafeBufferPointer<UInt8>) -> LocalDate? {
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let byte = bytes[index]
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10) else { return nil }
        return LocalDate(year: y, month: m, day: d)
    }

    /// `YYYY-MM-DD`.
    public var iso: String { formatted(separator: UInt8(ascii: "-")) }

    /// `YYYYMMDD`, as RFC 5545 writes a DATE.
    public var basic: String { formatted(separator: nil) }

    /// The year zero-padded to four digits (more if it has more; a minus sign first if it is
    /// negative), the month and the day to two, with `separator` between them. Written
    /// straight into the string's storage: every calendar line and JSON record has dates.
    private func formatted(separator: UInt8?) -> String {
        guard (0...9999).contains(year) else {
            // Outside `Limits`; kept as it always read (`basic` is `iso` without its hyphens).
            let y = String(year)
            let m = month < 10 ? "0\(month)" : "\(month)"
            let d = day < 10 ? "0\(day)" : "\(day)"
            let iso = "\(String(repeating: "0", count: max(0, 4 - y.count)))\(y)-\(m)-\(d)"
            return separator == nil ? String(iso.filter { $0 != "-" }) : iso
        }
        let count = separator == nil ? 8 : 10
        return String(unsafeUninitializedCapacity: count) { buffer in
            var i = 0
            func put(_ value: Int, digits: Int) {
                var divisor = digits == 4 ? 1000 : 10
                while divisor > 0 {
                    buffer[i] = UInt8(truncatingIfNeeded: 48 + (value / divisor) % 10)
                    i += 1
                    divisor /= 10
                }
            }
            put(year, digits: 4)
            if let separator { buffer[i] = separator; i += 1 }
            put(month, digits: 2)
            if let separator { buffer[i] = separator; i += 1 }
            put(day, digits: 2)
            return i
        }
    }

    public var description: String { iso }

    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    public static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Julian Day Number (the day count used by astronomical algorithms; 2000-01-01 is 2451545).
    ///
    /// Plain `Int` arithmetic is safe here and in `init(julianDay:)` and `adding(days:)`: every
    /// date reaches them from a year in `Limits.years` moved by a bounded number of days, so Julian
    /// Day Numbers stay between about 1.7 and 5.4 million (see `Limits`).
    public var julianDay: Int {
        let a = (14 - month) / 12
        let y = year + 4800 - a
        let m = month + 12 * a - 3
        return day + (153 * m + 2) / 5 + 365 * y + y / 4 - y / 100 + y / 400 - 32045
    }

    public init(julianDay jd: Int) {
        let a = jd + 32044
        let b = (4 * a + 3) / 146097
        let c = a - 146097 * b / 4
        let d = (4 * c + 3) / 1461
        let e = c - 1461 * d / 4
        let m = (5 * e + 2) / 153
        self.day = e - (153 * m + 2) / 5 + 1
        self.month = m + 3 - 12 * (m / 10)
        self.year = 100 * b + d - 4800 + m / 10
    }

    public func adding(days: Int) -> LocalDate {
        days == 0 ? self : LocalDate(julianDay: julianDay + days)
    }

    /// Whole days from `self` to `other` (positive when `other` is later).
    public func days(until other: LocalDate) -> Int {
        other.julianDay - julianDay
    }

    public var weekday: Weekday {
        // JDN 0 was a Monday. The remainder is taken non-negative so that even a day before
        // JDN 0 (4714 BC, beyond `Limits`) has a weekday; the force unwrap then cannot fail.
        Weekday(rawValue: (julianDay % 7 + 7) % 7 + 1)!
    }
}

/// ISO 8601 weekday numbering: Monday is 1, Sunday is 7.
public enum Weekday: Int, CaseIterable, Sendable, Comparable {
    case monday = 1, tuesday, wednesday, thursday, friday, saturday, sunday

    public init?(name: String) {
        guard let match = Weekday.allCases.first(where: { $0.name == name.lowercased() }) else { return nil }
        self = match
    }

    public var name: String {
        switch self {
        case .monday: "monday"
        case .tuesday: "tuesday"
        case .wednesday: "wednesday"
        case .thursday: "thursday"
        case .friday: "friday"
        case .saturday: "saturday"
        case .sunday: "sunday"
        }
    }

    public static func < (lhs: Weekday, rhs: Weekday) -> Bool { lhs.rawValue < rhs.rawValue }
}
