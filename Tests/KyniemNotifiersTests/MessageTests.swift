import Foundation
import KyniemConfig
import KyniemCore
import KyniemDispatch
import KyniemNotifiers
import KyniemPlugins
import Testing

@Suite struct MessageTests {
    let letter = ChecklistTask(
        id: "letter", offsetDays: -14,
        title: LocalizedText(byLanguage: ["vi": "Soạn thư chúc mừng", "en": "Draft the congratulatory letter"], primary: ""))

    func render(
        _ language: Language, occurrence: Occurrence, step: Step, late: Bool = false, runDate: LocalDate,
        next: NextStep? = nil
    ) -> Message {
        let context = MessageContext.values(
            occurrence: occurrence, step: step, notifier: "office", key: "k", language: language, late: late,
            runDate: runDate, next: next)
        return MessageTemplates.standard(language).message(context)
    }

    @Test func vietnameseReminderHasEveryField() {
        let occurrence = Fixture.occurrence()
        let step = Step(kind: .reminder(daysBefore: 30), due: LocalDate(2023, 8, 22))
        let next = NextStep(step: Step(kind: .task(letter), due: LocalDate(2023, 9, 7)), occurrence: occurrence)
        let message = render(.vi, occurrence: occurrence, step: step, runDate: LocalDate(2023, 8, 22), next: next)
        #expect(message.title == "Còn 30 ngày: Kỷ niệm 50 năm Ngày thiết lập quan hệ ngoại giao Việt Nam – Nhật Bản")
        #expect(message.body == """
            Quốc gia: 🇯🇵 Nhật Bản
            Ngày: Thứ Năm, 21/9/2023
            Kỷ niệm lần thứ 50 (Trọng điểm)
            Nhắc lịch: còn 30 ngày
            Tiếp theo: Soạn thư chúc mừng — hạn 7/9/2023
            """)
    }

    @Test func englishReminderHasEveryField() {
        let occurrence = Fixture.occurrence()
        let step = Step(kind: .reminder(daysBefore: 30), due: LocalDate(2023, 8, 22))
        let next = NextStep(step: Step(kind: .reminder(daysBefore: 7), due: LocalDate(2023, 9, 14)), occurrence: occurrence)
        let message = render(.en, occurrence: occurrence, step: step, runDate: LocalDate(2023, 8, 22), next: next)
        #expect(message.title == "In 30 days: 50th anniversary of Vietnam–Japan diplomatic relations")
        #expect(message.body == """
            Country: 🇯🇵 Japan
            Date: Thursday, 21 September 2023
            Anniversary: 50th (Major)
            Reminder: in 30 days
            Next: 7-day reminder, 14 September 2023
            """)
    }

    @Test func lateTasksSayLateAndDue() {
        let occurrence = Fixture.occurrence()
        let step = Step(kind: .task(letter), due: LocalDate(2023, 9, 7))
        let vi = render(.vi, occurrence: occurrence, step: step, late: true, runDate: LocalDate(2023, 9, 9))
        #expect(vi.title == "[Trễ] Việc cần làm: Soạn thư chúc mừng — Kỷ niệm 50 năm Ngày thiết lập quan hệ ngoại giao Việt Nam – Nhật Bản")
        #expect(vi.body.contains("Việc cần làm: Soạn thư chúc mừng\nHạn hoàn thành: Thứ Năm, 7/9/2023 — đã trễ hạn"))
        let en = render(.en, occurrence: occurrence, step: step, late: true, runDate: LocalDate(2023, 9, 9))
        #expect(en.title.hasPrefix("[Late] Task: Draft the congratulatory letter — 50th anniversary"))
        #expect(en.body.contains("Task: Draft the congratulatory letter\nDue: Thursday, 7 September 2023 — overdue"))
        #expect(!en.body.contains("Next:"))
    }

    @Test func lunarDatesAndEventsWithoutCountryOrOrdinal() {
        let tet = Event(
            id: "vn-tet", kind: .holiday, title: LocalizedText(byLanguage: ["vi": "Tết Nguyên Đán", "en": "Lunar New Year"], primary: ""),
            recurrence: .lunar(month: 1, day: .day(1), leap: false, since: nil), dayOff: true)
        let occurrence = Fixture.occurrence(
            event: tet, date: LocalDate(2027, 2, 6), ordinal: nil, tier: .routine, lunar: LunarDate(year: 2027, month: 1, day: 1))
        let step = Step(kind: .reminder(daysBefore: 0), due: LocalDate(2027, 2, 6))
        let vi = render(.vi, occurrence: occurrence, step: step, runDate: LocalDate(2027, 2, 6))
        #expect(vi.title == "Hôm nay: Tết Nguyên Đán")
        #expect(vi.body == "Ngày: Thứ Bảy, 6/2/2027 (tức ngày 1/1 âm lịch)\nNhắc lịch: hôm nay")
        let en = render(.en, occurrence: occurrence, step: step, runDate: LocalDate(2027, 2, 6))
        #expect(en.body == "Date: Saturday, 6 February 2027 (lunar 1/1)\nReminder: today")
    }

    @Test func aLateReminderCountsFromTheRunDate() {
        let occurrence = Fixture.occurrence()
        let step = Step(kind: .reminder(daysBefore: 7), due: LocalDate(2023, 9, 14))
        let vi = render(.vi, occurrence: occurrence, step: step, late: true, runDate: LocalDate(2023, 9, 16))
        #expect(vi.title.hasPrefix("[Trễ] Còn 5 ngày: "))
        #expect(vi.body.contains("Nhắc lịch: còn 5 ngày — gửi trễ, lẽ ra nhắc ngày 14/9/2023"))
    }

    @Test func textIsNotHTMLEscaped() {
        let event = Event(
            id: "x", kind: .custom, title: LocalizedText("Q&A <with> \"partners\""), recurrence: .once(LocalDate(2027, 5, 12)))
        let occurrence = Fixture.occurrence(event: event, date: LocalDate(2027, 5, 12), ordinal: nil, tier: .routine)
        let message = render(.en, occurrence: occurrence, step: Step(kind: .reminder(daysBefore: 0), due: LocalDate(2027, 5, 12)), runDate: LocalDate(2027, 5, 12))
        #expect(message.title == "Today: Q&A <with> \"partners\"")
    }

    @Test func userTemplatesReplaceTheDefaults() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "{{#country}}{{flag}} {{/country}}{{title}} – {{step_text}}{{#late}} ({{late_label}}){{/late}}\n"
            .write(toFile: folder + "/body.mustache", atomically: true, encoding: .utf8)
        try "{{count_text}}:{{#deliveries}} [{{event}}]{{/deliveries}}"
            .write(toFile: folder + "/digest.mustache", atomically: true, encoding: .utf8)
        let spec = Fixture.spec(id: "office", type: "console", options: ["template": "body.mustache", "digest_template": "digest.mustache"])
        let templates = try MessageTemplates.load(for: spec, configDirectory: folder).get()
        let occurrence = Fixture.occurrence()
        let step = Step(kind: .reminder(daysBefore: 30), due: LocalDate(2023, 8, 22))
        let context = MessageContext.values(
            occurrence: occurrence, step: step, notifier: "office", key: "k", language: .vi, late: true,
            runDate: LocalDate(2023, 8, 23), next: nil)
        let message = templates.message(context)
        #expect(message.body == "🇯🇵 Kỷ niệm 50 năm Ngày thiết lập quan hệ ngoại giao Việt Nam – Nhật Bản – Nhắc lịch: còn 29 ngày (trễ)")
        #expect(message.title.hasPrefix("[Trễ] Còn 29 ngày:"))  // no title_template: the default stays
        let digest = templates.digest(MessageContext.digest(
            notifier: "office", language: .vi, runDate: LocalDate(2023, 8, 23), items: [(context, message), (context, message)],
            digest: Digest(deliveries: [], runDate: LocalDate(2023, 8, 23), language: .vi)))
        #expect(digest.body == "2 sự kiện: [jp-relations] [jp-relations]")
    }

    @Test func aBrokenUserTemplateIsReportedWithItsLine() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "line one\n{{#task}}never closed\n".write(toFile: folder + "/body.mustache", atomically: true, encoding: .utf8)
        let spec = Fixture.spec(id: "office", type: "console", options: ["template": "body.mustache", "digest_template": "missing.mustache"])
        guard case .failure(let errors) = MessageTemplates.load(for: spec, configDirectory: folder) else {
            Issue.record("a broken template loaded")
            return
        }
        #expect(errors.problems.count == 2)
        let messages = errors.problems.map(\.description)
        #expect(messages.contains { $0.hasPrefix(folder + "/body.mustache:") && $0.contains("not a valid Mustache template") })
        #expect(messages.contains { $0.contains("digest_template: cannot read \(folder)/missing.mustache") })
    }
}

/// `kyniem check` finds template names that do not exist from `TemplateValue`'s tree; these
/// keep the tree in step with what `MessageContext` really gives.
@Suite struct TemplateVariableTests {
    /// A template that uses every key of `context`, sections for dictionaries and lists.
    func templateUsing(_ context: [String: Any]) -> String {
        context.keys.sorted().map { key -> String in
            switch context[key] {
            case let nested as [String: Any]:
                return "{{#\(key)}}" + templateUsing(nested) + "{{/\(key)}}"
            case let list as [[String: Any]]:
                return "{{#\(key)}}" + list.map(templateUsing).joined() + "{{/\(key)}}"
            case is [String]:
                return "{{#\(key)}}{{.}}{{/\(key)}}"
            default:
                return "{{\(key)}}"
            }
        }.joined(separator: "\n")
    }

    func contexts() -> [[String: Any]] {
        let occurrence = Fixture.occurrence()
        let task = ChecklistTask(id: "letter", offsetDays: -14, title: LocalizedText("Letter"))
        let reminder = Step(kind: .reminder(daysBefore: 30), due: LocalDate(2023, 8, 22))
        let taskStep = Step(kind: .task(task), due: LocalDate(2023, 9, 7))
        let tet = Fixture.occurrence(
            event: Event(id: "tet", kind: .holiday, title: LocalizedText("Tết"), recurrence: .lunar(month: 1, day: .day(1), leap: false, since: nil)),
            date: LocalDate(2027, 2, 6), ordinal: nil, tier: .routine, lunar: LunarDate(year: 2027, month: 1, day: 1))
        return [
            MessageContext.values(
                occurrence: occurrence, step: reminder, notifier: "n", key: "k", language: .vi, late: false,
                runDate: LocalDate(2023, 8, 22), next: NextStep(step: taskStep, occurrence: occurrence)),
            MessageContext.values(
                occurrence: occurrence, step: taskStep, notifier: "n", key: "k", language: .en, late: true,
                runDate: LocalDate(2023, 9, 8), next: nil),
            MessageContext.values(
                occurrence: tet, step: Step(kind: .reminder(daysBefore: 0), due: LocalDate(2027, 2, 6)), notifier: "n",
                key: "k", language: .vi, late: false, runDate: LocalDate(2027, 2, 6), next: nil),
        ]
    }

    @Test func everyValueOfADeliveryIsKnown() {
        for context in contexts() {
            let unknown = TemplateVariables.unknown(in: templateUsing(context), values: .delivery)
            #expect(unknown.isEmpty, "\(unknown.map(\.name))")
        }
    }

    @Test func everyValueOfADigestIsKnown() {
        let items = contexts().map { ($0, Message(title: "t", body: "a\nb")) }
        let runDate = LocalDate(2023, 8, 22)
        let digest = MessageContext.digest(
            notifier: "n", language: .vi, runDate: runDate, items: items,
            digest: Digest(deliveries: [], runDate: runDate, language: .vi))
        var context = digest
        // An empty digest has no section to show the keys of one: use the shape a full one has.
        if (context["sections"] as? [[String: Any]])?.isEmpty ?? true {
            context["sections"] = [["urgency": "", "heading": "", "items": [[
                "title": "", "date": "", "when": "", "countdown": "", "tier_label": "", "country": "", "steps": "", "line": "",
            ]]]] as [[String: Any]]
        }
        let unknown = TemplateVariables.unknown(in: templateUsing(context), values: .digest)
        #expect(unknown.isEmpty, "\(unknown.map(\.name))")
    }

    @Test func unknownNamesAreFoundWhereTheyStand() {
        let text = """
            {{titel}} {{country.name}} {{country.nmae}}
            {{#country}}{{code}}{{/country}}{{code}}
            {{=<% %>=}}<% flag %> <%title%>
            {{! a comment {{nothing}} }}<%^late%><%lat%><%/late%> <% uppercased(titl) %>
            """
        let unknown = TemplateVariables.unknown(in: text, values: .delivery)
        #expect(unknown.map(\.name) == ["titel", "country.nmae", "code", "flag", "lat", "titl"])
        #expect(unknown.map(\.line) == [1, 1, 2, 3, 4, 4])
        #expect(unknown.map(\.column) == [3, 30, 35, 15, 40, 58])
    }
}
