import KyniemCore

/// One self-contained HTML page to print on A4 and pin on the wall: the year as twelve month
/// grids on the first page, then the agenda month by month. Inline CSS only: no script, no
/// font or image fetched. Tiers differ by weight and border as well as colour, so a
/// black-and-white printout still tells them apart.
enum HTMLRenderer {
    static func render(_ document: CalendarDocument) -> String {
        String(decoding: bytes(document), as: UTF8.self)
    }

    /// The page as UTF-8 bytes, written straight into one buffer (a year page has thousands of
    /// agenda rows). `style` is written just before `</head>` and `nav` just after `<body>`:
    /// the published site's year pages add their own, and are otherwise this page.
    static func bytes(_ document: CalendarDocument, style: String = "", nav: String = "") -> [UInt8] {
        let language = document.language
        var out = OutputBuffer(capacity: 24_000 + style.utf8.count + nav.utf8.count + document.entries.count * 700)
        out.write("<!DOCTYPE html>\n<html lang=\"")
        out.write(language.rawValue)
        out.write("\">\n<head>\n<meta charset=\"utf-8\">\n")
        out.write("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        out.write("<meta name=\"generator\" content=\"kyniem\">\n<title>")
        out.writeEscapedHTML(document.name)
        out.write("</title>\n<style>\n")
        out.write(stylesheet)
        out.write("</style>\n")
        out.write(style)
        out.write("</head>\n<body>\n")
        out.write(nav)
        masthead(document, into: &out)
        let byDay = Dictionary(grouping: document.entries, by: { $0.occurrence.date })
        out.write("<section class=\"grids\">\n")
        for (year, month) in MonthRange(from: document.from, through: document.through) {
            grid(year: year, month: month, document: document, byDay: byDay, into: &out)
        }
        out.write("</section>\n")
        agenda(document, into: &out)
        out.write("</body>\n</html>\n")
        return out.bytes
    }

    // MARK: - Header and legend

    private static func masthead(_ document: CalendarDocument, into out: inout OutputBuffer) {
        let language = document.language
        out.write("<header class=\"masthead\">\n<h1>")
        out.writeEscapedHTML(document.name)
        out.write("</h1>\n<p class=\"range\">")
        out.write(Vocabulary.long(document.from, language))
        out.write(" – ")
        out.write(Vocabulary.long(document.through, language))
        out.write(" · ")
        out.write(Vocabulary.count(document.entries.count, language))
        var counts: [Tier: Int] = [:]
        for entry in document.entries { counts[entry.occurrence.tier, default: 0] += 1 }
        for tier in [Tier.major, .notable] where counts[tier, default: 0] > 0 {
            out.write(" · \(counts[tier, default: 0]) \(Vocabulary.tier(tier, language).lowercased())")
        }
        out.write("</p>\n<ul class=\"legend\" aria-label=\"")
        out.write(Vocabulary.phrase(.legend, language))
        out.write("\">\n")
        var tiers: [Tier] = [.major, .notable, .routine]
        for tier in counts.keys.sorted() where !tiers.contains(tier) { tiers.append(tier) }
        for tier in tiers {
            out.write("<li><span class=\"sw \(tierClass(tier))\">21</span> ")
            out.writeEscapedHTML(Vocabulary.tier(tier, language))
            out.write("</li>\n")
        }
        out.write("<li><span class=\"sw off\">21</span> \(Vocabulary.phrase(.dayOff, language))</li>\n")
        out.write("<li><span class=\"sw we\">21</span> \(Vocabulary.phrase(.weekend, language))</li>\n")
        out.write("</ul>\n</header>\n")
    }

    // MARK: - Month grids

    /// A Monday-first month, always six week rows so that the grids line up on the page.
    private static func grid(
        year: Int, month: Int, document: CalendarDocument, byDay: [LocalDate: [CalendarEntry]],
        into out: inout OutputBuffer
    ) {
        let language = document.language
        let first = LocalDate(year, month, 1)
        let length = LocalDate.daysIn(month: month, year: year)
        let lead = first.weekday.rawValue - 1
        let heads = Vocabulary.weekdayHeads(language)
        let weekendColumns = Weekday.allCases.map { document.weekend.contains($0) }

        out.write("<table class=\"month\">\n<caption>")
        out.write(Vocabulary.month(month, language))
        if document.year == nil { out.write(" \(year)") }
        out.write("</caption>\n<thead><tr>")
        for (column, head) in heads.enumerated() {
            out.write(weekendColumns[column] ? "<th class=\"we\">" : "<th>")
            out.write(head)
            out.write("</th>")
        }
        out.write("</tr></thead>\n<tbody>\n")
        for week in 0..<6 {
            out.write("<tr>")
            for column in 0..<7 {
                let day = week * 7 + column - lead + 1
                guard day >= 1, day <= length else {
                    out.write("<td class=\"pad\"></td>")
                    continue
                }
                let date = LocalDate(year, month, day)
                var classes: [String] = []
                if weekendColumns[column] { classes.append("we") }
                let inRange = date >= document.from && date <= document.through
                if !inRange { classes.append("out") }
                let entries = inRange ? byDay[date] ?? [] : []
                if let heaviest = entries.map(\.occurrence.tier).min() {
                    classes.append("ev")
                    classes.append(tierClass(heaviest))
                }
                if entries.contains(where: { $0.occurrence.event.dayOff }) { classes.append("off") }
                out.write("<td")
                if !classes.isEmpty {
                    out.write(" class=\"")
                    out.write(classes.joined(separator: " "))
                    out.write("\"")
                }
                if !entries.isEmpty {
                    out.write(" title=\"")
                    for (index, entry) in entries.enumerated() {
                        if index > 0 { out.write("&#10;") }
                        out.writeEscapedHTML(entry.occurrence.title(language))
                    }
                    out.write("\"")
                }
                out.write(byte: UInt8(ascii: ">"))
                out.write(day)
                out.write("</td>")
            }
            out.write("</tr>\n")
        }
        out.write("</tbody>\n</table>\n")
    }

    // MARK: - Agenda

    private static func agenda(_ document: CalendarDocument, into out: inout OutputBuffer) {
        let language = document.language
        let entries = document.entries
        out.write("<section class=\"agenda\">\n<h2>")
        out.write(Vocabulary.phrase(.agenda, language))
        out.write("</h2>\n")
        var index = 0
        for (year, month) in MonthRange(from: document.from, through: document.through) {
            while index < entries.count,
                (entries[index].occurrence.date.year, entries[index].occurrence.date.month) < (year, month)
            {
                index += 1
            }
            let start = index
            while index < entries.count, entries[index].occurrence.date.year == year,
                entries[index].occurrence.date.month == month
            {
                index += 1
            }
            guard index > start else { continue }
            out.write("<section class=\"agenda-month\">\n<h3>")
            out.write(Vocabulary.month(month, language))
            if document.year == nil { out.write(" \(year)") }
            out.write("</h3>\n<table class=\"list\">\n<thead><tr><th class=\"c-date\">")
            out.write(Vocabulary.phrase(.date, language))
            out.write("</th><th class=\"c-day\">")
            out.write(Vocabulary.phrase(.weekday, language))
            out.write("</th><th class=\"c-country\">")
            out.write(Vocabulary.phrase(.country, language))
            out.write("</th><th>")
            out.write(Vocabulary.phrase(.event, language))
            out.write("</th><th class=\"c-num\">")
            out.write(Vocabulary.phrase(.anniversary, language))
            out.write("</th><th class=\"c-tier\">")
            out.write(Vocabulary.phrase(.tier, language))
            out.write("</th></tr></thead>\n<tbody>\n")
            for entry in entries[start..<index] {
                agendaRow(entry, language, into: &out)
            }
            out.write("</tbody>\n</table>\n</section>\n")
        }
        if entries.isEmpty {
            out.write("<p>\(Vocabulary.phrase(.nothing, language))</p>\n")
        }
        out.write("</section>\n")
        if let stamp = LocalDate(basic: document.generatedAt) {
            let generated = Vocabulary.generated(stamp, language)
            out.write("<footer>kyniem · \(generated)</footer>\n")
        }
    }

    private static func agendaRow(_ entry: CalendarEntry, _ language: Language, into out: inout OutputBuffer) {
        let occurrence = entry.occurrence
        let tier = tierClass(occurrence.tier)
        out.write("<tr class=\"")
        out.write(tier)
        out.write(occurrence.event.dayOff ? " off\">" : "\">")
        out.write("<td class=\"c-date\"><time datetime=\"")
        out.writeISO(occurrence.date)
        out.write("\">")
        out.write(Vocabulary.dayMonth(occurrence.date, language))
        out.write("</time></td><td class=\"c-day\">")
        out.write(Vocabulary.weekday(occurrence.date.weekday, language))
        out.write("</td><td class=\"c-country\">")
        if let name = occurrence.countryName(language) {
            if let flag = occurrence.country?.flag, !flag.isEmpty {
                out.write("<span class=\"flag\" aria-hidden=\"true\">")
                out.write(flag)
                out.write("</span> ")
            }
            out.writeEscapedHTML(name)
        }
        out.write("</td><td class=\"c-event\"><span class=\"title\">")
        out.writeEscapedHTML(occurrence.title(language))
        out.write("</span>")
        if let lunar = occurrence.lunar {
            out.write(" <span class=\"lunar\">(")
            out.writeEscapedHTML(Vocabulary.lunar(lunar, language))
            out.write(")</span>")
        }
        if occurrence.event.dayOff {
            out.write(" <span class=\"off-tag\">")
            out.write(Vocabulary.phrase(.dayOff, language))
            out.write("</span>")
        }
        if !entry.tasks.isEmpty {
            out.write("\n<ul class=\"tasks\">")
            for scheduled in entry.tasks {
                out.write("<li><time datetime=\"")
                out.writeISO(scheduled.due)
                out.write("\">")
                out.write(Vocabulary.long(scheduled.due, language))
                out.write("</time> ")
                out.writeEscapedHTML(scheduled.task.title.resolved(language))
                out.write("</li>")
            }
            out.write("</ul>")
        }
        out.write("</td><td class=\"c-num\">")
        if let ordinal = occurrence.ordinal { out.write(Vocabulary.ordinal(ordinal, language)) }
        out.write("</td><td class=\"c-tier\"><span class=\"badge ")
        out.write(tier)
        out.write("\">")
        out.writeEscapedHTML(Vocabulary.tier(occurrence.tier, language))
        out.write("</span></td></tr>\n")
    }

    /// A fixed set of class names, never built from configuration text.
    static func tierClass(_ tier: Tier) -> String {
        switch tier {
        case .major: "t-major"
        case .notable: "t-notable"
        case .routine: "t-routine"
        default: "t-other"
        }
    }

    static func appendEscaped(_ text: String, to out: inout String) { HTMLText.appendEscaped(text, to: &out) }

    static func escaped(_ text: String) -> String { HTMLText.escaped(text) }

    static let stylesheet = """
        @page { size: A4; margin: 12mm; }
        * { box-sizing: border-box; }
        html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
        body { margin: 0 auto; color: #1b1b1b; background: #fff;
          font: 10pt/1.35 "Noto Sans", "DejaVu Sans", "Segoe UI", Roboto, Arial, sans-serif; }
        @media screen {
          html { background: #e4e4e4; }
          body { max-width: 210mm; margin: 6mm auto; padding: 12mm; box-shadow: 0 0 3mm rgba(0, 0, 0, 0.25); }
          .agenda { margin-top: 12mm; padding-top: 6mm; border-top: 1px dashed #999; }
        }
        h1 { font-size: 19pt; margin: 0 0 1mm; letter-spacing: 0.01em; }
        .range { margin: 0 0 3mm; color: #444; }
        .legend { list-style: none; margin: 0 0 5mm; padding: 2mm 0 0; border-top: 1px solid #bbb;
          display: flex; flex-wrap: wrap; gap: 2mm 7mm; font-size: 9pt; }
        .legend li { display: flex; align-items: center; gap: 2mm; }
        .sw { display: inline-block; width: 7mm; line-height: 5mm; text-align: center; font-size: 8.5pt; }
        .grids { display: grid; grid-template-columns: repeat(3, 1fr); gap: 5mm 7mm; }
        table.month { width: 100%; table-layout: fixed; border-collapse: separate; border-spacing: 1px;
          font-size: 9pt; font-variant-numeric: tabular-nums; break-inside: avoid; }
        table.month caption { text-align: left; font-weight: 700; font-size: 11pt; padding: 0 0 1mm 1mm;
          border-bottom: 1.5pt solid #1b1b1b; margin-bottom: 1mm; }
        table.month th { font-size: 7.5pt; font-weight: 600; color: #555; padding: 0.6mm 0; }
        table.month td { text-align: center; height: 7mm; padding: 0; border: 1.5px solid transparent;
          border-radius: 1.5mm; }
        .we { background: #e9e9e9; }
        table.month th.we { background: none; color: #333; }
        td.out { color: #bbb; }
        .t-major.ev, .sw.t-major { background: #7d1010; color: #fff; font-weight: 800; border: 1.5px solid #000; }
        .t-notable.ev, .sw.t-notable { font-weight: 800; color: #7d1010; border: 2px solid #b3261e; background: #fff3ef; }
        .t-routine.ev, .sw.t-routine { font-weight: 600; border: 1px dashed #555; }
        .t-other.ev, .sw.t-other { font-weight: 600; border: 1px dotted #555; }
        td.off, .sw.off { color: #c40000; background: #fde1dc; font-weight: 700; text-decoration: underline double; }
        td.t-major.off { color: #fff; background: #c40000; }
        .agenda { break-before: page; }
        .agenda h2 { font-size: 15pt; margin: 0 0 3mm; }
        .agenda-month h3 { font-size: 12pt; margin: 4mm 0 1mm; padding-bottom: 0.5mm;
          border-bottom: 1.5pt solid #1b1b1b; break-after: avoid; }
        table.list { width: 100%; table-layout: fixed; border-collapse: collapse; font-size: 9pt; }
        table.list th { text-align: left; font-size: 8pt; font-weight: 600; color: #555; padding: 0.5mm 1.5mm;
          border-bottom: 1px solid #999; }
        table.list td { vertical-align: top; padding: 1mm 1.5mm; border-bottom: 0.5pt solid #d4d4d4; }
        table.list tr { break-inside: avoid; }
        .c-date { width: 24mm; white-space: nowrap; font-variant-numeric: tabular-nums; }
        .c-day { width: 19mm; white-space: nowrap; color: #444; font-size: 8.5pt; }
        .c-country { width: 28mm; }
        .c-num { width: 15mm; white-space: nowrap; text-align: right; }
        .c-tier { width: 25mm; }
        table.list .c-num, table.list .c-tier { text-align: right; }
        tr.t-major .c-event .title { font-weight: 700; }
        tr.t-major td:first-child { border-left: 2.5pt solid #7d1010; }
        tr.t-notable td:first-child { border-left: 1.5pt solid #b3261e; }
        tr.off td { background: #fdf0ee; }
        tr.off .c-date { color: #c40000; font-weight: 700; text-decoration: underline double; }
        .flag { font-family: "Noto Color Emoji", "Apple Color Emoji", "Segoe UI Emoji", sans-serif; }
        .lunar { color: #555; font-style: italic; white-space: nowrap; }
        .off-tag { color: #c40000; font-size: 8pt; font-weight: 700; white-space: nowrap; }
        .tasks { margin: 0.5mm 0 0; padding-left: 4mm; font-size: 8pt; color: #444; }
        .tasks time { font-variant-numeric: tabular-nums; font-weight: 600; }
        .badge { display: inline-block; padding: 0 1.5mm; border-radius: 1mm; font-size: 8pt; white-space: nowrap; }
        .badge.t-major { background: #7d1010; color: #fff; font-weight: 800; border: 1px solid #000; }
        .badge.t-notable { color: #7d1010; font-weight: 800; border: 1.5px solid #b3261e; }
        .badge.t-routine { border: 1px dashed #777; color: #333; }
        .badge.t-other { border: 1px dotted #777; color: #333; }
        footer { margin-top: 6mm; font-size: 8pt; color: #777; }

        """
}
