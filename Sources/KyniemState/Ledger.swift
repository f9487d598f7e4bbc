import Foundation
import GRDB
import KyniemCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the ledger knows about one delivery key.
public enum LedgerStatus: String, Sendable, Hashable, CaseIterable {
    /// An attempt was recorded and its outcome was not: the run sending it stopped, or is still
    /// sending it. The next run sends it again (the at-least-once edge of "exactly once").
    case pending
    case sent
    case failed
    /// Its step left the catch-up window before it was ever sent: reported once by the run that
    /// found it, kept for the record, never sent again by a daily run.
    case expired
}

/// The outcome of one attempt, recorded after the notifier returned.
public enum LedgerOutcome: Sendable, Hashable {
    case sent
    case failed(String)
}

/// One row of the ledger.
public struct LedgerEntry: Sendable, Hashable {
    public let key: String
    public let notifier: String
    public let event: String
    /// The occurrence date, `YYYY-MM-DD`.
    public let occurrence: String
    /// The step id (`remind-30d`, `task-letter`).
    public let step: String
    /// The day the step fell due, `YYYY-MM-DD`.
    public let due: String
    public let status: LedgerStatus
    public let attempts: Int
    public let lastError: String?
    public let firstAttemptAt: String
    public let lastAttemptAt: String
    public let sentAt: String?
    /// When a finished run reported it expired (nil: not expired, or not reported yet).
    public var expiryReportedAt: String? = nil
}

/// Why the ledger could not be opened, read or written.
public struct LedgerError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "state ledger \(path): \(message)" }
}

/// The delivery ledger: one row per delivery key, in SQLite (through GRDB).
///
/// The dispatcher's exactly-once guarantee rests on the order of writes:
/// 1. `recordAttempts` marks every delivery about to be sent `pending` (attempts + 1), in one
///    transaction, before any notifier is called;
/// 2. the notifiers send;
/// 3. `recordOutcomes` marks each one `sent` or `failed`, in one transaction per notifier batch.
///
/// A run killed between 1 and 3 leaves `pending` rows, which are not `sent`, so the next run
/// sends them again: only the deliveries in flight at the kill can repeat. A row that is `sent`
/// never changes again.
///
/// Journal: SQLite's rollback journal (`journal_mode=DELETE`, `synchronous=FULL`), not WAL.
/// Runs are serialised by `RunLock` and happen once a day, so WAL's concurrent readers buy
/// nothing, while the rollback journal leaves one file beside the ledger when idle (no `-wal`
/// and `-shm` files to back up or lose) and works on file systems without shared memory.
public struct Ledger: Sendable {
    /// The SQLite file.
    public let path: String
    public let isReadOnly: Bool
    private let database: DatabaseQueue

    /// Opens the ledger for a run, creating its parent folders (mode 0700) and the file
    /// (mode 0600) when missing, and migrating the schema to the current version.
    public static func open(at path: String) throws(LedgerError) -> Ledger {
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, let reason = Folders.create(parent) {
            throw LedgerError(path: path, message: "cannot create folder \(parent): \(reason)")
        }
        // Create the file ourselves so its mode is 0600 whatever the umask allows SQLite;
        // SQLite gives its journal the same mode as the database file.
        if let reason = createPrivateFile(path) {
            throw LedgerError(path: path, message: "cannot create: \(reason)")
        }
        var configuration = GRDB.Configuration()
        configuration.busyMode = .timeout(10)
        configuration.journalMode = .default
        configuration.label = "kyniem.ledger"
        do {
            let database = try DatabaseQueue(path: path, configuration: configuration)
            try database.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA journal_mode = DELETE")
                try db.execute(sql: "PRAGMA synchronous = FULL")
            }
            try Ledger.refuseNewerSchema(database, path: path)
            try Ledger.migrator.migrate(database)
            return Ledger(path: path, isReadOnly: false, database: database)
        } catch let error as LedgerError {
            throw error
        } catch {
            throw LedgerError(path: path, message: Ledger.describe(error))
        }
    }

    /// Opens an existing ledger read-only (for `--dry-run`), or returns nil when there is no
    /// file: a dry run neither creates nor changes anything.
    public static func openReadOnlyIfExists(at path: String) throws(LedgerError) -> Ledger? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        var configuration = GRDB.Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        configuration.label = "kyniem.ledger.readonly"
        do {
            let database = try DatabaseQueue(path: path, configuration: configuration)
            try Ledger.refuseNewerSchema(database, path: path)
            // A ledger written by an older kyniem (or an empty file) still answers, as the
            // migration would read it.
            let hasMeta = try database.read { db in try db.tableExists("meta") }
            return Ledger(path: path, isReadOnly: true, database: database, hasMeta: hasMeta)
        } catch let error as LedgerError {
            throw error
        } catch {
            throw LedgerError(path: path, message: Ledger.describe(error))
        }
    }

    /// A ledger whose schema names a migration this kyniem does not know was written by a newer
    /// kyniem: reading or writing it with an older schema could lose what it records.
    private static func refuseNewerSchema(_ database: DatabaseQueue, path: String) throws {
        let known = Set(Ledger.migrator.migrations)
        let applied = try database.read { db -> Set<String> in
            guard try db.tableExists("grdb_migrations") else { return [] }
            return try Ledger.migrator.appliedIdentifiers(db)
        }
        let unknown = applied.subtracting(known)
        if !unknown.isEmpty {
            throw LedgerError(
                path: path,
                message: "written by a newer kyniem (schema \(unknown.sorted().joined(separator: ", "))); "
                    + "upgrade kyniem to use it, or point `state:` at another file")
        }
    }


    private let hasMeta: Bool

    private init(path: String, isReadOnly: Bool, database: DatabaseQueue, hasMeta: Bool = true) {
        self.path = path
        self.isReadOnly = isReadOnly
        self.database = database
        self.hasMeta = hasMeta
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-deliveries") { db in
            try db.create(table: "deliveries") { table in
                table.primaryKey("key", .text)
                table.column("notifier", .text).notNull()
                table.column("event", .text).notNull()
                table.column("occurrence", .text).notNull()
                table.column("step", .text).notNull()
                table.column("due", .text).notNull()
                table.column("status", .text).notNull()
                    .check { ["pending", "sent", "failed"].contains($0) }
                table.column("attempts", .integer).notNull().defaults(to: 0)
                table.column("last_error", .text)
                table.column("first_attempt_at", .text).notNull()
                table.column("last_attempt_at", .text).notNull()
                table.column("sent_at", .text)
            }
            try db.create(index: "deliveries_by_due", on: "deliveries", columns: ["due"])
        }
        // `expired` joins the statuses (SQLite cannot change a CHECK in place: the table is
        // rebuilt), and `meta` records which run dates the ledger has covered. A v1 ledger with
        // rows gets its coverage from them: its first due date and its last one.
        migrator.registerMigration("v2-expired-and-coverage") { db in
            try db.execute(sql: """
                CREATE TABLE deliveries_v2 (
                    key TEXT PRIMARY KEY NOT NULL,
                    notifier TEXT NOT NULL,
                    event TEXT NOT NULL,
                    occurrence TEXT NOT NULL,
                    step TEXT NOT NULL,
                    due TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'expired')),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    last_error TEXT,
                    first_attempt_at TEXT NOT NULL,
                    last_attempt_at TEXT NOT NULL,
                    sent_at TEXT,
                    expiry_reported_at TEXT
                );
                INSERT INTO deliveries_v2 SELECT key, notifier, event, occurrence, step, due, status, attempts,
                    last_error, first_attempt_at, last_attempt_at, sent_at, NULL FROM deliveries;
                DROP TABLE deliveries;
                ALTER TABLE deliveries_v2 RENAME TO deliveries;
                CREATE INDEX deliveries_by_due ON deliveries(due);
                CREATE TABLE meta (name TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
                INSERT INTO meta (name, value) SELECT 'baseline', MIN(due) FROM deliveries HAVING COUNT(*) > 0;
                INSERT INTO meta (name, value) SELECT 'covered_through', MAX(due) FROM deliveries HAVING COUNT(*) > 0;
                """)
        }
        // Manual resends (`kyniem ledger resend`): a history row each, the delivery's own row
        // unchanged but for a failed or expired one becoming `sent` when the resend succeeded.
        // PostgresLedger.migrations has the same step in PostgreSQL's words (BIGSERIAL for the id).
        migrator.registerMigration("v3-resends") { db in
            try db.execute(sql: """
                CREATE TABLE resends (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    key TEXT NOT NULL,
                    at TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('sent', 'failed')),
                    error TEXT
                );
                CREATE INDEX resends_by_key ON resends(key);
                """)
        }
        return migrator
    }

    /// The status of each key the ledger has a row for; keys it has never seen are absent.
    public func status(forKeys keys: [String]) throws(LedgerError) -> [String: LedgerStatus] {
        var found: [String: LedgerStatus] = [:]
        try guarded {
            try database.read { db in
                // SQLite limits the number of bound parameters; ask in slices.
                for slice in Ledger.slices(of: keys) {
                    let marks = Array(repeating: "?", count: slice.count).joined(separator: ",")
                    let rows = try Row.fetchAll(
                        db, sql: "SELECT key, status FROM deliveries WHERE key IN (\(marks))",
                        arguments: StatementArguments(slice))
                    for row in rows {
                        let key: String = row["key"]
                        let raw: String = row["status"]
                        found[key] = LedgerStatus(rawValue: raw) ?? .pending
                    }
                }
            }
        }
        return found
    }

    /// Marks the deliveries `pending` and counts an attempt, all in one transaction, before they
    /// are sent. A row already `sent` is left alone.
    public func recordAttempts(_ deliveries: [Delivery], at timestamp: String) throws(LedgerError) {
        try requireWritable()
        try guarded {
            try database.write { db in
                let statement = try db.makeStatement(sql: """
                    INSERT INTO deliveries
                        (key, notifier, event, occurrence, step, due, status, attempts,
                         first_attempt_at, last_attempt_at)
                    VALUES (?, ?, ?, ?, ?, ?, 'pending', 1, ?, ?)
                    ON CONFLICT(key) DO UPDATE SET
                        status = 'pending',
                        attempts = attempts + 1,
                        last_attempt_at = excluded.last_attempt_at
                    WHERE status <> 'sent'
                    """)
                for delivery in deliveries {
                    try statement.execute(arguments: [
                        delivery.key, delivery.notifier, delivery.occurrence.event.id,
                        delivery.occurrence.date.iso, delivery.step.id, delivery.step.due.iso,
                        timestamp, timestamp,
                    ])
                }
            }
        }
    }

    /// Records what the notifier answered, in one transaction. Keys without a row are ignored
    /// (an attempt is always recorded first); a `sent` row stays `sent`.
    public func recordOutcomes(_ outcomes: [(key: String, outcome: LedgerOutcome)], at timestamp: String)
        throws(LedgerError)
    {
        try requireWritable()
        try guarded {
            try database.write { db in
                let sent = try db.makeStatement(sql: """
                    UPDATE deliveries SET status = 'sent', sent_at = ?, last_error = NULL
                    WHERE key = ? AND status <> 'sent'
                    """)
                let failed = try db.makeStatement(sql: """
                    UPDATE deliveries SET status = 'failed', last_error = ?
                    WHERE key = ? AND status <> 'sent'
                    """)
                for (key, outcome) in outcomes {
                    switch outcome {
                    case .sent: try sent.execute(arguments: [timestamp, key])
                    case .failed(let error): try failed.execute(arguments: [error, key])
                    }
                }
            }
        }
    }

    // The methods the dispatcher uses (KyniemCore's `DeliveryLedger`), in its terms.

    /// The keys among `keys` recorded as sent.
    public func sentKeys(among keys: [String]) throws(LedgerError) -> Set<String> {
        Set(try status(forKeys: keys).filter { $0.value == .sent }.keys)
    }

    /// `recordOutcomes` for one batch: the sent keys and the failed ones with their reasons.
    public func recordOutcomes(sent: [String], failed: [(key: String, error: String)], at timestamp: String)
        throws(LedgerError)
    {
        try recordOutcomes(
            sent.map { (key: $0, outcome: LedgerOutcome.sent) } + failed.map { (key: $0.key, outcome: .failed($0.error)) },
            at: timestamp)
    }

    /// The run dates this ledger has covered; nil when no run has recorded its plan yet.
    public func coverage() throws(LedgerError) -> LedgerCoverage? {
        var found: LedgerCoverage?
        try guarded {
            found = try database.read { db -> LedgerCoverage? in
                let values: [String: String]
                if hasMeta {
                    let rows = try Row.fetchAll(db, sql: "SELECT name, value FROM meta")
                    values = Dictionary(rows.map { ($0["name"] as String, $0["value"] as String) }, uniquingKeysWith: { a, _ in a })
                } else if try db.tableExists("deliveries") {
                    // A v1 ledger read without migrating (a dry run): what the migration would record.
                    let row = try Row.fetchOne(db, sql: "SELECT MIN(due) AS first, MAX(due) AS last FROM deliveries")
                    values = ["baseline": row?["first"], "covered_through": row?["last"]].compactMapValues { $0 }
                } else {
                    values = [:]
                }
                guard let baseline = values["baseline"].flatMap(LocalDate.init(iso:)),
                    let through = values["covered_through"].flatMap(LocalDate.init(iso:))
                else { return nil }
                return LedgerCoverage(baseline: baseline, through: through)
            }
        }
        return found
    }

    /// Records the run dates covered: the baseline is set once, `through` only moves forward.
    public func recordCoverage(_ coverage: LedgerCoverage) throws(LedgerError) {
        try requireWritable()
        try guarded {
            try database.write { db in
                try db.execute(
                    sql: "INSERT INTO meta (name, value) VALUES ('baseline', ?) ON CONFLICT(name) DO NOTHING",
                    arguments: [coverage.baseline.iso])
                try db.execute(
                    sql: """
                        INSERT INTO meta (name, value) VALUES ('covered_through', ?)
                        ON CONFLICT(name) DO UPDATE SET value = MAX(value, excluded.value)
                        """,
                    arguments: [coverage.through.iso])
            }
        }
    }

    /// Deliveries not sent whose step fell due before `date`: rows still `pending` or `failed`,
    /// and `unrecorded` ones without a row (due on days no run planned), and rows already
    /// `expired` that no finished run has reported yet. With `record`, all of them become
    /// `expired` in one transaction; `acknowledgeExpired` then marks them reported, once the
    /// run's report is out, so a run killed in between leaves them for the next one.
    public func expire(dueBefore date: LocalDate, unrecorded: [Delivery], record: Bool, at timestamp: String)
        throws(LedgerError) -> [ExpiredDelivery]
    {
        if record { try requireWritable() }
        var expired: [ExpiredDelivery] = []
        try guarded {
            let body = { (db: Database) throws -> [ExpiredDelivery] in
                var found: [ExpiredDelivery] = []
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT * FROM deliveries
                        WHERE (due < ? AND status IN ('pending', 'failed'))
                           OR (status = 'expired' AND expiry_reported_at IS NULL)
                        ORDER BY due, key
                        """,
                    arguments: [date.iso])
                var known = Set<String>()
                for row in rows {
                    let entry = Ledger.entry(from: row)
                    known.insert(entry.key)
                    found.append(ExpiredDelivery(entry))
                }
                var fresh: [Delivery] = []
                for slice in Ledger.slices(of: unrecorded.filter { !known.contains($0.key) }.map(\.key)) {
                    let marks = Array(repeating: "?", count: slice.count).joined(separator: ",")
                    let present = try String.fetchSet(
                        db, sql: "SELECT key FROM deliveries WHERE key IN (\(marks))", arguments: StatementArguments(slice))
                    known.formUnion(present)
                }
                for delivery in unrecorded where !known.contains(delivery.key) && delivery.step.due < date {
                    known.insert(delivery.key)
                    fresh.append(delivery)
                    found.append(ExpiredDelivery(delivery))
                }
                if record {
                    try db.execute(
                        sql: "UPDATE deliveries SET status = 'expired' WHERE due < ? AND status IN ('pending', 'failed')",
                        arguments: [date.iso])
                    let insert = try db.makeStatement(sql: """
                        INSERT INTO deliveries
                            (key, notifier, event, occurrence, step, due, status, attempts,
                             first_attempt_at, last_attempt_at)
                        VALUES (?, ?, ?, ?, ?, ?, 'expired', 0, ?, ?)
                        ON CONFLICT(key) DO NOTHING
                        """)
                    for delivery in fresh {
                        try insert.execute(arguments: [
                            delivery.key, delivery.notifier, delivery.occurrence.event.id,
                            delivery.occurrence.date.iso, delivery.step.id, delivery.step.due.iso,
                            timestamp, timestamp,
                        ])
                    }
                }
                return found.sorted { ($0.due, $0.key) < ($1.due, $1.key) }
            }
            expired = record ? try database.write(body) : try database.read(body)
        }
        return expired
    }

    /// Marks expired deliveries as reported by a run that finished its report.
    public func acknowledgeExpired(_ keys: [String], at timestamp: String) throws(LedgerError) {
        try requireWritable()
        try guarded {
            try database.write { db in
                let statement = try db.makeStatement(
                    sql: "UPDATE deliveries SET expiry_reported_at = ? WHERE key = ? AND status = 'expired'")
                for key in keys { try statement.execute(arguments: [timestamp, key]) }
            }
        }
    }

    /// One row, or nil.
    public func entry(forKey key: String) throws(LedgerError) -> LedgerEntry? {
        var entry: LedgerEntry?
        try guarded {
            entry = try database.read { db in
                try Row.fetchOne(db, sql: "SELECT * FROM deliveries WHERE key = ?", arguments: [key])
                    .map(Ledger.entry(from:))
            }
        }
        return entry
    }

    /// Every row, oldest due date first (for status listings and tests).
    public func entries() throws(LedgerError) -> [LedgerEntry] {
        var entries: [LedgerEntry] = []
        try guarded {
            entries = try database.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM deliveries ORDER BY due, key").map(Ledger.entry(from:))
            }
        }
        return entries
    }

    private static func entry(from row: Row) -> LedgerEntry {
        LedgerEntry(
            key: row["key"], notifier: row["notifier"], event: row["event"], occurrence: row["occurrence"],
            step: row["step"], due: row["due"],
            status: LedgerStatus(rawValue: row["status"] as String) ?? .pending,
            attempts: row["attempts"], lastError: row["last_error"], firstAttemptAt: row["first_attempt_at"],
            lastAttemptAt: row["last_attempt_at"], sentAt: row["sent_at"], expiryReportedAt: row["expiry_reported_at"])
    }

    private func requireWritable() throws(LedgerError) {
        if isReadOnly { throw LedgerError(path: path, message: "opened read-only (dry run); nothing may be written") }
    }

    private func guarded(_ body: () throws -> Void) throws(LedgerError) {
        do {
            try body()
        } catch let error as LedgerError {
            throw error
        } catch {
            throw LedgerError(path: path, message: Ledger.describe(error))
        }
    }

    private static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError {
            return error.message ?? "SQLite error \(error.resultCode.rawValue)"
        }
        return String(describing: error)
    }

    private static func slices(of keys: [String]) -> [[String]] {
        stride(from: 0, to: keys.count, by: 500).map { Array(keys[$0..<min($0 + 500, keys.count)]) }
    }
}

/// Creates `path` with mode 0600 if missing (an existing file keeps its mode); nil on success.
private func createPrivateFile(_ path: String) -> String? {
    let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
    guard fd >= 0 else { return String(cString: strerror(errno)) }
    close(fd)
    return nil
}

/// Creating the ledger's folders with mkdir(2), so a failure says why in the system's words
/// ("Not a directory", "Permission denied"): Foundation's `createDirectory` error reads "The
/// operation could not be completed" on Linux.
enum Folders {
    /// Creates `path` and its missing parents (mode 0700); nil on success or when it exists,
    /// else the reason of the mkdir that failed.
    static func create(_ path: String) -> String? {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            return isDirectory.boolValue ? nil : String(cString: strerror(ENOTDIR))
        }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != path, let reason = create(parent) { return reason }
        if mkdir(path, 0o700) != 0, errno != EEXIST { return String(cString: strerror(errno)) }
        return nil
    }
}

extension ExpiredDelivery {
    /// A ledger row that left the catch-up window unsent, as both backends report it.
    init(_ entry: LedgerEntry) {
        self.init(
            key: entry.key, notifier: entry.notifier, event: entry.event, occurrence: entry.occurrence,
            step: entry.step, due: entry.due, lastError: entry.lastError)
    }
}

/// The SQLite ledger is the dispatcher's ledger in every real run on one host.
extension Ledger: DeliveryLedger {}

// What `kyniem ledger` reads and writes beyond the dispatcher's needs.
extension Ledger: StateLedger {
    public var location: String { path }

    /// Manual resends, oldest first; none on a ledger from before v3.
    public func resends() throws(LedgerError) -> [ResendRecord] {
        var found: [ResendRecord] = []
        try guarded {
            found = try database.read { db in
                guard try db.tableExists("resends") else { return [] }
                return try Row.fetchAll(db, sql: "SELECT key, at, status, error FROM resends ORDER BY id").map {
                    ResendRecord(key: $0["key"], at: $0["at"], status: $0["status"], error: $0["error"])
                }
            }
        }
        return found
    }

    public func meta() throws(LedgerError) -> [String: String] {
        var values: [String: String] = [:]
        try guarded {
            values = try database.read { db in
                guard try db.tableExists("meta") else { return [:] }
                let rows = try Row.fetchAll(db, sql: "SELECT name, value FROM meta")
                return Dictionary(rows.map { ($0["name"] as String, $0["value"] as String) }, uniquingKeysWith: { a, _ in a })
            }
        }
        return values
    }

    /// Records a manual resend's outcome: a history row, and a delivery not yet `sent` becomes
    /// `sent` when the resend succeeded (so the daily run does not send it once more).
    public func recordResend(key: String, outcome: LedgerOutcome, at timestamp: String) throws(LedgerError) {
        try requireWritable()
        try guarded {
            try database.write { db in
                switch outcome {
                case .sent:
                    try db.execute(
                        sql: "INSERT INTO resends (key, at, status, error) VALUES (?, ?, 'sent', NULL)",
                        arguments: [key, timestamp])
                    try db.execute(
                        sql: "UPDATE deliveries SET status = 'sent', sent_at = ?, last_error = NULL WHERE key = ? AND status <> 'sent'",
                        arguments: [timestamp, key])
                case .failed(let error):
                    try db.execute(
                        sql: "INSERT INTO resends (key, at, status, error) VALUES (?, ?, 'failed', ?)",
                        arguments: [key, timestamp, error])
                }
            }
        }
    }

    /// Writes another ledger's whole content into this empty one, in one transaction.
    public func importContent(_ content: LedgerContent) throws(LedgerError) {
        try requireWritable()
        try guarded {
            try database.write { db in
                let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM deliveries") ?? 0
                let metaCount = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM meta") ?? 0
                guard count == 0, metaCount == 0 else {
                    throw LedgerError(path: path, message: "not empty; a copy goes into an empty ledger only")
                }
                let insert = try db.makeStatement(sql: """
                    INSERT INTO deliveries (key, notifier, event, occurrence, step, due, status, attempts, last_error,
                        first_attempt_at, last_attempt_at, sent_at, expiry_reported_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
                for entry in content.entries {
                    try insert.execute(arguments: [
                        entry.key, entry.notifier, entry.event, entry.occurrence, entry.step, entry.due,
                        entry.status.rawValue, entry.attempts, entry.lastError, entry.firstAttemptAt,
                        entry.lastAttemptAt, entry.sentAt, entry.expiryReportedAt,
                    ])
                }
                for record in content.resends {
                    try db.execute(
                        sql: "INSERT INTO resends (key, at, status, error) VALUES (?, ?, ?, ?)",
                        arguments: [record.key, record.at, record.status, record.error])
                }
                for (name, value) in content.meta.sorted(by: { $0.key < $1.key }) {
                    try db.execute(sql: "INSERT INTO meta (name, value) VALUES (?, ?)", arguments: [name, value])
                }
            }
        }
    }
}
