import Testing
import KyniemYAML

@Suite struct JSON {
    @Test func typedByContent() throws {
        let node = try parse("""
            host: mail.example.org
            port: 587
            ratio: 0.25
            big: 1e3
            starttls: true
            verbose: false
            proxy: ~
            empty:
            country: NO
            quoted_port: "587"
            quoted_bool: 'true'
            phone: 0901234567
            zero: 0
            day: 1973-09-21
            hex: 0x1F
            inf: .inf
            to: [a@example.org, 2]
            nested: {b: 1, a: 2}
            """)
        let json = try node.toJSONValue()
        guard case .object(let members) = json else {
            Issue.record("expected an object")
            return
        }
        #expect(members.map(\.key) == [
            "host", "port", "ratio", "big", "starttls", "verbose", "proxy", "empty", "country", "quoted_port",
            "quoted_bool", "phone", "zero", "day", "hex", "inf", "to", "nested",
        ])
        #expect(members.map(\.value) == [
            .string("mail.example.org"), .number(.int(587)), .number(.double(0.25)), .number(.double(1000)),
            .bool(true), .bool(false), .null, .null, .string("NO"), .string("587"), .string("true"),
            .string("0901234567"), .number(.int(0)), .string("1973-09-21"), .string("0x1F"), .string(".inf"),
            .array([.string("a@example.org"), .number(.int(2))]),
            .object([(key: "b", value: .number(.int(1))), (key: "a", value: .number(.int(2)))]),
        ])
        #expect(json.jsonText == """
            {"host":"mail.example.org","port":587,"ratio":0.25,"big":1000.0,"starttls":true,"verbose":false,\
            "proxy":null,"empty":null,"country":"NO","quoted_port":"587","quoted_bool":"true",\
            "phone":"0901234567","zero":0,"day":"1973-09-21","hex":"0x1F","inf":".inf",\
            "to":["a@example.org",2],"nested":{"b":1,"a":2}}
            """)
    }

    @Test func stringEscaping() {
        let value = JSONValue.object([
            (key: "quote\"key", value: .string("say \"hi\"")),
            (key: "path", value: .string("C:\\dir\\file")),
            (key: "controls", value: .string("a\nb\tc\r\u{8}\u{C}\u{1}\u{1F}\u{7F}")),
            (key: "vi", value: .string("Việt Nam – Hà Nội 🇻🇳")),
        ])
        #expect(value.jsonText == #"""
            {"quote\"key":"say \"hi\"","path":"C:\\dir\\file","controls":"a\nb\tc\r\b\f\u0001\u001f\#u{7F}",\#
            "vi":"Việt Nam – Hà Nội 🇻🇳"}
            """#)
        // Non-ASCII stays UTF-8, byte for byte.
        #expect(Array(JSONValue.string("ệ").jsonText.utf8) == [0x22, 0xE1, 0xBB, 0x87, 0x22])
    }

    @Test func vietnameseSettingsPassThrough() throws {
        let node = try parse("subject: \"Kỷ niệm {n} năm\"\nfooter: |\n  Sở Ngoại vụ\n")
        #expect(try node.toJSONValue().jsonText == #"{"subject":"Kỷ niệm {n} năm","footer":"Sở Ngoại vụ\n"}"#)
    }

    @Test func scalarsAndEmptyCollections() throws {
        #expect(try parse("[]").toJSONValue().jsonText == "[]")
        #expect(try parse("{}").toJSONValue().jsonText == "{}")
        #expect(try parse("-12").toJSONValue() == .number(.int(-12)))
        #expect(try parse("99999999999999999999").toJSONValue() == .number(.double(1e20)))
        #expect(try parse("!!str 12").toJSONValue() == .string("12"))
        #expect(JSONValue.number(.double(1e-7)).jsonText == "1e-07")
    }

    @Test func complexKeysCannotBecomeJSON() throws {
        let node = try parse("? [a, b]\n: 1\n")
        do {
            _ = try node.toJSONValue()
            Issue.record("expected a YAMLError")
        } catch {
            #expect(error.description == "t.yaml:1:3: a key passed on as JSON must be a string, found a sequence")
        }
    }
}
