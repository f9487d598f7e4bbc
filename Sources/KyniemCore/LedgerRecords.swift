// What a delivery ledger records beyond one row per delivery: plain values that the state
// ledgers (KyniemState), the dispatcher and the run report share.

/// The run dates a ledger has covered.
public struct LedgerCoverage: Sendable, Hashable {
    /// The first run's date: nothing due before it is sent or reported, unless `--backfill`.
    public var baseline: LocalDate
    /// The latest run date whose whole plan (catch-up window included) was recorded.
    public var through: LocalDate

    public init(baseline: LocalDate, through: LocalDate) {
        self.baseline = baseline
        self.through = through
    }
}

/// A delivery that left the catch-up window without being sent.
public struct ExpiredDelivery: Sendable, Hashable {
    public let key: String
    public let notifier: String
    public let event: String
    public let occurrence: String
    public let step: String
    public let due: String
    /// The last attempt's error; nil when it was never attempted (no run reached it).
    public let lastError: String?

    public init(
        key: String, notifier: String, event: String, occurrence: String, step: String, due: String,
        lastError: String?
    ) {
        self.key = key
        self.notifier = notifier
        self.event = event
        self.occurrence = occurrence
        self.step = step
        self.due = due
        self.lastError = lastError
    }

    public init(_ delivery: Delivery, lastError: String? = nil) {
        self.init(
            key: delivery.key, notifier: delivery.notifier, event: delivery.occurrence.event.id,
            occurrence: delivery.occurrence.date.iso, step: delivery.step.id, due: delivery.step.due.iso,
            lastError: lastError)
    }
}
