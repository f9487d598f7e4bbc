import ArgumentParser
import Foundation
import KyniemNotifiers
import KyniemPlugins
import KyniemRender

public struct KyniemCommand: ParsableCommand {
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
    /// Synchronous: no command awaits anything, and an async entry point would start the
    /// concurrency runtime and hop to one of its threads on every start.
    public static func main(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> Never {
        // kyniem starts no process but plugins, so any child no running plugin accounts for is a
        // plugin's orphan, killed when the last plugin ends (ChildProcess.swift).
        ChildProcesses.sweepsUnclaimedChildren = true
        // A closed pipe on standard output must be a write error (EPIPE) that ends the command
        // with exit 4, not a signal that kills it. Child processes get the default back
        // (ChildProcess spawns with POSIX_SPAWN_SETSIGDEF).
        signal(SIGPIPE, SIG_IGN)
        // `kyniem --version` alone prints what argument-parser's version flag prints (tested),
        // without building its model of every command first.
        if arguments == ["--version"] {
            Terminal.out(KyniemVersion.current + "\n")
            finish(0)
        }
        do {
            if let plain = plainCommand(arguments) {
                try plain()
            } else {
                var command = try parse(arguments)
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

    /// The command `arguments` run, when they are a plain use of `upcoming`, `calendar`, `check`,
    /// `run` or `explain` (long options with plain values: `PlainArguments`; `explain`'s event id
    /// first), read without argument-parser;
    /// nil for anything else, which argument-parser reads (help, errors and all).
    static func plainCommand(_ arguments: [String]) -> (() throws -> Void)? {
        let type: (any PlainRequest.Type)? =
            switch arguments.first {
            case "upcoming": Upcoming.Request.self
            case "calendar": CalendarCommand.Request.self
            case "check": Check.Request.self
            case "run": Run.Request.self
            case "explain": Explain.Request.self
            default: nil
            }
        return type?.init(plain: arguments.dropFirst()).map { request in { try request.run() } }
    }

    /// The command `arguments` name. `kyniem upcoming …` is parsed as `upcoming …` first, without
    /// the tree of every subcommand and without argument-parser's check for a completion-script
    /// request (each subcommand names `kyniem` as its super-command, which only a subcommand
    /// parsed on its own consults): the type lookups behind both are half of argument parsing at
    /// start-up. Anything that is not a plain, valid use of one subcommand (help, `--version`,
    /// completion scripts, any error) is parsed again from the root, so messages, usage lines
    /// and exit codes are exactly the root's.
    static func parse(_ arguments: [String]) throws -> ParsableCommand {
        // `upcoming --help` parses, as argument-parser's own help command: only the subcommand
        // itself is taken.
        if let name = arguments.first, let subcommand = subcommand(named: name),
            let command = try? subcommand.parseAsRoot(Array(arguments.dropFirst())),
            type(of: command) == subcommand
        {
            return command
        }
        return try KyniemCommand.parseAsRoot(arguments)
    }

    /// The subcommand of `KyniemCommand` called `name`, by a switch rather than by reading every
    /// subcommand's configuration (a test checks both agree).
    static func subcommand(named name: String) -> ParsableCommand.Type? {
        switch name {
        case "upcoming": Upcoming.self
        case "explain": Explain.self
        case "calendar": CalendarCommand.self
        case "run": Run.self
        case "check": Check.self
        case "plugins": Plugins.self
        case "init": Init.self
        case "publish": Publish.self
        case "ledger": LedgerCommand.self
        default: nil
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

    /// A buffer whose chunks go to standard output as `out` writes them (64 KiB at a time):
    /// a long document is written as it is rendered, never held whole. Call `finish()` on it
    /// after the last write. A failed write is handled as by `out`: exit 4 once the command is done.
    static func stream() -> OutputBuffer {
        OutputBuffer { bytes in
            state.withLock { failure in
                guard failure == nil else { return }
                failure = writeAll(STDOUT_FILENO, bytes)
            }
        }
    }

    /// Every byte of `text` to `fd`, or the `errno` of the write that failed.
    static func writeAll(_ fd: Int32, _ text: String) -> Int32? {
        var text = text
        return text.withUTF8 { writeAll(fd, UnsafeRawBufferPointer($0)) }
    }

    /// Every byte of `bytes` to `fd`, or the `errno` of the write that failed.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32? {
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

/// The first standard-output failure, behind a lock: console notifiers may write from any thread.
private final class OutputState: @unchecked Sendable {
    private let lock = NSLock()
    private var firstFailure: Int32?

    var failure: Int32? { lock.withLock { firstFailure } }

    func withLock(_ body: (inout Int32?) -> Void) {
        lock.withLock { body(&firstFailure) }
    }
}
