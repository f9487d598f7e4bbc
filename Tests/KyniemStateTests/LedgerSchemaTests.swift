import Foundation
import GRDB
import KyniemCore
import Testing

@testable import KyniemState

/// The schema's life: v1 ledgers migrate, newer ones are refused, coverage and expiry persist.
@Suite struct LedgerSchemaTests {
    /// A ledger as kyniem's first schema wrote it, with one sent and one failed row.
    func writeVersion1Ledger(at path: String) throws {
        let database = try DatabaseQueue(path: path)
        try database.write { db in
            try db.execute(sql: """
                CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
                INSERT INTO grdb_migrations VALUES ('v1-deliveries');
                CREATE TABLE deliveries (
                    key TEXT PRIMARY KEY NOT NULL, notifier TEXT NOT NULL, event TEXT NOT NULL,
                    occurrence TEXT NOT NULL, step TEXT NOT NULL, due TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
                    attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, first_attempt_at TEXT NOT NULL,
                    last_attempt_at TEXT NOT NULL, sent_at TEXT);
                CREATE INDEX deliveries_by_due ON deliveries(due);
                INSERT INTO deliveries VALUES ('a/2027-09-21/remind-7d/office', 'office', 'a', '2027-09-21',
                    'remind-7d', '2027-09-14', 'sent', 1, NULL, 't', 't', 't');
                INSERT INTO deliveries VALUES ('a/2027-09-21/remind-0d/office', 'office', 'a', '2027-09-21',
                    'remind-0d', '2027-09-21', 'failed', 2, 'down', 't', 't', NULL);
                """)
        }
    }

    @Test func aVersion1LedgerMigratesWithItsRowsAndACoverageFromThem() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/ledger.sqlite"
        try writeVersion1Ledger(at: path)

        // A dry run reads it as it is, without migrating.
        let readOnly = try #require(try Ledger.openReadOnlyIfExists(at: path))
        #expect(try readOnly.coverage() == LedgerCoverage(baseline: LocalDate(2027, 9, 14), through: LocalDate(2027, 9, 21)))

        let ledger = try Ledger.open(at: path)
        #expect(try ledger.entries().map(\.status) == [.sent, .failed])
        #expect(try ledger.coverage() == LedgerCoverage(baseline: LocalDate(2027, 9, 14), through: LocalDate(2027, 9, 21)))
        // `expired` is a status the migrated table accepts.
        let expired = try ledger.expire(dueBefore: LocalDate(2027, 9, 22), unrecorded: [], record: true, at: "t2")
        #expect(expired.map(\.key) == ["a/2027-09-21/remind-0d/office"])
        #expect(expired[0].lastError == "down")
        #expect(try ledger.entry(forKey: "a/2027-09-21/remind-0d/office")?.status == .expired)
        #expect(try ledger.entry(forKey: "a/2027-09-21/remind-7d/office")?.status == .sent)
    }

    @Test func aLedgerFromANewerKyniemIsRefusedForReadingAndWriting() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/ledger.sqlite"
        _ = try Ledger.open(at: path)
        let database = try DatabaseQueue(path: path)
        try database.write { db in try db.execute(sql: "INSERT INTO grdb_migrations VALUES ('v9-from-the-future')") }

        for open in [{ _ = try Ledger.open(at: path) }, { _ = try Ledger.openReadOnlyIfExists(at: path) }] {
            do {
                try open()
                Issue.record("a newer ledger was accepted")
            } catch let error as LedgerError {
                #expect(error.description.contains("written by a newer kyniem (schema v9-from-the-future)"))
            }
        }
    }

    @Test func coverageKeepsItsBaselineAndOnlyMovesForward() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let ledger = try Ledger.open(at: folder + "/ledger.sqlite")
        #expect(try ledger.coverage() == nil)
        try ledger.recordCoverage(LedgerCoverage(baseline: LocalDate(2027, 9, 1), through: LocalDate(2027, 9, 1)))
        try ledger.recordCoverage(LedgerCoverage(baseline: LocalDate(2027, 9, 5), through: LocalDate(2027, 9, 10)))
        // A run with an earlier --date does not move `through` back.
        try ledger.recordCoverage(LedgerCoverage(baseline: LocalDate(2027, 9, 5), through: LocalDate(2027, 9, 3)))
        #expect(try ledger.coverage() == LedgerCoverage(baseline: LocalDate(2027, 9, 1), through: LocalDate(2027, 9, 10)))
    }

    @Test func expiryCoversPendingFailedAndUnrecordedOnceAndNeverSentRows() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let ledger = try Ledger.open(at: folder + "/ledger.sqlite")
        let planned = plannedDeliveries(events: ["a", "b", "c"])  // due 09-14 (7d) and 09-21 (0d)
        let sevenDays = planned.filter { $0.step.id == "remind-7d" }
        try ledger.recordAttempts(sevenDays, at: "t1")
        try ledger.recordOutcomes(sent: [sevenDays[0].key], failed: [(sevenDays[1].key, "503")], at: "t1")
        // sevenDays[2] stays pending (a kill); the 0d ones were never attempted.
        let dayOf = planned.filter { $0.step.id == "remind-0d" }

        let preview = try ledger.expire(dueBefore: LocalDate(2027, 9, 22), unrecorded: dayOf, record: false, at: "t2")
        #expect(preview.count == 5)
        #expect(try ledger.entry(forKey: dayOf[0].key) == nil)

        let expired = try ledger.expire(dueBefore: LocalDate(2027, 9, 22), unrecorded: dayOf, record: true, at: "t2")
        #expect(Set(expired.map(\.key)) == Set([sevenDays[1].key, sevenDays[2].key] + dayOf.map(\.key)))
        #expect(try ledger.entry(forKey: dayOf[0].key)?.status == .expired)
        #expect(try ledger.entry(forKey: sevenDays[0].key)?.status == .sent)
        // Until a run acknowledges them, they are listed again (its report may never have come out).
        #expect(try ledger.expire(dueBefore: LocalDate(2027, 9, 22), unrecorded: dayOf, record: true, at: "t3").count == 5)
        try ledger.acknowledgeExpired(expired.map(\.key), at: "t3")
        #expect(try ledger.expire(dueBefore: LocalDate(2027, 9, 22), unrecorded: dayOf, record: true, at: "t3").isEmpty)
    }
}
