import ArgumentParser
import KyniemCore

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Why and how an event is scheduled: rule, ordinal, tier, lead times, checklist with due dates.")

    @OptionGroup var config: ConfigOption
    @Argument(help: "The event id, e.g. jp-relations.")
    var eventID: String
    @Option(parsing: .unconditional, help: "Explain the occurrence in this year, 1 to 9999 (default: the next one from today).")
    var year: Int?
    @Option(help: "vi or en (default: home.language).")
    var lang: String?
    @Flag(help: "Also print the dataset's editorial note and sources for the event (`note:`, `source:`, `since_source:`).")
    var sources = false

    func run() throws {
        let year = try self.year.map { try CommandContext.year($0) }
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
            planner: configuration.planner, language: language, sources: sources))
    }

    static func describe(
        _ event: Event, chosen: Occurrence?, upcoming: [Occurrence], requestedYear: Int?, planner: Planner,
        language: Language, sources: Bool = false
    ) -> String {
        let vi = language == .vi
        let catalog = planner.catalog
        func label(_ phrase: Vocabulary.Phrase) -> String { Vocabulary.phrase(phrase, language).lowercased() }
        /// A table's rows with every column but the last padded to its widest cell.
        func table(_ rows: [[String]], indent: String = "    ") -> String {
            guard let columns = rows.map(\.count).max() else { return "" }
            var widths = [Int](repeating: 0, count: columns)
            for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
            return rows.map { row in
                indent + row.enumerated().map { index, cell in
                    index == row.count - 1 ? cell : cell.padding(toLength: widths[index])
                }.joined(separator: "  ").trimmingTrailingSpaces() + "\n"
            }.joined()
        }
        var out = "\(event.id)\n"
        if let chosen { out += "  \(chosen.title(language))\n" }
        out += "  \(label(.kind)): \(Vocabulary.kind(event.kind, language))"
        if let code = event.country {
            let name = catalog.countries[code].map { " \($0.flag) \($0.name.resolved(language))" } ?? ""
            out += "   \(label(.country)): \(code)\(name)"
        }
        if event.dayOff { out += "   " + label(.dayOff) }
        out += "\n  \(label(.rule)): \(rule(event.recurrence, language: language))\n"
        if sources {
            if let note = event.note { out += "  \(label(.notes)): \(note)\n" }
            if let source = event.source { out += "  \(label(.sources)): \(source)\n" }
        }
        if !upcoming.isEmpty {
            out += "  \(label(.nextOccurrences)):\n"
            out += table(upcoming.map { occurrence in
                [
                    Vocabulary.long(occurrence.date, language), Vocabulary.weekday(occurrence.date.weekday, language),
                    occurrence.ordinal.map { Vocabulary.nth($0, language) } ?? "",
                    occurrence.tier.label(language), occurrence.lunar.map { "(\(Vocabulary.lunar($0, language)))" } ?? "",
                ]
            })
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
        out += "\n\(Vocabulary.weekdayAndDate(occurrence.date, language))"
        if let n = occurrence.ordinal { out += vi ? " — lần thứ \(n)" : " — \(Ordinal.english(n)) anniversary" }
        out += ", \(label(.tier)) \(occurrence.tier.label(language))"
        let rule = catalog.milestones.rules.first { $0.matches(ordinal: occurrence.ordinal, kind: event.kind) }
        if let rule { out += " (\(milestone(rule, language: language)))" }
        out += "\n"
        let workdays = planner.workingCalendar(from: occurrence.date.adding(days: -400), through: occurrence.date.adding(days: 60))
        let steps = planner.steps(for: occurrence, workdays: workdays)
        let reminders = steps.filter(\.isReminder)
        out += "  \(Vocabulary.phrase(.reminders, language)):\n"
        if reminders.isEmpty { out += "    \(Vocabulary.phrase(.none, language))\n" }
        out += table(reminders.compactMap { step in
            guard case .reminder(let days) = step.kind else { return nil }
            return [
                Vocabulary.long(step.due, language), Vocabulary.weekday(step.due.weekday, language),
                Vocabulary.reminder(daysBefore: days, language),
            ]
        })
        let tasks = planner.checklists.schedule(occurrence, workdays: workdays)
        out += "  \(Vocabulary.phrase(.checklist, language)):\n"
        if tasks.isEmpty { out += "    \(Vocabulary.phrase(.noTemplate, language))\n" }
        out += table(tasks.map { task in
            let offset = task.task.offsetDays
            var title = task.task.title.resolved(language)
            if task.due != task.nominal {
                title += vi ? "  (dời từ \(Vocabulary.long(task.nominal, language)): " : "  (moved from \(Vocabulary.long(task.nominal, language)): "
                title += dayOffReason(task.nominal, workdays: workdays, catalog: catalog, language: language) + ")"
            }
            let when = offset <= 0
                ? Vocabulary.lead(daysBefore: -offset, language)
                : (vi ? "sau \(offset) ngày" : offset == 1 ? "1 day after" : "\(offset) days after")
            return [Vocabulary.long(task.due, language), Vocabulary.weekday(task.due.weekday, language), when, title]
        })
        return out
    }

    /// Why a task's nominal day is not a working day: "27/4 là ngày nghỉ bù Giỗ Tổ Hùng Vương …".
    static func dayOffReason(_ date: LocalDate, workdays: WorkingCalendar, catalog: Catalog, language: Language) -> String {
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
        if let kinds = rule.kinds { parts.append(kinds.map { Vocabulary.kind($0, language) }.sorted().joined(separator: "/")) }
        if parts.isEmpty { parts.append(vi ? "mặc định" : "default") }
        return (vi ? "quy tắc mốc: " : "milestone rule: ") + parts.joined(separator: ", ")
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        String(reversed().drop { $0 == " " }.reversed())
    }
}
