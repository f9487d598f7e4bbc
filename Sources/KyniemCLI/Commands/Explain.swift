import ArgumentParser
import KyniemCore
import KyniemRender

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
        let explanation = Explanation(event: event, planner: configuration.planner, today: context.today, year: year)
        Terminal.out(Self.describe(explanation, planner: configuration.planner, language: language))
    }

    static func describe(_ explanation: Explanation, planner: Planner, language: Language) -> String {
        let (event, chosen, upcoming, requestedYear) =
            (explanation.event, explanation.chosen, explanation.upcoming, explanation.requestedYear)
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
        out += "\n  \(vi ? "quy tắc" : "rule"): \(Explanation.rule(event.recurrence, language: language))\n"
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
            out += vi ? "  Không có lần nào trong năm \(requestedYear.map(String.init) ?? "tới").\n"
                : "  No occurrence in \(requestedYear.map(String.init) ?? "the coming years").\n"
            return out
        }
        out += "\n\(occurrence.date.iso)"
        if let n = occurrence.ordinal { out += vi ? " — lần thứ \(n)" : " — \(Ordinal.english(n)) anniversary" }
        out += vi ? ", mức \(occurrence.tier)" : ", tier \(occurrence.tier)"
        if let rule = explanation.milestoneRule { out += " (\(Explanation.milestone(rule, language: language)))" }
        out += "\n"
        let reminders = explanation.reminders
        out += vi ? "  Nhắc việc:\n" : "  Reminders:\n"
        if reminders.isEmpty { out += vi ? "    (không có)\n" : "    (none)\n" }
        for step in reminders {
            guard case .reminder(let days) = step.kind else { continue }
            let when = days == 0 ? (vi ? "đúng ngày" : "on the day") : (vi ? "trước \(days) ngày" : "\(days) days before")
            out += "    \(step.due.iso) \(DateText.weekday(step.due.weekday, language))  \(step.id)  \(when)\n"
        }
        let tasks = explanation.tasks
        out += vi ? "  Danh mục công việc:\n" : "  Checklist:\n"
        if tasks.isEmpty { out += vi ? "    (không có mẫu nào áp dụng)\n" : "    (no template applies)\n" }
        for task in tasks {
            let offset = task.task.offsetDays
            out += "    \(task.due.iso) \(DateText.weekday(task.due.weekday, language))  task-\(task.task.id)  "
            out += "\(offset > 0 ? "+" : "")\(offset)d  \(task.task.title.resolved(language))"
            if task.due != task.nominal {
                out += vi ? "  (dời từ \(task.nominal.iso), ngày nghỉ)" : "  (moved from \(task.nominal.iso), not a working day)"
            }
            out += "\n"
        }
        return out
    }
}
