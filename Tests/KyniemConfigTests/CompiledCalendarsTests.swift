import Foundation
import Testing
import KyniemCore
import KyniemYAML

@testable import KyniemConfig

/// The bundled calendars are compiled into Swift values (`CompiledCalendars+Generated.swift`) so
/// that no command parses their 190 KB of YAML on start; calendars/ stays the source of truth.
/// After editing calendars/, `scripts/embed-calendars.py` embeds the texts and then runs
/// `RECORD_COMPILED_CALENDARS=1 swift test --filter CompiledCalendarsTests`, which rewrites the
/// generated file from the reader's own decoding of each text; read the diff before committing.
@Suite("Compiled bundled calendars")
struct CompiledCalendarsTests {
    static let generated = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Sources/KyniemConfig/CompiledCalendars+Generated.swift").standardized

    @Test("The generated file is what the reader decodes from calendars/")
    func generatedFileIsTheYAML() throws {
        let source = try CompiledCalendarsSource.render()
        if ProcessInfo.processInfo.environment["RECORD_COMPILED_CALENDARS"] != nil {
            try source.write(to: Self.generated, atomically: true, encoding: .utf8)
        }
        let onDisk = try String(contentsOf: Self.generated, encoding: .utf8)
        #expect(onDisk == source, "calendars/ changed: run scripts/embed-calendars.py")
    }

    @Test("Every bundled file has a compiled form, used for its own text only")
    func compiledFormIsUsedForItsTextOnly() {
        for file in BundledCalendars.files {
            #expect(CompiledCalendars.calendar(path: file.path, text: file.text) != nil, "\(file.path)")
            #expect(CompiledCalendars.calendar(path: file.path, text: file.text + "# changed\n") == nil)
            #expect(CompiledCalendars.calendar(path: "elsewhere/" + file.path, text: file.text) == nil)
        }
    }

    /// The embedded texts with a comment added: equal in meaning, but not the compiled text, so
    /// the reader parses them as YAML.
    static let asYAML = BundledCalendars.files.map { (path: $0.path, text: $0.text + "# read as YAML\n") }

    @Test("A configuration reads the same from the compiled calendars as from their YAML")
    func sameConfiguration() throws {
        let environment = ["HOME": "/home/office"]
        let compiled = try ConfigurationLoader(environment: environment).load(.embedded)
        let parsed = try ConfigurationLoader(environment: environment, bundled: Self.asYAML).load(.embedded)
        #expect(compiled.catalog.events.count > 300)
        #expect(compiled.catalog.events == parsed.catalog.events)
        #expect(compiled.catalog.countries == parsed.catalog.countries)
        #expect(compiled.checklists == parsed.checklists)
        #expect(compiled.workingDays == parsed.workingDays)
        #expect(!compiled.sourceDigest.isEmpty && compiled.sourceDigest != parsed.sourceDigest)
        // The digest still follows the texts: another text, another digest.
        let other = try ConfigurationLoader(environment: environment).load(.embedded)
        #expect(other.sourceDigest == compiled.sourceDigest)
    }

    @Test("Problems that point into a bundled file point at the same place from the compiled form")
    func sameProblems() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kyniem-compiled-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // An own calendar read first takes an id the bundled data defines again; milestones
        // that never give the tiers the bundled checklists name; a country no calendar defines.
        let own = folder.appendingPathComponent("own.yaml")
        try """
            events:
              - {id: jp-relations, title: Mine, date: {month: 1, day: 2}, country: JP}
              - {id: zz-day, title: Nowhere, date: {month: 1, day: 3}, country: ZZ}
            """.write(to: own, atomically: true, encoding: .utf8)
        let config = folder.appendingPathComponent("kyniem.yaml")
        try """
            calendars: [own.yaml, bundled:vietnam]
            milestones:
              - {every: 10, tier: big}
              - {tier: small}
            notifiers: [{id: console, type: console}]
            """.write(to: config, atomically: true, encoding: .utf8)
        let compiled = ConfigurationLoader(environment: [:]).read(.file(config.path)).problems.map(\.description)
        let parsed = ConfigurationLoader(environment: [:], bundled: Self.asYAML).read(.file(config.path)).problems
            .map(\.description)
        #expect(compiled == parsed)
        #expect(compiled.contains { $0.hasPrefix("bundled:vietnam/relations.yaml:") && $0.contains("duplicate event id \"jp-relations\"") })
        #expect(compiled.contains { $0.hasPrefix("bundled:vietnam/checklists.yaml:") && $0.contains("tier \"major\" is never given") })
        #expect(compiled.contains { $0.contains("unknown country code ZZ") })
    }
}

/// Writes `CompiledCalendars+Generated.swift`: each bundled file as the reader decodes it, in
/// Swift built through public initializers only, so that a change of `Event`'s stored layout
/// needs no change here.
enum CompiledCalendarsSource {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func render() throws -> String {
        var out = """
            // Generated by `RECORD_COMPILED_CALENDARS=1 swift test --filter CompiledCalendarsTests`
            // (scripts/embed-calendars.py runs it) from the reader's decoding of calendars/.
            // Do not edit by hand: CompiledCalendarsTests fails when this and calendars/ differ.
            import KyniemCore

            extension CompiledCalendars {
                static func build(_ path: String) -> CompiledCalendar? {
                    switch path {

            """
        let names = BundledCalendars.files.indices.map { "file\($0)" }
        for (file, name) in zip(BundledCalendars.files, names) {
            out += "        case \(literal(file.path)): \(name)()\n"
        }
        out += "        default: nil\n        }\n    }\n"
        for (file, name) in zip(BundledCalendars.files, names) {
            out += try function(name, file)
        }
        out += "}\n"
        return out
    }

    static func function(_ name: String, _ file: (path: String, text: String)) throws -> String {
        let displayName = "bundled:\(file.path)"
        let reader = ConfigurationReader(environment: [:], bundled: BundledCalendars.files)
        var sources = CalendarSources()
        reader.readCalendarFile(text: file.text, displayName: displayName, into: &sources)
        guard reader.problems.isEmpty else {
            throw Failure(description: "\(file.path): \(reader.problems.map(\.description))")
        }
        // Statements of the file, each adding one value to `c`, cut into functions of `chunk`
        // statements: the optimiser takes minutes over one function of hundreds of initializers.
        var statements: [String] = []
        for country in sources.countries.values.sorted(by: { $0.code < $1.code }) {
            statements.append("c.countries.append(Country(code: \(literal(country.code)), name: \(text(country.name))))")
        }
        // The bundled files are sound: every country use belongs to a sound event.
        guard sources.countryUses.isEmpty else {
            throw Failure(description: "\(file.path): a country use without its sound event")
        }
        for (event, countryMark) in sources.events {
            guard let mark = sources.eventIndex[event.id] else {
                throw Failure(description: "\(file.path): no mark for \(event.id)")
            }
            var arguments = "id: \(literal(event.id)), kind: \(enumCase(event.kind))"
            if let country = event.country { arguments += ", country: \(literal(country))" }
            arguments += ", title: \(text(event.title)), recurrence: \(recurrence(event.recurrence))"
            if event.dayOff { arguments += ", dayOff: true" }
            if let note = event.note { arguments += ", note: \(literal(note))" }
            if let source = event.source { arguments += ", source: \(literal(source))" }
            if let first = event.firstYear { arguments += ", firstYear: \(first)" }
            var line = "c.add(Event(\(arguments)), \(mark.line), \(mark.column)"
            if event.country != nil {
                guard let countryMark else { throw Failure(description: "\(file.path): no country mark at \(event.id)") }
                line += ", country: (\(countryMark.line), \(countryMark.column))"
            }
            statements.append(line + ")")
        }
        for (template, node) in sources.checklistNodes {
            let events = template.events.map { "Set(\(array($0.sorted().map(literal))))" } ?? "nil"
            let kinds = template.kinds.map { "Set(\(array($0.map(enumCase).sorted())))" } ?? "nil"
            let tiers = template.tiers.map { "Set(\(array($0.sorted().map { "Tier(\(literal($0.rawValue)))" })))" } ?? "nil"
            let tasks = template.tasks.map {
                "ChecklistTask(id: \(literal($0.id)), offsetDays: \($0.offsetDays), title: \(text($0.title)))"
            }
            statements.append(
                "c.checklists.append((ChecklistTemplate(events: \(events), kinds: \(kinds), tiers: \(tiers), tasks: [\n"
                    + tasks.map { "            \($0),\n" }.joined()
                    + "        ]), \(node.mark.line), \(node.mark.column)))")
        }
        for year in sources.workingDays.keys.sorted() {
            let days = sources.workingDays[year]!
            statements.append("c.workingDays[\(year)] = WorkingDayAdjustments(off: \(dates(days.off)), on: \(dates(days.on)))")
        }
        let chunk = 25
        let parts = stride(from: 0, to: statements.count, by: chunk).map { statements[$0..<min($0 + chunk, statements.count)] }
        var out = "\n    /// calendars/\(file.path)\n"
        out += "    private static func \(name)() -> CompiledCalendar {\n"
        out += "        var c = CompiledCalendar(file: \(literal(displayName)), textFingerprint: "
            + "\(literal(Fingerprint.fnv1a(file.text.utf8))))\n"
        out += parts.indices.map { "        \(name)_\($0)(&c)\n" }.joined()
        out += "        return c\n    }\n"
        for (index, part) in parts.enumerated() {
            out += "\n    private static func \(name)_\(index)(_ c: inout CompiledCalendar) {\n"
            out += part.map { "        \($0)\n" }.joined()
            out += "    }\n"
        }
        return out
    }

    static func recurrence(_ value: Recurrence) -> String {
        func since(_ year: Int?) -> String { year.map(String.init) ?? "nil" }
        switch value {
        case .origin(let day): return ".origin(\(date(day)))"
        case .once(let day): return ".once(\(date(day)))"
        case .monthDay(let month, let day, let year): return ".monthDay(month: \(month), day: \(day), since: \(since(year)))"
        case .lunar(let month, let day, let leap, let year):
            let lunarDay = switch day {
            case .day(let number): ".day(\(number))"
            case .last: ".last"
            }
            return ".lunar(month: \(month), day: \(lunarDay), leap: \(leap), since: \(since(year)))"
        case .nthWeekday(let month, let weekday, let nth, let year):
            return ".nthWeekday(month: \(month), weekday: .\(weekday.name), nth: \(nth), since: \(since(year)))"
        case .calendar(let rule, let year):
            let observance = rule.observance.map { "\(enumCase($0))" } ?? "nil"
            return ".calendar(CalendarRule(system: \(enumCase(rule.system)), month: \(rule.month), day: \(rule.day), "
                + "observance: \(observance)), since: \(since(year)))"
        }
    }

    /// `.diplomaticRelations`: the case's own name, checked to make the value it was read from.
    static func enumCase<T: RawRepresentable>(_ value: T) -> String where T.RawValue == String {
        ".\(value)"
    }

    static func date(_ date: LocalDate) -> String { "LocalDate(\(date.year), \(date.month), \(date.day))" }

    static func dates(_ days: Set<LocalDate>) -> String { array(days.sorted().map(date)) }

    static func array(_ items: [String]) -> String { "[" + items.joined(separator: ", ") + "]" }

    static func text(_ value: LocalizedText) -> String {
        if value.byLanguage.isEmpty { return "LocalizedText(\(literal(value.primary)))" }
        let entries = value.byLanguage.sorted { $0.key < $1.key }.map { "\(literal($0.key)): \(literal($0.value))" }
        return "LocalizedText(byLanguage: [\(entries.joined(separator: ", "))], primary: \(literal(value.primary)))"
    }

    /// A Swift string literal of `text`.
    static func literal(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
