import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 9: what `check` accepts, every command runs; what the engine cannot handle is an
/// argument or configuration error (exit 2) that says what was expected.
@Suite struct CommandLineLimitTests {
    @Test(arguments: [
        (["upcoming", "--days", "-5"], "--days: expected a number of days from 1 to 3660, found -5"),
        (["upcoming", "--days", "99999999"], "--days: expected a number of days from 1 to 3660, found 99999999"),
        (["upcoming", "--days", "0"], "--days: expected a number of days from 1 to 3660, found 0"),
        (["upcoming", "--from", "2027-01-01", "--until", "9999-12-31"], "a window is at most 3660 days"),
        (["upcoming", "--from", "0000-01-01"], "--from: expected a date in the years 1 to 9999, found 0000-01-01"),
        (["calendar", "--year", "-5"], "--year: expected a year from 1 to 9999, found -5"),
        (["calendar", "--year", "10000"], "--year: expected a year from 1 to 9999, found 10000"),
        (["explain", "vn-tet", "--year", "0"], "--year: expected a year from 1 to 9999, found 0"),
        (["run", "--dry-run", "--date", "0000-12-31"], "--date: expected a date in the years 1 to 9999, found 0000-12-31"),
    ])
    func outOfRangeOptionsAreUsageErrors(arguments: [String], message: String) throws {
        let result = try Kyniem.run(arguments)
        #expect(result.status == 2)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func theWidestWindowsRunAtTheEdgesOfTheYears() throws {
        let last = try Kyniem.run(["upcoming", "--from", "9999-12-31", "--days", "3660", "--format", "json"])
        #expect(last.status == 0, "\(last.stderr)")
        let first = try Kyniem.run(["calendar", "--year", "1", "--format", "csv"])
        #expect(first.status == 0, "\(first.stderr)")
        let explain = try Kyniem.run(["explain", "vn-tet", "--year", "9999"])
        #expect(explain.status == 0, "\(explain.stderr)")
    }
}

/// Only regular files are read as configuration, calendars and templates: a FIFO, a device or a
/// folder given as a file is an error at once, never a read that waits forever.
@Suite struct RegularFileTests {
    @Test func aFIFOAsTheConfigurationIsAClearErrorAtOnce() throws {
        let folder = Kyniem.temporaryFolder()
        #expect(mkfifo(folder.appendingPathComponent("kyniem.yaml").path, 0o644) == 0)
        let started = Date()
        // `timeout` ends the command if it hangs: the test then fails on the exit code (124).
        let result = try Kyniem.shell(#"timeout 10 "$KYNIEM" check --config kyniem.yaml"#, in: folder)
        #expect(result.status == 2)
        #expect(result.stderr.contains("kyniem.yaml: cannot read the configuration file: it is a FIFO, not a regular file"), "\(result.stderr)")
        #expect(Date().timeIntervalSince(started) < 5)
        // Found by the default lookup too (./kyniem.yaml).
        let upcoming = try Kyniem.shell(#"timeout 10 "$KYNIEM" upcoming"#, in: folder)
        #expect(upcoming.status == 2)
    }

    @Test func aDeviceOrAFolderAsTheConfigurationIsAClearError() throws {
        for (path, what) in [("/dev/zero", "a device"), ("/tmp", "a directory")] {
            let result = try Kyniem.shell(#"timeout 10 "$KYNIEM" check --config \#(path)"#)
            #expect(result.status == 2)
            #expect(result.stderr.contains("\(path): cannot read the configuration file: it is \(what)"), "\(result.stderr)")
        }
    }

    @Test func aFIFOAmongTheCalendarsOrAsATemplateIsAProblemWithItsPlace() throws {
        let folder = Kyniem.temporaryFolder()
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("local"), withIntermediateDirectories: false)
        #expect(mkfifo(folder.appendingPathComponent("local/partners.yaml").path, 0o644) == 0)
        #expect(mkfifo(folder.appendingPathComponent("body.mustache").path, 0o644) == 0)
        try "calendars: [local]\n".write(to: folder.appendingPathComponent("kyniem.yaml"), atomically: true, encoding: .utf8)
        let calendar = try Kyniem.shell(#"timeout 10 "$KYNIEM" check"#, in: folder)
        #expect(calendar.status == 2)
        #expect(calendar.stderr.contains("kyniem.yaml:1:13: cannot read calendar file \(folder.path)/local/partners.yaml: it is a FIFO, not a regular file"), "\(calendar.stderr)")

        try """
            calendars: []
            notifiers:
              - {id: log, type: file, path: sent, template: body.mustache}

            """.write(to: folder.appendingPathComponent("kyniem.yaml"), atomically: true, encoding: .utf8)
        let template = try Kyniem.shell(#"timeout 10 "$KYNIEM" check"#, in: folder)
        #expect(template.status == 2)
        #expect(template.stderr.contains("template: cannot read \(folder.path)/body.mustache: it is a FIFO, not a regular file"), "\(template.stderr)")
    }

    @Test func aConfigurationLargerThan256MiBIsRefusedUnread() throws {
        let folder = Kyniem.temporaryFolder()
        let path = folder.appendingPathComponent("huge.yaml").path
        // Sparse: no disk is used, and kyniem must not read it to refuse it.
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        #expect(truncate(path, 257 << 20) == 0)
        let result = try Kyniem.shell(#"timeout 10 "$KYNIEM" check --config huge.yaml"#, in: folder)
        #expect(result.status == 2)
        #expect(result.stderr.contains("huge.yaml: cannot read the configuration file: it is larger than 256 MiB"), "\(result.stderr)")
    }
}

/// Issue 9's crashes, end to end: the values that crashed `run` are refused by `check` with their
/// place, and a configuration at the edge of every range runs under every command.
@Suite struct EdgeConfigurationTests {
    static let edges = """
        home: {country: VN, timezone: Pacific/Kiritimati, language: en, weekend: [monday, tuesday, wednesday, thursday, friday, saturday]}
        calendars: []
        state: state/ledger.sqlite
        catch_up: 366d
        reminders: {major: [3660d, 0d], notable: [3660d, 3660d], routine: [3660d, 1d, 0d]}
        notifiers:
          - {id: log, type: file, path: sent}
        events:
          - {id: first-day, date: 0001-01-01, title: "{ordinal} \\u0000\\a\\u202E"}
          - {id: last-day, once: 9999-12-31, title: last-day}
          - {id: leap-day, date: {month: 2, day: 29}, since: 9999, title: leap-day}
          - {id: lunar-30, lunar: {month: 12, day: 30}, day_off: true, title: lunar-30}
          - {id: lunar-leap, lunar: {month: 4, day: last, leap: true}, since: 1, title: lunar-leap}
        checklists:
          - for: {}
            tasks:
              - {id: early, at: -3660d, title: early}
              - {id: late, at: +3660d, title: late}

        """

    @Test func theCrashesOfIssueNineAreConfigurationErrors() throws {
        let folder = Kyniem.temporaryFolder()
        try """
            calendars: []
            catch_up: 3000000d
            reminders: {routine: [99999999d]}
            home: {weekend: [monday, tuesday, wednesday, thursday, friday, saturday, sunday]}
            checklists:
              - tasks: [{id: far, at: +99999999d, title: far}]

            """.write(to: folder.appendingPathComponent("kyniem.yaml"), atomically: true, encoding: .utf8)
        for command in [["check"], ["run", "--date", "2027-01-01"], ["upcoming"]] {
            let result = try Kyniem.run(command, in: folder)
            #expect(result.status == 2)
            #expect(result.stderr.contains("kyniem.yaml:2:11: expected a catch-up window from 0d to 366d, found 3000000d"))
            #expect(result.stderr.contains("kyniem.yaml:3:23: expected a lead time from 0d to 3660d, found 99999999d"))
            #expect(result.stderr.contains("kyniem.yaml:4:17: a weekend of all seven days leaves no working day"))
            #expect(result.stderr.contains("kyniem.yaml:6:27: expected a task offset from -3660d to +3660d, found +99999999d"), "\(result.stderr)")
        }
    }

    @Test func aConfigurationAtEveryEdgeRunsUnderEveryCommand() throws {
        let folder = Kyniem.temporaryFolder()
        try Self.edges.write(to: folder.appendingPathComponent("kyniem.yaml"), atomically: true, encoding: .utf8)
        let commands: [[String]] = [
            ["check"],
            ["upcoming", "--from", "0001-01-01", "--days", "3660", "--format", "json"],
            ["upcoming", "--from", "9999-12-31", "--days", "3660"],
            ["calendar", "--year", "1", "--format", "html", "--output", "1.html"],
            ["calendar", "--year", "9999", "--format", "ics", "--output", "9999.ics"],
            ["explain", "lunar-leap", "--year", "9999"], ["explain", "first-day", "--year", "1"],
            ["run", "--dry-run", "--date", "0001-01-01"], ["run", "--date", "9999-12-31", "--format", "json"],
            ["run", "--date", "0001-01-01"],
        ]
        for command in commands {
            let result = try Kyniem.shell(#"timeout 20 "$KYNIEM" \#(command.joined(separator: " "))"#, in: folder)
            #expect(result.status == 0, "\(command): exit \(result.status)\n\(result.stderr)")
        }
    }
}
