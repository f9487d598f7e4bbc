import ArgumentParser
import KyniemCore
import KyniemRender

struct Upcoming: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "What is coming up, with anniversary numbers and milestones.")

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
        if days != nil, until != nil { throw CommandFailure.invalid("give --days or --until, not both") }
        let context = try CommandContext.load(config)
        let language = try context.language(lang)
        let filter = try filters.filter(tiers: context.configuration.catalog.milestones.tiers)
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
            ? "Sắp tới từ \(DateText.long(from, .vi)) đến \(DateText.long(through, .vi)): \(occurrences.count) sự kiện\n"
            : "Coming up from \(DateText.long(from, .en)) to \(DateText.long(through, .en)): \(occurrences.count) events\n"
        var month = 0
        for occurrence in occurrences {
            if occurrence.date.month != month {
                month = occurrence.date.month
                out += language == .vi
                    ? "\nTháng \(month)/\(occurrence.date.year)\n"
                    : "\n\(DateText.englishMonths[month - 1]) \(occurrence.date.year)\n"
            }
            out += "  " + line(occurrence, language: language) + "\n"
        }
        return out
    }

    /// `2028-09-21 Thu  notable  JP  55th anniversary of …  [lunar 15/8]`
    static func line(_ occurrence: Occurrence, language: Language) -> String {
        let weekday = DateText.weekday(occurrence.date.weekday, language)
        let tier = occurrence.tier.rawValue.padding(toLength: 8)
        let country = (occurrence.event.country ?? "").padding(toLength: 3)
        var text = "\(occurrence.date.iso) \(weekday.padding(toLength: language == .vi ? 8 : 9)) \(tier) \(country) \(occurrence.title(language))"
        if let lunar = occurrence.lunar { text += " (\(DateText.lunar(lunar, language)))" }
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
