import Foundation
import KyniemConfig
import KyniemCore
import KyniemDispatch
import KyniemNotifiers
import KyniemPlugins
import KyniemTesting
import KyniemYAML

#if canImport(Glibc)
import Glibc
#endif

/// Solar events only: dispatch does not depend on how a date was found.
enum Fixture {
    static let japan = Country(code: "JP", name: LocalizedText(byLanguage: ["vi": "Nhật Bản", "en": "Japan"], primary: "Nhật Bản"))
    static let laos = Country(code: "LA", name: LocalizedText(byLanguage: ["vi": "Lào", "en": "Laos"], primary: "Lào"))

    static let jpRelations = Event(
        id: "jp-relations", kind: .diplomaticRelations, country: "JP",
        title: LocalizedText(
            byLanguage: [
                "vi": "Kỷ niệm {n} năm Ngày thiết lập quan hệ ngoại giao Việt Nam – Nhật Bản",
                "en": "{ordinal} anniversary of Vietnam–Japan diplomatic relations",
            ], primary: ""),
        recurrence: .origin(LocalDate(1973, 9, 21)))

    static let laNationalDay = Event(
        id: "la-national-day", kind: .nationalDay, country: "LA",
        title: LocalizedText(byLanguage: ["vi": "Quốc khánh Lào", "en": "Lao National Day"], primary: ""),
        recurrence: .monthDay(month: 12, day: 2, since: 1975))

    static let checklists = Checklists(templates: [
        ChecklistTemplate(kinds: [.diplomaticRelations], tiers: [.major], tasks: [
            ChecklistTask(id: "letter", offsetDays: -14, title: LocalizedText(
                byLanguage: ["vi": "Soạn thư chúc mừng", "en": "Draft the congratulatory letter"], primary: "")),
        ])
    ])

    static func planner(routes: [Route]) -> Planner {
        Planner(
            catalog: Catalog(events: [jpRelations, laNationalDay], countries: ["JP": japan, "LA": laos]),
            reminders: .standard, checklists: checklists, weekend: [.saturday, .sunday],
            adjustments: WorkingDayAdjustments(), routes: routes)
    }

    /// 2023 is the 50th anniversary of Vietnam–Japan relations (major): reminders at 90, 30, 7
    /// and 0 days, and the letter task 14 days before (on a working day).
    static let anniversary = LocalDate(2023, 9, 21)

    static func spec(
        id: String, type: String, language: Language = .vi, options: [String: String] = [:], env: [String] = [],
        entry: String? = nil
    ) -> NotifierSpec {
        let location = SourceLocation(file: "/etc/kyniem.yaml", line: 10, column: 5)
        // `entry` is the whole entry written as JSON (which is YAML); without it, the entry is
        // `id`, `type` and `options`, every value a string.
        let json = entry ?? String(
            decoding: try! JSONSerialization.data(
                withJSONObject: options.merging(["id": id, "type": type]) { given, _ in given }, options: [.sortedKeys]),
            as: UTF8.self)
        // JSON is YAML's flow style: the entry as the configuration reader would hand it over,
        // strings quoted (so always strings), numbers and booleans plain.
        let settings = try! YAMLParser.parse(json, file: "/etc/kyniem.yaml")
        return NotifierSpec(
            id: id, type: type, language: language, filter: DeliveryFilter(), environment: env, location: location,
            settings: settings)
    }

    /// An occurrence built by hand (any date, a lunar date if wanted), for message tests.
    static func occurrence(
        event: Event = jpRelations, date: LocalDate = anniversary, ordinal: Int? = 50, tier: Tier = .major,
        lunar: LunarDate? = nil
    ) -> Occurrence {
        let country = event.country.flatMap { ["JP": japan, "LA": laos][$0] }
        return Occurrence(event: event, date: date, ordinal: ordinal, tier: tier, lunar: lunar, country: country)
    }

    /// What one dispatch of the fixture's deliveries to `spec` produced: the report and the log lines.
    struct Outcome {
        let report: RunReport
        let log: [String]
    }

    /// Plans `today` (a week of catch-up) and dispatches it to `spec` alone, with an in-memory ledger.
    static func dispatch(_ spec: NotifierSpec, environment: [String: String], today: LocalDate) -> Outcome {
        let sink = LineSink()
        let planner = planner(routes: [spec.route])
        let dispatcher = Dispatcher(
            notifiers: [spec], plugins: .empty, context: context(environment: environment, lines: sink),
            planner: planner)
        let report = dispatcher.run(
            deliveries: planner.plan(today: today, catchUpDays: 7), date: today, ledger: InMemoryLedger(),
            dryRun: false, now: "\(today.iso)T07:00:00+07:00")
        return Outcome(report: report, log: sink.lines)
    }

    static func context(configDirectory: String? = nil, environment: [String: String] = [:], lines: LineSink = LineSink()) -> NotifierContext {
        NotifierContext(
            configDirectory: configDirectory, environment: environment,
            console: { lines.append("console: " + $0) }, log: { lines.append($0) })
    }
}

/// Collects what notifiers print and log.
final class LineSink: @unchecked Sendable {
    private let lock = NSLock()
    private var _lines: [String] = []
    func append(_ line: String) { lock.withLock { _lines.append(line) } }
    var lines: [String] { lock.withLock { _lines } }
}

func temporaryFolder() -> String {
    let path = NSTemporaryDirectory() + "kyniem-notifiers-\(UUID().uuidString)"
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Writes an executable plugin (`plugin.yaml` and `notify`) into `folder/name`.
@discardableResult
func writePlugin(in folder: String, name: String, timeout: String = "5s", script: String, mode: mode_t = 0o755) -> String {
    let directory = folder + "/" + name
    try! FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    try! "# test plugin\nname: \(name)\ntype: notifier\nexecutable: ./notify\ntimeout: \(timeout)\n"
        .write(toFile: directory + "/plugin.yaml", atomically: true, encoding: .utf8)
    try! script.write(toFile: directory + "/notify", atomically: true, encoding: .utf8)
    chmod(directory + "/notify", mode)
    return directory
}
