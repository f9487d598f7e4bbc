import Foundation
import Testing
import KyniemConfig
import KyniemCore

/// The bundled calendars against the sourced tables they were built from (a copy of
/// shared/data under Fixtures/data, so the test runs wherever the repository is cloned).
@Suite struct DatasetTests {
    static let data = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/data")

    /// RFC 4180 rows (quoted fields may hold commas and doubled quotes), keyed by the header.
    static func rows(_ name: String) throws -> [[String: String]] {
        let text = try String(contentsOf: data.appendingPathComponent(name), encoding: .utf8)
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

    @Test func everyCountryAndRelationDateMatchesTheSourceTable() throws {
        let rows = try Self.rows("vietnam-diplomatic-relations.csv")
        #expect(rows.count == 195)
        for row in rows {
            let code = row["iso2"]!
            let country = try #require(Self.configuration.catalog.countries[code], "country \(code)")
            #expect(country.name.resolved(.en) == row["country_en"], "\(code) English name")
            let relations = try #require(event("\(code.lowercased())-relations"), "relations event for \(code)")
            #expect(relations.kind == .diplomaticRelations)
            #expect(relations.country == code)
            #expect(relations.recurrence == .origin(LocalDate(iso: row["established"]!)!), "\(code) established")
        }
        // Exactly one relations event per row: nothing invented beside the table.
        let relationEvents = Self.configuration.catalog.events.filter { $0.kind == .diplomaticRelations }
        #expect(relationEvents.count == rows.count)
    }

    @Test func everyNationalDayMatchesTheSourceTable() throws {
        let rows = try Self.rows("national-days.csv")
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
            let since = row["since_year"].flatMap { Int($0) }
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

    @Test func homeHolidaysAreTheLabourCodeDaysOff() throws {
        let daysOff = Self.configuration.catalog.occurrences(from: LocalDate(2027, 1, 1), through: LocalDate(2027, 12, 31))
            .filter(\.event.dayOff).map(\.date.iso)
        // Tết 2027 is 6 February; Hùng Kings (10/3 lunar) 16 April 2027.
        for day in ["2027-01-01", "2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08", "2027-02-09",
                    "2027-04-16", "2027-04-30", "2027-05-01", "2027-09-02"] {
            #expect(daysOff.contains(day), "\(day) should be a day off")
        }
        #expect(daysOff.count == 10)
    }
}
