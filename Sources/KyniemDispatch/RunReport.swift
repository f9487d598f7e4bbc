import Foundation
import KyniemCore

/// What a run did with each delivery, for `kyniem run --format text|json` and its exit code.
public struct RunReport: Sendable {
    public enum Status: String, Sendable, Hashable, CaseIterable {
        case sent
        case failed
        case skippedAlreadySent = "skipped-already-sent"
        case wouldSend = "would-send"
        /// Its step left the catch-up window before it was ever sent: reported by one run only.
        case expired
    }

    public struct Entry: Sendable, Hashable {
        public let key: String
        public let notifier: String
        public let event: String
        /// The occurrence date, `YYYY-MM-DD`.
        public let occurrence: String
        public let step: String
        public let due: String
        public let late: Bool
        public let status: Status
        /// Why it failed; never holds a secret.
        public let error: String?

        public init(delivery: Delivery, status: Status, error: String? = nil) {
            self.key = delivery.key
            self.notifier = delivery.notifier
            self.event = delivery.occurrence.event.id
            self.occurrence = delivery.occurrence.date.iso
            self.step = delivery.step.id
            self.due = delivery.step.due.iso
            self.late = delivery.late
            self.status = status
            self.error = error
        }

        /// A delivery that left the catch-up window unsent; `error` is its last attempt's.
        public init(expired: ExpiredDelivery) {
            self.key = expired.key
            self.notifier = expired.notifier
            self.event = expired.event
            self.occurrence = expired.occurrence
            self.step = expired.step
            self.due = expired.due
            self.late = true
            self.status = .expired
            self.error = expired.lastError.map { "never sent (last error: \($0))" } ?? "never sent: no run reached it"
        }
    }

    public let date: LocalDate
    public let dryRun: Bool
    /// In the planner's order.
    public let entries: [Entry]
    /// Trouble that belongs to no single delivery (the ledger could not be written).
    public let problems: [String]
    /// What a person should know that is not a failure (a new ledger's baseline).
    public let notices: [String]

    public init(date: LocalDate, dryRun: Bool, entries: [Entry], problems: [String] = [], notices: [String] = []) {
        self.date = date
        self.dryRun = dryRun
        self.entries = entries
        self.problems = problems
        self.notices = notices
    }

    /// False when a delivery failed or expired, or the ledger could not be written: `kyniem run`
    /// exits 1.
    public var allSucceeded: Bool {
        problems.isEmpty && !entries.contains { $0.status == .failed || $0.status == .expired }
    }

    public func count(_ status: Status) -> Int { entries.filter { $0.status == status }.count }

    /// SPEC.md's object: `{"date": …, "deliveries": [{"key", "notifier", "event", "occurrence",
    /// "step", "status"}]}`, each delivery followed by `due`, `late` and `error`, and the report
    /// by `dry_run` and `problems`.
    public func json(date: LocalDate) -> String {
        let deliveries = entries.map { entry in
            "    " + JSONText.object([
                ("key", JSONText.quote(entry.key)),
                ("notifier", JSONText.quote(entry.notifier)),
                ("event", JSONText.quote(entry.event)),
                ("occurrence", JSONText.quote(entry.occurrence)),
                ("step", JSONText.quote(entry.step)),
                ("status", JSONText.quote(entry.status.rawValue)),
                ("due", JSONText.quote(entry.due)),
                ("late", entry.late ? "true" : "false"),
                ("error", JSONText.quote(entry.error)),
            ])
        }
        let list = deliveries.isEmpty ? "[]" : "[\n" + deliveries.joined(separator: ",\n") + "\n  ]"
        let problemList = "[" + problems.map { JSONText.quote($0) }.joined(separator: ", ") + "]"
        let noticeList = "[" + notices.map { JSONText.quote($0) }.joined(separator: ", ") + "]"
        return "{\n  \"date\": \(JSONText.quote(date.iso)),\n  \"deliveries\": \(list),\n"
            + "  \"dry_run\": \(dryRun),\n  \"problems\": \(problemList),\n  \"notices\": \(noticeList)\n}\n"
    }

    /// `json(date:)` for the report's own date.
    public func json() -> String { json(date: date) }

    /// A summary for people: one line per delivery, then the totals.
    public func text() -> String {
        var lines: [String] = []
        let width = entries.map(\.status.rawValue.count).max() ?? 0
        for entry in entries {
            let status = entry.status.rawValue.padding(toLength: width, withPad: " ", startingAt: 0)
            var line = "\(status)  \(entry.key)"
            if entry.late { line += " (late)" }
            if let error = entry.error { line += ": \(error)" }
            lines.append(line)
        }
        var totals: [String] = []
        for status in Status.allCases where count(status) > 0 {
            totals.append("\(count(status)) \(status.rawValue)")
        }
        let heading = dryRun ? "dry run for \(date.iso)" : "run for \(date.iso)"
        lines.append(
            entries.isEmpty
                ? "\(heading): nothing due"
                : "\(heading): " + totals.joined(separator: ", "))
        lines.append(contentsOf: problems.map { "problem: \($0)" })
        return lines.joined(separator: "\n") + "\n"
    }
}
