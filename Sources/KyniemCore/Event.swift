/// What an event commemorates; chooses checklists, filters and milestone rules.
public enum EventKind: String, CaseIterable, Sendable, Hashable {
    case diplomaticRelations = "diplomatic-relations"
    case nationalDay = "national-day"
    /// The establishment or upgrade of a partnership framework (comprehensive strategic,
    /// strategic, comprehensive partnership); each framework counts from its own date.
    case partnership
    case holiday
    case commemoration
    case custom
}

/// An output language. vi and en are shipped; titles fall back to the other one when missing.
public enum Language: String, CaseIterable, Sendable, Hashable {
    case vi, en
}

/// Text given either once for every language or per language.
public struct LocalizedText: Sendable, Hashable {
    public let byLanguage: [String: String]
    /// The first language written in the source, used as a last fallback.
    public let primary: String

    public init(_ text: String) {
        self.byLanguage = [:]
        self.primary = text
    }

    public init(byLanguage: [String: String], primary: String) {
        self.byLanguage = byLanguage
        self.primary = primary
    }

    public func resolved(_ language: Language) -> String {
        // Most texts are given once: no language's key to hash for every occurrence written.
        if byLanguage.isEmpty { return primary }
        if let text = text(for: language) { return text }
        for other in Language.allCases where other != language {
            if let text = text(for: other) { return text }
        }
        return primary
    }

    /// `byLanguage[language.rawValue]`. A text has a language or two, and comparing that many
    /// keys costs a fraction of hashing one (every occurrence written resolves a country name).
    @inline(__always)
    private func text(for language: Language) -> String? {
        let code = language.rawValue
        guard byLanguage.count <= 4 else { return byLanguage[code] }
        for (key, text) in byLanguage where key == code { return text }
        return nil
    }
}

/// A partner country (or the home country) as the calendars name it.
public struct Country: Sendable, Hashable {
    /// ISO 3166-1 alpha-2, upper case.
    public let code: String
    public let name: LocalizedText

    public init(code: String, name: LocalizedText) {
        self.code = code
        self.name = name
    }

    /// How many codes of two capital letters there are: a table indexed by `slot` has this size.
    public static let slotCount = 26 * 26

    /// A code of two capital letters numbered `(first − A) × 26 + (second − A)`, so that a table
    /// answers for it without the code being hashed; nil for any other pair of bytes.
    @inline(__always)
    public static func slot(_ first: UInt8, _ second: UInt8) -> Int? {
        let a = Int(first) - 65
        let b = Int(second) - 65
        guard (0..<26).contains(a), (0..<26).contains(b) else { return nil }
        return a * 26 + b
    }

    /// `slot` of a code's two bytes; nil unless the code is exactly two capital letters.
    @inline(__always)
    public static func slot(ofCode code: String) -> Int? {
        var letters = code.utf8.makeIterator()
        guard let first = letters.next(), let second = letters.next(), letters.next() == nil else { return nil }
        return slot(first, second)
    }

    /// The flag emoji built from the code's regional-indicator letters (JP → 🇯🇵).
    public var flag: String {
        var scalars = String.UnicodeScalarView()
        for unit in code.unicodeScalars {
            guard let scalar = Unicode.Scalar(0x1F1E6 + unit.value - 65), unit.value >= 65, unit.value <= 90 else {
                return ""
            }
            scalars.append(scalar)
        }
        return String(scalars)
    }
}

/// The day of a lunar month an event falls on.
public enum LunarDay: Sendable, Hashable {
    /// Day 1...30; day 30 in a 29-day month falls on the 29th.
    case day(Int)
    /// The month's last day (29 or 30), e.g. giao thừa on 12/last.
    case last
}

/// How an event recurs. Every case answers "which day in year Y?" in O(1), so a query
/// costs events × years, never the days in the window.
public enum Recurrence: Sendable, Hashable {
    /// `date: YYYY-MM-DD`: recurs every year after the origin; the ordinal counts from it.
    case origin(LocalDate)
    /// `date: {month, day}` with an optional `since` year for the ordinal.
    case monthDay(month: Int, day: Int, since: Int?)
    /// `lunar: {month, day|last, leap}` on the Vietnamese lunar calendar.
    case lunar(month: Int, day: LunarDay, leap: Bool, since: Int?)
    /// `rule: {month, weekday, nth}`; nth is 1...5, or -1 for the last one.
    case nthWeekday(month: Int, weekday: Weekday, nth: Int, since: Int?)
    /// `once: YYYY-MM-DD`.
    case once(LocalDate)
    /// `calendar: {system, month, day, observance}`: a day of another calendar (Hebrew, Bikram
    /// Sambat), moved as its observance says; years whose date is not known have no occurrence.
    case calendar(CalendarRule, since: Int?)

    /// The year the ordinal counts from, if any.
    public var originYear: Int? {
        switch self {
        case .origin(let date): date.year
        case .monthDay(_, _, let since), .lunar(_, _, _, let since), .nthWeekday(_, _, _, let since),
            .calendar(_, let since): since
        case .once: nil
        }
    }
}

/// An immutable class rather than a struct: every occurrence holds its event, and a
/// configuration can hold 100,000 of them, so a copy is one reference, not eight fields.
/// Equality and hashing are by value, as they were for the struct.
///
/// Stored compactly, since the events are most of what a large configuration keeps in memory:
/// a two-letter country code as two bytes, and the fields most events leave out (note, source,
/// first year) in one optional box, so an event takes 128 bytes of heap instead of 192.
public final class Event: Sendable, Hashable, Identifiable {
    /// Unique across all calendars, `[a-z0-9-]`.
    public let id: String
    public let title: LocalizedText
    public let recurrence: Recurrence
    public let kind: EventKind
    /// A non-working day at home (public holiday); moves checklist due dates.
    public let dayOff: Bool
    /// An ISO code's two ASCII letters (first in the low byte); 0 for none, or for a code kept in `details`.
    /// Read by `OccurrenceList` to find the country without making a String and hashing it.
    let countryLetters: UInt16
    private let details: Details?

    /// What few events have, in one box.
    private final class Details: Sendable {
        let country: String?
        let note: String?
        let source: String?
        let firstYear: Int?

        init(country: String?, note: String?, source: String?, firstYear: Int?) {
            self.country = country
            self.note = note
            self.source = source
            self.firstYear = firstYear
        }
    }

    /// ISO code of the partner country, if the event belongs to one.
    public var country: String? {
        guard countryLetters != 0 else { return details?.country }
        return String(unsafeUninitializedCapacity: 2) { buffer in
            buffer[0] = UInt8(truncatingIfNeeded: countryLetters)
            buffer[1] = UInt8(truncatingIfNeeded: countryLetters >> 8)
            return 2
        }
    }

    public var note: String? { details?.note }
    public var source: String? { details?.source }
    /// The first Gregorian year the event occurs in (`from: 2026`), for observances that begin in
    /// a given year: none of its days before that year exist, as occurrences or as days off.
    public var firstYear: Int? { details?.firstYear }

    public init(
        id: String, kind: EventKind, country: String? = nil, title: LocalizedText,
        recurrence: Recurrence, dayOff: Bool = false, note: String? = nil, source: String? = nil,
        firstYear: Int? = nil
    ) {
        self.id = id
        self.kind = kind
        self.title = title
        self.recurrence = recurrence
        self.dayOff = dayOff
        var letters: UInt16 = 0
        if let country, country.utf8.count == 2, country.utf8.allSatisfy({ $0 > 0 && $0 < 0x80 }) {
            letters = UInt16(country.utf8.first!) | UInt16(country.utf8.last!) << 8
        }
        self.countryLetters = letters
        let otherCountry = letters == 0 ? country : nil
        if otherCountry != nil || note != nil || source != nil || firstYear != nil {
            details = Details(country: otherCountry, note: note, source: source, firstYear: firstYear)
        } else {
            details = nil
        }
    }

    /// Whether `date` is within the years the event exists in.
    @inline(__always)
    public func exists(on date: LocalDate) -> Bool {
        guard let details else { return true }
        return details.firstYear.map { date.year >= $0 } ?? true
    }

    public static func == (a: Event, b: Event) -> Bool {
        a === b || (a.id == b.id && a.kind == b.kind && a.country == b.country && a.title == b.title
            && a.recurrence == b.recurrence && a.dayOff == b.dayOff && a.note == b.note && a.source == b.source
            && a.firstYear == b.firstYear)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(id)
        hasher.combine(kind)
        hasher.combine(country)
        hasher.combine(title)
        hasher.combine(recurrence)
        hasher.combine(dayOff)
        hasher.combine(note)
        hasher.combine(source)
        hasher.combine(firstYear)
    }
}
