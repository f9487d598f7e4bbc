import ArgumentParser
import KyniemCore
import KyniemRender

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain", _superCommandName: "kyniem", abstract: "Why and how an event is scheduled: rule, ordinal, tier, lead times, checklist with due dates.")

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
        try request.run()
    }

    /// The options' values, as argument-parser read them.
    var request: Request { Request(config: config.config, eventID: eventID, year: year, lang: lang, sources: sources) }

    /// What `kyniem explain` was asked: from argument-parser (`request`), or, given the event id
    /// first and then plain long options, straight from the arguments (`init?(plain:)`, as
    /// `Upcoming.Request`).
    struct Request: Equatable {
        var config: String?
        var eventID: String
        var year: Int?
        var lang: String?
        var sources = false
    }

    /// The explanation as text: aligned columns, in the reader's language.
    static func describe(_ explanation: Explanation, planner: Planner, language: Language, sources: Bool = false) -> String {
        let (event, chosen, upcoming, requestedYear) =
            (explanation.event, explanation.chosen, explanation.upcoming, explanation.requestedYear)
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
        out += "\n  \(label(.rule)): \(Explanation.rule(event.recurrence, language: language))\n"
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
                out += vi ? "  Ngày năm \(requestedYear) chưa biết: lịch này chỉ tính được các năm \(known.lowerBound)–\(known.upperBound).\n"
                    : "  The date in \(requestedYear) is unknown: this calendar is known for \(known.lowerBound)–\(known.upperBound) only.\n"
                return out
            }
            out += vi ? "  Không có lần nào trong năm \(requestedYear.map(String.init) ?? "tới").\n"
                : "  No occurrence in \(requestedYear.map(String.init) ?? "the coming years").\n"
            return out
        }
        out += "\n\(Vocabulary.weekdayAndDate(occurrence.date, language))"
        if let n = occurrence.ordinal { out += vi ? " — lần thứ \(n)" : " — \(Ordinal.english(n)) anniversary" }
        out += ", \(label(.tier)) \(occurrence.tier.label(language))"
        if let rule = explanation.milestoneRule { out += " (\(Explanation.milestone(rule, language: language)))" }
        out += "\n"
        let reminders = explanation.reminders
        out += "  \(Vocabulary.phrase(.reminders, language)):\n"
        if reminders.isEmpty { out += "    \(Vocabulary.phrase(.none, language))\n" }
        out += table(reminders.compactMap { step in
            guard case .reminder(let days) = step.kind else { return nil }
            return [
                Vocabulary.long(step.due, language), Vocabulary.weekday(step.due.weekday, language),
                Vocabulary.reminder(daysBefore: days, language),
            ]
        })
        let tasks = explanation.tasks
        out += "  \(Vocabulary.phrase(.checklist, language)):\n"
        if tasks.isEmpty { out += "    \(Vocabulary.phrase(.noTemplate, language))\n" }
        out += table(tasks.map { task in
            let offset = task.task.offsetDays
            var title = task.task.title.resolved(language)
            if task.due != task.nominal {
                title += vi ? "  (dời từ \(Vocabulary.long(task.nominal, language)): " : "  (moved from \(Vocabulary.long(task.nominal, language)): "
                title += Explanation.dayOffReason(
                    task.nominal, workdays: explanation.workdays, catalog: catalog, language: language) + ")"
            }
            let when = offset <= 0
                ? Vocabulary.lead(daysBefore: -offset, language)
                : (vi ? "sau \(offset) ngày" : offset == 1 ? "1 day after" : "\(offset) days after")
            return [Vocabulary.long(task.due, language), Vocabulary.weekday(task.due.weekday, language), when, title]
        })
        return out
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        String(reversed().drop { $0 == " " }.reversed())
    }
}

extension Explain.Request: PlainRequest {
    /// The request `arguments` (after `explain`) make when the first is the event id, a word
    /// argument-parser would take as the positional as is (not empty, not `help`, not starting
    /// with `-`), and the rest are plain uses of `--config`, `--year`, `--lang` and `--sources`
    /// (`PlainArguments`); otherwise nil, and argument-parser decides (help, errors and all).
    init?(plain arguments: ArraySlice<String>) {
        guard let id = arguments.first, !id.isEmpty, !id.hasPrefix("-"), id != "help",
            let values = PlainArguments.options(
                arguments.dropFirst(), single: ["config", "year", "lang"], repeated: [], flags: ["sources"])
        else { return nil }
        eventID = id
        config = values["config"]?.first
        lang = values["lang"]?.first
        if let text = values["year"]?.first {
            // `Int(argument:)`, as argument-parser converts it; a refusal is its to word.
            guard let year = Int(text) else { return nil }
            self.year = year
        }
        sources = values["sources"] != nil
    }

    func run() throws {
        let year = try self.year.map { try CommandContext.year($0) }
        let context = try CommandContext.load(config: config)
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
        Terminal.out(Explain.describe(explanation, planner: configuration.planner, language: language, sources: sources))
    }
}
