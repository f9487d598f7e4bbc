import Foundation
import Testing
import KyniemConfig
import KyniemCore

/// The fixtures stay in the source tree so that error locations read as they do for a user.
private let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

private func load(_ relative: String, environment: [String: String] = ["HOME": "/home/office"]) throws(ConfigurationErrors) -> Configuration {
    try ConfigurationLoader(environment: environment).load(.file(fixtures.appendingPathComponent(relative).path))
}

/// Problems with the fixture folder's path cut off: `errors/kyniem.yaml:3:13: …`.
private func problems(_ relative: String) -> [String] {
    do {
        _ = try load(relative)
        return []
    } catch {
        return error.problems.map { problem in
            let text = problem.description
            guard let range = text.range(of: "Fixtures/") else { return text }
            return String(text[range.upperBound...])
        }
    }
}

@Suite struct ConfigurationErrorTests {
    @Test func checkReportsEveryProblemWithItsLocation() {
        let expected = [
            "errors/kyniem.yaml:3:13: unknown time zone \"Asia/Hanoi_City\"; expected an IANA name like Asia/Ho_Chi_Minh",
            "errors/kyniem.yaml:4:13: unknown language \"fr\"; expected vi or en",
            "errors/kyniem.yaml:5:23: unknown weekday \"sundy\"; did you mean \"sunday\"?",
            "errors/kyniem.yaml:6:24: calendar \"missing-folder\" not found",
            "errors/kyniem.yaml:7:11: expected a number of days like 7d, found \"7 days\"",
            "errors/kyniem.yaml:14:3: tier \"majr\" is never given by milestones; did you mean \"major\"?",
            "errors/kyniem.yaml:17:23: 2028-01-01 is listed under 2027; move it to 2028",
            "errors/kyniem.yaml:22:49: unknown step \"everything\"; expected reminders, tasks,",
            "errors/kyniem.yaml:25:5: unknown key \"titel\"; did you mean \"title\"?",
            "errors/calendars/a.yaml:4:12: expected a two-letter ISO country code like JP, found \"Japan\"",
            "errors/calendars/a.yaml:10:11: 1973-02-30 is not a day on the calendar: February 1973 has 28 days",
            "errors/calendars/a.yaml:19:28: expected a lunar day from 1 to 30 or last, found 31",
            "errors/calendars/a.yaml:22:11: unknown kind \"holliday\"; did you mean \"holiday\"?",
            "errors/calendars/a.yaml:23:11: expected a date like 1973-09-21, found \"21/9/1973\"",
            "errors/calendars/a.yaml:24:5: missing the event's day: give one of date, lunar, rule, once or calendar",
            "errors/calendars/a.yaml:30:11: an event has one day: found both date and once",
            "errors/calendars/a.yaml:31:9: expected an event id of lower-case letters, digits and hyphens like jp-relations, found \"Bad_Id\"",
            "errors/calendars/a.yaml:37:14: expected true or false, found \"yes\"",
            "errors/calendars/a.yaml:40:47: expected nth from 1 to 5, or -1 for the last, found 6",
            "errors/calendars/a.yaml:42:5: tier \"mayor\" is never given by milestones; did you mean \"major\"?",
            "errors/calendars/a.yaml:44:24: expected a day offset like -120d, 0d or +7d, found \"-120 days\"",
            "errors/calendars/a.yaml:46:14: duplicate task id \"letter\" in this checklist (first at",
            "errors/calendars/b.yaml:2:9: duplicate event id \"no-national-day\" (first defined at",
            "errors/calendars/c.yaml:4:1: found unexpected end of stream, while scanning a quoted scalar at line 3, column 17",
        ]
        let found = problems("errors/kyniem.yaml")
        for line in expected {
            #expect(found.contains { $0.hasPrefix(line) }, "missing: \(line)\nfound:\n\(found.joined(separator: "\n"))")
        }
        #expect(found.count == expected.count, "found:\n\(found.joined(separator: "\n"))")
        // Reported file by file (the configuration first), each file top to bottom.
        #expect(found.map { String($0.prefix(while: { $0 != ":" })) } == expected.map { String($0.prefix(while: { $0 != ":" })) })
    }
}

/// Issue 9: every number the engine computes with has a range, reported by `check` with its place.
@Suite struct ConfigurationRangeTests {
    @Test func valuesOutsideTheirRangeAreProblemsWithTheirLocation() {
        let expected = [
            "ranges/kyniem.yaml:3:11: expected a catch-up window from 0d to 366d, found 3000000d",
            "ranges/kyniem.yaml:5:16: expected a lead time from 0d to 3660d, found 3661d",
            "ranges/kyniem.yaml:6:13: expected a lead time from 0d to 3660d, found 99999999d",
            "ranges/kyniem.yaml:7:13: expected a lead time from 0d to 3660d, found 99999999999999999999999d",
            "ranges/kyniem.yaml:9:3: expected a year from 1900 to 2199, found 1899",
            "ranges/kyniem.yaml:11:34: expected a date in the years 1 to 9999, found 0000-01-01",
            "ranges/kyniem.yaml:12:60: expected a year from 1 to 9999, found 10000",
            "ranges/kyniem.yaml:14:62: expected a year from 1 to 9999, found 0",
            "ranges/kyniem.yaml:18:23: expected a task offset from -3660d to +3660d, found +99999999d",
            "ranges/kyniem.yaml:19:25: expected a task offset from -3660d to +3660d, found -3661d",
        ]
        let found = problems("ranges/kyniem.yaml")
        #expect(found == expected, "found:\n\(found.joined(separator: "\n"))")
    }
}

@Suite struct ConfigurationLoadingTests {
    @Test func readsEveryPartOfAValidConfiguration() throws {
        let configuration = try load("valid/kyniem.yaml")
        #expect(configuration.home.language == .en)
        #expect(configuration.catchUpDays == 3)
        #expect(configuration.statePath == fixtures.appendingPathComponent("valid/state/ledger.sqlite").path)
        #expect(configuration.workingDays.off == [LocalDate(2027, 9, 3)])
        #expect(configuration.workingDays.on == [LocalDate(2027, 9, 4)])
        #expect(configuration.reminders.leadDays(for: .major) == [30, 0])
        #expect(configuration.catalog.milestones.tier(ordinal: 1, kind: .custom) == .major)

        let events = Dictionary(uniqueKeysWithValues: configuration.catalog.events.map { ($0.id, $0) })
        #expect(events["jp-relations"]?.recurrence == .origin(LocalDate(1973, 9, 21)))
        // `country: NO` is Norway, never `false`.
        #expect(events["no-national-day"]?.country == "NO")
        #expect(events["no-national-day"]?.recurrence == .monthDay(month: 5, day: 17, since: 1814))
        #expect(events["tet"]?.recurrence == .lunar(month: 1, day: .day(1), leap: false, since: nil))
        #expect(events["tet"]?.dayOff == true)
        #expect(events["eve"]?.recurrence == .lunar(month: 12, day: .last, leap: false, since: nil))
        #expect(events["eve"]?.kind == .custom)
        #expect(events["thanksgiving"]?.recurrence == .nthWeekday(month: 11, weekday: .thursday, nth: 4, since: nil))
        #expect(events["visit"]?.recurrence == .once(LocalDate(2027, 5, 12)))
        #expect(configuration.catalog.countries["NO"]?.name.resolved(.en) == "Norway")

        let team = try #require(configuration.notifiers.first)
        #expect(team.language == .vi)
        #expect(team.filter.tiers == [.major])
        #expect(team.filter.countries == ["JP"])
        #expect(team.filter.steps == ["reminders"])
        let chat = configuration.notifiers[1]
        #expect(chat.type == "apprise")
        #expect(chat.environment == ["APPRISE_URLS"])
        #expect(try chat.settings?.mapping().optional("urls_env")?.string() == "APPRISE_URLS")
        #expect(chat.language == .en)

        let templates = configuration.checklists
        let jp = configuration.catalog.occurrences(of: events["jp-relations"]!, from: LocalDate(2028, 1, 1), through: LocalDate(2028, 12, 31))[0]
        #expect(templates.tasks(for: jp.event, tier: jp.tier).map(\.id) == ["plan", "report"])
        let scheduled = templates.schedule(jp, workdays: configuration.planner.workingCalendar(from: LocalDate(2028, 1, 1), through: LocalDate(2028, 12, 31)))
        #expect(scheduled[0].task.title.resolved(.en) == "Propose the plan (Japan)")
    }

    @Test func embeddedDefaultIsTheBundledDataset() throws {
        let configuration = try ConfigurationLoader(environment: ["HOME": "/home/office"]).load(.embedded)
        #expect(configuration.catalog.countries.count >= 196)
        #expect(configuration.catalog.events.count >= 390)
        #expect(configuration.notifiers.map(\.type) == ["console"])
        #expect(configuration.statePath == "/home/office/.local/state/kyniem/ledger.sqlite")
        #expect(configuration.home.timeZone == "Asia/Ho_Chi_Minh")
    }

    @Test func stateFollowsXDGStateHome() throws {
        let configuration = try ConfigurationLoader(environment: ["HOME": "/h", "XDG_STATE_HOME": "/var/state"]).load(.embedded)
        #expect(configuration.statePath == "/var/state/kyniem/ledger.sqlite")
    }

    @Test func embeddedCalendarsMatchTheFilesInCalendars() throws {
        let root = fixtures.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let folder = root.appendingPathComponent("calendars")
        let enumerator = FileManager.default.enumerator(atPath: folder.path)
        let files = (enumerator?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(files == BundledCalendars.files.map(\.path), "run scripts/embed-calendars.py")
        for file in BundledCalendars.files {
            let onDisk = try String(contentsOf: folder.appendingPathComponent(file.path), encoding: .utf8)
            #expect(onDisk == file.text, "calendars/\(file.path) changed: run scripts/embed-calendars.py")
        }
    }
}

/// A list long enough to be decoded in chunks on several cores reads exactly as a short one:
/// events in list order, every problem reported once, in document order.
@Suite struct LargeConfigurationTests {
    @Test func aLongEventListKeepsOrderAndEveryProblem() throws {
        let count = 40_000
        let broken: Set<Int> = [3, 17_777, 20_001, 39_998]
        var text = "calendars: []\nevents:\n"
        for i in 0..<count {
            let day = broken.contains(i) ? "30" : String(format: "%02d", i % 28 + 1)
            text += "  - {id: ev-\(i), title: \"Event \(i)\", date: 1990-02-\(day)}\n"
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kyniem-large-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("kyniem.yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)

        do {
            _ = try ConfigurationLoader(environment: ["HOME": "/home/office"]).load(.file(path))
            Issue.record("a configuration with impossible dates was accepted")
        } catch {
            // Event i stands on line i + 3.
            let lines = error.problems.prefix(10).map { $0.description.split(separator: ":")[1] }
            #expect(lines == broken.sorted().map { Substring(String($0 + 3)) })
            #expect(error.problems.allSatisfy { $0.description.contains("1990-02-30 is not a day on the calendar") })
        }

        let valid = text.replacingOccurrences(of: "1990-02-30", with: "1990-02-28")
        try valid.write(toFile: path, atomically: true, encoding: .utf8)
        let configuration = try ConfigurationLoader(environment: ["HOME": "/home/office"]).load(.file(path))
        let events = configuration.catalog.events
        #expect(events.count == count)
        #expect(events.map(\.id) == (0..<count).map { "ev-\($0)" })
    }
}

/// Country codes are checked once for every event that uses one, through a lookup that keeps the
/// first codes it is asked with their answers: with more distinct codes than it keeps, known and
/// unknown, every unknown use is still reported where it stands, in order, and no known one.
@Suite struct CountryCodeCheckTests {
    @Test func everyUnknownUseIsReportedWithMoreCodesThanTheLookupKeeps() throws {
        // ISO 3166's user-assigned codes (QM to QZ, XA to XZ), which no bundled calendar defines.
        let unknown = Array("MNOPQRSTUVWXYZ").map { "Q\($0)" } + Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ").map { "X\($0)" }
        let uses = (unknown + ["JP", "FR", "VN"]).flatMap { [$0, $0] }
        var text = "home: {country: VN, timezone: Asia/Ho_Chi_Minh, language: en}\ncalendars:\n  - bundled:vietnam\nevents:\n"
        for (i, code) in uses.enumerated() {
            text += "  - {id: e-\(i), country: \(code), title: \"T\", date: 2000-01-01}\n"
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kyniem-codes-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("kyniem.yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        var reported: [String] = []
        do {
            _ = try ConfigurationLoader(environment: ["HOME": "/home/office"]).load(.file(path))
        } catch {
            reported = error.problems.map(\.description)
        }
        let expected = uses.enumerated().filter { unknown.contains($0.element) }.map { i, code in
            "kyniem.yaml:\(i + 5):\(23 + String(i).count): unknown country code \(code):"
        }
        #expect(reported.count == expected.count)
        for (line, prefix) in zip(reported, expected) {
            #expect(line.contains(prefix), "\(line)")
        }
    }
}
