import KyniemCore
import KyniemYAML

/// The entries of an `events:` list read straight from libyaml's events (`StreamedItem`),
/// without building a tree for each: the common, sound entry in one pass.
///
/// Only an entry the tree path (`readEvent`) would accept without a single problem is taken
/// here, decoded to the same `Event` with the same marks. Anything else, from a tag, a null or
/// a duplicate key to a value out of range or an unknown key, returns nil and the entry goes
/// the tree path, which reports its problems in their words, places and order. So the two
/// agree by construction on every problem: this path never reports one.
extension ConfigurationReader {
    /// `eventKeys`, as bytes to compare keys with (the same order).
    private static let eventKeyWords: [StaticString] = [
        "id", "kind", "country", "title", "date", "since", "since_source", "lunar", "rule", "once", "calendar",
        "day_off", "note", "from", "source",
    ]
    private enum Key {
        static let id = 0, kind = 1, country = 2, title = 3, date = 4, since = 5, sinceSource = 6, lunar = 7
        static let rule = 8, once = 9, calendar = 10, dayOff = 11, note = 12, from = 13, source = 14
    }

    /// The entry at `item`, when it is a sound event of the usual shape; nil to leave it to the
    /// tree path.
    func fastEvent(_ item: StreamedItem) -> EventEntry? {
        guard item.count >= 2, item.kind(0) == .mappingStart else { return nil }
        // The position of each key's value, -1 for none.
        var at = InlineArray<15, Int>(repeating: -1)
        var i = 1
        while item.kind(i) != .end {
            guard item.kind(i) == .scalar, item.isBare(i), let key = Self.keyIndex(item, i, Self.eventKeyWords),
                at[key] < 0
            else { return nil }
            let value = i + 1
            switch item.kind(value) {
            case .scalar:
                guard item.isBare(value), !item.isNull(value) else { return nil }
                i = value + 1
            case .mappingStart:
                guard let end = Self.flatMappingEnd(item, value) else { return nil }
                i = end + 1
            default:
                return nil
            }
            at[key] = value
        }

        guard at[Key.id] >= 0, at[Key.title] >= 0, at[Key.calendar] < 0,
            let id = Self.identifier(item, at[Key.id]),
            let title = Self.title(item, at[Key.title])
        else { return nil }
        var kind = EventKind.custom
        if at[Key.kind] >= 0 {
            guard let scalar = Self.scalarText(item, at[Key.kind]), let found = EventKind(rawValue: scalar) else { return nil }
            kind = found
        }
        var country: String?
        if at[Key.country] >= 0 {
            let p = at[Key.country]
            guard item.kind(p) == .scalar else { return nil }
            let bytes = item.bytes(p)
            guard bytes.count == 2, bytes.allSatisfy({ $0 >= 65 && $0 <= 90 }) else { return nil }
            country = item.text(p)
        }
        var dayOff = false
        if at[Key.dayOff] >= 0 {
            guard let value = Self.bool(item, at[Key.dayOff]) else { return nil }
            dayOff = value
        }
        var note: String?
        if at[Key.note] >= 0 {
            guard let text = Self.scalarText(item, at[Key.note]) else { return nil }
            note = text
        }
        var source: String?
        if at[Key.source] >= 0 {
            guard let text = Self.scalarText(item, at[Key.source]) else { return nil }
            source = text
        }
        if at[Key.sinceSource] >= 0, item.kind(at[Key.sinceSource]) != .scalar { return nil }
        var firstYear: Int?
        if at[Key.from] >= 0 {
            guard let year = Self.int(item, at[Key.from]), (1...9999).contains(year) else { return nil }
            firstYear = year
        }
        guard let recurrence = Self.recurrence(item, at) else { return nil }
        let event = Event(
            id: id, kind: kind, country: country, title: title, recurrence: recurrence,
            dayOff: dayOff, note: note, source: source, firstYear: firstYear)
        return .sound(event, idMark: item.mark(at[Key.id]), countryMark: country == nil ? nil : item.mark(at[Key.country]))
    }

    // MARK: The day

    private static func recurrence(_ item: StreamedItem, _ at: InlineArray<15, Int>) -> Recurrence? {
        // The one day key given (two or none are for the tree path to report).
        var dayKey = -1
        for key in dayKeys where at[key] >= 0 {
            guard dayKey < 0 else { return nil }
            dayKey = key
        }
        guard dayKey >= 0 else { return nil }
        let p = at[dayKey]
        let isMapping = item.kind(p) == .mappingStart
        var since: Int?
        if at[Key.since] >= 0 {
            guard dayKey != Key.once, dayKey != Key.date || isMapping,
                let year = int(item, at[Key.since]), Limits.years.contains(year)
            else { return nil }
            since = year
        }
        switch dayKey {
        case _ where dayKey == Key.once || (dayKey == Key.date && !isMapping):
            guard !isMapping, let text = scalarText(item, p), let date = LocalDate(iso: text),
                Limits.years.contains(date.year)
            else { return nil }
            return dayKey == Key.once ? .once(date) : .origin(date)
        case Key.date:
            guard let fields = fields(item, p, monthDayWords), let m = fields[0], let d = fields[1],
                let month = int(item, m), (1...12).contains(month), let day = int(item, d),
                (1...LocalDate.daysIn(month: month, year: 2000)).contains(day)
            else { return nil }
            return .monthDay(month: month, day: day, since: since)
        case Key.lunar:
            guard let fields = fields(item, p, lunarWords), let m = fields[0], let d = fields[1],
                let month = int(item, m), (1...12).contains(month)
            else { return nil }
            var leap = false
            if let l = fields[2] {
                guard let value = bool(item, l) else { return nil }
                leap = value
            }
            let day: LunarDay
            if item.textIs(d, "last") {
                day = .last
            } else {
                guard let value = int(item, d), (1...30).contains(value) else { return nil }
                day = .day(value)
            }
            return .lunar(month: month, day: day, leap: leap, since: since)
        default:  // rule
            guard let fields = fields(item, p, ruleWords), let m = fields[0], let w = fields[1],
                let n = fields[2], let month = int(item, m), (1...12).contains(month),
                let name = scalarText(item, w), let weekday = Weekday(name: name),
                let nth = int(item, n), (1...5).contains(nth) || nth == -1
            else { return nil }
            return .nthWeekday(month: month, weekday: weekday, nth: nth, since: since)
        }
    }

    // MARK: Values

    /// The title, a text or a text per language; nil for anything the tree path would report.
    private static func title(_ item: StreamedItem, _ p: Int) -> LocalizedText? {
        guard item.kind(p) == .mappingStart else {
            let text = item.text(p)
            return isBlank(text) ? nil : LocalizedText(text)
        }
        var values: [String: String] = [:]
        var primary: String?
        var seen = 0
        var i = p + 1
        while item.kind(i) != .end {
            guard let language = keyIndex(item, i, languageWords), seen & (1 << language) == 0 else { return nil }
            seen |= 1 << language
            let text = item.text(i + 1)
            guard !isBlank(text) else { return nil }
            values[languageKeys[language]] = text
            if primary == nil { primary = text }
            i += 2
        }
        guard let primary else { return nil }
        return LocalizedText(byLanguage: values, primary: primary)
    }

    private static let languageWords: [StaticString] = ["vi", "en"]
    /// The day keys but `calendar`, which takes the tree path.
    private static let dayKeys = [Key.date, Key.lunar, Key.rule, Key.once]
    private static let monthDayWords: [StaticString] = ["month", "day"]
    private static let lunarWords: [StaticString] = ["month", "day", "leap"]
    private static let ruleWords: [StaticString] = ["month", "weekday", "nth"]

    /// The value positions of `keys` (three at most) in the flat mapping at `p`, nil for a key
    /// not given, when it has no other key and none twice; nil otherwise.
    private static func fields(_ item: StreamedItem, _ p: Int, _ keys: [StaticString]) -> InlineArray<3, Int?>? {
        guard item.kind(p) == .mappingStart else { return nil }
        var found = InlineArray<3, Int?>(repeating: nil)
        var i = p + 1
        while item.kind(i) != .end {
            guard let key = keyIndex(item, i, keys), found[key] == nil else { return nil }
            found[key] = i + 1
            i += 2
        }
        return found
    }

    /// The end of a mapping at `p` whose keys and values are all bare scalars (no tag, no
    /// anchor, no null value); nil for any other.
    private static func flatMappingEnd(_ item: StreamedItem, _ p: Int) -> Int? {
        guard item.isBare(p) else { return nil }
        var i = p + 1
        while i + 1 < item.count, item.kind(i) == .scalar {
            guard item.isBare(i), item.kind(i + 1) == .scalar, item.isBare(i + 1), !item.isNull(i + 1) else { return nil }
            i += 2
        }
        return i < item.count && item.kind(i) == .end ? i : nil
    }

    /// Which of `words` the scalar at `i` is.
    private static func keyIndex(_ item: StreamedItem, _ i: Int, _ words: [StaticString]) -> Int? {
        guard item.isBare(i) else { return nil }
        return words.firstIndex { item.textIs(i, $0) }
    }

    private static func scalarText(_ item: StreamedItem, _ p: Int) -> String? {
        item.kind(p) == .scalar ? item.text(p) : nil
    }

    /// `[a-z0-9-]+`, as `identifier(_:what:)` accepts.
    private static func identifier(_ item: StreamedItem, _ p: Int) -> String? {
        guard item.kind(p) == .scalar else { return nil }
        let bytes = item.bytes(p)
        let valid = !bytes.isEmpty && bytes.allSatisfy {
            ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45
        }
        return valid ? item.text(p) : nil
    }

    /// A plain decimal integer as `YAMLNode.int()` reads it (`Int(text, radix: 10)`: an
    /// optional sign, then digits, within `Int`).
    private static func int(_ item: StreamedItem, _ p: Int) -> Int? {
        guard item.kind(p) == .scalar, item.style(p) == .plain else { return nil }
        var bytes = item.bytes(p)[...]
        var negative = false
        if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        guard !bytes.isEmpty else { return nil }
        var value = 0
        for byte in bytes {
            guard byte >= 48 && byte <= 57 else { return nil }
            let digit = Int(byte - 48)
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = negative ? times.subtractingReportingOverflow(digit) : times.addingReportingOverflow(digit)
            guard !o1, !o2 else { return nil }
            value = sum
        }
        return value
    }

    /// A plain `true` or `false`.
    private static func bool(_ item: StreamedItem, _ p: Int) -> Bool? {
        guard item.kind(p) == .scalar, item.style(p) == .plain else { return nil }
        if item.textIs(p, "true") { return true }
        if item.textIs(p, "false") { return false }
        return nil
    }
}
