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
