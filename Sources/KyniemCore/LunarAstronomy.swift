// The C math library only (sin, cos, floor): the core stays free of Foundation.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The two astronomical quantities of Hồ Ngọc Đức's method ("Thuật toán tính âm lịch"),
/// reduced to whole local days at a meridian `utcOffsetHours` east of Greenwich.
///
/// Both series are the low-precision ones the method publishes (after Jean Meeus,
/// *Astronomical Algorithms*): they are the calendar's definition, not an ephemeris, so they are
/// kept term for term even where a modern ephemeris would place an instant a few minutes away.
struct LunarAstronomy: Sendable {
    /// Hours east of UTC.
    let utcOffsetHours: Double

    /// Mean synodic month in days, used only to estimate which lunation `k` is meant.
    static let synodicMonth = 29.530588853
    /// Julian Day (noon-based, as `LocalDate.julianDay`) of the new moon numbered k = 0
    /// (1900-01-01, 13:52 UTC), the epoch of the new-moon series.
    static let newMoonEpoch = 2415021.076998695

    /// The instant (Julian Ephemeris Day, UTC) of the new moon numbered `k` counted from
    /// 1900-01-01; Meeus' pre-1998 series as used by the method.
    static func newMoonInstant(_ k: Int) -> Double {
        let k = Double(k)
        let t = k / 1236.85  // Julian centuries since 1900-01-00.5
        let t2 = t * t
        let t3 = t2 * t
        let dr = Double.pi / 180
        var jd = 2415020.75933 + 29.53058868 * k + 0.0001178 * t2 - 0.000000155 * t3
        jd += 0.00033 * sin((166.56 + 132.87 * t - 0.009173 * t2) * dr)
        let m = 359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3  // Sun's mean anomaly
        let mpr = 306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3  // Moon's mean anomaly
        let f = 21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3  // Moon's argument of latitude
        var c = (0.1734 - 0.000393 * t) * sin(m * dr) + 0.0021 * sin(2 * m * dr)
        c += -0.4068 * sin(mpr * dr) + 0.0161 * sin(2 * mpr * dr)
        c += -0.0004 * sin(3 * mpr * dr)
        c += 0.0104 * sin(2 * f * dr) - 0.0051 * sin((m + mpr) * dr)
        c += -0.0074 * sin((m - mpr) * dr) + 0.0004 * sin((2 * f + m) * dr)
        c += -0.0004 * sin((2 * f - m) * dr) - 0.0006 * sin((2 * f + mpr) * dr)
        c += 0.0010 * sin((2 * f - mpr) * dr) + 0.0005 * sin((2 * mpr + m) * dr)
        let deltaT: Double =
            t < -11
            ? 0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3
            : -0.000278 + 0.000265 * t + 0.000262 * t2
        return jd + c - deltaT
    }

    /// The Sun's true ecliptic longitude in radians, in [0, 2π), at Julian Day `jd`.
    static func sunLongitude(_ jd: Double) -> Double {
        let t = (jd - 2451545.0) / 36525  // Julian centuries since J2000.0
        let t2 = t * t
        let dr = Double.pi / 180
        let m = 357.52910 + 35999.05030 * t - 0.0001559 * t2 - 0.00000048 * t * t2  // mean anomaly
        let l0 = 280.46645 + 36000.76983 * t + 0.0003032 * t2  // mean longitude
        var dl = (1.914600 - 0.004817 * t - 0.000014 * t2) * sin(m * dr)
        dl += (0.019993 - 0.000101 * t) * sin(2 * m * dr) + 0.000290 * sin(3 * m * dr)
        let l = (l0 + dl) * dr
        return l - 2 * Double.pi * (l / (2 * Double.pi)).rounded(.down)
    }

    /// The local day (Julian Day Number) on which new moon `k` falls.
    func newMoonDay(_ k: Int) -> Int {
        Int((LunarAstronomy.newMoonInstant(k) + 0.5 + utcOffsetHours / 24).rounded(.down))
    }

    /// Which 30° sector (0 = [0°, 30°), … 9 = [270°, 300°) …) the Sun is in at local midnight
    /// starting day `day`. A month holds a major solar term (trung khí, a multiple of 30°) exactly
    /// when the sector at its first midnight differs from the sector at the next month's.
    func sunSector(atStartOf day: Int) -> Int {
        let instant = Double(day) - 0.5 - utcOffsetHours / 24
        return Int((LunarAstronomy.sunLongitude(instant) / Double.pi * 6).rounded(.down))
    }

    /// The lunation number of the month 11 (the month holding the winter solstice) of Gregorian
    /// year `year`.
    func month11(ofGregorianYear year: Int) -> Int {
        let december31 = LocalDate(year, 12, 31).julianDay
        let k = Int((Double(december31 - 2415021) / LunarAstronomy.synodicMonth).rounded(.down))
        // The new moon nearest before 31 December: if the Sun is already past 270° when that month
        // begins, the solstice fell in the month before.
        return sunSector(atStartOf: newMoonDay(k)) >= 9 ? k - 1 : k
    }
}
