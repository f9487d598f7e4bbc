// The C math library only (cos): the core stays free of Foundation.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A yearly day fixed on a calendar other than the Gregorian and the Vietnamese lunar one, as some
/// partners' national days are (`calendar: {system: hebrew, month: iyar, day: 5, …}`).
public struct CalendarRule: Sendable, Hashable {
    public enum System: String, Sendable, Hashable, CaseIterable {
        /// The fixed arithmetic Hebrew calendar.
        case hebrew
        /// Nepal's official calendar, from published month lengths (`BikramSambat.table`).
        case bikramSambat = "bikram-sambat"
        /// Iran's official calendar (Solar Hijri), astronomical: the year begins on the day of the
        /// March equinox at the 52.5° E meridian (`SolarHijri`).
        case solarHijri = "solar-hijri"

        /// The month names the configuration accepts, in order (1-based).
        public var monthNames: [String] {
            switch self {
            // Only the months from Nisan to Elul, whose lengths never change.
            case .hebrew: ["nisan", "iyar", "sivan", "tammuz", "av", "elul"]
            case .bikramSambat:
                ["baisakh", "jestha", "ashadh", "shrawan", "bhadra", "asoj",
                 "kartik", "mangsir", "poush", "magh", "falgun", "chaitra"]
            case .solarHijri:
                ["farvardin", "ordibehesht", "khordad", "tir", "mordad", "shahrivar",
                 "mehr", "aban", "azar", "dey", "bahman", "esfand"]
            }
        }
    }

    /// How the observed day moves off the calendar day.
    public enum Observance: String, Sendable, Hashable, CaseIterable {
        /// Israel's Independence Day (Yom Ha'atzmaut), on 5 Iyar: when that falls on a Friday or a
        /// Saturday it is kept on the Thursday before (since 1951); on a Monday, on the Tuesday
        /// after (since 2004), so that neither it nor Memorial Day the day before touches the
        /// Sabbath (The Jerusalem Post, "Taking the fifth on Yom Ha'atzmaut").
        case israelIndependenceDay = "israel-independence-day"
    }

    public let system: System
    /// 1-based, in `system.monthNames`.
    public let month: Int
    public let day: Int
    public let observance: Observance?

    public init(system: System, month: Int, day: Int, observance: Observance? = nil) {
        self.system = system
        self.month = month
        self.day = day
        self.observance = observance
    }

    /// The Gregorian years for which the date is known; nil when every year is.
    public var knownYears: ClosedRange<Int>? {
        switch system {
        case .hebrew: nil
        case .bikramSambat: BikramSambat.gregorianYears(ofMonth: month)
        case .solarHijri: SolarHijri.gregorianYears(month: month, day: day)
        }
    }

    /// The day in Gregorian year `year`, or nil when it is not known (outside `knownYears`).
    public func date(inGregorianYear year: Int) -> LocalDate? {
        switch system {
        case .hebrew:
            let day = HebrewCalendar.julianDay(ofMonthFromNisan: month, day: self.day, inGregorianYear: year)
            return LocalDate(julianDay: observance.map { $0.observed(day, year: year) } ?? day)
        case .bikramSambat:
            return BikramSambat.julianDay(month: month, day: day, inGregorianYear: year).map(LocalDate.init(julianDay:))
        case .solarHijri:
            return SolarHijri.julianDay(month: month, day: day, inGregorianYear: year).map(LocalDate.init(julianDay:))
        }
    }
}

extension CalendarRule.Observance {
    func observed(_ day: Int, year: Int) -> Int {
        switch self {
        case .israelIndependenceDay:
            switch LocalDate(julianDay: day).weekday {
            case .friday where year >= 1951: return day - 1
            case .saturday where year >= 1951: return day - 2
            case .monday where year >= 2004: return day + 1
            default: return day
            }
        }
    }
}

/// The Hebrew calendar's arithmetic (the fixed calendar of Hillel II): the molad of Tishri and the
/// four postponements (dehiyyot) of Rosh Hashanah, as set out in Dershowitz & Reingold,
/// *Calendrical Calculations*, ch. 8.
public enum HebrewCalendar {
    /// Days from the epoch to Rosh Hashanah (1 Tishri) of `year` before the two year-length
    /// postponements: the molad of Tishri, moved a day when that day would be Sunday, Wednesday
    /// or Friday.
    static func elapsedDays(_ year: Int) -> Int {
        let months = (235 * year - 234).floorDiv(19)
        let parts = 12084 + 13753 * months
        let days = 29 * months + parts.floorDiv(25920)
        return (3 * (days + 1)).floorMod(7) < 3 ? days + 1 : days
    }

    /// Julian Day Number of 1 Tishri of `year` (anno mundi).
    public static func newYear(_ year: Int) -> Int {
        let (previous, this, next) = (elapsedDays(year - 1), elapsedDays(year), elapsedDays(year + 1))
        // A year may be neither 356 days long nor follow one of 382 days: move Rosh Hashanah on.
        let correction = next - this == 356 ? 2 : (this - previous == 382 ? 1 : 0)
        // 1 Tishri AM 1 is 7 October 3761 BCE (Julian), Julian Day Number 347998 (R.D. −1,373,427).
        return 347998 + this + correction
    }

    /// Julian Day Number of `day` of the `month`-th month counted from Nisan (1: Nisan, 2: Iyar, …
    /// 6: Elul) in the spring and summer of Gregorian `year`. Those months always have 30, 29, 30,
    /// 29, 30, 29 days and end the day before the next Rosh Hashanah.
    public static func julianDay(ofMonthFromNisan month: Int, day: Int, inGregorianYear year: Int) -> Int {
        let lengths = [30, 29, 30, 29, 30, 29]
        let nisan1 = newYear(year + 3761) - lengths.reduce(0, +)
        return nisan1 + lengths.prefix(month - 1).reduce(0, +) + day - 1
    }
}

/// Bikram Sambat (Vikram Samvat), Nepal's official calendar. Its month lengths (29 to 32 days) follow
/// the Sun's passage through the signs as Nepal's calendar committee reckons it, so they are taken
/// from published tables, not computed.
public enum BikramSambat {
    /// First BS year of `table`: 2072 (1 Baisakh = 14 April 2015), the year of the constitution.
    public static let firstYear = 2072
    /// Julian Day Number of 1 Baisakh `firstYear`.
    static let firstNewYear = 2457127
    /// Month lengths, Baisakh to Chaitra, BS 2072–2089 (April 2015 – April 2033). Source: the
    /// calendar table (calendar_bs.csv, BS 1975–2100) of the nepali-datetime package
    /// (github.com/amitgaru/nepali-datetime); for these years its dates of Asoj 3 agree with those
    /// python-holidays 0.109 takes from Nepal's published calendars (Hamro Patro, ashesh.com.np)
    /// for Constitution Day 2016–2032. The later rows of such tables are projections; they are not
    /// used, so later dates are unknown.
    public static let table: [[UInt8]] = [
        [31, 32, 31, 32, 31, 30, 30, 29, 30, 29, 30, 30],  // 2072
        [31, 32, 31, 32, 31, 30, 30, 30, 29, 29, 30, 31],  // 2073
        [31, 31, 31, 32, 31, 31, 30, 29, 30, 29, 30, 30],  // 2074
        [31, 31, 32, 31, 31, 31, 30, 29, 30, 29, 30, 30],  // 2075
        [31, 32, 31, 32, 31, 30, 30, 30, 29, 29, 30, 30],  // 2076
        [31, 32, 31, 32, 31, 30, 30, 30, 29, 30, 29, 31],  // 2077
        [31, 31, 31, 32, 31, 31, 30, 29, 30, 29, 30, 30],  // 2078
        [31, 31, 32, 31, 31, 31, 30, 29, 30, 29, 30, 30],  // 2079
        [31, 32, 31, 32, 31, 30, 30, 30, 29, 29, 30, 30],  // 2080
        [31, 32, 31, 32, 31, 30, 30, 30, 29, 30, 29, 31],  // 2081
        [31, 31, 32, 31, 31, 31, 30, 29, 30, 29, 30, 30],  // 2082
        [31, 31, 32, 31, 31, 31, 30, 29, 30, 29, 30, 30],  // 2083
        [31, 31, 32, 31, 31, 30, 30, 30, 29, 30, 30, 30],  // 2084
        [31, 32, 31, 32, 30, 31, 30, 30, 29, 30, 30, 30],  // 2085
        [30, 32, 31, 32, 31, 30, 30, 30, 29, 30, 30, 30],  // 2086
        [31, 31, 32, 31, 31, 31, 30, 29, 30, 30, 30, 30],  // 2087
        [30, 31, 32, 32, 30, 31, 30, 30, 29, 30, 30, 30],  // 2088
        [30, 32, 31, 32, 31, 30, 30, 30, 29, 30, 30, 30],  // 2089
    ]

    public static var years: ClosedRange<Int> { firstYear...(firstYear + table.count - 1) }

    /// Baisakh to Poush (months 1–9) fall in Gregorian year BS − 57, Magh to Chaitra in BS − 56;
    /// Poush begins in mid-December.
    static func bsYear(ofMonth month: Int, inGregorianYear year: Int) -> Int {
        month <= 9 ? year + 57 : year + 56
    }

    /// The Gregorian years in which month `month` of a tabulated BS year begins.
    public static func gregorianYears(ofMonth month: Int) -> ClosedRange<Int> {
        let offset = month <= 9 ? 57 : 56
        return (years.lowerBound - offset)...(years.upperBound - offset)
    }

    /// Julian Day Number of `day` of `month` (1: Baisakh … 12: Chaitra) in the BS year whose
    /// month falls in Gregorian `year`; nil outside the table or beyond the month's length.
    public static func julianDay(month: Int, day: Int, inGregorianYear year: Int) -> Int? {
        let bs = bsYear(ofMonth: month, inGregorianYear: year)
        guard years.contains(bs), (1...12).contains(month) else { return nil }
        var start = firstNewYear
        for row in table[..<(bs - firstYear)] { start += row.reduce(0) { $0 + Int($1) } }
        let lengths = table[bs - firstYear]
        guard (1...Int(lengths[month - 1])).contains(day) else { return nil }
        return start + lengths.prefix(month - 1).reduce(0) { $0 + Int($1) } + day - 1
    }
}

/// The Solar Hijri calendar, Iran's official calendar since the law of 31 March 1925 (11 Farvardin
/// 1304): months of 31 days (Farvardin to Shahrivar), 30 days (Mehr to Bahman) and 29 or 30 days
/// (Esfand), and a year that begins on the day of the March equinox as reckoned at the 52.5° E
/// meridian of Iran Standard Time: the equinox before true (apparent) noon there makes that day
/// 1 Farvardin, after noon the next day (Calendrical Calculations' astronomical Persian calendar;
/// the rule the Calendar Center of the University of Tehran's Institute of Geophysics applies).
///
/// The arithmetic rules (the 2820-year cycle, the 33-year cycle) are approximations of it that
/// part from it in some years (the 2820-year cycle in 2025, when the equinox fell at 12:31 IRST), so
/// the equinox is computed: the Sun's apparent longitude from the VSOP87D series of
/// `LunarAstronomy` (with nutation and aberration), ΔT as for the lunar calendar, and the
/// equation of time at the equinox (Meeus, *Astronomical Algorithms*, ch. 28). The result is stated
/// for Solar Hijri 1304–1578 (21 March 1925 – 20 March 2200), checked year by year against
/// persiantools and convertdate (`scripts/iran-fixture.py`); outside that range there is no date.
/// Where the equinox falls within minutes of noon the day rests on ΔT, a forecast after 2025:
/// docs/calendars.md lists those years.
public enum SolarHijri {
    /// The years (Solar Hijri) for which dates are given.
    public static let years: ClosedRange<Int> = 1304...1578

    private static let degree = Double.pi / 180

    /// Julian Day Number of 1 Farvardin of `year`, computed for any year; `years` is the range
    /// the calendar vouches for.
    public static func newYear(_ year: Int) -> Int {
        let equinox = marchEquinox(gregorianYear: year + 621)
        // Iran Standard Time is the mean time of 52.5° E (UTC+3:30); true noon there comes
        // `equationOfTime` earlier or later. 1 Farvardin is the first day whose true noon follows
        // the equinox: with x the equinox in Julian Days of IRST, day N's true noon is at
        // N − E, so N = ⌊x + E⌋ + 1.
        let local = equinox.ut + 3.5 / 24
        return Int((local + equinox.equationOfTime).rounded(.down)) + 1
    }

    /// The March equinox of Gregorian `gregorianYear`: its instant (Julian Day, UT) and the
    /// equation of time then (days, apparent minus mean solar time).
    static func marchEquinox(gregorianYear: Int) -> (ut: Double, equationOfTime: Double) {
        // The Sun's apparent longitude crosses 0 about 20 March; it moves about 0.986° a day.
        var tt = Double(LocalDate(gregorianYear, 3, 20).julianDay)
        let rate = 2 * Double.pi / 365.2422
        for _ in 0..<8 {
            var longitude = LunarAstronomy.sunLongitude(tt)
            longitude -= 2 * Double.pi * (longitude / (2 * Double.pi)).rounded()
            let step = longitude / rate
            tt -= step
            if abs(step) < 1e-7 { break }  // 9 ms
        }
        let ut = tt - LunarAstronomy.deltaT(julianDay: tt) / 86400
        // At the equinox the apparent right ascension is 0, so the equation of time is the Sun's
        // mean longitude minus 0.0057183° (aberration and the FK5 offset) plus Δψ·cos ε.
        let tau = (tt - 2451545.0) / 365250
        var meanLongitude = 280.4664567 + tau * (360007.6982779 + tau * (0.03032028 + tau * (1.0 / 49931
            - tau * (1.0 / 15300 + tau / 2_000_000))))
        meanLongitude -= 360 * (meanLongitude / 360).rounded()
        let obliquity = (23.4392911 - 0.0130042 * tau * 10) * degree
        let nutation = LunarAstronomy.nutationInLongitude(tt) / degree
        let equation = meanLongitude - 0.0057183 + nutation * cos(obliquity)
        return (ut, equation / 360)
    }

    /// Days in `month` (1: Farvardin … 12: Esfand) of `year`.
    public static func monthLength(_ month: Int, year: Int) -> Int {
        switch month {
        case 1...6: 31
        case 7...11: 30
        default: newYear(year + 1) - newYear(year) == 366 ? 30 : 29
        }
    }

    /// Julian Day Number of `day` of `month` of Solar Hijri `year`; nil outside `years` or beyond
    /// the month's length.
    public static func julianDay(month: Int, day: Int, year: Int) -> Int? {
        guard years.contains(year), (1...12).contains(month), (1...monthLength(month, year: year)).contains(day)
        else { return nil }
        return newYear(year) + offset(month: month, day: day)
    }

    /// Days from 1 Farvardin to `day` of `month`.
    static func offset(month: Int, day: Int) -> Int {
        (month <= 7 ? 31 * (month - 1) : 186 + 30 * (month - 7)) + day - 1
    }

    /// The day `day` of `month` that falls in Gregorian `year` (a Solar Hijri year spans two
    /// Gregorian ones: Dey straddles 1 January); nil when unknown.
    public static func julianDay(month: Int, day: Int, inGregorianYear year: Int) -> Int? {
        for solar in [year - 622, year - 621] {
            if let jd = julianDay(month: month, day: day, year: solar), LocalDate(julianDay: jd).year == year {
                return jd
            }
        }
        return nil
    }

    /// The Gregorian years in which `day` of `month` of a year in `years` falls (for Esfand 30,
    /// which only leap years have, a year of the range may still have none).
    public static func gregorianYears(month: Int, day: Int) -> ClosedRange<Int> {
        let first = newYear(years.lowerBound) + offset(month: month, day: day)
        let last = newYear(years.upperBound) + offset(month: month, day: day)
        return LocalDate(julianDay: first).year...LocalDate(julianDay: last).year
    }
}

extension Int {
    fileprivate func floorDiv(_ d: Int) -> Int { (self - floorMod(d)) / d }
    fileprivate func floorMod(_ d: Int) -> Int { ((self % d) + d) % d }
}
