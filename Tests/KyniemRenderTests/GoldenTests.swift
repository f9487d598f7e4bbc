import KyniemCore
import Testing
@testable import KyniemRender

@Suite struct GoldenTests {
    @Test(arguments: CalendarFormat.allCases, Language.allCases)
    func calendar(format: CalendarFormat, language: Language) throws {
        let output = CalendarRenderer.render(Fixture.document(language), as: format)
        try Golden.check(output, "calendar-\(Fixture.year)-\(language.rawValue).\(format.fileExtension)")
    }

    @Test func upcomingJSON() throws {
        let from = LocalDate(2027, 9, 1)
        let to = LocalDate(2027, 9, 30)
        let occurrences = Fixture.occurrences().filter { $0.date >= from && $0.date <= to }
        try Golden.check(
            OccurrenceJSON.render(from: from, to: to, occurrences: occurrences, language: .en), "upcoming-en.json")
    }

    @Test func emptyWindowJSON() {
        let json = OccurrenceJSON.render(
            from: LocalDate(2027, 1, 1), to: LocalDate(2027, 1, 2), occurrences: [], language: .vi)
        #expect(json == "{\"from\": \"2027-01-01\", \"to\": \"2027-01-02\", \"occurrences\": []}\n")
    }
}
