import ArgumentParser
import Foundation
import KyniemConfig
import KyniemCore
import KyniemDispatch
import KyniemNotifiers
import KyniemPlugins
import KyniemState

/// `kyniem ledger`: the state ledger for people — what was sent, failed, expired or resent by
/// hand — and the two things an administrator does to it on purpose: resend one delivery, and
/// copy an office's ledger to another backend (SQLite to PostgreSQL).
struct LedgerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger", _superCommandName: "kyniem",
        abstract: "List the state ledger's deliveries; resend one on purpose; copy the ledger to PostgreSQL.",
        discussion: """
            Works the same on a SQLite file and a PostgreSQL `state:`. Listing reads without the \
            run lock and changes nothing; `resend` and `copy` take the run lock (exit 3 while a \
            `kyniem run` holds it).
            """,
        subcommands: [LedgerList.self, LedgerResend.self, LedgerCopy.self],
        defaultSubcommand: LedgerList.self)
}

struct LedgerList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List deliveries: sent, pending, failed (and why), expired, and manual resends.",
        discussion: """
            One line per delivery, oldest due date first, with its manual resends below it. \
            --from and --until select by the day the step fell due (inclusive), not the day it \
            was recorded. --status resent lists deliveries resent by hand at least once. \
            JSON: {"state", "deliveries": [{"key", "event", "occurrence", "step", "notifier", \
            "due", "status", "attempts", "first_attempt_at", "last_attempt_at", "sent_at", \
            "last_error", "expiry_reported_at", "resends": [{"at", "status", "error"}]}]} \
            (docs/dispatch.md).
            """)

    enum StatusFilter: String, ExpressibleByArgument, CaseIterable {
        case pending, sent, failed, expired, resent
    }

    @OptionGroup var config: ConfigOption
    @Option(help: "Only this event id.")
    var event: String?
    @Option(help: "Only this notifier id.")
    var notifier: String?
    @Option(parsing: .unconditional, help: "Only deliveries due on or after this date (YYYY-MM-DD).")
    var from: String?
    @Option(parsing: .unconditional, help: "Only deliveries due on or before this date (YYYY-MM-DD).")
    var until: String?
    @Option(help: "pending, sent, failed, expired or resent.")
    var status: StatusFilter?
    @Option(help: "text or json.")
    var format: OutputFormat = .text

    func run() throws {
        let context = try CommandContext.load(config)
        let state = context.configuration.statePath
        let fromDate = try from.map { try CommandContext.date($0, option: "--from") }
        let untilDate = try until.map { try CommandContext.date($0, option: "--until") }
        let ledger: (any StateLedger)?
        do {
            ledger = try OfficeState.openReadOnly(state)
        } catch {
            throw CommandFailure(code: 1, message: error.description)
        }
        var entries: [LedgerEntry] = []
        var resends: [String: [ResendRecord]] = [:]
        var location = PostgresURL.isURL(state) ? (try? PostgresURL.parse(state).get().display) ?? state : state
        if let ledger {
            do {
                entries = try ledger.entries()
                for record in try ledger.resends() { resends[record.key, default: []].append(record) }
            } catch {
                throw CommandFailure(code: 1, message: error.description)
            }
            location = ledger.location
        }
        let selected = entries.filter { entry in
            if let event, entry.event != event { return false }
            if let notifier, entry.notifier != notifier { return false }
            if let fromDate, entry.due < fromDate.iso { return false }
            if let untilDate, entry.due > untilDate.iso { return false }
            switch status {
            case nil: return true
            case .resent: return resends[entry.key] != nil
            case .some(let wanted): return entry.status.rawValue == wanted.rawValue
            }
        }
        if format == .json {
            Terminal.out(Self.json(selected, resends: resends, state: location))
            return
        }
        if ledger == nil {
            Terminal.error("no state ledger yet at \(location): no run has recorded anything")
            return
        }
        Terminal.out(Self.text(selected, resends: resends, state: location))
    }

    static func text(_ entries: [LedgerEntry], resends: [String: [ResendRecord]], state: String) -> String {
        var out = ""
        let keyWidth = min(60, entries.map(\.key.count).max() ?? 3)
        let notifierWidth = max(8, entries.map(\.notifier.count).max() ?? 0)
        out += "DUE         STATUS   \("NOTIFIER".padding(toLength: notifierWidth))  \("KEY".padding(toLength: keyWidth))  DETAIL\n"
        for entry in entries {
            out += "\(entry.due)  \(entry.status.rawValue.padding(toLength: 7))  \(entry.notifier.padding(toLength: notifierWidth))  "
            out += "\(entry.key.padding(toLength: keyWidth))  \(detail(entry))\n"
            for record in resends[entry.key] ?? [] {
                out += "    resent by hand \(record.at): \(record.status)\(record.error.map { " (\($0))" } ?? "")\n"
            }
        }
        var counts: [String: Int] = [:]
        for entry in entries { counts[entry.status.rawValue, default: 0] += 1 }
        let summary = LedgerStatus.allCases.compactMap { status in counts[status.rawValue].map { "\($0) \(status.rawValue)" } }
        out += "\(entries.count) deliver\(entries.count == 1 ? "y" : "ies")"
        out += summary.isEmpty ? "" : " (\(summary.joined(separator: ", ")))"
        out += " in \(state)\n"
        return out
    }

    static func detail(_ entry: LedgerEntry) -> String {
        let attempts = "\(entry.attempts) attempt\(entry.attempts == 1 ? "" : "s")"
        switch entry.status {
        case .sent:
            return "sent \(entry.sentAt ?? "?") (\(attempts))"
        case .pending:
            return "attempted \(entry.lastAttemptAt), no outcome recorded (\(attempts)); the next run sends it again"
        case .failed:
            return "failed \(entry.lastAttemptAt) (\(attempts)): \(entry.lastError ?? "unknown error")"
        case .expired:
            let why = entry.attempts == 0 ? "never attempted" : "\(attempts), last error: \(entry.lastError ?? "none")"
            let reported = entry.expiryReportedAt.map { "reported \($0)" } ?? "not reported yet"
            return "left the catch-up window unsent: \(why); \(reported)"
        }
    }

    static func json(_ entries: [LedgerEntry], resends: [String: [ResendRecord]], state: String) -> String {
        var out = "{\n  \"state\": \(JSONText.string(state)),\n  \"deliveries\": ["
        out += entries.isEmpty ? "]\n}\n" : "\n"
        for (index, entry) in entries.enumerated() {
            let history = (resends[entry.key] ?? []).map { record in
                JSONText.object([
                    ("at", JSONText.string(record.at)), ("status", JSONText.string(record.status)),
                    ("error", JSONText.quote(record.error)),
                ])
            }
            out += "    " + JSONText.object([
                ("key", JSONText.string(entry.key)), ("event", JSONText.string(entry.event)),
                ("occurrence", JSONText.string(entry.occurrence)), ("step", JSONText.string(entry.step)),
                ("notifier", JSONText.string(entry.notifier)), ("due", JSONText.string(entry.due)),
                ("status", JSONText.string(entry.status.rawValue)), ("attempts", String(entry.attempts)),
                ("first_attempt_at", JSONText.string(entry.firstAttemptAt)),
                ("last_attempt_at", JSONText.string(entry.lastAttemptAt)), ("sent_at", JSONText.quote(entry.sentAt)),
                ("last_error", JSONText.quote(entry.lastError)),
                ("expiry_reported_at", JSONText.quote(entry.expiryReportedAt)),
                ("resends", "[" + history.joined(separator: ", ") + "]"),
            ])
            out += index == entries.count - 1 ? "\n  ]\n}\n" : ",\n"
        }
        return out
    }
}

struct LedgerResend: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resend",
        abstract: "Send one delivery again, on purpose, through its notifier, and record it as a manual resend.",
        discussion: """
            KEY is a delivery key as `kyniem ledger` lists it (EVENT/OCCURRENCE/STEP/NOTIFIER); the \
            ledger must have it, and the configuration must still plan it (its event, step and \
            notifier unchanged). The message is the one the daily run sends. The resend is recorded \
            in the ledger's history whatever its outcome; a failed, pending or expired delivery \
            resent successfully becomes `sent`, so the daily run does not send it once more. Takes \
            the run lock. Exit 0 when sent, 1 when the notifier failed, 2 for an unknown key, 3 \
            while a run holds the lock.
            """)

    @OptionGroup var config: ConfigOption
    @Argument(help: "The delivery key.")
    var key: String

    func run() throws {
        let context = try CommandContext.load(config)
        let configuration = context.configuration
        let problems = NotifierRegistry.validate(
            configuration.notifiers, plugins: context.plugins, configDirectory: context.configDirectory)
        guard problems.isEmpty else { throw CommandFailure.invalid(CommandContext.report(problems)) }
        let session = try CommandContext.openStateForWriting(configuration.statePath)
        defer { session.release() }
        let ledger = session.ledger
        let entry: LedgerEntry
        do {
            guard let found = try ledger.entry(forKey: key) else {
                throw CommandFailure.invalid(
                    "ledger resend: no delivery \(key) in the state ledger \(ledger.location); `kyniem ledger` lists them")
            }
            entry = found
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw CommandFailure(code: 1, message: String(describing: error))
        }
        guard let due = LocalDate(iso: entry.due),
            let delivery = configuration.planner.plan(today: due, catchUpDays: 0).first(where: { $0.key == key })
        else {
            throw CommandFailure.invalid(
                "ledger resend: \(key) is no longer planned by \(context.source) (its event, step or "
                    + "notifier changed); nothing was sent")
        }
        let notifierContext = NotifierContext(
            configDirectory: context.configDirectory, environment: context.environment,
            console: { Terminal.out($0) }, log: { Terminal.error($0) })
        let dispatcher = Dispatcher(
            notifiers: configuration.notifiers.filter { $0.id == delivery.notifier }, plugins: context.plugins,
            context: notifierContext, planner: configuration.planner)
        let manual = ManualResendLedger(ledger: ledger)
        let report = dispatcher.run(
            deliveries: [delivery], date: context.today, ledger: manual, dryRun: false, now: CommandContext.utcStamp(),
            deadline: .now + .seconds(configuration.runTimeoutSeconds))
        for problem in report.problems + manual.problems { Terminal.error("problem: \(problem)") }
        guard let result = report.entries.first(where: { $0.key == key }), result.status == .sent,
            manual.problems.isEmpty
        else {
            let reason = report.entries.first?.error ?? manual.problems.first ?? "not sent"
            throw CommandFailure(code: 1, message: "resend \(key) through \(delivery.notifier) failed: \(reason)")
        }
        Terminal.error("resent \(key) through \(delivery.notifier); recorded as a manual resend in \(ledger.location)")
    }
}

/// The dispatcher's ledger for one manual resend: nothing counts as already sent, the outcome
/// goes into the resend history (`recordResend`), and the daily run's records are left alone.
final class ManualResendLedger: DeliveryLedger, @unchecked Sendable {
    let ledger: any StateLedger
    private let mutex = NSLock()
    private var failures: [String] = []

    init(ledger: any StateLedger) { self.ledger = ledger }

    var problems: [String] { mutex.withLock { failures } }

    func sentKeys(among keys: [String]) throws -> Set<String> { [] }
    func recordAttempts(_ deliveries: [Delivery], at timestamp: String) throws {}
    func recordOutcomes(sent: [String], failed: [(key: String, error: String)], at timestamp: String) throws {
        do {
            for key in sent { try ledger.recordResend(key: key, outcome: .sent, at: timestamp) }
            for failure in failed { try ledger.recordResend(key: failure.key, outcome: .failed(failure.error), at: timestamp) }
        } catch {
            mutex.withLock { failures.append("sent, but the resend could not be recorded: \(error)") }
            throw error
        }
    }
    func coverage() throws -> LedgerCoverage? { nil }
    func recordCoverage(_ coverage: LedgerCoverage) throws {}
    func expire(dueBefore date: LocalDate, unrecorded: [Delivery], record: Bool, at timestamp: String) throws
        -> [ExpiredDelivery]
    { [] }
    func acknowledgeExpired(_ keys: [String], at timestamp: String) throws {}
}

struct LedgerCopy: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy the state ledger (deliveries, resends, coverage) to another state, e.g. PostgreSQL.",
        discussion: """
            Moves an office from its SQLite file to PostgreSQL without re-sending anything: every \
            row and the ledger's coverage go to --to in one transaction, under both run locks. The \
            target must be empty, or already hold the same content (then nothing is done). \
            Afterwards set `state:` to the target; the next run there sends nothing already sent.
            """)

    @OptionGroup var config: ConfigOption
    @Option(help: "The target state: a postgresql:// URL (no password) or a SQLite file path.")
    var to: String

    func run() throws {
        let context = try CommandContext.load(config)
        let source = context.configuration.statePath
        var target = to
        if PostgresURL.isURL(to) {
            if case .failure(let error) = PostgresURL.parse(to) { throw CommandFailure.invalid("--to: \(error.message)") }
        } else {
            target = (to as NSString).isAbsolutePath
                ? to : FileManager.default.currentDirectoryPath + "/" + to
        }
        guard target != source else { throw CommandFailure.invalid("--to: the target is the configured state itself") }
        let from = try CommandContext.openStateForWriting(source)
        defer { from.release() }
        let into = try CommandContext.openStateForWriting(target)
        defer { into.release() }
        do {
            let content = try from.ledger.content()
            let existing = try into.ledger.content()
            if !existing.isEmpty {
                guard existing == content else {
                    throw CommandFailure(
                        code: 1,
                        message: "ledger copy: \(into.ledger.location) is not empty (\(existing.entries.count) deliveries) "
                            + "and differs from \(from.ledger.location); nothing was copied")
                }
                Terminal.error("\(into.ledger.location) already holds the same ledger; nothing to copy")
                return
            }
            try into.ledger.importContent(content)
            let copied = try into.ledger.content()
            guard copied == content else {
                throw CommandFailure(code: 1, message: "ledger copy: \(into.ledger.location) does not read back what was copied")
            }
            Terminal.error(
                "copied \(content.entries.count) deliveries, \(content.resends.count) manual resends and the coverage "
                    + "from \(from.ledger.location) to \(into.ledger.location); set `state:` to the target in "
                    + "\(context.source) before the next run")
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw CommandFailure(code: 1, message: String(describing: error))
        }
    }
}
