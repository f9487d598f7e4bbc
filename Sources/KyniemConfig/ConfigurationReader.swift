import Foundation
import KyniemCore
import KyniemYAML

/// One pass over the configuration and every calendar it names. Each value is decoded
/// where it stands; a problem is recorded with its mark and decoding goes on, so
/// `kyniem check` reports every problem at once (STYLE.md, habit 6).
final class ConfigurationReader {
    let environment: [String: String]
    let bundled: [(path: String, text: String)]
    private(set) var problems: [ConfigurationProblem] = []
    /// Every text parsed so far, with its name, in reading order (`Configuration.sourceDigest`);
    /// a compiled bundled file adds its text's fingerprint (`readBundledCalendarFile`): both
    /// through `addToDigest`.
    private(set) var digest = Fingerprint()
    /// `ConfigurationLoader.decodesEventsFromStream`.
    var decodesEventsFromStream = true
    /// `ConfigurationLoader.digestsSources`: off, `digest` stays empty and `sourceDigest` too.
    var digestsSources = true

    init(environment: [String: String], bundled: [(path: String, text: String)]) {
        self.environment = environment
        self.bundled = bundled
    }

    static let topLevelKeys = [
        "home", "calendars", "plugins", "state", "catch_up", "run_timeout", "milestones", "reminders", "checklists",
        "working_days", "notifiers", "events", "countries", "publish",
    ]
    static let calendarKeys = ["countries", "events", "checklists", "working_days"]
    static let eventKeys = [
        "id", "kind", "country", "title", "date", "since", "since_source", "lunar", "rule", "once", "calendar", "day_off", "note",
        "from",
        "source",
    ]
    static let recurrenceKeys = ["date", "lunar", "rule", "once", "calendar"]
    static let languageKeys = Language.allCases.map(\.rawValue)

    // MARK: Recording problems

    func record(_ error: YAMLError) {
        problems.append(ConfigurationProblem(error.mark, error.message))
    }

    func record(unlocated message: String) {
        problems.append(ConfigurationProblem(nil, message))
    }

    func record(at mark: Mark, _ message: String) {
        problems.append(ConfigurationProblem(mark, message))
    }

    func record(_ node: YAMLNode, _ message: String) {
        problems.append(ConfigurationProblem(node.mark, message))
    }

    /// Problems found by another reader (the events decoded while a file was parsed), kept in their order.
    func adopt(_ others: [ConfigurationProblem]) {
        problems += others
    }

    func attempt<T>(_ body: () throws(YAMLError) -> T) -> T? {
        do {
            return try body()
        } catch {
            record(error)
            return nil
        }
    }

    func mapping(_ node: YAMLNode, allowed: [String]) -> YAMLMapping? {
        guard let map = attempt({ () throws(YAMLError) in try node.mapping() }) else { return nil }
        for problem in map.unknownKeys(allowed: allowed) { record(problem) }
        return map
    }

    func sequence(_ node: YAMLNode) -> [YAMLNode]? {
        attempt { () throws(YAMLError) in try node.sequence() }
    }

    func string(_ node: YAMLNode) -> String? {
        attempt { () throws(YAMLError) in try node.string() }
    }

    func int(_ node: YAMLNode) -> Int? {
        attempt { () throws(YAMLError) in try node.int() }
    }

    func bool(_ node: YAMLNode) -> Bool? {
        attempt { () throws(YAMLError) in try node.bool() }
    }

    /// A list of values, also accepting a single value where a list is expected (`tiers: major`).
    func list(_ node: YAMLNode) -> [YAMLNode] {
        if case .sequence(let items) = node.value { return items }
        return [node]
    }

    /// Parses a configuration or calendar file. The items of its root `events:` list are
    /// decoded as the parser hands them over (`readEvent`) and dropped, so that a list of
    /// 100,000 events is never held as a YAML tree: the tree keeps an empty list in its place,
    /// and `events` receives what was decoded, with its problems held back until
    /// `readCalendarContent` takes them, in the order the files are read as before.
    func parse(text: String, displayName: String, events: inout StreamedEvents) -> YAMLNode? {
        addToDigest(displayName, text)
        let eventReader = ConfigurationReader(environment: environment, bundled: bundled)
        var entries: [EventEntry] = []
        entries.reserveCapacity(Self.entryCapacity(forText: text))
        var decodedFromStream = 0
        // A sound entry of the usual shape is decoded from libyaml's events; any other becomes a
        // node and takes `readEvent`, which reports its problems.
        let fast: ((String, StreamedItem) -> Bool)? = decodesEventsFromStream ? { _, item in
            guard let entry = eventReader.fastEvent(item) else { return false }
            entries.append(entry)
            decodedFromStream += 1
            return true
        } : nil
        do {
            // Duplicate keys are found while the tree is built, not in a second pass.
            let document = try YAMLParser.parseDocument(text, file: displayName, streaming: ["events"], fast: fast) { _, item in
                if let entry = eventReader.readEvent(item) { entries.append(entry) }
            }
            for problem in document.duplicateKeyErrors { record(problem) }
            events = StreamedEvents(entries: entries, problems: eventReader.problems, decodedFromStream: decodedFromStream)
            return document.root
        } catch {
            // A file that is not YAML reports that alone, as when it was parsed whole first.
            record(error)
            events = StreamedEvents()
            return nil
        }
    }

    /// Takes a file into `digest` (when `digestsSources`): its name, then `content` (its text,
    /// or a compiled bundled file's fingerprint of it), each ended by a zero byte.
    func addToDigest(_ displayName: String, _ content: String) {
        guard digestsSources else { return }
        digest.add(displayName.utf8)
        digest.add(CollectionOfOne(0))
        digest.add(content.utf8)
        digest.add(CollectionOfOne(0))
    }

    /// Room for the entries of a text's `events:` list, so that the array is not grown by
    /// copying into one new buffer after another: at 100,000 entries those copies first-touched
    /// 2.6 MB besides the 5.2 MB kept. An entry takes a line at least in the usual styles (and
    /// 48 bytes at least as generated lists write them); pages reserved beyond what is filled
    /// are never touched. A longer list than guessed grows as before.
    static func entryCapacity(forText text: String) -> Int {
        var text = text
        // memchr from line to line: a loop over every byte was 36M instructions for 8 MB.
        let lines = text.withUTF8 { bytes in
            guard var at = bytes.baseAddress else { return 0 }
            let end = at + bytes.count
            var count = 0
            while at < end, let found = memchr(at, Int32(UInt8(ascii: "\n")), end - at) {
                count += 1
                at = UnsafePointer(found.assumingMemoryBound(to: UInt8.self)) + 1
            }
            return count
        }
        return Swift.min(lines + 1, text.utf8.count / 48)
    }

    // MARK: The configuration file

    func read(text: consuming String, displayName: String, baseDirectory: String?, path: String?) -> Configuration? {
        var events = StreamedEvents()
        let root = parse(text: text, displayName: displayName, events: &events)
        // The tree and the events hold their own strings: the text (83 bytes an event for a
        // long list) is let go before the calendars are read.
        text = ""
        let map: YAMLMapping
        if let root {
            guard let decoded = mapping(root, allowed: Self.topLevelKeys) else { return nil }
            map = decoded
        } else {
            map = YAMLMapping(entries: [], mark: Mark(file: displayName, line: 1, column: 1))
        }
        let base = baseDirectory ?? FileManager.default.currentDirectoryPath

        let home = map.optional("home").flatMap(readHome) ?? .vietnam
        let milestones = map.optional("milestones").flatMap(readMilestones) ?? .standard
        let tiers = milestones.tiers

        var sources = CalendarSources()
        if let node = map.optional("calendars") {
            for item in list(node) {
                guard let entry = string(item) else { continue }
                readCalendarEntry(entry, at: item, base: base, into: &sources)
            }
        } else {
            readCalendarEntry("bundled:vietnam", at: nil, base: base, into: &sources)
        }
        // Events, countries and checklists may also stand in the configuration file itself.
        readCalendarContent(map, events: &events, into: &sources)
        // Every event is read: duplicates can no longer arise (3.8 MB at 100,000 ids).
        sources.eventIndex = EventIdIndex()
        supplyBundledCountries(&sources)
        validateCountries(sources)

        let reminders = map.optional("reminders").flatMap { readReminders($0, tiers: tiers) } ?? .standard
        for (template, node) in sources.checklistNodes {
            validateTiers(template.tiers, at: node, known: tiers)
        }
        // The calendars' decreed schedules, each year replaced whole by the configuration's own.
        var schedules = sources.workingDays
        for (year, days) in map.optional("working_days").flatMap(readWorkingDays) ?? [:] { schedules[year] = days }
        var workingDays = WorkingDayAdjustments()
        for days in schedules.values {
            workingDays.off.formUnion(days.off)
            workingDays.on.formUnion(days.on)
        }
        let notifiers = map.optional("notifiers").map { readNotifiers($0, home: home, tiers: tiers) }
            ?? [defaultConsoleNotifier(home: home, file: displayName)]
        let catchUp = map.optional("catch_up").flatMap {
            duration($0, signed: false, in: Limits.catchUpDays, what: "a catch-up window")
        } ?? 7
        let runTimeout = map.optional("run_timeout").flatMap(runTimeoutSeconds)
        let state = map.optional("state").flatMap { readState($0, base: base) } ?? defaultStatePath()
        let plugins = map.optional("plugins").map { node in
            list(node).compactMap(string).map { Paths.absolute($0, relativeTo: base, environment: environment) }
        } ?? []

        // The events alone go on; the list with their country marks is let go before the catalog
        // builds its own tables.
        let catalogEvents = sources.events.map(\.event)
        sources.events = []
        let catalog = Catalog(events: catalogEvents, countries: sources.countries, milestones: milestones)
        var configuration = Configuration(
            home: home, catalog: catalog, reminders: reminders,
            checklists: Checklists(templates: sources.checklistNodes.map(\.template)),
            workingDays: workingDays, notifiers: notifiers, statePath: state, catchUpDays: catchUp,
            pluginDirectories: plugins, sourcePath: path)
        if let runTimeout { configuration.runTimeoutSeconds = runTimeout }
        configuration.publishBaseURL = map.optional("publish").flatMap(readPublishBaseURL)
        if digestsSources { configuration.sourceDigest = digest.hex }
        return configuration
    }

    /// `state:` a file path (SQLite), or a PostgreSQL URL kept as written once it parses (SPEC.md,
    /// "Shared state"): one with a password, or a parameter libpq would read differently, is refused here.
    func readState(_ node: YAMLNode, base: String) -> String? {
        guard let text = string(node) else { return nil }
        guard PostgresURL.isURL(text) else { return Paths.absolute(text, relativeTo: base, environment: environment) }
        switch PostgresURL.parse(text) {
        case .success: return text
        case .failure(let error):
            record(node, "state: \(error.message)")
            return nil
        }
    }

    /// `run_timeout: 15m` — seconds (`s`), minutes (`m`) or hours (`h`), within
    /// `Configuration.runTimeoutRange`.
    func runTimeoutSeconds(_ node: YAMLNode) -> Int? {
        guard let text = string(node) else { return nil }
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600]
        let range = Configuration.runTimeoutRange
        guard let unit = text.last.flatMap({ units[$0] }), let count = Int(text.dropLast()), count >= 0,
            !text.dropLast().contains("+"), count <= range.upperBound
        else {
            record(node, "expected a duration like 15m, 900s or 1h, found \"\(text)\"")
            return nil
        }
        let seconds = count * unit
        guard range.contains(seconds) else {
            record(node, "expected a run bound from 10s to 24h, found \(text)")
            return nil
        }
        return seconds
    }

    /// `publish: {base_url: https://lich.example.gov.vn/kyniem}`: where the site `kyniem publish`
    /// writes is served, for the subscription links. Kept without a trailing slash.
    func readPublishBaseURL(_ node: YAMLNode) -> String? {
        guard let map = mapping(node, allowed: ["base_url"]), let item = map.optional("base_url"),
            let text = string(item)
        else { return nil }
        guard let url = PublishURL.normalized(text) else {
            record(item, "expected an http:// or https:// URL without spaces, like https://lich.example.gov.vn/kyniem, found \"\(text)\"")
            return nil
        }
        return url
    }

    func defaultStatePath() -> String {
        if let state = environment["XDG_STATE_HOME"], !state.isEmpty {
            return Paths.join(state, "kyniem/ledger.sqlite")
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return Paths.join(home, ".local/state/kyniem/ledger.sqlite")
    }

    func defaultConsoleNotifier(home: Home, file: String) -> NotifierSpec {
        NotifierSpec(
            id: "console", type: "console", language: home.language, filter: DeliveryFilter(), environment: [],
            location: SourceLocation(file: file, line: 1, column: 1))
    }

    // MARK: home

    func readHome(_ node: YAMLNode) -> Home? {
        guard let map = mapping(node, allowed: ["country", "timezone", "language", "weekend"]) else { return nil }
        var home = Home.vietnam
        if let node = map.optional("country"), let code = countryCode(node) { home.country = code }
        if let node = map.optional("timezone"), let zone = string(node) {
            if !Self.isTimeZone(zone) {
                record(node, "unknown time zone \"\(zone)\"; expected an IANA name like Asia/Ho_Chi_Minh")
            } else {
                home.timeZone = zone
            }
        }
        if let node = map.optional("language"), let language = language(node) { home.language = language }
        if let node = map.optional("weekend") {
            let weekend = Set(list(node).compactMap(weekday))
            if weekend.count == Weekday.allCases.count {
                // Every task's due date would look for a working day a year long, and find none.
                record(node, "a weekend of all seven days leaves no working day for checklist tasks")
            } else {
                home.weekend = weekend
            }
        }
        return home
    }

    /// Whether `TimeZone(identifier:)` accepts `zone`, answered without it for the zones a
    /// Vietnamese office writes (Asia/Ho_Chi_Minh is the default configuration's): asking
    /// Foundation costs 0.19 M instructions, 1.3% of a daily `upcoming`, for its zone cache and
    /// ICU. Any other name is still asked, so the answers are the same; TimeZoneCheckTests
    /// proves each name of `timeZonesKnownValid` is one Foundation accepts.
    static func isTimeZone(_ zone: String) -> Bool {
        timeZonesKnownValid.contains(zone) || TimeZone(identifier: zone) != nil
    }

    /// Compared in turn (four `==`), not hashed.
    static let timeZonesKnownValid = ["Asia/Ho_Chi_Minh", "Asia/Saigon", "Asia/Bangkok", "UTC"]

    func language(_ node: YAMLNode) -> Language? {
        guard let text = string(node) else { return nil }
        guard let language = Language(rawValue: text) else {
            record(node, "unknown language \"\(text)\"; expected vi or en")
            return nil
        }
        return language
    }

    func weekday(_ node: YAMLNode) -> Weekday? {
        guard let text = string(node) else { return nil }
        guard let day = Weekday(name: text) else {
            let names = Weekday.allCases.map(\.name)
            record(node, "unknown weekday \"\(text)\"" + suggestion(text, names, fallback: "monday … sunday"))
            return nil
        }
        return day
    }

    func countryCode(_ node: YAMLNode) -> String? {
        guard let text = string(node) else { return nil }
        let isCode = text.utf8.count == 2 && text.utf8.allSatisfy { $0 >= 65 && $0 <= 90 }
        guard isCode else {
            record(node, "expected a two-letter ISO country code like JP, found \"\(text)\"")
            return nil
        }
        return text
    }

    func suggestion(_ text: String, _ candidates: [String], fallback: String) -> String {
        if let close = closestKey(to: text, among: candidates) { return "; did you mean \"\(close)\"?" }
        return "; expected " + fallback
    }

    // MARK: Values

    /// `YYYY-MM-DD`, a day that exists.
    func date(_ node: YAMLNode) -> LocalDate? {
        guard let text = string(node) else { return nil }
        if let date = LocalDate(iso: text) {
            guard Limits.years.contains(date.year) else {
                record(node, "expected a date in the years \(Limits.years.lowerBound) to \(Limits.years.upperBound), found \(text)")
                return nil
            }
            return date
        }
        let parts = text.split(separator: "-")
        if parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), Int(parts[2]) != nil, text.count == 10 {
            if (1...12).contains(m) {
                record(node, "\(text) is not a day on the calendar: \(monthName(m)) \(y) has \(LocalDate.daysIn(month: m, year: y)) days")
            } else {
                record(node, "\(text) is not a day on the calendar: there is no month \(m)")
            }
        } else {
            record(node, "expected a date like 1973-09-21, found \"\(text)\"")
        }
        return nil
    }

    func monthName(_ month: Int) -> String { Vocabulary.englishMonths[month - 1] }

    /// `7d`; with `signed`, also `-120d` and `+7d`. Returns days, within `range`: a number of
    /// days outside it (`99999999d`) is reported as such, naming `what` the value is.
    func duration(_ node: YAMLNode, signed: Bool, in range: ClosedRange<Int>, what: String) -> Int? {
        guard let text = string(node) else { return nil }
        var body = Substring(text)
        var sign = 1
        if signed, let first = body.first, first == "-" || first == "+" {
            sign = first == "-" ? -1 : 1
            body = body.dropFirst()
        }
        let digits = body.dropLast()
        guard body.hasSuffix("d"), !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
            record(node, signed
                ? "expected a day offset like -120d, 0d or +7d, found \"\(text)\""
                : "expected a number of days like 7d, found \"\(text)\"")
            return nil
        }
        // Digits only, so `Int` fails only on a number too large for it: out of range as well.
        guard let days = Int(digits), range.contains(sign * days) else {
            record(node, "expected \(what) from \(Self.days(range.lowerBound, signed: signed)) to "
                + "\(Self.days(range.upperBound, signed: signed)), found \(text)")
            return nil
        }
        return sign * days
    }

    /// `7d`, or `+7d` / `-7d` / `0d` where a sign is allowed.
    static func days(_ value: Int, signed: Bool) -> String {
        signed && value > 0 ? "+\(value)d" : "\(value)d"
    }

    func int(_ node: YAMLNode, in range: ClosedRange<Int>, what: String) -> Int? {
        guard let value = int(node) else { return nil }
        guard range.contains(value) else {
            record(node, "expected \(what) from \(range.lowerBound) to \(range.upperBound), found \(value)")
            return nil
        }
        return value
    }

    func text(_ node: YAMLNode) -> LocalizedText? {
        if case .mapping = node.value {
            guard let map = mapping(node, allowed: Self.languageKeys) else { return nil }
            var values: [String: String] = [:]
            values.reserveCapacity(map.count)
            var primary: String?
            for index in map.entries.indices {
                let entry = map.entries[index]
                guard let language = entry.key.scalar?.text, let text = string(entry.value) else { continue }
                values[language] = text
                if primary == nil { primary = text }
            }
            guard let primary else {
                record(node, "expected a text, or a text per language like {vi: \"…\", en: \"…\"}")
                return nil
            }
            return LocalizedText(byLanguage: values, primary: primary)
        }
        return string(node).map(LocalizedText.init)
    }

    func identifier(_ node: YAMLNode, what: String) -> String? {
        guard let text = string(node) else { return nil }
        let valid = !text.isEmpty && text.utf8.allSatisfy {
            ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45
        }
        guard valid else {
            record(node, "expected \(what) of lower-case letters, digits and hyphens like jp-relations, found \"\(text)\"")
            return nil
        }
        return text
    }

    func kind(_ node: YAMLNode) -> EventKind? {
        guard let text = string(node) else { return nil }
        guard let kind = EventKind(rawValue: text) else {
            let names = EventKind.allCases.map(\.rawValue)
            record(node, "unknown kind \"\(text)\"" + suggestion(text, names, fallback: names.joined(separator: ", ")))
            return nil
        }
        return kind
    }

    func kinds(_ map: YAMLMapping) -> Set<EventKind>? {
        let nodes = [map.optional("kind"), map.optional("kinds")].compactMap { $0 }
        guard !nodes.isEmpty else { return nil }
        return Set(nodes.flatMap(list).compactMap(kind))
    }

    func tierSet(_ node: YAMLNode?) -> (Set<Tier>, YAMLNode)? {
        guard let node else { return nil }
        return (Set(list(node).compactMap(string).map { Tier($0) }), node)
    }

    func validateTiers(_ tiers: Set<Tier>?, at node: YAMLNode, known: [Tier]) {
        for tier in (tiers ?? []).sorted() where !known.contains(tier) {
            let names = known.map(\.rawValue)
            record(node, "tier \"\(tier)\" is never given by milestones"
                + suggestion(tier.rawValue, names, fallback: names.joined(separator: ", ")))
        }
    }
}
