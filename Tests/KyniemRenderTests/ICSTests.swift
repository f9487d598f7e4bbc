import KyniemCore
import Testing
@testable import KyniemRender

/// SplitMix64: a seeded generator so that the random cases are the same on every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The physical lines of an ICS text, each without its CRLF; fails on a bare CR or LF.
func physicalLines(_ ics: String) -> [[UInt8]] {
    let bytes = Array(ics.utf8)
    var lines: [[UInt8]] = []
    var current: [UInt8] = []
    var i = 0
    while i < bytes.count {
        if bytes[i] == 0x0D {
            #expect(i + 1 < bytes.count && bytes[i + 1] == 0x0A, "bare CR at byte \(i)")
            lines.append(current)
            current = []
            i += 2
            continue
        }
        #expect(bytes[i] != 0x0A, "bare LF at byte \(i)")
        current.append(bytes[i])
        i += 1
    }
    #expect(current.isEmpty, "the last line has no CRLF")
    return lines
}

/// Content lines after unfolding (RFC 5545 §3.1).
func contentLines(_ ics: String) -> [String] {
    ContentLines.unfold(ics).components(separatedBy: "\r\n").filter { !$0.isEmpty }
}

@Suite struct ICSTests {
    static let documents = Language.allCases.map { Fixture.document($0) }

    @Test(arguments: Language.allCases)
    func linesAreShortCRLFAndWholeCharacters(language: Language) {
        let ics = CalendarRenderer.render(Fixture.document(language), as: .ics)
        var folded = 0
        for line in physicalLines(ics) {
            #expect(line.count <= 75, "line of \(line.count) octets: \(String(decoding: line, as: UTF8.self))")
            // Each physical line must be valid UTF-8 on its own: no character split across a fold.
            #expect(String(validating: line, as: UTF8.self) != nil, "a fold split a UTF-8 sequence")
            if line.first == 0x20 { folded += 1 }
        }
        #expect(folded > 10, "the fixture should force folding")
    }

    @Test func foldingSplitsInsideMultibyteText() {
        // 'ệ' is 3 octets: 30 of them are 90 octets, so the break must fall between two of them.
        let line = "SUMMARY:" + String(repeating: "ệ", count: 30)
        let folded = ContentLines.fold(line)
        let lines = physicalLines(folded)
        #expect(lines.count == 2)
        #expect(lines[0].count == 74)  // 8 + 22 × 3; a 23rd 'ệ' would make 77
        #expect(ContentLines.unfold(folded) == line + "\r\n")
    }

    @Test func exactly75OctetsIsNotFolded() {
        let line = String(repeating: "a", count: 75)
        #expect(ContentLines.fold(line) == line + "\r\n")
        let longer = String(repeating: "a", count: 76)
        #expect(ContentLines.fold(longer) == String(repeating: "a", count: 75) + "\r\n a\r\n")
    }

    @Test func foldThenUnfoldGivesBackTheLine() {
        var random = SeededGenerator(state: 2027)
        let alphabet: [String] = ["a", "Z", " ", ";", "ñ", "ệ", "Đ", "–", "ữ", "🇯", "🇵", "日", "\u{0301}"]
        for _ in 0..<2_000 {
            let length = Int.random(in: 0...400, using: &random)
            var line = ""
            for _ in 0..<length { line += alphabet.randomElement(using: &random)! }
            let folded = ContentLines.fold(line)
            for physical in physicalLines(folded) {
                #expect(physical.count <= 75)
                #expect(String(validating: physical, as: UTF8.self) != nil)
            }
            #expect(ContentLines.unfold(folded) == line + "\r\n")
        }
    }

    @Test func textEscaping() {
        #expect(ContentLines.escapeText("a\\b;c,d\ne\r\nf\rg") == "a\\\\b\\;c\\,d\\ne\\nf\\ng")
        #expect(ContentLines.escapeText("tab\tkept, bell\u{07} dropped") == "tab\tkept\\, bell dropped")
    }

    @Test func calendarProperties() {
        let lines = contentLines(CalendarRenderer.render(Self.documents[0], as: .ics))
        #expect(Array(lines.prefix(6)) == [
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//kyniem//kyniem calendar//VI", "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH", "X-WR-CALNAME:Lịch đối ngoại năm 2027",
        ])
        #expect(lines.last == "END:VCALENDAR")
    }

    @Test func oneEventPerOccurrenceWithUniqueStableUIDs() {
        let document = Self.documents[1]
        let lines = contentLines(CalendarRenderer.render(document, as: .ics))
        let uids = lines.filter { $0.hasPrefix("UID:") }
        #expect(uids.count == document.entries.count)
        #expect(Set(uids).count == uids.count)
        #expect(lines.filter { $0 == "BEGIN:VEVENT" }.count == document.entries.count)
        #expect(uids.contains("UID:jp-relations-20270921@kyniem"))
        // The same event and date keep their UID in another language and another year's file.
        let vi = contentLines(CalendarRenderer.render(Self.documents[0], as: .ics)).filter { $0.hasPrefix("UID:") }
        #expect(vi == uids)
        let next = contentLines(CalendarRenderer.render(Fixture.document(.en, year: 2028), as: .ics))
        #expect(next.contains("UID:jp-relations-20280921@kyniem"))
    }

    @Test func allDayDatesAndAlarms() {
        let lines = contentLines(CalendarRenderer.render(Self.documents[1], as: .ics))
        // Brunei's 29 February origin, in a common year.
        let bn = lines.firstIndex(of: "UID:bn-relations-20270228@kyniem")
        #expect(bn != nil)
        #expect(lines.contains("DTSTART;VALUE=DATE:20270228"))
        #expect(lines.contains("DTEND;VALUE=DATE:20270301"))
        #expect(lines.contains("DTSTART;VALUE=DATE:20271231") == false)
        // The major Cambodia anniversary has four alarms: 90, 30, 7 days before and on the day.
        guard let start = lines.firstIndex(of: "UID:kh-relations-20270624@kyniem"),
            let end = lines[start...].firstIndex(of: "END:VEVENT")
        else {
            Issue.record("no kh-relations event")
            return
        }
        let triggers = lines[start..<end].filter { $0.hasPrefix("TRIGGER:") }
        #expect(triggers == ["TRIGGER:-P90D", "TRIGGER:-P30D", "TRIGGER:-P7D", "TRIGGER:PT0S"])
        #expect(lines[start..<end].contains("CATEGORIES:diplomatic-relations,major"))
        #expect(lines[start..<end].contains("TRANSP:TRANSPARENT"))
        #expect(lines[start..<end].contains("SUMMARY:60th anniversary of Vietnam–Cambodia diplomatic relations"))
        #expect(lines[start..<end].contains { $0.hasPrefix("DESCRIPTION:60th anniversary · Tier: Major\\n") })
    }

    @Test func summaryIsEscaped() {
        let lines = contentLines(CalendarRenderer.render(Self.documents[1], as: .ics))
        #expect(lines.contains(
            "SUMMARY:<script>alert('x')</script> Receive the \"Friendship\" delegation\\, Ōsaka & Nara | cost\\; 50% \\\\ share"
        ))
    }

    @Test func lunarDateInDescription() {
        let lines = contentLines(CalendarRenderer.render(Self.documents[0], as: .ics))
        #expect(lines.contains { $0.hasPrefix("DESCRIPTION:") && $0.contains("15/8 âm lịch") })
        #expect(!lines.contains { $0.hasPrefix("RRULE") })
    }
}
