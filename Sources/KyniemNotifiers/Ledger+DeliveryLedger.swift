import KyniemState

/// The SQLite ledger is the dispatcher's ledger in every real run.
extension Ledger: DeliveryLedger {}
