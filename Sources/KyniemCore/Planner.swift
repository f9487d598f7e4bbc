/// `reminders:` — lead times in days before the occurrence, per tier.
public struct Reminders: Sendable, Hashable {
    public let leadDays: [Tier: [Int]]

    /// A lead time listed twice (`[7d, 7d]`) is one reminder: two would share a delivery key.
    public init(leadDays: [Tier: [Int]]) { self.leadDays = leadDays.mapValues { Array(Set($0)).sorted(by: >) } }

    public static let standard = Reminders(leadDays: [
        .major: [90, 30, 7, 0],
        .notable: [30, 7, 0],
        .routine: [7, 0],
    ])

    public func leadDays(for tier: Tier) -> [Int] { (leadDays[tier] ?? []).sorted(by: >) }

    public var longestLead: Int { leadDays.values.flatMap { $0 }.max() ?? 0 }
}

/// What a delivery asks someone to notice: a lead-time reminder or a checklist task.
public enum StepKind: Sendable, Hashable {
    case reminder(daysBefore: Int)
    case task(ChecklistTask)
}

public struct Step: Sendable, Hashable {
    /// Stable within an occurrence: `remind-30d`, `task-letter`.
    public let id: String
    public let kind: StepKind
    /// The day the step falls due (tasks already moved to a working day).
    public let due: LocalDate

    public init(kind: StepKind, due: LocalDate) {
        switch kind {
        case .reminder(let days): self.id = "remind-\(days)d"
        case .task(let task): self.id = "task-\(task.id)"
        }
        self.kind = kind
        self.due = due
    }

    public var isReminder: Bool {
        if case .reminder = kind { return true }
        return false
    }
}

/// A notifier's `when:` — which deliveries it receives. Nil means no restriction.
public struct DeliveryFilter: Sendable, Hashable {
    public var tiers: Set<Tier>?
    public var kinds: Set<EventKind>?
    public var countries: Set<String>?
    /// `reminders`, `tasks`, or step ids such as `remind-7d` and `task-letter`.
    public var steps: Set<String>?

    public init(
        tiers: Set<Tier>? = nil, kinds: Set<EventKind>? = nil, countries: Set<String>? = nil,
        steps: Set<String>? = nil
    ) {
        self.tiers = tiers
        self.kinds = kinds
        self.countries = countries
        self.steps = steps
    }

    public func admits(_ occurrence: Occurrence, _ step: Step) -> Bool {
        let scope = OccurrenceFilter(tiers: tiers, kinds: kinds, countries: countries)
        guard scope.admits(occurrence) else { return false }
        if let steps {
            let category = step.isReminder ? "reminders" : "tasks"
            return steps.contains(step.id) || steps.contains(category)
        }
        return true
    }
}

/// Where deliveries go: one per configured notifier.
public struct Route: Sendable, Hashable {
    public let notifier: String
    public let language: Language
    public let filter: DeliveryFilter

    public init(notifier: String, language: Language, filter: DeliveryFilter = DeliveryFilter()) {
        self.notifier = notifier
        self.language = language
        self.filter = filter
    }
}

/// One (occurrence, step, notifier): the unit the ledger records exactly once.
public struct Delivery: Sendable, Hashable {
    public let occurrence: Occurrence
    public let step: Step
    public let notifier: String
    public let language: Language
    /// The step fell due before the run date (a catch-up after missed days or a retry).
    public let late: Bool

    /// Stable across runs: `jp-relations/2028-09-21/remind-30d/office-mail`.
    public var key: String {
        "\(occurrence.event.id)/\(occurrence.date.iso)/\(step.id)/\(notifier)"
    }

    public var title: String { occurrence.title(language) }
}

/// The rules a daily run applies: which steps each occurrence has and when they fall due.
/// Pure: "today" is a parameter, and it returns values for the edges to send and record.
public struct Planner: Sendable {
    public let catalog: Catalog
    public let reminders: Reminders
    public let checklists: Checklists
    public let weekend: Set<Weekday>
    public let adjustments: WorkingDayAdjustments
    public let routes: [Route]

    public init(
        catalog: Catalog, reminders: Reminders, checklists: Checklists, weekend: Set<Weekday>,
        adjustments: WorkingDayAdjustments, routes: [Route]
    ) {
        self.catalog = catalog
        self.reminders = reminders
        self.checklists = checklists
        self.weekend = weekend
        self.adjustments = adjustments
        self.routes = routes
    }

    /// A working calendar that covers `from...through` and the days tasks can move into,
    /// including tasks due up to the checklists' reach before or after an occurrence in the
    /// window: their due dates then see that year's holidays, and every question is a table lookup.
    public func workingCalendar(from: LocalDate, through: LocalDate) -> WorkingCalendar {
        let reach = checklists.reach
        // Both reaches are within `Limits.taskOffsetDays`, so the years stay within `Limits`.
        let first = from.adding(days: -reach.lead).year - 1
        let last = through.adding(days: reach.lag).year + 1
        return WorkingCalendar(weekend: weekend, catalog: catalog, years: first...last, adjustments: adjustments)
    }

    /// Reminders then tasks, each with its due date.
    public func steps(for occurrence: Occurrence, workdays: WorkingCalendar) -> [Step] {
        var steps = reminders.leadDays(for: occurrence.tier).map {
            Step(kind: .reminder(daysBefore: $0), due: occurrence.date.adding(days: -$0))
        }
        for scheduled in checklists.schedule(occurrence, workdays: workdays) {
            steps.append(Step(kind: .task(scheduled.task), due: scheduled.due))
        }
        return steps
    }

    /// Every delivery due from `today - catchUpDays` through `today`, for every route that admits it,
    /// sorted by due date, occurrence, step and notifier.
    public func plan(today: LocalDate, catchUpDays: Int) -> [Delivery] {
        let earliest = today.adding(days: -max(0, catchUpDays))
        // Tasks move at most a few weeks off holidays; 45 days of slack covers the longest Tết break.
        let slack = 45
        let reach = checklists.reach
        let windowStart = earliest.adding(days: -(reach.lag + slack))
        let windowEnd = today.adding(days: max(reminders.longestLead, reach.lead) + slack)
        let workdays = workingCalendar(from: windowStart, through: windowEnd)
        // The window spans the longest lead and task offset (up to ten years each way), but an
        // occurrence has a step due in `earliest...today` only when one of its lead times or task
        // offsets lands there (a task moves at most `slack` days to a working day): the others are
        // skipped before their steps are scheduled, which is most of the work for a long checklist.
        let taskOffsets = Set(checklists.templates.flatMap { $0.tasks.map(\.offsetDays) })
        var leadsByTier: [Tier: [Int]] = [:]
        var deliveries: [Delivery] = []
        for occurrence in catalog.occurrences(from: windowStart, through: windowEnd) {
            let toEarliest = occurrence.date.days(until: earliest)
            let toToday = occurrence.date.days(until: today)
            let leads: [Int]
            if let known = leadsByTier[occurrence.tier] {
                leads = known
            } else {
                leads = reminders.leadDays(for: occurrence.tier)
                leadsByTier[occurrence.tier] = leads
            }
            let reminderDue = leads.contains { (-toToday...(-toEarliest)).contains($0) }
            let taskDue = taskOffsets.contains { ((toEarliest - slack)...(toToday + slack)).contains($0) }
            guard reminderDue || taskDue else { continue }
            for step in steps(for: occurrence, workdays: workdays) where step.due >= earliest && step.due <= today {
                for route in routes where route.filter.admits(occurrence, step) {
                    deliveries.append(Delivery(
                        occurrence: occurrence, step: step, notifier: route.notifier,
                        language: route.language, late: step.due < today))
                }
            }
        }
        deliveries.sort {
            ($0.step.due, $0.occurrence.date, $0.occurrence.event.id, $0.step.id, $0.notifier)
                < ($1.step.due, $1.occurrence.date, $1.occurrence.event.id, $1.step.id, $1.notifier)
        }
        return deliveries
    }
}
