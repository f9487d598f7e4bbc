import ArgumentParser
import Foundation
import KyniemCore
import KyniemRender

struct CalendarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar", _superCommandName: "kyniem", abstract: "The whole year's external-affairs calendar as ICS, HTML, Markdown, CSV or JSON.")

    @OptionGroup var config: ConfigOption
    @Option(parsing: .unconditional, help: "The year, e.g. 2027 (1 to 9999).")
    var year: Int
    @Option(help: "ics, html, md, csv or json.")
    var format: CalendarFormat = .ics
    @Option(help: "vi or en (default: home.language).")
    var lang: String?
    @Option(help: "Write to this file (atomically) instead of standard output.")
    var output: String?
    @OptionGroup var filters: FilterOptions

    func run() throws {
        try request.run()
    }

    /// The options' values, as argument-parser read them.
    var request: Request {
        Request(config: config.config, year: year, format: format, lang: lang, output: output, filters: filters.values)
    }

    /// What `kyniem calendar` was asked, as plain values: from argument-parser (`request`), or,
    /// for the plainest uses, straight from the arguments (`init?(plain:)`, as `Upcoming.Request`).
    struct Request: Equatable {
        var config: String?
        var year: Int
        var format: CalendarFormat = .ics
        var lang: String?
        var output: String?
        var filters = FilterValues()
    }
}

extension CalendarCommand.Request: PlainRequest {
    /// The request `arguments` (after `calendar`) make when each is a plain use of a long option
    /// (`PlainArguments`) whose value argument-parser would take as is; otherwise nil, and
    /// argument-parser decides (a missing `--year` included).
    init?(plain arguments: ArraySlice<String>) {
        guard
            let values = PlainArguments.options(
                arguments, single: ["config", "year", "format", "lang", "output"], repeated: ["tier", "kind", "country"]),
            let yearText = values["year"]?.first, let year = Int(yearText)
        else { return nil }
        self.year = year
        if let text = values["format"]?.first {
            guard let format = CalendarFormat(rawValue: text) else { return nil }
            self.format = format
        }
        config = values["config"]?.first
        lang = values["lang"]?.first
        output = values["output"]?.first
        filters = FilterValues(tier: values["tier"] ?? [], kind: values["kind"] ?? [], country: values["country"] ?? [])
    }

    func run() throws {
        let year = try CommandContext.year(year)
        let context = try CommandContext.load(config: config)
        let configuration = context.configuration
        let language = try context.language(lang)
        let filter = try filters.filter(tiers: configuration.catalog.milestones.tiers, countries: configuration.catalog.countries)
        let from = LocalDate(year, 1, 1)
        let through = LocalDate(year, 12, 31)
        // Tasks of early-year events fall due in the previous year; reach back for their days off.
        let workdays = configuration.planner.workingCalendar(from: from.adding(days: -200), through: through.adding(days: 60))
        let occurrences = configuration.catalog.occurrenceList(from: from, through: through, filter: filter)
        let (reminders, checklists) = (configuration.reminders, configuration.checklists)
        // Made one at a time as the calendar is written, in the list's order (date, then id).
        let entries = occurrences.lazy.map { occurrence in
            CalendarEntry(
                occurrence: occurrence, leadDays: reminders.leadDays(for: occurrence.tier),
                tasks: checklists.schedule(occurrence, workdays: workdays))
        }
        let header = CalendarDocument(
            year: year, language: language, entries: [], generatedAt: CommandContext.utcStamp(),
            weekend: configuration.home.weekend)
        guard let output else {
            var out = Terminal.stream()
            CalendarRenderer.write(header, entries: entries, as: format, to: &out)
            out.finish()
            return
        }
        var out = OutputBuffer()
        CalendarRenderer.write(header, entries: entries, as: format, to: &out)
        try AtomicFile.write(out.text, to: output)
    }
}

extension CalendarFormat: ExpressibleByArgument {}
