import Foundation
import Testing
@testable import KyniemConfig
import KyniemCore

/// Entries of `events:` decoded straight from libyaml's events (`fastEvent`) must read exactly as
/// through the tree (`readEvent`): the same events, and for anything unusual or wrong the same
/// problems, words, places and order. Each input is read both ways and compared.
@Suite struct FastEventDecodingTests {
    private struct Outcome: Equatable {
        var events: [Event]
        var problems: [String]
    }

    private static func read(_ text: String, fast: Bool) throws -> (Outcome, decodedFromStream: Int) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kyniem-fast-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("kyniem.yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        var loader = ConfigurationLoader(environment: ["HOME": "/home/office"])
        loader.decodesEventsFromStream = fast
        let result = loader.read(.file(path))
        let problems = result.problems.map { problem in
            problem.description.replacingOccurrences(of: folder.path + "/", with: "")
        }
        // The count of entries the stream decoder took, read again through the reader itself.
        let reader = ConfigurationReader(environment: [:], bundled: [])
        reader.decodesEventsFromStream = fast
        var streamed = StreamedEvents()
        _ = reader.parse(text: text, displayName: "kyniem.yaml", events: &streamed)
        return (Outcome(events: result.configuration?.catalog.events ?? [], problems: problems), streamed.decodedFromStream)
    }

    /// Both ways, compared; what the stream decoder read, and how many entries it took.
    private static func compare(_ events: String, countries: String = "", sourceLocation: Testing.SourceLocation = #_sourceLocation)
        throws -> (Outcome, decodedFromStream: Int)
    {
        let text = "calendars: []\n" + countries + "events:\n" + events
        let (tree, treeCount) = try read(text, fast: false)
        let (stream, streamCount) = try read(text, fast: true)
        #expect(treeCount == 0, sourceLocation: sourceLocation)
        #expect(stream.problems == tree.problems, sourceLocation: sourceLocation)
        #expect(stream.events == tree.events, sourceLocation: sourceLocation)
        return (stream, streamCount)
    }

    @Test func soundEventsOfEveryShapeAreTakenFromTheStreamAndMatchTheTree() throws {
        let (outcome, taken) = try Self.compare("""
              - {id: a-1, country: JP, title: "Event {n}", date: {month: 3, day: 13}}
              - {id: a-2, title: 'Lunar', lunar: {month: 2, day: 27}, since: 1990}
              - {id: a-3, title: Plain, date: 1962-06-19, kind: national-day, day_off: true}
              - id: a-4
                kind: custom
                country: NO
                title: {vi: "Sự kiện – kỷ niệm {n} năm", en: "Event, {ordinal} anniversary"}
                lunar: {month: 12, day: last, leap: false}
                note: "a note"
                source: https://example.org
                since_source: treaty
                from: 2026
              - {id: a-5, title: {en: Only English}, rule: {month: 11, weekday: thursday, nth: 4}}
              - {id: a-6, title: Once, once: 2027-05-01}
              - {id: a-7, title: Last, rule: {nth: -1, weekday: monday, month: 5}, since: 1971}
              - {id: a-8, title: Leap, lunar: {month: 4, day: "last", leap: true}}
              - {id: a-9, title: "29 Feb", date: {day: 29, month: 2}, from: +1}

            """)
        #expect(outcome.problems.isEmpty)
        #expect(outcome.events.map { $0.id } == (1...9).map { "a-\($0)" })
        #expect(taken == 9)
        #expect(outcome.events[3].title.resolved(.vi) == "Sự kiện – kỷ niệm {n} năm")
        #expect(outcome.events[7].recurrence == Recurrence.lunar(month: 4, day: LunarDay.last, leap: true, since: nil))
        #expect(outcome.events[8].firstYear == 1)
    }

    @Test func wrongTypesAreReportedAsByTheTree() throws {
        let (outcome, taken) = try Self.compare("""
              - {id: [x], title: T, date: 1990-01-01}
              - {id: b-2, title: T, date: 1990-01-01, day_off: "true"}
              - {id: b-3, title: T, date: 1990-01-01, day_off: yes}
              - {id: b-4, title: T, date: 1990-01-01, from: 0}
              - {id: b-5, title: T, date: 1990-01-01, from: "2020"}
              - {id: b-6, title: T, date: 1990-01-01, since: 1990}
              - {id: b-7, title: T, date: {month: 13, day: 1}}
              - {id: b-8, title: T, date: {month: 2, day: 30}}
              - {id: b-9, title: T, lunar: {month: 1, day: 31}}
              - {id: b-10, title: T, lunar: {month: 1, day: last, leap: 1}}
              - {id: b-11, title: T, rule: {month: 1, weekday: funday, nth: 0}}
              - {id: b-12, title: T, date: 1990-02-30}
              - {id: b-13, title: T, date: [1990]}
              - {id: b-14, title: T, once: {month: 1, day: 2}}
              - {id: b-15, title: T, date: 1990-01-01, from: 99999999999999999999}
              - {id: Bad_Id, title: T, date: 1990-01-01}
              - {id: b-17, title: T, date: 1990-01-01, country: jp}
              - {id: b-18, title: T, date: 1990-01-01, country: ZZ}
              - {id: b-19, title: T, date: 1990-01-01, kind: holliday}
              - {id: b-20, title: T, lunar: 5}
              - {id: b-21, title: T, date: {month: "3", day: 1}}
              - {id: b-22, title: T, rule: {month: 1, weekday: monday, nth: +2}, since: -5}
              - {id: b-23, title: T, date: 1990-01-01, since_source: {a: b}}
              - {id: b-24, title: T, date: 1990-01-01, note: [a]}
              - {id: b-25, title: T, lunar: {month: 0, day: 1}}
              - b-26

            """)
        #expect(outcome.problems.count >= 24)
        // Only the unknown country is left for the check of countries, which sees sound events alone.
        #expect(outcome.events.map { $0.id } == ["b-18"])
        #expect(taken == 1)
    }

    @Test func unknownKeysDuplicatesAndNullsAreReportedAsByTheTree() throws {
        let (outcome, taken) = try Self.compare("""
              - {id: c-1, titel: T, date: 1990-01-01}
              - {id: c-2, title: T, contry: JP, date: 1990-01-01}
              - {id: c-3, title: T, date: {mnth: 3, day: 1}}
              - {id: c-4, id: c-44, title: T, date: 1990-01-01}
              - {id: c-5, title: T, date: {month: 1, month: 2, day: 3}}
              - {id: c-6, title: {vi: a, vi: b}, date: 1990-01-01}
              - {id: c-1, title: T, date: 1990-01-01}
              - {id: c-8, title: T, date: 1990-01-01, note: ~}
              - id: c-9
                title: T
                date: 1990-01-01
                note:
              - {id: c-10, title: null, date: 1990-01-01}
              - {id: c-11, title: T, date: 1990-01-01, kind: }
              - {id: c-12, title: T}
              - {id: c-13, title: T, date: 1990-01-01, lunar: {month: 1, day: 1}}
              - {id: c-14, title: T, calendar: {system: hebrew, month: iyar, day: 5}}
              - {id: c-15, title: T, calendar: {system: mayan, month: x, day: 5}}
              - {id: c-16, title: T, lunar: {month: 1, day: 1, leap: null}}
              - {id: c-17, title: T, date: 1990-01-01, <<: {note: x}}

            """)
        #expect(outcome.problems.contains { $0.contains("unknown key \"titel\"; did you mean \"title\"?") })
        #expect(outcome.problems.contains { $0.contains("duplicate key \"month\"") })
        #expect(outcome.events.map { $0.id }.contains("c-8"))
        // The second c-1 is sound in itself: its duplicate id is found where entries are added.
        #expect(outcome.problems.contains { $0.contains("duplicate event id \"c-1\"") })
        #expect(taken == 1)
    }

    @Test func titlesPerLanguageAndBlankTitlesAreReportedAsByTheTree() throws {
        let (outcome, taken) = try Self.compare("""
              - {id: d-1, title: " ", date: 1990-01-01}
              - {id: d-2, title: {vi: "", en: x}, date: 1990-01-01}
              - {id: d-3, title: {}, date: 1990-01-01}
              - {id: d-4, title: {fr: x}, date: 1990-01-01}
              - {id: d-5, title: {en: x, vi: y}, date: 1990-01-01}
              - {id: d-6, title: {vi: {a: b}}, date: 1990-01-01}
              - {id: d-7, title: [x], date: 1990-01-01}
              - {id: d-8, title: 12, date: 1990-01-01}
              - {id: d-9, title: {vi: "  ", en: "  "}, date: 1990-01-01}

            """)
        #expect(outcome.events.map { $0.id } == ["d-5", "d-8"])
        #expect(outcome.events[0].title.primary == "x")
        #expect(taken == 2)
    }

    @Test func tagsAnchorsAndAliasesTakeTheTree() throws {
        let (outcome, taken) = try Self.compare("""
              - {id: !!str e-1, title: T, date: 1990-01-01}
              - {id: e-2, title: T, date: 1990-01-01, from: !!int "2020"}
              - {id: e-3, title: !!str 12, date: &day {month: 1, day: 2}}
              - {id: e-4, title: T, date: *day}
              - &base {id: e-5, title: &t T, date: 1990-01-01}
              - {id: e-6, title: *t, date: 1990-01-01}
              - *base
              - {id: e-8, title: T, date: 1990-01-01, country: &c JP}
              - {id: e-9, title: T, date: 1990-01-01, country: *c}
              - {id: e-10, title: T, date: 1990-01-01}

            """, countries: "countries: [{code: JP, name: Japan}]\n")
        #expect(outcome.events.map { $0.id }.contains("e-4"))
        #expect(outcome.problems.contains { $0.contains("duplicate event id \"e-5\"") })
        #expect(taken == 1)
    }

    /// Items that straddle the parser's batches of events take the tree; the rest the stream.
    @Test func aLongListAcrossBatchesReadsTheSameEitherWay() throws {
        var text = ""
        for i in 0..<3_000 {
            switch i % 4 {
            case 0: text += "  - {id: f-\(i), title: \"E \(i)\", date: {month: \(i % 12 + 1), day: \(i % 28 + 1)}}\n"
            case 1: text += "  - id: f-\(i)\n    title: {vi: \"S \(i)\", en: \"E \(i)\"}\n    lunar: {month: \(i % 12 + 1), day: \(i % 30 + 1)}\n"
            case 2: text += "  - {id: f-\(i), title: T, date: 19\(i % 90 + 10)-0\(i % 9 + 1)-1\(i % 9)}\n"
            default: text += "  - {id: f-\(i), title: T, date: 1990-02-\(i % 500 == 3 ? 30 : 28), country: \(i % 7 == 0 ? "ZZ" : "JP")}\n"
            }
        }
        let (outcome, taken) = try Self.compare(text, countries: "countries: [{code: JP, name: Japan}]\n")
        #expect(outcome.problems.count > 6)
        #expect(taken > 2_900 && taken < 3_000)
    }

    /// The room reserved for entries is a guess from the text (a line each, 48 bytes at least):
    /// a list on one line, far longer than guessed, is read whole and the same either way.
    @Test func aListLongerThanItsTextSuggestsReadsWhole() throws {
        let events = (0..<400).map { "{id: o-\($0), title: T, date: {month: 1, day: \($0 % 28 + 1)}}" }
        let text = "  [" + events.joined(separator: ", ") + "]\n"
        #expect(ConfigurationReader.entryCapacity(forText: "calendars: []\nevents:\n" + text) < 10)
        let (outcome, taken) = try Self.compare(text)
        #expect(outcome.problems.isEmpty)
        #expect(outcome.events.map(\.id) == (0..<400).map { "o-\($0)" })
        #expect(taken > 390)  // most from the stream; any other takes the tree, read the same
        // One entry a line, each of 48 bytes or more: room for all of them.
        let lines = (0..<1_000).map { "  - {id: l-\($0), title: \"Event \($0)\", date: {month: 3, day: 13}}\n" }.joined()
        #expect(ConfigurationReader.entryCapacity(forText: "events:\n" + lines) >= 1_000)
    }

    /// The digest of the files' text is a pass over every byte: computed only when asked for.
    @Test func theSourceDigestIsComputedOnlyWhenAsked() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kyniem-digest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("kyniem.yaml").path
        try "calendars: []\nevents:\n  - {id: a, title: T, date: 1990-01-01}\n".write(toFile: path, atomically: true, encoding: .utf8)
        var loader = ConfigurationLoader(environment: ["HOME": "/home/office"])
        let digested = try loader.load(.file(path))
        loader.digestsSources = false
        let plain = try loader.load(.file(path))
        #expect(digested.sourceDigest.count == 16)
        #expect(plain.sourceDigest == "")
        #expect(plain.catalog.events == digested.catalog.events)
    }
}
