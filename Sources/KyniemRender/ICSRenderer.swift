import KyniemCore

/// iCalendar (RFC 5545) for Google Calendar, Outlook and Thunderbird: one all-day VEVENT per
/// occurrence (lunar events expanded, never an RRULE), one VALARM per reminder lead time.
enum ICSRenderer {
    static func render(_ document: CalendarDocument, feed: ICSFeed? = nil) -> String {
        var ics = ContentLines(capacity: 256 + document.entries.count * 1_200)
        write(document, entries: document.entries, feed: feed, to: &ics)
        return ics.string
    }

    /// The calendar with a VEVENT per entry of `entries` (in order), written to `ics` one
    /// event at a time.
    static func write(
        _ document: CalendarDocument, entries: some Sequence<CalendarEntry>, feed: ICSFeed? = nil,
        to ics: inout ContentLines
    ) {
        let language = document.language
        ics.line("BEGIN:VCALENDAR")
        ics.line("VERSION:2.0")
        ics.line("PRODID:-//kyniem//kyniem calendar//\(language.rawValue.uppercased())")
        ics.line("CALSCALE:GREGORIAN")
        ics.line("METHOD:PUBLISH")
        ics.text("X-WR-CALNAME", document.name)
        feed?.header(into: &ics)
        for entry in entries {
            event(entry, document: document, revision: feed?.revision(uid(entry.occurrence)), into: &ics)
            ics.output.flushIfFull()
        }
        ics.line("END:VCALENDAR")
    }

    /// `<event-id>-<yyyymmdd>@kyniem`: the same for the same occurrence in every run and every
    /// year's file, so re-importing updates events instead of doubling them.
    static func uid(_ occurrence: Occurrence) -> String {
        "\(occurrence.event.id)-\(occurrence.date.basic)@kyniem"
    }

    private static func event(
        _ entry: CalendarEntry, document: CalendarDocument, revision: ICSRevision?, into ics: inout ContentLines
    ) {
        let occurrence = entry.occurrence
        let language = document.language
        let title = occurrence.title(language)
        ics.line("BEGIN:VEVENT")
        ics.line("UID:\(uid(occurrence))")
        ics.line("DTSTAMP:\(revision?.stamp ?? document.generatedAt)")
        if let revision { ics.line("SEQUENCE:\(revision.sequence)") }
        // All-day: DTEND is the next day, exclusive (RFC 5545 §3.6.1).
        ics.line("DTSTART;VALUE=DATE:\(occurrence.date.basic)")
        ics.line("DTEND;VALUE=DATE:\(occurrence.date.adding(days: 1).basic)")
        ics.text("SUMMARY", title)
        ics.text("DESCRIPTION", description(entry, language))
        ics.textList("CATEGORIES", [occurrence.event.kind.rawValue, occurrence.tier.rawValue])
        // Anniversaries do not make anyone busy: the office still books meetings around them.
        ics.line("TRANSP:TRANSPARENT")
        for days in entry.leadDays {
            ics.line("BEGIN:VALARM")
            ics.line("ACTION:DISPLAY")
            ics.text("DESCRIPTION", Vocabulary.reminder(days: days, title: title, language))
            // Relative to DTSTART, i.e. local midnight of the day. PT0S rather than -P0D, which
            // is valid but which some importers reject.
            ics.line(days == 0 ? "TRIGGER:PT0S" : days > 0 ? "TRIGGER:-P\(days)D" : "TRIGGER:P\(-days)D")
            ics.line("END:VALARM")
        }
        ics.line("END:VEVENT")
    }

    /// Ordinal and tier, lunar date, country, checklist with due dates. Never the dataset's
    /// `note:` or `source:`: they are for editors (`kyniem explain --sources`), not for readers.
    static func description(_ entry: CalendarEntry, _ language: Language) -> String {
        let occurrence = entry.occurrence
        var lines: [String] = []
        let tier = "\(Vocabulary.phrase(.tier, language)): \(Vocabulary.tier(occurrence.tier, language))"
        if let ordinal = occurrence.ordinal {
            lines.append("\(Vocabulary.anniversary(ordinal, language)) · \(tier)")
        } else {
            lines.append(tier)
        }
        if let lunar = occurrence.lunar {
            lines.append(Vocabulary.lunar(lunar, language))
        }
        if let name = occurrence.countryName(language) {
            let flag = occurrence.country?.flag ?? ""
            lines.append("\(Vocabulary.phrase(.country, language)): \(flag.isEmpty ? "" : flag + " ")\(name)")
        }
        if occurrence.event.dayOff {
            lines.append(Vocabulary.phrase(.dayOff, language))
        }
        if !entry.tasks.isEmpty {
            lines.append("\(Vocabulary.phrase(.checklist, language)):")
            for scheduled in entry.tasks {
                lines.append("- \(Vocabulary.long(scheduled.due, language)): \(scheduled.task.title.resolved(language))")
            }
        }
        return lines.joined(separator: "\n")
    }
}

/// RFC 5545 §3.1 content lines, built as UTF-8 bytes: CRLF after each, folded so that no line
/// is longer than 75 octets (the CRLF not counted), never inside a UTF-8 sequence.
struct ContentLines {
    static let limit = 75
    /// Where the lines go: kept whole (`string`), or flushed in chunks (`init(output:)`).
    var output: OutputBuffer
    /// The line being built, reused so that a property costs no allocation.
    private var pending: [UInt8] = []

    init(capacity: Int) {
        self.init(output: OutputBuffer(capacity: capacity))
    }

    init(output: OutputBuffer) {
        self.output = output
        pending.reserveCapacity(1_024)
    }

    var string: String { output.text }

    /// A property whose value is already in its wire form (dates, URIs, fixed words).
    mutating func line(_ content: String) {
        ContentLines.fold(content.utf8, into: &output.bytes)
    }

    /// A TEXT property (§3.3.11), its value escaped.
    mutating func text(_ name: String, _ value: String) {
        textList(name, CollectionOfOne(value))
    }

    /// A multi-valued TEXT property such as CATEGORIES: each value escaped, joined by commas.
    mutating func textList(_ name: String, _ values: some Sequence<String>) {
        pending.removeAll(keepingCapacity: true)
        pending.append(contentsOf: name.utf8)
        pending.append(UInt8(ascii: ":"))
        for (index, value) in values.enumerated() {
            if index > 0 { pending.append(UInt8(ascii: ",")) }
            ContentLines.appendEscaped(value, to: &pending)
        }
        ContentLines.fold(pending, into: &output.bytes)
    }

    /// Appends `content` folded, with its CRLF. A continuation line starts with one space, which
    /// counts towards its 75 octets; breaks fall only before the first byte of a character.
    static func fold(_ content: some Sequence<UInt8>, into bytes: inout [UInt8]) {
        let folded: Void? = content.withContiguousStorageIfAvailable { fold(buffer: $0, into: &bytes) }
        if folded == nil { Array(content).withUnsafeBufferPointer { fold(buffer: $0, into: &bytes) } }
    }

    /// `fold` over contiguous bytes: whole runs between breaks are copied at once, and a line
    /// that fits (most of them) is copied without looking at its bytes.
    private static func fold(buffer: UnsafeBufferPointer<UInt8>, into bytes: inout [UInt8]) {
        if buffer.count > limit {
            var used = 0
            var start = 0
            for index in buffer.indices {
                let byte = buffer[index]
                // A byte that is not 10xxxxxx starts a character; break only there.
                if byte & 0xC0 != 0x80, used + sequenceLength(byte) > limit {
                    bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start..<index]))
                    bytes.append(0x0D)
                    bytes.append(0x0A)
                    bytes.append(0x20)
                    start = index
                    used = 1
                }
                used += 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start...]))
        } else {
            bytes.append(contentsOf: buffer)
        }
        bytes.append(0x0D)
        bytes.append(0x0A)
    }

    static func fold(_ content: String) -> String {
        var bytes: [UInt8] = []
        fold(content.utf8, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The inverse of `fold` for one content line: drops every CRLF followed by a space or tab.
    static func unfold(_ text: String) -> String {
        var out: [UInt8] = []
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0x0D, i + 2 < bytes.count, bytes[i + 1] == 0x0A, bytes[i + 2] == 0x20 || bytes[i + 2] == 0x09 {
                i += 3
                continue
            }
            out.append(bytes[i])
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func sequenceLength(_ lead: UInt8) -> Int {
        switch lead {
        case 0xF0...: 4
        case 0xE0...: 3
        case 0xC0...: 2
        default: 1
        }
    }

    /// TEXT escaping (§3.3.11): backslash, semicolon and comma get a backslash; a line break
    /// (CRLF, CR or LF) becomes `\n`. Other control characters are not allowed in TEXT and are
    /// dropped. Every byte concerned is ASCII, so the work is done on UTF-8 bytes.
    static func appendEscaped(_ value: String, to out: inout [UInt8]) {
        var value = value
        value.withUTF8 { utf8 in
            var previous: UInt8 = 0
            var runStart = 0
            for index in utf8.indices {
                let byte = utf8[index]
                defer { previous = byte }
                // Most bytes are copied as they are, in runs.
                if byte >= 0x20, byte != 0x7F, byte != UInt8(ascii: "\\"), byte != UInt8(ascii: ";"), byte != UInt8(ascii: ",") {
                    continue
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                runStart = index + 1
                switch byte {
                case UInt8(ascii: "\\"), UInt8(ascii: ";"), UInt8(ascii: ","):
                    out.append(UInt8(ascii: "\\"))
                    out.append(byte)
                case 0x0D:
                    out.append(UInt8(ascii: "\\"))
                    out.append(UInt8(ascii: "n"))
                case 0x0A:
                    if previous != 0x0D {
                        out.append(UInt8(ascii: "\\"))
                        out.append(UInt8(ascii: "n"))
                    }
                case 0x09:
                    out.append(byte)
                default:  // other controls: not allowed in TEXT
                    continue
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
    }

    static func escapeText(_ value: String) -> String {
        var bytes: [UInt8] = []
        appendEscaped(value, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}
