import Foundation
import KyniemCore
import Testing
@testable import KyniemRender

/// An RFC 4180 reader, written for the test so that the renderer is checked by other code.
func parseCSV(_ text: String) -> [[String]] {
    var records: [[String]] = []
    var record: [String] = []
    var field = ""
    var quoted = false
    var scalars = Array(text.unicodeScalars)[...]
    while let scalar = scalars.popFirst() {
        if quoted {
            if scalar == "\"" {
                if scalars.first == "\"" {
                    field.unicodeScalars.append("\"")
                    scalars.removeFirst()
                } else {
                    quoted = false
                }
            } else {
                field.unicodeScalars.append(scalar)
            }
        } else if scalar == "\"" && field.isEmpty {
            quoted = true
        } else if scalar == "," {
            record.append(field)
            field = ""
        } else if scalar == "\r" {
            #expect(scalars.first == "\n", "CR without LF outside quotes")
            scalars.removeFirst()
            record.append(field)
            records.append(record)
            record = []
            field = ""
        } else {
            #expect(scalar != "\n", "bare LF outside quotes")
            field.unicodeScalars.append(scalar)
        }
    }
    #expect(field.isEmpty && record.isEmpty, "the last record has no CRLF")
    return records
}

@Suite struct CSVTests {
    @Test(arguments: Language.allCases)
    func rowsParseBack(language: Language) {
        let document = Fixture.document(language)
        let records = parseCSV(CalendarRenderer.render(document, as: .csv))
        #expect(records.count == document.entries.count + 1)
        #expect(records.first == CSVRenderer.columns)
        for (record, entry) in zip(records.dropFirst(), document.entries) {
            #expect(record.count == CSVRenderer.columns.count)
            #expect(record[0] == entry.occurrence.date.iso)
            #expect(record[2] == entry.occurrence.event.id)
            #expect(record[6] == entry.occurrence.title(language))
            #expect(record[7] == (entry.occurrence.ordinal.map(String.init) ?? ""))
        }
        let midAutumn = records.first { $0[2] == "vn-mid-autumn" }
        #expect(midAutumn?[9] == "15/8")
        #expect(records.first { $0[2] == "vn-tet" }?[10] == "true")
    }

    @Test func quotingFollowsRFC4180() {
        var out = OutputBuffer()
        CSVRenderer.appendField("plain", to: &out)
        out.write("|")
        CSVRenderer.appendField("a,b", to: &out)
        out.write("|")
        CSVRenderer.appendField("say \"hi\"", to: &out)
        out.write("|")
        CSVRenderer.appendField("two\nlines", to: &out)
        #expect(out.text == "plain|\"a,b\"|\"say \"\"hi\"\"\"|\"two\nlines\"")
    }
}

@Suite struct JSONTests {
    @Test func escaping() {
        #expect(JSONText.string("a\"b\\c") == "\"a\\\"b\\\\c\"")
        #expect(JSONText.string("\n\r\t\u{08}\u{0C}\u{01}\u{1F}") == "\"\\n\\r\\t\\b\\f\\u0001\\u001f\"")
        #expect(JSONText.string("Việt Nam – Nhật Bản 🇯🇵") == "\"Việt Nam – Nhật Bản 🇯🇵\"")
        #expect(JSONText.string("\u{2028}") == "\"\\u2028\"")
    }

    @Test(arguments: Language.allCases)
    func calendarParsesBackWithFixedFieldsFirst(language: Language) throws {
        let document = Fixture.document(language)
        let text = CalendarRenderer.render(document, as: .json)
        #expect(text.hasPrefix("{\"from\": \"2027-01-01\", \"to\": \"2027-12-31\", \"occurrences\": [\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let occurrences = try #require(object["occurrences"] as? [[String: Any]])
        #expect(occurrences.count == document.entries.count)
        for (item, entry) in zip(occurrences, document.entries) {
            #expect(item["title"] as? String == entry.occurrence.title(language))
            #expect(item["date"] as? String == entry.occurrence.date.iso)
        }
        // Every line of an occurrence starts with the fixed fields in SPEC.md's order.
        for line in text.split(separator: "\n").dropFirst().dropLast() {
            let keys = ["\"date\"", "\"event\"", "\"kind\"", "\"country\"", "\"title\"", "\"ordinal\"", "\"tier\"",
                "\"lunar\""]
            var position = line.startIndex
            for key in keys {
                let found = try #require(line[position...].range(of: key))
                position = found.upperBound
            }
        }
        let tet = try #require(occurrences.first { $0["event"] as? String == "vn-tet" })
        #expect(tet["country"] is NSNull)
        #expect(tet["ordinal"] is NSNull)
        let lunar = try #require(tet["lunar"] as? [String: Any])
        #expect(lunar["month"] as? Int == 1 && lunar["day"] as? Int == 1 && lunar["leap"] as? Bool == false)
        let kh = try #require(occurrences.first { $0["event"] as? String == "kh-relations" })
        #expect(kh["ordinal"] as? Int == 60 && kh["tier"] as? String == "major" && kh["lunar"] is NSNull)
        #expect((kh["checklist"] as? [[String: Any]])?.count == 3)
    }

    @Test func eachKindIsWrittenAsItsRawValueBetweenItsNeighbours() {
        for kind in EventKind.allCases {
            #expect(OccurrenceJSON.kindMembers(kind) == ", \"kind\": \"\(kind.rawValue)\", \"country\": ")
        }
    }

    @Test func theUsualTiersAreWrittenAsTheirRawValueBetweenTheirNeighbours() {
        for tier in [Tier.major, .notable, .routine] {
            #expect(OccurrenceJSON.tierMembers(tier) == ", \"tier\": \"\(tier.rawValue)\", \"lunar\": ")
        }
        // A configuration's own tier goes through the escaping writer.
        #expect(OccurrenceJSON.tierMembers(Tier("Trọng \"điểm\"")) == nil)
        #expect(OccurrenceJSON.tierMembers(Tier("majo")) == nil)
    }
}

extension JSONTests {
    /// A result large enough to be written in chunks on several cores is the same text as one
    /// written occurrence by occurrence.
    @Test func aLargeResultIsTheSameAsOneWrittenLineByLine() {
        let base = Fixture.occurrences()
        var occurrences: [Occurrence] = []
        while occurrences.count < 40_000 { occurrences += base }
        let from = LocalDate(2027, 1, 1), to = LocalDate(2027, 12, 31)
        let lines = occurrences.map { occurrence in
            let one = OccurrenceJSON.render(from: from, to: to, occurrences: [occurrence], language: .vi)
            return String(one.split(separator: "\n")[1])
        }
        let expected = "{\"from\": \"2027-01-01\", \"to\": \"2027-12-31\", \"occurrences\": [\n"
            + lines.joined(separator: ",\n") + "\n]}\n"
        #expect(OccurrenceJSON.render(from: from, to: to, occurrences: occurrences, language: .vi) == expected)
    }
}

@Suite struct HTMLTests {
    static let html = CalendarRenderer.render(Fixture.document(.vi), as: .html)

    @Test func dataIsEscaped() {
        #expect(!Self.html.contains("<script>"))
        #expect(Self.html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Đón đoàn &quot;Hữu nghị&quot;"))
        #expect(Self.html.contains("Ōsaka, Kyōto &amp; Nara"))
        #expect(HTMLRenderer.escaped("<a href=\"x\">'&'</a>") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
    }

    @Test func selfContainedPrintablePage() {
        let html = Self.html
        #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"vi\">"))
        #expect(html.contains("<meta charset=\"utf-8\">"))
        #expect(html.contains("@page { size: A4; margin: 12mm; }"))
        for fetch in ["src=", "href=", "url(", "@import", "<script"] {
            #expect(!html.contains(fetch), "\(fetch) would fetch or run something")
        }
        #expect(html.components(separatedBy: "<table class=\"month\">").count - 1 == 12)
        #expect(html.contains("<th>T2</th>"))
        #expect(html.contains("<th class=\"we\">CN</th>"))
        #expect(html.contains("Tháng 9"))
        #expect(html.contains("🇯🇵"))
        #expect(html.contains("(15/8 âm lịch)"))
        let en = CalendarRenderer.render(Fixture.document(.en), as: .html)
        #expect(en.contains("<html lang=\"en\">") && en.contains("September") && en.contains("<th>Mo</th>"))
    }

    @Test func gridMarksDaysByHeaviestTierAndDayOff() {
        // 24 June 2027 (a Thursday): the major Cambodia anniversary.
        #expect(Self.html.contains("<td class=\"ev t-major\" title=\"Kỷ niệm 60 năm"))
        // 2 September 2027 (a Thursday): the National Day, a day off.
        #expect(Self.html.contains("<td class=\"ev t-routine off\" title=\"Quốc khánh nước CHXHCN Việt Nam\">2</td>"))
        // 6 February 2027 (a Saturday): Tết.
        #expect(Self.html.contains("<td class=\"we ev t-routine off\" title=\"Tết Nguyên Đán\">6</td>"))
    }
}

@Suite struct MarkdownTests {
    @Test func pipesAreEscapedAndEveryRowHasFiveCells() {
        let md = CalendarRenderer.render(Fixture.document(.en), as: .md)
        #expect(md.contains("\\| cost; 50% \\ share"))
        #expect(md.contains("&lt;script>"))
        for line in md.split(separator: "\n") where line.hasPrefix("|") {
            // Unescaped pipes delimit cells: six of them for five cells.
            var pipes = 0
            var previous: Character = " "
            for character in line {
                if character == "|" && previous != "\\" { pipes += 1 }
                previous = character
            }
            #expect(pipes == 6, "\(line)")
        }
        #expect(md.components(separatedBy: "\n## ").count - 1 == 12)
    }
}
