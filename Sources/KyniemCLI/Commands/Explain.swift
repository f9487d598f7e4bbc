import ArgumentParser
import KyniemCore

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Why and how an event is scheduled: rule, ordinal, tier, lead times, checklist with due dates.")

    @OptionGroup var config: ConfigOption
    @Argument(help: "The event id, e.g. jp-relations.")
    var eventID: String
    @Option(help: "Explain the occurrence in this year (default: the next one from today).")
    var year: Int?
    @Option(help: "vi or en (default: home.language).")
    var lang: String?

    func run() throws {
        let context = try CommandContext.load(config)
        let configuration = context.configuration
        let language = try context.language(lang)
        let catalog = configuration.catalog
        guard let event = catalog.event(id: eventID) else {
            let ids = catalog.events.map(\.id)
            let close = ids.filter { $0.hasPrefix(eventID.split(separator: "-").first.map(String.init) ?? eventID) }
            var message = "no event \"\(eventID)\""
            if !close.isEmpty { message += "; similar: " + close.prefix(5).joined(separator: ", ") }
            throw CommandFailure.invalid(message)
        }
        let today = context.today
        let upcoming = catalog.occurrences(of: event, from: today, through: today.adding(days: 366 * 12))
        let chosen: Occurrence?
        if let year {
            chosen = catalog.occurrences(of: event, from: LocalDate(year, 1, 1), through: LocalDate(year, 12, 31)).first
        } else {
            chosen = upcoming.first
        }
        Terminal.out(Self.describe(
            event, chosen: chosen, upcoming: Array(upcoming.prefix(5)), requestedYear: year,
            planner: configuration.planner, language: language))
    }

    static func describe(
        _ event: Event, chosen: Occurrence?, upcoming: [Occurrence], requestedYear: Int?, planner: Planner,
        language: Language
    ) -> String {
        let vi = language == .vi
        let catalog = planner.catalog
        var out = "\(event.id)\n"
        if let chosen { out += "  \(chosen.title(language))\n" }
        out += "  \(vi ? "loại" : "kind"): \(event.kind.rawValue)"
        if let code = event.country {
            let name = catalog.countries[code].map { " \($0.flag) \($0.name.resolved(language))" } ?? ""
            out += "   \(vi ? "quốc gia" : "country"): \(code)\(name)"
        }
        if event.dayOff { out += vi ? "   ngày nghỉ" : "   day off" }
        out += "\n  \(vi ? "quy tắc" : "rule"): \(rule(event.recurrence, language: language))\n"
        if let note = event.note { out += "  \(vi ? "ghi chú" : "note"): \(note)\n" }
        if let source = event.source { out += "  \(vi ? "nguồn" : "source"): \(source)\n" }
        if !upcoming.isEmpty {
            out += "  \(vi ? "các lần tới" : "next occurrences"):\n"
            for occurrence in upcoming {
                out += "    \(occurrence.date.iso) \(DateText.weekday(occurrence.date.weekday, language))"
                if let n = occurrence.ordinal { out += "  \(vi ? "lần thứ \(n)" : Ordinal.english(n))" }
                out += "  \(occurrence.tier)"
                if let lunar = occurrence.lunar { out += "  (\(DateText.lunar(lunar, language)))" }
                out += "\n"
            }
        }
        guard let occurrence = chosen else {
            if case .calendar(let rule, _) = event.recurrence, let requestedYear, let known = rule.knownYears,
                !known.contains(requestedYear)
            {
                out += vi ? "  Ngày năm \(requestedYear) chưa biết: bảng lịch chỉ có các năm \(known.lowerBound)–\(known.upperBound).\n"
                    : "  The date in \(requestedYear) is unknown: the calendar table covers \(known.lowerBound)–\(known.upperBound) only.\n"
                return out
            }
            out += vi ? "  Không có lần nào trong năm \(requestedYear.map(String.init) ?? "tới").\n"
                : "  No occurrence in \(requestedYear.map(String.init) ?? "the coming years").\n"
            return out
        }
        out += "\n\(occurrence.date.iso)"
        if let n = occurrence.ordinal { out += vi ? " — lần thứ \(n)" : " — \(Ordinal.english(n)) anniversary" }
        out += vi ? ", mức \(occurrence.tier)" : ", tier \(occurrence.tier)"
        let rule = catalog.milestones.rules.first { $0.matches(ordinal: occurrence.ordinal, kind: event.kind) }
        if let rule { out += " (\(milestone(rule, language: language)))" }
        out += "\n"
        let workdays = planner.workingCalendar(from: occurrence.date.adding(days: -400), through: occurrence.date.adding(days: 60))
        let steps = planner.steps(for: occurrence, workdays: workdays)
        let reminders = steps.filter(\.isReminder)
        out += vi ? "  Nhắc việc:\n" : "  Reminders:\n"
        if reminders.isEmpty { out += vi ? "    (không có)\n" : "    (none)\n" }
        for step in reminders {
            guard case .reminder(let days) = step.kind else { continue }
            let when = days == 0 ? (vi ? "đúng ngày" : "on the day") : (vi ? "trước \(days) ngày" : "\(days) days before")
            out += "    \(step.due.iso) \(DateText.weekday(step.due.weekday, language))  \(step.id)  \(when)\n"
        }
        let tasks = planner.checklists.schedule(occurrence, workdays: workdays)
        out += vi ? "  Danh mục công việc:\n" : "  Checklist:\n"
        if tasks.isEmpty { out += vi ? "    (không có mẫu nào áp dụng)\n" : "    (no template applies)\n" }
        for task in tasks {
            let offset = task.task.offsetDays
            out += "    \(task.due.iso) \(DateText.weekday(task.due.weekday, language))  task-\(task.task.id)  "
            out += "\(offset > 0 ? "+" : "")\(offset)d  \(task.task.title.resolved(language))"
            if task.due != task.nominal {
                out += vi ? "  (dời từ \(task.nominal.iso): " : "  (moved from \(task.nominal.iso): "
                out += dayOffReason(task.nominal, workdays: workdays, catalog: catalog, language: language) + ")"
            }
            out += "\n"
        }
        return out
    }

    /// Why a task's nominal day is not a working day: "27/4 là ngày nghỉ bù Giỗ Tổ Hùng Vương …".
    static func dayOffReason(_ date: LocalDate, workdays: WorkingCalendar, catalog: Catalog, language: Language) -> String {
        let vi = language == .vi
        let day = DateText.dayMonth(date, language)
        func title(_ event: Event, on date: LocalDate) -> String {
            catalog.occurrences(of: event, from: date, through: date).first?.title(language) ?? event.title.resolved(language)
        }
        switch workdays.reason(date) {
        case .holiday(let event):
            return vi ? "\(day) là ngày nghỉ lễ \(title(event, on: date))" : "\(day) is a public holiday, \(title(event, on: date))"
        case .substitute(let event, let holiday):
            let fell = "\(DateText.weekday(holiday.weekday, language)) \(DateText.dayMonth(holiday, language))"
            return vi ? "\(day) là ngày nghỉ bù \(title(event, on: holiday)), rơi vào \(fell)"
                : "\(day) is the day off in lieu of \(title(event, on: holiday)), which fell on \(fell)"
        case .decreed:
            return vi ? "\(day) là ngày nghỉ theo lịch nghỉ lễ, Tết năm \(date.year)" : "\(day) is a day off in the decreed schedule for \(date.year)"
        case .weekend, nil:
            return vi ? "\(day) là ngày nghỉ hằng tuần" : "\(day) is a weekly day off"
        }
    }

    static func rule(_ recurrence: Recurrence, language: Language) -> String {
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
        case .calendar(let rule, let year):
            let month = rule.system.monthNames[rule.month - 1].capitalized
            var text: String
            switch rule.system {
            case .hebrew: text = vi ? "lịch Do Thái: ngày \(rule.day) tháng \(month)" : "Hebrew calendar: \(rule.day) \(month)"
            case .bikramSambat: text = vi ? "lịch Bikram Sambat: ngày \(rule.day) tháng \(month)" : "Bikram Sambat: \(month) \(rule.day)"
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

    static func milestone(_ rule: MilestoneRule, language: Language) -> String {
        let vi = language == .vi
        var parts: [String] = []
        if let every = rule.every { parts.append(vi ? "mỗi \(every) năm" : "every \(every)") }
        if let at = rule.at { parts.append((vi ? "lần " : "at ") + at.map(String.init).joined(separator: ", ")) }
        if let kinds = rule.kinds { parts.append(kinds.map(\.rawValue).sorted().joined(separator: "/")) }
        if parts.isEmpty { parts.append(vi ? "mặc định" : "default") }
        return (vi ? "quy tắc mốc: " : "milestone rule: ") + parts.joined(separator: ", ")
    }
}
