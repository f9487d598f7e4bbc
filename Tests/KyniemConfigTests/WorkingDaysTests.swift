import Foundation
import Testing
import KyniemConfig
import KyniemCore

/// Vietnam's working days as the bundled data and the rules make them: the Labour Code's days off,
/// the day in lieu of a holiday on a weekend (Art. 111(3)), 24 November from 2026, and the decreed
/// schedules shipped in calendars/vietnam/working-days.yaml.
@Suite struct WorkingDaysTests {
    static let configuration = try! ConfigurationLoader(environment: ["HOME": "/tmp"]).load(.embedded)

    static func workdays(_ configuration: Configuration = Self.configuration, year: Int) -> WorkingCalendar {
        configuration.planner.workingCalendar(from: LocalDate(year, 1, 1), through: LocalDate(year, 12, 31))
    }

    static func eventID(_ reason: DayOffReason?) -> String? {
        switch reason {
        case .holiday(let event): event.id
        case .substitute(let event, _): event.id
        default: nil
        }
    }

    @Test func mondayAfterHungKingsDay2026IsOff() throws {
        let days = Self.workdays(year: 2026)
        // 10/3 lunar 2026 is Sunday 26 April; the next working day, Monday 27 April, is off in lieu.
        #expect(LunarCalendar.vietnam.solarDate(for: LunarDate(year: 2026, month: 3, day: 10)) == LocalDate(2026, 4, 26))
        #expect(!days.isWorkingDay(LocalDate(2026, 4, 27)))
        guard case .substitute(let event, let holiday) = days.reason(LocalDate(2026, 4, 27)) else {
            Issue.record("27/4/2026 should be a day in lieu, found \(String(describing: days.reason(LocalDate(2026, 4, 27))))")
            return
        }
        #expect(event.id == "vn-hung-kings" && holiday == LocalDate(2026, 4, 26))
        #expect(days.isWorkingDay(LocalDate(2026, 4, 28)))
        #expect(days.isWorkingDay(LocalDate(2026, 4, 24)))
    }

    @Test func cultureDayIsOffFrom2026() {
        #expect(!Self.workdays(year: 2026).isWorkingDay(LocalDate(2026, 11, 24)))
        #expect(Self.eventID(Self.workdays(year: 2026).reason(LocalDate(2026, 11, 24))) == "vn-culture-day")
        #expect(Self.workdays(year: 2025).isWorkingDay(LocalDate(2025, 11, 24)))  // a Monday, before the day existed
        let catalog = Self.configuration.catalog
        #expect(catalog.occurrences(from: LocalDate(2025, 1, 1), through: LocalDate(2025, 12, 31)).allSatisfy { $0.event.id != "vn-culture-day" })
        // 24/11/2029 is a Saturday: Monday 26/11/2029 is off in lieu.
        #expect(Self.eventID(Self.workdays(year: 2029).reason(LocalDate(2029, 11, 26))) == "vn-culture-day")
    }

    @Test func decreedBridges2026() {
        let days = Self.workdays(year: 2026)
        // New Year: Thursday 1/1 to Sunday 4/1, Friday 2/1 off for Saturday 10/1 (Văn bản 12729/VPCP-KGVX).
        for day in 1...4 { #expect(!days.isWorkingDay(LocalDate(2026, 1, day)), "1/\(day)") }
        #expect(days.reason(LocalDate(2026, 1, 2)) == .decreed)
        #expect(days.isWorkingDay(LocalDate(2026, 1, 10)))
        #expect(days.isWorkingDay(LocalDate(2026, 1, 5)))
        // Tết Bính Ngọ: Saturday 14/2 to Sunday 22/2 by the rules; Friday 13/2 and Monday 23/2 worked.
        var date = LocalDate(2026, 2, 14)
        while date <= LocalDate(2026, 2, 22) {
            #expect(!days.isWorkingDay(date), "\(date.iso) is in the Tết 2026 break")
            date = date.adding(days: 1)
        }
        #expect(days.isWorkingDay(LocalDate(2026, 2, 13)) && days.isWorkingDay(LocalDate(2026, 2, 23)))
        // Quốc khánh: Saturday 29/8 to Wednesday 2/9, Monday 31/8 off for Saturday 22/8.
        date = LocalDate(2026, 8, 29)
        while date <= LocalDate(2026, 9, 2) {
            #expect(!days.isWorkingDay(date), "\(date.iso) is in the 2/9/2026 break")
            date = date.adding(days: 1)
        }
        #expect(days.isWorkingDay(LocalDate(2026, 8, 22)))
        #expect(days.isWorkingDay(LocalDate(2026, 9, 3)))
    }

    @Test func tet2025AsDecreed() {
        let days = Self.workdays(year: 2025)
        // Saturday 25/1 to Sunday 2/2/2025 off; Friday 24/1 and Monday 3/2 worked.
        var date = LocalDate(2025, 1, 25)
        while date <= LocalDate(2025, 2, 2) {
            #expect(!days.isWorkingDay(date), "\(date.iso) is in the Tết 2025 break")
            date = date.adding(days: 1)
        }
        #expect(days.reason(LocalDate(2025, 1, 27)) == .decreed)
        #expect(days.isWorkingDay(LocalDate(2025, 1, 24)))
        #expect(days.isWorkingDay(LocalDate(2025, 2, 3)))
    }

    @Test func tet2026IsTheNineDaysFromTheRules() {
        let days = Self.workdays(year: 2026)
        var date = LocalDate(2026, 2, 14)
        while date <= LocalDate(2026, 2, 22) {
            #expect(!days.isWorkingDay(date), "\(date.iso) is in the Tết 2026 break")
            date = date.adding(days: 1)
        }
        #expect(days.isWorkingDay(LocalDate(2026, 2, 13)))
        #expect(days.isWorkingDay(LocalDate(2026, 2, 23)))
    }

    @Test func aTaskDueOnTheDayInLieuMovesToTheWorkingDayBefore() throws {
        let event = Event(id: "visit", kind: .custom, title: LocalizedText("Visit"), recurrence: .once(LocalDate(2026, 5, 11)))
        let occurrence = Occurrence(event: event, date: LocalDate(2026, 5, 11), ordinal: nil, tier: .routine, lunar: nil, country: nil)
        let checklists = Checklists(templates: [ChecklistTemplate(
            kinds: [.custom], tiers: nil,
            tasks: [ChecklistTask(id: "letter", offsetDays: -14, title: LocalizedText("Draft the letter"))])])
        let scheduled = checklists.schedule(occurrence, workdays: Self.workdays(year: 2026))
        #expect(scheduled.map(\.nominal) == [LocalDate(2026, 4, 27)])
        // Monday 27/4 in lieu, Sunday 26/4 the holiday, Saturday 25/4: due Friday 24/4.
        #expect(scheduled.map(\.due) == [LocalDate(2026, 4, 24)])
    }

    @Test func theConfigurationReplacesABundledYearWhole() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kyniem-wd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("kyniem.yaml").path
        try """
            calendars: [bundled:vietnam]
            working_days:
              2025:
                off: [2025-02-03]
            notifiers: [{id: console, type: console}]
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let configuration = try ConfigurationLoader(environment: ["HOME": "/tmp"]).load(.file(path))
        let days = Self.workdays(configuration, year: 2025)
        #expect(days.isWorkingDay(LocalDate(2025, 1, 27)))  // the bundled 2025 schedule is replaced
        #expect(!days.isWorkingDay(LocalDate(2025, 2, 3)))
        #expect(!Self.workdays(configuration, year: 2026).isWorkingDay(LocalDate(2026, 4, 27)))  // rules still apply
    }

    @Test func badFirstYearAndScheduleKeysAreReportedWithTheirPlace() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kyniem-wd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try """
            events:
              - id: x
                date: {month: 1, day: 2}
                from: soon
              - id: y
                calendar: {system: hebrew, month: adar, day: 5}
              - id: z
                calendar: {system: bikram-sambat, month: asoj, day: 3, observance: israel-independence-day}
              - id: w
                calendar: {system: julian, month: iyar, day: 5}
              - id: v
                calendar: {system: solar-hijri, month: bahman, day: 31}
            working_days:
              2030:
                of: [2030-01-02]
            """.write(toFile: folder.appendingPathComponent("cal.yaml").path, atomically: true, encoding: .utf8)
        let path = folder.appendingPathComponent("kyniem.yaml").path
        try "calendars: [cal.yaml]\n".write(toFile: path, atomically: true, encoding: .utf8)
        do {
            _ = try ConfigurationLoader(environment: ["HOME": "/tmp"]).load(.file(path))
            Issue.record("expected problems")
        } catch {
            let text = error.problems.map(\.description).joined(separator: "\n")
            #expect(text.contains("cal.yaml:4:11:"), "\(text)")
            #expect(text.contains("cal.yaml:6:39: unknown hebrew month \"adar\"; expected one of nisan, iyar"), "\(text)")
            #expect(text.contains("cal.yaml:8:72: observance israel-independence-day applies to the hebrew calendar"), "\(text)")
            #expect(text.contains("cal.yaml:10:24: unknown calendar \"julian\"; expected hebrew or bikram-sambat or solar-hijri"), "\(text)")
            // Bahman has 30 days.
            #expect(text.contains("cal.yaml:12:57: expected a day of bahman from 1 to 30, found 31"), "\(text)")
            #expect(text.contains("cal.yaml:15:5: unknown key \"of\""), "\(text)")
        }
    }
}
