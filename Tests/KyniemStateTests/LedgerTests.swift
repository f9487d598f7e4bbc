import Foundation
import KyniemCore
import Testing

@testable import KyniemState

#if canImport(Glibc)
import Glibc
#endif

/// A fresh folder under /tmp, removed by the caller's `defer`.
func temporaryFolder() -> String {
    let path = NSTemporaryDirectory() + "kyniem-state-\(UUID().uuidString)"
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Deliveries from the planner (Delivery has no public initialiser): each event, first seen
/// 1973-09-21, is a routine anniversary in 2027 with reminders 7 days before and on the day.
func plannedDeliveries(events: [String] = ["jp-relations"], notifiers: [String] = ["office"]) -> [Delivery] {
    let catalog = Catalog(
        events: events.map {
            Event(id: $0, kind: .diplomaticRelations, title: LocalizedText("Anniversary"), recurrence: .origin(LocalDate(1973, 9, 21)))
        }, countries: [:])
    let planner = Planner(
        catalog: catalog, reminders: .standard, checklists: Checklists(templates: []), weekend: [.saturday, .sunday],
        adjustments: WorkingDayAdjustments(), routes: notifiers.map { Route(notifier: $0, language: .vi) })
    return planner.plan(today: LocalDate(2027, 9, 21), catchUpDays: 7)
}

@Suite struct LedgerTests {
    @Test func createsFoldersAndAPrivateFile() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/deep/er/ledger.sqlite"
        _ = try Ledger.open(at: path)
        var info = stat()
        #expect(stat(path, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(stat(folder + "/deep/er", &info) == 0)
        #expect(info.st_mode & 0o777 == 0o700)
    }

    @Test func attemptThenOutcomeRoundTrip() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let ledger = try Ledger.open(at: folder + "/ledger.sqlite")
        let planned = plannedDeliveries()
        let a = planned[0]
        let b = planned[1]
        #expect(try ledger.status(forKeys: [a.key, b.key]).isEmpty)

        try ledger.recordAttempts([a, b], at: "2027-08-22T07:00:00+07:00")
        #expect(try ledger.status(forKeys: [a.key, b.key]) == [a.key: .pending, b.key: .pending])

        try ledger.recordOutcomes([(a.key, .sent), (b.key, .failed("server said 500"))], at: "2027-08-22T07:00:01+07:00")
        let rowA = try #require(try ledger.entry(forKey: a.key))
        #expect(rowA.status == .sent)
        #expect(rowA.attempts == 1)
        #expect(rowA.notifier == "office")
        #expect(rowA.event == "jp-relations")
        #expect(rowA.occurrence == "2027-09-21")
        #expect(rowA.step == "remind-7d")
        #expect(rowA.due == "2027-09-14")
        #expect(rowA.sentAt == "2027-08-22T07:00:01+07:00")
        #expect(rowA.firstAttemptAt == "2027-08-22T07:00:00+07:00")
        let rowB = try #require(try ledger.entry(forKey: b.key))
        #expect(rowB.status == .failed)
        #expect(rowB.lastError == "server said 500")
        #expect(rowB.sentAt == nil)
        #expect(try ledger.sentKeys(among: [a.key, b.key, "other"]) == [a.key])

        // A retry counts a second attempt and can succeed.
        try ledger.recordAttempts([b], at: "2027-08-23T07:00:00+07:00")
        try ledger.recordOutcomes(sent: [b.key], failed: [], at: "2027-08-23T07:00:02+07:00")
        let retried = try #require(try ledger.entry(forKey: b.key))
        #expect(retried.status == .sent)
        #expect(retried.attempts == 2)
        #expect(retried.lastError == nil)
        #expect(retried.firstAttemptAt == "2027-08-22T07:00:00+07:00")
        #expect(retried.lastAttemptAt == "2027-08-23T07:00:00+07:00")
    }

    @Test func aSentRowNeverChanges() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let ledger = try Ledger.open(at: folder + "/ledger.sqlite")
        let a = plannedDeliveries()[0]
        try ledger.recordAttempts([a], at: "t1")
        try ledger.recordOutcomes(sent: [a.key], failed: [], at: "t2")
        try ledger.recordAttempts([a], at: "t3")
        try ledger.recordOutcomes(sent: [], failed: [(a.key, "late failure")], at: "t4")
        let row = try #require(try ledger.entry(forKey: a.key))
        #expect(row.status == .sent)
        #expect(row.attempts == 1)
        #expect(row.sentAt == "t2")
        #expect(row.lastError == nil)
    }

    /// The dispatcher's order of writes, run twice on one day and once after a kill.
    @Test func theRunProtocolSendsEachDeliveryOnce() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/ledger.sqlite"
        let planned = plannedDeliveries(events: ["jp-relations", "la-national-day"], notifiers: ["office", "chat"])
        var sentLog: [String] = []
        func run(killAfterAttempt: Bool = false) throws {
            let ledger = try Ledger.open(at: path)  // each run opens the file anew, as the CLI does
            let sent = try ledger.sentKeys(among: planned.map(\.key))
            let due = planned.filter { !sent.contains($0.key) }
            try ledger.recordAttempts(due, at: "now")
            if killAfterAttempt { return }
            sentLog += due.map(\.key)
            try ledger.recordOutcomes(sent: due.map(\.key), failed: [], at: "now")
        }
        try run(killAfterAttempt: true)
        let afterKill = try Ledger.open(at: path)
        #expect(Set(try afterKill.status(forKeys: planned.map(\.key)).values) == [.pending])
        try run()
        try run()
        #expect(sentLog.sorted() == planned.map(\.key).sorted())
        #expect(try afterKill.entries().allSatisfy { $0.attempts == 2 && $0.status == .sent })
    }

    @Test func manyKeysAreAskedInSlices() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let ledger = try Ledger.open(at: folder + "/ledger.sqlite")
        let many = plannedDeliveries(events: (0..<600).map { "e\($0)" })
        try ledger.recordAttempts(many, at: "t")
        try ledger.recordOutcomes(sent: many.map(\.key), failed: [], at: "t")
        #expect(try ledger.sentKeys(among: many.map(\.key)).count == 1200)
    }

    @Test func aDryRunCreatesNothing() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/state/ledger.sqlite"
        #expect(try Ledger.openReadOnlyIfExists(at: path) == nil)
        #expect(!FileManager.default.fileExists(atPath: folder + "/state"))
    }

    @Test func aReadOnlyLedgerAnswersAndRefusesWrites() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/ledger.sqlite"
        let writable = try Ledger.open(at: path)
        let a = plannedDeliveries()[0]
        try writable.recordAttempts([a], at: "t")
        try writable.recordOutcomes(sent: [a.key], failed: [], at: "t")
        let before = try Data(contentsOf: URL(fileURLWithPath: path))

        let readOnly = try #require(try Ledger.openReadOnlyIfExists(at: path))
        #expect(try readOnly.sentKeys(among: [a.key]) == [a.key])
        #expect(throws: LedgerError.self) { try readOnly.recordAttempts(plannedDeliveries(events: ["other"]), at: "t") }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test func aFileThatIsNotALedgerIsReportedWithItsPath() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/ledger.sqlite"
        try "this is not a database, but it is long enough to have a header".write(
            toFile: path, atomically: true, encoding: .utf8)
        do {
            _ = try Ledger.open(at: path)
            Issue.record("opened a file that is not SQLite")
        } catch {
            #expect(error.description.contains(path))
        }
    }
}
