/// The one table of words kyniem prints around its data, in each shipped language: tiers, kinds,
/// steps, weekdays, months, dates and the labels of every command, renderer and notifier.
///
/// Every place that writes for a person reads its words here (STYLE.md, habit 12), so a
/// Vietnamese reader never meets an English word the table knows, and a new language is one
/// column. Dates are written the way each language's readers write them: vi `15/10/2027`,
/// en `15 October 2027`; ISO dates are for machines (JSON, file names, keys), not prose.
public enum Vocabulary {
    /// A fixed phrase: a label, a heading, a short word.
    public enum Phrase: String, CaseIterable, Sendable {
        case country, date, weekday, event, tier, kind, anniversary, checklist, dayOff, weekend
        case nothing, agenda, legend, rule, notes, sources, nextOccurrences, reminders
        case none, noTemplate, onTheDay, late, overdue, today, thisWeek, later, lateSection, due
        case sentLate, nextStep, lunar, moved, digestBrand
    }

    /// Each phrase in vi and en. The English column is also the list of words that must never
    /// show in Vietnamese output (see the tests).
    public static let phrases: [Phrase: (vi: String, en: String)] = [
        .country: ("Quốc gia", "Country"),
        .date: ("Ngày", "Date"),
        .weekday: ("Thứ", "Day"),
        .event: ("Sự kiện", "Event"),
        .tier: ("Mức", "Tier"),
        .kind: ("Loại", "Kind"),
        .anniversary: ("Kỷ niệm", "Anniv."),
        .checklist: ("Việc cần làm", "Checklist"),
        .dayOff: ("Nghỉ lễ", "Day off"),
        .weekend: ("Cuối tuần", "Weekend"),
        .nothing: ("Không có sự kiện.", "No events."),
        .agenda: ("Danh sách sự kiện", "Agenda"),
        .legend: ("Chú giải", "Legend"),
        .rule: ("Quy tắc", "Rule"),
        .notes: ("Ghi chú", "Note"),
        .sources: ("Nguồn", "Source"),
        .nextOccurrences: ("Các lần tới", "Next occurrences"),
        .reminders: ("Nhắc lịch", "Reminders"),
        .none: ("(không có)", "(none)"),
        .noTemplate: ("(không có mẫu nào áp dụng)", "(no template applies)"),
        .onTheDay: ("đúng ngày", "on the day"),
        .late: ("trễ", "late"),
        .overdue: ("quá hạn", "overdue"),
        .today: ("Hôm nay", "Today"),
        .thisWeek: ("Trong tuần này", "This week"),
        .later: ("Sắp tới", "Later"),
        .lateSection: ("Gửi trễ", "Late"),
        .due: ("hạn", "due"),
        .sentLate: ("gửi trễ", "sent late"),
        .nextStep: ("Tiếp theo", "Next"),
        .lunar: ("âm lịch", "lunar"),
        .moved: ("dời từ", "moved from"),
        .digestBrand: ("Kỷ niệm", "Anniversaries"),
    ]

    public static func phrase(_ phrase: Phrase, _ language: Language) -> String {
        guard let entry = phrases[phrase] else { return phrase.rawValue }
        return language == .vi ? entry.vi : entry.en
    }

    // MARK: Dates

    public static let englishMonths = [
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ]
    static let weekdaysVi = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"]
    static let weekdaysEn = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

    /// vi "21/9/1973", en "21 September 1973". Its digits are written straight into the string's
    /// storage (a publish writes tens of thousands of these: checklist due dates, descriptions).
    public static func long(_ date: LocalDate, _ language: Language) -> String {
        guard date.year >= 0, date.day >= 0, (1...12).contains(date.month) else {
            switch language {
            case .vi: return "\(date.day)/\(date.month)/\(date.year)"
            case .en: return "\(date.day) \(englishMonths[date.month - 1]) \(date.year)"
            }
        }
        // At most 19 digits each for the day and the year, and the longest month name.
        return String(unsafeUninitializedCapacity: 56) { buffer in
            var i = 0
            func put(_ value: Int) {
                var divisor = 1
                while divisor <= value / 10 { divisor *= 10 }
                var rest = value
                while divisor > 0 {
                    buffer[i] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest / divisor)
                    i += 1
                    rest %= divisor
                    divisor /= 10
                }
            }
            func put(byte: UInt8) {
                buffer[i] = byte
                i += 1
            }
            put(date.day)
            switch language {
            case .vi:
                put(byte: UInt8(ascii: "/"))
                put(date.month)
                put(byte: UInt8(ascii: "/"))
            case .en:
                put(byte: UInt8(ascii: " "))
                for byte in englishMonths[date.month - 1].utf8 { put(byte: byte) }
                put(byte: UInt8(ascii: " "))
            }
            put(date.year)
            return i
        }
    }

    /// Without the year: vi "21/9", en "21 September".
    public static func dayMonth(_ date: LocalDate, _ language: Language) -> String {
        switch language {
        case .vi: "\(date.day)/\(date.month)"
        case .en: "\(date.day) \(englishMonths[date.month - 1])"
        }
    }

    /// vi "Thứ Ba, 21/9/2027", en "Tuesday, 21 September 2027".
    public static func weekdayAndDate(_ date: LocalDate, _ language: Language) -> String {
        weekday(date.weekday, language) + ", " + long(date, language)
    }

    /// A lunar date: vi "10/3 âm lịch" (nhuận for a leap month), en "lunar 10/3".
    public static func lunar(_ date: LunarDate, _ language: Language) -> String {
        switch language {
        case .vi: "\(date.day)/\(date.month)\(date.isLeapMonth ? " nhuận" : "") âm lịch"
        case .en: "lunar \(date.day)/\(date.month)\(date.isLeapMonth ? " (leap)" : "")"
        }
    }

    public static func weekday(_ day: Weekday, _ language: Language) -> String {
        (language == .vi ? weekdaysVi : weekdaysEn)[day.rawValue - 1]
    }

    /// vi "Tháng 10", en "October".
    public static func month(_ month: Int, _ language: Language) -> String {
        language == .vi ? "Tháng \(month)" : englishMonths[month - 1]
    }

    /// vi "Tháng 10/2027", en "October 2027".
    public static func monthAndYear(_ month: Int, _ year: Int, _ language: Language) -> String {
        language == .vi ? "Tháng \(month)/\(year)" : "\(englishMonths[month - 1]) \(year)"
    }

    /// Column heads of a Monday-first month grid.
    public static func weekdayHeads(_ language: Language) -> [String] {
        switch language {
        case .vi: ["T2", "T3", "T4", "T5", "T6", "T7", "CN"]
        case .en: ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]
        }
    }

    // MARK: Tiers, kinds, ordinals

    public static func tier(_ tier: Tier, _ language: Language) -> String { tier.label(language) }

    public static func kind(_ kind: EventKind, _ language: Language) -> String {
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
    public static func ordinal(_ n: Int, _ language: Language) -> String {
        language == .vi ? "\(n) năm" : Ordinal.english(n)
    }

    /// vi "lần thứ 54", en "54th".
    public static func nth(_ n: Int, _ language: Language) -> String {
        language == .vi ? "lần thứ \(n)" : Ordinal.english(n)
    }

    /// vi "Kỷ niệm 54 năm", en "54th anniversary".
    public static func anniversary(_ n: Int, _ language: Language) -> String {
        language == .vi ? "Kỷ niệm \(n) năm" : "\(Ordinal.english(n)) anniversary"
    }

    /// vi "27 sự kiện", en "27 events".
    public static func count(_ n: Int, _ language: Language) -> String {
        language == .vi ? "\(n) sự kiện" : (n == 1 ? "1 event" : "\(n) events")
    }

    /// vi "3 việc", en "3 tasks".
    public static func taskCount(_ n: Int, _ language: Language) -> String {
        language == .vi ? "\(n) việc" : (n == 1 ? "1 task" : "\(n) tasks")
    }

    // MARK: Steps

    /// A step as people name it: vi "nhắc trước 7 ngày" / "nhắc đúng ngày", en "7-day reminder" /
    /// "on-the-day reminder"; a checklist task by its title.
    public static func step(_ step: Step, _ language: Language) -> String {
        switch step.kind {
        case .reminder(let days): reminder(daysBefore: days, language)
        case .task(let task): task.title.resolved(language)
        }
    }

    public static func reminder(daysBefore days: Int, _ language: Language) -> String {
        switch (language, days) {
        case (.vi, 0): "nhắc đúng ngày"
        case (.vi, _): "nhắc trước \(days) ngày"
        case (.en, 0): "on-the-day reminder"
        case (.en, 1): "1-day reminder"
        case (.en, _): "\(days)-day reminder"
        }
    }

    /// When a reminder falls relative to its event: vi "trước 7 ngày", en "7 days before".
    public static func lead(daysBefore days: Int, _ language: Language) -> String {
        if days == 0 { return phrase(.onTheDay, language) }
        return language == .vi ? "trước \(days) ngày" : (days == 1 ? "1 day before" : "\(days) days before")
    }

    /// "còn 30 ngày" / "in 30 days": counted from the run date, so a late message tells the truth.
    public static func countdown(_ days: Int, _ language: Language) -> String {
        switch (language, days) {
        case (.vi, 0): "hôm nay"
        case (.vi, 1): "ngày mai"
        case (.vi, let d) where d > 0: "còn \(d) ngày"
        case (.vi, let d): "đã qua \(-d) ngày"
        case (.en, 0): "today"
        case (.en, 1): "tomorrow"
        case (.en, let d) where d > 0: "in \(d) days"
        case (.en, let d): d == -1 ? "1 day ago" : "\(-d) days ago"
        }
    }

    /// The countdown with a capital: "Còn 30 ngày", "In 30 days".
    public static func headline(_ days: Int, _ language: Language) -> String {
        let text = countdown(days, language)
        return text.prefix(1).uppercased() + text.dropFirst()
    }

    /// The text of a reminder `days` before the occurrence: "Còn 7 ngày: …", "In 7 days: …".
    public static func reminder(days: Int, title: String, _ language: Language) -> String {
        headline(days, language) + ": " + title
    }

    /// vi "Lập ngày 22/11/2026", en "Generated 22 November 2026".
    public static func generated(_ date: LocalDate, _ language: Language) -> String {
        (language == .vi ? "Lập ngày " : "Generated ") + long(date, language)
    }
}

extension Occurrence {
    /// The country's name in `language`, or the bare code when the calendars do not name it.
    public func countryName(_ language: Language) -> String? {
        country?.name.resolved(language) ?? event.country
    }

    /// The ISO code, from the resolved country or the event itself.
    public var countryCode: String? { country?.code ?? event.country }
}
