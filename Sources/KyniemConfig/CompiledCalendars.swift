import KyniemCore
import KyniemYAML

/// A bundled calendar file as the reader decodes it, built from Swift values instead of parsing
/// its YAML on every start: what `readCalendarFile` gives for that text, with the marks its
/// problems would point at. `CompiledCalendars+Generated.swift` holds one per file of
/// `BundledCalendars.files`, generated from the reader's own decoding of calendars/
/// (`RECORD_COMPILED_CALENDARS=1 swift test --filter CompiledCalendarsTests`, which
/// scripts/embed-calendars.py runs); the same test fails when the two differ.
struct CompiledCalendar: Sendable {
    struct Entry: Sendable {
        let event: Event
        let line: Int32
        let column: Int32
        /// Where the event's `country:` value stands, when it has one.
        let countryLine: Int32
        let countryColumn: Int32
    }

    /// `bundled:vietnam/relations.yaml`, as marks and problems name it.
    let file: String
    /// FNV-1a of the text this was generated from: what `Configuration.sourceDigest` takes in
    /// for the file instead of its 80 KB.
    let textFingerprint: String
    var countries: [Country] = []
    var events: [Entry] = []
    var checklists: [(template: ChecklistTemplate, line: Int32, column: Int32)] = []
    var workingDays: [Int: WorkingDayAdjustments] = [:]

    init(file: String, textFingerprint: String) {
        self.file = file
        self.textFingerprint = textFingerprint
    }

    mutating func add(_ event: Event, _ line: Int32, _ column: Int32, country: (Int32, Int32) = (0, 0)) {
        events.append(Entry(event: event, line: line, column: column, countryLine: country.0, countryColumn: country.1))
    }
}

enum CompiledCalendars {
    /// The compiled form of a bundled file, when `text` is the text it was generated from (the
    /// embedded one: the same storage, so the comparison is immediate); nil for anything else,
    /// such as a test's own bundled data, which is then read as YAML.
    static func calendar(path: String, text: String) -> CompiledCalendar? {
        guard let index = BundledCalendars.files.firstIndex(where: { $0.path == path }),
            BundledCalendars.files[index].text == text
        else { return nil }
        return build(path)
    }
}

extension ConfigurationReader {
    /// A bundled file: its compiled form when there is one for this text, else its YAML. Merged
    /// into `sources` as `readCalendarFile` merges what it decodes: the same duplicate-id
    /// problems (`add`), country uses and checklist marks.
    func readBundledCalendarFile(_ file: (path: String, text: String), into sources: inout CalendarSources) {
        let displayName = "bundled:\(file.path)"
        guard let compiled = CompiledCalendars.calendar(path: file.path, text: file.text) else {
            readCalendarFile(text: file.text, displayName: displayName, into: &sources)
            return
        }
        addToDigest(displayName, compiled.textFingerprint)
        // The name is interned once for the file's marks (841 in the bundled data), not once a mark.
        let file = Mark.File(compiled.file)
        func mark(_ line: Int32, _ column: Int32) -> Mark {
            Mark(file: file, line: Int(line), column: Int(column))
        }
        sources.countries.reserveCapacity(sources.countries.count + compiled.countries.count)
        for country in compiled.countries {
            sources.countries[country.code] = country
        }
        sources.events.reserveCapacity(sources.events.count + compiled.events.count)
        sources.eventIndex.reserveCapacity(sources.eventIndex.count + compiled.events.count)
        for entry in compiled.events {
            let event = entry.event
            let countryMark = event.country.map { _ in mark(entry.countryLine, entry.countryColumn) }
            add(.sound(event, idMark: mark(entry.line, entry.column), countryMark: countryMark), to: &sources)
        }
        for checklist in compiled.checklists {
            sources.checklistNodes.append(
                (checklist.template, YAMLNode(scalar: .init(text: ""), mark: mark(checklist.line, checklist.column))))
        }
        for (year, days) in compiled.workingDays {
            sources.workingDays[year, default: WorkingDayAdjustments()].off.formUnion(days.off)
            sources.workingDays[year, default: WorkingDayAdjustments()].on.formUnion(days.on)
        }
    }
}
