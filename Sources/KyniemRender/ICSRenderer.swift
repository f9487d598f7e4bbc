import KyniemCore

/// iCalendar (RFC 5545) for Google Calendar, Outlook and Thunderbird: one all-day VEVENT per
/// occurrence (lunar events expanded, never an RRULE), one VALARM per reminder lead time.
enum ICSRenderer {
    static func render(_ document: CalendarDocument, feed: ICSFeed? = nil) -> String {
        var ics = ContentLines(capacity: 256 + document.entries.count * 1_200)
        write(document, entries: document.entries, feed: feed, to: &ics)
        return ics.string
    }

    /// `render(document, feed:)` as UTF-8 bytes, with where each VEVENT is (nil when one's DTSTAMP
    /// or SEQUENCE line is not a single line, which a feed's revisions never make).
    static func feedBytes(_ document: CalendarDocument, feed: ICSFeed) -> (bytes: [UInt8], events: [ICSEventSpan]?) {
        var ics = ContentLines(capacity: 256 + document.entries.count * 1_200)
        ics.events = []
        ics.events!.reserveCapacity(document.entries.count)
        write(document, entries: document.entries, feed: feed, to: &ics)
        return (ics.output.bytes, ics.events)
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
            let uid = uid(entry.occurrence)
            event(entry, uid: uid, document: document, revision: feed?.revision(uid), into: &ics)
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
        _ entry: CalendarEntry, uid: String, document: CalendarDocument, revision: ICSRevision?,
        into ics: inout ContentLines
    ) {
        let occurrence = entry.occurrence
        let language = document.language
        let title = occurrence.title(language)
        // Each line's bytes are written as they are made, without interpolating a String: every
        // feed of a publish has thousands of events.
        let begin = ics.output.bytes.count
        ics.line("BEGIN:VEVENT")
        ics.line("UID:", uid)
        let stamp = ics.output.bytes.count
        ics.line("DTSTAMP:", revision?.stamp ?? document.generatedAt)
        let sequence = ics.output.bytes.count
        if let revision { ics.line("SEQUENCE:", revision.sequence) }
        let afterSequence = ics.output.bytes.count
        // All-day: DTEND is the next day, exclusive (RFC 5545 §3.6.1).
        ics.line("DTSTART;VALUE=DATE:", occurrence.date)
        ics.line("DTEND;VALUE=DATE:", occurrence.date.adding(days: 1))
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
            switch days {
            case 0: ics.line("TRIGGER:PT0S")
            case 1...: ics.line("TRIGGER:-P", days, "D")
            default: ics.line("TRIGGER:P", -days, "D")
            }
            ics.line("END:VALARM")
        }
        ics.line("END:VEVENT")
        ics.recordEvent(
            uid: uid, range: begin..<ics.output.bytes.count, stamp: stamp..<sequence,
            sequence: revision == nil ? nil : sequence..<afterSequence)
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

/// A VEVENT of a rendered feed: its UID, the fingerprint (FNV-1a) of its bytes without its
/// DTSTAMP and SEQUENCE lines, and where it and those lines are in the feed's bytes.
public struct ICSEventSpan: Sendable {
    public var uid: String
    public var hash: String
    /// From `BEGIN:VEVENT` through the CRLF after `END:VEVENT`.
    public var range: Range<Int>
    /// The DTSTAMP and SEQUENCE lines, each with its CRLF.
    public var stamp: Range<Int>
    public var sequence: Range<Int>

    /// The VEVENT at `range` of `bytes`, its DTSTAMP line at `stamp`, its SEQUENCE line right
    /// after it. Nil when either line is not one line (folded, or with another CR): then only
    /// reading the feed tells what a reader of it finds.
    init?(_ bytes: [UInt8], uid: String, range: Range<Int>, stamp: Range<Int>, sequence: Range<Int>) {
        guard stamp.upperBound == sequence.lowerBound, range.lowerBound <= stamp.lowerBound,
            sequence.upperBound <= range.upperBound, range.upperBound <= bytes.count
        else { return nil }
        let hash: String? = bytes.withUnsafeBufferPointer { bytes in
            func oneLine(_ line: Range<Int>) -> Bool {
                line.count >= 2 && UnsafeBufferPointer(rebasing: bytes[line]).firstIndex(of: 0x0D) == line.count - 2
                    && bytes[line.upperBound - 1] == 0x0A
            }
            guard oneLine(stamp), oneLine(sequence) else { return nil }
            var hash = Fingerprint()
            hash.add(UnsafeBufferPointer(rebasing: bytes[range.lowerBound..<stamp.lowerBound]))
            hash.add(UnsafeBufferPointer(rebasing: bytes[sequence.upperBound..<range.upperBound]))
            return hash.hex
        }
        guard let hash else { return nil }
        (self.uid, self.hash, self.range, self.stamp, self.sequence) = (uid, hash, range, stamp, sequence)
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
    /// Where each VEVENT went, when asked for (`ICSRenderer.feedBytes`); nil once an event's
    /// span could not be told from its bytes alone (see `recordEvent`).
    var events: [ICSEventSpan]?

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

    /// `line(name + value)`, without making that String.
    mutating func line(_ name: StaticString, _ value: String) {
        pending.removeAll(keepingCapacity: true)
        name.withUTF8Buffer { pending.append(contentsOf: $0) }
        pending.append(contentsOf: value.utf8)
        ContentLines.fold(pending, into: &output.bytes)
    }

    /// `line(name + String(value) + suffix)`, without making that String.
    mutating func line(_ name: StaticString, _ value: Int, _ suffix: StaticString = "") {
        pending.removeAll(keepingCapacity: true)
        name.withUTF8Buffer { pending.append(contentsOf: $0) }
        ContentLines.appendDecimal(value, to: &pending)
        suffix.withUTF8Buffer { pending.append(contentsOf: $0) }
        ContentLines.fold(pending, into: &output.bytes)
    }

    /// `line(name + date.basic)`, without making that String.
    mutating func line(_ name: StaticString, _ date: LocalDate) {
        pending.removeAll(keepingCapacity: true)
        name.withUTF8Buffer { pending.append(contentsOf: $0) }
        ContentLines.appendBasic(date, to: &pending)
        ContentLines.fold(pending, into: &output.bytes)
    }

    /// Records the VEVENT just written at `range` of `output.bytes`, with its DTSTAMP line at
    /// `stamp` and SEQUENCE line at `sequence`, when `events` is being kept. Its fingerprint is
    /// that of its bytes without those two lines: what `FeedEvents` finds by reading the feed,
    /// as long as each of those lines is one line (unfolded, no other CR); if not, `events`
    /// becomes nil and the caller reads the feed.
    mutating func recordEvent(uid: String, range: Range<Int>, stamp: Range<Int>, sequence: Range<Int>?) {
        guard events != nil else { return }
        guard let sequence, stamp.upperBound == sequence.lowerBound, output.bytes.count == range.upperBound else {
            events = nil
            return
        }
        if let span = ICSEventSpan(output.bytes, uid: uid, range: range, stamp: stamp, sequence: sequence) {
            events!.append(span)
        } else {
            events = nil
        }
    }

    /// `String(value)`'s bytes.
    static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        guard value >= 0 else {
            out.append(contentsOf: String(value).utf8)
            return
        }
        var divisor = 1
        while divisor <= value / 10 { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    /// `date.basic`'s bytes (`20270921`).
    static func appendBasic(_ date: LocalDate, to out: inout [UInt8]) {
        guard (0...9999).contains(date.year), (1...12).contains(date.month), (1...31).contains(date.day) else {
            out.append(contentsOf: date.basic.utf8)
            return
        }
        let year = date.year
        out.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: year / 1000))
        out.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: year / 100 % 10))
        out.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: year / 10 % 10))
        out.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: year % 10))
        out.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: date.month / 10))
        out.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: date.month % 10))
        out.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: date.day / 10))
        out.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: date.day % 10))
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
