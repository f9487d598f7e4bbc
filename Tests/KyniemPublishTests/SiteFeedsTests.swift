import Foundation
import KyniemConfig
import KyniemCore
import KyniemRender
import Testing

@testable import KyniemPublish

/// The feeds are rendered once and their revisions written into the bytes, and a tier's feed is
/// cut from the language's feed: these tests hold the result to what the renderers give when
/// asked for each feed with the final revisions.
@Suite struct SiteFeedsTests {
    static let configuration = try! ConfigurationLoader(environment: ["HOME": "/tmp"]).load(.embedded)

    static func options(now: String) -> PublishOptions {
        PublishOptions(languages: [.vi, .en], today: LocalDate(2027, 3, 3), now: now, baseURL: nil, generator: "test")
    }

    static func file(_ site: Site, _ path: String) -> [UInt8]? {
        site.files.first { $0.path == path }?.bytes
    }

    static func state(_ site: Site) -> PublishState? {
        file(site, PublishState.fileName).flatMap { PublishState(bytes: $0) }
    }

    /// Every feed of `site` compared with the renderer's output for the revisions its state records.
    static func expectFeedsAreTheRenderersOwn(_ site: Site, today: LocalDate) throws {
        let configuration = Self.configuration
        let state = try #require(Self.state(site))
        let (from, through) = SiteBuilder.window(today: today)
        let workdays = configuration.planner.workingCalendar(
            from: LocalDate(from.year, 1, 1), through: LocalDate(through.year, 12, 31))
        let entries = CalendarEntry.entries(
            for: configuration.catalog.occurrences(from: from, through: through),
            reminders: configuration.reminders, checklists: configuration.checklists, workdays: workdays)
        let weekend = configuration.home.weekend
        for language in [Language.vi, .en] {
            let prefix = "\(language.rawValue) "
            var revisions: [String: ICSRevision] = [:]
            for (key, revision) in state.revisions where key.hasPrefix(prefix) {
                revisions[String(key.dropFirst(prefix.count))] = ICSRevision(stamp: revision.stamp, sequence: revision.sequence)
            }
            #expect(!revisions.isEmpty)
            let feed = ICSFeed(
                refreshInterval: SiteBuilder.refreshInterval, timeZone: configuration.home.timeZone, revisions: revisions)
            func document(_ name: String, _ entries: [CalendarEntry]) -> CalendarDocument {
                CalendarDocument(
                    from: from, through: through, language: language, name: name, entries: entries, generatedAt: "",
                    weekend: weekend)
            }
            let code = language.rawValue
            let events = CalendarRenderer.feed(document(CalendarRenderer.feedName(language), entries), feed)
            #expect(file(site, "feeds/kyniem-\(code).ics") == Array(events.utf8))
            let tasks = CalendarRenderer.taskFeed(document(CalendarRenderer.feedName(language, tasks: true), entries), feed)
            #expect(file(site, "feeds/kyniem-\(code)-tasks.ics") == Array(tasks.utf8))
            // One event per task, under the UID `CalendarRenderer.uid(_:of:)` gives it (the task
            // feed makes its UIDs itself, from the occurrence's part made once).
            let taskUIDs = entries.flatMap { entry in entry.tasks.map { CalendarRenderer.uid($0, of: entry.occurrence) } }
            #expect(!taskUIDs.isEmpty)
            #expect(FeedEvents(Array(tasks.utf8)).events.map(\.uid).sorted() == taskUIDs.sorted())
            // Where the renderers say each event is: what reading their bytes finds.
            for rendered in [
                CalendarRenderer.feedBytes(document("x", entries), feed), CalendarRenderer.taskFeedBytes(document("x", entries), feed),
            ] {
                let spans = try #require(rendered.events)
                let read = FeedEvents(rendered.bytes).events
                #expect(spans.count == read.count && !read.isEmpty)
                #expect(spans.map(\.uid) == read.map(\.uid))
                #expect(spans.map(\.hash) == read.map(\.hash))
                #expect(spans.map(\.range) == read.map(\.range))
                #expect(spans.map(\.stamp) == read.map(\.stamp))
                #expect(spans.map(\.sequence) == read.map(\.sequence))
                #expect(rendered.bytes == Array(String(decoding: rendered.bytes, as: UTF8.self).utf8))
            }
            let tiers = configuration.catalog.milestones.tiers
            #expect(tiers.count >= 2)
            for tier in tiers {
                let tierFeed = CalendarRenderer.feed(
                    document(CalendarRenderer.feedName(language, tier: tier), entries.filter { $0.occurrence.tier == tier }),
                    feed)
                let published = try #require(file(site, "feeds/kyniem-\(code)-\(tier.rawValue).ics"))
                #expect(published == Array(tierFeed.utf8), "\(code) \(tier.rawValue)")
                #expect(published.count < Array(events.utf8).count)
            }
        }
    }

    @Test func aFirstPublishsFeedsAreWhatRenderingGives() throws {
        let now = "20270303T010203Z"
        let site = SiteBuilder.build(configuration: Self.configuration, options: Self.options(now: now), previous: .none)
        try Self.expectFeedsAreTheRenderersOwn(site, today: LocalDate(2027, 3, 3))
        // Every event is new: this run's stamp, sequence 0.
        let state = try #require(Self.state(site))
        #expect(state.revisions.count > 1_000)
        #expect(state.revisions.values.allSatisfy { $0.stamp == now && $0.sequence == 0 })
        #expect(state.serializedBytes == Array(state.serialized.utf8))
    }

    /// What the jobs emit while building is the site's files, each once, with the same bytes:
    /// only the files made after the jobs (the state file, upcoming.json, the stylesheet) are not.
    @Test func emittedFilesAreTheSitesOwnEachOnce() throws {
        final class Emitted: @unchecked Sendable {
            let lock = NSLock()
            var files: [(path: String, bytes: [UInt8])] = []
        }
        let emitted = Emitted()
        let options = Self.options(now: "20270303T010203Z")
        let site = SiteBuilder.build(configuration: Self.configuration, options: options, previous: .none) { files in
            emitted.lock.withLock { emitted.files += files }
        }
        let plain = SiteBuilder.build(configuration: Self.configuration, options: options, previous: .none)
        #expect(site.files.map(\.path) == plain.files.map(\.path))
        #expect(site.files.elementsEqual(plain.files) { $0.path == $1.path && $0.bytes == $1.bytes })
        let paths = emitted.files.map(\.path)
        #expect(Set(paths).count == paths.count)
        let all = Dictionary(uniqueKeysWithValues: site.files.map { ($0.path, $0.bytes) })
        for file in emitted.files { #expect(all[file.path] == file.bytes, "\(file.path)") }
        #expect(Set(all.keys).subtracting(paths) == [PublishState.fileName, "upcoming.json", SitePage.stylesheetPath])
    }

    @Test func changedEventsGetANewRevisionInTheBytesAsRenderingWouldGive() throws {
        let first = SiteBuilder.build(
            configuration: Self.configuration, options: Self.options(now: "20270303T010203Z"), previous: .none)
        var state = try #require(Self.state(first))
        // Make every seventh event look changed since the last publish (another text), at sequence 3.
        let changed = Set(state.revisions.keys.sorted().enumerated().filter { $0.offset % 7 == 0 }.map(\.element))
        for key in changed {
            state.revisions[key] = .init(hash: "0000000000000000", sequence: 3, stamp: "20261201T000000Z")
        }
        state.feedInputs = nil
        let stateBytes = state.serializedBytes
        let now = "20270304T050607Z"
        let second = SiteBuilder.build(
            configuration: Self.configuration, options: Self.options(now: now),
            previous: PreviousPublish(stateBytes: stateBytes, file: { _ in nil }))
        try Self.expectFeedsAreTheRenderersOwn(second, today: LocalDate(2027, 3, 3))
        let after = try #require(Self.state(second))
        for (key, revision) in after.revisions {
            if changed.contains(key) {
                #expect(revision.sequence == 4 && revision.stamp == now, "\(key)")
            } else {
                #expect(revision == state.revisions[key], "\(key)")
            }
        }
    }

    /// The renderers say where each event is only when that is what reading the bytes finds: a
    /// DTSTAMP long enough to fold (never a feed's own) leaves the feed to be read.
    @Test func aFoldedStampLeavesTheFeedToBeRead() throws {
        let (from, through) = SiteBuilder.window(today: LocalDate(2027, 3, 3))
        let configuration = Self.configuration
        let workdays = configuration.planner.workingCalendar(from: from, through: through)
        let entries = CalendarEntry.entries(
            for: configuration.catalog.occurrences(from: LocalDate(2027, 1, 1), through: LocalDate(2027, 3, 31)),
            reminders: configuration.reminders, checklists: configuration.checklists, workdays: workdays)
        let document = CalendarDocument(
            from: from, through: through, language: .vi, name: "x", entries: entries, generatedAt: "",
            weekend: configuration.home.weekend)
        let long = ICSRevision(stamp: String(repeating: "2", count: 80) + "Z", sequence: 0)
        let feed = ICSFeed(refreshInterval: "PT12H", timeZone: "Asia/Ho_Chi_Minh", fallback: long)
        for rendered in [CalendarRenderer.feedBytes(document, feed), CalendarRenderer.taskFeedBytes(document, feed)] {
            #expect(rendered.events == nil)
            #expect(rendered.bytes.count > 1_000)
            let read = FeedEvents(rendered)
            #expect(!read.events.isEmpty)
            #expect(read.events.map(\.hash) == FeedEvents(rendered.bytes).events.map(\.hash))
            #expect(read.events.map(\.range) == FeedEvents(rendered.bytes).events.map(\.range))
        }
        // The same document with a feed's stamp: the renderers tell.
        let usual = ICSFeed(refreshInterval: "PT12H", timeZone: "Asia/Ho_Chi_Minh")
        #expect(CalendarRenderer.feedBytes(document, usual).events?.count == entries.count)
    }

    @Test func revisionsAreWrittenOnlyIntoAFeedOfOneStampAndSequencePerEvent() throws {
        let feed = [
            "BEGIN:VCALENDAR", "X-WR-CALNAME:x",
            "BEGIN:VEVENT", "UID:one@kyniem", "DTSTAMP:20260101T000000Z", "SEQUENCE:0", "SUMMARY:x", "END:VEVENT",
            "BEGIN:VEVENT", "UID:two@kyniem", "DTSTAMP:20260101T000000Z", "SEQUENCE:4", "SUMMARY:y", "END:VEVENT",
            "END:VCALENDAR", "",
        ].joined(separator: "\r\n")
        let parsed = FeedEvents(Array(feed.utf8))
        let revised = try #require(parsed.revised { $0 == "two@kyniem" ? ("20270303T010203Z", 5) : ("20260101T000000Z", 0) })
        #expect(String(decoding: revised.bytes, as: UTF8.self)
            == feed.replacingOccurrences(of: "DTSTAMP:20260101T000000Z\r\nSEQUENCE:4", with: "DTSTAMP:20270303T010203Z\r\nSEQUENCE:5"))
        // The fingerprints do not see the revision.
        #expect(revised.events.map(\.hash) == parsed.events.map(\.hash))
        #expect(FeedEvents(revised.bytes).events.map(\.hash) == parsed.events.map(\.hash))
        // Only the second event, in an empty frame.
        let frame = Array("BEGIN:VCALENDAR\r\nX-WR-CALNAME:y\r\nEND:VCALENDAR\r\n".utf8)
        let subset = try #require(revised.subset(in: frame) { $0 == 1 })
        #expect(String(decoding: subset, as: UTF8.self)
            == "BEGIN:VCALENDAR\r\nX-WR-CALNAME:y\r\nBEGIN:VEVENT\r\nUID:two@kyniem\r\nDTSTAMP:20270303T010203Z\r\nSEQUENCE:5\r\nSUMMARY:y\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
        // No SEQUENCE (a calendar file, not a feed), two DTSTAMPs, or text between events: not in place.
        let noSequence = FeedEvents(Array(feed.replacingOccurrences(of: "SEQUENCE:0\r\n", with: "").utf8))
        #expect(noSequence.revised { _ in ("20270303T010203Z", 1) } == nil)
        let twoStamps = FeedEvents(Array(feed.replacingOccurrences(of: "SEQUENCE:0", with: "DTSTAMP:20260101T000000Z\r\nSEQUENCE:0").utf8))
        #expect(twoStamps.revised { _ in ("20270303T010203Z", 1) } == nil)
        let between = FeedEvents(Array(feed.replacingOccurrences(of: "END:VEVENT\r\nBEGIN:VEVENT", with: "END:VEVENT\r\nX-Y:z\r\nBEGIN:VEVENT").utf8))
        #expect(between.revised { _ in ("20270303T010203Z", 1) } == nil)
        #expect(between.subset(in: frame) { _ in true } == nil)
        // A frame that is not an empty calendar is not one.
        #expect(parsed.subset(in: Array(feed.utf8)) { _ in true } == nil)
    }
}
