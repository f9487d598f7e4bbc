import KyniemCore

/// CSV (RFC 4180): a header row, UTF-8, CRLF after every record, a field quoted when it holds a
/// comma, a quote, CR or LF (quotes doubled). No byte-order mark: spreadsheet users who need one
/// for Excel can import through Data → From Text/CSV, which asks for the encoding.
///
/// Columns: date, weekday, event, kind, country, country_name, title, ordinal, tier, lunar
/// (`15/8`, `15/8L` in a leap month), day_off (`true`/`false`), lead_days (`90 30 7 0`),
/// checklist (one `YYYY-MM-DD title` per line, in one quoted field), kind_label and tier_label.
/// `weekday` and the labels are in the calendar's language, for people; `date`, `event`, `kind`
/// and `tier` stay codes, for programs and sorting.
enum CSVRenderer {
    static let columns = [
        "date", "weekday", "event", "kind", "country", "country_name", "title", "ordinal", "tier", "lunar",
        "day_off", "lead_days", "checklist", "kind_label", "tier_label",
    ]

    static func render(_ document: CalendarDocument) -> String {
        var out = OutputBuffer(capacity: 128 + document.entries.count * 400)
        write(document, entries: document.entries, to: &out)
        return out.text
    }

    /// The document's header row and a record per entry of `entries` (in order), written to
    /// `out` one record at a time.
    static func write(_ document: CalendarDocument, entries: some Sequence<CalendarEntry>, to out: inout OutputBuffer) {
        let language = document.language
        record(columns, into: &out)
        var fields: [String] = []
        fields.reserveCapacity(columns.count)
        for entry in entries {
            let occurrence = entry.occurrence
            fields.removeAll(keepingCapacity: true)
            fields.append(occurrence.date.iso)
            fields.append(Vocabulary.weekday(occurrence.date.weekday, language))
            fields.append(occurrence.event.id)
            fields.append(occurrence.event.kind.rawValue)
            fields.append(occurrence.countryCode ?? "")
            fields.append(occurrence.country?.name.resolved(language) ?? "")
            fields.append(occurrence.title(language))
            fields.append(occurrence.ordinal.map(String.init) ?? "")
            fields.append(occurrence.tier.rawValue)
            fields.append(occurrence.lunar.map { "\($0.day)/\($0.month)\($0.isLeapMonth ? "L" : "")" } ?? "")
            fields.append(occurrence.event.dayOff ? "true" : "false")
            fields.append(entry.leadDays.map(String.init).joined(separator: " "))
            fields.append(
                entry.tasks.map { "\($0.due.iso) \($0.task.title.resolved(language))" }.joined(separator: "\n"))
            fields.append(Vocabulary.kind(occurrence.event.kind, language))
            fields.append(occurrence.tier.label(language))
            record(fields, into: &out)
            out.flushIfFull()
        }
    }

    private static func record(_ fields: [String], into out: inout OutputBuffer) {
        for (index, field) in fields.enumerated() {
            if index > 0 { out.write(byte: UInt8(ascii: ",")) }
            appendField(field, to: &out)
        }
        out.write("\r\n")
    }

    static func appendField(_ field: String, to out: inout OutputBuffer) {
        let needsQuotes = field.utf8.contains {
            $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0D || $0 == 0x0A
        }
        guard needsQuotes else {
            out.write(field)
            return
        }
        out.write(byte: UInt8(ascii: "\""))
        for byte in field.utf8 {
            // A quote is ASCII, so it never sits inside a multi-byte character.
            if byte == UInt8(ascii: "\"") { out.write(byte: byte) }
            out.write(byte: byte)
        }
        out.write(byte: UInt8(ascii: "\""))
    }
}
