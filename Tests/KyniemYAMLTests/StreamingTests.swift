import Testing
@testable import KyniemYAML

/// `YAMLParser.parseDocument(_:file:streaming:item:)` hands over the items of a root key's
/// sequence one by one; what it hands over, and what it throws, must be exactly what the whole
/// tree holds.
@Suite struct Streaming {
    /// Events in several styles: flow and block, quoted, literal and tagged scalars, Vietnamese
    /// text (columns in code points), an anchor used from inside later items, and a repeated
    /// key every 97 events.
    static func document(events count: Int, tail: Bool = true) -> String {
        var text = "defaults: &defaults {kind: custom, tier: routine}\nevents:\n"
        for i in 0..<count {
            text += "  - id: ev-\(i)\n"
            switch i % 4 {
            case 0: text += "    title: {vi: \"Sự kiện số \(i)\", en: 'Event \(i)'}\n    date: {month: \(i % 12 + 1), day: \(i % 28 + 1)}\n"
            case 1: text += "    title: !!str \(i)\n    lunar: [\(i % 12 + 1), \(i % 29 + 1)]\n    extra: *defaults\n"
            case 2: text += "    notes: |\n      line one \(i)\n      line two\n    once: 2027-01-\(i % 28 + 1)\n"
            default: text += "    title: >\n      folded \(i)\n      text\n    tags: [a, b, ~]\n    empty:\n"
            }
            if i % 97 == 0 { text += "    id: again-\(i)\n" }
        }
        return tail ? text + "after: [1, 2]\n" : text
    }

    static func streamed(_ text: String, keys: [String] = ["events"]) -> (Result<YAMLParser.Document, YAMLError>, [(String, YAMLNode)]) {
        var items: [(String, YAMLNode)] = []
        let result = Result { () throws(YAMLError) in
            try YAMLParser.parseDocument(text, file: "big.yaml", streaming: keys) { items.append(($0, $1)) }
        }
        return (result, items)
    }

    @Test func itemsAreTheWholeTreesItemsAndTheListStaysEmpty() throws {
        let text = Self.document(events: 2_000)
        let whole = try YAMLParser.parseDocument(text, file: "big.yaml")
        let (result, items) = Self.streamed(text)
        let document = try result.get()
        let wholeEvents = try #require(whole.root).mapping().required("events")
        let streamedEvents = try #require(document.root).mapping().required("events")
        #expect(items.map(\.1) == (try wholeEvents.sequence()))
        #expect(items.allSatisfy { $0.0 == "events" })
        #expect(try streamedEvents.sequence().isEmpty)
        #expect(streamedEvents.mark == wholeEvents.mark)
        #expect(try document.root!.mapping()["defaults"] == whole.root!.mapping()["defaults"])
        #expect(try document.root!.mapping()["after"] == whole.root!.mapping()["after"])
        // Duplicate keys inside the streamed items are found as before.
        #expect(!document.duplicateKeyErrors.isEmpty)
        #expect(document.duplicateKeyErrors == whole.duplicateKeyErrors)
    }

    @Test func onlyARootKeysPlainSequenceStreams() throws {
        let cases = [
            // Nested: not the root mapping's key.
            "calendar:\n  events: [a, b]\n",
            // Anchored: an alias could repeat it, so it is kept whole.
            "events: &all [a, b]\nagain: *all\n",
            // A mapping value, not a sequence.
            "events: {a: 1}\n",
            // A root sequence.
            "- events\n- [a, b]\n",
        ]
        for text in cases {
            let (result, items) = Self.streamed(text)
            #expect(items.isEmpty, "\(text)")
            #expect(try result.get().root == YAMLParser.parse(text, file: "big.yaml"), "\(text)")
        }
    }

    @Test func aRepeatedKeyStreamsOnlyItsFirstList() throws {
        let text = "events: [a, b]\nevents: [c]\nchecklists: [d]\n"
        let (result, items) = Self.streamed(text, keys: ["events", "checklists"])
        #expect(items.map { "\($0.0)=\($0.1.scalar!.text)" } == ["events=a", "events=b", "checklists=d"])
        let document = try result.get()
        #expect(document.duplicateKeyErrors.map(\.description) == [
            "big.yaml:2:1: duplicate key \"events\" (first at line 1, column 1)",
        ])
        let entries = try #require(document.root).mapping().entries
        #expect(try entries[1].value.sequence().map { try $0.string() } == ["c"])
    }

    @Test func anErrorComesAfterEveryItemBeforeIt() throws {
        let head = Self.document(events: 500, tail: false)
        let broken = head + "  - id: broken\n    title: [unclosed\n    date: 2027-01-01\n"
        let (result, items) = Self.streamed(broken)
        guard case .failure(let error) = result else {
            Issue.record("expected a syntax error")
            return
        }
        #expect(throws: error) { try YAMLParser.parseDocument(broken, file: "big.yaml") }
        #expect(error.message.contains("while parsing a flow sequence"))
        #expect(items.count == 500)

        let alias = head + "  - *nowhere\n"
        let (aliasResult, aliasItems) = Self.streamed(alias)
        #expect(aliasItems.count == 500)
        #expect(throws: YAMLError(
            mark: Mark(file: "big.yaml", line: alias.utf8.filter { $0 == 10 }.count, column: 5),
            message: "unknown alias *nowhere; define &nowhere before using it")) { try aliasResult.get() }
    }

    @Test func smallBatchesGiveTheSameTree() throws {
        let text = Self.document(events: 300)
        let whole = try YAMLParser.parseDocument(text, file: "big.yaml")
        for size in [1, 2, 7] {
            let document = try text.utf8CString.withUnsafeBytes { bytes throws(YAMLError) in
                try YAMLParser.parseDocument(
                    UnsafeRawBufferPointer(rebasing: bytes.dropLast()), file: "big.yaml",
                    builder: TreeBuilder(file: "big.yaml"), batchSize: size)
            }
            #expect(document.root == whole.root)
            #expect(document.duplicateKeyErrors == whole.duplicateKeyErrors)
        }
    }

    /// A batch copies its events' text into room it grows as it needs: scalars, tags, anchors
    /// and alias names far longer than the room reserved (16 bytes an event) keep every byte,
    /// with small batches and large, and the marks after them stay right.
    @Test func longTextGrowsTheBatchAndKeepsEveryByte() throws {
        let letters = Array("abcdefghij–é")
        let long = String((0..<200_000).map { letters[$0 % letters.count] })
        let tag = "!" + String(repeating: "t", count: 40_000)
        let anchor = String(repeating: "a", count: 50_000)
        let text = """
            first: "\(long)"
            second: \(tag) tagged
            third: &\(anchor) anchored
            fourth: *\(anchor)
            fifth: short
            """
        for size in [1, 3, YAMLParser.batchSize] {
            let document = try text.utf8CString.withUnsafeBytes { bytes throws(YAMLError) in
                try YAMLParser.parseDocument(
                    UnsafeRawBufferPointer(rebasing: bytes.dropLast()), file: "long.yaml",
                    builder: TreeBuilder(file: "long.yaml"), batchSize: size)
            }
            guard case .mapping(let map)? = document.root?.value else {
                Issue.record("expected a mapping")
                return
            }
            #expect(map.count == 5)
            #expect(map[0].value.scalar?.text == long)
            #expect(map[1].value.scalar?.text == "tagged")
            #expect(map[1].value.scalar?.tag == tag)
            #expect(map[2].value.scalar?.text == "anchored")
            #expect(map[3].value.scalar?.text == "anchored")
            #expect(map[4].value.scalar?.text == "short")
            #expect(map[4].key.mark == Mark(file: "long.yaml", line: 5, column: 1))
        }
    }
}
