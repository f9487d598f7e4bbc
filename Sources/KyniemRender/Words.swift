import KyniemCore

/// The words the renderers print around the data, in each shipped language.
enum Words {
    static func month(_ month: Int, _ language: Language) -> String {
        switch language {
        case .vi: "Tháng \(month)"
        case .en: DateText.englishMonths[month - 1]
        }
    }

    /// Column heads of a Monday-first month grid.
    static func weekdayHeads(_ language: Language) -> [String] {
        switch language {
        case .vi: ["T2", "T3", "T4", "T5", "T6", "T7", "CN"]
        case .en: ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]
        }
    }

    static func tier(_ tier: Tier, _ language: Language) -> String { tier.label(language) }

    static func kind(_ kind: EventKind, _ language: Language) -> String {
        switch (kind, language) {
        case (.diplomaticRelations, .vi): "Quan hệ ngoại giao"
        case (.nationalDay, .vi): "Quốc khánh"
        case (.partnership, .vi): "Quan hệ đối tác"
        case (.holiday, .vi): "Ngày lễ"
        case (.commemoration, .vi): "Kỷ niệm"
        case (.custom, .vi): "Khác"
        case (.diplomaticRelations, .en): "Diplomatic relations"
        case (.nationalDay, .en): "National day"
        case (.partnership, .en): "Partnership"
        case (.holiday, .en): "Holiday"
        case (.commemoration, .en): "Commemoration"
        case (.custom, .en): "Other"
        }
    }

    /// vi "54 năm", en "54th".
    static func ordinal(_ n: Int, _ language: Language) -> String {
        switch language {
        case .vi: "\(n) năm"
        case .en: Ordinal.english(n)
        }
    }

    /// vi "Kỷ niệm 54 năm", en "54th anniversary".
    static func anniversary(_ n: Int, _ language: Language) -> String {
        switch language {
        case .vi: "Kỷ niệm \(n) năm"
        case .en: "\(Ordinal.english(n)) anniversary"
        }
    }

    static func tierLabel(_ language: Language) -> String { language == .vi ? "Mức" : "Tier" }
    static func countryLabel(_ language: Language) -> String { language == .vi ? "Quốc gia" : "Country" }
    static func checklistLabel(_ language: Language) -> String { language == .vi ? "Việc cần làm" : "Checklist" }
    static func noteLabel(_ language: Language) -> String { language == .vi ? "Ghi chú" : "Note" }
    static func sourceLabel(_ language: Language) -> String { language == .vi ? "Nguồn" : "Source" }
    static func dayOff(_ language: Language) -> String { language == .vi ? "Nghỉ lễ" : "Day off" }
    static func weekend(_ language: Language) -> String { language == .vi ? "Cuối tuần" : "Weekend" }
    static func dateLabel(_ language: Language) -> String { language == .vi ? "Ngày" : "Date" }
    static func weekdayLabel(_ language: Language) -> String { language == .vi ? "Thứ" : "Day" }
    static func eventLabel(_ language: Language) -> String { language == .vi ? "Sự kiện" : "Event" }
    static func ordinalLabel(_ language: Language) -> String { language == .vi ? "Kỷ niệm" : "Anniv." }
    static func nothing(_ language: Language) -> String {
        language == .vi ? "Không có sự kiện." : "No events."
    }
    static func agenda(_ language: Language) -> String { language == .vi ? "Danh sách sự kiện" : "Agenda" }
    static func legend(_ language: Language) -> String { language == .vi ? "Chú giải" : "Legend" }

    /// vi "27 sự kiện", en "27 events".
    static func count(_ n: Int, _ language: Language) -> String {
        switch language {
        case .vi: "\(n) sự kiện"
        case .en: n == 1 ? "1 event" : "\(n) events"
        }
    }

    /// The text of a reminder `days` before the occurrence.
    static func reminder(days: Int, title: String, _ language: Language) -> String {
        switch (days, language) {
        case (0, .vi): "Hôm nay: \(title)"
        case (_, .vi): "Còn \(days) ngày: \(title)"
        case (0, .en): "Today: \(title)"
        case (1, .en): "Tomorrow: \(title)"
        case (_, .en): "In \(days) days: \(title)"
        }
    }

    /// vi "Lập ngày 22/11/2026", en "Generated 22 November 2026", from an RFC 5545 UTC stamp.
    static func generated(_ stamp: String, _ language: Language) -> String? {
        guard let date = LocalDate(basic: stamp) else { return nil }
        switch language {
        case .vi: return "Lập ngày \(DateText.long(date, language))"
        case .en: return "Generated \(DateText.long(date, language))"
        }
    }

    /// The country's name in `language`, or the bare code when the calendars do not name it.
    static func countryName(_ occurrence: Occurrence, _ language: Language) -> String? {
        occurrence.country?.name.resolved(language) ?? occurrence.event.country
    }

    /// The ISO code, from the resolved country or the event itself.
    static func countryCode(_ occurrence: Occurrence) -> String? {
        occurrence.country?.code ?? occurrence.event.country
    }
}

extension LocalDate {
    /// Parses the date part of `YYYYMMDD` or `YYYYMMDDTHHMMSSZ`.
    init?(basic text: String) {
        let digits = Array(text.utf8.prefix(8))
        guard digits.count == 8, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return nil
        }
        let value = digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        self.init(year: value / 10000, month: value / 100 % 100, day: value % 100)
    }
}
