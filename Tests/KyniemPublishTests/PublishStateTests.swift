import KyniemCore
import Testing

@testable import KyniemPublish

@Suite struct PublishStateTests {
    @Test func stateRoundTripsByteForByte() throws {
        let state = PublishState(revisions: [
            "vi jp-relations-20280921@kyniem": .init(hash: "0123456789abcdef", sequence: 2, stamp: "20261129T010203Z"),
            "en jp-relations-20280921@kyniem": .init(hash: "fedcba9876543210", sequence: 0, stamp: "20251231T235959Z"),
        ])
        let text = state.serialized
        let parsed = try #require(PublishState(bytes: Array(text.utf8)))
        #expect(parsed == state)
        #expect(parsed.serialized == text)
        // Sorted keys, one event a line: a diff of two publishes shows what changed.
        #expect(text.split(separator: "\n").count == 4)
    }

    @Test func theFirstLineCarriesTheFingerprintsAndSwapsTheSiteAlone() throws {
        let revisions: [String: PublishState.Revision] = [
            "vi a-20280921@kyniem": .init(hash: "0123456789abcdef", sequence: 2, stamp: "20261129T010203Z")
        ]
        let site = PublishState.Header.Site(inputs: "00112233445566ff", files: 856)
        let state = PublishState(revisions: revisions, feedInputs: "9a3e000000000001", site: site)
        let bytes = Array(state.serialized.utf8)
        #expect(state.serialized.hasPrefix(
            #"{"kyniem-publish": 1, "feeds": "9a3e000000000001", "site": "00112233445566ff", "files": 856, "events": {"# + "\n"))
        #expect(PublishState(bytes: bytes) == state)
        let header = try #require(PublishState.Header(bytes))
        #expect(header.feeds == "9a3e000000000001" && header.site == site)
        // The next day: only the first line changes.
        let next = PublishState.Header.Site(inputs: "ffeeddccbbaa9988", files: 857)
        let swapped = try #require(PublishState.replacingSite(in: bytes, with: next))
        var expected = state
        expected.site = next
        #expect(swapped == Array(expected.serialized.utf8))
        // A state without events, and one an older kyniem wrote (no `site`).
        let empty = PublishState(feedInputs: "9a3e000000000001", site: site)
        #expect(PublishState.Header(Array(empty.serialized.utf8))?.site == site)
        #expect(PublishState.replacingSite(in: Array(empty.serialized.utf8), with: next).map { String(decoding: $0, as: UTF8.self) }
            == PublishState(feedInputs: "9a3e000000000001", site: next).serialized)
        let older = PublishState(revisions: revisions, feedInputs: "9a3e000000000001")
        #expect(PublishState.Header(Array(older.serialized.utf8))?.site == nil)
        #expect(PublishState.feedInputs(in: Array(older.serialized.utf8)) == "9a3e000000000001")
        // Cut short: not taken.
        #expect(PublishState.Header(bytes.dropLast(2).map { $0 }) == nil)
    }

    @Test func eachLanguagesLinesJoinedAreTheWholeState() {
        let revision = PublishState.Revision(hash: "0123456789abcdef", sequence: 1, stamp: "20261129T010203Z")
        let en: [String: PublishState.Revision] = ["en b@kyniem": revision, "en a-2@kyniem": revision, "en a@kyniem": revision]
        let vi: [String: PublishState.Revision] = ["vi a@kyniem": revision, "vi \u{1EF3}@kyniem": revision]
        let whole = PublishState(revisions: en.merging(vi) { $1 }, feedInputs: "9a3e000000000001")
        let joined = PublishState.assemble(
            firstLine: whole.firstLine, [PublishState.eventLines(en), [], PublishState.eventLines(vi)])
        #expect(joined == whole.serializedBytes)
        #expect(PublishState(bytes: joined) == whole)
        // No events at all.
        let empty = PublishState(feedInputs: "9a3e000000000001")
        #expect(PublishState.assemble(firstLine: empty.firstLine, [[], []]) == Array(empty.serialized.utf8))
        #expect(String(decoding: empty.serializedBytes, as: UTF8.self).hasSuffix("\"events\": {}}\n"))
    }

    @Test func aStateFileFromSomethingElseIsNotTaken() {
        #expect(PublishState(bytes: Array("{}".utf8)) == nil)
        #expect(PublishState(bytes: Array("not json".utf8)) == nil)
        let badStamp = #"{"kyniem-publish": 1, "events": {"vi a@kyniem": {"hash": "x", "sequence": 0, "stamp": "yesterday"}}}"#
        #expect(PublishState(bytes: Array(badStamp.utf8)) == nil)
    }

    @Test func windowIsWholeMonthsAYearBackAndTwoAhead() {
        let (from, through) = SiteBuilder.window(today: LocalDate(2026, 11, 29))
        #expect(from == LocalDate(2025, 11, 1))
        #expect(through == LocalDate(2028, 11, 30))
        // February of a leap year ends on the 29th.
        #expect(SiteBuilder.window(today: LocalDate(2026, 2, 10)).through == LocalDate(2028, 2, 29))
    }

    @Test func fingerprintsFindEveryEventAndItsFoldedUID() {
        let long = String(repeating: "a", count: 80)
        let feed = [
            "BEGIN:VCALENDAR", "BEGIN:VEVENT", "UID:one@kyniem", "SUMMARY:x", "END:VEVENT",
            "BEGIN:VEVENT", "UID:\(long.prefix(71))", " \(long.dropFirst(71))@kyniem", "SUMMARY:y", "END:VEVENT",
            "END:VCALENDAR", "",
        ].joined(separator: "\r\n")
        let found = FeedEvents.fingerprints(feed)
        #expect(found.map(\.uid) == ["one@kyniem", "\(long)@kyniem"])
        #expect(found[0].hash != found[1].hash)
        #expect(Fingerprint.fnv1a(Array("".utf8)) == "cbf29ce484222325")
    }

    @Test func tierNamesMustBeFileNames() {
        #expect(SiteBuilder.isFileName("major"))
        #expect(SiteBuilder.isFileName("top-10"))
        #expect(!SiteBuilder.isFileName("../x"))
        #expect(!SiteBuilder.isFileName("Major"))
        #expect(!SiteBuilder.isFileName(""))
    }
}
