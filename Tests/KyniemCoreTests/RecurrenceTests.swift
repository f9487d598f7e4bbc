import Testing
@testable import KyniemCore

private func dates(_ recurrence: Recurrence, _ from: String, _ through: String) -> [String] {
    recurrence.dates(from: LocalDate(iso: from)!, through: LocalDate(iso: through)!).map(\.date.iso)
}

private func ordinals(_ recurrence: Recurrence, _ from: String, _ through: String) -> [Int?] {
    recurrence.dates(from: LocalDate(iso: from)!, through: LocalDate(iso: through)!).map(\.ordinal)
}

@Suite struct LocalDateTests {
    @Test func parsesOnlyRealDays() {
        #expect(LocalDate(iso: "1973-09-21") == LocalDate(1973, 9, 21))
        #expect(LocalDate(iso: "1973-02-30") == nil)
        #expect(LocalDate(iso: "2027-02-29") == nil)
        #expect(LocalDate(iso: "2028-02-29") != nil)
        #expect(LocalDate(iso: "1900-02-29") == nil)
        #expect(LocalDate(iso: "2000-02-29") != nil)
        #expect(LocalDate(iso: "21/9/1973") == nil)
        #expect(LocalDate(iso: "1973-9-21") == nil)
    }

    @Test func julianDayRoundTripsAndKnowsWeekdays() {
        #expect(LocalDate(2000, 1, 1).julianDay == 2_451_545)
        #expect(LocalDate(2000, 1, 1).weekday == .saturday)
        #expect(LocalDate(1945, 9, 2).weekday == .sunday)
        var day = LocalDate(1899, 12, 25)
        for _ in 0..<(366 * 310) {
            let next = day.adding(days: 1)
            #expect(LocalDate(julianDay: day.julianDay) == day)
            #expect(next > day)
            day = next
        }
        #expect(day.year == 2210)
    }
}

@Suite struct RecurrenceTests {
    @Test func originDateRecursYearlyWithOrdinals() {
        let jp = Recurrence.origin(LocalDate(1973, 9, 21))
        #expect(dates(jp, "2027-01-01", "2028-12-31") == ["2027-09-21", "2028-09-21"])
        #expect(ordinals(jp, "2027-01-01", "2028-12-31") == [54, 55])
        // The origin itself is not an anniversary.
        #expect(dates(jp, "1973-01-01", "1973-12-31").isEmpty)
        #expect(ordinals(jp, "1974-09-21", "1974-09-21") == [1])
    }

    @Test func leapDayOriginFallsOnFebruary28InCommonYears() {
        let bn = Recurrence.origin(LocalDate(1992, 2, 29))
        #expect(dates(bn, "2027-01-01", "2029-12-31") == ["2027-02-28", "2028-02-29", "2029-02-28"])
        #expect(ordinals(bn, "2027-01-01", "2027-12-31") == [35])
        let monthDay = Recurrence.monthDay(month: 2, day: 29, since: nil)
        #expect(dates(monthDay, "2100-01-01", "2100-12-31") == ["2100-02-28"])
    }

    @Test func monthDayCountsFromSince() {
        let fr = Recurrence.monthDay(month: 7, day: 14, since: 1789)
        #expect(dates(fr, "2026-06-01", "2026-08-01") == ["2026-07-14"])
        #expect(ordinals(fr, "2026-06-01", "2026-08-01") == [237])
        #expect(dates(fr, "1789-01-01", "1789-12-31").isEmpty)
        let noSince = Recurrence.monthDay(month: 12, day: 2, since: nil)
        #expect(ordinals(noSince, "2027-01-01", "2027-12-31") == [nil])
    }

    @Test func nthWeekday() {
        let thanksgiving = Recurrence.nthWeekday(month: 11, weekday: .thursday, nth: 4, since: nil)
        #expect(dates(thanksgiving, "2026-01-01", "2028-12-31") == ["2026-11-26", "2027-11-25", "2028-11-23"])
        let jamaica = Recurrence.nthWeekday(month: 8, weekday: .monday, nth: 1, since: 1962)
        #expect(dates(jamaica, "2027-01-01", "2027-12-31") == ["2027-08-02"])
        #expect(ordinals(jamaica, "2027-01-01", "2027-12-31") == [65])
        let lastMonday = Recurrence.nthWeekday(month: 5, weekday: .monday, nth: -1, since: nil)
        #expect(dates(lastMonday, "2027-01-01", "2027-12-31") == ["2027-05-31"])
        #expect(dates(lastMonday, "2026-01-01", "2026-12-31") == ["2026-05-25"])
        // Only some years have a fifth Friday in February.
        let fifth = Recurrence.nthWeekday(month: 2, weekday: .friday, nth: 5, since: nil)
        #expect(dates(fifth, "2021-01-01", "2027-12-31").isEmpty)
        #expect(dates(fifth, "2036-01-01", "2036-12-31") == ["2036-02-29"])
    }

    @Test func once() {
        let visit = Recurrence.once(LocalDate(2027, 5, 12))
        #expect(dates(visit, "2027-01-01", "2027-12-31") == ["2027-05-12"])
        #expect(ordinals(visit, "2027-01-01", "2027-12-31") == [nil])
        #expect(dates(visit, "2028-01-01", "2028-12-31").isEmpty)
    }

    @Test func lunarTetAndLastDay() {
        let tet = Recurrence.lunar(month: 1, day: .day(1), leap: false, since: nil)
        #expect(dates(tet, "2030-01-01", "2030-12-31") == ["2030-02-02"])
        #expect(dates(tet, "2007-01-01", "2007-12-31") == ["2007-02-17"])
        // Giao thừa, the last day of month 12 of lunar year Y, falls in Gregorian Y + 1.
        let eve = Recurrence.lunar(month: 12, day: .last, leap: false, since: nil)
        let eves = dates(eve, "2027-01-01", "2027-12-31")
        #expect(eves == ["2027-02-05"])
        #expect(LocalDate(iso: eves[0])!.adding(days: 1) == LunarCalendar.vietnam.newYear(2027))
    }

    @Test func lunarDay30InA29DayMonthFallsOnThe29th() {
        let calendar = LunarCalendar.vietnam
        // Find a 29-day month 12 and check day 30 lands on its 29th, i.e. the eve of Tết.
        for year in 2020...2040 where calendar.monthLength(year: year, month: 12, isLeapMonth: false) == 29 {
            let day30 = Recurrence.lunar(month: 12, day: .day(30), leap: false, since: nil)
            let found = day30.dates(from: LocalDate(year, 6, 1), through: LocalDate(year + 1, 5, 31))
            #expect(found.count == 1)
            #expect(found.first?.lunar?.day == 29)
            #expect(found.first?.date.adding(days: 1) == calendar.newYear(year + 1))
            return
        }
        Issue.record("no 29-day twelfth month found between 2020 and 2040")
    }

    @Test func lunarLeapMonthOnlyWhenAsked() {
        let calendar = LunarCalendar.vietnam
        guard let year = (2020...2040).first(where: { calendar.leapMonth(inYear: $0) != nil }),
              let month = calendar.leapMonth(inYear: year) else {
            Issue.record("no leap month between 2020 and 2040")
            return
        }
        let regular = Recurrence.lunar(month: month, day: .day(15), leap: false, since: nil)
        let leap = Recurrence.lunar(month: month, day: .day(15), leap: true, since: nil)
        let window = (LocalDate(year, 1, 1), LocalDate(year + 1, 3, 1))
        let regularDates = regular.dates(from: window.0, through: window.1).filter { $0.lunar?.year == year }
        let leapDates = leap.dates(from: window.0, through: window.1)
        #expect(regularDates.count == 1)
        #expect(leapDates.count == 1)
        #expect(leapDates[0].lunar?.isLeapMonth == true)
        // The leap month follows the regular month of the same number.
        #expect(leapDates[0].date > regularDates[0].date)
        // A year without that leap month has no leap occurrence.
        let plain = (year + 1...year + 3).first { calendar.leapMonth(inYear: $0) == nil }!
        let none = leap.dates(from: LocalDate(plain, 1, 1), through: LocalDate(plain, 12, 31)).filter { $0.lunar?.year == plain }
        #expect(none.isEmpty)
    }

    @Test func costGrowsWithYearsNotDays() {
        // A 200-year window is 200 steps per event; this would be 73,000 with a day loop.
        let found = Recurrence.origin(LocalDate(1973, 9, 21)).dates(from: LocalDate(2000, 1, 1), through: LocalDate(2199, 12, 31))
        #expect(found.count == 200)
        #expect(found.last?.ordinal == 226)
    }
}

@Suite struct OrdinalTests {
    @Test(arguments: [
        (1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (12, "12th"), (13, "13th"),
        (21, "21st"), (22, "22nd"), (23, "23rd"), (101, "101st"), (111, "111th"), (112, "112th"), (113, "113th"),
        (0, "0th"), (55, "55th"), (1000, "1000th"),
    ])
    func englishOrdinals(n: Int, expected: String) {
        #expect(Ordinal.english(n) == expected)
    }
}

@Suite struct MilestoneTests {
    @Test func firstMatchWins() {
        let policy = MilestonePolicy.standard
        #expect(policy.tier(ordinal: 50, kind: .diplomaticRelations) == .major)
        #expect(policy.tier(ordinal: 55, kind: .diplomaticRelations) == .notable)
        #expect(policy.tier(ordinal: 54, kind: .diplomaticRelations) == .routine)
        #expect(policy.tier(ordinal: nil, kind: .holiday) == .routine)
        let custom = MilestonePolicy(rules: [
            MilestoneRule(at: [1], tier: Tier("first")),
            MilestoneRule(every: 25, kinds: [.diplomaticRelations], tier: .major),
            MilestoneRule(every: 5, tier: .notable),
        ])
        #expect(custom.tier(ordinal: 1, kind: .nationalDay) == Tier("first"))
        #expect(custom.tier(ordinal: 25, kind: .diplomaticRelations) == .major)
        #expect(custom.tier(ordinal: 25, kind: .nationalDay) == .notable)
        #expect(custom.tier(ordinal: 7, kind: .nationalDay) == .routine)
        #expect(custom.tiers == [Tier("first"), .major, .notable, .routine])
    }

    @Test func titlesFillPlaceholders() {
        let event = Event(
            id: "jp-relations", kind: .diplomaticRelations, country: "JP",
            title: LocalizedText(byLanguage: [
                "vi": "Kỷ niệm {n} năm Ngày thiết lập quan hệ ngoại giao Việt Nam – {country} ({origin} – {date})",
                "en": "{ordinal} anniversary of Vietnam–{country} diplomatic relations",
            ], primary: "x"),
            recurrence: .origin(LocalDate(1973, 9, 21)))
        let japan = Country(code: "JP", name: LocalizedText(byLanguage: ["vi": "Nhật Bản", "en": "Japan"], primary: "Japan"))
        let catalog = Catalog(events: [event], countries: ["JP": japan])
        let occurrence = catalog.occurrences(from: LocalDate(2028, 1, 1), through: LocalDate(2028, 12, 31))[0]
        #expect(occurrence.title(.vi) == "Kỷ niệm 55 năm Ngày thiết lập quan hệ ngoại giao Việt Nam – Nhật Bản (21/9/1973 – 21/9/2028)")
        #expect(occurrence.title(.en) == "55th anniversary of Vietnam–Japan diplomatic relations")
        #expect(occurrence.tier == .notable)
        #expect(japan.flag == "🇯🇵")
    }
}
