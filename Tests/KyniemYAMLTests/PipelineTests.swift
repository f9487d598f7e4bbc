import Testing
@testable import KyniemYAML

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The pipelined parse (libyaml on its own thread, the tree built on the caller's) must give
/// exactly what the single-threaded parse gives: the same tree with the same marks, the same
/// duplicate keys, the same first error.
@Suite struct Pipeline {
    /// A calendar of `count` events in several styles: flow and block collections, quoted,
    /// literal and tagged scalars, Vietnamese text (columns in code points), anchors and
    /// aliases, and a repeated key every 97 events.
    static func document(events count: Int) -> String {
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
        return text
    }

    /// Parses `text` serially (threshold above its size) and pipelined (threshold 0).
    static func both(_ text: String, batchSize: Int) -> (serial: Result<YAMLParser.Document, YAMLError>,
                                                          pipelined: Result<YAMLParser.Document, YAMLError>) {
        var text = text
        return text.withUTF8 { utf8 in
            let buffer = UnsafeRawBufferPointer(utf8)
            let serial = Result { () throws(YAMLError) in
                try YAMLParser.parseDocument(buffer, file: "big.yaml", pipelineThreshold: .max)
            }
            let pipelined = Result { () throws(YAMLError) in
                try YAMLParser.parseDocument(buffer, file: "big.yaml", pipelineThreshold: 0, batchSize: batchSize)
            }
            return (serial, pipelined)
        }
    }

    @Test func largeDocumentGivesTheSameTree() throws {
        let text = Self.document(events: 20_000)
        #expect(text.utf8.count >= YAMLParser.pipelineThreshold || YAMLParser.pipelineThreshold == .max)
        let (serial, pipelined) = Self.both(text, batchSize: YAMLParser.pipelineBatchSize)
        let a = try serial.get()
        let b = try pipelined.get()
        let root = try #require(a.root)
        #expect(try root.mapping().required("events").sequence().count == 20_000)
        #expect(a.root == b.root)
        #expect(!a.duplicateKeyErrors.isEmpty)
        #expect(a.duplicateKeyErrors == b.duplicateKeyErrors)
        // The public entry point takes the pipeline at this size and agrees too.
        #expect(try YAMLParser.parseDocument(text, file: "big.yaml").root == a.root)
    }

    @Test(arguments: [1, 2, 7, 4_096])
    func smallBatchesGiveTheSameTree(batchSize: Int) throws {
        let (serial, pipelined) = Self.both(Self.document(events: 300), batchSize: batchSize)
        #expect(try serial.get().root == pipelined.get().root)
        #expect(try serial.get().duplicateKeyErrors == pipelined.get().duplicateKeyErrors)
    }

    @Test(arguments: ["", "# only a comment\n", "---\n", "plain\n", "[1, [2, [3]]]\n"])
    func tinyDocumentsAgree(text: String) throws {
        let (serial, pipelined) = Self.both(text, batchSize: 1)
        #expect(try serial.get().root == pipelined.get().root)
    }

    @Test func syntaxErrorDeepInsideIsTheSame() throws {
        let text = Self.document(events: 20_000) + "  - id: broken\n    title: [unclosed\n    date: 2027-01-01\n"
        let (serial, pipelined) = Self.both(text, batchSize: YAMLParser.pipelineBatchSize)
        guard case .failure(let a) = serial, case .failure(let b) = pipelined else {
            Issue.record("expected a syntax error both ways")
            return
        }
        #expect(a == b)
        #expect(a.mark.line > 90_000)
        #expect(a.message.contains("while parsing a flow sequence"))
    }

    @Test func invalidUTF8DeepInsideIsTheSame() throws {
        var bytes = Array(Self.document(events: 5_000).utf8)
        bytes.append(contentsOf: Array("tail: x".utf8) + [0xFF, 0x0A])
        let results = bytes.withUnsafeBytes { buffer in
            [Int.max, 0].map { threshold in
                Result { () throws(YAMLError) in
                    try YAMLParser.parseDocument(buffer, file: "big.yaml", pipelineThreshold: threshold, batchSize: 64)
                }
            }
        }
        guard case .failure(let a) = results[0], case .failure(let b) = results[1] else {
            Issue.record("expected a reader error both ways")
            return
        }
        #expect(a == b)
        #expect(a.message.contains("UTF-8"))
    }

    @Test func unknownAliasDeepInsideIsTheSame() throws {
        let head = Self.document(events: 2_000) + "oops: *nowhere\n"
        let text = head + "rest:\n" + String(repeating: "  - {a: 1, b: [2, 3], c: \"four\"}\n", count: 100_000)
        let line = head.utf8.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
        let (serial, pipelined) = Self.both(text, batchSize: YAMLParser.pipelineBatchSize)
        guard case .failure(let a) = serial, case .failure(let b) = pipelined else {
            Issue.record("expected an unknown alias both ways")
            return
        }
        #expect(a == b)
        #expect(b.mark == Mark(file: "big.yaml", line: line, column: 7))
        #expect(b.message == "unknown alias *nowhere; define &nowhere before using it")
    }

    /// What `parsePipelined` does when the builder throws: cancel, then join. The producer
    /// must stop at its next batch instead of parsing the rest of the document, and the join
    /// must return (a producer left waiting on a full queue would hang here).
    @Test func cancelledProducerStopsAtItsNextBatch() throws {
        var text = "items:\n" + String(repeating: "  - {a: 1, b: [2, 3], c: \"four\"}\n", count: 200_000)
        try text.withUTF8 { utf8 in
            let channel = EventChannel(capacity: 2)
            let producer = EventProducer(
                buffer: UnsafeRawBufferPointer(utf8), file: "big.yaml", channel: channel, batchSize: 1_000)
            let thread = try #require(producer.start())
            let first = try #require(channel.receive())
            #expect(first.events.count == 1_000)
            channel.cancel()
            thread.join()
            // 2.2 million events would be 2,200 batches; it stopped with at most the queue
            // refilled and one batch in the making.
            #expect(channel.batchesSent <= 4)
            #expect(channel.receive() == nil)
        }
    }

    @Test func builderErrorsAreTheSame() throws {
        let big = Self.document(events: 3_000)
        let depth = YAMLParser.maxDepth + 10
        let cases = [
            big + "deep: " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "\n",
            big + "---\nsecond: document\n",
            "a: &a [x, x, x, x, x, x, x, x, x]\n"
                + (1...8).map { "b\($0): &b\($0) [" + Array(repeating: $0 == 1 ? "*a" : "*b\($0 - 1)", count: 9).joined(separator: ",") + "]\n" }.joined()
                + big,
        ]
        for text in cases {
            let (serial, pipelined) = Self.both(text, batchSize: 128)
            guard case .failure(let a) = serial, case .failure(let b) = pipelined else {
                Issue.record("expected an error both ways")
                continue
            }
            #expect(a == b)
        }
    }
}
