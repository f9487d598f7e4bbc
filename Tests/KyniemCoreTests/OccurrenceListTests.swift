import Testing
import KyniemCore

@Suite struct OccurrenceListTests {
    /// The iterator (which asks for events ahead of their use) gives exactly the occurrences
    /// that indexing gives, in the same order, for lists shorter and longer than its lookahead.
    @Test func iteratingGivesWhatIndexingGives() {
        for count in [0, 1, 7, 17, 500] {
            let events = (0..<count).map { i in
                Event(
                    id: "e-\(i)", kind: .custom, country: i % 3 == 0 ? "JP" : nil, title: LocalizedText("E \(i)"),
                    recurrence: .monthDay(month: (i * 7) % 12 + 1, day: (i * 13) % 28 + 1, since: 1990 + i % 30))
            }
            let catalog = Catalog(events: events, countries: ["JP": Country(code: "JP", name: LocalizedText("Japan"))])
            let list = catalog.occurrenceList(from: LocalDate(2027, 1, 1), through: LocalDate(2027, 12, 31))
            var iterated: [Occurrence] = []
            var iterator = list.makeIterator()
            while let occurrence = iterator.next() { iterated.append(occurrence) }
            let indexed = (0..<list.count).map { list[$0] }
            #expect(iterated.count == count)
            #expect(iterated == indexed)
            #expect(iterated == catalog.occurrences(from: LocalDate(2027, 1, 1), through: LocalDate(2027, 12, 31)))
        }
    }

    /// The list's order (a counting sort by day, or a comparison sort for windows too long for
    /// a table of days) and each occurrence's country (found by the code's letters, or by name
    /// for other codes) are those of the occurrences made one event at a time and sorted.
    @Test func ordersByDateThenIDAndFindsEachCountry() {
        let codes: [String?] = [nil, "JP", "FR", "X1", "ZZZ", "KR", "jp"]
        var events: [Event] = []
        for i in (0..<300).reversed() {
            let recurrence: Recurrence = switch i % 4 {
            case 0: .origin(LocalDate(1950 + i % 60, i % 12 + 1, i % 28 + 1))
            case 1: .monthDay(month: (i * 5) % 12 + 1, day: (i * 7) % 28 + 1, since: nil)
            case 2: .lunar(month: i % 12 + 1, day: .day(i % 30 + 1), leap: false, since: 1990)
            default: .monthDay(month: 2, day: 29, since: 2000)
            }
            events.append(Event(
                id: "ev-\((i * 37) % 300)-\(i)", kind: .custom, country: codes[i % codes.count],
                title: LocalizedText("E {n}"), recurrence: recurrence))
        }
        let countries: [String: Country] = [
            "JP": Country(code: "JP", name: LocalizedText("Japan")),
            "X1": Country(code: "X1", name: LocalizedText("Odd")),
            "ZZZ": Country(code: "ZZZ", name: LocalizedText("Three")),
            "KR": Country(code: "KR", name: LocalizedText("Korea")),
        ]
        let catalog = Catalog(events: events, countries: countries)
        let windows = [
            (LocalDate(2027, 3, 3), LocalDate(2027, 3, 3)),
            (LocalDate(2027, 1, 1), LocalDate(2027, 12, 31)),
            (LocalDate(2026, 6, 1), LocalDate(2036, 5, 31)),
            (LocalDate(1900, 1, 1), LocalDate(2100, 12, 31)),  // 73,414 days: sorted by comparison
        ]
        for (from, through) in windows {
            let expected = events.flatMap { catalog.occurrences(of: $0, from: from, through: through) }
                .sorted(by: Occurrence.chronological)
            let listed = Array(catalog.occurrenceList(from: from, through: through))
            #expect(listed == expected, "\(from)...\(through)")
            #expect(listed.map { $0.country?.code } == expected.map { $0.event.country.flatMap { countries[$0]?.code } })
        }
    }
}
