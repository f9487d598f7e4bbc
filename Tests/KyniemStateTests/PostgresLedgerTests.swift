import Foundation
import KyniemCore
import KyniemTesting
import GRDB
import Testing

@testable import KyniemState

/// What the PostgreSQL ledger adds to the shared contract (LedgerContractTests): the advisory run
/// lock, migrations once, a newer schema refused, a server that is down, and the copy from SQLite.
@Suite(.enabled(if: TestPostgres.isAvailable, Comment(rawValue: TestPostgres.skipMessage)))
struct PostgresLedgerTests {
    @Test func theRunLockIsOnePerOfficeAndGoesWithItsSession() throws {
        let url = try TestPostgres.makeDatabase()
        let first = try OfficeState.openForWriting(url)
        do {
            _ = try OfficeState.openForWriting(url)
            Issue.record("a second session took the run lock")
        } catch {
            guard case .held(let message) = error else {
                Issue.record("expected held, got \(error)")
                return
            }
            // The holder is named by its pid and host (application_name).
            #expect(message.contains("another kyniem run (pid \(getpid()) on "), "\(message)")
            #expect(message.contains(try #require(PostgresURL.parse(url).get().display)))
        }
        first.release()
        let second = try OfficeState.openForWriting(url)
        second.release()
    }

    @Test func migrationsRunOnceAndANewerSchemaIsRefused() throws {
        let url = try TestPostgres.makeDatabase()
        // No kyniem tables yet: a read-only opener finds no ledger, and creates nothing.
        #expect(try OfficeState.openReadOnly(url) == nil)
        #expect(try TestPostgres.psql(url, "SELECT to_regclass('kyniem_migrations') IS NULL") == "t")
        for _ in 0..<2 { try OfficeState.openForWriting(url).release() }
        #expect(try TestPostgres.psql(url, "SELECT string_agg(identifier, ',' ORDER BY identifier) FROM kyniem_migrations")
            == "v1-deliveries,v2-expired-and-coverage,v3-resends")
        try TestPostgres.psql(url, "INSERT INTO kyniem_migrations VALUES ('v9-from-the-future')")
        for open in [{ try OfficeState.openForWriting(url).release() }, { _ = try OfficeState.openReadOnly(url) }] {
            do {
                try open()
                Issue.record("a newer ledger was accepted")
            } catch {
                #expect(String(describing: error).contains("written by a newer kyniem (schema v9-from-the-future)"))
            }
        }
    }

    @Test func aServerThatIsDownIsNamedWithItsHostPortAndReason() throws {
        // A port nothing listens on: bind one, learn its number, close it.
        let port = try freePort()
        let url = "postgresql://kyniem@127.0.0.1:\(port)/kyniem?sslmode=disable"
        do {
            try OfficeState.openForWriting(url).release()
            Issue.record("connected to nothing")
        } catch {
            guard case .failed(let message) = error else {
                Issue.record("expected failed, got \(error)")
                return
            }
            #expect(message.contains("postgresql://kyniem@127.0.0.1:\(port)/kyniem: cannot connect"), "\(message)")
            #expect(message.contains("port \(port) failed: Connection refused"), "\(message)")
        }
    }

    @Test func aReadOnlySessionCannotWrite() throws {
        let url = try TestPostgres.makeDatabase()
        try OfficeState.openForWriting(url).release()
        let ledger = try #require(try OfficeState.openReadOnly(url))
        #expect(throws: LedgerError.self) {
            try ledger.recordCoverage(LedgerCoverage(baseline: LocalDate(2027, 1, 1), through: LocalDate(2027, 1, 1)))
        }
    }

    @Test func aSQLiteLedgerCopiesWhole() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let sqlite = try Ledger.open(at: folder + "/ledger.sqlite")
        let planned = plannedDeliveries(events: ["a", "b"], notifiers: ["office", "team"])
        try sqlite.recordAttempts(planned, at: "t1")
        try sqlite.recordOutcomes(sent: [planned[0].key, planned[1].key], failed: [(planned[2].key, "say \"503\" \\ {x,y}")], at: "t1")
        _ = try sqlite.expire(dueBefore: LocalDate(2027, 9, 22), unrecorded: [], record: true, at: "t2")
        try sqlite.acknowledgeExpired([planned[2].key], at: "t3")
        try sqlite.recordCoverage(LedgerCoverage(baseline: LocalDate(2027, 9, 14), through: LocalDate(2027, 9, 21)))
        try sqlite.recordResend(key: planned[0].key, outcome: .failed("down"), at: "t4")
        try sqlite.recordResend(key: planned[3].key, outcome: .sent, at: "t5")
        let content = try sqlite.content()

        let url = try TestPostgres.makeDatabase()
        let session = try OfficeState.openForWriting(url)
        defer { session.release() }
        try session.ledger.importContent(content)
        #expect(try session.ledger.content() == content)
        #expect(try session.ledger.sentKeys(among: planned.map(\.key)) == Set([planned[0].key, planned[1].key, planned[3].key]))
        // Into a ledger that is not empty, never.
        #expect(throws: LedgerError.self) { try session.ledger.importContent(content) }
    }

    func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// v3 (manual resends) on SQLite: a v2 ledger migrates with its rows, and a resend is history.
@Suite struct LedgerResendTests {
    @Test func aVersion2LedgerMigratesToVersion3WithItsRows() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/ledger.sqlite"
        let database = try GRDB.DatabaseQueue(path: path)
        try Ledger.migrator.migrate(database, upTo: "v2-expired-and-coverage")
        try database.write { db in
            try db.execute(sql: """
                INSERT INTO deliveries VALUES ('a/2027-09-21/remind-0d/office', 'office', 'a', '2027-09-21',
                    'remind-0d', '2027-09-21', 'failed', 2, 'down', 't', 't', NULL, NULL);
                INSERT INTO meta VALUES ('baseline', '2027-09-14'), ('covered_through', '2027-09-21');
                """)
        }
        try database.close()
        // Read-only (a listing) before the migration: no resends table, no history.
        let readOnly = try #require(try Ledger.openReadOnlyIfExists(at: path))
        #expect(try readOnly.resends().isEmpty)

        let ledger = try Ledger.open(at: path)
        #expect(try ledger.entries().map(\.key) == ["a/2027-09-21/remind-0d/office"])
        #expect(try ledger.meta() == ["baseline": "2027-09-14", "covered_through": "2027-09-21"])
        try ledger.recordResend(key: "a/2027-09-21/remind-0d/office", outcome: .failed("still down"), at: "t1")
        #expect(try ledger.entry(forKey: "a/2027-09-21/remind-0d/office")?.status == .failed)
        try ledger.recordResend(key: "a/2027-09-21/remind-0d/office", outcome: .sent, at: "t2")
        let entry = try #require(try ledger.entry(forKey: "a/2027-09-21/remind-0d/office"))
        #expect(entry.status == .sent && entry.sentAt == "t2" && entry.attempts == 2)
        #expect(try ledger.resends() == [
            ResendRecord(key: "a/2027-09-21/remind-0d/office", at: "t1", status: "failed", error: "still down"),
            ResendRecord(key: "a/2027-09-21/remind-0d/office", at: "t2", status: "sent", error: nil),
        ])
    }
}
