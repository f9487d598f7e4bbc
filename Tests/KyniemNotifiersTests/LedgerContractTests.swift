import Foundation
import KyniemCore
import KyniemDispatch
import KyniemNotifiers
import KyniemPlugins
import KyniemState
import KyniemTesting
import Testing

/// One contract, every ledger: the rules the dispatcher relies on (`DeliveryLedger`), run against
/// the SQLite ledger and the in-memory one (and any later backend added to `Backend`).
@Suite struct LedgerContractTests {
    enum Backend: String, CaseIterable, CustomTestStringConvertible {
        case sqlite
        case memory
        /// A fresh database on the server `KYNIEM_TEST_POSTGRES` names (.ci/run starts one).
        case postgresql

        var testDescription: String { rawValue }

        /// The backends this process can test: PostgreSQL only with a server to test against
        /// (`postgresqlIsTested` is skipped, with `TestPostgres.skipMessage`, without one).
        static var available: [Backend] { allCases.filter { $0 != .postgresql || TestPostgres.isAvailable } }

        func make() throws -> any DeliveryLedger {
            switch self {
            case .sqlite:
                let folder = NSTemporaryDirectory() + "kyniem-contract-\(UUID().uuidString)"
                return try Ledger.open(at: folder + "/ledger.sqlite")
            case .memory:
                return InMemoryLedger()
            case .postgresql:
                return try OfficeState.openForWriting(try TestPostgres.makeDatabase()).ledger
            }
        }
    }

    /// Says so, as a skipped test, when the PostgreSQL backend is left out for want of a server;
    /// with one, the backend the contract tests use opens a fresh, empty ledger.
    @Test(.enabled(if: TestPostgres.isAvailable, Comment(rawValue: TestPostgres.skipMessage)))
    func postgresqlIsTested() throws {
        #expect(Backend.available.contains(.postgresql))
        let ledger = try Backend.postgresql.make()
        #expect(try ledger.coverage() == nil)
        #expect(try ledger.sentKeys(among: planned.map(\.key)).isEmpty)
    }

    /// jp-relations' 50th (2023-09-21, major) for two notifiers, planned on the 30-day reminder's day.
    let planner = Fixture.planner(routes: [Route(notifier: "office", language: .vi), Route(notifier: "team", language: .en)])
    var planned: [Delivery] { planner.plan(today: LocalDate(2023, 8, 22), catchUpDays: 0) }

    @Test(arguments: Backend.available)
    func attemptsArePendingOutcomesAreFinalAndASentRowNeverChanges(_ backend: Backend) throws {
        let ledger = try backend.make()
        let keys = planned.map(\.key)
        #expect(try ledger.sentKeys(among: keys).isEmpty)
        try ledger.recordAttempts(planned, at: "t1")
        #expect(try ledger.sentKeys(among: keys).isEmpty)
        try ledger.recordOutcomes(sent: [keys[0]], failed: [(keys[1], "503")], at: "t1")
        #expect(try ledger.sentKeys(among: keys) == [keys[0]])
        // Another attempt and a late failure leave the sent row sent.
        try ledger.recordAttempts(planned, at: "t2")
        try ledger.recordOutcomes(sent: [], failed: [(keys[0], "late echo")], at: "t2")
        #expect(try ledger.sentKeys(among: keys) == [keys[0]])
        try ledger.recordOutcomes(sent: [keys[1]], failed: [], at: "t3")
        #expect(try ledger.sentKeys(among: keys) == Set(keys))
    }

    @Test(arguments: Backend.available)
    func coverageStartsEmptyKeepsItsBaselineAndOnlyMovesForward(_ backend: Backend) throws {
        let ledger = try backend.make()
        #expect(try ledger.coverage() == nil)
        try ledger.recordCoverage(LedgerCoverage(baseline: LocalDate(2023, 8, 1), through: LocalDate(2023, 8, 1)))
        try ledger.recordCoverage(LedgerCoverage(baseline: LocalDate(2023, 8, 9), through: LocalDate(2023, 8, 10)))
        try ledger.recordCoverage(LedgerCoverage(baseline: LocalDate(2023, 8, 9), through: LocalDate(2023, 8, 5)))
        #expect(try ledger.coverage() == LedgerCoverage(baseline: LocalDate(2023, 8, 1), through: LocalDate(2023, 8, 10)))
    }

    @Test(arguments: Backend.available)
    func expiryListsUnsentAndUnrecordedUntilAcknowledged(_ backend: Backend) throws {
        let ledger = try backend.make()
        let deliveries = planned
        try ledger.recordAttempts([deliveries[0]], at: "t1")
        try ledger.recordOutcomes(sent: [], failed: [(deliveries[0].key, "503")], at: "t1")
        // deliveries[1] was never attempted: a day no run reached.
        let cutoff = LocalDate(2023, 8, 23)
        let preview = try ledger.expire(dueBefore: cutoff, unrecorded: [deliveries[1]], record: false, at: "t2")
        #expect(preview.map(\.key) == deliveries.map(\.key))
        #expect(preview[0].lastError == "503" && preview[1].lastError == nil)
        let expired = try ledger.expire(dueBefore: cutoff, unrecorded: [deliveries[1]], record: true, at: "t2")
        #expect(expired.map(\.key) == deliveries.map(\.key))
        // Listed again until a finished run acknowledges them, then never again; never sent.
        #expect(try ledger.expire(dueBefore: cutoff, unrecorded: [deliveries[1]], record: true, at: "t3").count == 2)
        try ledger.acknowledgeExpired(expired.map(\.key), at: "t3")
        #expect(try ledger.expire(dueBefore: cutoff, unrecorded: [deliveries[1]], record: true, at: "t4").isEmpty)
        #expect(try ledger.sentKeys(among: deliveries.map(\.key)).isEmpty)
        // A step still inside the window is not expired.
        #expect(try ledger.expire(dueBefore: LocalDate(2023, 8, 22), unrecorded: [], record: false, at: "t5").isEmpty)
    }

    @Test(arguments: Backend.available)
    func theDailyRunSendsEachDeliveryOnceWhateverTheBackend(_ backend: Backend) throws {
        let ledger = try backend.make()
        let office = RecordingNotifier()
        let team = RecordingNotifier()
        let dispatcher = Dispatcher(
            targets: [.init(id: "office", language: .vi, notifier: office), .init(id: "team", language: .en, notifier: team)],
            planner: planner)
        team.failEverything(with: "down")
        var day = LocalDate(2023, 8, 22)
        for _ in 0..<3 {
            _ = dispatcher.runDay(date: day, catchUpDays: 7, backfill: false, ledger: ledger, dryRun: false, now: day.iso)
            _ = dispatcher.runDay(date: day, catchUpDays: 7, backfill: false, ledger: ledger, dryRun: false, now: day.iso)
            team.succeedFromNowOn()
            day = day.adding(days: 1)
        }
        #expect(office.receivedKeys == ["jp-relations/2023-09-21/remind-30d/office"])
        // Failed twice on the first day, then sent once.
        #expect(team.receivedKeys.filter { $0 == "jp-relations/2023-09-21/remind-30d/team" }.count == 3)
        #expect(try ledger.sentKeys(among: planned.map(\.key)) == Set(planned.map(\.key)))
    }
}
