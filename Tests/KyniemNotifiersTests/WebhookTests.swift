import Foundation
import KyniemConfig
import KyniemCore
import KyniemTesting
import Testing

@testable import KyniemDispatch
@testable import KyniemNotifiers
@testable import KyniemPlugins
@testable import KyniemTransports

/// The webhook notifier against a real HTTP server on 127.0.0.1.
@Suite struct WebhookTests {
    /// 2023-09-14: the 7-day reminder of the 50th Vietnam–Japan anniversary, and the letter task
    /// (due 7 September) caught up late.
    static let today = LocalDate(2023, 9, 14)
    static let token = "123456789:AAH-secret-bot-token_xyz"

    func run(_ spec: NotifierSpec, environment: [String: String]) -> Fixture.Outcome {
        Fixture.dispatch(spec, environment: environment, today: Self.today)
    }

    func json(_ text: Any?) throws -> [String: Any] {
        let text = try #require(text as? String)
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func genericPostsTheDigestAndEveryDeliveryInOneRequest() throws {
        let server = try LoopbackServer.http()
        let spec = notifierSpec(id: "hook", type: "webhook", ["url_env": "HOOK_URL"])
        let outcome = run(spec, environment: ["HOOK_URL": "http://127.0.0.1:\(server.port)/hooks/kyniem"])
        #expect(outcome.report.entries.map(\.status) == [.sent, .sent])

        let records = try server.records()
        try #require(records.count == 1)
        #expect(records[0]["path"] as? String == "/hooks/kyniem")
        #expect((records[0]["content_type"] as? String)?.hasPrefix("application/json") == true)
        let body = try json(records[0]["body"])
        #expect(body["date"] as? String == "2023-09-14")
        #expect(body["notifier"] as? String == "hook")
        #expect(body["language"] as? String == "vi")
        let text = try #require(body["text"] as? String)
        #expect(text.hasPrefix("Kỷ niệm: 1 sự kiện (1 trong tuần này) – 14/9/2023"))
        #expect(text.contains("• 🇯🇵 Nhật Bản · Kỷ niệm 50 năm Ngày thiết lập quan hệ ngoại giao Việt Nam – Nhật Bản — Thứ Năm, 21/9/2023 (còn 7 ngày) · Trọng điểm · nhắc trước 7 ngày; Soạn thư chúc mừng (hạn 7/9/2023, quá hạn)"))
        let sections = try #require(body["sections"] as? [[String: Any]])
        #expect(sections.map { $0["urgency"] as? String } == ["this-week"])
        let deliveries = try #require(body["deliveries"] as? [[String: Any]])
        #expect(deliveries.map { $0["key"] as? String } == [
            "jp-relations/2023-09-21/task-letter/hook", "jp-relations/2023-09-21/remind-7d/hook",
        ])
        #expect(deliveries[0]["event"] as? String == "jp-relations")
        #expect(deliveries[0]["occurrence"] as? String == "2023-09-21")
        #expect(deliveries[0]["step"] as? String == "task-letter")
        #expect(deliveries[0]["due"] as? String == "2023-09-07")
        #expect(deliveries[0]["late"] as? Bool == true)
        #expect((deliveries[0]["title"] as? String)?.hasPrefix("[Trễ]") == true)
        #expect((deliveries[1]["body"] as? String)?.contains("🇯🇵 Nhật Bản") == true)
    }

    @Test(arguments: ["slack", "mattermost"])
    func chatFormatsPostText(format: String) throws {
        let server = try LoopbackServer.http()
        let spec = notifierSpec(id: "chat", type: "webhook", language: .en, ["url_env": "CHAT_URL", "format": format])
        let outcome = run(spec, environment: ["CHAT_URL": "http://127.0.0.1:\(server.port)/services/T000/B000/\(Self.token)"])
        #expect(outcome.report.allSucceeded)
        let records = try server.records()
        try #require(records.count == 1)
        let body = try json(records[0]["body"])
        #expect(Array(body.keys) == ["text"])
        let text = try #require(body["text"] as? String)
        #expect(!text.split(separator: "\n").contains { $0.hasPrefix("#") && format == "slack" })
        #expect(text.contains("Anniversaries: 1 event (1 this week) – 14 September 2023"))
        #expect(text.contains("Draft the congratulatory letter (due 7 September 2023, overdue)"))
        #expect(text.contains("7-day reminder"))
    }

    @Test func eachModeSendsOneRequestPerDelivery() throws {
        let server = try LoopbackServer.http()
        let spec = notifierSpec(id: "chat", type: "webhook", language: .en, ["url_env": "CHAT_URL", "format": "slack", "mode": "each"])
        let outcome = run(spec, environment: ["CHAT_URL": "http://127.0.0.1:\(server.port)/x"])
        #expect(outcome.report.allSucceeded)
        let texts = try server.records(expecting: 2).map { try json($0["body"])["text"] as? String ?? "" }
        #expect(texts.count == 2)
        #expect(texts[0].hasPrefix("*[Late] Task: Draft the congratulatory letter — 50th anniversary"))
        #expect(texts[0].contains("\nCountry: 🇯🇵 Japan"))
        #expect(texts[1].hasPrefix("*In 7 days: 50th anniversary"))
    }

    @Test func teamsGetsAnAdaptiveCard() throws {
        let server = try LoopbackServer.http()
        let spec = notifierSpec(id: "teams", type: "webhook", ["url_env": "TEAMS_URL", "format": "teams"])
        let outcome = run(spec, environment: ["TEAMS_URL": "http://127.0.0.1:\(server.port)/workflows/abc"])
        #expect(outcome.report.allSucceeded)
        let body = try json(try server.records().first?["body"])
        #expect(body["type"] as? String == "message")
        let attachment = try #require((body["attachments"] as? [[String: Any]])?.first)
        #expect(attachment["contentType"] as? String == "application/vnd.microsoft.card.adaptive")
        let card = try #require(attachment["content"] as? [String: Any])
        #expect(card["type"] as? String == "AdaptiveCard")
        let blocks = try #require(card["body"] as? [[String: Any]])
        #expect(blocks.first?["text"] as? String == "Kỷ niệm: 1 sự kiện (1 trong tuần này) – 14/9/2023")
        #expect(blocks.allSatisfy { !(($0["text"] as? String) ?? "").hasPrefix("#") })
        #expect(blocks.first?["weight"] as? String == "Bolder")
        #expect(blocks.dropFirst().contains { ($0["text"] as? String)?.contains("còn 7 ngày") == true })
        #expect(blocks.allSatisfy { $0["type"] as? String == "TextBlock" && $0["wrap"] as? Bool == true })
    }

    @Test func telegramSendsTheChatIdAndKeepsTheTokenSecret() throws {
        let server = try LoopbackServer.http()
        let spec = notifierSpec(id: "tg", type: "webhook", ["url_env": "TG_URL", "format": "telegram", "chat_id": -1001234567890])
        let outcome = run(spec, environment: ["TG_URL": "http://127.0.0.1:\(server.port)/bot\(Self.token)/sendMessage"])
        #expect(outcome.report.allSucceeded)
        let record = try #require(try server.records().first)
        #expect(record["path"] as? String == "/bot\(Self.token)/sendMessage")
        let body = try json(record["body"])
        #expect(body["chat_id"] as? Int == -1001234567890)
        #expect((body["text"] as? String)?.hasPrefix("<b>Kỷ niệm: 1 sự kiện") == true)
        #expect(body["parse_mode"] as? String == "HTML")

        let channel = notifierSpec(id: "tg", type: "webhook", ["url_env": "TG_URL", "format": "telegram", "chat_id": "@kyniem"])
        let payload = WebhookNotifier(
            configuration: try WebhookNotifier.configuration(channel).get(), environment: [:]
        ).telegramPayload("x")
        #expect(payload == #"{"chat_id": "@kyniem", "text": "x", "parse_mode": "HTML", "disable_web_page_preview": true}"#)
    }

    func batch() throws -> NotifierBatch {
        let planner = Fixture.planner(routes: [Route(notifier: "tg", language: .vi)])
        let delivery = try #require(planner.plan(today: Self.today, catchUpDays: 0).first)
        return NotifierBatch(
            notifier: "tg", language: .vi, runDate: Self.today, timestamp: "t",
            deliveries: [OutgoingDelivery(delivery: delivery, message: Message(title: "t", body: "b"))],
            digest: Message(title: "t", body: "b"))
    }

    @Test func anHTTPErrorFailsTheBatchWithoutTheURL() throws {
        let server = try LoopbackServer.http(statuses: [500])
        let spec = notifierSpec(id: "tg", type: "webhook", ["url_env": "TG_URL", "format": "telegram", "chat_id": 42])
        let url = "http://127.0.0.1:\(server.port)/bot\(Self.token)/sendMessage"
        let outcome = run(spec, environment: ["TG_URL": url])
        #expect(outcome.report.entries.map(\.status) == [.failed, .failed])
        let error = try #require(outcome.report.entries.first?.error)
        #expect(error.contains("HTTP 500"))
        #expect(error.contains("Internal Server Error: try later"))
        for text in outcome.report.entries.compactMap(\.error) + outcome.log {
            #expect(!text.contains(Self.token))
            #expect(!text.contains("\(server.port)/bot"))
        }
    }

    @Test func eachModeKeepsWhatWasSentWhenALaterRequestFails() throws {
        let server = try LoopbackServer.http(statuses: [200, 500])
        let spec = notifierSpec(id: "chat", type: "webhook", ["url_env": "CHAT_URL", "format": "mattermost", "mode": "each"])
        let outcome = run(spec, environment: ["CHAT_URL": "http://127.0.0.1:\(server.port)/hooks/\(Self.token)"])
        #expect(outcome.report.entries.map(\.status) == [.sent, .failed])
        #expect(outcome.report.entries[1].error?.contains("HTTP 500") == true)
        #expect(try server.records(expecting: 2).count == 2)
    }

    @Test func aRefusedConnectionFailsTheBatchWithoutTheURL() throws {
        let port = unusedPort()
        let spec = notifierSpec(id: "hook", type: "webhook", ["url_env": "HOOK_URL", "timeout": "2s"])
        let outcome = run(spec, environment: ["HOOK_URL": "http://127.0.0.1:\(port)/bot\(Self.token)/x"])
        #expect(outcome.report.entries.allSatisfy { $0.status == .failed })
        let error = try #require(outcome.report.entries.first?.error)
        #expect(error.contains("cannot connect"))
        #expect(!error.contains(Self.token))
        #expect(!error.contains("127.0.0.1"))
    }

    @Test func aMissingVariableFailsTheBatchNamingIt() throws {
        let spec = notifierSpec(id: "hook", type: "webhook", ["url_env": "HOOK_URL"])
        let outcome = run(spec, environment: [:])
        #expect(outcome.report.entries.allSatisfy { $0.status == .failed })
        #expect(outcome.report.entries.first?.error == "environment variable HOOK_URL (named by `url_env:`) is not set")
    }

    @Test func checkReportsWebhookSettings() {
        let specs = [
            notifierSpec(id: "a", type: "webhook", ["format": "slak"]),
            notifierSpec(id: "b", type: "webhook", ["url_env": "MY URL", "format": "telegram", "timeout": "soon"]),
            notifierSpec(id: "c", type: "webhook", ["url": "ftp://example.org/secret-path"]),
            notifierSpec(id: "d", type: "webhook", ["url_env": "TEAMS_URL", "format": "teams", "mode": "each"]),
        ]
        let problems = NotifierRegistry.validate(specs, pluginDirectories: []).map(\.description)
        #expect(problems.contains { $0.contains("notifier `a` (type webhook): needs `url_env:`") })
        #expect(problems.contains { $0.contains("unknown format `slak`; did you mean `slack`?") })
        #expect(problems.contains { $0.contains("`url_env:` must name an environment variable") })
        #expect(problems.contains { $0.contains("format telegram needs `chat_id:`") })
        #expect(problems.contains { $0.contains("expected `timeout:` like 10s") })
        #expect(problems.contains { $0.contains("`url:` must be an http:// or https:// URL") })
        #expect(!problems.contains { $0.contains("secret-path") })
        #expect(!problems.contains { $0.contains("notifier `d`") })
        #expect(problems.count == 6)
    }
}
