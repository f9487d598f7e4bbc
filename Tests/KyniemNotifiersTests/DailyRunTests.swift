import Foundation
import KyniemConfig
import KyniemCore
import KyniemDispatch
import KyniemNotifiers
import KyniemPlugins
import KyniemTesting
import Testing

/// The daily run's contract beyond one batch: outcomes committed as they happen, the first-run
/// baseline, deliveries that expire, and the run's bound.
@Suite struct DailyRunTests {
    let routes = [Route(notifier: "office", language: .vi), Route(notifier: "team", language: .en)]

    /// Fixture dates (jp-relations, 50th on 2023-09-21, major): reminders due 06-23, 08-22,
    /// 09-14 and 09-21; the letter task due 09-07.
    func dispatcher(office: any Notifier, team: any Notifier) -> (Planner, Dispatcher) {
        let planner = Fixture.planner(routes: routes)
        let dispatcher = Dispatcher(
            targets: [.init(id: "office", language: .vi, notifier: office), .init(id: "team", language: .en, notifier: team)],
            planner: planner)
        return (planner, dispatcher)
    }

    @Test func eachOutcomeIsInTheLedgerBeforeTheNextMessageLeaves() {
        let ledger = InMemoryLedger()
        let office = ProbingNotifier(ledger: ledger)
        let (_, dispatcher) = dispatcher(office: office, team: RecordingNotifier())
        // 09-14 with a week of catch-up, backfilled: the letter (09-07) and the 7-day reminder.
        let report = dispatcher.runDay(
            date: LocalDate(2023, 9, 14), catchUpDays: 7, backfill: true, ledger: ledger, dryRun: false, now: "t")
        #expect(report.allSucceeded, "\(report.text())")
        #expect(office.seen.count == 2)
        // Before the second message: the first was already `sent` in the ledger, the second `pending`.
        #expect(office.seen[1] == [.sent, .pending])
    }

    @Test func aNewLedgerStartsWithItsRunDateAndBackfillSendsTheBacklog() throws {
        let office = RecordingNotifier()
        let team = RecordingNotifier()
        let (_, dispatcher) = dispatcher(office: office, team: team)
        let date = LocalDate(2023, 9, 14)

        let fresh = InMemoryLedger()
        let first = dispatcher.runDay(date: date, catchUpDays: 7, backfill: false, ledger: fresh, dryRun: false, now: "t")
        // Only the 7-day reminder due today; the letter (09-07) was before the ledger existed.
        #expect(first.entries.map(\.step) == ["remind-7d", "remind-7d"])
        #expect(first.notices.count == 1 && first.notices[0].contains("--backfill"))
        #expect(try fresh.coverage() == LedgerCoverage(baseline: date, through: date))
        // The next day does not reach back before the baseline either.
        let next = dispatcher.runDay(
            date: date.adding(days: 1), catchUpDays: 7, backfill: false, ledger: fresh, dryRun: false, now: "t")
        #expect(next.entries.allSatisfy { $0.status == .skippedAlreadySent })
        #expect(next.notices.isEmpty)

        let backfilled = InMemoryLedger()
        let all = dispatcher.runDay(date: date, catchUpDays: 7, backfill: true, ledger: backfilled, dryRun: false, now: "t")
        #expect(Set(all.entries.map(\.step)) == ["remind-7d", "task-letter"])
        #expect(all.entries.allSatisfy { $0.status == .sent })
        #expect(try backfilled.coverage()?.baseline == date.adding(days: -7))
    }

    @Test func aFailedDeliveryThatLeavesTheWindowIsReportedExpiredOnce() throws {
        let office = RecordingNotifier()
        let team = RecordingNotifier()
        let (_, dispatcher) = dispatcher(office: office, team: team)
        let ledger = InMemoryLedger()
        team.failEverything(with: "chat server answered 503")
        // 08-22: the 30-day reminder; the team's fails.
        let first = dispatcher.runDay(
            date: LocalDate(2023, 8, 22), catchUpDays: 2, backfill: false, ledger: ledger, dryRun: false, now: "t1")
        #expect(first.entries.map(\.status) == [.sent, .failed])
        // 08-23 and 08-24: retried (still failing), inside the two-day window.
        for day in [23, 24] {
            let retry = dispatcher.runDay(
                date: LocalDate(2023, 8, day), catchUpDays: 2, backfill: false, ledger: ledger, dryRun: false, now: "t")
            #expect(retry.entries.map(\.status) == [.skippedAlreadySent, .failed])
        }
        // 08-25: the step (due 08-22) has left the window: reported once as expired, exit 1.
        let gone = dispatcher.runDay(
            date: LocalDate(2023, 8, 25), catchUpDays: 2, backfill: false, ledger: ledger, dryRun: false, now: "t")
        #expect(gone.entries.map(\.status) == [.expired])
        #expect(gone.entries[0].key == "jp-relations/2023-09-21/remind-30d/team")
        #expect(gone.entries[0].error?.contains("chat server answered 503") == true)
        #expect(!gone.allSucceeded)
        #expect(gone.json().contains("\"status\": \"expired\""))
        #expect(ledger.row("jp-relations/2023-09-21/remind-30d/team")?.status == .expired)
        // A run killed before its report was out: the next one lists them again.
        let replay = dispatcher.runDay(
            date: LocalDate(2023, 8, 25), catchUpDays: 2, backfill: false, ledger: ledger, dryRun: false, now: "t")
        #expect(replay.entries.map(\.key) == gone.entries.map(\.key))
        // Reported once the report is out (`kyniem run` acknowledges after printing it).
        try ledger.acknowledgeExpired(gone.entries.map(\.key), at: "t")
        let after = dispatcher.runDay(
            date: LocalDate(2023, 8, 26), catchUpDays: 2, backfill: false, ledger: ledger, dryRun: false, now: "t")
        #expect(after.entries.isEmpty)
        #expect(after.allSucceeded)
    }

    @Test func stepsOnDaysNoRunReachedAreReportedExpired() throws {
        let office = RecordingNotifier()
        let team = RecordingNotifier()
        let (_, dispatcher) = dispatcher(office: office, team: team)
        let ledger = InMemoryLedger()
        // A run on 08-01 sets the baseline; then the machine is off until 09-20 (catch-up 2 days).
        _ = dispatcher.runDay(date: LocalDate(2023, 8, 1), catchUpDays: 2, backfill: false, ledger: ledger, dryRun: false, now: "t")
        let dryRun = dispatcher.runDay(
            date: LocalDate(2023, 9, 20), catchUpDays: 2, backfill: false, ledger: ledger, dryRun: true, now: "t")
        let back = dispatcher.runDay(
            date: LocalDate(2023, 9, 20), catchUpDays: 2, backfill: false, ledger: ledger, dryRun: false, now: "t")
        // 08-22 (30d), 09-07 (letter) and 09-14 (7d) were never sent, for both notifiers.
        let expired = back.entries.filter { $0.status == .expired }
        #expect(expired.count == 6)
        #expect(Set(expired.map(\.due)) == ["2023-08-22", "2023-09-07", "2023-09-14"])
        #expect(expired.allSatisfy { $0.error == "never sent: no run reached it" })
        // A dry run shows the same, and records nothing.
        #expect(dryRun.entries.filter { $0.status == .expired }.map(\.key) == expired.map(\.key))
        #expect(office.receivedKeys.isEmpty)
        try ledger.acknowledgeExpired(expired.map(\.key), at: "t")
        let again = dispatcher.runDay(
            date: LocalDate(2023, 9, 20), catchUpDays: 2, backfill: false, ledger: ledger, dryRun: false, now: "t")
        #expect(again.entries.allSatisfy { $0.status != .expired })
    }

    @Test func aSlowNotifierNeitherDelaysTheOthersNorOutlivesTheBound() throws {
        let ledger = InMemoryLedger()
        let stalled = StallingNotifier()
        let team = TimedNotifier()
        let (_, dispatcher) = dispatcher(office: stalled, team: team)
        let clock = ContinuousClock()
        let started = clock.now
        let report = dispatcher.runDay(
            date: LocalDate(2023, 9, 14), catchUpDays: 7, backfill: true, ledger: ledger, dryRun: false, now: "t",
            deadline: started + .milliseconds(600))
        let elapsed = clock.now - started
        #expect(elapsed < .seconds(3))
        // The stalled notifier sent one message before the bound; the rest failed with the bound's reason.
        let office = report.entries.filter { $0.notifier == "office" }
        #expect(office.map(\.status) == [.sent, .failed])
        #expect(office[1].error == RunBound.reachedReason)
        #expect(report.entries.filter { $0.notifier == "team" }.allSatisfy { $0.status == .sent })
        // The team's notifier did not wait for the stalled one.
        let calledAt = try #require(team.calledAt)
        #expect(calledAt - started < .milliseconds(400))
    }
}

/// Sends one message per delivery and, before each, notes the ledger's status of every key of
/// the batch.
final class ProbingNotifier: Notifier, @unchecked Sendable {
    private let ledger: InMemoryLedger
    private let lock = NSLock()
    private var _seen: [[InMemoryLedger.Status?]] = []

    init(ledger: InMemoryLedger) { self.ledger = ledger }

    var seen: [[InMemoryLedger.Status?]] { lock.withLock { _seen } }

    func send(_ batch: NotifierBatch, outcomes: OutcomeSink) {
        for outgoing in batch.deliveries {
            let statuses = batch.keys.map { ledger.row($0)?.status }
            lock.withLock { _seen.append(statuses) }
            outcomes.report(outgoing.key, .sent)
        }
    }
}

/// Sends its first delivery at once, then waits for a server that never answers, until the
/// batch's deadline.
final class StallingNotifier: Notifier, @unchecked Sendable {
    func send(_ batch: NotifierBatch, outcomes: OutcomeSink) {
        for outgoing in batch.deliveries {
            if batch.isPastDeadline { return outcomes.failUnreported(batch, RunBound.reachedReason) }
            if outgoing.key != batch.keys[0] {
                // The server stalls: wait out the exchange, cut off by the run's bound.
                while !batch.isPastDeadline { Thread.sleep(forTimeInterval: 0.02) }
                continue
            }
            outcomes.report(outgoing.key, .sent)
        }
        outcomes.failUnreported(batch, RunBound.reachedReason)
    }
}

/// Notes when it was called, and sends everything.
final class TimedNotifier: Notifier, @unchecked Sendable {
    private let lock = NSLock()
    private var _calledAt: ContinuousClock.Instant?

    var calledAt: ContinuousClock.Instant? { lock.withLock { _calledAt } }

    func send(_ batch: NotifierBatch, outcomes: OutcomeSink) {
        lock.withLock { _calledAt = .now }
        outcomes.sentAll(batch)
    }
}
