import Foundation
import KyniemConfig
import KyniemCore

/// Executes a `kyniem run`: sends each planned delivery that the ledger does not have as sent,
/// through its notifier, and records each outcome as it is reported.
///
/// Guarantees (SPEC.md, "Dispatch"):
/// - A delivery the ledger has as `sent` is skipped (`skipped-already-sent`), whatever the number
///   of runs.
/// - Every delivery about to be sent is recorded `pending` (attempts + 1) in one transaction
///   before any notifier is called; if that write fails, nothing is sent.
/// - Each notifier gets its deliveries as one batch, on a thread of its own, so one slow or
///   failing notifier neither stops nor delays the others. Each outcome is committed to the
///   ledger the moment the notifier reports it (`OutcomeSink`).
/// - A failed delivery is not `sent` in the ledger, so the next run's plan (which covers the
///   catch-up window) sends it again.
/// - A run killed after recording attempts leaves `pending` rows for what was not yet reported;
///   the next run sends them again. Only the message each notifier had in flight at the kill
///   can reach its destination twice.
/// - Every batch carries the run's deadline; a notifier starts nothing after it.
/// - A dry run calls no notifier and writes nothing: deliveries not yet sent are `would-send`.
///   Give it the ledger opened read-only, or nil when the file does not exist.
public struct Dispatcher: Sendable {
    /// A configured notifier, ready to send.
    public struct Target: Sendable {
        public let id: String
        public let language: Language
        public let notifier: any Notifier
        public let templates: MessageTemplates

        public init(id: String, language: Language, notifier: any Notifier, templates: MessageTemplates? = nil) {
            self.id = id
            self.language = language
            self.notifier = notifier
            self.templates = templates ?? .standard(language)
        }
    }

    public let targets: [Target]
    /// The rules that give each message its "what is next" line; nil leaves it out.
    public let planner: Planner?

    public init(targets: [Target], planner: Planner? = nil) {
        self.targets = targets
        self.planner = planner
    }

    /// The daily run (`kyniem run`): plans the window, reports what left it unsent, sends the rest.
    ///
    /// The window is the run date and the `catchUpDays` before it, but never before the ledger's
    /// baseline: a new ledger starts with what is due on its first run date, not the backlog of
    /// days before kyniem was installed (`backfill` sends that backlog on purpose). Deliveries
    /// that fell due before the window and were never sent — rows left `pending` or `failed`,
    /// and steps on days no run reached (every run killed, the machine off) — are reported once
    /// as `expired` and recorded so; nothing leaves the ledger's view silently.
    public func runDay(
        date: LocalDate, catchUpDays: Int, backfill: Bool, ledger: (any DeliveryLedger)?, dryRun: Bool, now: String,
        deadline: ContinuousClock.Instant = .now + .seconds(3600)
    ) -> RunReport {
        guard let planner else { preconditionFailure("runDay needs the planner") }
        let catchUp = max(0, catchUpDays)
        var notices: [String] = []
        var coverage: LedgerCoverage?
        if let ledger {
            do {
                coverage = try ledger.coverage()
            } catch {
                let reason = "cannot read the state ledger: \(error)"
                return RunReport(date: date, dryRun: dryRun, entries: [], problems: [reason])
            }
        }
        let windowStart = date.adding(days: -catchUp)
        var earliest = windowStart
        if !backfill {
            if let coverage {
                earliest = max(earliest, min(coverage.baseline, date))
            } else {
                earliest = date
                if catchUp > 0 {
                    notices.append(
                        "a new state ledger: this first run sends what is due on \(date.iso); "
                            + "`kyniem run --backfill` also sends what fell due in the \(catchUp) days before")
                }
            }
        }
        let planned = planner.plan(today: date, catchUpDays: earliest.days(until: date))

        // Steps before the window that were never sent.
        var expired: [ExpiredDelivery] = []
        if let ledger, let coverage {
            var unrecorded: [Delivery] = []
            let gapStart = max(coverage.through.adding(days: 1), coverage.baseline)
            let gapEnd = windowStart.adding(days: -1)
            if gapStart <= gapEnd {
                // Days no run planned; a gap over a year is listed for its last year only.
                let days = min(gapStart.days(until: gapEnd), Self.longestGap)
                if gapStart.days(until: gapEnd) > Self.longestGap {
                    notices.append(
                        "no run covered \(gapStart.iso) to \(gapEnd.iso); deliveries due before "
                            + "\(gapEnd.adding(days: -Self.longestGap).iso) are not listed")
                }
                unrecorded = planner.plan(today: gapEnd, catchUpDays: days)
            }
            do {
                expired = try ledger.expire(dueBefore: windowStart, unrecorded: unrecorded, record: !dryRun, at: now)
            } catch {
                return RunReport(date: date, dryRun: dryRun, entries: [], problems: ["cannot read the state ledger: \(error)"])
            }
        }

        let newCoverage = LedgerCoverage(baseline: coverage?.baseline ?? earliest, through: max(coverage?.through ?? date, date))
        let report = run(
            deliveries: planned, date: date, ledger: ledger, dryRun: dryRun, now: now, deadline: deadline,
            coverage: dryRun ? nil : newCoverage)
        let expiredEntries = expired.map { RunReport.Entry(expired: $0) }
        return RunReport(
            date: date, dryRun: dryRun, entries: expiredEntries + report.entries, problems: report.problems,
            notices: notices)
    }

    /// The longest stretch of days without a run whose missed deliveries are listed one by one.
    static let longestGap = 366

    /// Runs the day's deliveries (the planner's output for `date`), and reports each one.
    /// `now` is the run's timestamp as the CLI formats it (ISO 8601), stored in the ledger;
    /// `deadline` is the run's bound, handed to every notifier.
    public func run(
        deliveries planned: [Delivery], date: LocalDate, ledger: (any DeliveryLedger)?, dryRun: Bool, now: String,
        deadline: ContinuousClock.Instant = .now + .seconds(3600), coverage: LedgerCoverage? = nil
    ) -> RunReport {
        var seen = Set<String>()
        let deliveries = planned.filter { seen.insert($0.key).inserted }
        var statuses: [String: (RunReport.Status, String?)] = [:]
        var problems: [String] = []

        var alreadySent = Set<String>()
        if let ledger {
            do {
                alreadySent = try ledger.sentKeys(among: deliveries.map(\.key))
            } catch {
                let reason = "cannot read the state ledger: \(error)"
                if dryRun {
                    problems.append(reason)
                } else {
                    return report(deliveries, date: date, dryRun: dryRun, problems: [reason]) { _ in (.failed, "not sent: \(reason)") }
                }
            }
        } else if !dryRun {
            let reason = "no state ledger was given; nothing can be sent exactly once"
            return report(deliveries, date: date, dryRun: dryRun, problems: [reason]) { _ in (.failed, "not sent: \(reason)") }
        }

        let due = deliveries.filter { !alreadySent.contains($0.key) }
        for delivery in deliveries where alreadySent.contains(delivery.key) {
            statuses[delivery.key] = (.skippedAlreadySent, nil)
        }
        if dryRun {
            for delivery in due { statuses[delivery.key] = (.wouldSend, nil) }
            return report(deliveries, date: date, dryRun: true, problems: problems) { statuses[$0.key] ?? (.wouldSend, nil) }
        }
        guard let ledger else { preconditionFailure("checked above") }

        // Before anything leaves: a run killed from here on finds these pending and resends them.
        do {
            try ledger.recordAttempts(due, at: now)
        } catch {
            let reason = "cannot record the attempt in the state ledger: \(error)"
            for delivery in due { statuses[delivery.key] = (.failed, "not sent: \(reason)") }
            return report(deliveries, date: date, dryRun: false, problems: [reason]) { statuses[$0.key] ?? (.failed, reason) }
        }
        // Every step due through the run date now has a row: a later run that finds this one's
        // dates covered does not look for unrecorded ones there.
        if let coverage {
            do {
                try ledger.recordCoverage(coverage)
            } catch {
                problems.append("cannot record the run date in the state ledger: \(error)")
            }
        }

        var workdays: WorkingCalendar?
        if let planner {
            workdays = planner.workingCalendar(from: date.adding(days: -400), through: date.adding(days: 800))
        }
        var byNotifier: [String: [Delivery]] = [:]
        var order: [String] = []
        for delivery in due {
            if byNotifier[delivery.notifier] == nil { order.append(delivery.notifier) }
            byNotifier[delivery.notifier, default: []].append(delivery)
        }

        let ledgerProblems = ProblemList()
        let sinks: [OutcomeSink] = order.map { notifierID in
            let keys = byNotifier[notifierID, default: []].map(\.key)
            return OutcomeSink(keys: keys) { outcomes in
                let sent = outcomes.filter { $0.outcome.isSent }.map(\.key)
                let failed = outcomes.compactMap { item -> (key: String, error: String)? in
                    if case .failed(let error) = item.outcome { return (item.key, error) }
                    return nil
                }
                do {
                    try ledger.recordOutcomes(sent: sent, failed: failed, at: now)
                } catch {
                    // They went out, but the ledger still has them pending: the next run repeats them.
                    ledgerProblems.append(
                        "notifier \(notifierID): \(sent.count) sent but not recorded in the state ledger (\(error)); the next run sends them again")
                }
            }
        }
        let jobs: [@Sendable () -> Void] = order.indices.map { index in
            let notifierID = order[index]
            let batchDeliveries = byNotifier[notifierID, default: []]
            let sink = sinks[index]
            guard let target = targets.first(where: { $0.id == notifierID }) else {
                return { sink.report(batchDeliveries.map(\.key), .failed("no notifier with id `\(notifierID)` is configured")) }
            }
            let batch = makeBatch(target, batchDeliveries, date: date, now: now, workdays: workdays, deadline: deadline)
            return {
                target.notifier.send(batch, outcomes: sink)
                sink.failUnreported(batch, "notifier gave no result")
            }
        }
        Self.runConcurrently(jobs)

        for (index, notifierID) in order.enumerated() {
            let reported = sinks[index].reported
            for delivery in byNotifier[notifierID, default: []] {
                switch reported[delivery.key] ?? .failed("notifier gave no result") {
                case .sent: statuses[delivery.key] = (.sent, nil)
                case .failed(let error): statuses[delivery.key] = (.failed, error)
                }
            }
        }
        problems += ledgerProblems.items
        return report(deliveries, date: date, dryRun: false, problems: problems) {
            statuses[$0.key] ?? (.failed, "notifier gave no result")
        }
    }

    /// Runs each job on a thread of its own and waits for all of them. Threads, not a shared
    /// pool: a notifier blocks on a network or a child process, and a pool sized to the cores
    /// would let one slow server hold another notifier back.
    static func runConcurrently(_ jobs: [@Sendable () -> Void]) {
        if jobs.count == 1 { return jobs[0]() }
        let done = DispatchGroup()
        for job in jobs {
            done.enter()
            let thread = Thread {
                job()
                done.leave()
            }
            thread.stackSize = 4 << 20
            thread.start()
        }
        done.wait()
    }

    /// The batch for one notifier: each message rendered, then the digest of them.
    func makeBatch(
        _ target: Target, _ deliveries: [Delivery], date: LocalDate, now: String, workdays: WorkingCalendar?,
        deadline: ContinuousClock.Instant = .now + .seconds(3600)
    ) -> NotifierBatch {
        var items: [(context: [String: Any], message: Message)] = []
        var outgoing: [OutgoingDelivery] = []
        for delivery in deliveries {
            var next: NextStep?
            if let planner, let workdays {
                next = NextStep.after(delivery, runDate: date, planner: planner, workdays: workdays)
            }
            let context = MessageContext.delivery(delivery, runDate: date, next: next)
            let message = target.templates.message(context)
            items.append((context, message))
            outgoing.append(OutgoingDelivery(delivery: delivery, message: message))
        }
        let content = Digest(deliveries: deliveries, runDate: date, language: target.language)
        // The shipped words: the digest as Markdown, and each channel writes `content` its own way.
        // A person's templates: their text, as they wrote it.
        let digest = target.templates.isCustom
            ? target.templates.digest(MessageContext.digest(
                notifier: target.id, language: target.language, runDate: date, items: items, digest: content))
            : nil
        return NotifierBatch(
            notifier: target.id, language: target.language, runDate: date, timestamp: now, deliveries: outgoing,
            digest: digest, content: content, templated: target.templates.isCustom, deadline: deadline)
    }

    private func report(
        _ deliveries: [Delivery], date: LocalDate, dryRun: Bool, problems: [String],
        status: (Delivery) -> (RunReport.Status, String?)
    ) -> RunReport {
        RunReport(
            date: date, dryRun: dryRun,
            entries: deliveries.map { delivery in
                let (value, error) = status(delivery)
                return RunReport.Entry(delivery: delivery, status: value, error: error)
            }, problems: problems)
    }
}

/// Stands in for a notifier that could not be built (a plugin that vanished since `kyniem check`,
/// a template that no longer parses, settings `makeNotifier` has already refused): fails its
/// deliveries with the reason.
package struct UnavailableNotifier: Notifier {
    package let reason: String

    package init(reason: String) { self.reason = reason }

    package func send(_ batch: NotifierBatch, outcomes: OutcomeSink) {
        outcomes.failUnreported(batch, "notifier `\(batch.notifier)` is unavailable: \(reason)")
    }
}

/// Problems gathered from several threads.
final class ProblemList: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []

    func append(_ problem: String) { lock.withLock { list.append(problem) } }
    var items: [String] { lock.withLock { list } }
}
