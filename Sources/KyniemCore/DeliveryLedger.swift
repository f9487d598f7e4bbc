/// What the dispatcher needs from the state ledger. The protocol lives here, beside the values it
/// speaks in, so each ledger (SQLite in KyniemState, in-memory in KyniemTesting, and any other
/// backend) conforms in its own module and the dispatcher imports none of them.
public protocol DeliveryLedger: Sendable {
    /// The keys among `keys` recorded as sent.
    func sentKeys(among keys: [String]) throws -> Set<String>
    /// Marks the deliveries pending and counts an attempt, in one transaction, before sending.
    func recordAttempts(_ deliveries: [Delivery], at timestamp: String) throws
    /// Records outcomes in one transaction, the moment a notifier reports them.
    func recordOutcomes(sent: [String], failed: [(key: String, error: String)], at timestamp: String) throws
    /// Which run dates the ledger has seen; nil for a new ledger (no run has recorded its plan).
    func coverage() throws -> LedgerCoverage?
    /// After a run recorded its plan: `baseline` on a new ledger, and `through` the run date.
    func recordCoverage(_ coverage: LedgerCoverage) throws
    /// Deliveries not sent whose step fell due before `date`: the ledger's rows still pending
    /// or failed, `unrecorded` ones (due in days no run planned) that it has no row for, and
    /// rows expired earlier that no finished run has reported. With `record`, they become
    /// `expired` in one transaction.
    func expire(dueBefore date: LocalDate, unrecorded: [Delivery], record: Bool, at timestamp: String) throws
        -> [ExpiredDelivery]
    /// After the run's report is out: these expired deliveries have been reported, once.
    func acknowledgeExpired(_ keys: [String], at timestamp: String) throws
}
