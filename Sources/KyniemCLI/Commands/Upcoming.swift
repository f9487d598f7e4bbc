import ArgumentParser
import KyniemCore
import KyniemRender

struct Upcoming: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upcoming", _superCommandName: "kyniem", abstract: "What is coming up, with anniversary numbers and milestones.")

    @OptionGroup var config: ConfigOption
    @Option(parsing: .unconditional, help: "First day (YYYY-MM-DD); default today in the home time zone.")
    var from: String?
    // `.unconditional` takes `--days -5` as a value (then refused with a range) rather than as an
    // unknown option, which argument-parser would report as a missing value.
    @Option(parsing: .unconditional, help: "Number of days in the window, counting the first: 1 to 3660 (default 60).")
    var days: Int?
    @Option(parsing: .unconditional, help: "Last day (YYYY-MM-DD), instead of --days; at most 3660 days after the first.")
    var until: String?
    @Option(help: "text or json.")
    var format: OutputFormat = .text
    @Option(help: "vi or en (default: home.language).")
    var lang: String?
    @OptionGroup var filters: FilterOptions

    func run() throws {
        try request.run()
    }

    /// The options' values, as argument-parser read them.
    var request: Request {
        Request(
            config: config.config, from: from, days: days, until: until, format: format, lang: lang, filters: filters.values)
    }

    /// What `kyniem upcoming` was asked, as plain values: from argument-parser (`request`), or,
    /// for the plainest uses, straight from the arguments (`init?(plain:)`), which keeps
    /// argument-parser's model of the command out of the start-up of a daily `upcoming`.
    struct Request: Equatable {
        var config: String?
        var from: String?
        var days: Int?
        var until: String?
        var format: OutputFormat = .text
        var lang: String?
        var filters = FilterValues()
    }
}

extension Upcoming.Request: PlainRequest {
    /// The request `arguments` (after `upcoming`) make when each is a plain use of a long option
    /// (`PlainArguments`) whose value argument-parser would take as is; otherwise nil, and
    /// argument-parser decides (help, errors and all).
    init?(plain arguments: ArraySlice<String>) {
        guard
            let values = PlainArguments.options(
                arguments, single: ["config", "from", "days", "until", "format", "lang"],
                repeated: ["tier", "kind", "country"])
        else { return nil }
        config = values["config"]?.first
        from = values["from"]?.first
        until = values["until"]?.first
        lang = values["lang"]?.first
        if let text = values["days"]?.first {
            // `Int(argument:)`, as argument-parser converts it; a refusal is its to word.
            guard let count = Int(text) else { return nil }
            days = count
        }
        if let text = values["format"]?.first {
            guard let format = OutputFormat(rawValue: text) else { return nil }
            self.format = format
        }
        filters = FilterValues(tier: values["tier"] ?? [], kind: values["kind"] ?? [], country: values["country"] ?? [])
    }

    func run() throws {
        if days != nil, until != nil { throw CommandFailure.invalid("give --days or --until, not both") }
        let context = try CommandContext.load(config: config)
        let language = try context.language(lang)
        let filter = try filters.filter(tiers: context.configuration.catalog.milestones.tiers, countries: context.configuration.catalog.countries)
        let start = try from.map { try CommandContext.date($0, option: "--from") } ?? context.today
        let window = Limits.windowDays
        let end: LocalDate
        if let until {
            end = try CommandContext.date(until, option: "--until")
            guard end >= start else { throw CommandFailure.invalid("--until \(until) is before the first day \(start)") }
            guard window.contains(start.days(until: end) + 1) else {
                throw CommandFailure.invalid(
                    "--until \(until) is \(start.days(until: end) + 1) days from \(start); "
                        + "a window is at most \(window.upperBound) days (about ten years)")
            }
        } else {
            let count = days ?? 60
            guard window.contains(count) else {
                throw CommandFailure.invalid(
                    "--days: expected a number of days from \(window.lowerBound) to \(window.upperBound), found \(count)")
            }
            // Within `Limits`, so the end date stays in the years the engine handles.
            end = start.adding(days: count - 1)
        }
        let occurrences = context.configuration.catalog.occurrenceList(from: start, through: end, filter: filter)
        switch format {
        case .json:
            var out = Terminal.stream()
            OccurrenceJSON.write(from: start, to: end, occurrences: occurrences, language: language, to: &out)
            out.finish()
        case .text:
            Terminal.out(Upcoming.text(Array(occurrences), from: start, through: end, today: start, language: language))
        }
    }
}

extension Upcoming {

    static func text(
        _ occurrences: [Occurrence], from: LocalDate, through: LocalDate, today: LocalDate, language: Language
    ) -> String {
        var out = language == .vi
            ? "Sắp tới từ \(Vocabulary.long(from, .vi)) đến \(Vocabulary.long(through, .vi)): \(Vocabulary.count(occurrences.count, .vi))\n"
            : "Coming up from \(Vocabulary.long(from, .en)) to \(Vocabulary.long(through, .en)): \(Vocabulary.count(occurrences.count, .en))\n"
        var month = 0
        for occurrence in occurrences {
            if occurrence.date.month != month {
                month = occurrence.date.month
                out += "\n" + Vocabulary.monthAndYear(month, occurrence.date.year, language) + "\n"
            }
            out += "  " + line(occurrence, language: language) + "\n"
        }
        return out
    }

    /// `21/9/2028  Thứ Năm  Đáng chú ý   JP  Kỷ niệm 55 năm …  (15/8 âm lịch)`: the date as the
    /// reader writes it, every column padded to its widest value in the language.
    static func line(_ occurrence: Occurrence, language: Language) -> String {
        let date = Vocabulary.long(occurrence.date, language).padding(toLength: language == .vi ? 10 : 17)
        let weekday = Vocabulary.weekday(occurrence.date.weekday, language).padding(toLength: language == .vi ? 8 : 9)
        let tiers = [Tier.major, .notable, .routine].map { $0.label(language).count }.max() ?? 8
        let tier = occurrence.tier.label(language).padding(toLength: max(tiers, occurrence.tier.label(language).count))
        let country = (occurrence.event.country ?? "").padding(toLength: 3)
        var text = "\(date) \(weekday) \(tier) \(country) \(occurrence.title(language))"
        if let lunar = occurrence.lunar { text += " (\(Vocabulary.lunar(lunar, language)))" }
        if occurrence.event.dayOff { text += " — " + Vocabulary.phrase(.dayOff, language).lowercased() }
        return text
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

extension String {
    func padding(toLength length: Int) -> String {
        count >= length ? self : self + String(repeating: " ", count: length - count)
    }
}
