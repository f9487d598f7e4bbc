import Testing
import KyniemYAML

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Parses text that must contain one document.
func parse(_ text: String, file: String = "t.yaml") throws -> YAMLNode {
    try #require(try YAMLParser.parse(text, file: file))
}

/// The error parsing `text` throws (fails the test when there is none).
func parseError(_ text: String, file: String = "t.yaml") -> YAMLError? {
    do {
        _ = try YAMLParser.parse(text, file: file)
        Issue.record("expected a YAMLError")
        return nil
    } catch {
        return error
    }
}

func at(_ line: Int, _ column: Int, file: String = "t.yaml") -> Mark {
    Mark(file: file, line: line, column: column)
}

@Suite struct Marks {
    let text = """
        home:
          country: VN
          weekend: [saturday, sunday]
        events:
          - id: ev-1
            title: {vi: "Sự kiện", en: Event}
        """

    @Test func keysValuesAndCollections() throws {
        let root = try parse(text)
        #expect(root.mark == at(1, 1))
        let top = try root.mapping()
        #expect(top.entries[0].key.mark == at(1, 1))
        #expect(top.entries[1].key.mark == at(4, 1))

        let home = try top.required("home")
        #expect(home.mark == at(2, 3))
        let homeMap = try home.mapping()
        #expect(homeMap.entries[0].key.mark == at(2, 3))
        #expect(try homeMap.required("country").mark == at(2, 12))

        let weekend = try homeMap.required("weekend")
        #expect(weekend.mark == at(3, 12))
        let days = try weekend.sequence()
        #expect(days.map(\.mark) == [at(3, 13), at(3, 23)])
        #expect(try days.map { try $0.string() } == ["saturday", "sunday"])
    }

    @Test func sequenceItemsAndFlowMappings() throws {
        let events = try parse(text).mapping().required("events")
        #expect(events.mark == at(5, 3))
        let first = try #require(try events.sequence().first)
        #expect(first.mark == at(5, 5))
        let event = try first.mapping()
        #expect(try event.required("id").mark == at(5, 9))

        let title = try event.required("title")
        #expect(title.mark == at(6, 12))
        let byLanguage = try title.mapping()
        #expect(byLanguage.keys == ["vi", "en"])
        #expect(byLanguage.entries[0].key.mark == at(6, 13))
        // Columns count characters, not bytes: "Sự kiện" has multi-byte letters.
        #expect(try byLanguage.required("vi").mark == at(6, 17))
        #expect(byLanguage.entries[1].key.mark == at(6, 28))
        #expect(try byLanguage.required("en").mark == at(6, 32))
    }

    @Test func descriptionIsFileLineColumn() {
        #expect(at(6, 12, file: "calendars/x.yaml").description == "calendars/x.yaml:6:12")
        let error = YAMLError(mark: at(2, 3), message: "expected a string, found a mapping")
        #expect(error.description == "t.yaml:2:3: expected a string, found a mapping")
    }

    @Test func scalarStylesAndTags() throws {
        let map = try parse("""
            a: plain
            b: 'single'
            c: "double"
            d: |
              literal
            e: >
              folded
            f: !!str 12
            """).mapping()
        let styles = try ["a", "b", "c", "d", "e"].map { try map.required($0).scalar?.style }
        #expect(styles == [.plain, .singleQuoted, .doubleQuoted, .literal, .folded])
        #expect(map["d"]?.scalar?.text == "literal\n")
        #expect(map["f"]?.scalar?.tag == "tag:yaml.org,2002:str")
        #expect(map["a"]?.scalar?.tag == nil)
    }
}

@Suite struct Syntax {
    @Test func libyamlErrorsCarryTheirMark() throws {
        let error = try #require(parseError("a: b: c\n", file: "bad.yaml"))
        #expect(error.mark == at(1, 5, file: "bad.yaml"))
        #expect(error.message == "mapping values are not allowed in this context")
        #expect(error.description == "bad.yaml:1:5: mapping values are not allowed in this context")
    }

    @Test func contextIsNamedInTheMessage() throws {
        let error = try #require(parseError("list: [1, 2\nnext: 3\n"))
        #expect(error.message.contains("while parsing a flow sequence at line 1, column 7"))
        #expect(error.mark.line == 2)
    }

    @Test func badIndentation() throws {
        let error = try #require(parseError("a:\n  b: 1\n c: 2\n"))
        #expect(error.mark.line == 3)
        #expect(error.message.contains("did not find expected key"))
    }

    @Test func invalidUTF8IsLocated() throws {
        var bytes = Array("a: 1\nb: x".utf8)
        bytes.append(0xFF)
        bytes.append(contentsOf: Array("\n".utf8))
        do {
            _ = try YAMLParser.parse(bytes, file: "t.yaml")
            Issue.record("expected a YAMLError")
        } catch {
            #expect(error.mark == at(2, 5))
            #expect(error.message.contains("UTF-8"))
        }
    }

    @Test func emptyStreamsGiveNil() throws {
        #expect(try YAMLParser.parse("", file: "t.yaml") == nil)
        #expect(try YAMLParser.parse("# only a comment\n\n", file: "t.yaml") == nil)
        #expect(try YAMLParser.parse([UInt8](), file: "t.yaml") == nil)
        // An explicit but empty document is a null node.
        #expect(try parse("---\n").isNull)
    }

    @Test func secondDocumentIsAnError() throws {
        let error = try #require(parseError("a: 1\n---\nb: 2\n"))
        #expect(error.mark == at(2, 1))
        #expect(error.message == "expected a single document")
        // An explicit end marker alone is still one document.
        #expect(try parse("---\na: 1\n...\n").mapping()["a"] != nil)
    }

    @Test func byteOrderMarkIsSkipped() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("quốc_gia: Việt Nam\nb: [1\n".utf8)
        do {
            _ = try YAMLParser.parse(bytes, file: "bom.yaml")
            Issue.record("expected a YAMLError")
        } catch {
            #expect(error.mark.line == 3)
        }
        let good: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("quốc_gia: Việt Nam\n".utf8)
        let map = try #require(try YAMLParser.parse(good, file: "bom.yaml")).mapping()
        #expect(map.keys == ["quốc_gia"])
        #expect(map.entries[0].key.mark == at(1, 1, file: "bom.yaml"))
        #expect(try map.required("quốc_gia").mark == at(1, 11, file: "bom.yaml"))
        #expect(try map.required("quốc_gia").string() == "Việt Nam")
    }

    @Test func deepNestingIsRefused() throws {
        let depth = YAMLParser.maxDepth + 10
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        let error = try #require(parseError(text))
        #expect(error.message.contains("nested more than"))
        #expect(error.mark == at(1, YAMLParser.maxDepth + 1))
    }
}

@Suite struct Files {
    func temporaryFile(_ bytes: [UInt8]) throws -> String {
        var template = Array("/tmp/kyniem-yaml-XXXXXX".utf8CString)
        let fd = mkstemp(&template)
        try #require(fd >= 0)
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        try #require(written == bytes.count)
        return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    @Test func readsAFileWithABOMAndVietnameseText() throws {
        let path = try temporaryFile([0xEF, 0xBB, 0xBF] + Array("title: {vi: \"Quốc khánh\"}\n".utf8))
        defer { unlink(path) }
        let root = try #require(try YAMLParser.parse(contentsOf: path, displayName: "calendars/vn.yaml"))
        let vi = try root.mapping().required("title").mapping().required("vi")
        #expect(try vi.string() == "Quốc khánh")
        #expect(vi.mark == Mark(file: "calendars/vn.yaml", line: 1, column: 13))
    }

    @Test func unreadableFileIsAnErrorAtTheStart() {
        do {
            _ = try YAMLParser.parse(contentsOf: "/nonexistent/kyniem.yaml", displayName: "kyniem.yaml")
            Issue.record("expected a YAMLError")
        } catch {
            #expect(error.mark == Mark(file: "kyniem.yaml", line: 1, column: 1))
            #expect(error.description == "kyniem.yaml:1:1: cannot read the file: No such file or directory")
        }
    }

    @Test func aDirectoryIsUnreadable() {
        do {
            _ = try YAMLParser.parse(contentsOf: "/tmp", displayName: "tmp")
            Issue.record("expected a YAMLError")
        } catch {
            #expect(error.message.hasPrefix("cannot read the file"))
        }
    }
}

@Suite struct Aliases {
    @Test func aliasIsACopyOfTheAnchoredNode() throws {
        let map = try parse("""
            defaults: &smtp {host: mail.example.org, port: 587}
            office: *smtp
            label: &l Hà Nội
            again: *l
            """).mapping()
        let office = try map.required("office")
        #expect(office.mark == at(2, 9))
        let smtp = try office.mapping()
        #expect(try smtp.required("port").int() == 587)
        // Nodes inside keep the marks of the original.
        #expect(try smtp.required("port").mark == at(1, 48))
        #expect(try map.required("again").string() == "Hà Nội")
    }

    @Test func unknownAliasIsAnError() throws {
        let error = try #require(parseError("a: *missing\n"))
        #expect(error.mark == at(1, 4))
        #expect(error.message.contains("*missing"))
    }

    @Test func billionLaughsIsStopped() throws {
        let text = """
            a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
            b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
            c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
            d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
            e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
            f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
            g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
            h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
            i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
            """
        let error = try #require(parseError(text))
        #expect(error.message.contains("aliases expand to more than 1000000 nodes"))
        #expect(error.mark.line == 7)
    }

    @Test func modestReuseIsFine() throws {
        let text = """
            a: &a [1, 2, 3]
            b: [*a, *a, *a, *a]
            """
        let b = try parse(text).mapping().required("b").sequence()
        #expect(b.count == 4)
        #expect(try b[3].sequence().map { try $0.int() } == [1, 2, 3])
    }

    @Test func mergeKeysAreOrdinaryKeysReportedAsUnsupported() throws {
        let map = try parse("""
            base: &b {x: 1}
            derived:
              <<: *b
              y: 2
            """).mapping().required("derived").mapping()
        #expect(map.keys == ["<<", "y"])
        #expect(map["x"] == nil)
        let errors = map.unknownKeys(allowed: ["x", "y"])
        #expect(errors.map(\.message) == ["merge keys (<<) are not supported; write the keys out"])
        #expect(errors.first?.mark == at(3, 3))
    }
}
