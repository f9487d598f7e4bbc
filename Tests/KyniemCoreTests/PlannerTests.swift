import Testing
@testable import KyniemCore

private func event(_ id: String, _ kind: EventKind = .custom, country: String? = nil, _ recurrence: Recurrence, dayOff: Bool = false) -> Event {
    Event(id: id, kind: kind, country: country, title: LocalizedText(id), recurrence: recurrence, dayOff: dayOff)
}

@Suite struct WorkingDayTests {
    // 2027-09-02 (Thursday) is National Day; the Government added Friday 3 September as a day off
    // and made Saturday 11 September a working day in exchange (an example decree).
    let catalog = Catalog(events: [event("national-day", .holiday, .monthDay(month: 9, day: 2, since: 1945), dayOff: true)], countries: [:])
    var workdays: WorkingCalendar {
        WorkingCalendar(
            weekend: [.saturday, .sunday], catalog: catalog, years: 2026...2028,
            adjustments: WorkingDayAdjustments(off: [LocalDate(2027, 9, 3)], on: [LocalDate(2027, 9, 11)]))
    }

    @Test func weekendsHolidaysAndDecreedDays() {
        #expect(workdays.isWorkingDay(LocalDate(2027, 9, 1)))
        #expect(!workdays.isWorkingDay(LocalDate(2027, 9, 2)))   // day_off event
        #expect(!workdays.isWorkingDay(LocalDate(2027, 9, 3)))   // decreed off
        #expect(!workdays.isWorkingDay(LocalDate(2027, 9, 4)))   // Saturday
        #expect(workdays.isWorkingDay(LocalDate(2027, 9, 11)))   // Saturday worked in exchange
    }

    @Test func tasksBeforeMoveBackTasksAfterMoveForward() {
        let templates = Checklists(templates: [
            ChecklistTemplate(kinds: [.diplomaticRelations], tiers: nil, tasks: [
                ChecklistTask(id: "letter", offsetDays: -1, title: LocalizedText("Send the letter")),
                ChecklistTask(id: "hold", offsetDays: 0, title: LocalizedText("Hold the event")),
                ChecklistTask(id: "report", offsetDays: 1, title: LocalizedText("Report")),
            ]),
        ])
        // An anniversary on Saturday 4 September 2027: the day before is a decreed day off.
        let anniversary = Catalog(events: [event("x-relations", .diplomaticRelations, .origin(LocalDate(1977, 9, 4)))], countries: [:])
            .occurrences(from: LocalDate(2027, 1, 1), through: LocalDate(2027, 12, 31))[0]
        let scheduled = templates.schedule(anniversary, workdays: workdays)
        #expect(scheduled.map(\.task.id) == ["letter", "hold", "report"])
        // -1d is Friday 3 (decreed off) → Thursday 2 (holiday) → Wednesday 1.
        #expect(scheduled[0].nominal == LocalDate(2027, 9, 3))
        #expect(scheduled[0].due == LocalDate(2027, 9, 1))
        // 0d on a Saturday moves back too (not after the event).
        #expect(scheduled[1].due == LocalDate(2027, 9, 1))
        // +1d is Sunday 5 → Monday 6.
        #expect(scheduled[2].due == LocalDate(2027, 9, 6))
        // A template for another kind adds nothing.
        let national = Catalog(events: [event("y-national-day", .nationalDay, .monthDay(month: 9, day: 4, since: nil))], countries: [:])
            .occurrences(from: LocalDate(2027, 1, 1), through: LocalDate(2027, 12, 31))[0]
        #expect(templates.schedule(national, workdays: workdays).isEmpty)
    }

    @Test func templatesCanNameEventsAndEarlierTemplatesWinATaskID() {
        let tet = event("tet", .holiday, .once(LocalDate(2027, 2, 6)))
        let other = event("new-year", .holiday, .once(LocalDate(2027, 1, 1)))
        let templates = Checklists(templates: [
            ChecklistTemplate(events: ["tet"], kinds: nil, tiers: nil, tasks: [ChecklistTask(id: "greet", offsetDays: -14, title: LocalizedText("Tết greetings"))]),
            ChecklistTemplate(kinds: [.holiday], tiers: nil, tasks: [ChecklistTask(id: "greet", offsetDays: -3, title: LocalizedText("Greetings"))]),
        ])
        #expect(templates.tasks(for: tet, tier: .routine).map(\.offsetDays) == [-14])
        #expect(templates.tasks(for: other, tier: .routine).map(\.offsetDays) == [-3])
    }
}

@Suite struct PlannerTests {
    let catalog = Catalog(
        events: [
            event("jp-relations", .diplomaticRelations, country: "JP", .origin(LocalDate(1973, 9, 21))),
            event("fr-national-day", .nationalDay, country: "FR", .monthDay(month: 7, day: 14, since: 1789)),
        ],
        countries: [:])

    func planner(routes: [Route]) -> Planner {
        Planner(
            catalog: catalog, reminders: .standard,
            checklists: Checklists(templates: [
                ChecklistTemplate(kinds: [.diplomaticRelations], tiers: [.notable, .major], tasks: [
                    ChecklistTask(id: "letter", offsetDays: -14, title: LocalizedText("Draft the letter")),
                ]),
            ]),
            weekend: [.saturday, .sunday], adjustments: WorkingDayAdjustments(), routes: routes)
    }

    @Test func plansRemindersAndTasksDueOnTheDay() {
        let plan = planner(routes: [Route(notifier: "mail", language: .en)])
        // 2028 is the 55th anniversary (notable): reminders 30d, 7d, 0d; the letter 14 days before.
        #expect(plan.plan(today: LocalDate(2028, 8, 22), catchUpDays: 0).map(\.key) == ["jp-relations/2028-09-21/remind-30d/mail"])
        #expect(plan.plan(today: LocalDate(2028, 9, 7), catchUpDays: 0).map(\.key) == ["jp-relations/2028-09-21/task-letter/mail"])
        #expect(plan.plan(today: LocalDate(2028, 9, 21), catchUpDays: 0).map(\.key) == ["jp-relations/2028-09-21/remind-0d/mail"])
        #expect(plan.plan(today: LocalDate(2028, 9, 22), catchUpDays: 0).isEmpty)
    }

    @Test func catchUpSendsMissedDaysMarkedLate() {
        let plan = planner(routes: [Route(notifier: "mail", language: .en)])
        let deliveries = plan.plan(today: LocalDate(2028, 9, 24), catchUpDays: 7)
        #expect(deliveries.map(\.step.id) == ["remind-0d"])
        #expect(deliveries[0].late)
        let withTasks = plan.plan(today: LocalDate(2028, 9, 21), catchUpDays: 14)
        #expect(withTasks.map(\.step.id) == ["task-letter", "remind-7d", "remind-0d"])
        #expect(withTasks.map(\.late) == [true, true, false])
    }

    @Test func routesFilterByTierKindCountryAndStep() {
        let routes = [
            Route(notifier: "all", language: .vi),
            Route(notifier: "milestones", language: .en, filter: DeliveryFilter(tiers: [.major, .notable])),
            Route(notifier: "france", language: .en, filter: DeliveryFilter(countries: ["FR"])),
            Route(notifier: "tasks-only", language: .en, filter: DeliveryFilter(steps: ["tasks"])),
            Route(notifier: "week-before", language: .en, filter: DeliveryFilter(steps: ["remind-7d"])),
        ]
        let plan = planner(routes: routes)
        let july = plan.plan(today: LocalDate(2028, 7, 7), catchUpDays: 0)
        #expect(Set(july.map(\.notifier)) == ["all", "france", "week-before"])
        let september = plan.plan(today: LocalDate(2028, 9, 7), catchUpDays: 0)
        #expect(Set(september.map(\.notifier)) == ["all", "milestones", "tasks-only"])
        #expect(september.first { $0.notifier == "all" }?.language == .vi)
    }
}
