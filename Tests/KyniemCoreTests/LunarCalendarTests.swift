import Foundation
import Testing

@testable import KyniemCore

/// Pinned facts of the Vietnamese lunar calendar: the years where it parts from the Chinese
/// calendar (SPEC, "Vietnamese lunar calendar"), leap months, month lengths and the year bookkeeping.
@Suite("Lunar calendar")
struct LunarCalendarTests {
    let calendar = LunarCalendar.vietnam
    /// Reckoned at UTC+8, as the Chinese calendar is.
    static let china = LunarCalendar(utcOffsetHours: 8)
    var china: LunarCalendar { Self.china }

    @Test(
        "Tết where Vietnam (UTC+7) and China (UTC+8) differ",
        arguments: [
            (1985, LocalDate(1985, 1, 21), LocalDate(1985, 2, 20)),
            (2007, LocalDate(2007, 2, 17), LocalDate(2007, 2, 18)),
            (2030, LocalDate(2030, 2, 2), LocalDate(2030, 2, 3)),
            (2053, LocalDate(2053, 2, 18), LocalDate(2053, 2, 19)),
        ])
    func tetDiffersFromChina(year: Int, vietnam: LocalDate, chinese: LocalDate) {
        #expect(calendar.newYear(year) == vietnam)
        #expect(calendar.lunarDate(for: vietnam) == LunarDate(year: year, month: 1, day: 1))
        #expect(calendar.solarDate(for: LunarDate(year: year, month: 1, day: 1)) == vietnam)
        #expect(china.newYear(year) == chinese)
    }

    @Test("Mid-Autumn (15/8) 2034 is 26 September in Vietnam, 27 in China")
    func midAutumn2034() {
        let midAutumn = LunarDate(year: 2034, month: 8, day: 15)
        #expect(calendar.solarDate(for: midAutumn) == LocalDate(2034, 9, 26))
        #expect(calendar.lunarDate(for: LocalDate(2034, 9, 26)) == midAutumn)
        #expect(china.solarDate(for: midAutumn) == LocalDate(2034, 9, 27))
    }

    @Test("Recent Tết", arguments: [
        (2020, LocalDate(2020, 1, 25)), (2023, LocalDate(2023, 1, 22)), (2024, LocalDate(2024, 2, 10)),
        (2025, LocalDate(2025, 1, 29)), (2026, LocalDate(2026, 2, 17)), (2027, LocalDate(2027, 2, 6)),
    ])
    func recentTet(year: Int, tet: LocalDate) {
        #expect(calendar.newYear(year) == tet)
    }

    @Test(
        "Leap months and their first days",
        arguments: [
            (2020, 4, LocalDate(2020, 5, 23)),
            (2023, 2, LocalDate(2023, 3, 22)),
            (2025, 6, LocalDate(2025, 7, 25)),
            // A leap 11 belongs to the lunar year it follows, though it runs into January.
            (2033, 11, LocalDate(2033, 12, 22)),
        ])
    func leapMonths(year: Int, month: Int, firstDay: LocalDate) {
        #expect(calendar.leapMonth(inYear: year) == month)
        let leapFirst = LunarDate(year: year, month: month, day: 1, isLeapMonth: true)
        #expect(calendar.solarDate(for: leapFirst) == firstDay)
        #expect(calendar.lunarDate(for: firstDay) == leapFirst)
        // The regular month comes first, the leap month right after it.
        let regular = calendar.months(inYear: year).first { $0.month == month && !$0.isLeapMonth }
        #expect(regular?.lastDay.adding(days: 1) == firstDay)
        #expect(calendar.months(inYear: year).count == 13)
    }

    @Test("Years without a leap month", arguments: [2021, 2022, 2024, 2026, 2027])
    func noLeapMonth(year: Int) {
        #expect(calendar.leapMonth(inYear: year) == nil)
        #expect(calendar.months(inYear: year).count == 12)
        for month in 1...12 {
            #expect(calendar.monthLength(year: year, month: month, isLeapMonth: true) == nil)
            #expect(calendar.solarDate(for: LunarDate(year: year, month: month, day: 1, isLeapMonth: true)) == nil)
        }
    }

    @Test("A leap month exists only after its own month")
    func leapOnlyAfterItsMonth() {
        #expect(calendar.solarDate(for: LunarDate(year: 2025, month: 5, day: 1, isLeapMonth: true)) == nil)
        #expect(calendar.solarDate(for: LunarDate(year: 2025, month: 7, day: 1, isLeapMonth: true)) == nil)
        #expect(calendar.monthLength(year: 2020, month: 5, isLeapMonth: true) == nil)
    }

    @Test("Inside the leap 6 of 2025")
    func insideLeapMonth() {
        // Leap 6 of 2025 runs 2025-07-25 … 2025-08-22 (29 days).
        #expect(calendar.lunarDate(for: LocalDate(2025, 7, 24)) == LunarDate(year: 2025, month: 6, day: 30))
        #expect(calendar.lunarDate(for: LocalDate(2025, 8, 9)) == LunarDate(year: 2025, month: 6, day: 16, isLeapMonth: true))
        #expect(calendar.lunarDate(for: LocalDate(2025, 8, 22)) == LunarDate(year: 2025, month: 6, day: 29, isLeapMonth: true))
        #expect(calendar.lunarDate(for: LocalDate(2025, 8, 23)) == LunarDate(year: 2025, month: 7, day: 1))
        #expect(calendar.solarDate(for: LunarDate(year: 2025, month: 6, day: 15)) == LocalDate(2025, 7, 9))
        #expect(calendar.solarDate(for: LunarDate(year: 2025, month: 6, day: 15, isLeapMonth: true)) == LocalDate(2025, 8, 8))
        #expect(calendar.solarDate(for: LunarDate(year: 2025, month: 6, day: 30, isLeapMonth: true)) == nil)
    }

    @Test("Month lengths of lunar year 2025; day 30 of a 29-day month does not exist")
    func monthLengths2025() {
        let lengths = calendar.months(inYear: 2025).map(\.length)
        #expect(lengths == [30, 29, 30, 29, 29, 30, 29, 30, 29, 30, 30, 30, 29])
        #expect(calendar.monthLength(year: 2025, month: 2, isLeapMonth: false) == 29)
        #expect(calendar.monthLength(year: 2025, month: 6, isLeapMonth: false) == 30)
        #expect(calendar.monthLength(year: 2025, month: 6, isLeapMonth: true) == 29)
        #expect(calendar.solarDate(for: LunarDate(year: 2025, month: 2, day: 29)) == LocalDate(2025, 3, 28))
        #expect(calendar.solarDate(for: LunarDate(year: 2025, month: 2, day: 30)) == nil)
        #expect(calendar.solarDate(for: LunarDate(year: 2025, month: 1, day: 30)) == LocalDate(2025, 2, 27))
        // Tết eve of 2026 is 29/12 of lunar 2025, the day before Tết 2026.
        #expect(calendar.lastDay(year: 2025, month: 12) == LocalDate(2026, 2, 16))
        #expect(calendar.solarDate(for: LunarDate(year: 2025, month: 12, day: 30)) == nil)
    }

    @Test("Every month has 29 or 30 days and the months of a year tile it", arguments: [1968, 2000, 2033, 2100, 2199])
    func monthsTileTheYear(year: Int) {
        let months = calendar.months(inYear: year)
        #expect(months.first?.firstDay == calendar.newYear(year))
        #expect(months.last?.lastDay.adding(days: 1) == calendar.newYear(year + 1))
        for (month, next) in zip(months, months.dropFirst()) {
            #expect(month.lastDay.adding(days: 1) == next.firstDay)
        }
        for month in months {
            #expect(month.length == 29 || month.length == 30)
            #expect(calendar.monthLength(year: year, month: month.month, isLeapMonth: month.isLeapMonth) == month.length)
        }
        #expect(months.filter { !$0.isLeapMonth }.map(\.month) == Array(1...12))
    }

    @Test("Months 11 and 12 of lunar year Y fall in late Y and early Y + 1")
    func yearBookkeeping() {
        // 2026-01-01 is still lunar 2025 (Tết 2026 is 17 February).
        #expect(calendar.lunarDate(for: LocalDate(2026, 1, 1)) == LunarDate(year: 2025, month: 11, day: 13))
        #expect(calendar.lunarDate(for: LocalDate(2026, 2, 16)) == LunarDate(year: 2025, month: 12, day: 29))
        #expect(calendar.lunarDate(for: LocalDate(2026, 2, 17)) == LunarDate(year: 2026, month: 1, day: 1))
        #expect(calendar.solarDate(for: LunarDate(year: 2025, month: 12, day: 1)) == LocalDate(2026, 1, 19))
        // Month 12 of lunar 2026 lies wholly in January–February 2027.
        #expect(calendar.solarDate(for: LunarDate(year: 2026, month: 12, day: 1))?.year == 2027)
        // Leap 11 of 2033 starts in December 2033 and ends in January 2034.
        #expect(calendar.lunarDate(for: LocalDate(2034, 1, 1)) == LunarDate(year: 2033, month: 11, day: 11, isLeapMonth: true))
        #expect(calendar.leapMonth(inYear: 2034) == nil)
        #expect(calendar.leapMonth(inYear: 2033) == 11)
    }

    @Test("Dates that are not lunar dates", arguments: [
        LunarDate(year: 2025, month: 0, day: 1), LunarDate(year: 2025, month: 13, day: 1),
        LunarDate(year: 2025, month: 1, day: 0), LunarDate(year: 2025, month: 1, day: 31),
        LunarDate(year: 2025, month: 1, day: -3),
    ])
    func invalidLunarDates(lunar: LunarDate) {
        #expect(calendar.solarDate(for: lunar) == nil)
    }

    @Test("Any calendar at UTC+7 is the Vietnamese one")
    func sharedTables() {
        let other = LunarCalendar(utcOffsetHours: 7)
        #expect(other.newYear(1985) == LocalDate(1985, 1, 21))
        #expect(other.months(inYear: 2033) == calendar.months(inYear: 2033))
    }

    @Test("Years outside the tabulated range use the same rule", arguments: [1700, 1799, 1800, 1900, 1967, 2299, 2300, 2500])
    func outsideTable(year: Int) {
        // The tabulated years and the on-demand computation must agree at the seams.
        let astronomy = LunarAstronomy(utcOffsetHours: 7)
        let direct = astronomy.yearTable(year)
        #expect(calendar.newYear(year).julianDay == direct.months[0].firstDay)
        #expect(calendar.months(inYear: year).map(\.firstDay.julianDay) == direct.months.map(\.firstDay))
        #expect(calendar.newYear(year + 1).julianDay == direct.end)
        var date = LocalDate(year, 1, 1)
        while date.year == year {
            #expect(calendar.solarDate(for: calendar.lunarDate(for: date)) == date)
            date = date.adding(days: 1)
        }
    }

    @Test("Conversions from many tasks at once")
    func concurrentUse() async {
        let calendar = self.calendar
        let tets = await withTaskGroup(of: (Int, LocalDate).self) { group in
            for year in 2000..<2100 {
                group.addTask { (year, LunarCalendar(utcOffsetHours: 7).newYear(year)) }
            }
            var found: [Int: LocalDate] = [:]
            for await (year, tet) in group { found[year] = tet }
            return found
        }
        for (year, tet) in tets { #expect(calendar.newYear(year) == tet) }
    }
}
