/// The ranges of every number a user can hand the engine, checked where the value is read
/// (the configuration reader, the command line) so that a value outside them is an error with
/// its location, never a crash or a run that does not end.
///
/// Why these bounds make the arithmetic safe: every date the engine computes is a date given
/// (years `years`) moved by at most `leadDays` or `taskOffsetDays` (3660 days, about 10 years),
/// plus `catchUpDays`, the planner's 45 days of slack and the working calendar's year of padding:
/// all within years -15 … 10015. `LocalDate`'s Julian Day arithmetic stays below 6 million there,
/// far from `Int`'s limits, and the lunar calendar is tested sound for years -60 … 10060
/// (`LunarRangeTests`). A window is at most `windowDays` long, so a query touches at most
/// about ten years of occurrences per event: every command stays fast and bounded in memory.
public enum Limits {
    /// Years of dates in the configuration (`date:`, `once:`, `since:`) and on the command line.
    public static let years = 1...9999
    /// `reminders:` lead times: up to ten years before the day.
    public static let leadDays = 0...3660
    /// `catch_up:`: a run looks back at most a year.
    public static let catchUpDays = 0...366
    /// A checklist task's `at:`: up to ten years before or after the day.
    public static let taskOffsetDays = -3660...3660
    /// `upcoming --days`, and the span of `--from … --until`: up to ten years.
    public static let windowDays = 1...3660
    /// `working_days:` years: decrees are modern; the range the lunar calendar is checked day by day.
    public static let workingDayYears = 1900...2199
}
