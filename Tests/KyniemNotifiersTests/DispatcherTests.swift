import Foundation
import KyniemConfig
import KyniemCore
import KyniemDispatch
import KyniemNotifiers
import KyniemPlugins
import KyniemTesting
import Testing

@Suite struct DispatcherTests {
    let routes = [Route(notifier: "office", language: .vi), Route(notifier: "team", language: .en)]

    func setUp() -> (Planner, RecordingNotifier, RecordingNotifier, Dispatcher) {
        let planner = Fixture.planner(routes: routes)
        let office = RecordingNotifier()
        let team = RecordingNotifier()
        let dispatcher = Dispatcher(
            targets: [
                .init(id: "office", language: .vi, notifier: office),
                .init(id: "team", language: .en, notifier: team),
            ], planner: planner)
        return (planner, office, team, dispatcher)
    }

    @Test func twoRunsTheSameDaySendNothingTwice() {
        let (planner, office, team, dispatcher) = setUp()
        let ledger = InMemoryLedger()
        let clock = FixedClock(today: LocalDate(2023, 8, 22))
        let planned = planner.plan(today: clock.today, catchUpDays: 7)
        #expect(planned.map(\.key) == [
            "jp-relations/2023-09-21/remind-30d/office", "jp-relations/2023-09-21/remind-30d/team",
        ])

        let first = dispatcher.run(deliveries: planned, date: clock.today, ledger: ledger, dryRun: false, now: clock.timestamp)
        #expect(first.entries.map(\.status) == [.sent, .sent])
        #expect(first.allSucceeded)
        let second = dispatcher.run(deliveries: planned, date: clock.today, ledger: ledger, dryRun: false, now: clock.tick())
        #expect(second.entries.map(\.status) == [.skippedAlreadySent, .skippedAlreadySent])
        #expect(office.receivedKeys == ["jp-relations/2023-09-21/remind-30d/office"])
        #expect(team.receivedKeys == ["jp-relations/2023-09-21/remind-30d/team"])
        #expect(office.batches.count == 1)
    }

    @Test func aFailedDeliveryIsRetriedNextRunAndOthersStillSend() {
        let (planner, office, team, dispatcher) = setUp()
        let ledger = InMemoryLedger()
        let clock = FixedClock(today: LocalDate(2023, 8, 22))
        team.failEverything(with: "chat server answered 503")
        let planned = planner.plan(today: clock.today, catchUpDays: 7)
        let first = dispatcher.run(deliveries: planned, date: clock.today, ledger: ledger, dryRun: false, now: clock.timestamp)
        #expect(first.entries.map(\.status) == [.sent, .failed])
        #expect(first.entries[1].error == "chat server answered 503")
        #expect(!first.allSucceeded)
        #expect(ledger.row("jp-relations/2023-09-21/remind-30d/team")?.status == .failed)

        // Next day: the planner's catch-up still covers the step; only the failed one goes out.
        team.succeedFromNowOn()
        clock.advanceDay()
        let replanned = planner.plan(today: clock.today, catchUpDays: 7)
        let second = dispatcher.run(deliveries: replanned, date: clock.today, ledger: ledger, dryRun: false, now: clock.timestamp)
        #expect(second.entries.map(\.status) == [.skippedAlreadySent, .sent])
        #expect(second.allSucceeded)
        #expect(team.receivedKeys == ["jp-relations/2023-09-21/remind-30d/team", "jp-relations/2023-09-21/remind-30d/team"])
        #expect(office.receivedKeys.count == 1)
        #expect(ledger.row("jp-relations/2023-09-21/remind-30d/team")?.attempts == 2)
        // The retry is late, and says so.
        #expect(team.batches[1].deliveries[0].delivery.late)
        #expect(team.batches[1].deliveries[0].message.title.hasPrefix("[Late] In 29 days:"))
    }

    @Test func aPendingDeliveryFromAKilledRunIsSentAgain() throws {
        let (planner, office, _, dispatcher) = setUp()
        let ledger = InMemoryLedger()
        let today = LocalDate(2023, 8, 22)
        let planned = planner.plan(today: today, catchUpDays: 7)
        // The killed run got as far as recording its attempts.
        try ledger.recordAttempts(planned, at: "killed")
        let report = dispatcher.run(deliveries: planned, date: today, ledger: ledger, dryRun: false, now: "later")
        #expect(report.entries.map(\.status) == [.sent, .sent])
        #expect(office.receivedKeys == ["jp-relations/2023-09-21/remind-30d/office"])
        #expect(ledger.row(planned[0].key)?.attempts == 2)
    }

    @Test func aDryRunCallsNoNotifierAndWritesNothing() throws {
        let (planner, office, team, dispatcher) = setUp()
        let ledger = InMemoryLedger()
        let today = LocalDate(2023, 8, 22)
        let planned = planner.plan(today: today, catchUpDays: 7)
        try ledger.recordAttempts([planned[0]], at: "t")
        try ledger.recordOutcomes(sent: [planned[0].key], failed: [], at: "t")
        let before = ledger.rows

        let report = dispatcher.run(deliveries: planned, date: today, ledger: ledger, dryRun: true, now: "t2")
        #expect(report.entries.map(\.status) == [.skippedAlreadySent, .wouldSend])
        #expect(report.allSucceeded)
        #expect(office.batches.isEmpty && team.batches.isEmpty)
        #expect(ledger.rows == before)

        // No ledger file yet: everything would be sent.
        let fresh = dispatcher.run(deliveries: planned, date: today, ledger: nil, dryRun: true, now: "t3")
        #expect(fresh.entries.map(\.status) == [.wouldSend, .wouldSend])
    }

    @Test func aMissingResultCountsAsFailed() {
        let (planner, office, _, dispatcher) = setUp()
        let ledger = InMemoryLedger()
        let today = LocalDate(2023, 8, 22)
        let planned = planner.plan(today: today, catchUpDays: 7)
        office.omitResult(for: planned[0].key)
        let report = dispatcher.run(deliveries: planned, date: today, ledger: ledger, dryRun: false, now: "t")
        #expect(report.entries[0].status == .failed)
        #expect(report.entries[0].error == "notifier gave no result")
        #expect(ledger.row(planned[0].key)?.status == .failed)
    }

    @Test func nothingIsSentWhenTheAttemptCannotBeRecorded() {
        let (planner, office, team, dispatcher) = setUp()
        let ledger = InMemoryLedger()
        ledger.failWrites(attempts: true, outcomes: false)
        let today = LocalDate(2023, 8, 22)
        let report = dispatcher.run(
            deliveries: planner.plan(today: today, catchUpDays: 7), date: today, ledger: ledger, dryRun: false, now: "t")
        #expect(report.entries.allSatisfy { $0.status == .failed })
        #expect(office.batches.isEmpty && team.batches.isEmpty)
        #expect(!report.allSucceeded)
    }

    @Test func anOutcomeThatCannotBeRecordedIsAProblem() {
        let (planner, _, _, dispatcher) = setUp()
        let ledger = InMemoryLedger()
        ledger.failWrites(attempts: false, outcomes: true)
        let today = LocalDate(2023, 8, 22)
        let report = dispatcher.run(
            deliveries: planner.plan(today: today, catchUpDays: 7), date: today, ledger: ledger, dryRun: false, now: "t")
        #expect(report.entries.allSatisfy { $0.status == .sent })
        #expect(!report.allSucceeded)
        #expect(report.problems.count == 2)
        #expect(report.problems[0].contains("the next run sends them again"))
    }

    @Test func anUnknownOrBrokenNotifierFailsOnlyItsOwnDeliveries() {
        let planner = Fixture.planner(routes: routes + [Route(notifier: "ghost", language: .vi)])
        let sink = LineSink()
        let dispatcher = Dispatcher(
            notifiers: [Fixture.spec(id: "office", type: "console"), Fixture.spec(id: "team", type: "telegramm")],
            plugins: .empty, context: Fixture.context(lines: sink), planner: planner)
        let today = LocalDate(2023, 8, 22)
        let report = dispatcher.run(
            deliveries: planner.plan(today: today, catchUpDays: 7), date: today, ledger: InMemoryLedger(), dryRun: false,
            now: "t")
        #expect(report.entries.map(\.status) == [.failed, .sent, .failed])
        #expect(report.entries[0].error?.contains("no notifier with id `ghost`") == true)
        #expect(report.entries[2].error?.contains("unknown notifier type `telegramm`") == true)
        #expect(sink.lines.count == 1)
        #expect(sink.lines[0].contains("còn 30 ngày"))
    }

    @Test func theBatchCarriesADigestAndWhatIsNext() throws {
        let (planner, office, team, dispatcher) = setUp()
        let today = LocalDate(2023, 8, 22)
        _ = dispatcher.run(
            deliveries: planner.plan(today: today, catchUpDays: 7), date: today, ledger: InMemoryLedger(), dryRun: false,
            now: "t")
        let batch = try #require(office.batches.first)
        #expect(batch.digest.title == "Kỷ niệm: 1 sự kiện (1 sắp tới) – 22/8/2023")
        #expect(batch.content.sections.map(\.urgency) == [.later])
        #expect(batch.digest.body.contains("**Kỷ niệm 50 năm Ngày thiết lập quan hệ ngoại giao Việt Nam – Nhật Bản** — Thứ Năm, 21/9/2023 (còn 30 ngày) · Trọng điểm · nhắc trước 30 ngày"))
        // The next step after the 30-day reminder is the letter task, due 14 days before.
        #expect(batch.deliveries[0].message.body.contains("Tiếp theo: Soạn thư chúc mừng — hạn 7/9/2023"))
        #expect(team.batches[0].deliveries[0].message.body.contains("Next: Draft the congratulatory letter — due 7 September 2023"))
    }

    @Test func theJSONReportHasSpecFieldsInOrder() throws {
        let (planner, _, team, dispatcher) = setUp()
        team.failEverything(with: "down \"hard\"")
        let today = LocalDate(2023, 8, 22)
        let report = dispatcher.run(
            deliveries: planner.plan(today: today, catchUpDays: 7), date: today, ledger: InMemoryLedger(), dryRun: false,
            now: "t")
        let json = report.json(date: today)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["date"] as? String == "2023-08-22")
        let deliveries = try #require(object["deliveries"] as? [[String: Any]])
        #expect(deliveries.count == 2)
        #expect(deliveries[0]["key"] as? String == "jp-relations/2023-09-21/remind-30d/office")
        #expect(deliveries[0]["notifier"] as? String == "office")
        #expect(deliveries[0]["event"] as? String == "jp-relations")
        #expect(deliveries[0]["occurrence"] as? String == "2023-09-21")
        #expect(deliveries[0]["step"] as? String == "remind-30d")
        #expect(deliveries[0]["status"] as? String == "sent")
        #expect(deliveries[1]["status"] as? String == "failed")
        #expect(deliveries[1]["error"] as? String == "down \"hard\"")
        let firstLine = try #require(json.split(separator: "\n").first { $0.contains("\"key\"") })
        let order = ["\"key\"", "\"notifier\"", "\"event\"", "\"occurrence\"", "\"step\"", "\"status\""]
            .map { firstLine.range(of: $0)!.lowerBound }
        #expect(order == order.sorted())
        #expect(report.text().contains("run for 2023-08-22: 1 sent, 1 failed"))
    }
}
