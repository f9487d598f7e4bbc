import KyniemCore

/// The step that follows a delivery for the same occurrence, shown as "what is next".
public struct NextStep: Sendable, Hashable {
    public let step: Step
    public let occurrence: Occurrence

    public init(step: Step, occurrence: Occurrence) {
        self.step = step
        self.occurrence = occurrence
    }

    /// The first step of `delivery`'s occurrence due after `runDate` that the delivery's route
    /// admits, from the planner's rules; nil when none is left.
    public static func after(
        _ delivery: Delivery, runDate: LocalDate, planner: Planner, workdays: WorkingCalendar
    ) -> NextStep? {
        let filter = planner.routes.first { $0.notifier == delivery.notifier }?.filter ?? DeliveryFilter()
        let upcoming = planner.steps(for: delivery.occurrence, workdays: workdays)
            .filter { $0.due > runDate && filter.admits(delivery.occurrence, $0) }
            .sorted { ($0.due, $0.id) < ($1.due, $1.id) }
        return upcoming.first.map { NextStep(step: $0, occurrence: delivery.occurrence) }
    }
}

/// The values a message template sees, as the plain dictionaries Mustache renders.
///
/// For one delivery (`title_template`, `template`):
///
/// | key | example (vi / en) |
/// |---|---|
/// | `title` | the event title in the notifier's language |
/// | `event`, `key`, `notifier`, `kind` | `jp-relations`, the delivery key, `office-mail`, `diplomatic-relations` |
/// | `date`, `date_iso`, `weekday` | `21/9/2027` / `21 September 2027`, `2027-09-21`, `Thứ Ba` / `Tuesday` |
/// | `ordinal`, `ordinal_text` | `54`; `thứ 54` / `54th` (absent without an origin year) |
/// | `tier`, `tier_label` | `major`; `Trọng điểm` / `Major` (`Tier.label`) |
/// | `country.code`, `country.name`, `country.flag` | `JP`, `Nhật Bản` / `Japan`, 🇯🇵 (absent without a country) |
/// | `lunar` | `10/3 âm lịch` / `lunar 10/3` (absent for solar events) |
/// | `step`, `step_text` | `remind-30d`; a one-line summary of the step |
/// | `reminder.days`, `reminder.text`, `reminder.headline` | days left until the event, `còn 30 ngày` / `in 30 days`, `Còn 30 ngày` / `In 30 days` (reminders only) |
/// | `task.id`, `task.title`, `task.due`, `task.due_weekday` | the checklist task (tasks only) |
/// | `due`, `due_iso`, `due_weekday` | the day the step fell due |
/// | `late`, `late_label` | true when the step fell due before the run date; `trễ` / `late` |
/// | `next.text`, `next.due` | the next step of this occurrence (absent when none is left) |
/// | `run_date`, `run_date_iso`, `is_vi`, `is_en`, `language` | the run |
///
/// For a digest (`digest_template`): `run_date`, `run_date_iso`, `count`, `count_text`,
/// `digest_title`, `notifier`, `language`, `is_vi`, `is_en`; `deliveries`: a list of the
/// dictionaries above, each with `message_title`, `message_body` and `message_lines` (the body's
/// lines) added; and `sections`: the digest by urgency (`urgency`, `heading`, `items`: each with
/// `title`, `date`, `when`, `countdown`, `tier_label`, `country`, `steps` and `line`, the
/// item's one line as the plain-text digest writes it).
public enum MessageContext {
    public static func delivery(_ delivery: Delivery, runDate: LocalDate, next: NextStep?) -> [String: Any] {
        values(
            occurrence: delivery.occurrence, step: delivery.step, notifier: delivery.notifier, key: delivery.key,
            language: delivery.language, late: delivery.late, runDate: runDate, next: next)
    }

    /// The same values from the parts of a delivery.
    public static func values(
        occurrence: Occurrence, step: Step, notifier: String, key: String, language: Language, late: Bool,
        runDate: LocalDate, next: NextStep?
    ) -> [String: Any] {
        let words = Words(language)
        var context: [String: Any] = [
            "key": key,
            "notifier": notifier,
            "event": occurrence.event.id,
            "kind": occurrence.event.kind.rawValue,
            "title": occurrence.title(language),
            "date": Vocabulary.long(occurrence.date, language),
            "date_iso": occurrence.date.iso,
            "weekday": Vocabulary.weekday(occurrence.date.weekday, language),
            "tier": occurrence.tier.rawValue,
            "tier_label": words.tier(occurrence.tier),
            "step": step.id,
            "step_text": words.stepText(step, occurrence: occurrence, runDate: runDate),
            "due": Vocabulary.long(step.due, language),
            "due_iso": step.due.iso,
            "due_weekday": Vocabulary.weekday(step.due.weekday, language),
            "late": late,
            "late_label": words.late,
        ]
        context.merge(common(language: language, runDate: runDate)) { a, _ in a }
        if let ordinal = occurrence.ordinal {
            context["ordinal"] = ordinal
            context["ordinal_text"] = words.ordinal(ordinal)
        }
        if let country = occurrence.country {
            context["country"] = [
                "code": country.code, "name": country.name.resolved(language), "flag": country.flag,
            ]
        } else if let code = occurrence.event.country {
            context["country"] = ["code": code, "name": code, "flag": Country(code: code, name: LocalizedText(code)).flag]
        }
        if let lunar = occurrence.lunar {
            context["lunar"] = Vocabulary.lunar(lunar, language)
        }
        switch step.kind {
        case .reminder(let daysBefore):
            let left = runDate.days(until: occurrence.date)
            context["reminder"] = [
                "days": left, "days_before": daysBefore,
                "text": words.countdown(left), "headline": words.headline(left),
            ] as [String: Any]
        case .task(let task):
            context["task"] = [
                "id": task.id, "title": task.title.resolved(language),
                "due": Vocabulary.long(step.due, language), "due_iso": step.due.iso,
                "due_weekday": Vocabulary.weekday(step.due.weekday, language),
            ]
        }
        if let next {
            context["next"] = [
                "text": words.nextText(next, runDate: runDate),
                "due": Vocabulary.long(next.step.due, language), "due_iso": next.step.due.iso, "step": next.step.id,
            ]
        }
        return context
    }

    /// The digest's values; `items` pairs each delivery's context with its rendered message.
    public static func digest(
        notifier: String, language: Language, runDate: LocalDate, items: [(context: [String: Any], message: Message)],
        digest: Digest
    ) -> [String: Any] {
        let words = Words(language)
        var context = common(language: language, runDate: runDate)
        context["notifier"] = notifier
        context["count"] = items.count
        context["count_text"] = words.count(items.count)
        context["digest_title"] = digest.title
        context["sections"] = digest.sections.map { section -> [String: Any] in
            [
                "urgency": section.urgency.rawValue, "heading": section.heading(language),
                "items": section.items.map { item -> [String: Any] in
                    [
                        "title": item.title, "date": item.date, "when": item.when, "countdown": item.countdown,
                        "tier_label": item.tier, "country": item.country ?? "", "steps": item.stepsText,
                        "line": DigestFormat.line(item),
                    ]
                },
            ]
        }
        context["deliveries"] = items.map { item -> [String: Any] in
            var entry = item.context
            entry["message_title"] = item.message.title
            entry["message_body"] = item.message.body
            entry["message_lines"] = item.message.body.split(separator: "\n", omittingEmptySubsequences: true)
                .map(String.init)
            return entry
        }
        return context
    }

    private static func common(language: Language, runDate: LocalDate) -> [String: Any] {
        [
            "language": language.rawValue,
            "is_vi": language == .vi,
            "is_en": language == .en,
            "run_date": Vocabulary.long(runDate, language),
            "run_date_iso": runDate.iso,
        ]
    }
}

/// The message phrases, read from the one table (`Vocabulary`) in the notifier's language.
struct Words {
    let language: Language

    init(_ language: Language) { self.language = language }

    var late: String { Vocabulary.phrase(.late, language) }

    func tier(_ tier: Tier) -> String { Vocabulary.tier(tier, language) }

    func ordinal(_ n: Int) -> String { language == .vi ? "thứ \(n)" : Ordinal.english(n) }

    func countdown(_ days: Int) -> String { Vocabulary.countdown(days, language) }

    func headline(_ days: Int) -> String { Vocabulary.headline(days, language) }

    func stepText(_ step: Step, occurrence: Occurrence, runDate: LocalDate) -> String {
        switch step.kind {
        case .reminder:
            return Vocabulary.phrase(.reminders, language) + ": " + countdown(runDate.days(until: occurrence.date))
        case .task(let task):
            let due = Vocabulary.phrase(.due, language) + " " + Vocabulary.long(step.due, language)
            return Vocabulary.phrase(.checklist, language) + ": " + task.title.resolved(language) + " (\(due))"
        }
    }

    func nextText(_ next: NextStep, runDate: LocalDate) -> String {
        let due = Vocabulary.long(next.step.due, language)
        switch next.step.kind {
        case .reminder(let days):
            return Vocabulary.reminder(daysBefore: days, language) + ", " + due
        case .task(let task):
            return task.title.resolved(language) + " — " + Vocabulary.phrase(.due, language) + " " + due
        }
    }

    func count(_ n: Int) -> String { Vocabulary.count(n, language) }
}
