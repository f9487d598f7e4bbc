import Foundation
import KyniemCore
import KyniemDispatch

/// A `DeliveryLedger` in memory, with the SQLite ledger's rules: attempts mark `pending`,
/// outcomes `sent` or `failed`, and a `sent` row never changes. It can be told to fail its
/// writes, to test what a run does when the ledger breaks.
public final class InMemoryLedger: DeliveryLedger, @unchecked Sendable {
    public enum Status: String, Sendable { case pending, sent, failed, expired }

    public struct Row: Sendable, Hashable {
        public var delivery: ExpiredDelivery
        public var status: Status
        public var attempts: Int
        public var lastError: String?
        public var sentAt: String?
        public var expiryReported = false
    }

    public struct WriteFailure: Error, CustomStringConvertible {
        public var description: String { "the in-memory ledger was told to fail" }
    }

    private let lock = NSLock()
    private var _rows: [String: Row] = [:]
    private var _failAttempts = false
    private var _failOutcomes = false
    private var _coverage: LedgerCoverage?

    public init() {}

    public var rows: [String: Row] { lock.withLock { _rows } }

    public func row(_ key: String) -> Row? { lock.withLock { _rows[key] } }

    public func failWrites(attempts: Bool, outcomes: Bool) {
        lock.withLock {
            _failAttempts = attempts
            _failOutcomes = outcomes
        }
    }

    public func sentKeys(among keys: [String]) throws -> Set<String> {
        lock.withLock { Set(keys.filter { _rows[$0]?.status == .sent }) }
    }

    public func recordAttempts(_ deliveries: [Delivery], at timestamp: String) throws {
        try lock.withLock {
            if _failAttempts { throw WriteFailure() }
            for delivery in deliveries {
                var row = _rows[delivery.key] ?? Row(delivery: ExpiredDelivery(delivery), status: .pending, attempts: 0)
                guard row.status != .sent else { continue }
                row.status = .pending
                row.attempts += 1
                _rows[delivery.key] = row
            }
        }
    }

    public func recordOutcomes(sent: [String], failed: [(key: String, error: String)], at timestamp: String) throws {
        try lock.withLock {
            if _failOutcomes { throw WriteFailure() }
            for key in sent where _rows[key] != nil && _rows[key]?.status != .sent {
                _rows[key]?.status = .sent
                _rows[key]?.sentAt = timestamp
                _rows[key]?.lastError = nil
            }
            for (key, error) in failed where _rows[key] != nil && _rows[key]?.status != .sent {
                _rows[key]?.status = .failed
                _rows[key]?.lastError = error
            }
        }
    }

    public func coverage() throws -> LedgerCoverage? { lock.withLock { _coverage } }

    public func acknowledgeExpired(_ keys: [String], at timestamp: String) throws {
        lock.withLock {
            for key in keys where _rows[key]?.status == .expired { _rows[key]?.expiryReported = true }
        }
    }

    public func recordCoverage(_ coverage: LedgerCoverage) throws {
        lock.withLock {
            let baseline = _coverage?.baseline ?? coverage.baseline
            let through = max(_coverage?.through ?? coverage.through, coverage.through)
            _coverage = LedgerCoverage(baseline: baseline, through: through)
        }
    }

    public func expire(dueBefore date: LocalDate, unrecorded: [Delivery], record: Bool, at timestamp: String) throws
        -> [ExpiredDelivery]
    {
        lock.withLock {
            var found: [ExpiredDelivery] = []
            for (key, row) in _rows
            where (row.delivery.due < date.iso && (row.status == .pending || row.status == .failed))
                || (row.status == .expired && !row.expiryReported)
            {
                found.append(ExpiredDelivery(
                    key: key, notifier: row.delivery.notifier, event: row.delivery.event,
                    occurrence: row.delivery.occurrence, step: row.delivery.step, due: row.delivery.due,
                    lastError: row.lastError))
                if record { _rows[key]?.status = .expired }
            }
            var listed = Set(found.map(\.key))
            for delivery in unrecorded where _rows[delivery.key] == nil && delivery.step.due < date {
                guard listed.insert(delivery.key).inserted else { continue }
                found.append(ExpiredDelivery(delivery))
                if record {
                    _rows[delivery.key] = Row(delivery: ExpiredDelivery(delivery), status: .expired, attempts: 0)
                }
            }
            return found.sorted { ($0.due, $0.key) < ($1.due, $1.key) }
        }
    }
}
