import Testing
@testable import KyniemCore

/// Regressions found by scripts/fuzz-commands.py (issue 9): each was a configuration that
/// `check` accepted and a command that crashed or ran for minutes.
@Suite struct PlannerLimitTests {
    let tasks = (0..<40).map { index in
        ChecklistTask(id: "t\(index)", offsetDays: [-3660, -400, -120, -8, -1, 0, 1, 9, 120, 3660][index % 10] + index / 10,
                      title: LocalizedText("task \(index)"))
    }

    func planner(weekend: Set<Weekday> = [.saturday, .sunday], leads: [Int] = [3660, 30, 7, 0]) -> Planner {
        let events = [
            Event(id: "origin", kind: .custom, title: LocalizedText("o"), recurrence: .origin(LocalDate(1, 1, 1))),
            Event(id: "lunar", kind: .holiday, title: LocalizedText("l"), recurrence: .lunar(month: 12, day: .day(30), leap: false, since: nil), dayOff: true),
            Event(id: "leap-day", kind: .custom, title: LocalizedText("f"), recurrence: .monthDay(month: 2, day: 29, since: 4)),
            Event(id: "once", kind: .custom, title: LocalizedText("x"), recurrence: .once(LocalDate(9999, 12, 31))),
        ]
        return Planner(
            catalog: Catalog(events: events, countries: [:]),
            reminders: Reminders(leadDays: [.routine: leads, .major: leads, .notable: leads]),
            checklists: Checklists(templates: [ChecklistTemplate(kinds: nil, tiers: nil, tasks: tasks)]),
            weekend: weekend, adjustments: WorkingDayAdjustments(), routes: [Route(notifier: "n", language: .en)])
    }

    /// What `plan` did before it skipped occurrences with nothing due: every step of every
    /// occurrence in the window, filtered. The shortcut must not change a single delivery.
    func naivePlan(_ planner: Planner, today: LocalDate, catchUpDays: Int) -> [String] {
        let earliest = today.adding(days: -catchUpDays)
        let workdays = planner.workingCalendar(from: earliest.adding(days: -3800), through: today.adding(days: 3800))
        var keys: [String] = []
        for occurrence in planner.catalog.occurrences(from: earliest.adding(days: -3800), through: today.adding(days: 3800)) {
            for step in planner.steps(for: occurrence, workdays: workdays) where step.due >= earliest && step.due <= today {
                keys.append("\(occurrence.event.id)/\(occurrence.date.iso)/\(step.id)/n")
            }
        }
        return keys.sorted()
    }

    @Test(arguments: [
        (LocalDate(1, 1, 1), 0), (LocalDate(2, 3, 1), 366), (LocalDate(2024, 2, 29), 7), (LocalDate(2027, 1, 5), 366),
        (LocalDate(9999, 12, 31), 366), (LocalDate(9990, 1, 2), 0),
    ])
    func planAtTheEdgesOfTheRangesMatchesTheNaivePlan(today: LocalDate, catchUp: Int) {
        let planner = planner()
        let planned = planner.plan(today: today, catchUpDays: catchUp).map(\.key).sorted()
        #expect(planned == naivePlan(planner, today: today, catchUpDays: catchUp))
        if catchUp == 366 { #expect(!planned.isEmpty) }
    }

    @Test func aLeadTimeListedTwiceIsOneReminder() {
        let reminders = Reminders(leadDays: [.routine: [7, 0, 7, 0, 7]])
        #expect(reminders.leadDays(for: .routine) == [7, 0])
        let keys = planner(leads: [0, 0, 0]).plan(today: LocalDate(2027, 12, 31), catchUpDays: 366).map(\.key)
        #expect(Set(keys).count == keys.count)
    }

    @Test func aDueDateStopsAtTheFirstWorkingDay() {
        // Six days of weekend: Wednesday is the only working day.
        let workdays = WorkingCalendar(
            weekend: [.monday, .tuesday, .thursday, .friday, .saturday, .sunday], daysOff: [], adjustments: WorkingDayAdjustments())
        let thursday = LocalDate(2027, 9, 2)
        #expect(workdays.nearestWorkingDay(thursday, forward: false) == LocalDate(2027, 9, 1))
        #expect(workdays.nearestWorkingDay(thursday, forward: true) == LocalDate(2027, 9, 8))
        #expect(workdays.nearestWorkingDay(LocalDate(2027, 9, 1), forward: true) == LocalDate(2027, 9, 1))
    }
}
