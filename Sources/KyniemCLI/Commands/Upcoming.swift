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
            ? "Sắp tới từ \(Vocabulary.long(from, .vi)) đến \(Vocabulary.long(through, .vi)): \(occurrences.count) sự kiện\n"
            : "Coming up from \(Vocabulary.long(from, .en)) to \(Vocabulary.long(through, .en)): \(occurrences.count) events\n"
        var month = 0
        for occurrence in occurrences {
            if occurrence.date.month != month {
                month = occurrence.date.month
                out += language == .vi
                    ? "\nTháng \(month)/\(occurrence.date.year)\n"
                    : "\n\(Vocabulary.englishMonths[month - 1]) \(occurrence.date.year)\n"
            }
            out += "  " + line(occurrence, language: language) + "\n"
        }
        return out
    }

    /// `2028-09-21 Thu  notable  JP  55th anniversary of …  [lunar 15/8]`
    static func line(_ occurrence: Occurrence, language: Language) -> String {
        let weekday = Vocabulary.weekday(occurrence.date.weekday, language)
        let tier = occurrence.tier.rawValue.padding(toLength: 8)
        let country = (occurrence.event.country ?? "").padding(toLength: 3)
        var text = "\(occurrence.date.iso) \(weekday.padding(toLength: language == .vi ? 8 : 9)) \(tier) \(country) \(occurrence.title(language))"
        if let lunar = occurrence.lunar { text += " (\(Vocabulary.lunar(lunar, language)))" }
        if occurrence.event.dayOff { text += language == .vi ? " — ngày nghỉ" : " — day off" }
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
