import Foundation
import KyniemCore

#if canImport(Glibc)
import Glibc
#endif

/// The delivery ledger in a PostgreSQL database (`state: postgresql://…`), for an office whose
/// runs happen on more than one host. The same schema, migrations and guarantees as the SQLite
/// `Ledger` (the contract suite runs on both):
/// - outcomes are committed as each notifier reports them, attempts before anything is sent;
/// - the run lock is a session-level advisory lock (`pg_try_advisory_lock`) on the very
///   connection the run writes through, held until the run ends: a second run, on any host,
///   exits 3; a killed or crashed host's session ends (the kernel closes its socket, or the
///   server's TCP keepalives give up on a vanished host within about a minute) and takes the lock
///   with it;
/// - migrations run under that lock, once; a database whose `kyniem_migrations` names a
///   migration this kyniem does not know is refused.
///
/// One connection, used by one thread at a time (the dispatcher records outcomes from each
/// notifier's thread): every call holds `mutex` for its whole transaction. No reconnection: a
/// session that breaks has lost the lock, so the run's later writes fail (their deliveries stay
/// pending or unrecorded and go out with the next run).
public final class PostgresLedger: @unchecked Sendable {
    public let url: PostgresURL
    public let isReadOnly: Bool
    private let connection: PGConnection
    private let mutex = NSLock()
    /// Whether the `resends` table exists (a read-only ledger may predate v3).
    private var hasResends = true

    /// The advisory lock's key pair: "kyni" and 1, the office's run lock.
    static let lockKeys: (Int32, Int32) = (0x6B79_6E69, 1)

    /// The schema, in steps named as the SQLite ledger's (GRDB) migrations are.
    static let migrations: [(identifier: String, sql: String)] = [
        ("v1-deliveries", """
            CREATE TABLE deliveries (
                key TEXT PRIMARY KEY,
                notifier TEXT NOT NULL,
                event TEXT NOT NULL,
                occurrence TEXT NOT NULL,
                step TEXT NOT NULL,
                due TEXT NOT NULL,
                status TEXT NOT NULL CONSTRAINT deliveries_status_check CHECK (status IN ('pending', 'sent', 'failed')),
                attempts INTEGER NOT NULL DEFAULT 0,
                last_error TEXT,
                first_attempt_at TEXT NOT NULL,
                last_attempt_at TEXT NOT NULL,
                sent_at TEXT
            );
            CREATE INDEX deliveries_by_due ON deliveries (due COLLATE "C");
            """),
        ("v2-expired-and-coverage", """
            ALTER TABLE deliveries DROP CONSTRAINT deliveries_status_check;
            ALTER TABLE deliveries ADD CONSTRAINT deliveries_status_check
                CHECK (status IN ('pending', 'sent', 'failed', 'expired'));
            ALTER TABLE deliveries ADD COLUMN expiry_reported_at TEXT;
            CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
            INSERT INTO meta (name, value) SELECT 'baseline', MIN(due COLLATE "C") FROM deliveries HAVING COUNT(*) > 0;
            INSERT INTO meta (name, value) SELECT 'covered_through', MAX(due COLLATE "C") FROM deliveries HAVING COUNT(*) > 0;
            """),
        ("v3-resends", """
            CREATE TABLE resends (
                id BIGSERIAL PRIMARY KEY,
                key TEXT NOT NULL,
                at TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('sent', 'failed')),
                error TEXT
            );
            CREATE INDEX resends_by_key ON resends (key);
            """),
    ]

    private init(url: PostgresURL, connection: PGConnection, isReadOnly: Bool) {
        self.url = url
        self.connection = connection
        self.isReadOnly = isReadOnly
    }

    /// libpq's connection parameters for `url`. TCP keepalives both ways: the client notices a
    /// dead server, and the server (per-session settings) a dead host, whose lock it then drops.
    static func parameters(_ url: PostgresURL, readOnly: Bool) -> [(String, String)] {
        var host = (try? String(contentsOfFile: "/proc/sys/kernel/hostname", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if host.isEmpty { host = "?" }
        var options = "-c tcp_keepalives_idle=30 -c tcp_keepalives_interval=10 -c tcp_keepalives_count=3"
            + " -c statement_timeout=120s -c lock_timeout=60s -c client_min_messages=warning"
        if readOnly { options += " -c default_transaction_read_only=on" }
        var parameters: [(String, String)] = [
            ("host", url.host), ("port", String(url.port)), ("dbname", url.database),
            ("connect_timeout", String(url.connectTimeout ?? 10)),
            ("application_name", String("kyniem \(getpid()) \(host)".prefix(63))),
            ("client_encoding", "UTF8"), ("options", options),
            ("keepalives", "1"), ("keepalives_idle", "30"), ("keepalives_interval", "10"), ("keepalives_count", "3"),
        ]
        if let user = url.user { parameters.append(("user", user)) }
        if let mode = url.sslMode { parameters.append(("sslmode", mode)) }
        if let cert = url.sslRootCert { parameters.append(("sslrootcert", cert)) }
        return parameters
    }

    /// Connects for a run (writable). Take the lock, then `migrate()`, before using it.
    public static func connect(_ url: PostgresURL) throws(LedgerError) -> PostgresLedger {
        do {
            let connection = try PGConnection(parameters: parameters(url, readOnly: false))
            return PostgresLedger(url: url, connection: connection, isReadOnly: false)
        } catch {
            throw LedgerError(path: url.display, message: "cannot connect: \(error.message)")
        }
    }

    /// Connects read-only (the server refuses writes in this session); nil when the database has
    /// no kyniem ledger yet. A ledger from a newer kyniem is refused.
    public static func openReadOnlyIfExists(_ url: PostgresURL) throws(LedgerError) -> PostgresLedger? {
        let connection: PGConnection
        do {
            connection = try PGConnection(parameters: parameters(url, readOnly: true))
        } catch {
            throw LedgerError(path: url.display, message: "cannot connect: \(error.message)")
        }
        let ledger = PostgresLedger(url: url, connection: connection, isReadOnly: true)
        let applied = try ledger.appliedMigrations()
        guard let applied, !applied.isEmpty else {
            ledger.close()
            return nil
        }
        try ledger.refuseUnknown(applied)
        ledger.hasResends = applied.contains("v3-resends")
        return ledger
    }

    public func close() { mutex.withLock { connection.close() } }

    /// Takes the office's run lock for this session, without waiting.
    public func takeRunLock() throws(RunLockError) {
        let taken: Bool
        do {
            taken = try locked {
                try connection.query(
                    "SELECT pg_try_advisory_lock($1::int4, $2::int4)",
                    [String(Self.lockKeys.0), String(Self.lockKeys.1)]
                ).first?.first == "t"
            }
        } catch {
            throw .unavailable(path: url.display, reason: (error as? PGError)?.message ?? String(describing: error))
        }
        guard !taken else { return }
        // Who holds it, from the holder's application_name ("kyniem PID HOST"), when visible.
        let holder = try? locked {
            try connection.query(
                """
                SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1::oid AND l.objid = $2::oid AND l.objsubid = 2
                    AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                """,
                [String(UInt32(bitPattern: Self.lockKeys.0)), String(UInt32(bitPattern: Self.lockKeys.1))]
            ).first?.first ?? nil
        }
        let parts = holder?.split(separator: " ") ?? []
        let described = parts.count == 3 && parts[0] == "kyniem" ? "\(parts[1]) on \(parts[2])" : nil
        throw .held(path: url.display, holder: described)
    }

    /// Creates or upgrades the schema (call with the run lock held): each step in a transaction
    /// of its own with its identifier, so a step runs once whatever the number of hosts.
    public func migrate() throws(LedgerError) {
        try guarded {
            try connection.query("CREATE TABLE IF NOT EXISTS kyniem_migrations (identifier TEXT PRIMARY KEY)")
        }
        let applied = try appliedMigrations() ?? []
        try refuseUnknown(applied)
        for migration in Self.migrations where !applied.contains(migration.identifier) {
            try guarded {
                try transaction {
                    try connection.script(migration.sql)
                    try connection.query(
                        "INSERT INTO kyniem_migrations (identifier) VALUES ($1)", [migration.identifier])
                }
            }
        }
    }

    /// The applied migrations, or nil when the database has no `kyniem_migrations` table.
    private func appliedMigrations() throws(LedgerError) -> Set<String>? {
        try guarded {
            let exists = try connection.query("SELECT to_regclass('kyniem_migrations') IS NOT NULL").first?.first == "t"
            guard exists else { return nil }
            return Set(try connection.query("SELECT identifier FROM kyniem_migrations").compactMap { $0[0] })
        }
    }

    private func refuseUnknown(_ applied: Set<String>) throws(LedgerError) {
        let unknown = applied.subtracting(Self.migrations.map(\.identifier))
        if !unknown.isEmpty {
            throw LedgerError(
                path: url.display,
                message: "written by a newer kyniem (schema \(unknown.sorted().joined(separator: ", "))); "
                    + "upgrade kyniem to use it, or point `state:` at another database")
        }
    }

    // MARK: Plumbing

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        mutex.lock()
        defer { mutex.unlock() }
        return try body()
    }

    /// Runs `body` under the mutex, turning libpq errors into `LedgerError`.
    @discardableResult
    private func guarded<T>(_ body: () throws -> T) throws(LedgerError) -> T {
        do {
            return try locked(body)
        } catch let error as LedgerError {
            throw error
        } catch {
            throw LedgerError(path: url.display, message: (error as? PGError)?.message ?? String(describing: error))
        }
    }

    /// BEGIN … COMMIT around `body` (called under the mutex); ROLLBACK when it throws.
    private func transaction<T>(_ body: () throws -> T) throws -> T {
        try connection.query("BEGIN")
        do {
            let value = try body()
            try connection.query("COMMIT")
            return value
        } catch {
            _ = try? connection.query("ROLLBACK")
            throw error
        }
    }

    private func requireWritable() throws(LedgerError) {
        if isReadOnly { throw LedgerError(path: url.display, message: "opened read-only; nothing may be written") }
    }

    /// A `text[]` literal for `$n::text[]`.
    static func array(_ values: [String?]) -> String {
        "{" + values.map { value -> String in
            guard let value else { return "NULL" }
            var quoted = "\""
            for character in value {
                if character == "\"" || character == "\\" { quoted.append("\\") }
                quoted.append(character)
            }
            return quoted + "\""
        }.joined(separator: ",") + "}"
    }

    static func entry(from row: [String?]) -> LedgerEntry {
        LedgerEntry(
            key: row[0] ?? "", notifier: row[1] ?? "", event: row[2] ?? "", occurrence: row[3] ?? "",
            step: row[4] ?? "", due: row[5] ?? "", status: LedgerStatus(rawValue: row[6] ?? "") ?? .pending,
            attempts: Int(row[7] ?? "") ?? 0, lastError: row[8], firstAttemptAt: row[9] ?? "",
            lastAttemptAt: row[10] ?? "", sentAt: row[11], expiryReportedAt: row[12])
    }

    static let entryColumns = """
        key, notifier, event, occurrence, step, due, status, attempts, last_error, first_attempt_at,
        last_attempt_at, sent_at, expiry_reported_at
        """
}

extension PostgresLedger: StateLedger {
    public var location: String { url.display }

    public func sentKeys(among keys: [String]) throws(LedgerError) -> Set<String> {
        guard !keys.isEmpty else { return [] }
        return try guarded {
            Set(try connection.query(
                "SELECT key FROM deliveries WHERE key = ANY($1::text[]) AND status = 'sent'",
                [Self.array(keys)]
            ).compactMap { $0[0] })
        }
    }

    public func recordAttempts(_ deliveries: [Delivery], at timestamp: String) throws(LedgerError) {
        try requireWritable()
        var seen = Set<String>()
        let unique = deliveries.filter { seen.insert($0.key).inserted }
        guard !unique.isEmpty else { return }
        try guarded {
            try connection.query(
                """
                INSERT INTO deliveries (key, notifier, event, occurrence, step, due, status, attempts,
                    first_attempt_at, last_attempt_at)
                SELECT k, n, e, o, s, d, 'pending', 1, $7, $7
                FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS t (k, n, e, o, s, d)
                ON CONFLICT (key) DO UPDATE SET
                    status = 'pending', attempts = deliveries.attempts + 1, last_attempt_at = excluded.last_attempt_at
                WHERE deliveries.status <> 'sent'
                """,
                [
                    Self.array(unique.map(\.key)), Self.array(unique.map(\.notifier)),
                    Self.array(unique.map(\.occurrence.event.id)), Self.array(unique.map(\.occurrence.date.iso)),
                    Self.array(unique.map(\.step.id)), Self.array(unique.map(\.step.due.iso)), timestamp,
                ])
        }
    }

    public func recordOutcomes(sent: [String], failed: [(key: String, error: String)], at timestamp: String)
        throws(LedgerError)
    {
        try requireWritable()
        guard !sent.isEmpty || !failed.isEmpty else { return }
        try guarded {
            try transaction {
                if !sent.isEmpty {
                    try connection.query(
                        """
                        UPDATE deliveries SET status = 'sent', sent_at = $1, last_error = NULL
                        WHERE key = ANY($2::text[]) AND status <> 'sent'
                        """,
                        [timestamp, Self.array(sent)])
                }
                for (key, error) in failed {
                    try connection.query(
                        "UPDATE deliveries SET status = 'failed', last_error = $1 WHERE key = $2 AND status <> 'sent'",
                        [error, key])
                }
            }
        }
    }

    public func coverage() throws(LedgerError) -> LedgerCoverage? {
        let values = try meta()
        guard let baseline = values["baseline"].flatMap(LocalDate.init(iso:)),
            let through = values["covered_through"].flatMap(LocalDate.init(iso:))
        else { return nil }
        return LedgerCoverage(baseline: baseline, through: through)
    }

    public func recordCoverage(_ coverage: LedgerCoverage) throws(LedgerError) {
        try requireWritable()
        try guarded {
            try transaction {
                try connection.query(
                    "INSERT INTO meta (name, value) VALUES ('baseline', $1) ON CONFLICT (name) DO NOTHING",
                    [coverage.baseline.iso])
                try connection.query(
                    """
                    INSERT INTO meta (name, value) VALUES ('covered_through', $1)
                    ON CONFLICT (name) DO UPDATE SET value = GREATEST(meta.value COLLATE "C", excluded.value COLLATE "C")
                    """,
                    [coverage.through.iso])
            }
        }
    }

    public func expire(dueBefore date: LocalDate, unrecorded: [Delivery], record: Bool, at timestamp: String)
        throws(LedgerError) -> [ExpiredDelivery]
    {
        if record { try requireWritable() }
        return try guarded {
            let body = { [self] () throws -> [ExpiredDelivery] in
                var found: [ExpiredDelivery] = []
                var known = Set<String>()
                let rows = try connection.query(
                    """
                    SELECT \(Self.entryColumns) FROM deliveries
                    WHERE (due COLLATE "C" < $1 AND status IN ('pending', 'failed'))
                       OR (status = 'expired' AND expiry_reported_at IS NULL)
                    ORDER BY due COLLATE "C", key COLLATE "C"
                    """,
                    [date.iso])
                for row in rows {
                    let entry = Self.entry(from: row)
                    known.insert(entry.key)
                    found.append(ExpiredDelivery(entry))
                }
                let candidates = unrecorded.filter { !known.contains($0.key) }.map(\.key)
                if !candidates.isEmpty {
                    let present = try connection.query(
                        "SELECT key FROM deliveries WHERE key = ANY($1::text[])", [Self.array(candidates)])
                    known.formUnion(present.compactMap { $0[0] })
                }
                var fresh: [Delivery] = []
                for delivery in unrecorded where !known.contains(delivery.key) && delivery.step.due < date {
                    known.insert(delivery.key)
                    fresh.append(delivery)
                    found.append(ExpiredDelivery(delivery))
                }
                if record {
                    try connection.query(
                        "UPDATE deliveries SET status = 'expired' WHERE due COLLATE \"C\" < $1 AND status IN ('pending', 'failed')",
                        [date.iso])
                    if !fresh.isEmpty {
                        try connection.query(
                            """
                            INSERT INTO deliveries (key, notifier, event, occurrence, step, due, status, attempts,
                                first_attempt_at, last_attempt_at)
                            SELECT k, n, e, o, s, d, 'expired', 0, $7, $7
                            FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS t (k, n, e, o, s, d)
                            ON CONFLICT (key) DO NOTHING
                            """,
                            [
                                Self.array(fresh.map(\.key)), Self.array(fresh.map(\.notifier)),
                                Self.array(fresh.map(\.occurrence.event.id)), Self.array(fresh.map(\.occurrence.date.iso)),
                                Self.array(fresh.map(\.step.id)), Self.array(fresh.map(\.step.due.iso)), timestamp,
                            ])
                    }
                }
                return found.sorted { ($0.due, $0.key) < ($1.due, $1.key) }
            }
            return record ? try transaction(body) : try body()
        }
    }

    public func acknowledgeExpired(_ keys: [String], at timestamp: String) throws(LedgerError) {
        try requireWritable()
        guard !keys.isEmpty else { return }
        try guarded {
            try connection.query(
                "UPDATE deliveries SET expiry_reported_at = $1 WHERE key = ANY($2::text[]) AND status = 'expired'",
                [timestamp, Self.array(keys)])
        }
    }

    public func entries() throws(LedgerError) -> [LedgerEntry] {
        try guarded {
            try connection.query(
                "SELECT \(Self.entryColumns) FROM deliveries ORDER BY due COLLATE \"C\", key COLLATE \"C\""
            ).map(Self.entry(from:))
        }
    }

    public func entry(forKey key: String) throws(LedgerError) -> LedgerEntry? {
        try guarded {
            try connection.query("SELECT \(Self.entryColumns) FROM deliveries WHERE key = $1", [key])
                .first.map(Self.entry(from:))
        }
    }

    public func resends() throws(LedgerError) -> [ResendRecord] {
        guard hasResends else { return [] }
        return try guarded {
            try connection.query("SELECT key, at, status, error FROM resends ORDER BY id").map {
                ResendRecord(key: $0[0] ?? "", at: $0[1] ?? "", status: $0[2] ?? "", error: $0[3])
            }
        }
    }

    public func meta() throws(LedgerError) -> [String: String] {
        try guarded {
            var values: [String: String] = [:]
            for row in try connection.query("SELECT name, value FROM meta") {
                if let name = row[0], let value = row[1] { values[name] = value }
            }
            return values
        }
    }

    public func recordResend(key: String, outcome: LedgerOutcome, at timestamp: String) throws(LedgerError) {
        try requireWritable()
        try guarded {
            try transaction {
                switch outcome {
                case .sent:
                    try connection.query(
                        "INSERT INTO resends (key, at, status, error) VALUES ($1, $2, 'sent', NULL)", [key, timestamp])
                    try connection.query(
                        "UPDATE deliveries SET status = 'sent', sent_at = $1, last_error = NULL WHERE key = $2 AND status <> 'sent'",
                        [timestamp, key])
                case .failed(let error):
                    try connection.query(
                        "INSERT INTO resends (key, at, status, error) VALUES ($1, $2, 'failed', $3)", [key, timestamp, error])
                }
            }
        }
    }

    public func importContent(_ content: LedgerContent) throws(LedgerError) {
        try requireWritable()
        let target = url.display
        try guarded {
            try transaction {
                let rows = try connection.query("SELECT (SELECT COUNT(*) FROM deliveries) + (SELECT COUNT(*) FROM meta)")
                guard rows.first?.first == "0" else {
                    throw PGError("\(target) is not empty; a copy goes into an empty ledger only")
                }
                let entries = content.entries
                if !entries.isEmpty {
                    try connection.query(
                        """
                        INSERT INTO deliveries (\(Self.entryColumns))
                        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                            $7::text[], $8::int[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[])
                        """,
                        [
                            Self.array(entries.map(\.key)), Self.array(entries.map(\.notifier)),
                            Self.array(entries.map(\.event)), Self.array(entries.map(\.occurrence)),
                            Self.array(entries.map(\.step)), Self.array(entries.map(\.due)),
                            Self.array(entries.map(\.status.rawValue)), Self.array(entries.map { String($0.attempts) }),
                            Self.array(entries.map(\.lastError)), Self.array(entries.map(\.firstAttemptAt)),
                            Self.array(entries.map(\.lastAttemptAt)), Self.array(entries.map(\.sentAt)),
                            Self.array(entries.map(\.expiryReportedAt)),
                        ])
                }
                for record in content.resends {
                    try connection.query(
                        "INSERT INTO resends (key, at, status, error) VALUES ($1, $2, $3, $4)",
                        [record.key, record.at, record.status, record.error])
                }
                for (name, value) in content.meta.sorted(by: { $0.key < $1.key }) {
                    try connection.query("INSERT INTO meta (name, value) VALUES ($1, $2)", [name, value])
                }
            }
        }
    }
}
