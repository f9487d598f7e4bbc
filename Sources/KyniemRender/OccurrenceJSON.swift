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
        var out = OutputBuffer(capacity: 64 + occurrences.count * 300)
        write(from: from, to: to, occurrences: occurrences, language: language, to: &out)
        return out.text
    }

    /// The same document, written to `out` one occurrence at a time.
    public static func write(
        from: LocalDate, to: LocalDate, occurrences: some Sequence<Occurrence>, language: Language,
        to out: inout OutputBuffer
    ) {
        writeHeader(from: from, to: to, to: &out)
        var first = true
        for occurrence in occurrences {
            out.write(first ? "\n  " : ",\n  ")
            first = false
            writeFields(of: occurrence, language: language, to: &out)
            out.write(byte: UInt8(ascii: "}"))
            out.flushIfFull()
        }
        out.write(first ? "]}\n" : "\n]}\n")
    }

    /// `calendar --format json`: the same object, each occurrence with its reminders and checklist.
    static func render(_ document: CalendarDocument) -> String {
        var out = OutputBuffer(capacity: 64 + document.entries.count * 400)
        write(document, entries: document.entries, to: &out)
        return out.text
    }

    /// `calendar --format json` for `entries` (in order), written to `out` one at a time.
    static func write(_ document: CalendarDocument, entries: some Sequence<CalendarEntry>, to out: inout OutputBuffer) {
        let language = document.language
        writeHeader(from: document.from, to: document.through, to: &out)
        var first = true
        for entry in entries {
            out.write(first ? "\n  " : ",\n  ")
            first = false
            writeFields(of: entry.occurrence, language: language, to: &out)
            out.write(", \"lead_days\": [")
            for (i, days) in entry.leadDays.enumerated() {
                if i > 0 { out.write(", ") }
                out.write(days)
            }
            out.write("], \"checklist\": [")
            for (i, scheduled) in entry.tasks.enumerated() {
                if i > 0 { out.write(", ") }
                out.write("{\"task\": ")
                out.writeJSONString(scheduled.task.id)
                out.write(", \"title\": ")
                out.writeJSONString(scheduled.task.title.resolved(language))
                out.write(", \"due\": \"")
                out.writeISO(scheduled.due)
                out.write("\"}")
            }
            out.write("]}")
            out.flushIfFull()
        }
        out.write(first ? "]}\n" : "\n]}\n")
    }

    private static func writeHeader(from: LocalDate, to: LocalDate, to out: inout OutputBuffer) {
        out.write("{\"from\": \"")
        out.writeISO(from)
        out.write("\", \"to\": \"")
        out.writeISO(to)
        out.write("\", \"occurrences\": [")
    }

    /// `, "kind": "…", "country": ` whole, one append where three were (each append is about
    /// 90 instructions, and a 100k year writes 100,000 records).
    static func kindMembers(_ kind: EventKind) -> String {
        switch kind {
        case .diplomaticRelations: ", \"kind\": \"diplomatic-relations\", \"country\": "
        case .nationalDay: ", \"kind\": \"national-day\", \"country\": "
        case .partnership: ", \"kind\": \"partnership\", \"country\": "
        case .holiday: ", \"kind\": \"holiday\", \"country\": "
        case .commemoration: ", \"kind\": \"commemoration\", \"country\": "
        case .custom: ", \"kind\": \"custom\", \"country\": "
        }
    }

    /// `, "tier": "…", "lunar": ` in one piece for the three tiers every record of the usual
    /// configurations has: three appends and an escaping scan fewer a record. A configuration's
    /// own tier name (nil here) is escaped as any string.
    static func tierMembers(_ tier: Tier) -> String? {
        switch tier {
        case .major: ", \"tier\": \"major\", \"lunar\": "
        case .notable: ", \"tier\": \"notable\", \"lunar\": "
        case .routine: ", \"tier\": \"routine\", \"lunar\": "
        default: nil
        }
    }

    /// The object's fields, opening brace included, closing brace left to the caller.
    private static func writeFields(of occurrence: Occurrence, language: Language, to out: inout OutputBuffer) {
        out.write("{\"date\": \"")
        out.writeISO(occurrence.date)
        out.write("\", \"event\": ")
        out.writeJSONString(occurrence.event.id)
        out.write(kindMembers(occurrence.event.kind))
        out.writeJSONOptional(occurrence.countryCode)
        out.write(", \"title\": ")
        out.writeJSONTitle(of: occurrence, language: language)
        out.write(", \"ordinal\": ")
        if let ordinal = occurrence.ordinal { out.write(ordinal) } else { out.write("null") }
        if let members = tierMembers(occurrence.tier) {
            out.write(members)
        } else {
            out.write(", \"tier\": ")
            out.writeJSONString(occurrence.tier.rawValue)
            out.write(", \"lunar\": ")
        }
        if let lunar = occurrence.lunar {
            out.write("{\"month\": ")
            out.write(lunar.month)
            out.write(", \"day\": ")
            out.write(lunar.day)
            out.write(lunar.isLeapMonth ? ", \"leap\": true}, \"country_name\": " : ", \"leap\": false}, \"country_name\": ")
        } else {
            out.write("null, \"country_name\": ")
        }
        out.writeJSONOptional(occurrence.country?.name.resolved(language))
        out.write(", \"day_off\": ")
        out.write(occurrence.event.dayOff ? "true" : "false")
    }
}
