import KyniemCore

/// What turns a calendar file into a subscription feed (`kyniem publish`): how often clients
/// should fetch it again, the home time zone, and each event's revision, so that a client can
/// tell an unchanged event from a corrected one.
public struct ICSFeed: Sendable {
    /// An RFC 5545 duration, `PT12H`.
    public var refreshInterval: String
    /// The home time zone, an IANA name (`Asia/Ho_Chi_Minh`).
    public var timeZone: String
    /// By UID (`jp-relations-20280921@kyniem`).
    public var revisions: [String: ICSRevision]
    /// For a UID missing from `revisions`.
    public var fallback: ICSRevision

    public init(
        refreshInterval: String, timeZone: String, revisions: [String: ICSRevision] = [:],
        fallback: ICSRevision = ICSRevision(stamp: "19700101T000000Z", sequence: 0)
    ) {
        self.refreshInterval = refreshInterval
        self.timeZone = timeZone
        self.revisions = revisions
        self.fallback = fallback
    }

    func revision(_ uid: String) -> ICSRevision { revisions[uid] ?? fallback }

    func header(into ics: inout ContentLines) {
        // REFRESH-INTERVAL is RFC 7986 §5.7 (Apple Calendar, Thunderbird); X-PUBLISHED-TTL is the
        // older property that Outlook reads ([MS-OXCICAL] 2.1.3.1.1.15). Google ignores both and
        // refetches on its own schedule (every few hours to a day).
        ics.line("REFRESH-INTERVAL;VALUE=DURATION:\(refreshInterval)")
        ics.line("X-PUBLISHED-TTL:\(refreshInterval)")
        // Every event is all-day (floating dates), so no VTIMEZONE is needed; X-WR-TIMEZONE only
        // tells clients that read it which zone the office works in.
        ics.text("X-WR-TIMEZONE", timeZone)
    }
}

/// When an event last changed (DTSTAMP, a UTC stamp) and how often it has (SEQUENCE, RFC 5545 §3.8.7.4).
public struct ICSRevision: Sendable, Hashable {
    public var stamp: String
    public var sequence: Int

    public init(stamp: String, sequence: Int) {
        self.stamp = stamp
        self.sequence = sequence
    }
}

extension CalendarRenderer {
    /// The document as a subscription feed: the ICS calendar with `feed`'s header and revisions.
    public static func feed(_ document: CalendarDocument, _ feed: ICSFeed) -> String {
        ICSRenderer.render(document, feed: feed)
    }

    /// `feed` as UTF-8 bytes, without making a String of them, and where each VEVENT is in them
    /// (nil in a case `FeedEvents` must read the bytes for: see `ContentLines.recordEvent`).
    public static func feedBytes(_ document: CalendarDocument, _ feed: ICSFeed) -> (bytes: [UInt8], events: [ICSEventSpan]?) {
        ICSRenderer.feedBytes(document, feed: feed)
    }

    /// The checklists of the document's occurrences as a feed of dated all-day events, one per
    /// task on its due date. Not VTODO: Google Calendar and Outlook show no VTODO from a
    /// subscribed calendar (only Thunderbird does), so a task feed of VTODOs would look empty to
    /// most of the office (docs/calendars.md, "Publishing").
    public static func taskFeed(_ document: CalendarDocument, _ feed: ICSFeed) -> String {
        ChecklistFeedRenderer.render(document, feed: feed)
    }

    /// `taskFeed` as UTF-8 bytes, without making a String of them, and where each VEVENT is
    /// in them (nil as for `feedBytes`).
    public static func taskFeedBytes(_ document: CalendarDocument, _ feed: ICSFeed) -> (bytes: [UInt8], events: [ICSEventSpan]?) {
        ChecklistFeedRenderer.feedBytes(document, feed: feed)
    }

    /// `<event-id>-<yyyymmdd>@kyniem`, the UID the ICS calendar gives an occurrence.
    public static func uid(_ occurrence: Occurrence) -> String { ICSRenderer.uid(occurrence) }

    /// `<event-id>-<yyyymmdd>-<task-id>@kyniem`: a task's UID in the task feed, stable like the
    /// occurrence's (the date is the occurrence's, not the due date, which can move).
    public static func uid(_ task: ScheduledTask, of occurrence: Occurrence) -> String {
        "\(occurrence.event.id)-\(occurrence.date.basic)-\(task.task.id)@kyniem"
    }
}

/// One all-day VEVENT per checklist task, on its due date, sorted by due date then UID.
enum ChecklistFeedRenderer {
    static func render(_ document: CalendarDocument, feed: ICSFeed) -> String {
        String(decoding: feedBytes(document, feed: feed).bytes, as: UTF8.self)
    }

    /// The feed as UTF-8 bytes. What follows SUMMARY (DESCRIPTION through END:VEVENT) is the
    /// occurrence's, the same for each of its tasks, so it is folded once per occurrence and
    /// copied into each task's event; the bytes are those of rendering every task in full.
    static func feedBytes(_ document: CalendarDocument, feed: ICSFeed) -> (bytes: [UInt8], events: [ICSEventSpan]?) {
        let language = document.language
        var tasks: [(uid: String, task: ScheduledTask, entry: Int)] = []
        for (index, entry) in document.entries.enumerated() where !entry.tasks.isEmpty {
            // `CalendarRenderer.uid(task, of:)`, with the occurrence's part made once.
            let prefix = "\(entry.occurrence.event.id)-\(entry.occurrence.date.basic)-"
            for task in entry.tasks {
                tasks.append((prefix + task.task.id + "@kyniem", task, index))
            }
        }
        tasks.sort { $0.task.due != $1.task.due ? $0.task.due < $1.task.due : $0.uid < $1.uid }
        var ics = ContentLines(capacity: 256 + tasks.count * 600)
        ics.line("BEGIN:VCALENDAR")
        ics.line("VERSION:2.0")
        ics.line("PRODID:-//kyniem//kyniem checklist//\(language.rawValue.uppercased())")
        ics.line("CALSCALE:GREGORIAN")
        ics.line("METHOD:PUBLISH")
        ics.text("X-WR-CALNAME", document.name)
        feed.header(into: &ics)
        ics.events = []
        ics.events!.reserveCapacity(tasks.count)
        // DESCRIPTION through END:VEVENT, by entry, made when its first task is written.
        var tails: [[UInt8]?] = Array(repeating: nil, count: document.entries.count)
        var tail = ContentLines(capacity: 1_024)
        for (uid, scheduled, entry) in tasks {
            let revision = feed.revision(uid)
            let begin = ics.output.bytes.count
            ics.line("BEGIN:VEVENT")
            ics.line("UID:", uid)
            let stamp = ics.output.bytes.count
            ics.line("DTSTAMP:", revision.stamp)
            let sequence = ics.output.bytes.count
            ics.line("SEQUENCE:", revision.sequence)
            let afterSequence = ics.output.bytes.count
            ics.line("DTSTART;VALUE=DATE:", scheduled.due)
            ics.line("DTEND;VALUE=DATE:", scheduled.due.adding(days: 1))
            ics.text("SUMMARY", scheduled.task.title.resolved(language))
            if tails[entry] == nil {
                let occurrence = document.entries[entry].occurrence
                tail.output.bytes.removeAll(keepingCapacity: true)
                tail.text("DESCRIPTION", "\(occurrence.title(language))\n\(Vocabulary.long(occurrence.date, language))")
                tail.textList("CATEGORIES", ["checklist", occurrence.event.kind.rawValue, occurrence.tier.rawValue])
                tail.line("RELATED-TO:", ICSRenderer.uid(occurrence))
                tail.line("TRANSP:TRANSPARENT")
                tail.line("END:VEVENT")
                tails[entry] = tail.output.bytes
            }
            ics.output.bytes.append(contentsOf: tails[entry]!)
            ics.recordEvent(
                uid: uid, range: begin..<ics.output.bytes.count, stamp: stamp..<sequence, sequence: sequence..<afterSequence)
        }
        ics.line("END:VCALENDAR")
        return (ics.output.bytes, ics.events)
    }
}
