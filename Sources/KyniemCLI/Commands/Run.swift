import ArgumentParser
import Foundation
import KyniemConfig
import KyniemCore
import KyniemNotifiers
import KyniemState

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The daily job: send every reminder and checklist task due, each exactly once per notifier.",
        discussion: """
            Sends what falls due on DATE (default today in the home time zone) and what fell due in \
            the catch-up window and was never sent. Exit 0 when everything was sent, 1 when some \
            deliveries failed (they are retried by the next run), 3 when another run holds the lock.
            """)

    @OptionGroup var config: ConfigOption
    @Option(help: "The run date (YYYY-MM-DD); default today in the home time zone.")
    var date: String?
    @Flag(help: "Print what would be sent; touch neither notifiers nor the ledger.")
    var dryRun = false
    @Option(help: "text or json.")
    var format: OutputFormat = .text

    func run() throws {
        let context = try CommandContext.load(config)
        let configuration = context.configuration
        let runDate = try date.map { try CommandContext.date($0, option: "--date") } ?? context.today
        let plugins = context.plugins
        // A notifier that cannot work is a configuration error: refuse before sending anything.
        let problems = plugins.problems + NotifierRegistry.validate(
            configuration.notifiers, plugins: plugins, configDirectory: context.configDirectory)
        guard problems.isEmpty else { throw CommandFailure.invalid(CommandContext.report(problems)) }

        let deliveries = configuration.planner.plan(today: runDate, catchUpDays: configuration.catchUpDays)
        let json = format == .json
        let notifierContext = NotifierContext(
            configDirectory: context.configDirectory, environment: context.environment,
            // With JSON on stdout, console digests go to stderr so stdout stays one object.
            console: { text in json ? Terminal.error(text) : Terminal.out(text) },
            log: { Terminal.error($0) })
        let dispatcher = Dispatcher(
            notifiers: configuration.notifiers, plugins: plugins, context: notifierContext,
            planner: configuration.planner)

        let report: RunReport
        if dryRun {
            let ledger: Ledger?
            do {
                ledger = try Ledger.openReadOnlyIfExists(at: configuration.statePath)
            } catch {
                throw CommandFailure(code: 1, message: error.description)
            }
            report = dispatcher.run(deliveries: deliveries, date: runDate, ledger: ledger, dryRun: true, now: CommandContext.utcStamp())
        } else {
            let lock: RunLock
            do {
                lock = try RunLock.acquire(forLedgerAt: configuration.statePath)
            } catch {
                if case .held = error { throw CommandFailure(code: 3, message: error.description) }
                throw CommandFailure(code: 1, message: error.description)
            }
            defer { lock.release() }
            let ledger: Ledger
            do {
                ledger = try Ledger.open(at: configuration.statePath)
            } catch {
                throw CommandFailure(code: 1, message: error.description)
            }
            report = dispatcher.run(deliveries: deliveries, date: runDate, ledger: ledger, dryRun: false, now: CommandContext.utcStamp())
        }

        if json {
            Terminal.out(report.json(date: runDate))
        } else if dryRun || report.entries.contains(where: { $0.status == .sent || $0.status == .failed }) {
            // Quiet when nothing was due, so cron mails only days with news.
            Terminal.out(report.text())
        }
        for entry in report.entries where entry.status == .failed {
            Terminal.error("failed: \(entry.key): \(entry.error ?? "unknown error") (retried on the next run)")
        }
        for problem in report.problems { Terminal.error("problem: \(problem)") }
        if !report.allSucceeded { throw CommandFailure(code: 1, message: "") }
    }
}
