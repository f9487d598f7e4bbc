import Foundation
import KyniemCore
import KyniemYAML

/// What the calendar files contribute, with where each thing was defined.
/// The entries of a file's `events:` list, decoded while the file was parsed
/// (`ConfigurationReader.parse`), and the problems found in them.
struct StreamedEvents {
    var entries: [ConfigurationReader.EventEntry] = []
    var problems: [ConfigurationProblem] = []
    /// How many of `entries` were decoded straight from libyaml's events (`fastEvent`).
    var decodedFromStream = 0
}

struct CalendarSources {
    /// The sound events, with where their `country:` stands (checked against `countries` once
    /// all calendars are read).
    var events: [(event: Event, countryMark: Mark?)] = []
    /// Every event id read, sound event or not, so a duplicate is reported beside the other
    /// problems of either definition.
    var eventIndex = EventIdIndex()
    /// Every `country:` of an event left out for its problems, checked as those of `events` are.
    var countryUses: [(code: String, mark: Mark)] = []
    var countries: [String: Country] = [:]
    var checklistNodes: [(template: ChecklistTemplate, node: YAMLNode)] = []
    var readFiles: Set<String> = []
    /// The calendar files' `working_days`, by year (files listing the same year add up).
    var workingDays: [Int: WorkingDayAdjustments] = [:]
}

extension ConfigurationReader {
    /// `calendars:` entry: `bundled:vietnam` (built into the binary), or a file or folder
    /// relative to the configuration file. A folder contributes its `.yaml` files in name order.
    func readCalendarEntry(_ entry: String, at node: YAMLNode?, base: String, into sources: inout CalendarSources) {
        if entry == "bundled" || entry.hasPrefix("bundled:") {
            let prefix = entry == "bundled" ? "" : String(entry.dropFirst("bundled:".count))
            let files = bundled.filter {
                prefix.isEmpty || $0.path == prefix || $0.path.hasPrefix(prefix.hasSuffix("/") ? prefix : prefix + "/")
            }
            if files.isEmpty {
                let names = Set(bundled.map { String($0.path.split(separator: "/").first ?? "") }).sorted()
                problem(at: node, "no bundled calendar \"\(prefix)\"; bundled: \(names.map { "bundled:\($0)" }.joined(separator: ", "))")
            }
            for file in files {
                readBundledCalendarFile(file, into: &sources)
            }
            return
        }
        let path = Paths.absolute(entry, relativeTo: base, environment: environment)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            problem(at: node, "calendar \"\(entry)\" not found (looked at \(path))")
            return
        }
        var files = [path]
        if isDirectory.boolValue {
            let enumerator = FileManager.default.enumerator(atPath: path)
            files = (enumerator?.allObjects as? [String] ?? [])
                .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }
                .sorted()
                .map { Paths.join(path, $0) }
        }
        for file in files {
            guard sources.readFiles.insert(file).inserted else { continue }
            let text: String
            switch ConfigurationLoader.readText(atPath: file) {
            case .success(let read): text = read
            case .failure(let failure):
                problem(at: node, "cannot read calendar file \(file): \(failure)")
                continue
            }
            readCalendarFile(text: text, displayName: Paths.display(file), into: &sources)
        }
    }

    func problem(at node: YAMLNode?, _ message: String) {
        if let node { record(node, message) } else { record(unlocated: message) }
    }

    func readCalendarFile(text: String, displayName: String, into sources: inout CalendarSources) {
        var events = StreamedEvents()
        guard let root = parse(text: text, displayName: displayName, events: &events) else { return }
        guard let map = mapping(root, allowed: Self.calendarKeys) else { return }
        readCalendarContent(map, events: &events, into: &sources)
        // A calendar may ship the decreed schedules of the years that have one; the configuration's
        // own `working_days` replaces a year's schedule (see `read`).
        if let node = map.optional("working_days"), let years = readWorkingDays(node) {
            for (year, days) in years {
                sources.workingDays[year, default: WorkingDayAdjustments()].off.formUnion(days.off)
                sources.workingDays[year, default: WorkingDayAdjustments()].on.formUnion(days.on)
            }
        }
    }

    /// `countries`, `events` and `checklists` of a calendar file or of the configuration itself.
    /// `events` are the entries of its `events:` list, decoded while the file was parsed; they are
    /// let go once added (at 100,000 events, 5.2 MB that lived on beside the Events they hold).
    func readCalendarContent(_ map: YAMLMapping, events: inout StreamedEvents, into sources: inout CalendarSources) {
        if let node = map.optional("countries"), let items = sequence(node) {
            for item in items {
                guard let country = readCountry(item) else { continue }
                sources.countries[country.code] = country
            }
        }
        adopt(events.problems)
        sources.events.reserveCapacity(sources.events.count + events.entries.count)
        sources.eventIndex.reserveCapacity(sources.eventIndex.count + events.entries.count)
        for entry in events.entries { add(entry, to: &sources) }
        events = StreamedEvents()
        // A list that was not streamed (an anchored one) stands in the tree: decode it here.
        if let node = map.optional("events"), let items = sequence(node) {
            for item in items {
                if let entry = readEvent(item) { add(entry, to: &sources) }
            }
        }
        if let node = map.optional("checklists"), let items = sequence(node) {
            for item in items {
                if let template = readChecklist(item) { sources.checklistNodes.append((template, item)) }
            }
        }
    }

    /// Adds one entry of an `events:` list, read from YAML or compiled (`readBundledCalendarFile`):
    /// a duplicate id is reported at the later one, which keeps the first definition's mark.
    func add(_ entry: EventEntry, to sources: inout CalendarSources) {
        switch entry {
        case .sound(let event, let idMark, let countryMark):
            if let first = sources.eventIndex.insert(event.id, at: idMark) {
                record(at: idMark, "duplicate event id \"\(event.id)\" (first defined at \(first))")
                if let code = event.country, let countryMark { sources.countryUses.append((code, countryMark)) }
                return
            }
            sources.events.append((event, countryMark))
        case .unsound(let unsound):
            if let country = unsound.country { sources.countryUses.append(country) }
            guard let id = unsound.id else { return }
            if let first = sources.eventIndex.insert(id, at: unsound.idMark) {
                record(at: unsound.idMark, "duplicate event id \"\(id)\" (first defined at \(first))")
            }
        }
    }

    /// Every `country:` of the events read, with where it stands: sound events, then the others.
    func forEachCountryUse(_ sources: CalendarSources, _ body: (_ code: String, _ mark: Mark) -> Void) {
        for (event, mark) in sources.events {
            if let code = event.country, let mark { body(code, mark) }
        }
        for (code, mark) in sources.countryUses { body(code, mark) }
    }

    /// Whether `countries` defines a code, asked once for every event. A code of two capital
    /// letters (every code a `countries:` entry may define) is answered from a table of the 676
    /// such codes, so neither a large calendar (100,000 events, 2 lookups each) nor one naming
    /// many countries (the bundled data: ~190) hashes a String per event; any other text is
    /// looked up in the dictionary, which then cannot hold it.
    struct CountryLookup {
        private let countries: [String: Country]
        private let defined: [Bool]

        init(_ countries: [String: Country]) {
            self.countries = countries
            var defined = [Bool](repeating: false, count: Country.slotCount)
            for code in countries.keys {
                if let slot = Country.slot(ofCode: code) { defined[slot] = true }
            }
            self.defined = defined
        }

        func isKnown(_ code: String) -> Bool {
            if let slot = Country.slot(ofCode: code) { return defined[slot] }
            return countries[code] != nil
        }
    }

    /// Country codes the loaded calendars use but do not define take their names from the bundled
    /// country table, as if its entry were listed: a configuration that loads only a part of the
    /// bundled data (`bundled:vietnam/holidays.yaml`) or its own partners' events still names
    /// Japan and Vietnam. A calendar's own `countries:` entry wins.
    func supplyBundledCountries(_ sources: inout CalendarSources) {
        var missing = Set<String>()
        let lookup = CountryLookup(sources.countries)
        forEachCountryUse(sources) { code, _ in
            if !lookup.isKnown(code) { missing.insert(code) }
        }
        guard !missing.isEmpty else { return }
        var table = CalendarSources()
        for file in bundled where file.path.hasSuffix("/countries.yaml") {
            readBundledCalendarFile(file, into: &table)
        }
        for (code, country) in table.countries where missing.contains(code) {
            sources.countries[code] = country
        }
    }

    /// An event's `country:` that no calendar's `countries:` defines: its name could be shown
    /// nowhere, and `--country` could never select it.
    func validateCountries(_ sources: CalendarSources) {
        let known = sources.countries.keys.sorted()
        let lookup = CountryLookup(sources.countries)
        forEachCountryUse(sources) { code, mark in
            guard !lookup.isKnown(code) else { return }
            var message = "unknown country code \(code): no calendar's countries: defines it"
            let close = Suggestions.countryCodes(near: code, among: known)
            if !close.isEmpty { message += "; did you mean \(Suggestions.alternatives(close))?" }
            record(at: mark, message)
        }
    }

    func readCountry(_ node: YAMLNode) -> Country? {
        guard let map = mapping(node, allowed: ["code", "name"]) else { return nil }
        let code = attempt { () throws(YAMLError) in try map.required("code") }.flatMap(countryCode)
        let name = attempt { () throws(YAMLError) in try map.required("name") }.flatMap(text)
        guard let code, let name else { return nil }
        return Country(code: code, name: name)
    }

    // MARK: Events

    /// What one entry of `events:` gave: its id and country even when the event itself is
    /// unsound, so duplicates and unknown countries are reported beside its other problems.
    /// Marks rather than nodes, and a box for the rare unsound entry: a file's entries are
    /// kept until it is read, 40 bytes each.
    enum EventEntry: Sendable {
        case sound(Event, idMark: Mark, countryMark: Mark?)
        case unsound(Unsound)

        final class Unsound: Sendable {
            let id: String?
            let idMark: Mark
            let country: (code: String, mark: Mark)?

            init(id: String?, idMark: Mark, country: (code: String, mark: Mark)?) {
                self.id = id
                self.idMark = idMark
                self.country = country
            }
        }
    }

    func readEvent(_ node: YAMLNode) -> EventEntry? {
        guard let map = mapping(node, allowed: Self.eventKeys) else { return nil }
        guard let idNode = attempt({ () throws(YAMLError) in try map.required("id") }) else { return nil }
        let before = problems.count
        let id = identifier(idNode, what: "an event id")
        let kind = map.optional("kind").flatMap { self.kind($0) } ?? .custom
        let countryNode = map.optional("country")
        let country = countryNode.flatMap(countryCode)
        let title = eventTitle(map, id: id)
        let dayOff = map.optional("day_off").flatMap(bool) ?? false
        let note = map.optional("note").flatMap(string)
        let source = map.optional("source").flatMap(string)
        let firstYear = map.optional("from").flatMap { int($0, in: 1...9999, what: "the first year the event occurs") }
        // Where the ordinal's origin year (or the decision to have none) comes from: dataset
        // documentation, checked to be text but not used by the engine.
        _ = map.optional("since_source").flatMap(string)
        let recurrence = readRecurrence(map)
        // Any problem above is recorded; the event is left out so later checks see only sound ones.
        guard problems.count == before, let id, let title, let recurrence else {
            return .unsound(EventEntry.Unsound(
                id: id, idMark: idNode.mark, country: country.flatMap { code in countryNode.map { (code, $0.mark) } }))
        }
        let event = Event(
            id: id, kind: kind, country: country, title: title, recurrence: recurrence,
            dayOff: dayOff, note: note, source: source, firstYear: firstYear)
        return .sound(event, idMark: idNode.mark, countryMark: country == nil ? nil : countryNode?.mark)
    }

    /// An event's `title:`, which every event needs: what people read in every message, calendar
    /// and listing. Without a title means no `title:` key, an empty or blank string, or a map
    /// with no language (`{}`); in a map, each language given must have a text that is not
    /// blank (leave a language out to fall back to the other one).
    func eventTitle(_ map: YAMLMapping, id: String?) -> LocalizedText? {
        guard let node = map.optional("title") else {
            // A misspelt key (`titel:`) is already reported with "did you mean title".
            let misspelt = map.entries.contains { entry in
                entry.key.scalar.map { $0.text != "title" && closestKey(to: $0.text, among: ["title"]) != nil } ?? false
            }
            if misspelt { return nil }
            record(YAMLNode(scalar: .init(text: ""), mark: map.mark),
                   "event \(id.map { "\"\($0)\" " } ?? "")has no title; give title: \"…\" or title: {vi: \"…\", en: \"…\"}")
            return nil
        }
        let before = problems.count
        guard let title = text(node), problems.count == before else { return nil }
        if case .mapping(let entries) = node.value {
            for (key, value) in entries where value.scalar.map({ Self.isBlank($0.text) }) == true {
                record(value, "the \(key.scalar?.text ?? "") title is empty; write it, or leave the language out to fall back to the other one")
            }
        } else if Self.isBlank(title.primary) {
            record(node, "the title is empty; an event needs a title people can read")
        }
        return problems.count == before ? title : nil
    }

    static func isBlank(_ text: String) -> Bool {
        // An ASCII byte that is not white space (U+0009...U+000D, U+0020 are the ASCII ones)
        // settles it without a Unicode property lookup, for nearly every title and text.
        for byte in text.utf8 {
            guard byte < 0x80 else { break }
            if byte != 0x20, !(0x09...0x0D).contains(byte) { return false }
        }
        return text.unicodeScalars.allSatisfy { $0.properties.isWhitespace }
    }

    func readRecurrence(_ map: YAMLMapping) -> Recurrence? {
        // The first two day keys given, in the order of `recurrenceKeys`.
        var first: (key: String, node: YAMLNode)?
        var second: (key: String, node: YAMLNode)?
        for key in Self.recurrenceKeys {
            guard let found = map[key] else { continue }
            if first == nil {
                first = (key, found)
            } else {
                second = (key, found)
                break
            }
        }
        guard let (key, node) = first else {
            record(YAMLNode(scalar: .init(text: ""), mark: map.mark),
                   "missing the event's day: give one of date, lunar, rule, once or calendar")
            return nil
        }
        if let second {
            record(second.node, "an event has one day: found both \(key) and \(second.key)")
            return nil
        }
        var since: Int?
        if let sinceNode = map.optional("since") {
            if key == "once" || (key == "date" && !isMapping(node)) {
                record(sinceNode, "since applies to yearly days without a year (date: {month, day}, lunar, rule); "
                    + "a full date already gives the year the anniversary counts from")
                return nil
            }
            guard let year = int(sinceNode, in: Limits.years, what: "a year") else { return nil }
            since = year
        }
        switch key {
        case "once":
            return date(node).map(Recurrence.once)
        case "date":
            if isMapping(node) {
                guard let day = monthDay(node) else { return nil }
                return .monthDay(month: day.month, day: day.day, since: since)
            }
            return date(node).map(Recurrence.origin)
        case "lunar":
            return lunar(node, since: since)
        case "calendar":
            return calendarDay(node, since: since)
        default:
            return rule(node, since: since)
        }
    }

    func isMapping(_ node: YAMLNode) -> Bool {
        if case .mapping = node.value { return true }
        return false
    }

    func monthDay(_ node: YAMLNode) -> (month: Int, day: Int)? {
        guard let map = mapping(node, allowed: ["month", "day"]) else { return nil }
        let monthNode = attempt { () throws(YAMLError) in try map.required("month") }
        let dayNode = attempt { () throws(YAMLError) in try map.required("day") }
        guard let monthNode, let dayNode,
              let month = int(monthNode, in: 1...12, what: "a month"),
              let day = int(dayNode) else { return nil }
        // 29 February is allowed: it falls on 28 February in common years.
        let days = LocalDate.daysIn(month: month, year: 2000)
        guard (1...days).contains(day) else {
            record(dayNode, "\(monthName(month)) has no day \(day); expected a day from 1 to \(days)")
            return nil
        }
        return (month, day)
    }

    func lunar(_ node: YAMLNode, since: Int?) -> Recurrence? {
        guard let map = mapping(node, allowed: ["month", "day", "leap"]) else { return nil }
        let monthNode = attempt { () throws(YAMLError) in try map.required("month") }
        let dayNode = attempt { () throws(YAMLError) in try map.required("day") }
        let leap = map.optional("leap").map(bool) ?? false
        guard let monthNode, let dayNode, let leap,
              let month = int(monthNode, in: 1...12, what: "a lunar month") else { return nil }
        let day: LunarDay
        if dayNode.scalar?.text == "last" {
            day = .last
        } else if let value = int(dayNode) {
            guard (1...30).contains(value) else {
                record(dayNode, "expected a lunar day from 1 to 30 or last, found \(value)")
                return nil
            }
            day = .day(value)
        } else {
            return nil
        }
        return .lunar(month: month, day: day, leap: leap, since: since)
    }

    /// `calendar: {system: hebrew, month: iyar, day: 5, observance: israel-independence-day}` or
    /// `calendar: {system: bikram-sambat, month: asoj, day: 3}` or
    /// `calendar: {system: solar-hijri, month: bahman, day: 22}`.
    func calendarDay(_ node: YAMLNode, since: Int?) -> Recurrence? {
        guard let map = mapping(node, allowed: ["system", "month", "day", "observance"]) else { return nil }
        let systemNode = attempt { () throws(YAMLError) in try map.required("system") }
        let monthNode = attempt { () throws(YAMLError) in try map.required("month") }
        let dayNode = attempt { () throws(YAMLError) in try map.required("day") }
        guard let systemNode, let monthNode, let dayNode, let systemName = string(systemNode) else { return nil }
        guard let system = CalendarRule.System(rawValue: systemName) else {
            record(systemNode, "unknown calendar \"\(systemName)\"; expected "
                + CalendarRule.System.allCases.map(\.rawValue).joined(separator: " or "))
            return nil
        }
        guard let monthName = string(monthNode) else { return nil }
        guard let month = system.monthNames.firstIndex(of: monthName.lowercased()).map({ $0 + 1 }) else {
            record(monthNode, "unknown \(system.rawValue) month \"\(monthName)\"; expected one of "
                + system.monthNames.joined(separator: ", "))
            return nil
        }
        let longest = switch system {
        case .hebrew: [30, 29, 30, 29, 30, 29][month - 1]
        case .bikramSambat: 32
        case .solarHijri: month <= 6 ? 31 : 30
        }
        guard let day = int(dayNode, in: 1...longest, what: "a day of \(monthName)") else { return nil }
        var observance: CalendarRule.Observance?
        if let observanceNode = map.optional("observance") {
            guard let name = string(observanceNode) else { return nil }
            guard let found = CalendarRule.Observance(rawValue: name) else {
                record(observanceNode, "unknown observance \"\(name)\"; expected "
                    + CalendarRule.Observance.allCases.map(\.rawValue).joined(separator: " or "))
                return nil
            }
            guard system == .hebrew else {
                record(observanceNode, "observance \(name) applies to the hebrew calendar")
                return nil
            }
            observance = found
        }
        return .calendar(CalendarRule(system: system, month: month, day: day, observance: observance), since: since)
    }

    func rule(_ node: YAMLNode, since: Int?) -> Recurrence? {
        guard let map = mapping(node, allowed: ["month", "weekday", "nth"]) else { return nil }
        let monthNode = attempt { () throws(YAMLError) in try map.required("month") }
        let weekdayNode = attempt { () throws(YAMLError) in try map.required("weekday") }
        let nthNode = attempt { () throws(YAMLError) in try map.required("nth") }
        guard let monthNode, let weekdayNode, let nthNode else { return nil }
        let month = int(monthNode, in: 1...12, what: "a month")
        let weekday = weekday(weekdayNode)
        var nth = int(nthNode)
        if let value = nth, !(1...5).contains(value), value != -1 {
            record(nthNode, "expected nth from 1 to 5, or -1 for the last, found \(value)")
            nth = nil
        }
        guard let month, let weekday, let nth else { return nil }
        return .nthWeekday(month: month, weekday: weekday, nth: nth, since: since)
    }

    // MARK: Checklists

    func readChecklist(_ node: YAMLNode) -> ChecklistTemplate? {
        guard let map = mapping(node, allowed: ["for", "tasks"]) else { return nil }
        var events: Set<String>?
        var kinds: Set<EventKind>?
        var tiers: Set<Tier>?
        if let forNode = map.optional("for"),
           let scope = mapping(forNode, allowed: ["event", "events", "kind", "kinds", "tier", "tiers"]) {
            let eventNodes = [scope.optional("event"), scope.optional("events")].compactMap { $0 }
            if !eventNodes.isEmpty {
                events = Set(eventNodes.flatMap(list).compactMap { identifier($0, what: "an event id") })
            }
            kinds = self.kinds(scope)
            let tierNodes = [scope.optional("tier"), scope.optional("tiers")].compactMap { $0 }
            if !tierNodes.isEmpty { tiers = Set(tierNodes.flatMap(list).compactMap(string).map { Tier($0) }) }
        }
        guard let tasksNode = attempt({ () throws(YAMLError) in try map.required("tasks") }),
              let items = sequence(tasksNode) else { return nil }
        var tasks: [ChecklistTask] = []
        var seen: [String: Mark] = [:]
        for item in items {
            guard let task = mapping(item, allowed: ["id", "at", "title"]).flatMap(readTask) else { continue }
            if let first = seen[task.0.id] {
                record(task.1, "duplicate task id \"\(task.0.id)\" in this checklist (first at \(first))")
                continue
            }
            seen[task.0.id] = task.1.mark
            tasks.append(task.0)
        }
        return ChecklistTemplate(events: events, kinds: kinds, tiers: tiers, tasks: tasks)
    }

    func readTask(_ map: YAMLMapping) -> (ChecklistTask, YAMLNode)? {
        let idNode = attempt { () throws(YAMLError) in try map.required("id") }
        let atNode = attempt { () throws(YAMLError) in try map.required("at") }
        let titleNode = attempt { () throws(YAMLError) in try map.required("title") }
        guard let idNode, let atNode, let titleNode else { return nil }
        let id = identifier(idNode, what: "a task id")
        let offset = duration(atNode, signed: true, in: Limits.taskOffsetDays, what: "a task offset")
        let title = text(titleNode)
        guard let id, let offset, let title else { return nil }
        return (ChecklistTask(id: id, offsetDays: offset, title: title), idNode)
    }
}
