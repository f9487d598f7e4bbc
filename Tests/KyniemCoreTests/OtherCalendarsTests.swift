import Foundation
import Testing

@testable import KyniemCore

@Suite("Hebrew calendar, Israel's Independence Day, Bikram Sambat, Solar Hijri")
struct OtherCalendarsTests {
    static let independenceDay = CalendarRule(system: .hebrew, month: 2, day: 5, observance: .israelIndependenceDay)
    static let constitutionDay = CalendarRule(system: .bikramSambat, month: 6, day: 3)
    static let revolutionDay = CalendarRule(system: .solarHijri, month: 11, day: 22)

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

    @Test("Iran's Islamic Revolution Day (22 Bahman) moves between 10 and 11 February", arguments: [
        (1979, LocalDate(1979, 2, 11)),  // 22 Bahman 1357, the day itself
        (2024, LocalDate(2024, 2, 11)), (2025, LocalDate(2025, 2, 10)), (2026, LocalDate(2026, 2, 11)),
        (2027, LocalDate(2027, 2, 11)), (2029, LocalDate(2029, 2, 10)), (2030, LocalDate(2030, 2, 10)),
    ])
    func iran(year: Int, expected: LocalDate) {
        #expect(Self.revolutionDay.date(inGregorianYear: year) == expected)
    }

    @Test("1 Farvardin 1404 is 21 March 2025: the equinox (09:01 UTC, 12:31 IRST) came after true noon")
    func nowruz2025() {
        #expect(LocalDate(julianDay: SolarHijri.newYear(1404)) == LocalDate(2025, 3, 21))
        #expect(LocalDate(julianDay: SolarHijri.newYear(1403)) == LocalDate(2024, 3, 20))
        let equinox = SolarHijri.marchEquinox(gregorianYear: 2025)
        // 20 March 2025, 09:01 UTC (USNO), within a minute.
        let expected = Double(LocalDate(2025, 3, 20).julianDay) - 0.5 + (9 + 1.0 / 60) / 24
        #expect(abs(equinox.ut - expected) < 1.0 / 1440)
        // The equation of time on 20 March is about −7.5 minutes.
        #expect(abs(equinox.equationOfTime * 1440 + 7.5) < 0.5)
        // Esfand has 30 days in leap years only (1403 is one, 1404 is not).
        #expect(SolarHijri.monthLength(12, year: 1403) == 30)
        #expect(SolarHijri.monthLength(12, year: 1404) == 29)
        #expect(SolarHijri.julianDay(month: 12, day: 30, year: 1404) == nil)
        #expect(SolarHijri.julianDay(month: 12, day: 30, year: 1403).map(LocalDate.init(julianDay:)) == LocalDate(2025, 3, 20))
        // Dey straddles 1 January: 11 Dey 1404 is 1 January 2026.
        let dey11 = CalendarRule(system: .solarHijri, month: 10, day: 11)
        #expect(dey11.date(inGregorianYear: 2026) == LocalDate(2026, 1, 1))
    }

    /// scripts/iran-fixture.py: 1 Farvardin of every year 1304–1578 by persiantools (the 33-year
    /// rule corrected to the astronomical calendar) and convertdate (the equinox by PyMeeus), which
    /// agree with each other in every year, and by jdatetime (Borkowski's arithmetic rule); 22 Bahman
    /// 1980–2100 by python-holidays (Iran).
    @Test("1 Farvardin 1304–1578 and 22 Bahman 1980–2100 against independent implementations")
    func solarHijriFixture() throws {
        let folder = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        let text = try String(contentsOf: folder.appendingPathComponent("solar-hijri-1304-1578.txt"), encoding: .utf8)
        let lines = text.split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(lines.count == 1578 - 1304 + 1)
        var mismatches: [String] = []
        var arithmetic: [Int] = []
        var revolutionDays = 0
        for line in lines {
            let fields = line.split(separator: " ")
            let year = try #require(Int(fields[0]))
            let persiantools = try #require(LocalDate(iso: fields[1]))
            let convertdate = try #require(LocalDate(iso: fields[2]))
            let jdatetime = try #require(LocalDate(iso: fields[3]))
            let ours = LocalDate(julianDay: SolarHijri.newYear(year))
            if ours != persiantools || ours != convertdate { mismatches.append("\(year): \(ours) vs \(persiantools), \(convertdate)") }
            if ours != jdatetime { arithmetic.append(year) }
            if let revolution = LocalDate(iso: fields[4]) {
                revolutionDays += 1
                let computed = SolarHijri.julianDay(month: 11, day: 22, year: year).map(LocalDate.init(julianDay:))
                if computed != revolution { mismatches.append("\(year): 22 Bahman \(String(describing: computed)) vs \(revolution)") }
            }
        }
        // python-holidays gives Revolution Day for 1980–2100.
        #expect(revolutionDays == 2100 - 1980 + 1)
        #expect(mismatches.isEmpty, "\(mismatches)")
        // Borkowski's rule parts from the astronomical calendar once in the range.
        #expect(arithmetic == [1503])
    }

    @Test("Outside Solar Hijri 1304–1578 the date is unknown, never guessed")
    func iranOutsideTheRange() {
        #expect(Self.revolutionDay.knownYears == 1926...2200)
        #expect(Self.revolutionDay.date(inGregorianYear: 1925) == nil)
        #expect(Self.revolutionDay.date(inGregorianYear: 2201) == nil)
        #expect(SolarHijri.julianDay(month: 1, day: 1, year: 1579) == nil)
        #expect(SolarHijri.julianDay(month: 1, day: 32, year: 1404) == nil)
    }
}
