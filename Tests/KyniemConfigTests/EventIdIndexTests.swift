import Testing
import KyniemYAML

@testable import KyniemConfig

/// `EventIdIndex` stands where a `[String: Mark]` stood: every operation is checked against one.
@Suite("Event id index")
struct EventIdIndexTests {
    @Test("Answers as a [String: Mark] does over random inserts and lookups")
    func matchesDictionary() {
        var generator = SystemRandomNumberGenerator()
        // Short ids collide often; "e\u{301}" and "\u{e9}" are the same String, as ids were.
        let pieces = ["a", "b", "e\u{301}", "\u{e9}", "-", "1", "ngày", "x"]
        func randomID() -> String {
            (0..<Int.random(in: 0...3, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
        }
        for round in 0..<20 {
            var index = EventIdIndex()
            var reference: [String: Mark] = [:]
            if round.isMultiple(of: 2) { index.reserveCapacity(Int.random(in: 0...300, using: &generator)) }
            for step in 0..<2_000 {
                let id = randomID()
                let mark = Mark(file: "f.yaml", line: step + 1, column: round + 1)
                if Int.random(in: 0..<10, using: &generator) < 6 {
                    #expect(index.insert(id, at: mark) == reference[id])
                    if reference[id] == nil { reference[id] = mark }
                }
                #expect(index[id] == reference[id])
                #expect(index.count == reference.count)
            }
            for id in reference.keys { #expect(index[id] == reference[id]) }
            #expect(index["not an id at all"] == nil)
        }
    }

    @Test("100,000 distinct ids are all found, with the mark first given, and others are not")
    func largeIndex() {
        var index = EventIdIndex()
        index.reserveCapacity(50_000)  // grows past what was reserved
        for n in 0..<100_000 { #expect(index.insert("evt-\(n)", at: Mark(file: "big.yaml", line: n + 1, column: 5)) == nil) }
        #expect(index.insert("evt-99", at: Mark(file: "other.yaml", line: 1, column: 1)) == Mark(file: "big.yaml", line: 100, column: 5))
        #expect(index.count == 100_000)
        for n in stride(from: 0, to: 100_000, by: 7) {
            #expect(index["evt-\(n)"] == Mark(file: "big.yaml", line: n + 1, column: 5))
        }
        #expect(index["evt-100000"] == nil)
        #expect(index["evt-"] == nil)
    }
}
