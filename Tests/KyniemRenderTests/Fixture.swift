import KyniemCore
@testable import KyniemRender

/// A small calendar that exercises every rendering path: an origin-date relation in each tier,
/// a 29 February origin in a common year, national days counted from `since`, holidays that are
/// days off, hand-made lunar occurrences (the lunar calculation is not needed to render), a title
/// full of markup, commas and quotes, long Vietnamese titles that force ICS folding, and flags.
enum Fixture {
    static let generatedAt = "20261122T083000Z"
    static let year = 2027

    static func text(_ vi: String, _ en: String) -> LocalizedText {
        LocalizedText(byLanguage: ["vi": vi, "en": en], primary: vi)
    }

    static let countries: [String: Country] = [
        "JP": Country(code: "JP", name: text("Nhật Bản", "Japan")),
        "KH": Country(code: "KH", name: text("Campuchia", "Cambodia")),
        "BN": Country(code: "BN", name: text("Bru-nây", "Brunei")),
        "LA": Country(code: "LA", name: text("Lào", "Laos")),
        "VN": Country(code: "VN", name: text("Việt Nam", "Vietnam")),
    ]

    static let solarEvents: [Event] = [
        Event(
            id: "jp-relations", kind: .diplomaticRelations, country: "JP",
            title: text(
                "Kỷ niệm {n} năm Ngày thiết lập quan hệ ngoại giao Việt Nam – Nhật Bản ({origin})",
                "{ordinal} anniversary of Vietnam–Japan diplomatic relations"),
            recurrence: .origin(LocalDate(1973, 9, 21)),
            source: "https://www.mofa.gov.vn/"),
        Event(
            id: "kh-relations", kind: .diplomaticRelations, country: "KH",
            title: text(
                "Kỷ niệm {n} năm Ngày thiết lập quan hệ ngoại giao Việt Nam – Campuchia (24/6/1967 – 24/6/{year})",
                "{ordinal} anniversary of Vietnam–Cambodia diplomatic relations"),
            recurrence: .origin(LocalDate(1967, 6, 24)),
            note: "Phối hợp với Hội hữu nghị Việt Nam – Campuchia tỉnh; mời Tổng Lãnh sự quán."),
        // A 29 February origin: falls on 28 February in a common year.
        Event(
            id: "bn-relations", kind: .diplomaticRelations, country: "BN",
            title: text(
                "Kỷ niệm {n} năm Ngày thiết lập quan hệ ngoại giao Việt Nam – Bru-nây",
                "{ordinal} anniversary of Vietnam–Brunei diplomatic relations"),
            recurrence: .origin(LocalDate(1992, 2, 29))),
        Event(
            id: "la-national-day", kind: .nationalDay, country: "LA",
            title: text("Quốc khánh nước CHDCND Lào lần thứ {n}", "{ordinal} National Day of the Lao PDR"),
            recurrence: .monthDay(month: 12, day: 2, since: 1975)),
        Event(
            id: "vn-national-day", kind: .holiday, country: "VN",
            title: text("Quốc khánh nước CHXHCN Việt Nam", "National Day of Vietnam"),
            recurrence: .monthDay(month: 9, day: 2, since: 1945), dayOff: true),
        // Everything that must be escaped, on the same day as jp-relations.
        Event(
            id: "jp-delegation-visit", kind: .custom, country: "JP",
            title: text(
                "<script>alert('x')</script> Đón đoàn \"Hữu nghị\" Ōsaka, Kyōto & Nara | tỉnh; 50% \\ chi phí",
                "<script>alert('x')</script> Receive the \"Friendship\" delegation, Ōsaka & Nara | cost; 50% \\ share"),
            recurrence: .once(LocalDate(2027, 9, 21)),
            note: "Dòng 1\nDòng 2, có dấu phẩy; chấm phẩy"),
    ]

    static let tet = Event(
        id: "vn-tet", kind: .holiday, title: text("Tết Nguyên Đán", "Lunar New Year (Tết)"),
        recurrence: .lunar(month: 1, day: .day(1), leap: false, since: nil), dayOff: true)

    static let midAutumn = Event(
        id: "vn-mid-autumn", kind: .commemoration, title: text("Tết Trung thu", "Mid-Autumn Festival"),
        recurrence: .lunar(month: 8, day: .day(15), leap: false, since: nil))

    static let catalog = Catalog(events: solarEvents, countries: countries)

    static let checklists = Checklists(templates: [
        ChecklistTemplate(kinds: [.diplomaticRelations], tiers: [.major], tasks: [
            ChecklistTask(
                id: "plan", offsetDays: -120,
                title: text(
                    "Tham mưu UBND tỉnh kế hoạch tổ chức kỷ niệm",
                    "Propose the celebration plan to the provincial People's Committee")),
            ChecklistTask(
                id: "letter", offsetDays: -14,
                title: text("Dự thảo điện, thư mừng", "Draft the congratulatory letter")),
            ChecklistTask(id: "report", offsetDays: 7, title: text("Báo cáo kết quả", "Report results")),
        ]),
        ChecklistTemplate(kinds: [.diplomaticRelations, .nationalDay], tiers: nil, tasks: [
            ChecklistTask(
                id: "letter", offsetDays: -5,
                title: text("Gửi điện mừng", "Send the congratulatory message")),
        ]),
    ])

    /// Weekends, the two day-off holidays and a decreed Tết break.
    static let workdays = WorkingCalendar(
        weekend: [.saturday, .sunday],
        daysOff: [LocalDate(2027, 2, 6), LocalDate(2027, 9, 2)],
        adjustments: WorkingDayAdjustments(
            off: [LocalDate(2027, 2, 4), LocalDate(2027, 2, 5), LocalDate(2027, 2, 8), LocalDate(2027, 2, 9),
                  LocalDate(2027, 2, 10)],
            on: []))

    /// The year's occurrences: computed for the solar events, by hand for the lunar ones
    /// (Tết 2027 is 6 February, Mid-Autumn 15 September).
    static func occurrences(year: Int = year) -> [Occurrence] {
        var result = catalog.occurrences(from: LocalDate(year, 1, 1), through: LocalDate(year, 12, 31))
        if year == 2027 {
            result.append(Occurrence(
                event: tet, date: LocalDate(2027, 2, 6), ordinal: nil, tier: .routine,
                lunar: LunarDate(year: 2027, month: 1, day: 1), country: nil))
            result.append(Occurrence(
                event: midAutumn, date: LocalDate(2027, 9, 15), ordinal: nil, tier: .routine,
                lunar: LunarDate(year: 2027, month: 8, day: 15), country: nil))
        }
        return result.sorted(by: Occurrence.chronological)
    }

    static func document(_ language: Language, year: Int = year) -> CalendarDocument {
        let entries = CalendarEntry.entries(
            for: occurrences(year: year), reminders: .standard, checklists: checklists, workdays: workdays)
        return CalendarDocument(year: year, language: language, entries: entries, generatedAt: generatedAt)
    }
}
