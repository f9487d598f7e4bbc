import KyniemConfig
import KyniemCore

/// What the dispatcher needs from the state ledger. The SQLite `Ledger` of KyniemState has
/// exactly these methods (`extension Ledger: DeliveryLedger {}` wherever both modules are
/// visible); KyniemTesting ships an in-memory one.
public protocol DeliveryLedger: Sendable {
    /// The keys among `keys` recorded as sent.
    func sentKeys(among keys: [String]) throws -> Set<String>
    /// Marks the deliveries pending and counts an attempt, in one transaction, before sending.
    func recordAttempts(_ deliveries: [Delivery], at timestamp: String) throws
    /// Records a batch's outcomes, in one transaction, after sending.
    func recordOutcomes(sent: [String], failed: [(key: String, error: String)], at timestamp: String) throws
}

/// Executes a `kyniem run`: sends each planned delivery that the ledger does not have as sent,
/// through its notifier, and records the outcome.
///
/// Guarantees (SPEC.md, "Dispatch"):
/// - A delivery the ledger has as `sent` is skipped (`skipped-already-sent`), whatever the number
///   of runs.
/// - Every delivery about to be sent is recorded `pending` (attempts + 1) in one transaction
///   before any notifier is called; if that write fails, nothing is sent.
/// - Each notifier gets its deliveries as one batch; one failing does not stop the others. Each
///   batch's outcomes are recorded in one transaction right after it returns.
/// - A failed delivery is not `sent` in the ledger, so the next run's plan (which covers the
///   catch-up window) sends it again.
/// - A run killed after recording attempts and before recording outcomes leaves `pending` rows;
///   the next run sends them again. Those deliveries in flight at the kill — at most the batch
///   of the notifier that was sending — are the only ones that may be sent twice.
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

    /// Targets for the configured notifiers. A notifier that cannot be built (a plugin that
    /// vanished since `kyniem check`, a template that no longer parses) fails its own deliveries
    /// with the reason, and the others still send.
    public init(notifiers specs: [NotifierSpec], plugins: PluginCatalog, context: NotifierContext, planner: Planner? = nil) {
        self.planner = planner
        self.targets = specs.map { spec in
            let templates: MessageTemplates
            switch MessageTemplates.load(for: spec, configDirectory: context.configDirectory) {
            case .success(let loaded): templates = loaded
            case .failure(let errors):
                return Target(
                    id: spec.id, language: spec.language, notifier: UnavailableNotifier(reason: errors.description))
            }
            switch NotifierRegistry.makeNotifier(for: spec, plugins: plugins, context: context) {
            case .success(let notifier):
                return Target(id: spec.id, language: spec.language, notifier: notifier, templates: templates)
            case .failure(let errors):
                return Target(
                    id: spec.id, language: spec.language, notifier: UnavailableNotifier(reason: errors.description))
            }
        }
    }

    /// Runs the day's deliveries (the planner's output for `date`), and reports each one.
    /// `now` is the run's timestamp as the CLI formats it (ISO 8601), stored in the ledger.
    public func run(
        deliveries planned: [Delivery], date: LocalDate, ledger: (any DeliveryLedger)?, dryRun: Bool, now: String
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
            return report(deliveries, date: date, dryRun: true, problems: problems) { statuses[$0.key]! }
        }
        guard let ledger else { preconditionFailure("checked above") }

        // Before anything leaves: a run killed from here on finds these pending and resends them.
        do {
            try ledger.recordAttempts(due, at: now)
        } catch {
            let reason = "cannot record the attempt in the state ledger: \(error)"
            for delivery in due { statuses[delivery.key] = (.failed, "not sent: \(reason)") }
            return report(deliveries, date: date, dryRun: false, problems: [reason]) { statuses[$0.key]! }
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
        for notifierID in order {
            let batchDeliveries = byNotifier[notifierID]!
            var outcomes: [String: DeliveryOutcome]
            if let target = targets.first(where: { $0.id == notifierID }) {
                let batch = makeBatch(target, batchDeliveries, date: date, now: now, workdays: workdays)
                outcomes = target.notifier.send(batch)
            } else {
                outcomes = [:]
                for delivery in batchDeliveries {
                    outcomes[delivery.key] = .failed("no notifier with id `\(notifierID)` is configured")
                }
            }
            var sent: [String] = []
            var failed: [(key: String, error: String)] = []
            for delivery in batchDeliveries {
                switch outcomes[delivery.key] ?? .failed("notifier gave no result") {
                case .sent:
                    sent.append(delivery.key)
                    statuses[delivery.key] = (.sent, nil)
                case .failed(let error):
                    failed.append((delivery.key, error))
                    statuses[delivery.key] = (.failed, error)
                }
            }
            do {
                try ledger.recordOutcomes(sent: sent, failed: failed, at: now)
            } catch {
                // They went out, but the ledger still has them pending: the next run repeats them.
                problems.append(
                    "notifier \(notifierID): \(sent.count) sent but not recorded in the state ledger (\(error)); the next run sends them again")
            }
        }
        return report(deliveries, date: date, dryRun: false, problems: problems) { statuses[$0.key]! }
    }

    /// The batch for one notifier: each message rendered, then the digest of them.
    func makeBatch(
        _ target: Target, _ deliveries: [Delivery], date: LocalDate, now: String, workdays: WorkingCalendar?
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
        let digest = target.templates.digest(
            MessageContext.digest(notifier: target.id, language: target.language, runDate: date, items: items))
        return NotifierBatch(
            notifier: target.id, language: target.language, runDate: date, timestamp: now, deliveries: outgoing,
            digest: digest)
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

/// Stands in for a notifier that could not be built: fails its deliveries with the reason.
struct UnavailableNotifier: Notifier {
    let reason: String

    func send(_ batch: NotifierBatch) -> [String: DeliveryOutcome] {
        batch.allFailed("notifier `\(batch.notifier)` is unavailable: \(reason)")
    }
}
