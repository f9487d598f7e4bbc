import Foundation
import KyniemCore

/// One manual resend (`kyniem ledger resend KEY`), as the ledger's `resends` table keeps it.
public struct ResendRecord: Sendable, Hashable {
    public let key: String
    /// When the notifier answered (UTC, ISO 8601).
    public let at: String
    /// `sent` or `failed`.
    public let status: String
    public let error: String?

    public init(key: String, at: String, status: String, error: String?) {
        self.key = key
        self.at = at
        self.status = status
        self.error = error
    }
}

/// Everything a ledger records: what `kyniem ledger copy` moves and compares.
public struct LedgerContent: Sendable, Hashable {
    public var entries: [LedgerEntry]
    public var resends: [ResendRecord]
    public var meta: [String: String]

    public var isEmpty: Bool { entries.isEmpty && resends.isEmpty && meta.isEmpty }
}

/// A state ledger as `kyniem run` and `kyniem ledger` use it, whatever its backend: the SQLite
/// file (`Ledger`) or a PostgreSQL database (`PostgresLedger`).
public protocol StateLedger: DeliveryLedger {
    /// The file path or the URL without its query, for messages.
    var location: String { get }
    /// Every row, oldest due date first.
    func entries() throws(LedgerError) -> [LedgerEntry]
    func entry(forKey key: String) throws(LedgerError) -> LedgerEntry?
    /// Manual resends, oldest first.
    func resends() throws(LedgerError) -> [ResendRecord]
    /// `baseline` and `covered_through`, as stored.
    func meta() throws(LedgerError) -> [String: String]
    /// A manual resend's outcome: a history row; a delivery not yet sent becomes `sent` if it succeeded.
    func recordResend(key: String, outcome: LedgerOutcome, at timestamp: String) throws(LedgerError)
    /// Writes `content` into this ledger, which must be empty, in one transaction.
    func importContent(_ content: LedgerContent) throws(LedgerError)
}

extension StateLedger {
    public func content() throws(LedgerError) -> LedgerContent {
        LedgerContent(entries: try entries(), resends: try resends(), meta: try meta())
    }
}

/// Why an office's state could not be opened for a run: `held` (exit 3) or any other reason (exit 1).
public enum StateOpenError: Error, Sendable, CustomStringConvertible {
    case held(String)
    case failed(String)

    public var description: String {
        switch self {
        case .held(let message), .failed(let message): message
        }
    }
}

/// A ledger opened for writing under the office's run lock, held until `release()`: the
/// `flock` beside a SQLite file, or the PostgreSQL session holding the advisory lock.
public final class StateSession: @unchecked Sendable {
    public let ledger: any StateLedger
    /// The SQLite ledger's lock file; nil for PostgreSQL, whose lock is the ledger's session.
    private let lock: RunLock?

    init(ledger: any StateLedger, lock: RunLock?) {
        self.ledger = ledger
        self.lock = lock
    }

    /// Ends the session and drops the lock; later calls do nothing.
    public func release() {
        lock?.release()
        (ledger as? PostgresLedger)?.close()
    }
}

/// Opening an office's `state:`: a file path (SQLite) or a `postgresql://` URL.
public enum OfficeState {
    /// Takes the run lock, then opens the ledger and migrates its schema (once, under the lock).
    public static func openForWriting(_ state: String) throws(StateOpenError) -> StateSession {
        if PostgresURL.isURL(state) {
            let url = try parse(state)
            let ledger: PostgresLedger
            do {
                ledger = try PostgresLedger.connect(url)
            } catch {
                throw .failed(error.description)
            }
            do {
                try ledger.takeRunLock()
            } catch {
                ledger.close()
                if case .held = error { throw .held(error.description) }
                throw .failed(error.description)
            }
            do {
                try ledger.migrate()
            } catch {
                ledger.close()
                throw .failed(error.description)
            }
            return StateSession(ledger: ledger, lock: nil)
        }
        let lock: RunLock
        do {
            lock = try RunLock.acquire(forLedgerAt: state)
        } catch {
            if case .held = error { throw .held(error.description) }
            throw .failed(error.description)
        }
        do {
            return StateSession(ledger: try Ledger.open(at: state), lock: lock)
        } catch {
            lock.release()
            throw .failed(error.description)
        }
    }

    /// Opens the ledger read-only, without the lock and without migrating (dry runs, listings);
    /// nil when it does not exist yet (no file, or a database without kyniem's tables).
    public static func openReadOnly(_ state: String) throws(StateOpenError) -> (any StateLedger)? {
        do {
            if PostgresURL.isURL(state) {
                return try PostgresLedger.openReadOnlyIfExists(try parse(state))
            }
            return try Ledger.openReadOnlyIfExists(at: state)
        } catch let error as StateOpenError {
            throw error
        } catch {
            throw .failed(String(describing: error))
        }
    }

    private static func parse(_ state: String) throws(StateOpenError) -> PostgresURL {
        switch PostgresURL.parse(state) {
        case .success(let url): return url
        case .failure(let error): throw .failed("state \(state): \(error.message)")
        }
    }
}
