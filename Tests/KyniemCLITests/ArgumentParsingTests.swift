import Foundation
import ArgumentParser
import Testing

@testable import KyniemCLI

/// `KyniemMain.parse` parses `kyniem SUBCOMMAND …` as the subcommand alone (start-up), falling
/// back to the root for everything else: the result, or the error, must be the root's own.
@Suite struct ArgumentParsingTests {
    static func dumped(_ command: ParsableCommand) -> String {
        var text = ""
        dump(command, to: &text)
        return text
    }

    @Test func everySubcommandIsFoundByItsName() {
        for type in KyniemCommand.configuration.subcommands {
            let name = type.configuration.commandName ?? ""
            #expect(KyniemMain.subcommand(named: name) == type, "\(name)")
            #expect(type.configuration._superCommandName == "kyniem", "\(name)")
        }
        #expect(KyniemMain.subcommand(named: "help") == nil)
    }

    static let valid: [[String]] = [
        ["upcoming"],
        ["upcoming", "--from", "2027-03-03", "--days", "1"],
        ["upcoming", "--config", "k.yaml", "--until", "2027-12-31", "--format", "json", "--lang", "en", "--tier", "major",
         "--tier", "notable", "--kind", "holiday", "--country", "jp"],
        ["upcoming", "--days", "-5"],
        ["calendar", "--year", "2027", "--format", "csv", "--output", "out.csv"],
        ["ledger"],
        ["ledger", "list", "--status", "failed", "--format", "json"],
        ["ledger", "resend", "abc"],
        ["explain", "jp-relations", "--year", "2028", "--sources"],
        ["explain", "upcoming"],
        ["run", "--date", "2027-03-03", "--dry-run", "--format", "json", "-v"],
        ["check", "--config", "/etc/kyniem.yaml"],
        ["plugins"],
        ["init", "--force"],
        ["publish", "site", "--lang", "vi", "--date", "2027-03-03"],
    ]

    @Test("A valid command parses as the root parses it", arguments: valid)
    func sameCommand(_ arguments: [String]) throws {
        let direct = try KyniemMain.parse(arguments)
        let root = try KyniemCommand.parseAsRoot(arguments)
        #expect(type(of: direct) == type(of: root))
        #expect(Self.dumped(direct) == Self.dumped(root))
    }

    static let refused: [[String]] = [
        [], ["--version"], ["upcoming", "--help"], ["upcoming", "-h"], ["upcoming", "--version"], ["help", "upcoming"],
        ["upcoming", "--days"], ["upcoming", "--frm", "2027-01-01"], ["upcoming", "--format", "xml"], ["upcoming", "extra"],
        ["calendar"], ["explain"], ["--generate-completion-script", "bash"], ["upcoming", "--generate-completion-script", "bash"],
        ["nosuch"],
    ]

    @Test("Anything else fails, or exits, exactly as from the root", arguments: refused)
    func sameFailure(_ arguments: [String]) {
        func outcome(_ parse: () throws -> ParsableCommand) -> String {
            do {
                return "parsed " + Self.dumped(try parse())
            } catch {
                return "\(KyniemCommand.exitCode(for: error).rawValue): \(KyniemCommand.fullMessage(for: error))"
            }
        }
        #expect(outcome { try KyniemMain.parse(arguments) } == outcome { try KyniemCommand.parseAsRoot(arguments) })
    }
}

/// `kyniem upcoming` given plain long options is read without argument-parser
/// (`Upcoming.Request.init?(plain:)`): what it reads must be what argument-parser reads, and
/// whatever argument-parser would word (help, an error, a doubtful value) must be left to it.
@Suite struct PlainUpcomingArgumentsTests {
    static let plain: [[String]] = [
        [],
        ["--from", "2027-03-03", "--days", "1"],
        ["--from=2027-03-03", "--days=1"],
        ["--days", "+5"],
        ["--days", "0"],
        ["--days", "99999"],
        ["--from", "3/3/2027"],
        ["--until", "2027-12-31", "--from", "2027-01-01", "--days", "3"],
        ["--config", "k.yaml", "--until", "2027-12-31", "--format", "json", "--lang", "en", "--tier", "major",
         "--tier", "notable", "--kind", "holiday", "--country", "jp"],
        ["--country=jp", "--country", "FR", "--tier=routine", "--kind", "nosuch", "--lang", "xx"],
        ["--config", "~/dir with space/k.yaml", "--format=text"],
    ]

    @Test("Plain options give argument-parser's own values", arguments: plain)
    func sameValues(_ arguments: [String]) throws {
        let fast = try #require(Upcoming.Request(plain: arguments[...]))
        let parsed = try #require(try KyniemCommand.parseAsRoot(["upcoming"] + arguments) as? Upcoming)
        #expect(fast == parsed.request)
    }

    static let notPlain: [[String]] = [
        ["--help"], ["-h"], ["--version"], ["help"], ["extra"], ["--"], ["--from"], ["--from", "--days", "1"],
        ["--days", "-5"], ["--days=-5"], ["--days", "five"], ["--days", "1.5"], ["--format", "xml"], ["--format", "JSON"],
        ["--from", "2027-01-01", "--from", "2027-02-01"], ["--from="], ["--from", ""], ["--from=a=b"], ["--frm", "2027-01-01"],
        ["--From", "2027-01-01"], ["-from", "2027-01-01"], ["--generate-completion-script", "bash"],
        ["--experimental-dump-help"], ["--days", "1", "2027-01-01"],
    ]

    @Test("Anything else is left to argument-parser", arguments: notPlain)
    func leftToArgumentParser(_ arguments: [String]) {
        #expect(Upcoming.Request(plain: arguments[...]) == nil)
    }

    /// The long options a command's help lists (without help and version).
    static func declared(_ command: ParsableCommand.Type) -> Set<String> {
        let help = command.helpMessage(columns: 200)
        return Set(help.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "-") })
            .filter { $0.hasPrefix("--") && $0.count > 2 }.map { String($0.dropFirst(2)) })
            .subtracting(["help", "version"])
    }

    @Test func onlyDeclaredOptionsArePlain() throws {
        // Every option a command declares, and no other, is read plainly: a new option added to
        // the command without `init?(plain:)` knowing it falls back rather than being dropped.
        let declared = Self.declared(Upcoming.self)
        #expect(declared == ["config", "from", "days", "until", "format", "lang", "tier", "kind", "country"])
        for name in declared {
            let value = name == "days" ? "3" : name == "format" ? "json" : "x"
            #expect(Upcoming.Request(plain: ["--\(name)", value]) != nil, "\(name)")
        }
        #expect(Upcoming.Request(plain: ["--year", "2027"]) == nil)
    }
}

/// `kyniem calendar`, `check` and `run` given plain long options are read without
/// argument-parser too (`KyniemMain.plainCommand`), under the same rule as `upcoming`.
@Suite struct PlainCalendarAndCheckArgumentsTests {
    static let plainCalendar: [[String]] = [
        ["--year", "2027"],
        ["--year=2027", "--format=csv"],
        ["--format", "html", "--year", "+2027", "--lang", "en", "--output", "out.html"],
        ["--year", "0"], ["--year", "12000"],
        ["--config", "k.yaml", "--year", "2028", "--tier", "major", "--kind", "holiday", "--country", "jp", "--country", "FR"],
    ]

    @Test("Plain calendar options give argument-parser's own values", arguments: plainCalendar)
    func sameCalendarValues(_ arguments: [String]) throws {
        let fast = try #require(CalendarCommand.Request(plain: arguments[...]))
        let parsed = try #require(try KyniemCommand.parseAsRoot(["calendar"] + arguments) as? CalendarCommand)
        #expect(fast == parsed.request)
    }

    static let notPlainCalendar: [[String]] = [
        [], ["--format", "ics"], ["--year"], ["--year", "-1"], ["--year", "two"], ["--year", "2027", "--format", "pdf"],
        ["--year", "2027", "--year", "2028"], ["--year", "2027", "-o", "x"], ["--year", "2027", "--output", "-"],
        ["--year", "2027", "--help"], ["--year", "2027", "extra"], ["--year", "2027", "--from", "2027-01-01"],
    ]

    @Test("Anything else in calendar is left to argument-parser", arguments: notPlainCalendar)
    func calendarLeftToArgumentParser(_ arguments: [String]) {
        #expect(CalendarCommand.Request(plain: arguments[...]) == nil)
    }

    @Test(arguments: [[], ["--config", "k.yaml"], ["--config=/etc/kyniem.yaml"]])
    func sameCheckValues(_ arguments: [String]) throws {
        let fast = try #require(Check.Request(plain: arguments[...]))
        let parsed = try #require(try KyniemCommand.parseAsRoot(["check"] + arguments) as? Check)
        #expect(fast == parsed.request)
    }

    @Test(arguments: [["--help"], ["--config"], ["--config", "a", "--config", "b"], ["k.yaml"], ["--days", "1"]])
    func checkLeftToArgumentParser(_ arguments: [String]) {
        #expect(Check.Request(plain: arguments[...]) == nil)
    }

    static let plainRun: [[String]] = [
        [], ["--dry-run"], ["--date", "2027-03-03", "--dry-run", "--format", "json"], ["--backfill", "--verbose"],
        ["--config=k.yaml", "--date=2027-03-03", "--verbose", "--backfill", "--dry-run"],
    ]

    @Test("Plain run options and flags give argument-parser's own values", arguments: plainRun)
    func sameRunValues(_ arguments: [String]) throws {
        let fast = try #require(Run.Request(plain: arguments[...]))
        let parsed = try #require(try KyniemCommand.parseAsRoot(["run"] + arguments) as? Run)
        #expect(fast == parsed.request)
    }

    @Test(arguments: [
        ["-v"], ["--dry-run", "--dry-run"], ["--dry-run=true"], ["--verbose=1"], ["--date"], ["--date", "-5"],
        ["--format", "xml"], ["--dry-run", "now"], ["--backfill", "-v"], ["--help"], ["--quiet"],
    ])
    func runLeftToArgumentParser(_ arguments: [String]) {
        #expect(Run.Request(plain: arguments[...]) == nil)
    }

    @Test func onlyDeclaredOptionsArePlain() {
        let run = PlainUpcomingArgumentsTests.declared(Run.self)
        #expect(run == ["config", "date", "dry-run", "format", "backfill", "verbose"])
        for name in run {
            let arguments = ["dry-run", "backfill", "verbose"].contains(name) ? ["--\(name)"] : ["--\(name)", name == "format" ? "json" : "x"]
            #expect(Run.Request(plain: arguments[...]) != nil, "\(name)")
        }
        let calendar = PlainUpcomingArgumentsTests.declared(CalendarCommand.self)
        #expect(calendar == ["config", "year", "format", "lang", "output", "tier", "kind", "country"])
        for name in calendar where name != "year" {
            let value = name == "format" ? "csv" : "x"
            #expect(CalendarCommand.Request(plain: ["--year", "2027", "--\(name)", value]) != nil, "\(name)")
        }
        #expect(PlainUpcomingArgumentsTests.declared(Check.self) == ["config"])
    }

    @Test func onlyTheseCommandsAreReadPlainly() {
        #expect(KyniemMain.plainCommand(["upcoming"]) != nil)
        #expect(KyniemMain.plainCommand(["calendar", "--year", "2027"]) != nil)
        #expect(KyniemMain.plainCommand(["check"]) != nil)
        #expect(KyniemMain.plainCommand(["run"]) != nil)
        for name in ["ledger", "plugins", "init", "publish", "help", "--config"] {
            #expect(KyniemMain.plainCommand([name]) == nil, "\(name)")
            #expect(KyniemMain.plainCommand([name, "--config", "k.yaml"]) == nil, "\(name)")
        }
        #expect(KyniemMain.plainCommand([]) == nil)
    }

    /// End to end: calendar and check read plainly and by argument-parser (a repeated option is
    /// argument-parser's) print the same and fail the same.
    @Test(arguments: [
        (["calendar", "--year", "2027", "--format", "csv"], ["calendar", "--year", "1999", "--year", "2027", "--format", "csv"]),
        (["calendar", "--year", "2027", "--format", "md", "--lang", "en", "--tier", "major"],
         ["calendar", "--year", "2027", "--format", "ics", "--format", "md", "--lang", "en", "--tier", "major"]),
        (["calendar", "--year", "0"], ["calendar", "--year", "2027", "--year", "0"]),
        (["calendar", "--year", "2027", "--country", "zz"], ["calendar", "--year", "2027", "--year", "2027", "--country", "zz"]),
        (["check"], ["check", "--config", "nowhere.yaml", "--config", "kyniem.yaml"]),
        (["check", "--config", "nowhere.yaml"], ["check", "--config", "kyniem.yaml", "--config", "nowhere.yaml"]),
        (["run", "--dry-run", "--date", "2027-03-03"], ["run", "--date", "2027-01-01", "--dry-run", "--date", "2027-03-03"]),
        (["run", "--date", "2027-03-03", "--dry-run", "--format", "json"],
         ["run", "--date", "2027-03-03", "--dry-run", "--format", "text", "--format", "json"]),
        (["run", "--date", "2027-13-03", "--dry-run"], ["run", "--date", "2027-03-03", "--date", "2027-13-03", "--dry-run"]),
    ])
    func plainAndParsedRunTheSame(plain: [String], parsed: [String]) throws {
        #expect(KyniemMain.plainCommand(plain) != nil)
        #expect(KyniemMain.plainCommand(parsed) == nil)
        let folder = Kyniem.temporaryFolder()
        try """
            home: {country: VN, timezone: Asia/Ho_Chi_Minh, language: vi}
            calendars: [bundled:vietnam]
            notifiers: [{id: console, type: console}]

            """.write(to: folder.appendingPathComponent("kyniem.yaml"), atomically: true, encoding: .utf8)
        let a = try Kyniem.run(plain, in: folder)
        let b = try Kyniem.run(parsed, in: folder)
        #expect(a.status == b.status)
        #expect(a.stderr == b.stderr)
        // (CSV and Markdown only: the ICS and JSON calendars carry the second they were made.)
        #expect(a.stdout == b.stdout)
        #expect(!a.stdout.isEmpty || !a.stderr.isEmpty)
    }
}

extension PlainUpcomingArgumentsTests {
    /// `KyniemMain.main` prints `KyniemVersion.current` for `--version` alone, without
    /// argument-parser: what its version flag would print, with the same success.
    @Test func versionIsArgumentParsersOwn() {
        do {
            _ = try KyniemCommand.parseAsRoot(["--version"])
            Issue.record("--version parsed as a command")
        } catch {
            #expect(KyniemCommand.exitCode(for: error) == .success)
            #expect(KyniemCommand.fullMessage(for: error) == KyniemVersion.current)
        }
    }
}

extension PlainUpcomingArgumentsTests {
    /// End to end: the same request read plainly and by argument-parser (a repeated option is
    /// left to argument-parser, which takes the last) prints the same, and fails the same.
    @Test(arguments: [
        (["--from", "2027-03-03", "--days", "40", "--lang", "en"],
         ["--from", "2027-03-03", "--days", "2", "--days", "40", "--lang", "en"]),
        (["--from", "2027-03-03", "--days", "9", "--format", "json", "--tier", "major"],
         ["--from", "2027-03-03", "--days", "9", "--format", "text", "--format", "json", "--tier", "major"]),
        (["--from", "2027-03-03", "--days", "0"], ["--from", "2027-03-03", "--days", "5", "--days", "0"]),
        (["--from", "2027-02-30", "--days", "3"], ["--from", "2027-03-03", "--from", "2027-02-30", "--days", "3"]),
        (["--country", "zz", "--from", "2027-03-03"], ["--country", "zz", "--from", "2027-01-01", "--from", "2027-03-03"]),
    ])
    func plainAndParsedRunTheSame(plain: [String], parsed: [String]) throws {
        #expect(Upcoming.Request(plain: plain[...]) != nil)
        #expect(Upcoming.Request(plain: parsed[...]) == nil)
        let a = try Kyniem.run(["upcoming"] + plain)
        let b = try Kyniem.run(["upcoming"] + parsed)
        #expect(a.status == b.status)
        #expect(a.stdout == b.stdout)
        #expect(a.stderr == b.stderr)
        #expect(!a.stdout.isEmpty || !a.stderr.isEmpty)
    }
}
