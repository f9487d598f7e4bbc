import Testing
import KyniemYAML

/// The message `body` throws.
func message(_ body: () throws -> Void) -> String? {
    do {
        try body()
        Issue.record("expected a YAMLError")
        return nil
    } catch let error as YAMLError {
        return error.message
    } catch {
        Issue.record("unexpected \(error)")
        return nil
    }
}

@Suite struct Strings {
    @Test func norwayStaysAString() throws {
        let map = try parse("country: NO\nother: no\n").mapping()
        #expect(try map.required("country").string() == "NO")
        #expect(message { _ = try map.required("country").bool() } == "expected true or false, found \"NO\"")
        #expect(message { _ = try map.required("other").bool() } == "expected true or false, found \"no\"")
    }

    @Test func datesAndNumbersAreTextWhenAStringIsWanted() throws {
        let map = try parse("date: 1973-09-21\nsince: 1975\nversion: 1.10\n").mapping()
        #expect(try map.required("date").string() == "1973-09-21")
        #expect(try map.required("since").string() == "1975")
        #expect(try map.required("version").string() == "1.10")
    }

    @Test func collectionsAndNullAreNotStrings() throws {
        let map = try parse("a: {b: 1}\nc: [1]\nd: ~\ne:\nf: \"null\"\n").mapping()
        #expect(message { _ = try map.required("a").string() } == "expected a string, found a mapping")
        #expect(message { _ = try map.required("c").string() } == "expected a string, found a sequence")
        #expect(message { _ = try map.required("d").string() } == "expected a string, found null")
        #expect(message { _ = try map.required("e").string() } == "expected a string, found nothing")
        #expect(try map.required("f").string() == "null")
    }

    @Test func errorsAreAtTheNodesOwnMark() throws {
        let map = try parse("id: ev-1\ntitle:\n  - a\n").mapping()
        do {
            _ = try map.required("title").string()
            Issue.record("expected a YAMLError")
        } catch {
            #expect(error.description == "t.yaml:3:3: expected a string, found a sequence")
        }
    }

    @Test func vietnameseRoundTrip() throws {
        let text = """
            plain: Kỷ niệm quan hệ ngoại giao Việt Nam – Nhật Bản
            double: "Tết Nguyên Đán\\tmùng 1"
            escaped: "Vi\\u1EC7t Nam"
            literal: |
              Đại sứ quán
              Hà Nội
            """
        let map = try parse(text).mapping()
        #expect(try map.required("plain").string() == "Kỷ niệm quan hệ ngoại giao Việt Nam – Nhật Bản")
        #expect(try map.required("double").string() == "Tết Nguyên Đán\tmùng 1")
        #expect(try map.required("escaped").string() == "Việt Nam")
        #expect(try map.required("literal").string() == "Đại sứ quán\nHà Nội")  // no final line break in the text
    }
}

@Suite struct Booleans {
    @Test func onlyTrueAndFalse() throws {
        let map = try parse("a: true\nb: false\n").mapping()
        #expect(try map.required("a").bool() == true)
        #expect(try map.required("b").bool() == false)
    }

    @Test(arguments: ["yes", "no", "on", "off", "y", "True", "FALSE", "1"])
    func yaml11SpellingsAreRefused(_ spelling: String) throws {
        let node = try parse("flag: \(spelling)\n").mapping().required("flag")
        #expect(message { _ = try node.bool() } == "expected true or false, found \"\(spelling)\"")
    }

    @Test func quotedIsAString() throws {
        let node = try parse("flag: \"true\"\n").mapping().required("flag")
        #expect(message { _ = try node.bool() }
            == "expected true or false, found the string \"true\"; write it without quotes")
    }

    @Test func explicitTagMakesAQuotedValueTyped() throws {
        let node = try parse("flag: !!bool \"true\"\n").mapping().required("flag")
        #expect(try node.bool() == true)
    }
}

@Suite struct Numbers {
    @Test func plainDecimalIntegers() throws {
        let map = try parse("a: 42\nb: -1\nc: +7\nd: 0\n").mapping()
        #expect(try ["a", "b", "c", "d"].map { try map.required($0).int() } == [42, -1, 7, 0])
    }

    @Test func integerErrors() throws {
        let map = try parse("""
            a: 12a
            b: 1.5
            c: 99999999999999999999
            d: "12"
            e: 0x1F
            f:
            g: [1]
            h: 1_000
            """).mapping()
        #expect(message { _ = try map.required("a").int() } == "expected an integer, found \"12a\"")
        #expect(message { _ = try map.required("b").int() } == "expected an integer, found \"1.5\"")
        #expect(message { _ = try map.required("c").int() }
            == "the integer 99999999999999999999 is out of range (\(Int.min)...\(Int.max))")
        #expect(message { _ = try map.required("d").int() }
            == "expected an integer, found the string \"12\"; write it without quotes")
        #expect(message { _ = try map.required("e").int() } == "expected an integer, found \"0x1F\"")
        #expect(message { _ = try map.required("f").int() } == "expected an integer, found nothing")
        #expect(message { _ = try map.required("g").int() } == "expected an integer, found a sequence")
        #expect(message { _ = try map.required("h").int() } == "expected an integer, found \"1_000\"")
    }

    @Test func doubles() throws {
        let map = try parse("a: 1.5\nb: -2\nc: .5\nd: 6.02e23\ne: .inf\nf: 1.2.3\ng: nan\n").mapping()
        #expect(try map.required("a").double() == 1.5)
        #expect(try map.required("b").double() == -2)
        #expect(try map.required("c").double() == 0.5)
        #expect(try map.required("d").double() == 6.02e23)
        for key in ["e", "f", "g"] {
            #expect(message { _ = try map.required(key).double() }?.hasPrefix("expected a number, found") == true)
        }
    }
}

@Suite struct Collections {
    @Test func kindMismatches() throws {
        let map = try parse("a: x\nb: {c: 1}\n").mapping()
        #expect(message { _ = try map.required("a").sequence() } == "expected a sequence, found \"x\"")
        #expect(message { _ = try map.required("b").sequence() } == "expected a sequence, found a mapping")
        #expect(message { _ = try map.required("a").mapping() } == "expected a mapping, found \"x\"")
    }

    @Test func nullForms() throws {
        let map = try parse("a: ~\nb: null\nc:\nd: \"\"\ne: 'null'\nf: Null\n").mapping()
        #expect(try ["a", "b", "c", "d", "e", "f"].map { try map.required($0).isNull }
            == [true, true, true, false, false, false])
        #expect(map.optional("a") == nil)
        #expect(map.optional("missing") == nil)
        #expect(map.optional("d") != nil)
    }

    @Test func missingKeyIsAtTheMapping() throws {
        let events = try parse("events:\n  - kind: custom\n    country: JP\n").mapping().required("events")
        let event = try #require(try events.sequence().first).mapping()
        do {
            _ = try event.required("id")
            Issue.record("expected a YAMLError")
        } catch {
            #expect(error.description == "t.yaml:2:5: missing key \"id\"")
        }
    }

    @Test func quotedKeysMatchByText() throws {
        let map = try parse("\"id\": a\n'kind': b\n").mapping()
        #expect(try map.required("id").string() == "a")
        #expect(try map.required("kind").string() == "b")
    }
}

@Suite struct Keys {
    let allowed = ["id", "kind", "country", "title", "date", "lunar", "language", "to"]

    @Test func unknownKeysSuggestCloseOnes() throws {
        let map = try parse("""
            id: x
            titel: y
            langauge: vi
            Country: VN
            colour: red
            """).mapping()
        let errors = map.unknownKeys(allowed: allowed)
        #expect(errors.map(\.description) == [
            "t.yaml:2:1: unknown key \"titel\"; did you mean \"title\"?",
            "t.yaml:3:1: unknown key \"langauge\"; did you mean \"language\"?",
            "t.yaml:4:1: unknown key \"Country\"; did you mean \"country\"?",
            "t.yaml:5:1: unknown key \"colour\"; expected one of \"id\", \"kind\", \"country\", \"title\", \"date\", \"lunar\", \"language\", \"to\"",
        ])
    }

    @Test func shortKeysAreNotCorrectedIntoUnrelatedOnes() throws {
        let map = try parse("ip: x\nxyz: 1\n").mapping()
        let errors = map.unknownKeys(allowed: ["to", "id"])
        // "ip" is one edit from "id": a fair suggestion; "xyz" is close to nothing.
        #expect(errors.map(\.message) == [
            "unknown key \"ip\"; did you mean \"id\"?",
            "unknown key \"xyz\"; expected one of \"to\", \"id\"",
        ])
        #expect(try parse("ab: 1\n").mapping().unknownKeys(allowed: ["to"]).first?.message
            == "unknown key \"ab\"; expected one of \"to\"")
    }

    @Test func duplicateKeysAtTheSecondOccurrence() throws {
        let map = try parse("id: a\nkind: custom\nid: b\n").mapping()
        #expect(map.duplicateKeys().map(\.description)
            == ["t.yaml:3:1: duplicate key \"id\" (first at line 1, column 1)"])
        #expect(try map.required("id").string() == "a")
        #expect(map.keys == ["id", "kind", "id"])
    }

    @Test func keyProblemsAreInDocumentOrder() throws {
        let map = try parse("titel: a\nid: x\nid: y\nkund: z\n").mapping()
        #expect(map.keyProblems(allowed: allowed).map(\.mark.line) == [1, 3, 4])
    }

    @Test func duplicateKeysAnywhereInTheTree() throws {
        let root = try parse("""
            events:
              - id: a
                title: {vi: x, vi: y}
              - id: b
                id: c
            """)
        #expect(root.duplicateKeyErrors().map(\.mark) == [at(3, 20), at(5, 5)])
    }
}

@Suite struct Collecting {
    @Test func diagnosticsGoOnPastErrors() throws {
        let event = try parse("id: 7\ncountry: [JP]\nday_off: yes\n").mapping()
        var diagnostics = Diagnostics()
        let id = diagnostics.attempt { try event.required("id").string() }
        let country = diagnostics.attempt { try event.required("country").string() }
        let dayOff = diagnostics.attempt { try event.required("day_off").bool() }
        let kind = diagnostics.attempt { try event.required("kind").string() }
        diagnostics.record(contentsOf: event.unknownKeys(allowed: ["id", "country", "day_off", "kind"]))
        #expect(id == "7")
        #expect(country == nil && dayOff == nil && kind == nil)
        #expect(diagnostics.errors.count == 3)
        struct NotADate: Error, CustomStringConvertible {
            var description: String { "expected a date like 1973-09-21" }
        }
        let date = diagnostics.attempt(at: event.mark) { () throws -> Int in throw NotADate() }
        #expect(date == nil)
        // Typed closures are accepted as well.
        #expect(diagnostics.attempt { () throws(YAMLError) -> Int in try event.required("id").int() } == 7)
        #expect(diagnostics.description == """
            t.yaml:1:1: missing key "kind"
            t.yaml:1:1: expected a date like 1973-09-21
            t.yaml:2:10: expected a string, found a sequence
            t.yaml:3:10: expected true or false, found "yes"
            """)
    }
}
