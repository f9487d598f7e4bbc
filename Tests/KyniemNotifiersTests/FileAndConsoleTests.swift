import Foundation
import KyniemConfig
import KyniemCore
import KyniemDispatch
import KyniemNotifiers
import KyniemPlugins
import KyniemTesting
import Testing

@Suite struct FileAndConsoleTests {
    let routes = [Route(notifier: "archive", language: .en)]

    @Test func theFileNotifierAppendsADigestAndJSONLines() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let planner = Fixture.planner(routes: routes)
        let dispatcher = Dispatcher(
            notifiers: [Fixture.spec(id: "archive", type: "file", language: .en, options: ["path": "out/archive"])],
            plugins: .empty, context: Fixture.context(configDirectory: folder), planner: planner)
        let ledger = InMemoryLedger()

        // 2023-09-14: the 7-day reminder, plus the letter task (due 7 September) caught up.
        let today = LocalDate(2023, 9, 14)
        let report = dispatcher.run(
            deliveries: planner.plan(today: today, catchUpDays: 7), date: today, ledger: ledger, dryRun: false,
            now: "2023-09-14T07:00:00+07:00")
        #expect(report.entries.map(\.step) == ["task-letter", "remind-7d"])
        #expect(report.allSucceeded)

        let markdown = try String(contentsOfFile: folder + "/out/archive/2023-09-14.md", encoding: .utf8)
        #expect(markdown.hasPrefix("#### Anniversaries: 1 event (1 this week) – 14 September 2023\n\n**This week (1)**\n"))
        #expect(markdown.contains("- 🇯🇵 Japan · **50th anniversary of Vietnam–Japan diplomatic relations** — Thursday, 21 September 2023 (in 7 days) · Major · 7-day reminder; Draft the congratulatory letter (due 7 September 2023, overdue)\n"))

        let log = try String(contentsOfFile: folder + "/out/archive/deliveries.jsonl", encoding: .utf8)
        let lines = log.split(separator: "\n")
        #expect(lines.count == 2)
        let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(first["key"] as? String == "jp-relations/2023-09-21/task-letter/archive")
        #expect(first["event"] as? String == "jp-relations")
        #expect(first["occurrence"] as? String == "2023-09-21")
        #expect(first["step"] as? String == "task-letter")
        #expect(first["due"] as? String == "2023-09-07")
        #expect(first["late"] as? Bool == true)
        #expect(first["status"] as? String == "sent")
        #expect(first["at"] as? String == "2023-09-14T07:00:00+07:00")
        #expect(first["notifier"] as? String == "archive")
        #expect((first["title"] as? String)?.hasPrefix("[Late] Task:") == true)
        #expect((first["body"] as? String)?.contains("Due: Thursday, 7 September 2023 — overdue") == true)
        #expect(Array(first.keys).sorted() == ["at", "body", "due", "event", "key", "late", "notifier", "occurrence", "status", "step", "title"])

        // Another run the same day (a fresh ledger, so it sends again) appends; nothing is rewritten.
        let again = dispatcher.run(
            deliveries: planner.plan(today: today, catchUpDays: 7), date: today, ledger: InMemoryLedger(), dryRun: false,
            now: "2023-09-14T08:00:00+07:00")
        #expect(again.allSucceeded)
        let appended = try String(contentsOfFile: folder + "/out/archive/deliveries.jsonl", encoding: .utf8)
        #expect(appended.hasPrefix(log))
        #expect(appended.split(separator: "\n").count == 4)
        let markdownAgain = try String(contentsOfFile: folder + "/out/archive/2023-09-14.md", encoding: .utf8)
        #expect(markdownAgain.hasPrefix(markdown))
        #expect(markdownAgain.components(separatedBy: "#### Anniversaries: 1 event").count == 3)
    }

    @Test func theFileNotifierFailsTheBatchWhenItCannotWrite() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "a file, not a folder".write(toFile: folder + "/blocked", atomically: true, encoding: .utf8)
        let planner = Fixture.planner(routes: routes)
        let dispatcher = Dispatcher(
            notifiers: [Fixture.spec(id: "archive", type: "file", options: ["path": folder + "/blocked"])],
            plugins: .empty, context: Fixture.context(), planner: planner)
        let today = LocalDate(2023, 9, 14)
        let report = dispatcher.run(
            deliveries: planner.plan(today: today, catchUpDays: 7), date: today, ledger: InMemoryLedger(), dryRun: false,
            now: "t")
        #expect(report.entries.allSatisfy { $0.status == .failed })
        #expect(report.entries[0].error?.contains("cannot create folder") == true)
    }

    @Test func theConsoleNotifierPrintsTheDigest() {
        let sink = LineSink()
        let planner = Fixture.planner(routes: [Route(notifier: "screen", language: .vi)])
        let dispatcher = Dispatcher(
            notifiers: [Fixture.spec(id: "screen", type: "console")], plugins: .empty,
            context: Fixture.context(lines: sink), planner: planner)
        let today = LocalDate(2023, 9, 21)
        let report = dispatcher.run(
            deliveries: planner.plan(today: today, catchUpDays: 0), date: today, ledger: InMemoryLedger(), dryRun: false,
            now: "t")
        #expect(report.entries.map(\.status) == [.sent])
        #expect(sink.lines == ["""
            console: Kỷ niệm: 1 sự kiện (1 hôm nay) – 21/9/2023

            HÔM NAY (1)
            • 🇯🇵 Nhật Bản · Kỷ niệm 50 năm Ngày thiết lập quan hệ ngoại giao Việt Nam – Nhật Bản — Thứ Năm, 21/9/2023 (hôm nay) · Trọng điểm · nhắc đúng ngày\n
            """])
    }
}
