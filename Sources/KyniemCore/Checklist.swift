/// One task of a checklist template, due `offsetDays` from the occurrence (negative: before).
public struct ChecklistTask: Sendable, Hashable {
    public let id: String
    public let offsetDays: Int
    public let title: LocalizedText

    public init(id: String, offsetDays: Int, title: LocalizedText) {
        self.id = id
        self.offsetDays = offsetDays
        self.title = title
    }
}

/// `checklists:` entry: tasks for occurrences of the given events, kinds and tiers (nil: any).
public struct ChecklistTemplate: Sendable, Hashable {
    /// Event ids (`for: {events: [vn-tet]}`), for tasks that belong to one observance only.
    public let events: Set<String>?
    public let kinds: Set<EventKind>?
    public let tiers: Set<Tier>?
    public let tasks: [ChecklistTask]

    public init(events: Set<String>? = nil, kinds: Set<EventKind>?, tiers: Set<Tier>?, tasks: [ChecklistTask]) {
        self.events = events
        self.kinds = kinds
        self.tiers = tiers
        self.tasks = tasks
    }

    public func applies(to event: Event, tier: Tier) -> Bool {
        (events?.contains(event.id) ?? true) && (kinds?.contains(event.kind) ?? true) && (tiers?.contains(tier) ?? true)
    }
}

/// A checklist task placed on the calendar for one occurrence.
public struct ScheduledTask: Sendable, Hashable {
    /// The task, its title with the occurrence's placeholders (`{country}`, `{n}`…) filled in.
    public let task: ChecklistTask
    /// The occurrence date plus the offset, before moving off non-working days.
    public let nominal: LocalDate
    /// The working day the task is due on.
    public let due: LocalDate
}

/// All templates that apply contribute their tasks; a task id already taken by an
/// earlier template is skipped, so a specific template can be listed before a general one.
public struct Checklists: Sendable, Hashable {
    public let templates: [ChecklistTemplate]

    public init(templates: [ChecklistTemplate]) { self.templates = templates }

    public func tasks(for event: Event, tier: Tier) -> [ChecklistTask] {
        var seen = Set<String>()
        var tasks: [ChecklistTask] = []
        for template in templates where template.applies(to: event, tier: tier) {
            for task in template.tasks where seen.insert(task.id).inserted {
                tasks.append(task)
            }
        }
        return tasks.sorted { ($0.offsetDays, $0.id) < ($1.offsetDays, $1.id) }
    }

    /// The occurrence's tasks with due dates moved off weekends and days off: tasks on or
    /// before the event move to the previous working day, tasks after it to the next.
    public func schedule(_ occurrence: Occurrence, workdays: WorkingCalendar) -> [ScheduledTask] {
        tasks(for: occurrence.event, tier: occurrence.tier).map { task in
            let nominal = occurrence.date.adding(days: task.offsetDays)
            let due = workdays.nearestWorkingDay(nominal, forward: task.offsetDays > 0)
            let filled = ChecklistTask(id: task.id, offsetDays: task.offsetDays, title: task.title.filled(for: occurrence))
            return ScheduledTask(task: filled, nominal: nominal, due: due)
        }
    }

    /// The largest number of days a task can fall before (lead) and after (lag) its occurrence.
    public var reach: (lead: Int, lag: Int) {
        var lead = 0
        var lag = 0
        for template in templates {
            for task in template.tasks {
                lead = max(lead, -task.offsetDays)
                lag = max(lag, task.offsetDays)
            }
        }
        return (lead, lag)
    }
}

/// The government decrees extra days off and swapped working days each year (`working_days:`).
public struct WorkingDayAdjustments: Sendable, Hashable {
    public var off: Set<LocalDate>
    public var on: Set<LocalDate>

    public init(off: Set<LocalDate> = [], on: Set<LocalDate> = []) {
        self.off = off
        self.on = on
    }
}

/// Why a day is not a working day at home.
public enum DayOffReason: Sendable, Hashable {
    /// A weekly day of rest (`home.weekend`).
    case weekend
    /// A public holiday: a `day_off` event falls on it.
    case holiday(Event)
    /// The day off in lieu of a public holiday that fell on a weekly day of rest (Labour Code 2019,
    /// Art. 111(3)): the holiday and the date it fell on.
    case substitute(for: Event, holiday: LocalDate)
    /// Listed as a day off in `working_days` (a decreed Tết or National Day break).
    case decreed
}

/// Which days are working days at home: not the weekend, not a `day_off` event, not the day off in
/// lieu of a holiday that fell on the weekend, not a decreed day off; unless decreed a working day.
///
/// Substitute days (Vietnam's Labour Code 2019, Art. 111(3): "if a weekly day of rest coincides with a
/// public holiday under Art. 112(1), the worker takes the day off on the next working day"): each
/// `day_off` day that falls on a weekend day gives the next day that is neither a weekend day, a
/// holiday nor already a substitute. A decreed schedule that places the days otherwise says so in
/// `working_days` (`on:` for the day the rule would have given).
public struct WorkingCalendar: Sendable {
    public let weekend: Set<Weekday>
    public let daysOff: Set<LocalDate>
    public let adjustments: WorkingDayAdjustments
    /// The holiday events on each day off they make (the first one listed when several share a day).
    public let holidays: [LocalDate: Event]
    /// Days off in lieu, with the holiday (and its date) each stands for.
    public let substitutes: [LocalDate: (event: Event, holiday: LocalDate)]
    /// Precomputed answers for the days from `firstDay` (a Julian Day Number): planning asks
    /// about the same few years thousands of times, and a table lookup beats three set probes.
    private let firstDay: Int
    private let working: [Bool]

    /// `daysOff` holds the dates of the `day_off` events in the years the caller will ask about.
    /// With `years`, the precomputed table covers exactly those years (a planning window is at
    /// most a few decades: `Limits`), whatever days are listed: `working_days:` of 1900 must not
    /// make a calendar for 9999 tabulate 8,000 years, and a window with no day off listed must
    /// still answer from the table (a run with many checklist tasks asks millions of times).
    public init(
        weekend: Set<Weekday>, daysOff: Set<LocalDate>, adjustments: WorkingDayAdjustments,
        years: ClosedRange<Int>? = nil
    ) {
        self.init(weekend: weekend, daysOff: daysOff, holidays: [:], adjustments: adjustments, years: years)
    }

    private init(
        weekend: Set<Weekday>, daysOff: Set<LocalDate>, holidays: [LocalDate: Event],
        adjustments: WorkingDayAdjustments, years: ClosedRange<Int>?
    ) {
        self.weekend = weekend
        self.daysOff = daysOff
        self.adjustments = adjustments
        self.holidays = holidays
        // Labour Code 2019, Art. 111(3): a public holiday on a weekly day off gives the next
        // working day off instead.
        var substitutes: [LocalDate: (event: Event, holiday: LocalDate)] = [:]
        if weekend.count < 7 {
            for (date, event) in holidays.sorted(by: { $0.key < $1.key }) where weekend.contains(date.weekday) {
                var day = date.adding(days: 1)
                while weekend.contains(day.weekday) || daysOff.contains(day) || substitutes[day] != nil {
                    day = day.adding(days: 1)
                }
                substitutes[day] = (event, date)
            }
        }
        self.substitutes = substitutes
        let known = daysOff.union(adjustments.off).union(adjustments.on).union(substitutes.keys)
        let span: (first: Int, last: Int)
        if let years {
            span = (years.lowerBound, years.upperBound)
        } else if let first = known.min(), let last = known.max() {
            span = (first.year, last.year)
        } else {
            self.firstDay = 0
            self.working = []
            return
        }
        // Whole years around the listed days, so that lookups near them stay in the table.
        let start = LocalDate(span.first, 1, 1).julianDay
        let end = LocalDate(span.last, 12, 31).julianDay
        self.firstDay = start
        var working: [Bool] = []
        working.reserveCapacity(end - start + 1)
        for day in start...end {
            working.append(Self.compute(
                LocalDate(julianDay: day), weekend: weekend, daysOff: daysOff, substitutes: substitutes,
                adjustments: adjustments))
        }
        self.working = working
    }

    /// Expands the catalog's `day_off` events over `years` (pad by a year each side of a window).
    public init(
        weekend: Set<Weekday>, catalog: Catalog, years: ClosedRange<Int>, adjustments: WorkingDayAdjustments
    ) {
        var holidays: [LocalDate: Event] = [:]
        let from = LocalDate(years.lowerBound, 1, 1)
        let through = LocalDate(years.upperBound, 12, 31)
        for event in catalog.events where event.dayOff {
            event.recurrence.forEachDate(from: from, through: through, lunarCalendar: catalog.lunarCalendar) { date, _, _ in
                if event.exists(on: date), holidays[date] == nil { holidays[date] = event }
            }
        }
        self.init(
            weekend: weekend, daysOff: Set(holidays.keys), holidays: holidays, adjustments: adjustments, years: years)
    }

    public func isWorkingDay(_ date: LocalDate) -> Bool {
        let index = date.julianDay - firstDay
        if index >= 0, index < working.count { return working[index] }
        return Self.compute(date, weekend: weekend, daysOff: daysOff, substitutes: substitutes, adjustments: adjustments)
    }

    /// Why `date` is not a working day; nil when it is one.
    public func reason(_ date: LocalDate) -> DayOffReason? {
        guard !isWorkingDay(date) else { return nil }
        if let event = holidays[date] { return .holiday(event) }
        if let substitute = substitutes[date] { return .substitute(for: substitute.event, holiday: substitute.holiday) }
        if adjustments.off.contains(date) { return .decreed }
        return .weekend
    }

    /// A decreed working day wins over everything; then decreed days off, holidays and days off
    /// in lieu; then the weekend.
    private static func compute(
        _ date: LocalDate, weekend: Set<Weekday>, daysOff: Set<LocalDate>,
        substitutes: [LocalDate: (event: Event, holiday: LocalDate)], adjustments: WorkingDayAdjustments
    ) -> Bool {
        if adjustments.on.contains(date) { return true }
        if adjustments.off.contains(date) || daysOff.contains(date) || substitutes[date] != nil { return false }
        return !weekend.contains(date.weekday)
    }

    public func nearestWorkingDay(_ date: LocalDate, forward: Bool) -> LocalDate {
        var day = date
        // A year of non-working days in a row cannot happen with a sane configuration;
        // the bound keeps a misconfigured weekend of seven days from looping forever.
        // (A `for … where` would test all 366 days every time: it filters, it does not stop.)
        var steps = 0
        while !isWorkingDay(day) {
            guard steps < 366 else { return date }
            day = day.adding(days: forward ? 1 : -1)
            steps += 1
        }
        return day
    }
}
