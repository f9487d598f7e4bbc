import KyniemCore

/// A batch as a person reads it: sections by urgency, one item per occurrence with its steps
/// folded together, in one language. Each channel writes it in its own form (`DigestFormat`):
/// plain text, Markdown, Slack mrkdwn, Telegram HTML, Adaptive Cards, an HTML e-mail.
///
/// Nothing here is text a channel must parse back: items carry their words already in the
/// notifier's language (from `Vocabulary`), and the keys of the deliveries they carry, so a
/// digest split over several messages reports each part's keys when that part is accepted.
public struct Digest: Sendable, Hashable {
    /// How soon an item needs attention, in the order the sections appear.
    public enum Urgency: String, CaseIterable, Sendable, Hashable {
        /// The event is today, or a task falls due today.
        case today
        /// The event is within the next 7 days.
        case thisWeek = "this-week"
        /// Further ahead.
        case later
        /// Every step shown fell due before the run date: missed runs caught up, or a retry.
        case late

        public func heading(_ language: Language) -> String {
            switch self {
            case .today: Vocabulary.phrase(.today, language)
            case .thisWeek: Vocabulary.phrase(.thisWeek, language)
            case .later: Vocabulary.phrase(.later, language)
            case .late: Vocabulary.phrase(.lateSection, language)
            }
        }
    }

    /// One step shown on an item's line.
    public struct StepLine: Sendable, Hashable {
        /// "nhắc trước 7 ngày", or a task's title with its due date.
        public let text: String
        public let isTask: Bool
        /// It fell due before the run date.
        public let late: Bool
    }

    /// One occurrence and the steps of it this batch carries.
    public struct Item: Sendable, Hashable {
        public let occurrence: Occurrence
        /// The event's title in the digest's language.
        public let title: String
        /// vi "Thứ Năm, 21/9/2023", en "Thursday, 21 September 2023".
        public let date: String
        /// vi "còn 7 ngày", en "in 7 days".
        public let countdown: String
        /// vi "15/8 âm lịch", nil for solar events.
        public let lunar: String?
        /// The flag and the country's name, nil without a country.
        public let country: String?
        /// The tier as offices name it (Trọng điểm, Major…).
        public let tier: String
        public let steps: [StepLine]
        /// Every delivery this item carries, including late reminders left off its line.
        public let keys: [String]
        public let urgency: Urgency

        /// Date, countdown and lunar date: "Thứ Năm, 21/9/2023 (còn 7 ngày)".
        public var when: String {
            date + " (" + countdown + (lunar.map { ", " + $0 } ?? "") + ")"
        }

        /// The steps as one phrase: "nhắc trước 7 ngày; Soạn thư chúc mừng (hạn 7/9/2023, quá hạn)".
        public var stepsText: String { steps.map(\.text).joined(separator: "; ") }
    }

    public struct Section: Sendable, Hashable {
        public let urgency: Urgency
        public let items: [Item]

        public func heading(_ language: Language) -> String {
            "\(urgency.heading(language)) (\(items.count))"
        }
    }

    public let language: Language
    public let runDate: LocalDate
    /// Sections in `Urgency` order, none empty.
    public let sections: [Section]
    /// Set when this is one part of a digest split over several messages: (part, of).
    public let part: (index: Int, count: Int)?

    public static func == (a: Digest, b: Digest) -> Bool {
        a.language == b.language && a.runDate == b.runDate && a.sections == b.sections
            && a.part?.index == b.part?.index && a.part?.count == b.part?.count
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(language)
        hasher.combine(runDate)
        hasher.combine(sections)
    }

    public var items: [Item] { sections.flatMap(\.items) }

    /// Every delivery key the digest carries, shown or superseded.
    public var keys: [String] { items.flatMap(\.keys) }

    /// vi "Kỷ niệm: 3 sự kiện (1 hôm nay, 2 trong tuần này) – 14/9/2023",
    /// en "Anniversaries: 3 events (1 today, 2 this week) – 14 September 2023"; a part adds "(2/3)".
    public var title: String {
        let counts = sections.map { "\($0.items.count) \($0.urgency.heading(language).lowercased())" }
        var text = "\(Vocabulary.phrase(.digestBrand, language)): \(Vocabulary.count(items.count, language))"
        if !counts.isEmpty { text += " (" + counts.joined(separator: ", ") + ")" }
        text += " – " + Vocabulary.long(runDate, language)
        if let part { text += " (\(part.index)/\(part.count))" }
        return text
    }

    public init(language: Language, runDate: LocalDate, sections: [Section], part: (index: Int, count: Int)? = nil) {
        self.language = language
        self.runDate = runDate
        self.sections = sections
        self.part = part
    }

    /// The digest of `deliveries` (in planner order) as of `runDate`.
    ///
    /// A late reminder whose occurrence has a newer step in the same batch is superseded: the
    /// newer step already says the event is coming, so the late one is left off the item's line
    /// (its key stays on the item, so it is recorded `sent` with the message that carried it).
    public init(deliveries: [Delivery], runDate: LocalDate, language: Language) {
        var order: [String] = []
        var grouped: [String: [Delivery]] = [:]
        for delivery in deliveries {
            let id = delivery.occurrence.event.id + "/" + delivery.occurrence.date.iso
            if grouped[id] == nil { order.append(id) }
            grouped[id, default: []].append(delivery)
        }
        var bySection: [Urgency: [Item]] = [:]
        for id in order {
            let group = grouped[id] ?? []
            guard let first = group.first else { continue }
            let item = Self.item(first.occurrence, group, runDate: runDate, language: language)
            bySection[item.urgency, default: []].append(item)
        }
        let sections = Urgency.allCases.compactMap { urgency -> Section? in
            guard let items = bySection[urgency], !items.isEmpty else { return nil }
            return Section(urgency: urgency, items: items.sorted { Occurrence.chronological($0.occurrence, $1.occurrence) })
        }
        self.init(language: language, runDate: runDate, sections: sections)
    }

    static func item(_ occurrence: Occurrence, _ group: [Delivery], runDate: LocalDate, language: Language) -> Item {
        let newest = group.map(\.step.due).max() ?? runDate
        // Reminders first (what is coming), then tasks (what to do), each by due date.
        let shown = group.filter { delivery in
            !(delivery.late && delivery.step.isReminder && delivery.step.due < newest)
        }.sorted { ($0.step.isReminder ? 0 : 1, $0.step.due) < ($1.step.isReminder ? 0 : 1, $1.step.due) }
        let daysLeft = runDate.days(until: occurrence.date)
        let steps = shown.map { delivery -> StepLine in
            switch delivery.step.kind {
            case .reminder(let days):
                var text = Vocabulary.reminder(daysBefore: days, language)
                if delivery.late {
                    text += " (\(Vocabulary.phrase(.sentLate, language)))"
                }
                return StepLine(text: text, isTask: false, late: delivery.late)
            case .task(let task):
                var text = task.title.resolved(language) + " ("
                text += Vocabulary.phrase(.due, language) + " " + Vocabulary.long(delivery.step.due, language)
                if delivery.late { text += ", " + Vocabulary.phrase(.overdue, language) }
                return StepLine(text: text + ")", isTask: true, late: delivery.late)
            }
        }
        let urgency: Urgency
        if steps.allSatisfy(\.late) {
            urgency = .late
        } else if daysLeft <= 0 || shown.contains(where: { !$0.late && !$0.step.isReminder }) {
            urgency = .today
        } else if daysLeft <= 7 {
            urgency = .thisWeek
        } else {
            urgency = .later
        }
        let country = occurrence.countryName(language).map { name -> String in
            let flag = occurrence.country?.flag ?? ""
            return flag.isEmpty ? name : flag + " " + name
        }
        return Item(
            occurrence: occurrence, title: occurrence.title(language),
            date: Vocabulary.weekdayAndDate(occurrence.date, language),
            countdown: Vocabulary.countdown(daysLeft, language),
            lunar: occurrence.lunar.map { Vocabulary.lunar($0, language) }, country: country,
            tier: Vocabulary.tier(occurrence.tier, language), steps: steps, keys: group.map(\.key), urgency: urgency)
    }

    /// The digest cut into parts, each as large as `fits` allows, items kept whole and in order.
    /// One part: the digest itself. An item too large on its own still gets a part of its own.
    public func split(fits: (Digest) -> Bool) -> [Digest] {
        if fits(self) { return [self] }
        // Measured with the widest part label the split could need, so numbering never pushes a
        // part over.
        let placeholder = (index: 999, count: 999)
        var parts: [[Section]] = []
        var current: [Section] = []
        func with(_ item: Item, in sections: [Section]) -> [Section] {
            var sections = sections
            if let last = sections.last, last.urgency == item.urgency {
                sections[sections.count - 1] = Section(urgency: last.urgency, items: last.items + [item])
            } else {
                sections.append(Section(urgency: item.urgency, items: [item]))
            }
            return sections
        }
        for item in items {
            let candidate = with(item, in: current)
            if current.isEmpty || fits(Digest(language: language, runDate: runDate, sections: candidate, part: placeholder)) {
                current = candidate
            } else {
                parts.append(current)
                current = with(item, in: [])
            }
        }
        if !current.isEmpty { parts.append(current) }
        return parts.enumerated().map { index, sections in
            Digest(language: language, runDate: runDate, sections: sections, part: (index + 1, parts.count))
        }
    }
}
