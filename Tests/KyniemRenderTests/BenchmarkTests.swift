import Foundation
import KyniemCore
import Testing
@testable import KyniemRender

/// `KYNIEM_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter KyniemRenderTests.Benchmark`:
/// a year of 400 occurrences in every format. The budget is 100 ms per format in release.
/// With `KYNIEM_BENCH_OUT=DIR` the outputs are also written there, for scripts/validate-calendar.py.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["KYNIEM_BENCH"] != nil))
struct Benchmark {
    static func bigDocument(_ language: Language) -> CalendarDocument {
        var events: [Event] = []
        let codes = Array(Fixture.countries.keys).sorted()
        for index in 0..<400 {
            let month = index % 12 + 1
            let day = index % 28 + 1
            let code = codes[index % codes.count]
            events.append(Event(
                id: "event-\(index)", kind: index % 3 == 0 ? .diplomaticRelations : .nationalDay, country: code,
                title: Fixture.text(
                    "Kỷ niệm {n} năm Ngày thiết lập quan hệ ngoại giao Việt Nam – {country} số \(index)",
                    "{ordinal} anniversary of relations with {country}, no. \(index)"),
                recurrence: .origin(LocalDate(1950 + index % 70, month, day)),
                dayOff: index % 50 == 0, note: "Ghi chú; có dấu phẩy, và \"ngoặc kép\""))
        }
        let catalog = Catalog(events: events, countries: Fixture.countries)
        let occurrences = catalog.occurrences(from: LocalDate(2027, 1, 1), through: LocalDate(2027, 12, 31))
        let entries = CalendarEntry.entries(
            for: occurrences, reminders: .standard, checklists: Fixture.checklists, workdays: Fixture.workdays)
        return CalendarDocument(year: 2027, language: language, entries: entries, generatedAt: Fixture.generatedAt)
    }

    @Test func yearOf400Occurrences() {
        let document = Self.bigDocument(.vi)
        #expect(document.entries.count == 400)
        let clock = ContinuousClock()
        var report: [String] = []
        for format in CalendarFormat.allCases {
            _ = CalendarRenderer.render(document, as: format)  // warm up
            let runs = 10
            var bytes = 0
            let elapsed = clock.measure {
                for _ in 0..<runs { bytes = CalendarRenderer.render(document, as: format).utf8.count }
            }
            let perRun = elapsed / runs
            let ms = Double(perRun.components.attoseconds) / 1e15 + Double(perRun.components.seconds) * 1e3
            if let folder = ProcessInfo.processInfo.environment["KYNIEM_BENCH_OUT"] {
                let output = CalendarRenderer.render(document, as: format)
                try? Data(output.utf8).write(to: URL(fileURLWithPath: folder).appendingPathComponent("bench.\(format.fileExtension)"))
            }
            report.append("\(format.rawValue): \(String(format: "%.2f", ms)) ms, \(bytes / 1024) KiB")
            #if !DEBUG
            // The budget is for release builds; a debug build only reports.
            #expect(perRun < .milliseconds(100), "\(format.rawValue) took \(perRun)")
            #endif
        }
        print("kyniem render benchmark, 400 occurrences: " + report.joined(separator: "; "))
    }
}
