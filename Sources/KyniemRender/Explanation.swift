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

    /// Assembles the explanation of `chosen`; `workdays` must cover its tasks' due dates.
    public init(
        event: Event, chosen: Occurrence?, upcoming: [Occurrence], requestedYear: Int?, planner: Planner,
        workdays: WorkingCalendar
    ) {
        self.event = event
        self.chosen = chosen
        self.upcoming = upcoming
        self.requestedYear = requestedYear
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

    /// The recurrence rule in words: vi "hằng năm vào 21/9, tính từ 1973-09-21".
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
            return vi ? "hằng năm vào \(DateText.dayMonth(date, .vi)), tính từ \(date.iso)\(leap)"
                : "every year on \(DateText.dayMonth(date, .en)), counting from \(date.iso)\(leap)"
        case .monthDay(let month, let day, let year):
            let date = LocalDate(2000, month, day)
            return (vi ? "hằng năm vào \(DateText.dayMonth(date, .vi))" : "every year on \(DateText.dayMonth(date, .en))") + since(year)
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
            return (vi ? "\(DateText.weekday(weekday, .vi)) \(which) của tháng \(month)"
                : "the \(which) \(DateText.weekday(weekday, .en)) of \(DateText.englishMonths[month - 1])") + since(year)
        case .once(let date):
            return vi ? "một lần, ngày \(date.iso)" : "once, on \(date.iso)"
        }
    }

    public static func milestone(_ rule: MilestoneRule, language: Language) -> String {
        let vi = language == .vi
        var parts: [String] = []
        if let every = rule.every { parts.append(vi ? "mỗi \(every) năm" : "every \(every)") }
        if let at = rule.at { parts.append((vi ? "lần " : "at ") + at.map(String.init).joined(separator: ", ")) }
        if let kinds = rule.kinds { parts.append(kinds.map(\.rawValue).sorted().joined(separator: "/")) }
        if parts.isEmpty { parts.append(vi ? "mặc định" : "default") }
        return (vi ? "quy tắc mốc: " : "milestone rule: ") + parts.joined(separator: ", ")
    }
}
