import Foundation
import Testing

@testable import KyniemCore

/// The Swift implementation (Hồ Ngọc Đức's rules, the fuller series of `LunarAstronomy`) against
/// fixtures computed independently by `scripts/lunar-fixture.py` from PyEphem's true new moons and
/// solar terms. Every month start of 1967–2199 must agree: there is no list of exceptions.
@Suite("Lunar calendar against the PyEphem fixtures")
struct LunarFixtureTests {
    let calendar = LunarCalendar.vietnam

    /// One line of lunar-months-1967-2199.txt.
    struct FixtureMonth {
        let firstDay: LocalDate
        let year: Int
        let month: Int
        let isLeap: Bool
    }

    static func lines(_ name: String) throws -> [Substring] {
        let folder = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.isEmpty }
    }

    static func months() throws -> [FixtureMonth] {
        try lines("lunar-months-1967-2199.txt").map { line in
            let fields = line.split(separator: " ")
            return FixtureMonth(
                firstDay: try #require(LocalDate(iso: fields[0])),
                year: try #require(Int(fields[1])),
                month: try #require(Int(fields[2])),
                isLeap: fields.count > 3 && fields[3] == "leap")
        }
    }

    @Test("Every Tết 1968–2199")
    func everyTet() throws {
        let expected = try Self.lines("lunar-tet-1968-2199.txt").map { try #require(LocalDate(iso: $0)) }
        #expect(expected.count == 2199 - 1968 + 1)
        let mismatches = zip(1968...2199, expected).compactMap { year, tet in
            calendar.newYear(year) == tet ? nil : "\(year): \(calendar.newYear(year)) vs fixture \(tet)"
        }
        #expect(mismatches.isEmpty, "\(mismatches)")
    }

    @Test("Every leap month 1968–2199")
    func everyLeapMonth() throws {
        let lines = try Self.lines("lunar-leap-1968-2199.txt")
        #expect(lines.count == 2199 - 1968 + 1)
        var leapYears = 0
        var mismatches: [String] = []
        for line in lines {
            let fields = line.split(separator: " ")
            let year = try #require(Int(fields[0]))
            let leap = Int(fields[1])
            if leap != nil { leapYears += 1 }
            let found = calendar.leapMonth(inYear: year)
            if found != leap { mismatches.append("\(year): \(found.map(String.init) ?? "-") vs fixture \(fields[1])") }
            // A leap year has 13 months, and only a leap year.
            if calendar.months(inYear: year).count != (leap == nil ? 12 : 13) { mismatches.append("\(year): month count") }
        }
        #expect(mismatches.isEmpty, "\(mismatches)")
        // 7 leap years in every 19 (Metonic cycle): 232 years hold 85 or 86.
        #expect((85...86).contains(leapYears))
    }

    @Test("Every month of lunar years 1967–2199: first day, number, leap flag, length")
    func everyMonth() throws {
        let fixture = try Self.months()
        let computed = (1967...2199).flatMap(calendar.months(inYear:))
        #expect(fixture.count == computed.count + 1)  // the fixture ends with Tết 2200
        var mismatches: [String] = []
        for (index, (expected, month)) in zip(fixture, computed).enumerated() {
            let length = fixture[index].firstDay.days(until: fixture[index + 1].firstDay)
            if month.firstDay != expected.firstDay || month.year != expected.year || month.month != expected.month
                || month.isLeapMonth != expected.isLeap || month.length != length
            {
                mismatches.append("\(month) vs fixture \(expected)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches)")
    }

    @Test("Every day from the fixture's first month to Tết 2200, solar → lunar")
    func everyDay() throws {
        let fixture = try Self.months()
        var mismatches: [String] = []
        var days = 0
        for (month, next) in zip(fixture, fixture.dropFirst()) {
            var date = month.firstDay
            var day = 1
            while date < next.firstDay {
                let expected = LunarDate(year: month.year, month: month.month, day: day, isLeapMonth: month.isLeap)
                let found = calendar.lunarDate(for: date)
                if found != expected, mismatches.count < 20 { mismatches.append("\(date): \(found) vs \(expected)") }
                if calendar.solarDate(for: expected) != date, mismatches.count < 20 {
                    mismatches.append("\(expected) → \(String(describing: calendar.solarDate(for: expected))) vs \(date)")
                }
                date = date.adding(days: 1)
                day += 1
                days += 1
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches)")
        #expect(days > 84_000)
    }

    @Test("Solar → lunar → solar is the identity for every day 1968–2199")
    func roundTrip() {
        let first = LocalDate(1968, 1, 1).julianDay
        let last = LocalDate(2199, 12, 31).julianDay
        var failures: [LocalDate] = []
        for day in first...last {
            let date = LocalDate(julianDay: day)
            if calendar.solarDate(for: calendar.lunarDate(for: date)) != date { failures.append(date) }
        }
        #expect(failures.isEmpty, "\(failures.prefix(20))")
    }
}
