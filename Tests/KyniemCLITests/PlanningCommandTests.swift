import Foundation
import Testing

@Suite struct PlanningCommandTests {
    @Test func upcomingWorksWithNoConfigurationAnywhere() throws {
        let result = try Kyniem.run(["upcoming"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Sắp tới từ"))
    }

    @Test func upcomingJSONHasTheFixedFields() throws {
        let result = try Kyniem.run(["upcoming", "--from", "2027-01-01", "--until", "2027-12-31", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["from"] as? String == "2027-01-01")
        #expect(object["to"] as? String == "2027-12-31")
        let occurrences = try #require(object["occurrences"] as? [[String: Any]])
        #expect(occurrences.count > 400)
        for occurrence in occurrences {
            for key in ["date", "event", "kind", "country", "title", "ordinal", "tier", "lunar"] {
                #expect(occurrence.keys.contains(key), "missing \(key)")
            }
        }
        // Sorted by date, then event id.
        let order = occurrences.map { "\($0["date"] as! String) \($0["event"] as! String)" }
        #expect(order == order.sorted())
        let japan = try #require(occurrences.first { $0["event"] as? String == "jp-relations" })
        #expect(japan["date"] as? String == "2027-09-21")
        #expect(japan["ordinal"] as? Int == 54)
        #expect(japan["tier"] as? String == "routine")
        #expect(japan["country"] as? String == "JP")
        #expect(japan["lunar"] is NSNull)
        let tet = try #require(occurrences.first { $0["event"] as? String == "vn-tet" })
        #expect(tet["date"] as? String == "2027-02-06")
        let lunar = try #require(tet["lunar"] as? [String: Any])
        #expect(lunar["month"] as? Int == 1 && lunar["day"] as? Int == 1 && lunar["leap"] as? Bool == false)
        #expect(tet["ordinal"] is NSNull)
    }

    @Test func japanFiftyFifthAnniversaryIn2028() throws {
        let result = try Kyniem.run(["upcoming", "--from", "2028-01-01", "--until", "2028-12-31", "--format", "json", "--country", "JP", "--lang", "en"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let occurrences = try #require(object["occurrences"] as? [[String: Any]])
        let japan = try #require(occurrences.first { $0["event"] as? String == "jp-relations" })
        #expect(japan["date"] as? String == "2028-09-21")
        #expect(japan["ordinal"] as? Int == 55)
        #expect(japan["tier"] as? String == "notable")
        #expect((japan["title"] as? String)?.hasPrefix("55th anniversary") == true)
        #expect(occurrences.allSatisfy { $0["country"] as? String == "JP" })
    }

    @Test func filtersNarrowTheWindow() throws {
        let result = try Kyniem.run(["upcoming", "--from", "2030-01-01", "--days", "365", "--tier", "major", "--kind", "diplomatic-relations", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
        let occurrences = object["occurrences"] as! [[String: Any]]
        #expect(!occurrences.isEmpty)
        #expect(occurrences.allSatisfy { $0["tier"] as? String == "major" && $0["kind"] as? String == "diplomatic-relations" })
        #expect(occurrences.allSatisfy { (($0["ordinal"] as? Int) ?? 1) % 10 == 0 })
        #expect(object["to"] as? String == "2030-12-31")
    }

    @Test func explainShowsRuleTierRemindersAndChecklist() throws {
        let result = try Kyniem.run(["explain", "jp-relations", "--year", "2033", "--lang", "en"])
        #expect(result.status == 0, "\(result.stderr)")
        let text = result.stdout
        #expect(text.contains("every year on 21 September, counting from 21 September 1973"))
        #expect(text.contains("Wednesday, 21 September 2033 — 60th anniversary, tier Major"))
        #expect(text.contains("23 June 2033       Thursday   90-day reminder"))
        #expect(text.contains("Checklist:"))
        #expect(!text.contains("Source") && !text.contains("source:"))
        // Every checklist due date is a working day (no Saturday or Sunday).
        let taskLines = text.split(separator: "\n").filter { $0.contains(" before ") || $0.contains(" after ") }
        #expect(!taskLines.isEmpty)
        #expect(taskLines.allSatisfy { !$0.contains("Saturday") && !$0.contains("Sunday") })
    }

    @Test func explainSaysWhyADueDateMoved() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kyniem-explain-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("kyniem.yaml").path
        try """
            calendars: [bundled:vietnam/holidays.yaml]
            events:
              - {id: visit, kind: custom, title: Visit, once: 2026-05-11}
            checklists:
              - for: {kind: custom}
                tasks:
                  - {id: letter, at: -14d, title: {vi: "Soạn thư", en: "Draft the letter"}}
            notifiers: [{id: console, type: console}]
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let en = try Kyniem.run(["explain", "visit", "--year", "2026", "--lang", "en", "--config", path])
        #expect(en.status == 0, "\(en.stderr)")
        #expect(en.stdout.contains("24 April 2026  Friday  14 days before  Draft the letter  (moved from 27 April 2026: "
            + "27 April is the day off in lieu of Hung Kings' Commemoration Day"), "\(en.stdout)")
        let vi = try Kyniem.run(["explain", "visit", "--year", "2026", "--lang", "vi", "--config", path])
        #expect(vi.stdout.contains("24/4/2026  Thứ Sáu  trước 14 ngày  Soạn thư  (dời từ 27/4/2026: 27/4 là ngày nghỉ bù Giỗ Tổ Hùng Vương"), "\(vi.stdout)")
    }

    @Test func explainLunarEvent() throws {
        let result = try Kyniem.run(["explain", "vn-tet", "--year", "2030", "--lang", "en"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Vietnamese lunar calendar (UTC+7): day 1 of month 1"))
        #expect(result.stdout.contains("Saturday, 2 February 2030"))
    }

    @Test func unknownEventAndBadArgumentsExit2() throws {
        let unknown = try Kyniem.run(["explain", "jp-relatons"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("no event \"jp-relatons\""))
        let badDate = try Kyniem.run(["upcoming", "--from", "2027-02-30"])
        #expect(badDate.status == 2)
        #expect(badDate.stderr.contains("expected a date like 2027-01-01"))
        let badOption = try Kyniem.run(["upcoming", "--frmo", "2027-01-01"])
        #expect(badOption.status == 2)
        let badLang = try Kyniem.run(["upcoming", "--lang", "fr"])
        #expect(badLang.status == 2)
        let badTier = try Kyniem.run(["upcoming", "--tier", "huge"])
        #expect(badTier.status == 2)
    }

    @Test func checkPassesOnTheBundledDataAndListsEveryProblemOtherwise() throws {
        let ok = try Kyniem.run(["check"])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("ok"))

        let fixture = Kyniem.repository.appendingPathComponent("Tests/KyniemConfigTests/Fixtures/errors/kyniem.yaml")
        let bad = try Kyniem.run(["check", "--config", fixture.path])
        #expect(bad.status == 2)
        #expect(bad.stdout.isEmpty)
        let lines = bad.stderr.split(separator: "\n")
        #expect(lines.contains { $0.hasSuffix("errors/kyniem.yaml:3:13: unknown time zone \"Asia/Hanoi_City\"; expected an IANA name like Asia/Ho_Chi_Minh") })
        #expect(lines.contains { $0.hasSuffix("errors/calendars/a.yaml:10:11: 1973-02-30 is not a day on the calendar: February 1973 has 28 days") })
        #expect(bad.stderr.contains("24 problems found; nothing was done."))

        // Every other command refuses the same configuration before doing anything.
        let upcoming = try Kyniem.run(["upcoming", "--config", fixture.path])
        #expect(upcoming.status == 2)
        #expect(upcoming.stdout.isEmpty)
        #expect(upcoming.stderr.contains("24 problems found"))
    }

    @Test func initWritesAStarterThatChecksAndRefusesToOverwrite() throws {
        let folder = Kyniem.temporaryFolder()
        let first = try Kyniem.run(["init"], in: folder)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("kyniem.yaml").path))
        let check = try Kyniem.run(["check"], in: folder)
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.contains("kyniem.yaml: ok"))
        let again = try Kyniem.run(["init"], in: folder)
        #expect(again.status == 2)
        #expect(again.stderr.contains("already exists"))
        // ./kyniem.yaml is now the configuration: its own event shows up.
        let upcoming = try Kyniem.run(["upcoming", "--from", "2027-05-01", "--days", "30", "--format", "json"], in: folder)
        #expect(upcoming.stdout.contains("sister-province-visit"))
    }

    @Test func calendarWritesEveryFormatAtomically() throws {
        let folder = Kyniem.temporaryFolder()
        for format in ["ics", "html", "md", "csv", "json"] {
            let result = try Kyniem.run(["calendar", "--year", "2027", "--format", format, "--output", "cal.\(format)"], in: folder)
            #expect(result.status == 0, "\(format): \(result.stderr)")
            let text = try String(contentsOf: folder.appendingPathComponent("cal.\(format)"), encoding: .utf8)
            #expect(text.count > 1000, "\(format)")
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains(".tmp") }
        #expect(leftovers.isEmpty)
        let ics = try String(contentsOf: folder.appendingPathComponent("cal.ics"), encoding: .utf8)
        #expect(ics.hasPrefix("BEGIN:VCALENDAR\r\n"))
        #expect(ics.contains("jp-relations-20270921"))
        let missingYear = try Kyniem.run(["calendar"], in: folder)
        #expect(missingYear.status == 2)
    }
}
