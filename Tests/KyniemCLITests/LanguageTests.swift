import Foundation
import KyniemCore
import Testing

/// Vietnamese output is Vietnamese: no word of the localisation table's English column shows in
/// `--lang vi` output of `upcoming`, `explain`, `calendar` (every format) and the run's digest,
/// and no dataset note or source shows in any of them (they belong to `explain --sources`).
@Suite struct LanguageTests {
    /// The English column of `Vocabulary`, as words: labels, kinds, tiers, weekdays, months, steps.
    static let englishWords: Set<String> = {
        var texts = Vocabulary.phrases.values.map(\.en)
        texts += EventKind.allCases.map { Vocabulary.kind($0, .en) }
        texts += [Tier.major, .notable, .routine].map { $0.label(.en) }
        texts += Weekday.allCases.map { Vocabulary.weekday($0, .en) }
        texts += Vocabulary.englishMonths
        texts += [0, 1, 7, 30].map { Vocabulary.reminder(daysBefore: $0, .en) }
        texts += [0, 1, 7, -3].map { Vocabulary.countdown($0, .en) }
        texts += [Vocabulary.lead(daysBefore: 7, .en), Vocabulary.anniversary(54, .en), Vocabulary.count(2, .en)]
        texts += [Vocabulary.generated(LocalDate(2027, 1, 1), .en)]
        texts += ["commemoration", "routine", "notable", "major", "remind", "task", "kind", "tier", "source", "note"]
        var words = Set<String>()
        for text in texts {
            for word in text.lowercased().split(whereSeparator: { !$0.isLetter }) where word.count >= 3 {
                words.insert(String(word))
            }
        }
        return words
    }()

    /// The dataset's `note:` and `source:` values, from the bundled YAML.
    static let notes: [String] = {
        var values: [String] = []
        let folder = Kyniem.repository.appendingPathComponent("calendars/vietnam")
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] where name.hasSuffix(".yaml") {
            let text = (try? String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)) ?? ""
            for line in text.split(separator: "\n") {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                for key in ["note:", "source:", "since_source:"] where trimmed.hasPrefix(key) {
                    var value = trimmed.dropFirst(key.count).trimmingCharacters(in: .whitespaces)
                    if value.hasPrefix("\"") { value = String(value.dropFirst().prefix { $0 != "\"" }) }
                    if value.count >= 16 { values.append(String(value.prefix(40))) }
                }
            }
        }
        return values
    }()

    static func englishIn(_ text: String) -> [String] {
        let words = text.lowercased().split(whereSeparator: { !$0.isLetter }).map(String.init)
        return Array(Set(words.filter { englishWords.contains($0) })).sorted()
    }

    static func check(_ name: String, _ text: String) {
        #expect(!text.isEmpty, "\(name) printed nothing")
        #expect(englishIn(text).isEmpty, "\(name): \(englishIn(text))")
        let leaked = notes.filter { text.contains($0) }
        #expect(leaked.isEmpty, "\(name) shows dataset notes: \(leaked.prefix(3))")
        #expect(!text.contains("Nguồn:") && !text.contains("Ghi chú:"), "\(name)")
        // Dates as Vietnamese readers write them, not ISO.
        #expect(text.firstMatch(of: /\b20[0-9]{2}-[01][0-9]-[0-3][0-9]\b/) == nil, "\(name) has an ISO date")
    }

    @Test func theTableHasItsEnglishWords() {
        #expect(Self.englishWords.isSuperset(of: ["routine", "notable", "major", "reminder", "thursday", "october", "commemoration"]))
        #expect(Self.notes.count > 50)
    }

    @Test func upcomingAndExplainSpeakVietnamese() throws {
        let upcoming = try Kyniem.run(["upcoming", "--lang", "vi", "--from", "2027-09-01", "--days", "120"])
        #expect(upcoming.status == 0, "\(upcoming.stderr)")
        #expect(upcoming.stdout.contains("Thường niên") && upcoming.stdout.contains("Trọng điểm"))
        Self.check("upcoming", upcoming.stdout)
        for event in ["jp-relations", "ar-national-day", "vn-tet", "vn-national-day"] {
            let explain = try Kyniem.run(["explain", event, "--lang", "vi", "--year", "2028"])
            #expect(explain.status == 0, "\(explain.stderr)")
            // The first line is the event's id, as typed.
            Self.check("explain \(event)", explain.stdout.split(separator: "\n").dropFirst().joined(separator: "\n"))
        }
        let withSources = try Kyniem.run(["explain", "jp-relations", "--lang", "vi", "--sources"])
        #expect(withSources.stdout.contains("nguồn:"))
    }

    @Test(arguments: ["ics", "html", "md", "csv", "json"])
    func theCalendarSpeaksVietnamese(format: String) throws {
        let result = try Kyniem.run(["calendar", "--year", "2027", "--lang", "vi", "--format", format])
        #expect(result.status == 0, "\(result.stderr)")
        var text = result.stdout
        switch format {
        case "ics":
            // What people read: titles and descriptions (unfolded); the rest is for programs.
            let unfolded = text.replacingOccurrences(of: "\r\n ", with: "")
            text = unfolded.split(separator: "\r\n").filter { $0.hasPrefix("SUMMARY") || $0.hasPrefix("DESCRIPTION") }
                .joined(separator: "\n").replacingOccurrences(of: "\\n", with: "\n")
        case "html":
            text = text.replacing(/<style>[\s\S]*?<\/style>/, with: "").replacing(/<[^>]*>/, with: " ")
        case "json":
            // The fixed machine fields (kind, tier) are SPEC's; people read the titles.
            let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            let occurrences = try #require(object["occurrences"] as? [[String: Any]])
            text = occurrences.compactMap { $0["title"] as? String }.joined(separator: "\n")
        case "csv":
            // The header names columns for programs, and `event`, `kind`, `tier` are codes (as in
            // JSON); people read the rest.
            let rows = Self.csv(text).dropFirst()
            text = rows.map { row in
                row.enumerated().filter { ![2, 3, 8].contains($0.offset) }.map(\.element).joined(separator: " | ")
            }.joined(separator: "\n")
        default: break
        }
        if format == "ics" || format == "json" || format == "csv" {
            #expect(Self.englishIn(text).isEmpty, "\(format): \(Self.englishIn(text))")
            #expect(Self.notes.filter { text.contains($0) }.isEmpty, "\(format)")
        } else {
            Self.check("calendar \(format)", text.replacing(/\b20[0-9]{2}-[01][0-9]-[0-3][0-9]\b/, with: ""))
        }
    }

    /// RFC 4180 records.
    static func csv(_ text: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = "", quoted = false
        var characters = Array(text)[...]
        while let character = characters.popFirst() {
            if quoted {
                if character == "\"" {
                    if characters.first == "\"" { field.append("\""); characters.removeFirst() } else { quoted = false }
                } else { field.append(character) }
            } else if character == "\"" {
                quoted = true
            } else if character == "," {
                row.append(field); field = ""
            } else if character == "\r\n" || character == "\n" {
                row.append(field); field = ""; rows.append(row); row = []
            } else { field.append(character) }
        }
        return rows
    }

    @Test func theRunsDigestSpeaksVietnamese() throws {
        let folder = Kyniem.temporaryFolder()
        // The embedded default: the bundled calendars and a console notifier, in Vietnamese.
        let result = try Kyniem.run(["run", "--date", "2027-09-14"], in: folder)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("Kỷ niệm: "))
        Self.check("run digest", result.stdout)
    }
}
