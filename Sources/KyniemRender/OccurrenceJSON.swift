import KyniemCore

/// The fixed JSON of SPEC.md, written by hand so that key order and layout never change:
/// one object, one occurrence per line.
///
/// ```
/// {"from": "2027-01-01", "to": "2027-12-31", "occurrences": [
///   {"date": "2027-09-21", "event": "jp-relations", "kind": "diplomatic-relations", "country": "JP",
///    "title": "…", "ordinal": 54, "tier": "routine", "lunar": null, "country_name": "Japan", "day_off": false}
/// ]}
/// ```
/// The fixed fields come first in SPEC order; `country_name` and `day_off` follow. The calendar
/// variant adds `lead_days` and `checklist` (`[{"task", "title", "due"}]`) to each occurrence.
public enum OccurrenceJSON {
    public static func render(from: LocalDate, to: LocalDate, occurrences: [Occurrence], language: Language) -> String {
        // One line per occurrence, each independent of the others: large results are written
        // in chunks on every core and joined in order.
        let parts = Parallel.chunks(count: occurrences.count) { range in
            var out = ""
            out.reserveCapacity(range.count * 320)
            for index in range {
                out += index == 0 ? "\n  " : ",\n  "
                appendFields(of: occurrences[index], language: language, to: &out)
                out += "}"
            }
            return out
        }
        var out = header(from: from, to: to, capacity: occurrences.count)
        for part in parts { out += part }
        out += occurrences.isEmpty ? "]}\n" : "\n]}\n"
        return out
    }

    /// `calendar --format json`: the same object, each occurrence with its reminders and checklist.
    static func render(_ document: CalendarDocument) -> String {
        let language = document.language
        var out = header(from: document.from, to: document.through, capacity: document.entries.count)
        for (index, entry) in document.entries.enumerated() {
            out += index == 0 ? "\n  " : ",\n  "
            appendFields(of: entry.occurrence, language: language, to: &out)
            out += ", \"lead_days\": ["
            for (i, days) in entry.leadDays.enumerated() {
                if i > 0 { out += ", " }
                out += String(days)
            }
            out += "], \"checklist\": ["
            for (i, scheduled) in entry.tasks.enumerated() {
                if i > 0 { out += ", " }
                out += "{\"task\": "
                JSONText.appendString(scheduled.task.id, to: &out)
                out += ", \"title\": "
                JSONText.appendString(scheduled.task.title.resolved(language), to: &out)
                out += ", \"due\": \""
                out += scheduled.due.iso
                out += "\"}"
            }
            out += "]}"
        }
        out += document.entries.isEmpty ? "]}\n" : "\n]}\n"
        return out
    }

    private static func header(from: LocalDate, to: LocalDate, capacity: Int) -> String {
        var out = ""
        out.reserveCapacity(64 + capacity * 320)
        out += "{\"from\": \""
        out += from.iso
        out += "\", \"to\": \""
        out += to.iso
        out += "\", \"occurrences\": ["
        return out
    }

    /// The object's fields, opening brace included, closing brace left to the caller.
    private static func appendFields(of occurrence: Occurrence, language: Language, to out: inout String) {
        out += "{\"date\": \""
        out += occurrence.date.iso
        out += "\", \"event\": "
        JSONText.appendString(occurrence.event.id, to: &out)
        out += ", \"kind\": \""
        out += occurrence.event.kind.rawValue
        out += "\", \"country\": "
        JSONText.appendOptional(occurrence.countryCode, to: &out)
        out += ", \"title\": "
        JSONText.appendString(occurrence.title(language), to: &out)
        out += ", \"ordinal\": "
        out += occurrence.ordinal.map(String.init) ?? "null"
        out += ", \"tier\": "
        JSONText.appendString(occurrence.tier.rawValue, to: &out)
        out += ", \"lunar\": "
        if let lunar = occurrence.lunar {
            out += "{\"month\": \(lunar.month), \"day\": \(lunar.day), \"leap\": \(lunar.isLeapMonth)}"
        } else {
            out += "null"
        }
        out += ", \"country_name\": "
        JSONText.appendOptional(occurrence.country?.name.resolved(language), to: &out)
        out += ", \"day_off\": "
        out += occurrence.event.dayOff ? "true" : "false"
    }
}

