import KyniemCore

/// What `kyniem explain` says about an event, as values: the occurrence chosen, the next ones,
/// the milestone rule that gave its tier, its reminders and its checklist with due dates. The
/// `explain` command prints it; `kyniem publish` makes a page of it.
public struct Explanation: Sendable {
    public let event: Event
    /// The occurrence explained: the requested year's, else the next one.
    public let chosen: Occurrence?
    /// The next few occurrences from the day asked about.
    public let upcoming: [Occurrence]
    public let requestedYear: Int?
    /// The first `milestones:` rule that matches the chosen occurrence.
    public let milestoneRule: MilestoneRule?
    /// Lead-time reminders of the chosen occurrence, longest first, with their days.
    public let reminders: [Step]
    /// Its checklist, due dates moved to working days.
    public let tasks: [ScheduledTask]
    /// The working days the tasks were moved by, to say why a due date moved.
    public let workdays: WorkingCalendar

    /// Assembles the explanation of `chosen`; `workdays` must cover its tasks' due dates.
    public init(
        event: Event, chosen: Occurrence?, upcoming: [Occurrence], requestedYear: Int?, planner: Planner,
        workdays: WorkingCalendar
    ) {
        self.event = event
        self.chosen = chosen
        self.upcoming = upcoming
        self.requestedYear = requestedYear
        self.workdays = workdays
        if let chosen {
            milestoneRule = planner.catalog.milestones.rules.first { $0.matches(ordinal: chosen.ordinal, kind: event.kind) }
            reminders = planner.steps(for: chosen, workdays: workdays).filter(\.isReminder)
            tasks = planner.checklists.schedule(chosen, workdays: workdays)
        } else {
            milestoneRule = nil
            reminders = []
            tasks = []
        }
    }

    /// `explain EVENT [--year Y]` on `today`: the year's occurrence, or the next one within twelve years.
    public init(event: Event, planner: Planner, today: LocalDate, year: Int?) {
        let catalog = planner.catalog
        let upcoming = catalog.occurrences(of: event, from: today, through: today.adding(days: 366 * 12))
        let chosen: Occurrence?
        if let year {
            chosen = catalog.occurrences(of: event, from: LocalDate(year, 1, 1), through: LocalDate(year, 12, 31)).first
        } else {
            chosen = upcoming.first
        }
        let workdays = chosen.map {
            planner.workingCalendar(from: $0.date.adding(days: -400), through: $0.date.adding(days: 60))
        } ?? planner.workingCalendar(from: today, through: today)
        self.init(
            event: event, chosen: chosen, upcoming: Array(upcoming.prefix(5)), requestedYear: year, planner: planner,
            workdays: workdays)
    }

    /// Why a task's nominal day is not a working day: "27/4 là ngày nghỉ bù Giỗ Tổ Hùng Vương …".
    public static func dayOffReason(_ date: LocalDate, workdays: WorkingCalendar, catalog: Catalog, language: Language) -> String {
        let vi = language == .vi
        let day = Vocabulary.dayMonth(date, language)
        func title(_ event: Event, on date: LocalDate) -> String {
            catalog.occurrences(of: event, from: date, through: date).first?.title(language) ?? event.title.resolved(language)
        }
        switch workdays.reason(date) {
        case .holiday(let event):
            return vi ? "\(day) là ngày nghỉ lễ \(title(event, on: date))" : "\(day) is a public holiday, \(title(event, on: date))"
        case .substitute(let event, let holiday):
            let fell = "\(Vocabulary.weekday(holiday.weekday, language)) \(Vocabulary.dayMonth(holiday, language))"
            return vi ? "\(day) là ngày nghỉ bù \(title(event, on: holiday)), rơi vào \(fell)"
                : "\(day) is the day off in lieu of \(title(event, on: holiday)), which fell on \(fell)"
        case .decreed:
            return vi ? "\(day) là ngày nghỉ theo lịch nghỉ lễ, Tết năm \(date.year)" : "\(day) is a day off in the decreed schedule for \(date.year)"
        case .weekend, nil:
            return vi ? "\(day) là ngày nghỉ hằng tuần" : "\(day) is a weekly day off"
        }
    }

    public static func rule(_ recurrence: Recurrence, language: Language) -> String {
        let vi = language == .vi
        func since(_ year: Int?) -> String {
            guard let year else { return "" }
            return vi ? ", tính từ năm \(year)" : ", counting from \(year)"
        }
        switch recurrence {
        case .origin(let date):
            let leap = date.month == 2 && date.day == 29
                ? (vi ? " (28/2 vào năm không nhuận)" : " (28 February in common years)") : ""
            return vi ? "hằng năm vào \(Vocabulary.dayMonth(date, .vi)), tính từ \(Vocabulary.long(date, .vi))\(leap)"
                : "every year on \(Vocabulary.dayMonth(date, .en)), counting from \(Vocabulary.long(date, .en))\(leap)"
        case .monthDay(let month, let day, let year):
            let date = LocalDate(2000, month, day)
            return (vi ? "hằng năm vào \(Vocabulary.dayMonth(date, .vi))" : "every year on \(Vocabulary.dayMonth(date, .en))") + since(year)
        case .lunar(let month, let day, let leap, let year):
            let dayText: String
            switch day {
            case .last: dayText = vi ? "ngày cuối" : "the last day"
            case .day(let d): dayText = vi ? "ngày \(d)" : "day \(d)"
            }
            let leapText = leap ? (vi ? " nhuận" : " (leap month only)") : ""
            return (vi ? "âm lịch Việt Nam (UTC+7): \(dayText) tháng \(month)\(leapText)"
                : "Vietnamese lunar calendar (UTC+7): \(dayText) of month \(month)\(leapText)") + since(year)
        case .nthWeekday(let month, let weekday, let nth, let year):
            let which = nth == -1 ? (vi ? "cuối cùng" : "last") : (vi ? "thứ \(nth)" : Ordinal.english(nth))
            return (vi ? "\(Vocabulary.weekday(weekday, .vi)) \(which) của tháng \(month)"
                : "the \(which) \(Vocabulary.weekday(weekday, .en)) of \(Vocabulary.englishMonths[month - 1])") + since(year)
        case .once(let date):
            return vi ? "một lần, ngày \(Vocabulary.long(date, .vi))" : "once, on \(Vocabulary.long(date, .en))"
        case .calendar(let rule, let year):
            let name = rule.system.monthNames[rule.month - 1]
            let month = name.prefix(1).uppercased() + name.dropFirst()
            var text: String
            switch rule.system {
            case .hebrew: text = vi ? "lịch Do Thái: ngày \(rule.day) tháng \(month)" : "Hebrew calendar: \(rule.day) \(month)"
            case .bikramSambat: text = vi ? "lịch Bikram Sambat: ngày \(rule.day) tháng \(month)" : "Bikram Sambat: \(month) \(rule.day)"
            case .solarHijri: text = vi ? "lịch Hijri mặt trời (Iran): ngày \(rule.day) tháng \(month)" : "Solar Hijri calendar: \(rule.day) \(month)"
            }
            if rule.observance == .israelIndependenceDay {
                text += vi ? " (thứ Sáu, thứ Bảy dời về thứ Năm trước đó; thứ Hai dời sang thứ Ba)"
                    : " (on a Friday or Saturday kept on the Thursday before, on a Monday on the Tuesday after)"
            }
            if let known = rule.knownYears {
                text += vi ? "; chỉ biết ngày cho các năm \(known.lowerBound)–\(known.upperBound)"
                    : "; dates known for \(known.lowerBound)–\(known.upperBound) only"
            }
            return text + since(year)
        }
    }

    public static func milestone(_ rule: MilestoneRule, language: Language) -> String {
        let vi = language == .vi
        var parts: [String] = []
        if let every = rule.every { parts.append(vi ? "mỗi \(every) năm" : "every \(every)") }
        if let at = rule.at { parts.append((vi ? "lần " : "at ") + at.map(String.init).joined(separator: ", ")) }
        if let kinds = rule.kinds { parts.append(kinds.map { Vocabulary.kind($0, language) }.sorted().joined(separator: "/")) }
        if parts.isEmpty { parts.append(vi ? "mặc định" : "default") }
        return (vi ? "quy tắc mốc: " : "milestone rule: ") + parts.joined(separator: ", ")
    }
}
