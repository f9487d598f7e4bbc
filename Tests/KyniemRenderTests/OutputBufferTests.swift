import KyniemCore
import Testing
@testable import KyniemRender

/// The byte writer the streamed formats go through: its own formatting of numbers, dates and
/// JSON strings must be byte for byte what the String code wrote, and flushing in chunks must
/// hand over every byte once, in order.
@Suite struct OutputBufferTests {
    @Test func numbersAndDatesAsStringsWriteThem() {
        var out = OutputBuffer()
        let numbers = [0, 7, 10, 99, 2027, -1, -40, Int(Int32.max), 1_000_000_007]
        for n in numbers {
            out.write(n)
            out.write(byte: UInt8(ascii: " "))
        }
        let dates = [LocalDate(1, 1, 1), LocalDate(999, 12, 31), LocalDate(2027, 9, 21), LocalDate(9999, 2, 28)]
        for date in dates {
            out.writeISO(date)
            out.write(byte: UInt8(ascii: " "))
        }
        let expected = numbers.map { String($0) + " " }.joined()
            + dates.map { $0.iso + " " }.joined()
        #expect(out.text == expected)
        #expect(dates.map(\.iso) == ["0001-01-01", "0999-12-31", "2027-09-21", "9999-02-28"])
        #expect(dates.map(\.basic) == ["00010101", "09991231", "20270921", "99990228"])
    }

    @Test(arguments: [
        "", "plain", "Sự kiện số 1 – kỷ niệm", "quote \" backslash \\ slash /", "tab\tline\nreturn\rbell\u{07}nul\u{00}",
        "form\u{0C}back\u{08}esc\u{1B}del\u{7F}", "sep\u{2028}para\u{2029}end", "\u{2027}\u{202A}€ not separators",
        "\"", "\\\\", "\u{1F}",
    ])
    func jsonStringsAreJSONTexts(text: String) {
        var out = OutputBuffer()
        out.writeJSONString(text)
        #expect(out.text == JSONText.string(text))
    }

    @Test(arguments: [
        "", "plain", "Quốc khánh – 80 năm", "&", "<>", "a&b<c>d\"e'f", "&&&", "end&", "&start", "\"quoted\"",
        "Ngày <b>Độc lập</b> & 'Tết'", "🇻🇳 flag & emoji",
    ])
    func htmlEscapesAsBytesAreTheStringEscapes(text: String) {
        var out = OutputBuffer()
        out.write("x")
        out.writeEscapedHTML(text)
        out.write("y")
        #expect(out.text == "x" + HTMLText.escaped(text) + "y")
    }

    @Test func chunksHandOverEveryByteOnceInOrder() {
        final class Sink { var bytes: [UInt8] = []; var chunks: [Int] = [] }
        let sink = Sink()
        var streamed = OutputBuffer { chunk in
            sink.bytes.append(contentsOf: chunk)
            sink.chunks.append(chunk.count)
        }
        var whole = OutputBuffer()
        for i in 0..<40_000 {
            let line = "line \(i), Sự kiện \(i)\n"
            streamed.write(line)
            whole.write(line)
        }
        #expect(sink.bytes.count < whole.text.utf8.count)  // not all handed over before finish
        streamed.finish()
        #expect(sink.bytes == Array(whole.text.utf8))
        // Full chunks (a line past the limit at most), then the rest.
        #expect(sink.chunks.count > 10)
        #expect(sink.chunks.dropLast().allSatisfy { $0 >= OutputBuffer.chunkSize && $0 < OutputBuffer.chunkSize + 64 })
        streamed.finish()
        #expect(sink.bytes.count == whole.text.utf8.count)
    }

    /// A title filled straight into the buffer is the JSON string of the filled title, for
    /// every character JSON escapes, next to placeholders and in either language.
    @Test func aTitleFilledInPlaceIsTheFilledTitleEscaped() {
        let templates = [
            "Kỷ niệm {n} năm \"quan hệ\" {country}", "tab\tback\\slash \u{2028}{n}\u{2029} ctl\u{01}{year}",
            "{a{n}} {unknown} {n {", "{", "", "\u{2028}", "{n}\"{n}\"", "\n{date}\r",
        ]
        for template in templates {
            let event = Event(
                id: "e", kind: .custom, country: "JP",
                title: LocalizedText(byLanguage: ["vi": template, "en": template + " en"], primary: template),
                recurrence: .origin(LocalDate(1973, 9, 21)))
            let occurrence = Occurrence(
                event: event, date: LocalDate(2027, 9, 21), ordinal: 54, tier: .routine, lunar: nil,
                country: Country(code: "JP", name: LocalizedText("Nhật \"Bản\"")))
            for language in Language.allCases {
                var filled = OutputBuffer()
                filled.writeJSONTitle(of: occurrence, language: language)
                var whole = OutputBuffer()
                whole.writeJSONString(occurrence.title(language))
                #expect(filled.text == whole.text, "\(template) \(language)")
            }
        }
    }
}
