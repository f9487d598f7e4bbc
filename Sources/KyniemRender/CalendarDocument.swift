import KyniemCore

/// The formats `kyniem calendar --format` writes.
public enum CalendarFormat: String, CaseIterable, Sendable {
    case ics, html, md, csv, json

    /// The usual file name extension, for `--output` defaults.
    public var fileExtension: String { rawValue }

    /// The media type a web server or mail client should announce.
    public var mediaType: String {
        switch self {
        case .ics: "text/calendar; charset=utf-8"
        case .html: "text/html; charset=utf-8"
        case .md: "text/markdown; charset=utf-8"
        case .csv: "text/csv; charset=utf-8; header=present"
        case .json: "application/json"
        }
    }
}

/// One occurrence with what the year's calendar shows about it.
public struct CalendarEntry: Sendable {
    public let occurrence: Occurrence
    /// Reminder lead times for its tier, longest first, e.g. `[90, 30, 7, 0]`: one VALARM each.
    public let leadDays: [Int]
    /// Its checklist with due dates already moved to working days.
    public let tasks: [ScheduledTask]

    public init(occurrence: Occurrence, leadDays: [Int], tasks: [ScheduledTask]) {
        self.occurrence = occurrence
        self.leadDays = leadDays
        self.tasks = tasks
    }

    /// Entries for `occurrences` with the configured reminders and checklists; the order is kept.
    public static func entries(
        for occurrences: [Occurrence], reminders: Reminders, checklists: Checklists, workdays: WorkingCalendar
    ) -> [CalendarEntry] {
        occurrences.map { occurrence in
            CalendarEntry(
                occurrence: occurrence,
                leadDays: reminders.leadDays(for: occurrence.tier),
                tasks: checklists.schedule(occurrence, workdays: workdays))
        }
    }
}

/// Everything a renderer needs: it reads no clock, no file and no configuration.
public struct CalendarDocument: Sendable {
    /// First and last day covered; for `calendar --year Y`, Y-01-01 ... Y-12-31.
    public let from: LocalDate
    public let through: LocalDate
    /// Set for a whole-year calendar.
    public let year: Int?
    public let language: Language
    /// The calendar's name: ICS X-WR-CALNAME, the HTML title and heading, the Markdown heading.
    public let name: String
    /// Sorted by date, then event id (SPEC.md), whatever order they were given in.
    public let entries: [CalendarEntry]
    /// UTC timestamp in RFC 5545 form, `20261122T083000Z`, supplied by the caller (ICS DTSTAMP).
    public let generatedAt: String
    /// The home weekend, shaded in the HTML month grids.
    public let weekend: Set<Weekday>

    public init(
        from: LocalDate, through: LocalDate, year: Int? = nil, language: Language, name: String,
        entries: [CalendarEntry], generatedAt: String, weekend: Set<Weekday> = [.saturday, .sunday]
    ) {
        self.from = from
        self.through = through
        self.year = year
        self.language = language
        self.name = name
        self.entries = entries.sorted { Occurrence.chronological($0.occurrence, $1.occurrence) }
        self.generatedAt = generatedAt
        self.weekend = weekend
    }

    /// A whole year's calendar, 1 January to 31 December.
    public init(
        year: Int, language: Language, name: String? = nil, entries: [CalendarEntry], generatedAt: String,
        weekend: Set<Weekday> = [.saturday, .sunday]
    ) {
        self.init(
            from: LocalDate(year, 1, 1), through: LocalDate(year, 12, 31), year: year, language: language,
            name: name ?? CalendarDocument.defaultName(year: year, language: language),
            entries: entries, generatedAt: generatedAt, weekend: weekend)
    }

    /// vi "Lịch đối ngoại năm 2027", en "External affairs calendar 2027".
    public static func defaultName(year: Int, language: Language) -> String {
        switch language {
        case .vi: "Lịch đối ngoại năm \(year)"
        case .en: "External affairs calendar \(year)"
        }
    }
}

/// Turns a calendar document into text. Pure: equal documents give byte-equal output.
public enum CalendarRenderer {
    /// The formats `write` streams: one entry after another, nothing held but the current one.
    /// HTML and Markdown lay out month grids and tables from the whole year, so they are rendered whole.
    public static func streams(_ format: CalendarFormat) -> Bool {
        format == .ics || format == .csv || format == .json
    }

    /// `document`'s calendar with `entries` (sorted by date, then event id, as SPEC.md orders
    /// them; `document.entries` is not read) written to `out` an entry at a time, byte for byte
    /// what `render` gives for a document holding those entries. For a format that does not
    /// stream (`streams`), the entries are collected and rendered whole.
    public static func write(
        _ document: CalendarDocument, entries: some Sequence<CalendarEntry>, as format: CalendarFormat,
        to out: inout OutputBuffer
    ) {
        switch format {
        case .ics:
            var ics = ContentLines(output: out)
            out = OutputBuffer()
            ICSRenderer.write(document, entries: entries, to: &ics)
            out = ics.output
        case .csv: CSVRenderer.write(document, entries: entries, to: &out)
        case .json: OccurrenceJSON.write(document, entries: entries, to: &out)
        case .html, .md:
            let whole = CalendarDocument(
                from: document.from, through: document.through, year: document.year, language: document.language,
                name: document.name, entries: Array(entries), generatedAt: document.generatedAt, weekend: document.weekend)
            out.write(render(whole, as: format))
        }
    }

    public static func render(_ document: CalendarDocument, as format: CalendarFormat) -> String {
        switch format {
        case .ics: ICSRenderer.render(document)
        case .html: HTMLRenderer.render(document)
        case .md: MarkdownRenderer.render(document)
        case .csv: CSVRenderer.render(document)
        case .json: OccurrenceJSON.render(document)
        }
    }
}
