// The C math library only (sin, cos, floor): the core stays free of Foundation.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The two astronomical quantities of the Vietnamese calendar (Hồ Ngọc Đức's rules, "Thuật toán
/// tính âm lịch"): the instants of new moons and the Sun's longitude, reduced to whole local days
/// at a meridian `utcOffsetHours` east of Greenwich.
///
/// Hồ Ngọc Đức's published code uses Meeus' short series, which put a new moon up to a few
/// minutes away from where it is; where a new moon falls that close to midnight the month starts
/// on the wrong day (2072, 2077, 2130, 2150, 2159, 2175 and 2199 within 1968–2199). SPEC.md asks for
/// agreement with a precise ephemeris instead, so the instants here come from fuller series:
///
/// - the Moon's longitude: the truncated ELP-2000/82 of Meeus, *Astronomical Algorithms* (2nd ed.),
///   ch. 47 (Table 47.A and the additive terms A1, A2 and L′ − F);
/// - the Sun's longitude: VSOP87D (Bretagnon & Francou 1988) for the Earth, the terms whose
///   amplitude reaches 3·10⁻⁷ (times τ^α over two millennia), with the FK5 correction, aberration
///   (−20.4898″/R) and, for solar terms, nutation in longitude (Meeus ch. 22, four terms);
/// - a new moon is the instant (found by secant iteration) at which the two longitudes are equal;
/// - ΔT = TT − UT as in `deltaT(year:)`.
///
/// Against PyEphem (Moshier's lunar theory, full VSOP87) the 2,896 new moons of 1967–2200 come out
/// within ±22 s (RMS 5.5 s), ΔT model included; every month start 1968–2199 agrees with it
/// (`LunarFixtureTests`). The closest call, 8 May 2054, is 14 s after midnight (docs/lunar.md).
///
/// The series are costly (a few hundred terms per instant), so the calendar does not run them for
/// 1967–2199 at UTC+7: `LunarYearTable.vietnam` holds their result, checked against them by a test.
struct LunarAstronomy: Sendable {
    /// Hours east of UTC.
    let utcOffsetHours: Double

    /// Mean synodic month in days, used only to estimate which lunation `k` is meant.
    static let synodicMonth = 29.530588853
    /// Julian Day (noon-based, as `LocalDate.julianDay`) of the new moon numbered k = 0
    /// (1900-01-01, 13:52 UTC), the epoch of the new-moon series.
    static let newMoonEpoch = 2415021.076998695

    private static let degree = Double.pi / 180
    private static let arcsecond = degree / 3600

    /// Where to start looking for new moon `k` (Julian Ephemeris Day): Meeus' short pre-1998
    /// series, within a few minutes of the true instant.
    static func approximateNewMoon(_ k: Int) -> Double {
        let k = Double(k)
        let t = k / 1236.85  // Julian centuries since 1900-01-00.5
        let t2 = t * t
        let t3 = t2 * t
        let dr = degree
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
        return jd + c
    }

    /// The instant (Julian Day, UT) of the true new moon numbered `k` counted from 1900-01-01:
    /// the Moon's apparent longitude equals the Sun's.
    static func newMoonInstant(_ k: Int) -> Double {
        // Secant iteration on the elongation, from the short series' instant.
        func elongation(_ tt: Double) -> Double {
            let d = moonLongitude(tt) - sunLongitude(tt, nutation: false)
            return d - 2 * Double.pi * (d / (2 * Double.pi)).rounded()
        }
        let meanRate = 2 * Double.pi / synodicMonth
        var x0 = approximateNewMoon(k)
        var f0 = elongation(x0)
        var x1 = x0 - f0 / meanRate
        for _ in 0..<8 {
            let f1 = elongation(x1)
            guard f1 != f0 else { break }
            let next = x1 - f1 * (x1 - x0) / (f1 - f0)
            (x0, f0, x1) = (x1, f1, next)
            if abs(x1 - x0) < 1e-7 { break }  // 9 ms
        }
        return x1 - deltaT(julianDay: x1) / 86400
    }

    /// Julian centuries of TT since J2000.0.
    private static func centuries(_ tt: Double) -> Double { (tt - 2451545.0) / 36525 }

    /// The Moon's geocentric longitude (mean equinox of date), radians, at Julian Ephemeris Day `tt`.
    static func moonLongitude(_ tt: Double) -> Double {
        let t = centuries(tt)
        let t2 = t * t
        let t3 = t2 * t
        let t4 = t3 * t
        let meanLongitude = 218.3164477 + 481267.88123421 * t - 0.0015786 * t2 + t3 / 538841 - t4 / 65194000
        let d = (297.8501921 + 445267.1114034 * t - 0.0018819 * t2 + t3 / 545868 - t4 / 113065000) * degree
        let m = (357.5291092 + 35999.0502909 * t - 0.0001536 * t2 + t3 / 24490000) * degree
        let mp = (134.9633964 + 477198.8675055 * t + 0.0087414 * t2 + t3 / 69699 - t4 / 14712000) * degree
        let f = (93.2720950 + 483202.0175233 * t - 0.0036539 * t2 - t3 / 3526000 + t4 / 863310000) * degree
        // Terms in M are scaled by the decreasing eccentricity of the Earth's orbit.
        let e = 1 - 0.002516 * t - 0.0000074 * t2
        var sum = 0.0
        for term in moonLongitudeTerms {
            let argument = Double(term.d) * d + Double(term.m) * m + Double(term.mp) * mp + Double(term.f) * f
            var amplitude = Double(term.amplitude)
            if term.m != 0 { amplitude *= term.m == 1 || term.m == -1 ? e : e * e }
            sum += amplitude * sin(argument)
        }
        let a1 = (119.75 + 131.849 * t) * degree  // Venus
        let a2 = (53.09 + 479264.290 * t) * degree  // Jupiter
        sum += 3958 * sin(a1) + 1962 * sin(meanLongitude * degree - f) + 318 * sin(a2)
        return (meanLongitude + sum / 1_000_000) * degree
    }

    /// The Sun's geocentric apparent longitude (of date), radians, at Julian Ephemeris Day `tt`;
    /// without nutation when only differences with the Moon's longitude matter.
    static func sunLongitude(_ tt: Double, nutation: Bool = true) -> Double {
        let tau = centuries(tt) / 10  // millennia
        func series(_ powers: [[(a: Double, b: Double, c: Double)]]) -> Double {
            var total = 0.0
            var power = 1.0
            for terms in powers {
                var sum = 0.0
                for term in terms { sum += term.a * cos(term.b + term.c * tau) }
                total += sum * power
                power *= tau
            }
            return total * 1e-8
        }
        let radius = series(earthRadius)
        var longitude = series(earthLongitude) + Double.pi - 0.09033 * arcsecond - 20.4898 * arcsecond / radius
        if nutation { longitude += nutationInLongitude(tt) }
        return longitude
    }

    /// Δψ, radians: Meeus ch. 22's four largest terms (within 0.5″).
    static func nutationInLongitude(_ tt: Double) -> Double {
        let t = centuries(tt)
        let node = (125.04452 - 1934.136261 * t) * degree
        let sun = (280.4665 + 36000.7698 * t) * degree
        let moon = (218.3165 + 481267.8813 * t) * degree
        return (-17.20 * sin(node) - 1.32 * sin(2 * sun) - 0.23 * sin(2 * moon) + 0.21 * sin(2 * node)) * arcsecond
    }

    /// ΔT = TT − UT in seconds, for a decimal Gregorian `year`.
    ///
    /// - Up to 2018: the polynomials of Espenak & Meeus (NASA, *Five Millennium Canon of Solar
    ///   Eclipses*, 2006), within a second of the observed values since 1800.
    /// - From 2118: the long-term parabola of Morrison & Stephenson (2004), −20 + 32u² s with
    ///   u = (year − 1820)/100.
    /// - In between, the cubic that meets both in value and slope. This is how S. L. Moshier's ΔT
    ///   (XEphem, PyEphem) extrapolates; future ΔT is a forecast, uncertain by minutes by 2200.
    static func deltaT(year y: Double) -> Double {
        func parabola(_ y: Double) -> Double {
            let u = (y - 1820) / 100
            return -20 + 32 * u * u
        }
        let joinStart = 2018.0
        let joinEnd = 2118.0
        if y >= joinEnd { return parabola(y) }
        if y >= joinStart {
            let value = espenakMeeus(joinStart)
            let slope = (espenakMeeus(joinStart) - espenakMeeus(joinStart - 0.001)) / 0.001
            let length = joinEnd - joinStart
            let s = (y - joinStart) / length
            let s2 = s * s
            let s3 = s2 * s
            return (2 * s3 - 3 * s2 + 1) * value + (s3 - 2 * s2 + s) * length * slope
                + (-2 * s3 + 3 * s2) * parabola(joinEnd) + (s3 - s2) * length * 0.64 * (joinEnd - 1820) / 100
        }
        return espenakMeeus(y)
    }

    static func deltaT(julianDay: Double) -> Double {
        deltaT(year: 2000 + (julianDay - 2451545.0) / 365.25)
    }

    private static func espenakMeeus(_ y: Double) -> Double {
        switch y {
        case ..<(-500):
            let u = (y - 1820) / 100
            return -20 + 32 * u * u
        case ..<500:
            let u = y / 100
            return 10583.6 + u * (-1014.41 + u * (33.78311 + u * (-5.952053 + u * (-0.1798452 + u * (0.022174192 + u * 0.0090316521)))))
        case ..<1600:
            let u = (y - 1000) / 100
            return 1574.2 + u * (-556.01 + u * (71.23472 + u * (0.319781 + u * (-0.8503463 + u * (-0.005050998 + u * 0.0083572073)))))
        case ..<1700:
            let t = y - 1600
            return 120 + t * (-0.9808 + t * (-0.01532 + t / 7129))
        case ..<1800:
            let t = y - 1700
            return 8.83 + t * (0.1603 + t * (-0.0059285 + t * (0.00013336 - t / 1174000)))
        case ..<1860:
            let t = y - 1800
            return 13.72 + t * (-0.332447 + t * (0.0068612 + t * (0.0041116 + t * (-0.00037436 + t * (0.0000121272 + t * (-0.0000001699 + t * 0.000000000875))))))
        case ..<1900:
            let t = y - 1860
            return 7.62 + t * (0.5737 + t * (-0.251754 + t * (0.01680668 + t * (-0.0004473624 + t / 233174))))
        case ..<1920:
            let t = y - 1900
            return -2.79 + t * (1.494119 + t * (-0.0598939 + t * (0.0061966 - t * 0.000197)))
        case ..<1941:
            let t = y - 1920
            return 21.20 + t * (0.84493 + t * (-0.076100 + t * 0.0020936))
        case ..<1961:
            let t = y - 1950
            return 29.07 + t * (0.407 + t * (-1 / 233 + t / 2547))
        case ..<1986:
            let t = y - 1975
            return 45.45 + t * (1.067 + t * (-1 / 260 - t / 718))
        case ..<2005:
            let t = y - 2000
            return 63.86 + t * (0.3345 + t * (-0.060374 + t * (0.0017275 + t * (0.000651814 + t * 0.00002373599))))
        default:
            let t = y - 2000
            return 62.92 + t * (0.32217 + t * 0.005589)
        }
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
        let longitude = LunarAstronomy.sunLongitude(instant + LunarAstronomy.deltaT(julianDay: instant) / 86400)
        let turns = longitude / (2 * Double.pi)
        return Int(((turns - turns.rounded(.down)) * 12).rounded(.down))
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
