import Foundation
import Testing

/// Issue 10, item 6: a Unix tool's conventions — `--version`, a man page that follows the
/// commands, shell completions from the argument parser.
@Suite struct ConventionsTests {
    @Test func versionPrintsTheVersionAndExitsZero() throws {
        let result = try Kyniem.run(["--version"])
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        #expect(result.stdout.range(of: #"^\d+\.\d+\.\d+\n$"#, options: .regularExpression) != nil, "\(result.stdout)")
    }

    /// `scripts/gen-man.py --check` compares the whole page (CI runs it); this catches a new
    /// command or option, or a version bump, without the page being regenerated.
    @Test func theManPageCoversEveryCommandAndOption() throws {
        let page = try String(
            contentsOf: Kyniem.repository.appendingPathComponent("docs/man/kyniem.1"), encoding: .utf8)
        let version = try Kyniem.run(["--version"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(page.contains("\"kyniem \(version)\""), "docs/man/kyniem.1 is not for \(version): run scripts/gen-man.py")
        let dump = try Kyniem.run(["--experimental-dump-help"])
        let info = try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any]
        let command = try #require(info?["command"] as? [String: Any])
        let subcommands = try #require(command["subcommands"] as? [[String: Any]])
        for subcommand in subcommands {
            let name = try #require(subcommand["commandName"] as? String)
            if name == "help" { continue }
            #expect(page.contains(".SS kyniem \(name)\n"), "the man page has no section for \(name): run scripts/gen-man.py")
            for argument in subcommand["arguments"] as? [[String: Any]] ?? [] {
                guard let names = argument["names"] as? [[String: Any]], argument["kind"] as? String != "positional" else { continue }
                for option in names where option["kind"] as? String == "long" {
                    let flag = (option["name"] as? String ?? "").replacingOccurrences(of: "-", with: "\\-")
                    if flag == "help" || flag == "version" { continue }
                    #expect(page.contains("\\-\\-\(flag)"), "the man page does not mention \(name) --\(flag): run scripts/gen-man.py")
                }
            }
        }
    }

    @Test func completionScriptsNameEveryCommand() throws {
        for shell in ["bash", "zsh", "fish"] {
            let result = try Kyniem.run(["--generate-completion-script", shell])
            #expect(result.status == 0, "\(shell): \(result.stderr)")
            for command in ["upcoming", "explain", "calendar", "run", "check", "plugins", "init"] {
                #expect(result.stdout.contains(command), "\(shell) completion lacks \(command)")
            }
        }
    }

    /// Foundation's folder creation said "The operation could not be completed"; the reason is
    /// the system's.
    @Test func aLedgerFolderThatCannotBeMadeSaysWhy() throws {
        let folder = Kyniem.temporaryFolder()
        try "x".write(to: folder.appendingPathComponent("plain-file"), atomically: true, encoding: .utf8)
        try """
            calendars: []
            state: plain-file/state/ledger.sqlite
            notifiers: [{id: console, type: console}]
            events: [{id: visit, title: Visit, once: 2027-05-12}]

            """.write(to: folder.appendingPathComponent("kyniem.yaml"), atomically: true, encoding: .utf8)
        let result = try Kyniem.run(["run", "--date", "2027-05-12"], in: folder)
        #expect(result.status != 0)
        #expect(result.stderr.contains("cannot create folder \(folder.path)/plain-file/state: Not a directory"), "\(result.stderr)")
        #expect(!result.stderr.contains("could not be completed"))
    }
}
