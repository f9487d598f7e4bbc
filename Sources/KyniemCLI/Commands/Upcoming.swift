import ArgumentParser
import KyniemCore
import KyniemRender

struct Upcoming: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "What is coming up, with anniversary numbers and milestones.")

    @OptionGroup var config: ConfigOption
    @Option(help: "First day (YYYY-MM-DD); default today in the home time zone.")
    var from: String?
    @Option(help: "Number of days in the window, counting the first (default 60).")
    var days: Int?
    @Option(help: "Last day (YYYY-MM-DD), instead of --days.")
    var until: String?
    @Option(help: "text or json.")
    var format: OutputFormat = .text
    @Option(help: "vi or en (default: home.language).")
    var lang: String?
    @OptionGroup var filters: FilterOptions

    func run() throws {
        if days != nil, until != nil { throw CommandFailure.invalid("give --days or --until, not both") }
        let context = try CommandContext.load(config)
        let language = try context.language(lang)
        let filter = try filters.filter(tiers: context.configuration.catalog.milestones.tiers)
        let start = try from.map { try CommandContext.date($0, option: "--from") } ?? context.today
        let end: LocalDate
        if let until {
            end = try CommandContext.date(until, option: "--until")
            guard end >= start else { throw CommandFailure.invalid("--until \(until) is before the first day \(start)") }
        } else {
            let count = days ?? 60
            guard count >= 1 else { throw CommandFailure.invalid("--days: expected 1 or more, found \(count)") }
            end = start.adding(days: count - 1)
        }
        let occurrences = context.configuration.catalog.occurrences(from: start, through: end, filter: filter)
        switch format {
        case .json:
            Terminal.out(OccurrenceJSON.render(from: start, to: end, occurrences: occurrences, language: language))
        case .text:
            Terminal.out(Self.text(occurrences, from: start, through: end, today: start, language: language))
        }
    }

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
