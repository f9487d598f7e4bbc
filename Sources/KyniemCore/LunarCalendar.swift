#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A day on the Vietnamese lunisolar calendar.
public struct LunarDate: Hashable, Sendable, CustomStringConvertible {
    /// The lunar year, named by the Gregorian year in which its first month begins.
    public let year: Int
    public let month: Int
    public let day: Int
    /// True for a day in the intercalary (leap) month that follows `month`.
    public let isLeapMonth: Bool

    public init(year: Int, month: Int, day: Int, isLeapMonth: Bool = false) {
        self.year = year
        self.month = month
        self.day = day
        self.isLeapMonth = isLeapMonth
    }

    public var description: String { "\(day)/\(month)\(isLeapMonth ? " (leap)" : "")/\(year)" }
}

/// One month of a lunar year.
public struct LunarMonth: Hashable, Sendable {
    /// The lunar year, named by the Gregorian year in which its first month begins.
    public let year: Int
    public let month: Int
    /// True for the intercalary month that follows `month`.
    public let isLeapMonth: Bool
    public let firstDay: LocalDate
    /// 29 or 30.
    public let length: Int

    public var lastDay: LocalDate { firstDay.adding(days: length - 1) }
}

/// The Vietnamese lunisolar calendar (âm lịch).
///
/// **Method.** Hồ Ngọc Đức's published rules ("Thuật toán tính âm lịch"), which are those of the
/// official Vietnamese calendar:
/// - a month begins on the local day of a new moon;
/// - month 11 is the month that holds the winter solstice (the Sun's longitude reaching 270°);
/// - when 13 new moons begin between one month 11 and the next, the first month after month 11
///   that holds no major solar term (trung khí, a multiple of 30° of solar longitude) is the leap
///   month, and repeats the number of the month before it;
/// - "local" means at the meridian `utcOffsetHours` east of Greenwich: 7 for Vietnam (105° E).
///
/// The instants are not those of his published code, whose short series start seven months of
/// 1968–2199 a day late (see `LunarAstronomy` and docs/lunar.md), but fuller series with ΔT.
///
/// This is not the Chinese calendar (reckoned at UTC+8, which is what Foundation's
/// `Calendar(identifier: .chinese)` gives): the two differ in some years, e.g. Tết 1985-01-21,
/// 2007-02-17, 2030-02-02 and 2053-02-18 in Vietnam, a day later in China.
///
/// **Range.** Vietnam adopted the UTC+7 meridian for its calendar in 1968. Every month start of
/// lunar years 1967–2199 agrees with PyEphem's new moons and solar terms (tested, every day). Where a
/// new moon falls within seconds of midnight, the day depends on ΔT, which beyond the 2020s is a
/// forecast: docs/lunar.md lists those months. Earlier dates use the same rule at the same
/// meridian, so before 1968 they can differ from calendars printed at the time (which followed
/// UTC+8).
///
/// **Year bookkeeping.** A lunar year is named by the Gregorian year in which its month 1 (Tết)
/// begins. Its months 11 and 12 (and a leap month 11 or 12) fall in December of that Gregorian year
/// or in January of the next: `LunarDate(year: 2025, month: 12, day: 1)` is in January 2026. A
/// leap month belongs to the lunar year of the month it follows, so `leapMonth(inYear: 2033)` is
/// 11: the leap 11 of lunar year 2033 begins on 2033-12-22.
///
/// **Cost.** At UTC+7 the years 1967–2199 come from a packed table (`LunarYearTable.vietnam`,
/// one word a year, checked against the series by a test), each year unpacked the first time a
/// query touches it; every later conversion in that year is a lookup. Other years, and every year
/// at another meridian, are computed from the series the first time they are asked for (about a
/// millisecond a year) and kept. Creating a calendar computes nothing.
public struct LunarCalendar: Sendable {
    /// Hours east of UTC of the meridian at which new moons and solar terms are reckoned.
    public let utcOffsetHours: Double

    private let tables: LunarCalendarTables

    public init(utcOffsetHours: Double) {
        self.utcOffsetHours = utcOffsetHours
        self.tables =
            utcOffsetHours == 7 ? LunarCalendar.vietnamTables : LunarCalendarTables(utcOffsetHours: utcOffsetHours)
    }

    private static let vietnamTables = LunarCalendarTables(utcOffsetHours: 7)

    /// Vietnam's official calendar since 1968.
    public static let vietnam = LunarCalendar(utcOffsetHours: 7)

    /// Solar → lunar.
    public func lunarDate(for date: LocalDate) -> LunarDate {
        let day = date.julianDay
        // Tết falls between 21 January and 20 February, so a date belongs to the lunar year of its
        // own Gregorian year or the one before.
        var table = tables.year(date.year)
        if day < table.months[0].firstDay { table = tables.year(date.year - 1) }
        let month = table.months[table.index(ofMonthHolding: day)]
        return LunarDate(year: table.year, month: month.number, day: day - month.firstDay + 1, isLeapMonth: month.isLeap)
    }

    /// Lunar → solar; nil when the month (or leap month) does not exist in that year
    /// or the day is beyond the month's length.
    public func solarDate(for lunar: LunarDate) -> LocalDate? {
        guard (1...12).contains(lunar.month), lunar.day >= 1 else { return nil }
        let table = tables.year(lunar.year)
        guard let index = table.index(ofMonth: lunar.month, isLeap: lunar.isLeapMonth),
            lunar.day <= table.length(ofMonthAt: index)
        else { return nil }
        return LocalDate(julianDay: table.months[index].firstDay + lunar.day - 1)
    }

    /// 29 or 30; nil when that (leap) month does not exist in that lunar year.
    public func monthLength(year: Int, month: Int, isLeapMonth: Bool) -> Int? {
        let table = tables.year(year)
        return table.index(ofMonth: month, isLeap: isLeapMonth).map(table.length(ofMonthAt:))
    }

    /// The month number after which the leap month falls in lunar year `year`, or nil.
    public func leapMonth(inYear year: Int) -> Int? {
        tables.year(year).months.first(where: \.isLeap)?.number
    }

    /// The first day of lunar year `year` (Tết Nguyên Đán), which falls in Gregorian year `year`.
    public func newYear(_ year: Int) -> LocalDate {
        LocalDate(julianDay: tables.year(year).months[0].firstDay)
    }

    /// The 12 or 13 months of lunar year `year` in calendar order, month 1 first.
    public func months(inYear year: Int) -> [LunarMonth] {
        let table = tables.year(year)
        return table.months.indices.map { index in
            let month = table.months[index]
            return LunarMonth(
                year: year, month: month.number, isLeapMonth: month.isLeap,
                firstDay: LocalDate(julianDay: month.firstDay), length: table.length(ofMonthAt: index))
        }
    }

    /// The last day of a lunar month (day 29 or 30), or nil when the month does not exist:
    /// what a lunar `day: last` means.
    public func lastDay(year: Int, month: Int, isLeapMonth: Bool = false) -> LocalDate? {
        monthLength(year: year, month: month, isLeapMonth: isLeapMonth).flatMap {
            solarDate(for: LunarDate(year: year, month: month, day: $0, isLeapMonth: isLeapMonth))
        }
    }
}

/// The lunar years of one meridian, each made when a query first touches it and kept: at UTC+7,
/// 1967–2199 unpacked from the packed table (`LunarYearTable.vietnam`, one word a year, in well
/// under a microsecond); any other year, or any year at another meridian, computed from the series
/// (about a millisecond). A command that asks for no lunar date builds no year at all.
private final class LunarCalendarTables: @unchecked Sendable {
    let astronomy: LunarAstronomy
    /// Immutable after `init`.
    private let packed: PackedLunarYears?
    /// Guarded by `lock`: the packed span's years by offset, and every other year by number.
    private var unpacked: [LunarYearTable?]
    private var computed: [Int: LunarYearTable] = [:]
    private let lock: UnsafeMutablePointer<pthread_mutex_t>

    init(utcOffsetHours: Double) {
        astronomy = LunarAstronomy(utcOffsetHours: utcOffsetHours)
        packed = utcOffsetHours == 7 ? LunarYearTable.vietnam : nil
        unpacked = Array(repeating: nil, count: packed?.words.count ?? 0)
        lock = .allocate(capacity: 1)
        pthread_mutex_init(lock, nil)
    }

    deinit {
        pthread_mutex_destroy(lock)
        lock.deallocate()
    }

    func year(_ year: Int) -> LunarYearTable {
        if let packed, packed.years.contains(year) {
            let offset = year - packed.firstYear
            pthread_mutex_lock(lock)
            defer { pthread_mutex_unlock(lock) }
            if let known = unpacked[offset] { return known }
            let table = packed.table(forYear: year)
            unpacked[offset] = table
            return table
        }
        pthread_mutex_lock(lock)
        let known = computed[year]
        pthread_mutex_unlock(lock)
        if let known { return known }
        // Computed outside the lock: two threads may both compute a year, with the same result.
        let table = astronomy.yearTable(year)
        pthread_mutex_lock(lock)
        computed[year] = table
        pthread_mutex_unlock(lock)
        return table
    }
}
