import Foundation
import KyniemConfig
import KyniemCore
import KyniemTesting
import Testing

@testable import KyniemDispatch
@testable import KyniemNotifiers
@testable import KyniemPlugins
@testable import KyniemTransports

/// Each channel's payload, as a loopback server receives it, checked against the service's
/// documented format and limits: Slack mrkdwn (no headings, 4,000 characters), Teams Adaptive
/// Cards (~28 KB a message), Telegram HTML parse mode (4,096 characters, about 1 message a second
/// in a chat, `retry_after` on 429), Mattermost Markdown, and the e-mail's multipart/alternative.
@Suite struct ChannelFormatTests {
    static let today = LocalDate(2027, 10, 8)

    static let countries: [(code: String, vi: String, en: String)] = [
        ("JP", "Nhật Bản", "Japan"), ("LA", "Lào", "Laos"), ("KH", "Campuchia", "Cambodia"), ("FR", "Pháp", "France"),
        ("DE", "Đức", "Germany"), ("IN", "Ấn Độ", "India"), ("KR", "Hàn Quốc", "South Korea"), ("TH", "Thái Lan", "Thailand"),
        ("AR", "Ác-hen-ti-na", "Argentina"), ("CU", "Cu-ba", "Cuba"), ("RU", "Liên bang Nga", "Russia"), ("AU", "Ô-xtrây-li-a", "Australia"),
        ("US", "Hoa Kỳ <AT&T>", "United States <AT&T>"),
    ]

    /// `count` occurrences from the run date on (one a day), each with its reminder due today:
    /// a digest as large as a busy autumn week's catch-up.
    static func batch(
        _ notifier: String, language: Language, count: Int = 52, deadline: ContinuousClock.Instant = .now + .seconds(60)
    ) -> NotifierBatch {
        var events: [Event] = []
        var known: [String: Country] = [:]
        for index in 0..<count {
            let country = countries[index % countries.count]
            known[country.code] = Country(
                code: country.code, name: LocalizedText(byLanguage: ["vi": country.vi, "en": country.en], primary: country.vi))
            let date = today.adding(days: index)
            events.append(Event(
                id: "e\(index)-relations", kind: .diplomaticRelations, country: country.code,
                title: LocalizedText(byLanguage: [
                    "vi": "Kỷ niệm {n} năm Ngày thiết lập quan hệ ngoại giao Việt Nam – \(country.vi)",
                    "en": "{ordinal} anniversary of diplomatic relations between Vietnam and \(country.en)",
                ], primary: ""),
                recurrence: .origin(LocalDate(1960 + index % 40, date.month, date.day))))
        }
        let planner = Planner(
            catalog: Catalog(events: events, countries: known),
            reminders: Reminders(leadDays: [.major: Array(0...count), .notable: Array(0...count), .routine: Array(0...count)]),
            checklists: Checklists(templates: []), weekend: [.saturday, .sunday], adjustments: WorkingDayAdjustments(),
            routes: [Route(notifier: notifier, language: language)])
        let deliveries = planner.plan(today: today, catchUpDays: 0)
        return NotifierBatch(
            notifier: notifier, language: language, runDate: today, timestamp: "t",
            deliveries: deliveries.map { OutgoingDelivery(delivery: $0, message: Message(title: $0.title, body: "b")) },
            deadline: deadline)
    }

    /// Sends `batch` and records each report to the sink (one per accepted message).
    static func send(_ notifier: some Notifier, _ batch: NotifierBatch) -> (reports: [[String]], outcomes: [String: DeliveryOutcome]) {
        let reports = Reports()
        let sink = OutcomeSink(keys: batch.keys) { list in reports.append(list.filter { $0.outcome.isSent }.map(\.key)) }
        notifier.send(batch, outcomes: sink)
        return (reports.items.filter { !$0.isEmpty }, sink.reported)
    }

    final class Reports: @unchecked Sendable {
        private let lock = NSLock()
        private var list: [[String]] = []
        func append(_ keys: [String]) { lock.withLock { list.append(keys) } }
        var items: [[String]] { lock.withLock { list } }
    }

    static func webhook(_ settings: [String: Any], url: String, pace: Duration? = nil) throws -> WebhookNotifier {
        var all: [String: Any] = ["url_env": "HOOK_URL"]
        all.merge(settings) { _, new in new }
        let spec = notifierSpec(id: "hook", type: "webhook", all)
        return WebhookNotifier(
            configuration: try WebhookNotifier.configuration(spec).get(), environment: ["HOOK_URL": url], pace: pace)
    }

    static func object(_ text: Any?) throws -> [String: Any] {
        let text = try #require(text as? String)
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func a52ItemTeamsDigestIsOneCardUnderTheLimit() throws {
        let notifier = try Self.webhook(["format": "teams"], url: "http://127.0.0.1:9/x")
        let messages = notifier.messages(Self.batch("hook", language: .vi))
        #expect(messages.allSatisfy { $0.body.utf8.count <= WebhookNotifier.teamsByteLimit })
        #expect(messages.flatMap(\.keys).count == 52)
    }

    @Test func aBusyDayHas52Items() {
        let batch = Self.batch("hook", language: .vi)
        #expect(batch.deliveries.count == 52)
        #expect(batch.content.items.count == 52)
        #expect(batch.content.title.hasPrefix("Kỷ niệm: 52 sự kiện (1 hôm nay, 7 trong tuần này, 44 sắp tới) – 8/10/2027"))
        #expect(Self.batch("hook", language: .en).content.title
            == "Anniversaries: 52 events (1 today, 7 this week, 44 later) – 8 October 2027")
    }

    @Test func teamsSplitsA52ItemDigestIntoCardsUnderTheSizeLimit() throws {
        let server = try LoopbackServer.http()
        let notifier = try Self.webhook(["format": "teams"], url: "http://127.0.0.1:\(server.port)/workflows/x", pace: .zero)
        // 52 items now fit one card (about 22 KB, not 43 KB: one TextBlock per item); 150, a
        // long catch-up, do not.
        let batch = Self.batch("hook", language: .vi, count: 150)
        let (reports, outcomes) = Self.send(notifier, batch)
        #expect(outcomes.count == 150 && outcomes.values.allSatisfy(\.isSent))
        let records = try server.records(expecting: reports.count)
        #expect(records.count >= 2)
        #expect(records.count == reports.count)
        var titles: [String] = []
        for (index, record) in records.enumerated() {
            let text = try #require(record["body"] as? String)
            // "The message size limit is 28 KB" (Teams incoming webhooks): measured as sent.
            #expect(text.utf8.count <= WebhookNotifier.teamsByteLimit && text.utf8.count < 28 * 1024)
            let body = try Self.object(text)
            #expect(body["type"] as? String == "message")
            let attachment = try #require((body["attachments"] as? [[String: Any]])?.first)
            #expect(attachment["contentType"] as? String == "application/vnd.microsoft.card.adaptive")
            let card = try #require(attachment["content"] as? [String: Any])
            #expect(card["type"] as? String == "AdaptiveCard")
            #expect(card["version"] as? String == "1.4")
            let blocks = try #require(card["body"] as? [[String: Any]])
            #expect(blocks.allSatisfy { $0["type"] as? String == "TextBlock" && $0["wrap"] as? Bool == true })
            // TextBlocks have no headings: nothing starts with `#`.
            #expect(blocks.allSatisfy { !(($0["text"] as? String) ?? "").hasPrefix("#") })
            #expect((blocks.first?["text"] as? String)?.hasSuffix("(\(index + 1)/\(records.count))") == true)
            titles += blocks.dropFirst().compactMap { $0["text"] as? String }.filter { $0.hasPrefix("**") }
            // Each part's keys were reported when that part was accepted, in order.
            #expect(reports[index].count == titles.count - (reports[..<index].map(\.count).reduce(0, +)))
        }
        #expect(titles.count == 150)
        #expect(Set(reports.flatMap { $0 }) == Set(batch.keys))
    }

    @Test func telegramSendsHTMLUnder4096CharactersPacedAndEscaped() throws {
        let server = try LoopbackServer.http()
        let notifier = try Self.webhook(
            ["format": "telegram", "chat_id": 42], url: "http://127.0.0.1:\(server.port)/botX/sendMessage",
            pace: .milliseconds(300))
        let batch = Self.batch("hook", language: .en)
        let (reports, outcomes) = Self.send(notifier, batch)
        #expect(outcomes.count == 52 && outcomes.values.allSatisfy(\.isSent))
        let records = try server.records(expecting: reports.count)
        #expect(records.count >= 2 && records.count == reports.count)
        var lines: [String] = []
        for record in records {
            let body = try Self.object(record["body"])
            #expect(body["chat_id"] as? Int == 42)
            #expect(body["parse_mode"] as? String == "HTML")
            let text = try #require(body["text"] as? String)
            // Bot API: "Text of the message to be sent, 1-4096 characters after entities parsing".
            #expect(text.utf16.count <= 4096 && !text.isEmpty)
            #expect(!text.contains("<AT&T>"))
            // Only the tags Telegram knows, and entities for data.
            let tags = text.matches(of: /<\/?([a-z]+)>/).map { String($0.output.1) }
            #expect(Set(tags).isSubset(of: ["b"]))
            lines += text.split(separator: "\n").filter { $0.hasPrefix("• ") }.map(String.init)
        }
        #expect(lines.count == 52)
        #expect(lines.contains { $0.contains("United States &lt;AT&amp;T&gt;") })
        // Paced: never two messages closer than the interval.
        let times = records.compactMap { $0["at"] as? Double }
        for (a, b) in zip(times, times.dropFirst()) { #expect(b - a >= 0.28, "\(b - a) s apart") }
    }

    @Test func telegramsDocumentedPaceIsOneASecondAndTwentyAMinuteInGroups() {
        #expect(WebhookNotifier.interval(.telegram, chatID: "42") == .seconds(1))
        #expect(WebhookNotifier.interval(.telegram, chatID: "-1001234567890") == .seconds(3))
        #expect(WebhookNotifier.interval(.telegram, chatID: "@kyniem") == .seconds(3))
        #expect(WebhookNotifier.interval(.slack, chatID: nil) == .seconds(1))
    }

    @Test func telegramWaitsRetryAfterWhenItFitsBeforeTheBound() throws {
        let server = try LoopbackServer.http(statuses: [429, 200], retryAfter: 1)
        let notifier = try Self.webhook(["format": "telegram", "chat_id": 42], url: "http://127.0.0.1:\(server.port)/botX/sendMessage")
        let batch = Self.batch("hook", language: .vi, count: 3, deadline: .now + .seconds(10))
        let (_, outcomes) = Self.send(notifier, batch)
        #expect(outcomes.count == 3 && outcomes.values.allSatisfy(\.isSent), "\(outcomes)")
        let records = try server.records(expecting: 2)
        #expect(records.count == 2)
        let times = records.compactMap { $0["at"] as? Double }
        #expect(times.count == 2 && times[1] - times[0] >= 0.95)
    }

    @Test func telegramLeavesTheRestForTheNextRunWhenRetryAfterPassesTheBound() throws {
        let server = try LoopbackServer.http(statuses: [429], retryAfter: 30)
        let notifier = try Self.webhook(["format": "telegram", "chat_id": 42], url: "http://127.0.0.1:\(server.port)/botX/sendMessage")
        let batch = Self.batch("hook", language: .vi, count: 3, deadline: .now + .seconds(3))
        let started = ContinuousClock.now
        let (_, outcomes) = Self.send(notifier, batch)
        #expect(ContinuousClock.now - started < .seconds(2))
        #expect(outcomes.count == 3)
        let reasons = outcomes.values.compactMap { outcome -> String? in
            if case .failed(let reason) = outcome { return reason }
            return nil
        }
        #expect(reasons.count == 3)
        #expect(reasons.allSatisfy { $0.contains("HTTP 429") && $0.contains("wait 30 s") })
    }

    @Test func telegramStopsAtTheBoundRatherThanExceedTheRate() throws {
        let server = try LoopbackServer.http()
        let notifier = try Self.webhook(
            ["format": "telegram", "chat_id": -100123], url: "http://127.0.0.1:\(server.port)/botX/sendMessage",
            pace: .seconds(1))
        let batch = Self.batch("hook", language: .vi, deadline: .now + .milliseconds(1500))
        let (reports, outcomes) = Self.send(notifier, batch)
        #expect(outcomes.count == 52)
        let sent = outcomes.values.filter(\.isSent).count
        #expect(sent > 0 && sent < 52)
        #expect(reports.count == 2)
        #expect(outcomes.values.contains(.failed(WebhookNotifier.pacedOutReason)))
    }

    @Test func slackGetsMrkdwnWithoutHeadingsUnderItsLimit() throws {
        let server = try LoopbackServer.http()
        let notifier = try Self.webhook(["format": "slack"], url: "http://127.0.0.1:\(server.port)/services/T/B/x", pace: .zero)
        let (reports, outcomes) = Self.send(notifier, Self.batch("hook", language: .vi))
        #expect(outcomes.count == 52 && outcomes.values.allSatisfy(\.isSent))
        let records = try server.records(expecting: reports.count)
        var items = 0
        for record in records {
            let text = try #require(try Self.object(record["body"])["text"] as? String)
            #expect(text.count <= 4000)
            let lines = text.split(separator: "\n")
            #expect(!lines.contains { $0.hasPrefix("#") })
            #expect(lines.first?.hasPrefix("*Kỷ niệm: ") == true && lines.first?.hasSuffix("*") == true)
            #expect(!text.contains("<AT&T>") && text.contains("&lt;AT&amp;T&gt;") == lines.contains { $0.contains("Hoa Kỳ") })
            items += lines.filter { $0.hasPrefix("• ") }.count
        }
        #expect(items == 52)
    }

    @Test func mattermostGetsMarkdownUnderItsLimit() throws {
        let server = try LoopbackServer.http()
        let notifier = try Self.webhook(["format": "mattermost"], url: "http://127.0.0.1:\(server.port)/hooks/x")
        let (_, outcomes) = Self.send(notifier, Self.batch("hook", language: .en))
        #expect(outcomes.count == 52 && outcomes.values.allSatisfy(\.isSent))
        let text = try #require(try Self.object(try server.records().first?["body"])["text"] as? String)
        #expect(text.count <= 16_000)
        #expect(text.hasPrefix("#### Anniversaries: 52 events"))
        #expect(text.contains("**Today (1)**"))
        #expect(text.contains("United States \\<AT&T\\>"))
    }

    @Test func theEmailIsMultipartAlternativeThatPythonReads() throws {
        let server = try LoopbackServer.smtp(["extensions": ["8BITMIME"]])
        let spec = notifierSpec(id: "mail", type: "email", [
            "from": "Kỷ niệm <kyniem@example.org>", "to": "doingoai@example.org",
            "smtp": ["host": "127.0.0.1", "port": server.port],
        ])
        let notifier = EmailNotifier(configuration: try EmailNotifier.configuration(spec).get(), environment: [:])
        let batch = Self.batch("mail", language: .vi, count: 13)
        let outcomes = notifier.outcomes(for: batch)
        #expect(outcomes.count == 13 && outcomes.values.allSatisfy(\.isSent))
        let session = try #require(try server.records().first)
        let ehlo = try #require(session["ehlo"] as? String)
        #expect(ehlo.contains(".") || ehlo.hasPrefix("["), "EHLO \(ehlo)")
        let message = try #require(session["message"] as? [String: Any])
        #expect(message["content_type"] as? String == "multipart/alternative")
        #expect(message["defects"] as? [String] == [])
        #expect(message["subject"] as? String == batch.content.title)
        #expect((message["parts"] as? [[String?]])?.map { $0[0] } == ["text/plain", "text/html"])
        let plain = try #require(message["body"] as? String)
        #expect(plain.contains("Hoa Kỳ <AT&T>"))
        let html = try #require(message["html"] as? String)
        #expect(html.contains("Hoa Kỳ &lt;AT&amp;T&gt;"))
        #expect(html.contains("<table"))
        #expect(!html.contains("<style") && !html.contains("<script"))
        // For the picture in docs/ (see docs/dispatch.md): the HTML part as the server received it.
        try html.write(toFile: NSTemporaryDirectory() + "kyniem-digest-email-vi.html", atomically: true, encoding: .utf8)
    }

    @Test func aSupersededLateReminderIsCarriedButNotShown() throws {
        let planner = Fixture.planner(routes: [Route(notifier: "chat", language: .vi)])
        // 2023-09-22: the on-the-day reminder (21st) missed, and the 7-day reminder (14th) also
        // missed: both late, the older one superseded.
        let deliveries = planner.plan(today: LocalDate(2023, 9, 22), catchUpDays: 8)
        #expect(deliveries.map(\.step.id) == ["remind-7d", "remind-0d"])
        let digest = Digest(deliveries: deliveries, runDate: LocalDate(2023, 9, 22), language: .vi)
        #expect(digest.items.count == 1)
        #expect(Set(digest.keys) == Set(deliveries.map(\.key)))
        let steps = digest.items[0].steps.map(\.text)
        #expect(!steps.contains { $0.hasPrefix("nhắc trước 7 ngày") })
        #expect(steps.contains { $0.hasPrefix("nhắc đúng ngày") })
        #expect(digest.sections.map(\.urgency) == [.late])
    }
}
