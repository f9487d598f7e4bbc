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

/// The Vietnamese lunar calendar (Hồ Ngọc Đức's method at the UTC+7 meridian).
/// PLACEHOLDER API — the implementation lands in its own commit.
public struct LunarCalendar: Sendable {
    /// Hours east of UTC of the meridian at which new moons and solar terms are reckoned.
    public let utcOffsetHours: Double

    public init(utcOffsetHours: Double) { self.utcOffsetHours = utcOffsetHours }

    /// Vietnam's official calendar since 1968.
    public static let vietnam = LunarCalendar(utcOffsetHours: 7)

    /// Solar → lunar.
    public func lunarDate(for date: LocalDate) -> LunarDate { fatalError("not yet implemented") }

    /// Lunar → solar; nil when the month (or leap month) does not exist in that year
    /// or the day is beyond the month's length.
    public func solarDate(for lunar: LunarDate) -> LocalDate? { fatalError("not yet implemented") }

    /// 29 or 30; nil when that (leap) month does not exist in that lunar year.
    public func monthLength(year: Int, month: Int, isLeapMonth: Bool) -> Int? { fatalError("not yet implemented") }

    /// The month number after which the leap month falls in lunar year `year`, or nil.
    public func leapMonth(inYear year: Int) -> Int? { fatalError("not yet implemented") }

    /// The first day of lunar year `year` (Tết Nguyên Đán), which falls in Gregorian year `year`.
    public func newYear(_ year: Int) -> LocalDate { fatalError("not yet implemented") }
}
