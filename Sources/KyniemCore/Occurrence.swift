/// One day on which an event falls, with its anniversary number and tier.
public struct Occurrence: Sendable, Hashable {
    public let event: Event
    /// The Gregorian date at home.
    public let date: LocalDate
    /// The nth anniversary, or nil when the event has no origin year.
    public let ordinal: Int?
    public let tier: Tier
    /// The lunar date of this occurrence, for events defined on the lunar calendar.
    public let lunar: LunarDate?
    /// The event's country, resolved from the calendars' `countries:`.
    public let country: Country?

    public init(event: Event, date: LocalDate, ordinal: Int?, tier: Tier, lunar: LunarDate?, country: Country?) {
        self.event = event
        self.date = date
        self.ordinal = ordinal
        self.tier = tier
        self.lunar = lunar
        self.country = country
    }

    /// The origin date the anniversary counts from, when there is a full one.
    public var originDate: LocalDate? {
        if case .origin(let origin) = event.recurrence {
            return LocalDate(year: origin.year, month: origin.month, day: origin.day)
        }
        return nil
    }

    /// The title with `{n}`, `{ordinal}`, `{origin}`, `{date}`, `{year}`, `{country}` and `{canchi}` filled in.
    public func title(_ language: Language) -> String {
        TitleTemplate.fill(event.title.resolved(language), occurrence: self, language: language)
    }

    /// Sort order fixed by SPEC.md: by date, then event id.
    public static func chronological(_ a: Occurrence, _ b: Occurrence) -> Bool {
        a.date != b.date ? a.date < b.date : a.event.id < b.event.id
    }
}

extension LocalizedText {
    /// Every language's text with the occurrence's placeholders filled in.
    public func filled(for occurrence: Occurrence) -> LocalizedText {
        // No placeholder in any language (most checklist tasks): already filled.
        if !TitleTemplate.hasPlaceholder(primary), !byLanguage.values.contains(where: TitleTemplate.hasPlaceholder) {
            return self
        }
        var values: [String: String] = [:]
        values.reserveCapacity(byLanguage.count)
        for (code, text) in byLanguage {
            values[code] = TitleTemplate.fill(text, occurrence: occurrence, language: Language(rawValue: code) ?? .en)
        }
        // The primary text is the first language's with the same text, filled in that language
        // (English for a code that names none, as above): that language's value, already filled.
        let match = byLanguage.first { $0.value == primary }
        let filledPrimary = match.map { values[$0.key]! } ?? TitleTemplate.fill(primary, occurrence: occurrence, language: .en)
        return LocalizedText(byLanguage: values, primary: filledPrimary)
    }
}

public enum TitleTemplate {
    /// Whether `template` has a `{`, the only way `fill` can change it.
    public static func hasPlaceholder(_ template: String) -> Bool {
        var template = template
        return template.withUTF8 { $0.contains(UInt8(ascii: "{")) }
    }

    public static func fill(_ template: String, occurrence: Occurrence, language: Language) -> String {
        guard hasPlaceholder(template) else { return template }
        var output: [UInt8] = []
        output.reserveCapacity(template.utf8.count + 16)
        fill(template, occurrence: occurrence, language: language) { output.append(contentsOf: $0) }
        return String(decoding: output, as: UTF8.self)
    }

    /// The filled template handed to `write` in pieces, in order: runs of the template's own text
    /// and the values of its placeholders. A writer that streams (a JSON, CSV or ICS document)
    /// takes the pieces where they land instead of a String made for each occurrence. Each piece
    /// is whole UTF-8 characters: the template is cut only at its ASCII braces.
    ///
    /// A placeholder with no value here (an unknown name, `{n}` for an event with no origin
    /// year) stays as it is written, braces included.
    public static func fill(
        _ template: String, occurrence: Occurrence, language: Language,
        into write: (UnsafeBufferPointer<UInt8>) -> Void
    ) {
        // Scans UTF-8 bytes over the contiguous storage (`withUTF8`), not `String.UTF8View`'s
        // indices: every feed, page and scheduled checklist task fills titles, and the view's
        // `firstIndex(of:)` costs about a thousand instructions a call.
        var template = template
        template.withUTF8 { utf8 in
            let openBrace = UInt8(ascii: "{")
            let closeBrace = UInt8(ascii: "}")
            var copied = 0
            var searchFrom = 0
            while let found = UnsafeBufferPointer(rebasing: utf8[searchFrom...]).firstIndex(of: openBrace) {
                let open = searchFrom + found
                guard let close = UnsafeBufferPointer(rebasing: utf8[open...]).firstIndex(of: closeBrace).map({ open + $0 })
                else { break }
                let name = UnsafeBufferPointer(rebasing: utf8[(open + 1)..<close])
                if var value = value(of: name, occurrence: occurrence, language: language) {
                    if open > copied { write(UnsafeBufferPointer(rebasing: utf8[copied..<open])) }
                    value.withUTF8 { write($0) }
                    copied = close + 1
                }
                // The next brace may open inside this one ("{a{n}" fills its "{n}").
                searchFrom = open + 1
            }
            if copied < utf8.count { write(UnsafeBufferPointer(rebasing: utf8[copied...])) }
        }
    }

    /// Whether a placeholder's name is `word`, compared as bytes (no String made for it).
    private static func named(_ name: UnsafeBufferPointer<UInt8>, _ word: StaticString) -> Bool {
        guard name.count == word.utf8CodeUnitCount else { return false }
        for i in 0..<name.count where name[i] != word.utf8Start[i] { return false }
        return true
    }

    private static func value(of name: UnsafeBufferPointer<UInt8>, occurrence: Occurrence, language: Language) -> String? {
        if named(name, "n") { return occurrence.ordinal.map(String.init) }
        if named(name, "ordinal") { return occurrence.ordinal.map(Ordinal.english) }
        if named(name, "origin") {
            if let origin = occurrence.originDate { return Vocabulary.long(origin, language) }
            return occurrence.event.recurrence.originYear.map(String.init)
        }
        if named(name, "date") { return Vocabulary.long(occurrence.date, language) }
        if named(name, "year") { return String(occurrence.date.year) }
        if named(name, "country") { return occurrence.country?.name.resolved(language) ?? occurrence.event.country }
        if named(name, "canchi") {
            let year = occurrence.lunar?.year ?? LunarCalendar.vietnam.lunarDate(for: occurrence.date).year
            return SexagenaryYear.name(ofLunarYear: year, language)
        }
        return nil
    }
}

/// The can-chi (sexagenary) name of a lunar year: one of the ten heavenly stems (can) and one of
/// the twelve earthly branches (chi), both advancing by one each year, so the pair repeats every
/// 60 years. 1984 was Giáp Tý, the first of the cycle; 2027 is Đinh Mùi.
public enum SexagenaryYear {
    static let stemsVi = ["Giáp", "Ất", "Bính", "Đinh", "Mậu", "Kỷ", "Canh", "Tân", "Nhâm", "Quý"]
    static let branchesVi = ["Tý", "Sửu", "Dần", "Mão", "Thìn", "Tỵ", "Ngọ", "Mùi", "Thân", "Dậu", "Tuất", "Hợi"]
    static let stemsEn = ["Giap", "At", "Binh", "Dinh", "Mau", "Ky", "Canh", "Tan", "Nham", "Quy"]
    static let branchesEn = ["Ty", "Suu", "Dan", "Mao", "Thin", "Ty", "Ngo", "Mui", "Than", "Dau", "Tuat", "Hoi"]

    /// vi "Đinh Mùi"; en the same name without diacritics, "Dinh Mui", as Vietnam's English-language
    /// press writes it ("Giap Thin Lunar New Year"). The lunar year is named by the Gregorian year in
    /// which its first month begins (`LunarDate.year`).
    public static func name(ofLunarYear year: Int, _ language: Language) -> String {
        let stem = ((year - 1984) % 10 + 10) % 10
        let branch = ((year - 1984) % 12 + 12) % 12
        switch language {
        case .vi: return stemsVi[stem] + " " + branchesVi[branch]
        case .en: return stemsEn[stem] + " " + branchesEn[branch]
        }
    }
}
