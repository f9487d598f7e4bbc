import KyniemCore

/// GitHub-flavoured Markdown: the name as the title, then a heading and an agenda table for
/// every month in the document's range (months without events say so).
enum MarkdownRenderer {
    static func render(_ document: CalendarDocument) -> String {
        let language = document.language
        var out = ""
        out.reserveCapacity(256 + document.entries.count * 200)
        out += "# "
        out += inline(document.name)
        out += "\n\n"
        out += "\(Vocabulary.long(document.from, language)) – \(Vocabulary.long(document.through, language))"
        out += " · \(Vocabulary.count(document.entries.count, language))\n"

        let heads = [
            Vocabulary.phrase(.date, language), Vocabulary.phrase(.event, language), Vocabulary.phrase(.country, language),
            Vocabulary.phrase(.anniversary, language), Vocabulary.phrase(.tier, language),
        ]
        var index = 0
        let entries = document.entries
        for (year, month) in MonthRange(from: document.from, through: document.through) {
            out += "\n## \(Vocabulary.month(month, language))"
            if document.year == nil || document.from.year != document.through.year { out += " \(year)" }
            out += "\n\n"
            while index < entries.count, (entries[index].occurrence.date.year, entries[index].occurrence.date.month) < (year, month) {
                index += 1  // before the range: not shown
            }
            let start = index
            while index < entries.count, entries[index].occurrence.date.year == year,
                entries[index].occurrence.date.month == month
            {
                index += 1
            }
            guard index > start else {
                out += "_\(Vocabulary.phrase(.nothing, language))_\n"
                continue
            }
            out += "| " + heads.joined(separator: " | ") + " |\n"
            out += "|---|---|---|--:|---|\n"
            for entry in entries[start..<index] {
                row(entry, language, into: &out)
            }
        }
        return out
    }

    private static func row(_ entry: CalendarEntry, _ language: Language, into out: inout String) {
        let occurrence = entry.occurrence
        var date = "\(Vocabulary.dayMonth(occurrence.date, language)) (\(Vocabulary.weekday(occurrence.date.weekday, language)))"
        if occurrence.event.dayOff { date += " · \(Vocabulary.phrase(.dayOff, language))" }
        var event = occurrence.title(language)
        if let lunar = occurrence.lunar { event += " (\(Vocabulary.lunar(lunar, language)))" }
        var country = ""
        if let name = occurrence.countryName(language) {
            let flag = occurrence.country?.flag ?? ""
            country = flag.isEmpty ? name : "\(flag) \(name)"
        }
        let cells = [
            date, event, country, occurrence.ordinal.map { Vocabulary.ordinal($0, language) } ?? "",
            Vocabulary.tier(occurrence.tier, language),
        ]
        out += "|"
        for cell in cells {
            out += " "
            out += inline(cell)
            out += " |"
        }
        out += "\n"
    }

    /// Text safe inside a table cell or heading: `|` escaped, line breaks as spaces, and `<` as
    /// an entity so that a title is never taken for raw HTML by a Markdown viewer. `&` stays as
    /// it is, for people who read the file as plain text.
    static func inline(_ text: String) -> String {
        guard text.utf8.contains(where: {
            $0 == UInt8(ascii: "|") || $0 == UInt8(ascii: "<") || $0 == 0x0A || $0 == 0x0D
        }) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "|": out += "\\|"
            case "<": out += "&lt;"
            case "\r", "\n": out += " "
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

/// The (year, month) pairs from one date's month through another's.
struct MonthRange: Sequence, IteratorProtocol {
    private var year: Int
    private var month: Int
    private let last: (year: Int, month: Int)

    init(from: LocalDate, through: LocalDate) {
        year = from.year
        month = from.month
        last = through < from ? (from.year, from.month - 1) : (through.year, through.month)
    }

    mutating func next() -> (Int, Int)? {
        guard (year, month) <= last else { return nil }
        defer {
            month += 1
            if month > 12 {
                month = 1
                year += 1
            }
        }
        return (year, month)
    }
}
