import Testing
@testable import KyniemCore

/// `Limits` lets the engine reach the years -15 … 10015 (see its comment); the lunar calendar
/// must give well-formed years there and beyond, far outside the 1968–2199 it is checked day by day.
@Suite struct LunarRangeTests {
    @Test func everyReachableYearHasWellFormedMonths() {
        let calendar = LunarCalendar.vietnam
        var malformed: [Int] = []
        for year in Array(-60...1800) + Array(2299...10060) {
            let months = calendar.months(inYear: year)
            let wellFormed = (12...13).contains(months.count)
                && months.allSatisfy { (29...30).contains($0.length) }
                && months[0].firstDay.month <= 2 && months[0].firstDay.year == year
            if !wellFormed { malformed.append(year) }
        }
        #expect(malformed.isEmpty, "malformed lunar years: \(malformed.prefix(20))")
    }

    @Test func limitsKeepEveryComputedYearInTheCheckedRange() {
        // The farthest a computed date can move from a given one (days): lead or task offset,
        // catch-up, the planner's slack, the working calendar's padding year.
        let reach = max(Limits.leadDays.upperBound, Limits.taskOffsetDays.upperBound) + Limits.catchUpDays.upperBound
            + 45 + 366
        let earliest = LocalDate(Limits.years.lowerBound, 1, 1).adding(days: -reach)
        let latest = LocalDate(Limits.years.upperBound, 12, 31).adding(days: reach)
        #expect(earliest.year >= -15 && latest.year <= 10015)
    }
}
