import KyniemConfig
import KyniemCore
import KyniemRender

/// What `kyniem publish` is asked for; the clock and the options come from the CLI.
public struct PublishOptions: Sendable {
    /// One feed set and one page folder each, in this order (SPEC.md: vi and en by default).
    public var languages: [Language]
    /// The run date at home: the feeds' window and the index's 90 days count from it.
    public var today: LocalDate
    /// Now, in RFC 5545 UTC form: the DTSTAMP of an event that is new or changed in this run.
    public var now: String
    /// `https://lich.example.gov.vn/kyniem`, no trailing slash; nil: relative links only.
    public var baseURL: String?
    /// What wrote the site (`kyniem 1.2.0`): a new kyniem renders the feeds afresh.
    public var generator: String

    public init(languages: [Language], today: LocalDate, now: String, baseURL: String?, generator: String = "") {
        self.languages = languages
        self.today = today
        self.now = now
        self.baseURL = baseURL
        self.generator = generator
    }
}

/// What the last publish left in DIR, as far as a new build can take it over.
public struct PreviousPublish: Sendable {
    /// The state file's bytes; empty when there is none (a new site) or it could not be read.
    public var stateBytes: [UInt8]
    /// A published file's bytes by its path relative to DIR; nil when it is missing or not a
    /// 0644 regular file.
    public var file: @Sendable (String) -> [UInt8]?
    /// The size of a published file, without reading it; nil as for `file`.
    public var size: @Sendable (String) -> Int?

    public init(
        stateBytes: [UInt8], file: @escaping @Sendable (String) -> [UInt8]?,
        size: (@Sendable (String) -> Int?)? = nil
    ) {
        self.stateBytes = stateBytes
        self.file = file
        self.size = size ?? { file($0)?.count }
    }

    public static let none = PreviousPublish(stateBytes: [], file: { _ in nil })
}

/// A whole site as values: every file's path (relative to DIR) and bytes, sorted by path, the
/// state file among them. Equal inputs give equal sites, so an unchanged calendar is an
/// unchanged site.
public struct Site: Sendable {
    /// The files taken over from DIR (`reused`) are listed with no bytes.
    public var files: [(path: String, bytes: [UInt8])]
    /// The files taken over from DIR as they are, by path, with their size: their bytes are DIR's
    /// file's, neither read nor rendered; writing the site links that file.
    public var reused: [String: Int] = [:]
}

/// Builds the site SPEC.md ("Publishing") fixes:
/// ```
/// index.html                       the home language's index
/// upcoming.json                    `upcoming --from DATE --days 90 --format json` (home language)
/// site.css
/// feeds/kyniem-LANG.ics            everything in the window, with alarms
/// feeds/kyniem-LANG-TIER.ics       one tier
/// feeds/kyniem-LANG-tasks.ics      checklist tasks as dated all-day events
/// LANG/index.html                  the next 90 days, milestones first, how to subscribe
/// LANG/YYYY.html                   each year of the window (the HTML calendar)
/// LANG/events/EVENT-ID.html        what `explain` says, for each event still to come in the window
/// .kyniem-publish.json             the marker and each feed event's revision
/// ```
public enum SiteBuilder {
    /// How often subscribers should fetch the feeds again (REFRESH-INTERVAL, X-PUBLISHED-TTL).
    public static let refreshInterval = "PT12H"
    /// The index's horizon and `upcoming.json`'s window.
    public static let upcomingDays = 90
    /// The name of the task feed in `kyniem-LANG-tasks.ics`; no tier may take it.
    public static let tasksFeed = "tasks"
    /// Part of the feeds' fingerprint: raise it when the feeds' rendering changes, so that a site
    /// published by an older build of the same version is rendered afresh.
    static let feedsLayout = "1"

    /// The feeds' window: from the first of the month a year before `today` through the end of the
    /// month two years after. Whole months, so that the feeds change once a month as the window
    /// moves (or when the data changes), not every day.
    public static func window(today: LocalDate) -> (from: LocalDate, through: LocalDate) {
        let from = LocalDate(today.year - 1, today.month, 1)
        let lastYear = today.year + 2
        let through = LocalDate(lastYear, today.month, LocalDate.daysIn(month: today.month, year: lastYear))
        return (from, through)
    }

    /// A reason the configuration cannot be published, or nil: tiers name feed files.
    public static func problem(with configuration: Configuration) -> String? {
        for tier in configuration.catalog.milestones.tiers {
            guard isFileName(tier.rawValue) else {
                return "tier \"\(tier.rawValue)\" cannot name a feed file (kyniem-LANG-TIER.ics): use lowercase letters, digits and hyphens"
            }
            if tier.rawValue == tasksFeed {
                return "tier \"\(tasksFeed)\" would take the checklist feed's name (kyniem-LANG-\(tasksFeed).ics): rename the tier"
            }
        }
        return nil
    }

    static func isFileName(_ name: String) -> Bool {
        !name.isEmpty && name.first != "-"
            && name.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
    }

    /// The fingerprint of everything the feeds and their revisions are rendered from: the
    /// configuration's and calendars' text, the window's months, the languages, and what renders
    /// them. Nil for a configuration built in code (no source digest): its feeds are always rendered.
    static func feedInputs(
        _ configuration: Configuration, _ options: PublishOptions, from: LocalDate, through: LocalDate
    ) -> String? {
        guard !configuration.sourceDigest.isEmpty else { return nil }
        var digest = Fingerprint()
        let parts = [feedsLayout, options.generator, configuration.sourceDigest, from.iso, through.iso, refreshInterval]
        for part in parts + options.languages.map(\.rawValue) {
            digest.add(part.utf8)
            digest.add(CollectionOfOne(0))
        }
        return digest.hex
    }

    /// The fingerprint of everything the whole site is made from: the feeds' inputs, the run date
    /// and the base URL. Nil when the feeds' is (a configuration built in code).
    public static func siteInputs(_ configuration: Configuration, _ options: PublishOptions) -> String? {
        let (from, through) = window(today: options.today)
        guard let feeds = feedInputs(configuration, options, from: from, through: through) else { return nil }
        var digest = Fingerprint()
        for part in [feeds, options.today.iso, options.baseURL.map { "url " + $0 } ?? "none"] {
            digest.add(part.utf8)
            digest.add(CollectionOfOne(0))
        }
        return digest.hex
    }

    /// The feeds of one language, events first, then each tier's, then the tasks'.
    static func feeds(_ language: Language, tiers: [Tier]) -> [SiteFeed] {
        let code = language.rawValue
        var feeds = [SiteFeed(label: CalendarRenderer.feedLabel(language), path: "feeds/kyniem-\(code).ics")]
        for tier in tiers {
            feeds.append(
                SiteFeed(label: CalendarRenderer.feedLabel(language, tier: tier), path: "feeds/kyniem-\(code)-\(tier.rawValue).ics"))
        }
        feeds.append(
            SiteFeed(label: CalendarRenderer.feedLabel(language, tasks: true), path: "feeds/kyniem-\(code)-\(tasksFeed).ics"))
        return feeds
    }

    /// Builds the site. When the previous publish recorded the same feed fingerprint, its feeds
    /// and year pages are taken over as DIR's files (`Site.reused`: neither rendered nor read) and
    /// its state file byte for byte but for the first line's `site`: they are what rendering
    /// would give again (the same inputs, the same revisions; a year page depends on the same
    /// inputs as the feeds, not on the date). That is the daily run, where only the index, the
    /// event pages and `upcoming.json` move with the date.
    public static func build(configuration: Configuration, options: PublishOptions, previous: PreviousPublish) -> Site {
        let catalog = configuration.catalog
        let planner = configuration.planner
        let today = options.today
        let (from, through) = window(today: today)
        let years = Array(from.year...through.year)
        let yearsStart = LocalDate(from.year, 1, 1)
        let yearsEnd = LocalDate(through.year, 12, 31)
        let workdays = planner.workingCalendar(from: yearsStart, through: yearsEnd)
        let horizon = today.adding(days: upcomingDays - 1)
        let tiers = catalog.milestones.tiers
        let weekend = configuration.home.weekend
        let timeZone = configuration.home.timeZone

        let languages = options.languages
        let fingerprint = feedInputs(configuration, options, from: from, through: through)
        var kept: [String: Int] = [:]
        if let fingerprint, PublishState.feedInputs(in: previous.stateBytes) == fingerprint {
            let paths = languages.flatMap { language in
                feeds(language, tiers: tiers).map(\.path) + years.map { yearPage(language, $0) }
            }
            for path in paths {
                guard let size = previous.size(path) else {
                    kept = [:]
                    break
                }
                kept[path] = size
            }
        }
        let keptFiles = kept

        // Every occurrence of the window's years, once: the feeds, year pages, index and event
        // pages are slices of it. Checklists are scheduled only for what is rendered: with the
        // feeds and year pages taken over, the index's 90 days.
        let occurrences = catalog.occurrences(from: yearsStart, through: yearsEnd)
        func scheduled(_ occurrences: [Occurrence]) -> [CalendarEntry] {
            CalendarEntry.entries(
                for: occurrences, reminders: configuration.reminders, checklists: configuration.checklists,
                workdays: workdays)
        }
        let entries = keptFiles.isEmpty ? scheduled(occurrences) : []
        let inWindow = entries.filter { $0.occurrence.date >= from && $0.occurrence.date <= through }
        let coming = keptFiles.isEmpty
            ? inWindow.filter { $0.occurrence.date >= today && $0.occurrence.date <= horizon }
            : scheduled(occurrences.filter { $0.date >= today && $0.date <= horizon })

        // Events still to come in the window, each with its next occurrences, for the event pages.
        var next: [String: [Occurrence]] = [:]
        var order: [String] = []
        for occurrence in occurrences
        where occurrence.date >= today && occurrence.date <= through && isFileName(occurrence.event.id) {
            let id = occurrence.event.id
            if next[id] == nil { order.append(id) }
            next[id, default: []].append(occurrence)
        }
        let (eventOrder, nextOccurrences) = (order, next)
        let eventPages = Set(eventOrder)
        let previousState = keptFiles.isEmpty ? PublishState(bytes: previous.stateBytes) ?? PublishState() : PublishState()
        // Each language on its own core: the two feeds sets and page folders share nothing.
        let parts = Parallel.chunks(count: languages.count, minimumChunk: 1) { range in
            var files: [(path: String, bytes: [UInt8])] = []
            var state = PublishState()
            for language in languages[range] {
                languageSite(language, into: &files, &state)
            }
            return (files, state)
        }
        var files: [(path: String, bytes: [UInt8])] = []
        var state = PublishState()
        for (languageFiles, languageState) in parts {
            files += languageFiles
            state.revisions.merge(languageState.revisions) { $1 }
        }
        func add(_ path: String, _ text: String) { files.append((path, Array(text.utf8))) }

        @Sendable func languageSite(
            _ language: Language, into files: inout [(path: String, bytes: [UInt8])], _ state: inout PublishState
        ) {
            let feedList = feeds(language, tiers: tiers)
            if !keptFiles.isEmpty {
                for feed in feedList { files.append((feed.path, [])) }
            } else {
                renderFeeds(language, feedList, into: &files, &state)
            }
            pages(language, feedList, into: &files)
        }

        @Sendable func renderFeeds(
            _ language: Language, _ feedList: [SiteFeed], into files: inout [(path: String, bytes: [UInt8])],
            _ state: inout PublishState
        ) {
            func add(_ path: String, _ text: String) { files.append((path, Array(text.utf8))) }
            let code = language.rawValue
            // Feeds: rendered with the previous publish's revisions; an event whose fingerprint (its
            // text without DTSTAMP and SEQUENCE) is unchanged keeps them, so in the usual run this
            // first rendering is the final one. New or changed events get this run's stamp, and
            // the feed is rendered again.
            let events = CalendarDocument(
                from: from, through: through, language: language, name: CalendarRenderer.feedName(language),
                entries: inWindow, generatedAt: "", weekend: weekend)
            let tasks = CalendarDocument(
                from: from, through: through, language: language,
                name: CalendarRenderer.feedName(language, tasks: true), entries: inWindow, generatedAt: "",
                weekend: weekend)
            var known: [String: ICSRevision] = [:]
            let prefix = "\(code) "
            for (key, old) in previousState.revisions where key.hasPrefix(prefix) {
                known[String(key.dropFirst(prefix.count))] = ICSRevision(stamp: old.stamp, sequence: old.sequence)
            }
            var feed = ICSFeed(refreshInterval: refreshInterval, timeZone: timeZone, revisions: known)
            var eventsText = CalendarRenderer.feed(events, feed)
            var tasksText = CalendarRenderer.taskFeed(tasks, feed)
            var revised = false
            for text in [eventsText, tasksText] {
                for (uid, hash) in FeedEvents.fingerprints(text) {
                    let key = prefix + uid
                    let revision: PublishState.Revision
                    if let old = previousState.revisions[key] {
                        revision = old.hash == hash
                            ? old : PublishState.Revision(hash: hash, sequence: old.sequence + 1, stamp: options.now)
                    } else {
                        revision = PublishState.Revision(hash: hash, sequence: 0, stamp: options.now)
                    }
                    if revision != previousState.revisions[key] { revised = true }
                    state.revisions[key] = revision
                    feed.revisions[uid] = ICSRevision(stamp: revision.stamp, sequence: revision.sequence)
                }
            }
            if revised {
                eventsText = CalendarRenderer.feed(events, feed)
                tasksText = CalendarRenderer.taskFeed(tasks, feed)
            }
            // `feedList`: the events feed, one per tier in `tiers` order, the tasks feed.
            add(feedList[0].path, eventsText)
            for (tier, tierFeed) in zip(tiers, feedList.dropFirst()) {
                let document = CalendarDocument(
                    from: from, through: through, language: language,
                    name: CalendarRenderer.feedName(language, tier: tier),
                    entries: inWindow.filter { $0.occurrence.tier == tier }, generatedAt: "", weekend: weekend)
                add(tierFeed.path, CalendarRenderer.feed(document, feed))
            }
            add(feedList[feedList.count - 1].path, tasksText)
        }

        @Sendable func pages(_ language: Language, _ feedList: [SiteFeed], into files: inout [(path: String, bytes: [UInt8])]) {
            func add(_ path: String, _ text: String) { files.append((path, Array(text.utf8))) }
            let code = language.rawValue
            let rules = catalog.milestones.rules
            let isMilestone = { (occurrence: Occurrence) -> Bool in
                guard let rule = rules.first(where: { $0.matches(ordinal: occurrence.ordinal, kind: occurrence.event.kind) })
                else { return false }
                return rule.every != nil || rule.at != nil
            }
            let index = SiteIndex(
                language: language, name: CalendarRenderer.indexName(language), from: today, through: horizon,
                milestones: coming.filter { isMilestone($0.occurrence) },
                others: coming.filter { !isMilestone($0.occurrence) }, feeds: feedList, baseURL: options.baseURL,
                eventPages: eventPages)
            add("\(code)/index.html", SitePage.index(index, links: links("\(code)/index.html", options, years)))
            if language == homeLanguage(configuration, options) {
                add("index.html", SitePage.index(index, links: links("index.html", options, years)))
            }
            for year in years {
                let path = yearPage(language, year)
                if keptFiles[path] != nil {
                    files.append((path, []))
                    continue
                }
                let document = CalendarDocument(
                    year: year, language: language,
                    entries: entries.filter { $0.occurrence.date.year == year }, generatedAt: "", weekend: weekend)
                add(path, SitePage.year(document, links: links(path, options, years)))
            }
            for id in eventOrder {
                let upcoming = nextOccurrences[id]!
                let explanation = Explanation(
                    event: upcoming[0].event, chosen: upcoming[0], upcoming: Array(upcoming.prefix(5)),
                    requestedYear: nil, planner: planner, workdays: workdays)
                let path = "\(code)/events/\(id).html"
                add(path, SitePage.event(explanation, planner: planner, language: language, links: links(path, options, years)))
            }
        }

        // Exactly what `upcoming --from TODAY --days 90 --format json` prints, in the home language
        // whatever --lang says: the portal reads one fixed document.
        add(
            "upcoming.json",
            OccurrenceJSON.render(
                from: today, to: horizon, occurrences: catalog.occurrences(from: today, through: horizon),
                language: configuration.home.language))
        add(SitePage.stylesheetPath, SitePage.stylesheet)
        let site = siteInputs(configuration, options).map { PublishState.Header.Site(inputs: $0, files: files.count + 1) }
        if keptFiles.isEmpty {
            state.feedInputs = fingerprint
            state.site = site
            add(PublishState.fileName, state.serialized)
        } else {
            let bytes = site.flatMap { PublishState.replacingSite(in: previous.stateBytes, with: $0) }
            files.append((PublishState.fileName, bytes ?? previous.stateBytes))
        }
        files.sort { $0.path < $1.path }
        return Site(files: files, reused: keptFiles)
    }

    /// `LANG/YYYY.html`.
    static func yearPage(_ language: Language, _ year: Int) -> String { "\(language.rawValue)/\(year).html" }

    /// The home language when it is published, else the first one asked for.
    static func homeLanguage(_ configuration: Configuration, _ options: PublishOptions) -> Language {
        let home = configuration.home.language
        return options.languages.contains(home) ? home : options.languages.first ?? home
    }

    static func links(_ path: String, _ options: PublishOptions, _ years: [Int]) -> SiteLinks {
        let depth = path.split(separator: "/").count - 1
        return SiteLinks(
            root: String(repeating: "../", count: depth), path: path, languages: options.languages, years: years)
    }
}

/// The VEVENTs of a rendered feed, by UID.
enum FeedEvents {
    /// Each event's UID and the fingerprint of its text without its DTSTAMP and SEQUENCE lines
    /// (what the fingerprint decides), in the feed's order.
    static func fingerprints(_ text: String) -> [(uid: String, hash: String)] {
        var result: [(String, String)] = []
        let begin = Array("BEGIN:VEVENT\r\n".utf8)
        let end = Array("END:VEVENT\r\n".utf8)
        let uidPrefix = Array("UID:".utf8)
        let stamp = Array("DTSTAMP:".utf8)
        let sequence = Array("SEQUENCE:".utf8)
        var hash = Fingerprint()
        var utf8 = text
        utf8.withUTF8 { bytes in
            var i = 0
            var start: Int?
            var uid: [UInt8] = []
            while i < bytes.count {
                // Content lines start after a CRLF; look only there.
                let lineEnd = Self.lineEnd(bytes, from: i)
                if matches(bytes, at: i, begin) {
                    start = i
                    uid = []
                    hash = Fingerprint()
                } else if start != nil, matches(bytes, at: i, uidPrefix) {
                    // Unfold: a CRLF followed by a space continues the line (RFC 5545 §3.1).
                    var j = i + uidPrefix.count
                    while j < bytes.count {
                        if bytes[j] == 0x0D, j + 2 < bytes.count, bytes[j + 1] == 0x0A, bytes[j + 2] == 0x20 {
                            j += 3
                            continue
                        }
                        if bytes[j] == 0x0D { break }
                        uid.append(bytes[j])
                        j += 1
                    }
                } else if start != nil, matches(bytes, at: i, end) {
                    hash.add(UnsafeBufferPointer(rebasing: bytes[i..<lineEnd]))
                    result.append((String(decoding: uid, as: UTF8.self), hash.hex))
                    start = nil
                    i = lineEnd
                    continue
                }
                if start != nil, !matches(bytes, at: i, stamp), !matches(bytes, at: i, sequence) {
                    hash.add(UnsafeBufferPointer(rebasing: bytes[i..<lineEnd]))
                }
                i = lineEnd
            }
        }
        return result
    }

    /// The index after the CRLF that ends the content line at `i` (folds are separate lines here).
    private static func lineEnd(_ bytes: UnsafeBufferPointer<UInt8>, from i: Int) -> Int {
        var j = i
        while j + 1 < bytes.count, !(bytes[j] == 0x0D && bytes[j + 1] == 0x0A) { j += 1 }
        return min(j + 2, bytes.count)
    }

    private static func matches(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int, _ word: [UInt8]) -> Bool {
        guard i + word.count <= bytes.count else { return false }
        for k in 0..<word.count where bytes[i + k] != word[k] { return false }
        return true
    }
}
