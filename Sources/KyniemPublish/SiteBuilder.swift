import Dispatch
import Foundation
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
    ///
    /// `emit`, when given, is handed each job's rendered files (never a taken-over one) as soon as
    /// that job is done, on the job's thread, while other jobs may still render: a new site's
    /// files can be written as they come instead of after the whole build. The returned site
    /// still lists every file.
    public static func build(
        configuration: Configuration, options: PublishOptions, previous: PreviousPublish,
        emit: (@Sendable ([(path: String, bytes: [UInt8])]) -> Void)? = nil
    ) -> Site {
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
            // Each occurrence's checklist on its own: on every core, in order.
            Parallel.chunks(count: occurrences.count, minimumChunk: 512) { range in
                CalendarEntry.entries(
                    for: Array(occurrences[range]), reminders: configuration.reminders,
                    checklists: configuration.checklists, workdays: workdays)
            }.flatMap { $0 }
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
        // The event pages' explanations are the same in every language: made once, on every core.
        let explanations = Parallel.chunks(count: eventOrder.count, minimumChunk: 64) { range in
            eventOrder[range].map { id in
                let upcoming = nextOccurrences[id]!
                return Explanation(
                    event: upcoming[0].event, chosen: upcoming[0], upcoming: Array(upcoming.prefix(5)),
                    requestedYear: nil, planner: planner, workdays: workdays)
            }
        }.flatMap { $0 }
        // Each language's feeds, year pages and other pages share nothing: jobs, largest first,
        // that each core takes as it is free.
        enum Part: CaseIterable { case feeds, years, pages }
        let jobs = Part.allCases.flatMap { part in languages.map { (part, $0) } }
        // A feeds job also writes its language's lines of the state file (`PublishState.eventLines`).
        let parts = SiteJobs.run(jobs.count) { index in
            let (part, language) = jobs[index]
            var files: [(path: String, bytes: [UInt8])] = []
            var stateLines: (prefix: [UInt8], lines: [UInt8])?
            let feedList = feeds(language, tiers: tiers)
            switch part {
            case .feeds:
                if !keptFiles.isEmpty {
                    for feed in feedList { files.append((feed.path, [])) }
                } else {
                    var state = PublishState()
                    renderFeeds(language, feedList, into: &files, &state)
                    stateLines = (Array("\(language.rawValue) ".utf8), PublishState.eventLines(state.revisions))
                }
            case .years: yearPages(language, into: &files)
            case .pages: pages(language, feedList, into: &files)
            }
            if let emit {
                let rendered = files.filter { keptFiles[$0.path] == nil }
                if !rendered.isEmpty { emit(rendered) }
            }
            return (files, stateLines)
        }
        var files: [(path: String, bytes: [UInt8])] = []
        var stateLines: [(prefix: [UInt8], lines: [UInt8])] = []
        for (jobFiles, jobLines) in parts {
            files += jobFiles
            if let jobLines { stateLines.append(jobLines) }
        }
        // Every key of a language starts with its `"LANG "`: the languages' lines in the order of
        // those prefixes are all the lines in key order.
        stateLines.sort { $0.prefix.lexicographicallyPrecedes($1.prefix) }
        func add(_ path: String, _ text: String) { files.append((path, Array(text.utf8))) }

        @Sendable func renderFeeds(
            _ language: Language, _ feedList: [SiteFeed], into files: inout [(path: String, bytes: [UInt8])],
            _ state: inout PublishState
        ) {
            let code = language.rawValue
            // Feeds: rendered once with the previous publish's revisions, and this run's stamp
            // and sequence 0 for an event it did not have; an event whose fingerprint (its text
            // without DTSTAMP and SEQUENCE) is unchanged keeps its revision, so in the usual run
            // (and on a first publish) this rendering is the final one. A changed event gets
            // this run's stamp and its next sequence, written into the rendered bytes
            // (`FeedEvents.revised`): what rendering again with the new revisions would give.
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
            let new = ICSRevision(stamp: options.now, sequence: 0)
            var feed = ICSFeed(refreshInterval: refreshInterval, timeZone: timeZone, revisions: known, fallback: new)
            var eventsFeed = FeedEvents(CalendarRenderer.feedBytes(events, feed))
            var tasksFeed = FeedEvents(CalendarRenderer.taskFeedBytes(tasks, feed))
            for parsed in [eventsFeed, tasksFeed] {
                for event in parsed.events {
                    let key = prefix + event.uid
                    let revision: PublishState.Revision
                    if let old = previousState.revisions[key] {
                        revision = old.hash == event.hash
                            ? old : PublishState.Revision(hash: event.hash, sequence: old.sequence + 1, stamp: options.now)
                    } else {
                        revision = PublishState.Revision(hash: event.hash, sequence: 0, stamp: options.now)
                    }
                    state.revisions[key] = revision
                    if !known.isEmpty {
                        feed.revisions[event.uid] = ICSRevision(stamp: revision.stamp, sequence: revision.sequence)
                    }
                }
            }
            // Every UID is in `feed.revisions` now, as rendering again would look it up. With no
            // previous revisions (a first publish), every event was rendered new, as it is.
            let final = feed.revisions
            func stale(_ parsed: FeedEvents) -> Bool {
                !known.isEmpty && parsed.events.contains { final[$0.uid] != (known[$0.uid] ?? new) }
            }
            let revision = { (uid: String) -> (stamp: String, sequence: Int) in
                let revision = final[uid] ?? new
                return (revision.stamp, revision.sequence)
            }
            if stale(eventsFeed) {
                eventsFeed = eventsFeed.revised(revision) ?? FeedEvents(CalendarRenderer.feedBytes(events, feed))
            }
            if stale(tasksFeed) {
                tasksFeed = tasksFeed.revised(revision) ?? FeedEvents(CalendarRenderer.taskFeedBytes(tasks, feed))
            }
            // `feedList`: the events feed, one per tier in `tiers` order, the tasks feed.
            files.append((feedList[0].path, eventsFeed.bytes))
            // A tier's feed is the events feed's events of that tier, in a frame rendered with
            // no events: an event is the same text in both (the same entry, the same revision).
            // The events feed has one VEVENT per entry, in the document's order.
            let oneEventPerEntry = eventsFeed.events.count == events.entries.count
            for (tier, tierFeed) in zip(tiers, feedList.dropFirst()) {
                let name = CalendarRenderer.feedName(language, tier: tier)
                let frame = CalendarDocument(
                    from: from, through: through, language: language, name: name, entries: [], generatedAt: "",
                    weekend: weekend)
                if oneEventPerEntry,
                    let bytes = eventsFeed.subset(in: CalendarRenderer.feedBytes(frame, feed), {
                        events.entries[$0].occurrence.tier == tier
                    })
                {
                    files.append((tierFeed.path, bytes))
                    continue
                }
                let document = CalendarDocument(
                    from: from, through: through, language: language, name: name,
                    entries: inWindow.filter { $0.occurrence.tier == tier }, generatedAt: "", weekend: weekend)
                files.append((tierFeed.path, CalendarRenderer.feedBytes(document, feed).bytes))
            }
            files.append((feedList[feedList.count - 1].path, tasksFeed.bytes))
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
            for (id, explanation) in zip(eventOrder, explanations) {
                let path = "\(code)/events/\(id).html"
                add(path, SitePage.event(explanation, planner: planner, language: language, links: links(path, options, years)))
            }
        }

        @Sendable func yearPages(_ language: Language, into files: inout [(path: String, bytes: [UInt8])]) {
            for year in years {
                let path = yearPage(language, year)
                if keptFiles[path] != nil {
                    files.append((path, []))
                    continue
                }
                let document = CalendarDocument(
                    year: year, language: language,
                    entries: entries.filter { $0.occurrence.date.year == year }, generatedAt: "", weekend: weekend)
                files.append((path, SitePage.yearBytes(document, links: links(path, options, years))))
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
            let header = PublishState(feedInputs: fingerprint, site: site)
            files.append((PublishState.fileName, PublishState.assemble(firstLine: header.firstLine, stateLines.map(\.lines))))
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

/// A rendered feed cut at its VEVENTs: what a feed's events are (UID and fingerprint), and
/// where their DTSTAMP and SEQUENCE lines are, so that new revisions are written into the bytes
/// rendered once instead of rendering the feed again, and a tier's feed is made of the whole
/// feed's events.
struct FeedEvents {
    struct Event {
        var uid: String
        /// The fingerprint of the event's text without its DTSTAMP and SEQUENCE lines.
        var hash: String
        /// From `BEGIN:VEVENT` through the CRLF after `END:VEVENT`.
        var range: Range<Int>
        /// The event's one DTSTAMP and one SEQUENCE line, each with its CRLF; nil when it has
        /// none or more than one (then its revision cannot be written in place).
        var stamp: Range<Int>?
        var sequence: Range<Int>?
    }

    var bytes: [UInt8]
    var events: [Event]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        events = bytes.withUnsafeBufferPointer(Self.parse)
    }

    /// A feed as the renderer made it, with where its events are when it could tell (the same
    /// events `init(_:)` finds by reading the bytes), else read.
    init(_ rendered: (bytes: [UInt8], events: [ICSEventSpan]?)) {
        bytes = rendered.bytes
        guard let spans = rendered.events else {
            events = rendered.bytes.withUnsafeBufferPointer(Self.parse)
            return
        }
        events = spans.map { Event(uid: $0.uid, hash: $0.hash, range: $0.range, stamp: $0.stamp, sequence: $0.sequence) }
    }

    /// Each event's UID and the fingerprint of its text without its DTSTAMP and SEQUENCE lines
    /// (what the fingerprint decides), in the feed's order.
    static func fingerprints(_ text: String) -> [(uid: String, hash: String)] {
        FeedEvents(Array(text.utf8)).events.map { ($0.uid, $0.hash) }
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> [Event] {
        var result: [Event] = []
        let begin = Array("BEGIN:VEVENT\r\n".utf8)
        let end = Array("END:VEVENT\r\n".utf8)
        let uidPrefix = Array("UID:".utf8)
        let stampPrefix = Array("DTSTAMP:".utf8)
        let sequencePrefix = Array("SEQUENCE:".utf8)
        var hash = Fingerprint()
        var i = 0
        var start: Int?
        var uid: [UInt8] = []
        // Line ranges, and how many of each the event has.
        var stamp: Range<Int>?
        var sequence: Range<Int>?
        var stamps = 0
        var sequences = 0
        while i < bytes.count {
            // Content lines start after a CRLF; look only there.
            let lineEnd = Self.lineEnd(bytes, from: i)
            if matches(bytes, at: i, begin) {
                start = i
                uid = []
                hash = Fingerprint()
                (stamp, sequence, stamps, sequences) = (nil, nil, 0, 0)
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
            } else if let first = start, matches(bytes, at: i, end) {
                hash.add(UnsafeBufferPointer(rebasing: bytes[i..<lineEnd]))
                result.append(
                    Event(
                        uid: String(decoding: uid, as: UTF8.self), hash: hash.hex, range: first..<lineEnd,
                        stamp: stamps == 1 ? stamp : nil, sequence: sequences == 1 ? sequence : nil))
                start = nil
                i = lineEnd
                continue
            }
            if start != nil {
                if matches(bytes, at: i, stampPrefix) {
                    stamp = i..<lineEnd
                    stamps += 1
                } else if matches(bytes, at: i, sequencePrefix) {
                    sequence = i..<lineEnd
                    sequences += 1
                } else {
                    hash.add(UnsafeBufferPointer(rebasing: bytes[i..<lineEnd]))
                }
            }
            i = lineEnd
        }
        return result
    }

    /// The feed with each event's DTSTAMP and SEQUENCE lines saying `revision(uid)`: the bytes
    /// the renderer gives with those revisions, since both lines are a fixed name and a value too
    /// short to fold. Nil when an event has not exactly one of each line, a value would need
    /// folding, or something stands between the events (then the caller renders again).
    func revised(_ revision: (String) -> (stamp: String, sequence: Int)) -> FeedEvents? {
        guard let first = events.first else { return self }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 64)
        out.append(contentsOf: bytes[..<first.range.lowerBound])
        var moved: [Event] = []
        moved.reserveCapacity(events.count)
        var previousEnd = first.range.lowerBound
        for event in events {
            guard event.range.lowerBound == previousEnd, let stamp = event.stamp, let sequence = event.sequence,
                stamp.upperBound <= sequence.lowerBound
            else { return nil }
            previousEnd = event.range.upperBound
            let (newStamp, newSequence) = revision(event.uid)
            let stampLine = Array("DTSTAMP:\(newStamp)".utf8)
            let sequenceLine = Array("SEQUENCE:\(newSequence)".utf8)
            guard stampLine.count <= 75, sequenceLine.count <= 75, !stampLine.contains(0x0D), !stampLine.contains(0x0A)
            else { return nil }
            let begin = out.count
            out.append(contentsOf: bytes[event.range.lowerBound..<stamp.lowerBound])
            let newStampStart = out.count
            out.append(contentsOf: stampLine)
            out.append(contentsOf: [0x0D, 0x0A])
            let newStampEnd = out.count
            out.append(contentsOf: bytes[stamp.upperBound..<sequence.lowerBound])
            let newSequenceStart = out.count
            out.append(contentsOf: sequenceLine)
            out.append(contentsOf: [0x0D, 0x0A])
            let newSequenceEnd = out.count
            out.append(contentsOf: bytes[sequence.upperBound..<event.range.upperBound])
            moved.append(
                Event(
                    uid: event.uid, hash: event.hash, range: begin..<out.count, stamp: newStampStart..<newStampEnd,
                    sequence: newSequenceStart..<newSequenceEnd))
        }
        out.append(contentsOf: bytes[previousEnd...])
        var result = self
        result.bytes = out
        result.events = moved
        return result
    }

    /// The events for which `include(index)` holds, in this feed's order, inside `frame`: a feed
    /// of the same renderer with no events. Nil when `frame` does not end with END:VCALENDAR or
    /// has events, or when something stands between this feed's events.
    func subset(in frame: [UInt8], _ include: (Int) -> Bool) -> [UInt8]? {
        subset(in: (frame, nil), include)
    }

    /// `subset(in:_:)` with a frame as the renderer made it: its events, when it could tell,
    /// need not be read from its bytes.
    func subset(in frame: (bytes: [UInt8], events: [ICSEventSpan]?), _ include: (Int) -> Bool) -> [UInt8]? {
        let tail = Array("END:VCALENDAR\r\n".utf8)
        let frameEvents = frame.events.map(\.count) ?? FeedEvents(frame.bytes).events.count
        let frame = frame.bytes
        guard frame.count >= tail.count, frame.suffix(tail.count).elementsEqual(tail), frameEvents == 0
        else { return nil }
        var out = Array(frame.dropLast(tail.count))
        var previousEnd = events.first?.range.lowerBound ?? 0
        for (index, event) in events.enumerated() {
            guard event.range.lowerBound == previousEnd else { return nil }
            previousEnd = event.range.upperBound
            if include(index) { out.append(contentsOf: bytes[event.range]) }
        }
        out.append(contentsOf: tail)
        return out
    }

    /// The index after the CRLF that ends the content line at `i` (folds are separate lines here).
    private static func lineEnd(_ bytes: UnsafeBufferPointer<UInt8>, from i: Int) -> Int {
        var j = i
        while j < bytes.count {
            // The next CR, found by memchr: lines are tens of bytes and have no other.
            guard let cr = memchr(bytes.baseAddress! + j, 0x0D, bytes.count - j) else { return bytes.count }
            j = bytes.baseAddress!.distance(to: cr.assumingMemoryBound(to: UInt8.self))
            if j + 1 < bytes.count, bytes[j + 1] == 0x0A { return j + 2 }
            if j + 1 >= bytes.count { return bytes.count }
            j += 1
        }
        return bytes.count
    }

    private static func matches(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int, _ word: [UInt8]) -> Bool {
        guard i + word.count <= bytes.count else { return false }
        for k in 0..<word.count where bytes[i + k] != word[k] { return false }
        return true
    }
}

/// Runs `count` jobs on every core, each taken by the first thread free (not in fixed ranges:
/// the jobs differ in size), and returns their results in job order.
enum SiteJobs {
    static func run<T>(_ count: Int, _ body: @Sendable (Int) -> T) -> [T] {
        let results = Slots<T>(count)
        DispatchQueue.concurrentPerform(iterations: count) { index in
            results.set(index, body(index))
        }
        return results.values()
    }

    /// One slot per job, each written by its job only, read after all are done.
    private final class Slots<T>: @unchecked Sendable {
        private let buffer: UnsafeMutableBufferPointer<T?>

        init(_ count: Int) {
            buffer = .allocate(capacity: count)
            buffer.initialize(repeating: nil)
        }

        deinit {
            buffer.deinitialize()
            buffer.deallocate()
        }

        func set(_ index: Int, _ value: T) { buffer[index] = value }
        func values() -> [T] { buffer.map { $0! } }
    }
}
