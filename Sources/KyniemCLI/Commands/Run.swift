import ArgumentParser
import Foundation
import KyniemConfig
import KyniemCore
import KyniemDispatch
import KyniemNotifiers
import KyniemPlugins
import KyniemState

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", _superCommandName: "kyniem", abstract: "The daily job: send every reminder and checklist task due, each exactly once per notifier.",
        discussion: """
            Sends what falls due on DATE (default today in the home time zone) and what fell due in \
            the catch-up window (`catch_up:`) and was never sent. The first run on a new state \
            ledger sends only what is due on its date; --backfill also sends the catch-up window. \
            A delivery that left the window unsent is reported once as expired. Quiet by default: \
            the console notifier's digest on stdout, and one line on stderr for each delivery \
            that failed or expired; --verbose lists every delivery. The whole run \
            ends within `run_timeout:` (default 15m). Exit 0 when everything was sent, 1 when \
            some deliveries failed or expired (failed ones are retried by the next run), 3 when \
            another run holds the lock.
            """)

    @OptionGroup var config: ConfigOption
    // `.unconditional`: `--date -5` is a date to refuse with its reason, not a missing value.
    @Option(parsing: .unconditional, help: "The run date (YYYY-MM-DD); default today in the home time zone.")
    var date: String?
    @Flag(help: "Print what would be sent; touch neither notifiers nor the ledger.")
    var dryRun = false
    @Option(help: "text or json.")
    var format: OutputFormat = .text
    @Flag(help: "Also send what fell due in the catch-up window before this ledger's first run.")
    var backfill = false
    @Flag(name: .shortAndLong, help: "List every delivery and its status (a dry run always does).")
    var verbose = false

    func run() throws {
        try request.run()
    }

    /// The options' values, as argument-parser read them.
    var request: Request {
        Request(config: config.config, date: date, dryRun: dryRun, format: format, backfill: backfill, verbose: verbose)
    }

    /// What `kyniem run` was asked, as plain values: from argument-parser (`request`), or, for
    /// the plainest uses (cron's `kyniem run`), straight from the arguments (`init?(plain:)`, as
    /// `Upcoming.Request`).
    struct Request: Equatable {
        var config: String?
        var date: String?
        var dryRun = false
        var format: OutputFormat = .text
        var backfill = false
        var verbose = false
    }
}

extension Run.Request: PlainRequest {
    /// The request `arguments` (after `run`) make when each is a plain use of a long option or
    /// flag (`PlainArguments`); otherwise nil, and argument-parser decides (`-v` included).
    init?(plain arguments: ArraySlice<String>) {
        guard
            let values = PlainArguments.options(
                arguments, single: ["config", "date", "format"], repeated: [], flags: ["dry-run", "backfill", "verbose"])
        else { return nil }
        if let text = values["format"]?.first {
            guard let format = OutputFormat(rawValue: text) else { return nil }
            self.format = format
        }
        config = values["config"]?.first
        date = values["date"]?.first
        dryRun = values["dry-run"] != nil
        backfill = values["backfill"] != nil
        verbose = values["verbose"] != nil
    }

    func run() throws {
        let context = try CommandContext.load(config: config)
        let configuration = context.configuration
        let runDate = try date.map { try CommandContext.date($0, option: "--date") } ?? context.today
        let plugins = context.plugins
        // A notifier that cannot work is a configuration error: refuse before sending anything.
        // (`validate` lists the plugin catalogue's own problems first.)
        let problems = NotifierRegistry.validate(
            configuration.notifiers, plugins: plugins, configDirectory: context.configDirectory)
        guard problems.isEmpty else { throw CommandFailure.invalid(CommandContext.report(problems)) }

        let started = ContinuousClock.now
        let bound = Duration.seconds(configuration.runTimeoutSeconds)
        let deadline = started + bound
        // The backstop: if anything still runs past the bound (and the grace a notifier needs to
        // record what it was finishing), end the process. Outcomes already reported are in the
        // ledger; what was in flight stays pending and goes out with the next run.
        RunWatchdog.start(deadline: deadline + RunWatchdog.grace, bound: configuration.runTimeoutSeconds)
        let json = format == .json
        var notifierContext = NotifierContext(
            configDirectory: context.configDirectory, environment: context.environment,
            // With JSON on stdout, console digests go to stderr so stdout stays one object.
            console: { text in json ? Terminal.error(text) : Terminal.out(text) },
            log: { Terminal.error($0) })
        if !json {
            notifierContext.consoleFailure = { Terminal.outputFailure.map { String(cString: strerror($0)) } }
        }
        let dispatcher = Dispatcher(
            notifiers: configuration.notifiers, plugins: plugins, context: notifierContext,
            planner: configuration.planner)

        let report: RunReport
        // The writable ledger and its run lock (flock, or the PostgreSQL session's advisory
        // lock), held until the report is out and its expired deliveries acknowledged; nil for
        // a dry run.
        var session: StateSession?
        defer { session?.release() }
        if dryRun {
            let ledger: (any StateLedger)?
            do {
                ledger = try OfficeState.openReadOnly(configuration.statePath)
            } catch {
                throw CommandFailure(code: 1, message: error.description)
            }
            report = dispatcher.runDay(
                date: runDate, catchUpDays: configuration.catchUpDays, backfill: backfill, ledger: ledger, dryRun: true,
                now: CommandContext.utcStamp(), deadline: deadline)
        } else {
            session = try CommandContext.openStateForWriting(configuration.statePath)
            report = dispatcher.runDay(
                date: runDate, catchUpDays: configuration.catchUpDays, backfill: backfill, ledger: session?.ledger,
                dryRun: false, now: CommandContext.utcStamp(), deadline: deadline)
        }

        if json {
            Terminal.out(report.json(date: runDate))
        } else if dryRun || (verbose && report.entries.contains(where: { $0.status != .skippedAlreadySent })) {
            // Quiet by default, for cron: the console notifier's digest is the news, and only
            // what went wrong follows it (on stderr, one line each). --verbose lists every delivery.
            Terminal.out(report.text())
        }
        for entry in report.entries where entry.status == .failed {
            Terminal.error("failed: \(entry.key): \(entry.error ?? "unknown error") (retried on the next run)")
        }
        for entry in report.entries where entry.status == .expired {
            Terminal.error("expired: \(entry.key): due \(entry.due), left the catch-up window unsent: \(entry.error ?? "")")
        }
        // Rare and once (a new ledger's baseline, a gap of over a year): worth a line even in cron.
        for notice in report.notices { Terminal.error("note: \(notice)") }
        // Reported: a later run does not list them again. A run killed before this line, or
        // whose report could not be written, leaves them for the next one to report.
        let expired = report.entries.filter { $0.status == .expired }.map(\.key)
        if !expired.isEmpty, Terminal.outputFailure == nil, let ledger = session?.ledger {
            do {
                try ledger.acknowledgeExpired(expired, at: CommandContext.utcStamp())
            } catch {
                Terminal.error("problem: \(error)")
            }
        }
        for problem in report.problems { Terminal.error("problem: \(problem)") }
        if !report.allSucceeded { throw CommandFailure(code: 1, message: "") }
    }
}

/// Ends a run that outlived its bound, whatever it is waiting for.
enum RunWatchdog {
    /// Past the bound, the time notifiers get to notice it and record what they finished.
    static let grace: Duration = .seconds(5)

    static func start(deadline: ContinuousClock.Instant, bound seconds: Int) {
        let thread = Thread {
            while ContinuousClock.now < deadline {
                let left = deadline - .now
                Thread.sleep(forTimeInterval: min(1.0, max(0.01, Double(left.components.seconds) + Double(left.components.attoseconds) / 1e18)))
            }
            ChildProcesses.killAll()
            Terminal.error(
                "kyniem: the run passed its bound (run_timeout: \(seconds)s) and was stopped; "
                    + "what was not recorded as sent goes out with the next run")
            _exit(1)
        }
        thread.start()
    }
}
