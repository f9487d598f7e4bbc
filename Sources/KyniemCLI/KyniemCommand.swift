import ArgumentParser
import Foundation
import KyniemNotifiers

public struct KyniemCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "kyniem",
        abstract: "Anniversaries of diplomatic relations, national days and home observances: plan, remind, publish.",
        discussion: """
            Exit codes: 0 success; 1 some deliveries failed (retried on the next run); \
            2 invalid configuration or arguments; 3 another `kyniem run` holds the state lock; \
            4 an output could not be written (a full disk, a closed pipe, a folder without write permission).
            """,
        version: KyniemVersion.current,
        subcommands: [
            Upcoming.self, Explain.self, CalendarCommand.self, Run.self, LedgerCommand.self, Check.self, Plugins.self, Init.self,
            Publish.self,
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
        // A closed pipe on standard output must be a write error (EPIPE) that ends the command
        // with exit 4, not a signal that kills it. Child processes get the default back
        // (ChildProcess spawns with POSIX_SPAWN_SETSIGDEF).
        signal(SIGPIPE, SIG_IGN)
        do {
            var command = try KyniemCommand.parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            finish(0)
        } catch let failure as CommandFailure {
            if !failure.message.isEmpty { Terminal.error(failure.message) }
            finish(failure.code)
        } catch {
            let code = KyniemCommand.exitCode(for: error)
            let message = KyniemCommand.fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { Terminal.out(message + "\n") }
                finish(0)
            }
            if !message.isEmpty { Terminal.error(message) }
            // Argument errors are exit 2 (SPEC.md), not argument-parser's 64.
            finish(code == .validationFailure ? 2 : code.rawValue)
        }
    }

    /// Exits with `code`, or with 4 when the command otherwise succeeded but standard output
    /// could not be written. A command's own failure takes precedence (a run whose deliveries
    /// failed exits 1 even if its report could not be printed too: the retry is what cron must
    /// learn about); the write error is reported on standard error either way, except a closed
    /// pipe (`kyniem upcoming | head`), which ends quietly as it does for other Unix tools.
    static func finish(_ code: Int32) -> Never {
        guard let failure = Terminal.outputFailure else { exit(code) }
        if failure != EPIPE {
            Terminal.error("kyniem: cannot write to standard output: \(String(cString: strerror(failure)))")
        }
        exit(code == 0 ? 4 : code)
    }
}

/// A command's deliberate exit with a SPEC.md code and a message for standard error.
struct CommandFailure: Error {
    let code: Int32
    let message: String

    static func invalid(_ message: String) -> CommandFailure { CommandFailure(code: 2, message: message) }

    /// Exit 4 (SPEC.md): an output could not be written, with the reason.
    static func unwritable(_ message: String) -> CommandFailure { CommandFailure(code: 4, message: message) }
}

/// Standard output and standard error, written with `write(2)` so that a failure is an error
/// the command can report (Foundation's `FileHandle.write(_:)` traps on one).
enum Terminal {
    private static let state = OutputState()

    /// The `errno` of the first failed write to standard output, if any.
    static var outputFailure: Int32? { state.failure }

    static func error(_ text: String) {
        // Nowhere is left to report a failure to write standard error: the exit code still tells.
        _ = writeAll(STDERR_FILENO, text.hasSuffix("\n") ? text : text + "\n")
    }

    /// Writes to standard output, unbuffered. After a failure, later writes are skipped and the
    /// process exits 4 once the command is done (`KyniemMain.finish`); the command itself goes
    /// on, so a run that has already sent still records everything in its ledger.
    static func out(_ text: String) {
        state.withLock { failure in
            guard failure == nil else { return }
            failure = writeAll(STDOUT_FILENO, text)
        }
    }

    /// Every byte of `text` to `fd`, or the `errno` of the write that failed.
    static func writeAll(_ fd: Int32, _ text: String) -> Int32? {
        var text = text
        return text.withUTF8 { bytes -> Int32? in
            guard var next = bytes.baseAddress else { return nil }
            var left = bytes.count
            while left > 0 {
                let written = write(fd, next, left)
                if written >= 0 {
                    next += written
                    left -= written
                    continue
                }
                switch errno {
                case EINTR:
                    continue
                case EAGAIN, EWOULDBLOCK:
                    // A non-blocking descriptor inherited from the caller: wait until it drains.
                    var ready = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&ready, 1, -1)
                default:
                    return errno
                }
            }
            return nil
        }
    }
}

/// The first standard-output failure, behind a lock: console notifiers may write from any thread.
private final class OutputState: @unchecked Sendable {
    private let lock = NSLock()
    private var firstFailure: Int32?

    var failure: Int32? { lock.withLock { firstFailure } }

    func withLock(_ body: (inout Int32?) -> Void) {
        lock.withLock { body(&firstFailure) }
    }
}
