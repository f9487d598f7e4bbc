import Foundation
import Testing
import KyniemConfig
import KyniemCore

/// The bundled calendars against the sourced tables they were built from (a copy of
/// shared/data under Fixtures/data, so the test runs wherever the repository is cloned).
@Suite struct DatasetTests {
    static let data = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/data")
    /// The repository's own inputs to scripts/gen-calendars.py: documented overrides of the
    /// read-only tables, the ordinal policy per national day, and the partnership frameworks.
    static let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts")

    /// RFC 4180 rows (quoted fields may hold commas and doubled quotes), keyed by the header.
    static func rows(_ name: String, in folder: URL = data) throws -> [[String: String]] {
        let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
        var records: [[String]] = []
        var field = ""
        var record: [String] = []
        var quoted = false
        var iterator = text.makeIterator()
        var pending: Character? = nil
        while let c = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { field.append("\"") } else { quoted = false; pending = next }
                    } else { quoted = false }
                } else { field.append(c) }
            } else if c == "\"" { quoted = true }
            else if c == "," { record.append(field); field = "" }
            else if c == "\n" || c == "\r\n" { record.append(field); records.append(record); record = []; field = "" }
            else if c != "\r" { field.append(c) }
        }
        if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
        let header = records.removeFirst()
        return records.map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
    }

    static let configuration = try! ConfigurationLoader(environment: ["HOME": "/tmp"]).load(.embedded)

    func event(_ id: String) -> Event? { Self.configuration.catalog.event(id: id) }

    /// scripts/data-overrides.csv as (table, iso2) → row. Each override names the CSV value it
    /// replaces, so a change of the shared table shows up here instead of being silently masked.
    static func overrides() throws -> [String: [String: String]] {
        var found: [String: [String: String]] = [:]
        for row in try rows("data-overrides.csv", in: scripts) {
            #expect(row["source"]?.isEmpty == false, "override \(row["iso2"] ?? "?") has a source")
            found["\(row["table"]!) \(row["iso2"]!)"] = row
        }
        return found
    }

    @Test func everyCountryAndRelationDateMatchesTheSourceTable() throws {
        let rows = try Self.rows("vietnam-diplomatic-relations.csv")
        let overrides = try Self.overrides()
        #expect(rows.count == 195)
        var overridden = 0
        for row in rows {
            let code = row["iso2"]!
            let country = try #require(Self.configuration.catalog.countries[code], "country \(code)")
            #expect(country.name.resolved(.en) == row["country_en"], "\(code) English name")
            if let name = overrides["countries \(code)"] {
                #expect(name["csv_value"] == row["country_vi"], "\(code) override is for the CSV's name")
                #expect(country.name.resolved(.vi) == name["value"], "\(code) Vietnamese name")
            } else {
                #expect(country.name.resolved(.vi) == row["country_vi"], "\(code) Vietnamese name")
            }
            let relations = try #require(event("\(code.lowercased())-relations"), "relations event for \(code)")
            #expect(relations.kind == .diplomaticRelations)
            #expect(relations.country == code)
            var established = row["established"]!
            if let fix = overrides["relations \(code)"] {
                #expect(fix["csv_value"] == established, "\(code) override is for the CSV's date")
                established = fix["value"]!
                overridden += 1
                #expect(relations.source == fix["source"], "\(code) cites the override's source")
            }
            #expect(relations.recurrence == .origin(LocalDate(iso: established)!), "\(code) established")
        }
        #expect(overridden == overrides.keys.filter { $0.hasPrefix("relations ") }.count)
        // Exactly one relations event per row: nothing invented beside the table.
        let relationEvents = Self.configuration.catalog.events.filter { $0.kind == .diplomaticRelations }
        #expect(relationEvents.count == rows.count)
    }

    @Test func everyNationalDayMatchesTheSourceTable() throws {
        let rows = try Self.rows("national-days.csv")
        let policy = Dictionary(uniqueKeysWithValues: try Self.rows("ordinal-policy.csv", in: Self.scripts).map { ($0["iso2"]!, $0) })
        #expect(rows.count == 195)
        var bundled = 0
        for row in rows {
            let code = row["iso2"]!
            guard let day = event("\(code.lowercased())-national-day") else {
                // Only a country with no fixed day may be left out (the UK).
                #expect(row["rule"]?.contains("no fixed") == true || code == "GB", "national day of \(code) missing")
                continue
            }
            bundled += 1
            // The ordinal counts from the year the country itself counts from (ordinal-policy.csv),
            // or there is none; the table's since_year is only where the audit started.
            let decision = try #require(policy[code], "ordinal policy for \(code)")
            #expect(decision["source"]?.isEmpty == false, "\(code) policy has a source")
            let since = decision["policy"] == "counted" ? decision["since"].flatMap { Int($0) } : nil
            if decision["policy"] == "none" {
                #expect(!day.title.resolved(.vi).contains("{n}") && !day.title.resolved(.en).contains("{ordinal}"),
                        "\(code) has no number in its title")
            }
            let month = Int(row["month"]!)!
            let dayOfMonth = Int(row["day"]!)!
            switch day.recurrence {
            case .monthDay(let m, let d, let s):
                #expect(m == month && d == dayOfMonth, "\(code) national day date")
                #expect(s == since, "\(code) since")
            case .nthWeekday(let m, _, _, let s):
                // A rule stands in for a date that moves (Jamaica: first Monday of August).
                #expect(m == month, "\(code) rule month")
                #expect(s == since, "\(code) since")
                #expect(row["rule"]?.isEmpty == false, "\(code) has a rule only where the table has one")
            case .calendar(_, let s):
                // Computed from another calendar (IL: Hebrew, NP: Bikram Sambat, IR and AF: Solar
                // Hijri); the table's month/day is only where the audit found it.
                #expect(["IL", "NP", "IR", "AF"].contains(code), "\(code) computed")
                #expect(s == since, "\(code) since")
            default:
                Issue.record("\(code) national day has an unexpected recurrence \(day.recurrence)")
            }
        }
        #expect(bundled >= 194)
    }

    @Test func japanFiftyFifthIn2028IsANotableMilestone() throws {
        let occurrences = Self.configuration.catalog.occurrences(
            from: LocalDate(2028, 1, 1), through: LocalDate(2028, 12, 31))
        let japan = try #require(occurrences.first { $0.event.id == "jp-relations" })
        #expect(japan.date == LocalDate(2028, 9, 21))
        #expect(japan.ordinal == 55)
        #expect(japan.tier == .notable)
        #expect(japan.title(.vi).hasPrefix("Kỷ niệm 55 năm Ngày thiết lập quan hệ ngoại giao Việt Nam – Nhật Bản"))
        // Brunei's 29 February origin recurs on 28 February in common years.
        let brunei = try #require(occurrences.first { $0.event.id == "bn-relations" })
        #expect(brunei.date == LocalDate(2028, 2, 29))
        let common = Self.configuration.catalog.occurrences(of: event("bn-relations")!, from: LocalDate(2027, 1, 1), through: LocalDate(2027, 12, 31))
        #expect(common.map(\.date) == [LocalDate(2027, 2, 28)])
    }

    func occurrence(_ id: String, in year: Int) throws -> Occurrence {
        let found = Self.configuration.catalog.occurrences(
            of: try #require(event(id), "event \(id)"), from: LocalDate(year, 1, 1), through: LocalDate(year, 12, 31))
        return try #require(found.first, "\(id) in \(year)")
    }

    @Test func burundisFiftiethIsIn2025() throws {
        // VNA, 4 Apr 2025: "the 50th anniversary of bilateral diplomatic ties (April 16, 1975-2025)".
        let fiftieth = try occurrence("bi-relations", in: 2025)
        #expect(fiftieth.date == LocalDate(2025, 4, 16))
        #expect(fiftieth.ordinal == 50)
        #expect(fiftieth.tier == .major)
        #expect(fiftieth.title(.vi).hasPrefix("Kỷ niệm 50 năm Ngày thiết lập quan hệ ngoại giao Việt Nam – Burundi (16/4/1975"))
        #expect(try occurrence("bi-relations", in: 2023).tier == .routine)
    }

    @Test func sierraLeonesFortiethWasIn2022() throws {
        // VNA, Mar 2022: "the 40th anniversary of bilateral diplomatic relations (June 24,1982-2022)".
        // The CSV's 1978 would have made 2028 a major "50th".
        let fortieth = try occurrence("sl-relations", in: 2022)
        #expect(fortieth.date == LocalDate(2022, 6, 24))
        #expect(fortieth.ordinal == 40)
        #expect(fortieth.tier == .major)
        #expect(fortieth.title(.vi).hasPrefix("Kỷ niệm 40 năm Ngày thiết lập quan hệ ngoại giao Việt Nam – Sierra Leone (24/6/1982"))
        let in2028 = try occurrence("sl-relations", in: 2028)
        #expect(in2028.ordinal == 46)
        #expect(in2028.tier == .routine)
        #expect(try occurrence("sl-relations", in: 2032).ordinal == 50)
    }

    @Test func jordanCountsFromTheNinthOfAugust1980() throws {
        // TTXVN, Nov 2025: "45 năm thiết lập quan hệ ngoại giao (9/8/1980-9/8/2025)"; the CSV had 19 Aug.
        let fortyFifth = try occurrence("jo-relations", in: 2025)
        #expect(fortyFifth.date == LocalDate(2025, 8, 9))
        #expect(fortyFifth.ordinal == 45)
        #expect(fortyFifth.tier == .notable)
        let fiftieth = try occurrence("jo-relations", in: 2030)
        #expect(fiftieth.date == LocalDate(2030, 8, 9))
        #expect(fiftieth.ordinal == 50)
        #expect(fiftieth.tier == .major)
    }

    @Test func belgiumCountsFromTheTwentySecondOfMarch1973() throws {
        // TTXVN, Mar 2023: "Ngày 22/3/1973, Vương quốc Bỉ ... thiết lập quan hệ ngoại giao"; the leaders'
        // letters for the 45th were exchanged on Thursday 22 March 2018. VUFO's seminar report said 23 March.
        let fiftyFifth = try occurrence("be-relations", in: 2028)
        #expect(fiftyFifth.date == LocalDate(2028, 3, 22))
        #expect(fiftyFifth.ordinal == 55)
        #expect(fiftyFifth.tier == .notable)
        #expect(try occurrence("be-relations", in: 2033).ordinal == 60)
    }

    @Test func chadIsNamedAsTheMinistryNamesIt() throws {
        // mofa.gov.vn, "Tài liệu cơ bản về nước Cộng hòa Sát và quan hệ với Việt Nam": CLDR's "Chad" is "Sát".
        #expect(Self.configuration.catalog.countries["TD"]?.name.resolved(.vi) == "Sát")
        #expect(Self.configuration.catalog.countries["TD"]?.name.resolved(.en) == "Chad")
        let relations = try occurrence("td-relations", in: 2031)
        #expect(relations.ordinal == 50)
        #expect(relations.title(.vi).hasPrefix("Kỷ niệm 50 năm Ngày thiết lập quan hệ ngoại giao Việt Nam – Sát (5/10/1981"))
        #expect(try occurrence("td-national-day", in: 2030).title(.vi).hasSuffix("Ngày Độc lập Sát"))
    }

    /// scripts/relation-checks.csv: each confirmed date is the bundled one and its source is cited
    /// in the event, so `explain --sources` shows where the date was confirmed.
    @Test func reCheckedRelationDatesCiteTheirSources() throws {
        let checks = try Self.rows("relation-checks.csv", in: Self.scripts)
        let overrides = try Self.overrides()
        #expect(checks.count >= 20)
        for check in checks {
            let code = check["iso2"]!
            let relations = try #require(event("\(code.lowercased())-relations"), "relations event for \(code)")
            #expect(relations.recurrence == .origin(LocalDate(iso: check["established"]!)!), "\(code) checked date is bundled")
            #expect(["confirmed", "unconfirmed"].contains(check["status"]), "\(code) status")
            #expect(check["source"]?.isEmpty == false, "\(code) check names its source or search")
            if check["status"] == "confirmed" {
                #expect(overrides["relations \(code)"] == nil, "\(code) is confirmed, not overridden")
                #expect(check["quote"]?.isEmpty == false, "\(code) quotes the sentence")
                #expect(relations.source?.contains(check["source"]!) == true, "\(code) cites the confirming source")
                #expect(relations.source?.contains(check["quote"]!) == true, "\(code) cites the sentence")
            }
        }
    }

    @Test func nationalDaysAreNumberedAsTheCountriesNumberThem() throws {
        let saudi = try occurrence("sa-national-day", in: 2025)
        #expect(saudi.date == LocalDate(2025, 9, 23))
        #expect(saudi.ordinal == 95)
        #expect(saudi.title(.en) == "Saudi National Day (95th anniversary)")
        let oman = try occurrence("om-national-day", in: 2025)
        #expect(oman.ordinal == 55)
        #expect(oman.tier == .notable)
        let bahrain = try occurrence("bh-national-day", in: 2024)
        #expect(bahrain.date == LocalDate(2024, 12, 16))
        #expect(bahrain.ordinal == 53)
        #expect(bahrain.tier == .routine)
        // Switzerland stays numbered: the Vietnamese President greeted its 731st in 2022 (VNA).
        #expect(try occurrence("ch-national-day", in: 2022).ordinal == 731)
    }

    @Test func daysThatAreNotCountedHaveNoOrdinalAndNoMilestone() throws {
        let sweden = try occurrence("se-national-day", in: 2025)
        #expect(sweden.date == LocalDate(2025, 6, 6))
        #expect(sweden.ordinal == nil)
        #expect(sweden.tier == .routine)
        #expect(sweden.title(.vi) == "Quốc khánh Thụy Điển")
        #expect(sweden.title(.en) == "National Day of Sweden")
        for id in ["dk-national-day", "qa-national-day", "me-national-day"] {
            for year in 2020...2030 {
                let day = try occurrence(id, in: year)
                #expect(day.ordinal == nil && day.tier == .routine, "\(id) \(year)")
            }
        }
    }

    @Test func partnershipAnniversariesCountFromEachFramework() throws {
        let rows = try Self.rows("partnerships.csv", in: Self.scripts)
        let partnerships = Self.configuration.catalog.events.filter { $0.kind == .partnership }
        #expect(partnerships.count == rows.count)
        for row in rows {
            let id = "\(row["iso2"]!.lowercased())-partnership-\(row["framework"]!)"
            let found = try #require(event(id), "\(id)")
            #expect(found.recurrence == .origin(LocalDate(iso: row["date"]!)!), "\(id) date")
            #expect(found.source?.isEmpty == false)
        }
        let us = try occurrence("us-partnership-csp", in: 2033)
        #expect(us.date == LocalDate(2033, 9, 10))
        #expect(us.ordinal == 10)
        #expect(us.tier == .major)
        #expect(us.title(.vi).hasPrefix("Kỷ niệm 10 năm quan hệ Đối tác chiến lược toàn diện Việt Nam – Hoa Kỳ"))
        #expect(us.title(.en).hasPrefix("10th anniversary of the Vietnam–United States Comprehensive Strategic Partnership"))
        let japan = try occurrence("jp-partnership-csp", in: 2028)
        #expect(japan.date == LocalDate(2028, 11, 27))
        #expect(japan.ordinal == 5)
        #expect(japan.tier == .notable)
        let india = try occurrence("in-partnership-csp", in: 2026)
        #expect(india.date == LocalDate(2026, 9, 3))
        #expect(india.ordinal == 10)
        #expect(india.tier == .major)
        #expect(india.title(.vi).hasPrefix("Kỷ niệm 10 năm quan hệ Đối tác chiến lược toàn diện Việt Nam – Ấn Độ"))
    }

    @Test func israelAndNepalAreComputedFromTheirCalendars() throws {
        #expect(try occurrence("il-national-day", in: 2026).date == LocalDate(2026, 4, 22))
        #expect(try occurrence("il-national-day", in: 2027).date == LocalDate(2027, 5, 12))
        #expect(try occurrence("il-national-day", in: 2028).date == LocalDate(2028, 5, 2))
        #expect(try occurrence("il-national-day", in: 2028).ordinal == 80)
        #expect(try occurrence("np-national-day", in: 2028).date == LocalDate(2028, 9, 18))
        #expect(try occurrence("np-national-day", in: 2026).date == LocalDate(2026, 9, 19))
        // Beyond the Bikram Sambat table the day is left out, not guessed.
        let catalog = Self.configuration.catalog
        let np = try #require(event("np-national-day"))
        #expect(catalog.occurrences(of: np, from: LocalDate(2033, 1, 1), through: LocalDate(2033, 12, 31)).isEmpty)
    }

    @Test func iransRevolutionDayIsTwentySecondBahman() throws {
        // 22 Bahman: 10 Feb when the year began on 20 March (the equinox before noon at 52.5° E).
        let in2025 = try occurrence("ir-national-day", in: 2025)
        #expect(in2025.date == LocalDate(2025, 2, 10))
        #expect(in2025.ordinal == 46)
        #expect(try occurrence("ir-national-day", in: 2026).date == LocalDate(2026, 2, 11))
        let fiftieth = try occurrence("ir-national-day", in: 2029)
        #expect(fiftieth.date == LocalDate(2029, 2, 10))
        #expect(fiftieth.ordinal == 50)
        #expect(fiftieth.tier == .major)
        // Beyond Solar Hijri 1578 the day is left out, not guessed.
        let ir = try #require(event("ir-national-day"))
        #expect(Self.configuration.catalog.occurrences(of: ir, from: LocalDate(2201, 1, 1), through: LocalDate(2201, 12, 31)).isEmpty)
    }

    @Test func afghanistansIndependenceDayIsTwentyEighthAsad() throws {
        // Kabul declared 18 August 2024 the holiday for the 105th Independence Day (28 Asad 1403).
        let in2024 = try occurrence("af-national-day", in: 2024)
        #expect(in2024.date == LocalDate(2024, 8, 18))
        #expect(in2024.ordinal == 105)
        #expect(try occurrence("af-national-day", in: 2025).date == LocalDate(2025, 8, 19))
        #expect(try occurrence("af-national-day", in: 2028).date == LocalDate(2028, 8, 18))
    }

    @Test func ghanaKeepsTheVietnameseSidesTwentyFifthOfMarch() throws {
        // VNA, 25 Mar 2025: the leaders' messages "on the occasion of the 60th anniversary of the
        // bilateral diplomatic relations (March 25, 1965)"; Ghana's ministry says 28 March.
        let sixtieth = try occurrence("gh-relations", in: 2025)
        #expect(sixtieth.date == LocalDate(2025, 3, 25))
        #expect(sixtieth.ordinal == 60)
        let source = try #require(event("gh-relations")?.source)
        #expect(source.contains("post312220") && source.contains("March 25, 1965"))
    }

    @Test func tetIsNamedByItsYearAndTheEveIsNotTatNien() throws {
        #expect(try occurrence("vn-tet", in: 2027).title(.vi) == "Tết Nguyên đán Đinh Mùi – Mùng 1")
        #expect(try occurrence("vn-tet", in: 2026).title(.vi) == "Tết Nguyên đán Bính Ngọ – Mùng 1")
        #expect(try occurrence("vn-tet", in: 2027).title(.en) == "Dinh Mui Lunar New Year (Tết), day 1")
        for event in Self.configuration.catalog.events where event.country == "VN" {
            #expect(!event.title.resolved(.vi).contains("Tất niên"), "\(event.id)")
        }
    }

    @Test func homeHolidaysAreTheLabourCodeDaysOff() throws {
        let daysOff = Self.configuration.catalog.occurrences(from: LocalDate(2027, 1, 1), through: LocalDate(2027, 12, 31))
            .filter(\.event.dayOff).map(\.date.iso)
        // Tết 2027 is 6 February; Hùng Kings (10/3 lunar) 16 April 2027.
        // 24 November (Ngày Văn hóa Việt Nam) is a day off from 2026.
        for day in ["2027-01-01", "2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08", "2027-02-09",
                    "2027-04-16", "2027-04-30", "2027-05-01", "2027-09-02", "2027-11-24"] {
            #expect(daysOff.contains(day), "\(day) should be a day off")
        }
        #expect(daysOff.count == 11)
    }
}
