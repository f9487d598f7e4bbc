import Testing
@testable import KyniemCore

@Suite struct CanChiTests {
    @Test func namesTheLunarYearByStemAndBranch() {
        // 1984 opened the current sexagenary cycle (Giáp Tý); the pair repeats every 60 years.
        #expect(SexagenaryYear.name(ofLunarYear: 1984, .vi) == "Giáp Tý")
        #expect(SexagenaryYear.name(ofLunarYear: 1983, .vi) == "Quý Hợi")
        #expect(SexagenaryYear.name(ofLunarYear: 1945, .vi) == "Ất Dậu")
        #expect(SexagenaryYear.name(ofLunarYear: 2024, .vi) == "Giáp Thìn")
        #expect(SexagenaryYear.name(ofLunarYear: 2025, .vi) == "Ất Tỵ")
        #expect(SexagenaryYear.name(ofLunarYear: 2026, .vi) == "Bính Ngọ")
        #expect(SexagenaryYear.name(ofLunarYear: 2027, .vi) == "Đinh Mùi")
        #expect(SexagenaryYear.name(ofLunarYear: 2044, .vi) == "Giáp Tý")
        #expect(SexagenaryYear.name(ofLunarYear: 1924, .vi) == "Giáp Tý")
        #expect(SexagenaryYear.name(ofLunarYear: 2027, .en) == "Dinh Mui")
        #expect(SexagenaryYear.name(ofLunarYear: 2024, .en) == "Giap Thin")
    }

    @Test func fillsCanChiFromTheOccurrencesLunarYear() {
        let tet = Event(id: "vn-tet", kind: .holiday, title: LocalizedText(byLanguage: [
            "vi": "Tết Nguyên đán {canchi} – Mùng 1", "en": "{canchi} Lunar New Year (Tết), day 1",
        ], primary: "Tết Nguyên đán {canchi} – Mùng 1"), recurrence: .lunar(month: 1, day: .day(1), leap: false, since: nil))
        let occurrences = tet.recurrence.dates(from: LocalDate(2026, 1, 1), through: LocalDate(2027, 12, 31)).map {
            Occurrence(event: tet, date: $0.date, ordinal: $0.ordinal, tier: .routine, lunar: $0.lunar, country: nil)
        }
        #expect(occurrences.map(\.date) == [LocalDate(2026, 2, 17), LocalDate(2027, 2, 6)])
        #expect(occurrences.map { $0.title(.vi) } == ["Tết Nguyên đán Bính Ngọ – Mùng 1", "Tết Nguyên đán Đinh Mùi – Mùng 1"])
        #expect(occurrences[1].title(.en) == "Dinh Mui Lunar New Year (Tết), day 1")
    }

    @Test func aSolarDayBeforeTetBelongsToTheOldLunarYear() {
        let event = Event(id: "x", kind: .custom, title: LocalizedText("Năm {canchi}"), recurrence: .monthDay(month: 1, day: 20, since: nil))
        let before = Occurrence(event: event, date: LocalDate(2027, 1, 20), ordinal: nil, tier: .routine, lunar: nil, country: nil)
        let after = Occurrence(event: event, date: LocalDate(2027, 2, 6), ordinal: nil, tier: .routine, lunar: nil, country: nil)
        #expect(before.title(.vi) == "Năm Bính Ngọ")   // Tết Đinh Mùi is 6 February 2027
        #expect(after.title(.vi) == "Năm Đinh Mùi")
    }
}

/// The byte scanners of titles and HTML text: the edges of what they scan.
@Suite struct TemplateScanTests {
    static let event = Event(
        id: "jp-relations", kind: .diplomaticRelations, title: LocalizedText("x"),
        recurrence: .monthDay(month: 9, day: 21, since: 1973))

    static func fill(_ template: String) -> String {
        let occurrence = Occurrence(
            event: event, date: LocalDate(2027, 9, 21), ordinal: 54, tier: .routine, lunar: nil, country: nil)
        return TitleTemplate.fill(template, occurrence: occurrence, language: .vi)
    }

    @Test func fillsKnownNamesAndLeavesTheRestAsWritten() {
        #expect(Self.fill("{n}") == "54")
        #expect(Self.fill("Kỷ niệm {n} năm – {year}") == "Kỷ niệm 54 năm – 2027")
        #expect(Self.fill("no placeholder") == "no placeholder")
        #expect(Self.fill("") == "")
        #expect(Self.fill("{unknown} {n}") == "{unknown} 54")
        #expect(Self.fill("{{n}}") == "{54}")
        #expect(Self.fill("{a{n}") == "{a54")
        #expect(Self.fill("open {n") == "open {n")
        #expect(Self.fill("}{n}{") == "}54{")
        #expect(Self.fill("Việt Nam – {n}{n}🇯🇵") == "Việt Nam – 5454🇯🇵")
    }

    /// The pieces a streaming writer is handed are whole UTF-8 characters (each one decodes on
    /// its own) and add up to the filled title, for templates that cut text next to braces,
    /// multi-byte characters and placeholders with no value.
    @Test func piecesAreWholeCharactersThatMakeTheTitle() {
        let occurrence = Occurrence(
            event: Self.event, date: LocalDate(2027, 9, 21), ordinal: 54, tier: .routine, lunar: nil, country: nil)
        let templates = [
            "", "x", "{n}", "{n}{n}", "Kỷ niệm {n} năm – {year}", "{unknown}", "{{n}}", "{a{n}", "open {n",
            "}{n}{", "Việt{n}Nam🇯🇵{date}\u{2028}", "{ordinal} {origin} {canchi} {country}", "{", "}",
        ]
        for template in templates {
            var pieces: [[UInt8]] = []
            TitleTemplate.fill(template, occurrence: occurrence, language: .vi) { pieces.append(Array($0)) }
            #expect(pieces.allSatisfy { !$0.isEmpty && String(validating: $0, as: UTF8.self) != nil }, "\(template)")
            #expect(String(decoding: pieces.joined(), as: UTF8.self) == Self.fill(template), "\(template)")
        }
        var none: [[UInt8]] = []
        TitleTemplate.fill("", occurrence: occurrence, language: .en) { none.append(Array($0)) }
        #expect(none.isEmpty)
    }

    @Test func fillsEveryLanguageAndThePrimaryText() {
        let occurrence = Occurrence(
            event: Self.event, date: LocalDate(2027, 9, 21), ordinal: 54, tier: .routine, lunar: nil, country: nil)
        let plain = LocalizedText(byLanguage: ["vi": "Gửi thư", "en": "Send the letter"], primary: "Gửi thư")
        #expect(plain.filled(for: occurrence) == plain)
        let dated = LocalizedText(byLanguage: ["vi": "Ngày {date}", "en": "On {date}"], primary: "Ngày {date}")
        let filled = dated.filled(for: occurrence)
        #expect(filled.byLanguage == ["vi": "Ngày 21/9/2027", "en": "On 21 September 2027"])
        #expect(filled.primary == "Ngày 21/9/2027")
        // A placeholder only in the primary text, which no language has: filled in English.
        let odd = LocalizedText(byLanguage: ["vi": "Ngày"], primary: "On {date}")
        #expect(odd.filled(for: occurrence) == LocalizedText(byLanguage: ["vi": "Ngày"], primary: "On 21 September 2027"))
        let single = LocalizedText("Năm thứ {n}")
        #expect(single.filled(for: occurrence) == LocalizedText(byLanguage: [:], primary: "Năm thứ 54"))
    }

    @Test func escapesTheFiveHTMLCharactersOnly() {
        #expect(HTMLText.escaped("Việt Nam – Nhật Bản 🇯🇵") == "Việt Nam – Nhật Bản 🇯🇵")
        #expect(HTMLText.escaped(#"<a href="x">Tom & Jerry's</a>"#) == "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;")
        #expect(HTMLText.escaped("Đà Nẵng & Huế") == "Đà Nẵng &amp; Huế")
        #expect(HTMLText.escaped("") == "")
        var out = "kept "
        HTMLText.appendEscaped("a<b", to: &out)
        #expect(out == "kept a&lt;b")
    }
}

@Suite struct LongDateTests {
    /// Written digit by digit, as interpolation writes them, for every day of several years and
    /// at the edges of what a date can hold.
    @Test func writesWhatInterpolationWrites() {
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                      "October", "November", "December"]
        var days: [LocalDate] = []
        var day = LocalDate(1899, 12, 25)
        while day <= LocalDate(1901, 1, 5) { days.append(day); day = day.adding(days: 1) }
        day = LocalDate(2026, 1, 1)
        while day <= LocalDate(2028, 12, 31) { days.append(day); day = day.adding(days: 1) }
        days += [LocalDate(0, 1, 1), LocalDate(9, 10, 10), LocalDate(10_000, 12, 31), LocalDate(123_456, 7, 9),
                 LocalDate(-44, 3, 15)]
        for date in days {
            #expect(Vocabulary.long(date, .vi) == "\(date.day)/\(date.month)/\(date.year)")
            #expect(Vocabulary.long(date, .en) == "\(date.day) \(months[date.month - 1]) \(date.year)")
        }
        #expect(Vocabulary.long(LocalDate(1973, 9, 21), .vi) == "21/9/1973")
        #expect(Vocabulary.long(LocalDate(1973, 9, 21), .en) == "21 September 1973")
    }
}
