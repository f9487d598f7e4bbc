/// The months of one lunar year, as Julian Day Numbers of their first days.
struct LunarYearTable: Sendable {
    struct Month: Sendable {
        let number: Int
        let isLeap: Bool
        let firstDay: Int
    }

    let year: Int
    /// 12 or 13 months in calendar order, month 1 first.
    let months: [Month]
    /// The first day of the next lunar year (Tết of `year + 1`).
    let end: Int

    func length(ofMonthAt index: Int) -> Int {
        (index + 1 < months.count ? months[index + 1].firstDay : end) - months[index].firstDay
    }

    func index(ofMonth number: Int, isLeap: Bool) -> Int? {
        months.firstIndex { $0.number == number && $0.isLeap == isLeap }
    }

    /// The index of the month holding `day`, which must lie in this year.
    func index(ofMonthHolding day: Int) -> Int {
        var index = months.count - 1
        while months[index].firstDay > day { index -= 1 }
        return index
    }
}

extension LunarAstronomy {
    /// The months from month 11 of Gregorian year `year - 1` up to (not including) month 11 of
    /// `year`, labelled; `end` is the first day of the closing month 11.
    ///
    /// This span (a "suì", solstice to solstice) has 12 months, or 13 when one of them must be
    /// intercalary: then the first month after month 11 that holds no major solar term (trung khí)
    /// is the leap month and takes the number of the month before it.
    func solsticeYear(
        endingIn year: Int, month11Before: Int? = nil, month11After: Int? = nil
    ) -> (months: [LunarYearTable.Month], end: Int) {
        let first = month11Before ?? month11(ofGregorianYear: year - 1)
        let last = month11After ?? month11(ofGregorianYear: year)
        // month11 grows with the year, so `first <= last`, and a span has 12 or 13 months with a
        // month lacking a major term when it has 13, for every year `Limits` lets the engine reach
        // (`LunarRangeTests`); far outside them (year 270,000) the series no longer holds.
        let starts = (first...last).map(newMoonDay)
        let count = last - first
        var leapIndex: Int? = nil
        if count == 13 {
            let sectors = starts.map { sunSector(atStartOf: $0) }
            // Index 0 is month 11 itself, which holds the solstice by construction.
            guard let index = (1..<13).first(where: { sectors[$0] == sectors[$0 + 1] }) else {
                preconditionFailure("13-month solstice year ending \(year) with a major term in every month")
            }
            leapIndex = index
        }
        var months: [LunarYearTable.Month] = []
        months.reserveCapacity(count)
        var number = 10
        for index in 0..<count {
            let isLeap = index == leapIndex
            if !isLeap { number = number % 12 + 1 }
            months.append(.init(number: number, isLeap: isLeap, firstDay: starts[index]))
        }
        return (months, starts[count])
    }

    /// Lunar year `year` from two consecutive solstice years: its months 1…10 (and any leap month
    /// among them) lie in the one ending in Gregorian `year`, its months 11 and 12 (and a leap 11
    /// or 12) in the one ending in `year + 1`.
    static func yearTable(
        _ year: Int,
        from current: (months: [LunarYearTable.Month], end: Int),
        next: (months: [LunarYearTable.Month], end: Int)
    ) -> LunarYearTable {
        func isMonth1(_ month: LunarYearTable.Month) -> Bool { month.number == 1 && !month.isLeap }
        // Every solsticial year holds a month 1 for the years the engine can reach (`Limits`;
        // `LunarRangeTests` checks -60 … 10060), so these unwraps cannot fail there.
        let start = current.months.firstIndex(where: isMonth1)!
        let nextStart = next.months.firstIndex(where: isMonth1)!
        return LunarYearTable(
            year: year,
            months: Array(current.months[start...]) + next.months[..<nextStart],
            end: next.months[nextStart].firstDay
        )
    }

    func yearTable(_ year: Int) -> LunarYearTable {
        let k11 = (year - 1...year + 1).map(month11(ofGregorianYear:))
        return LunarAstronomy.yearTable(
            year,
            from: solsticeYear(endingIn: year, month11Before: k11[0], month11After: k11[1]),
            next: solsticeYear(endingIn: year + 1, month11Before: k11[1], month11After: k11[2])
        )
    }

    /// Tables for every lunar year in `years`, sharing the work between neighbouring years.
    func yearTables(_ years: ClosedRange<Int>) -> [LunarYearTable] {
        let k11 = (years.lowerBound - 1...years.upperBound + 1).map(month11(ofGregorianYear:))
        let spans = (0...years.count).map { offset in
            solsticeYear(
                endingIn: years.lowerBound + offset, month11Before: k11[offset], month11After: k11[offset + 1])
        }
        return years.enumerated().map { offset, year in
            LunarAstronomy.yearTable(year, from: spans[offset], next: spans[offset + 1])
        }
    }
}

/// The lunar years of one span, packed as 32-bit words: bit i says that the month at index i
/// (calendar order, leap month included) has 30 days, and bits 16–19 hold the number of the month
/// the leap month follows (0: none). With the first day of the first year, that is the whole
/// calendar: `LunarYearTable.vietnam` is one word a year.
struct PackedLunarYears: Sendable {
    let firstYear: Int
    /// Julian Day Number of Tết of `firstYear`.
    let firstNewYear: Int
    let words: [UInt32]

    var years: Range<Int> { firstYear..<(firstYear + words.count) }

    init(firstYear: Int, firstNewYear: Int, words: [UInt32]) {
        self.firstYear = firstYear
        self.firstNewYear = firstNewYear
        self.words = words
    }

    /// Packs consecutive tables (each year's `end` the next one's Tết).
    init(_ tables: [LunarYearTable]) {
        firstYear = tables[0].year
        firstNewYear = tables[0].months[0].firstDay
        words = tables.map { table in
            var word = UInt32(table.months.first(where: \.isLeap)?.number ?? 0) << 16
            for index in table.months.indices where table.length(ofMonthAt: index) == 30 {
                word |= 1 << UInt32(index)
            }
            return word
        }
    }

    func unpacked() -> [LunarYearTable] {
        var tables: [LunarYearTable] = []
        tables.reserveCapacity(words.count)
        var day = firstNewYear
        for offset in words.indices {
            let table = unpack(offset, from: day)
            tables.append(table)
            day = table.end
        }
        return tables
    }

    /// The table of one year of `years`, unpacked alone: its Tết is `firstNewYear` plus the
    /// lengths of the years before it (a population count each), so a query that touches two
    /// years unpacks two, not the whole span.
    func table(forYear year: Int) -> LunarYearTable {
        let offset = year - firstYear
        precondition(words.indices.contains(offset), "lunar year \(year) is not in the packed span \(years)")
        var day = firstNewYear
        for word in words[..<offset] {
            day += Self.length(of: word)
        }
        return unpack(offset, from: day)
    }

    /// Days in the year a word packs: 29 a month, one more for each 30-day month.
    static func length(of word: UInt32) -> Int {
        let months = word >> 16 & 0xF == 0 ? 12 : 13
        return 29 * months + (word & 0x1FFF).nonzeroBitCount
    }

    private func unpack(_ offset: Int, from newYear: Int) -> LunarYearTable {
        let word = words[offset]
        let leap = Int(word >> 16 & 0xF)
        var months: [LunarYearTable.Month] = []
        months.reserveCapacity(leap == 0 ? 12 : 13)
        var day = newYear
        for number in 1...12 {
            months.append(.init(number: number, isLeap: false, firstDay: day))
            day += word >> UInt32(months.count - 1) & 1 == 1 ? 30 : 29
            if number == leap {
                months.append(.init(number: number, isLeap: true, firstDay: day))
                day += word >> UInt32(months.count - 1) & 1 == 1 ? 30 : 29
            }
        }
        return LunarYearTable(year: firstYear + offset, months: months, end: day)
    }
}
