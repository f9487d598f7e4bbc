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
}
