import CPrefetch

extension Recurrence {
    /// The occurrences whose Gregorian date lies in `from...through`, as (date, ordinal, lunar date).
    /// The work is one step per calendar year in the window (two for lunar rules, whose
    /// months 11 and 12 spill into the next Gregorian year), whatever the window's length in days.
    public func dates(
        from: LocalDate, through: LocalDate, lunarCalendar: LunarCalendar = .vietnam
    ) -> [(date: LocalDate, ordinal: Int?, lunar: LunarDate?)] {
        var found: [(date: LocalDate, ordinal: Int?, lunar: LunarDate?)] = []
        forEachDate(from: from, through: through, lunarCalendar: lunarCalendar) { found.append(($0, $1, $2)) }
        return found
    }

    /// `dates(from:through:)` handed over one at a time, in date order, without building an
    /// array: the catalog calls this once per event.
    @inline(__always)
    public func forEachDate(
        from: LocalDate, through: LocalDate, lunarCalendar: LunarCalendar = .vietnam,
        _ body: (_ date: LocalDate, _ ordinal: Int?, _ lunar: LunarDate?) -> Void
    ) {
        guard from <= through else { return }
        func keep(_ date: LocalDate?, ordinal: Int?, lunar: LunarDate? = nil) {
            guard let date, date >= from, date <= through else { return }
            body(date, ordinal, lunar)
        }
        switch self {
        case .once(let date):
            keep(date, ordinal: nil)
        case .origin(let origin):
            for year in Self.years(from: from.year, through: through.year, since: origin.year) {
                keep(Self.yearly(month: origin.month, day: origin.day, year: year), ordinal: year - origin.year)
            }
        case .monthDay(let month, let day, let since):
            for year in Self.years(from: from.year, through: through.year, since: since) {
                keep(Self.yearly(month: month, day: day, year: year), ordinal: since.map { year - $0 })
            }
        case .nthWeekday(let month, let weekday, let nth, let since):
            for year in Self.years(from: from.year, through: through.year, since: since) {
                keep(Self.nthWeekday(nth, weekday, month: month, year: year), ordinal: since.map { year - $0 })
            }
        case .calendar(let rule, let since):
            for year in Self.years(from: from.year, through: through.year, since: since) {
                keep(rule.date(inGregorianYear: year), ordinal: since.map { year - $0 })
            }
        case .lunar(let month, let day, let leap, let since):
            // Lunar year Y starts in Gregorian year Y; its last months can fall in Y + 1.
            for year in Self.years(from: from.year - 1, through: through.year, since: since) {
                guard let length = lunarCalendar.monthLength(year: year, month: month, isLeapMonth: leap) else {
                    continue  // a `leap: true` event only occurs in years that have that leap month
                }
                let lunarDay: Int
                switch day {
                case .last: lunarDay = length
                case .day(let d): lunarDay = min(d, length)
                }
                let lunar = LunarDate(year: year, month: month, day: lunarDay, isLeapMonth: leap)
                keep(lunarCalendar.solarDate(for: lunar), ordinal: since.map { year - $0 }, lunar: lunar)
            }
        }
    }

    private static func years(from: Int, through: Int, since: Int?) -> StrideThrough<Int> {
        // The founding year itself is not an anniversary: ordinals start at 1.
        let first = since.map { max(from, $0 + 1) } ?? from
        return stride(from: first, through: through, by: 1)
    }

    /// A yearly day; 29 February falls on 28 February in common years.
    static func yearly(month: Int, day: Int, year: Int) -> LocalDate? {
        if let date = LocalDate(year: year, month: month, day: day) { return date }
        if month == 2, day == 29 { return LocalDate(year: year, month: 2, day: 28) }
        return nil
    }

    /// The nth (1...5) or last (-1) given weekday of a month; nil when there is no fifth.
    static func nthWeekday(_ nth: Int, _ weekday: Weekday, month: Int, year: Int) -> LocalDate? {
        if nth > 0 {
            let first = LocalDate(year, month, 1)
            let offset = (weekday.rawValue - first.weekday.rawValue + 7) % 7
            let day = 1 + offset + (nth - 1) * 7
            return LocalDate(year: year, month: month, day: day)
        }
        let lastDay = LocalDate.daysIn(month: month, year: year)
        let last = LocalDate(year, month, lastDay)
        let back = (last.weekday.rawValue - weekday.rawValue + 7) % 7
        return LocalDate(year: year, month: month, day: lastDay - back - (-nth - 1) * 7)
    }
}

/// What an occurrence query keeps (the CLI's `--tier --kind --country`).
public struct OccurrenceFilter: Sendable, Hashable {
    public var tiers: Set<Tier>?
    public var kinds: Set<EventKind>?
    public var countries: Set<String>?

    public init(tiers: Set<Tier>? = nil, kinds: Set<EventKind>? = nil, countries: Set<String>? = nil) {
        self.tiers = tiers
        self.kinds = kinds
        self.countries = countries
    }

    public static let all = OccurrenceFilter()

    public func admits(kind: EventKind, country: String?) -> Bool {
        if let kinds, !kinds.contains(kind) { return false }
        if let countries {
            guard let country, countries.contains(country) else { return false }
        }
        return true
    }

    public func admits(_ occurrence: Occurrence) -> Bool {
        if let tiers, !tiers.contains(occurrence.tier) { return false }
        return admits(kind: occurrence.event.kind, country: occurrence.event.country)
    }
}

/// Every event of the configuration with the rules that give its occurrences a tier.
public struct Catalog: Sendable {
    public let events: [Event]
    public let countries: [String: Country]
    public let milestones: MilestonePolicy
    public let lunarCalendar: LunarCalendar
    /// Indices into `events`, by event id.
    private let eventsByID: [Int]

    public init(
        events: [Event], countries: [String: Country], milestones: MilestonePolicy = .standard,
        lunarCalendar: LunarCalendar = .vietnam
    ) {
        self.events = events
        self.eventsByID = events.indices.sorted { events[$0].id < events[$1].id }
        self.countries = countries
        self.milestones = milestones
        self.lunarCalendar = lunarCalendar
    }

    public func event(id: String) -> Event? { events.first { $0.id == id } }

    /// Occurrences in `from...through`, sorted by date then event id.
    public func occurrences(from: LocalDate, through: LocalDate, filter: OccurrenceFilter = .all) -> [Occurrence] {
        Array(occurrenceList(from: from, through: through, filter: filter))
    }

    /// Occurrences in `from...through`, sorted by date then event id, as a compact list that
    /// makes each `Occurrence` when it is read: 24 bytes an occurrence instead of a hundred and
    /// more, so a year of 100,000 events is written out without holding every occurrence whole.
    public func occurrenceList(from: LocalDate, through: LocalDate, filter: OccurrenceFilter = .all) -> OccurrenceList {
        var found: [OccurrenceList.Record] = []
        let years = max(1, through.year - from.year + 1)
        found.reserveCapacity(min(events.count * years, 1 << 20))
        // Without a kind or country filter, no event's country is made a String to be admitted.
        let filtersEvents = filter.kinds != nil || filter.countries != nil
        for index in eventsByID
        where !filtersEvents || filter.admits(kind: events[index].kind, country: events[index].country) {
            let event = events[index]
            let country = filter.tiers == nil ? nil : event.country.flatMap { countries[$0] }
            event.recurrence.forEachDate(from: from, through: through, lunarCalendar: lunarCalendar) { date, ordinal, lunar in
                guard event.exists(on: date) else { return }
                if filter.tiers != nil {
                    let occurrence = Occurrence(
                        event: event, date: date, ordinal: ordinal,
                        tier: milestones.tier(ordinal: ordinal, kind: event.kind), lunar: lunar, country: country)
                    guard filter.admits(occurrence) else { return }
                }
                found.append(OccurrenceList.Record(
                    // Events are visited in id order, so ordering by (day, position found) gives
                    // (date, id). Both fit one 64-bit key, and sorting plain integers is far
                    // cheaper than comparing occurrences. Julian Day Numbers within `Limits`
                    // are positive and below 2^32; positions are below 2^32 by `Limits`.
                    key: UInt64(UInt32(truncatingIfNeeded: date.julianDay)) << 32 | UInt64(found.count),
                    event: UInt32(truncatingIfNeeded: index), ordinal: ordinal, lunar: lunar))
            }
        }
        return OccurrenceList(
            records: Self.inDateOrder(found, firstDay: from.julianDay, lastDay: through.julianDay),
            events: events, countries: countries, milestones: milestones)
    }

    /// `records` sorted by key. Every date lies in the window, so a counting sort by day does it
    /// in two passes, keeping the order found within a day (id order): a comparison sort of
    /// 100,000 records was 1.2% of a year's JSON. A window too long for a table of days, or a
    /// date outside it, is sorted by comparison.
    private static func inDateOrder(
        _ records: [OccurrenceList.Record], firstDay: Int, lastDay: Int
    ) -> [OccurrenceList.Record] {
        let days = lastDay - firstDay + 1
        guard records.count > 1, days > 0, days <= 1 << 16 else { return records.sorted { $0.key < $1.key } }
        var starts = [Int](repeating: 0, count: days + 1)
        for record in records {
            let day = Int(record.key >> 32) - firstDay
            guard day >= 0, day < days else { return records.sorted { $0.key < $1.key } }
            starts[day + 1] += 1
        }
        for day in 0..<days { starts[day + 1] += starts[day] }
        return [OccurrenceList.Record](unsafeUninitializedCapacity: records.count) { buffer, count in
            for record in records {
                let day = Int(record.key >> 32) - firstDay
                (buffer.baseAddress! + starts[day]).initialize(to: record)
                starts[day] += 1
            }
            count = records.count
        }
    }

    public func occurrences(of event: Event, from: LocalDate, through: LocalDate) -> [Occurrence] {
        var found: [Occurrence] = []
        forEachOccurrence(of: event, from: from, through: through) { found.append($0) }
        return found
    }

    /// Each occurrence of `event` in the window, in date order, with its tier and country.
    @inline(__always)
    private func forEachOccurrence(
        of event: Event, from: LocalDate, through: LocalDate, _ body: (Occurrence) -> Void
    ) {
        let country = event.country.flatMap { countries[$0] }
        event.recurrence.forEachDate(from: from, through: through, lunarCalendar: lunarCalendar) { date, ordinal, lunar in
            guard event.exists(on: date) else { return }
            body(Occurrence(
                event: event, date: date, ordinal: ordinal,
                tier: milestones.tier(ordinal: ordinal, kind: event.kind), lunar: lunar, country: country))
        }
    }
}

/// The occurrences of a window in order, each made when it is read (`Catalog.occurrenceList`).
public struct OccurrenceList: RandomAccessCollection, Sendable {
    struct Record: Sendable {
        /// Julian Day Number in the high half, the order found in the low half.
        let key: UInt64
        /// Index into the catalog's events.
        let event: UInt32
        /// The ordinal, `Int32.min` for none; within `Limits.years`, so it fits.
        let ordinal: Int32
        /// The lunar year, `Int32.min` for none, then month, day and leap packed.
        let lunarYear: Int32
        let lunarMonth: UInt8
        let lunarDay: UInt8
        let lunarLeap: Bool

        init(key: UInt64, event: UInt32, ordinal: Int?, lunar: LunarDate?) {
            self.key = key
            self.event = event
            self.ordinal = ordinal.map { Int32(clamping: $0) } ?? .min
            self.lunarYear = lunar.map { Int32(clamping: $0.year) } ?? .min
            self.lunarMonth = UInt8(truncatingIfNeeded: lunar?.month ?? 0)
            self.lunarDay = UInt8(truncatingIfNeeded: lunar?.day ?? 0)
            self.lunarLeap = lunar?.isLeapMonth ?? false
        }
    }

    let records: [Record]
    // What an occurrence is made of, rather than the whole catalog: reading an element then
    // retains three references, not every field of a `Catalog`.
    let events: [Event]
    let countries: [String: Country]
    let milestones: MilestonePolicy
    /// `countries` by the two capital letters of their code, so that reading an occurrence
    /// finds its country without making the code a String and hashing it (a sixth of writing
    /// an occurrence out): slot `(first - A) × 26 + (second - A)` holds an index into
    /// `countryList`, -1 for none. Other codes are looked up in `countries`.
    private let countrySlots: [Int16]
    private let countryList: [Country]

    init(records: [Record], events: [Event], countries: [String: Country], milestones: MilestonePolicy) {
        self.records = records
        self.events = events
        self.countries = countries
        self.milestones = milestones
        var slots = [Int16](repeating: -1, count: Country.slotCount)
        var list: [Country] = []
        for (code, country) in countries {
            guard let slot = Country.slot(ofCode: code) else { continue }
            slots[slot] = Int16(list.count)
            list.append(country)
        }
        // More countries than an Int16 counts cannot be: at most 26 × 26 codes have a slot.
        self.countrySlots = slots
        self.countryList = list
    }

    /// `event.country.flatMap { countries[$0] }`.
    @inline(__always)
    private func country(of event: Event) -> Country? {
        let letters = event.countryLetters
        if letters != 0, let slot = Country.slot(UInt8(truncatingIfNeeded: letters), UInt8(truncatingIfNeeded: letters >> 8)) {
            let index = countrySlots[slot]
            return index < 0 ? nil : countryList[Int(index)]
        }
        return event.country.flatMap { countries[$0] }
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { records.count }

    public subscript(position: Int) -> Occurrence {
        let record = records[position]
        let event = events[Int(record.event)]
        let ordinal = record.ordinal == .min ? nil : Int(record.ordinal)
        let lunar = record.lunarYear == .min
            ? nil
            : LunarDate(year: Int(record.lunarYear), month: Int(record.lunarMonth), day: Int(record.lunarDay),
                        isLeapMonth: record.lunarLeap)
        return Occurrence(
            event: event, date: LocalDate(julianDay: Int(record.key >> 32)), ordinal: ordinal,
            tier: milestones.tier(ordinal: ordinal, kind: event.kind), lunar: lunar,
            country: country(of: event))
    }

    /// In date order the events are read far apart in memory: two cache misses an occurrence
    /// (the slot in `events`, then the event), 7% of a 100k year's JSON. The iterator asks for
    /// them ahead, the slot `2 × prefetchDistance` occurrences early and the event
    /// `prefetchDistance` early, so they are in cache when the occurrence is made.
    public struct Iterator: IteratorProtocol {
        let list: OccurrenceList
        var position = 0

        public mutating func next() -> Occurrence? {
            let records = list.records
            guard position < records.count else { return nil }
            list.events.withUnsafeBufferPointer { events in
                let slot = position + 2 * OccurrenceList.prefetchDistance
                if slot < records.count { kyniem_prefetch(events.baseAddress! + Int(records[slot].event)) }
                let ahead = position + OccurrenceList.prefetchDistance
                if ahead < records.count {
                    kyniem_prefetch(Unmanaged.passUnretained(events[Int(records[ahead].event)]).toOpaque())
                }
            }
            defer { position += 1 }
            return list[position]
        }
    }

    static let prefetchDistance = 8

    public func makeIterator() -> Iterator {
        Iterator(list: self)
    }
}
