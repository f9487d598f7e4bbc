import Foundation
import Testing

@testable import KyniemCore

@Suite("Hebrew calendar, Israel's Independence Day, Bikram Sambat")
struct OtherCalendarsTests {
    static let independenceDay = CalendarRule(system: .hebrew, month: 2, day: 5, observance: .israelIndependenceDay)
    static let constitutionDay = CalendarRule(system: .bikramSambat, month: 6, day: 3)

    @Test("Israel's Independence Day 2026–2028", arguments: [
        (2026, LocalDate(2026, 4, 22)),  // 5 Iyar on a Wednesday
        (2027, LocalDate(2027, 5, 12)),  // Wednesday
        (2028, LocalDate(2028, 5, 2)),   // 5 Iyar on Monday 1 May: Tuesday
    ])
    func israel(year: Int, expected: LocalDate) {
        #expect(Self.independenceDay.date(inGregorianYear: year) == expected)
    }

    @Test("Rosh Hashanah of known years")
    func roshHashanah() {
        #expect(LocalDate(julianDay: HebrewCalendar.newYear(5787)) == LocalDate(2026, 9, 12))
        #expect(LocalDate(julianDay: HebrewCalendar.newYear(5709)) == LocalDate(1948, 10, 4))
        #expect(LocalDate(julianDay: HebrewCalendar.newYear(5785)) == LocalDate(2024, 10, 3))
    }

    /// scripts/israel-fixture.py: 5 Iyar by pyluach for 1948–2199, the observed day by
    /// python-holidays to 2100.
    @Test("5 Iyar 1948–2199 and the observed day 1951–2100 against independent implementations")
    func fixture() throws {
        let folder = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        let text = try String(contentsOf: folder.appendingPathComponent("israel-independence-1948-2199.txt"), encoding: .utf8)
        let lines = text.split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(lines.count == 2199 - 1948 + 1)
        var mismatches: [String] = []
        let plain = CalendarRule(system: .hebrew, month: 2, day: 5)
        for line in lines {
            let fields = line.split(separator: " ")
            let year = try #require(Int(fields[0]))
            let iyar5 = try #require(LocalDate(iso: fields[1]))
            if plain.date(inGregorianYear: year) != iyar5 { mismatches.append("\(year): 5 Iyar") }
            // python-holidays applies the Friday/Saturday rule from 1948; it dates from 1951 (The
            // Jerusalem Post), so 1948 and 1950 (5 Iyar a Friday and a Saturday) differ by design.
            if let observed = LocalDate(iso: fields[2]), year >= 1951,
                Self.independenceDay.date(inGregorianYear: year) != observed
            {
                mismatches.append("\(year): observed \(String(describing: Self.independenceDay.date(inGregorianYear: year))) vs \(observed)")
            }
            // Every observed day is a Tuesday, Wednesday or Thursday from 2004 on.
            if year >= 2004, let day = Self.independenceDay.date(inGregorianYear: year),
                ![.tuesday, .wednesday, .thursday].contains(day.weekday)
            {
                mismatches.append("\(year): \(day.weekday)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches)")
        #expect(Self.independenceDay.date(inGregorianYear: 1950) == LocalDate(1950, 4, 22))
    }

    @Test("Nepal's Constitution Day (Asoj 3) in the table's range", arguments: [
        (2015, LocalDate(2015, 9, 20)), (2016, LocalDate(2016, 9, 19)), (2019, LocalDate(2019, 9, 20)),
        (2023, LocalDate(2023, 9, 20)), (2026, LocalDate(2026, 9, 19)), (2028, LocalDate(2028, 9, 18)),
        (2032, LocalDate(2032, 9, 19)),
    ])
    func nepal(year: Int, expected: LocalDate) {
        #expect(Self.constitutionDay.date(inGregorianYear: year) == expected)
    }

    @Test("Outside the Bikram Sambat table the date is unknown, never guessed")
    func nepalOutsideTheTable() {
        #expect(Self.constitutionDay.knownYears == 2015...2032)
        #expect(Self.constitutionDay.date(inGregorianYear: 2033) == nil)
        #expect(Self.constitutionDay.date(inGregorianYear: 2014) == nil)
        let event = Event(id: "np", kind: .nationalDay, title: LocalizedText("NP"), recurrence: .calendar(Self.constitutionDay, since: 2015))
        let catalog = Catalog(events: [event], countries: [:])
        #expect(catalog.occurrences(from: LocalDate(2030, 1, 1), through: LocalDate(2040, 12, 31)).map(\.date)
            == [LocalDate(2030, 9, 19), LocalDate(2031, 9, 19), LocalDate(2032, 9, 19)])
        // 1 Baisakh of each tabulated year follows from the month lengths: BS 2083 began 14 April 2026.
        #expect(BikramSambat.julianDay(month: 1, day: 1, inGregorianYear: 2026) == LocalDate(2026, 4, 14).julianDay)
        #expect(BikramSambat.julianDay(month: 6, day: 33, inGregorianYear: 2026) == nil)
    }
}
