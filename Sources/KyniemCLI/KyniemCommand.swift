import ArgumentParser
import Foundation
import KyniemNotifiers

public struct KyniemCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "kyniem",
        abstract: "Anniversaries of diplomatic relations, national days and home observances: plan, remind, publish.",
        discussion: """
            Exit codes: 0 success; 1 some deliveries failed (retried on the next run); \
            2 invalid configuration or arguments; 3 another `kyniem run` holds the state lock.
            """,
        subcommands: [
            Upcoming.self, Explain.self, CalendarCommand.self, Run.self, Check.self, Plugins.self, Init.self,
        ]
    )

    public init() {}
}

/// The process entry point: parses, runs, and maps every failure onto SPEC.md's exit codes.
public enum KyniemMain {
    public static func main(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) async -> Never {
        // kyniem starts no process but plugins, so any child no running plugin accounts for is a
        // plugin's orphan, killed when the last plugin ends (ChildProcess.swift).
        ChildProcesses.sweepsUnclaimedChildren = true
        do {
            var command = try KyniemCommand.parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            exit(0)
        } catch let failure as CommandFailure {
            if !failure.message.isEmpty { Terminal.error(failure.message) }
            exit(failure.code)
        } catch {
            let code = KyniemCommand.exitCode(for: error)
            let message = KyniemCommand.fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                exit(0)
            }
            if !message.isEmpty { Terminal.error(message) }
            // Argument errors are exit 2 (SPEC.md), not argument-parser's 64.
            exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }
}

/// A command's deliberate exit with a SPEC.md code and a message for standard error.
struct CommandFailure: Error {
    let code: Int32
    let message: String

    static func invalid(_ message: String) -> CommandFailure { CommandFailure(code: 2, message: message) }
}

enum Terminal {
    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }

    /// Writes to standard output without Swift's print buffering surprises around `exit`.
    static func out(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
