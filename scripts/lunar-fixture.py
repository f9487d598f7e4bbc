#!/usr/bin/env python3
"""Independent fixtures for the Vietnamese lunar calendar tests (KyniemCoreTests/Lunar*).

The Swift code follows Hồ Ngọc Đức's method (Meeus' short series for new moons and the Sun).
This script shares none of it: it asks PyEphem (the XEphem/libastro ephemeris, `pip install
ephem`) for the instants of true new moons and of the major solar terms (trung khí: the Sun's
apparent geocentric ecliptic longitude of date at a multiple of 30°), then applies the calendar's
rules at the UTC+7 meridian:

- a month begins on the local (UTC+7) day of a new moon;
- month 11 is the month whose days include the local day of the winter solstice (270°);
- from one month 11 to the next there are 12 months, or 13: then the first month after month 11
  that contains no major solar term is the leap month, numbered as the month before it;
- lunar year Y is named by the Gregorian year in which its month 1 begins.

It is run by hand, not by CI:  python3 scripts/lunar-fixture.py [--near-midnight-table]
and writes into Tests/KyniemCoreTests/Fixtures/:
  lunar-tet-1968-2199.txt     Tết (1/1) of every lunar year 1968–2199, one YYYY-MM-DD a line
  lunar-leap-1968-2199.txt    "YEAR MONTH" (leap month follows MONTH) or "YEAR -", every year
  lunar-months-1967-2199.txt  every month of lunar years 1967–2199, then month 1 of 2200:
                              "YYYY-MM-DD YEAR MONTH" plus " leap" for a leap month
It prints, on standard error, the new moons and solar terms that fall within a few minutes of
local midnight. With --near-midnight-table it also prints, on standard output, the Markdown table
of docs/lunar.md: every month start 1968–2199 whose new moon falls within three minutes of
midnight at UTC+7, its margin, and the day that Hồ Ngọc Đức's published low-precision series
(Meeus' short new-moon series, which this script restates) gives for it.
"""

import datetime
import math
import os
import sys

import ephem
from ephem import _libastro

UTC_OFFSET_HOURS = 7
FIRST_YEAR, LAST_YEAR = 1968, 2199
NEAR_MIDNIGHT_MINUTES = 10
TABLE_MINUTES = 3

# ephem.Date counts days from 1899-12-31 12:00 UT (Dublin Julian Day); JD = that + 2415020.
DUBLIN_TO_JD = 2415020.0


def local_day(instant):
    """Julian Day Number of the UTC+7 civil day containing the ephem instant."""
    return math.floor(float(instant) + DUBLIN_TO_JD + 0.5 + UTC_OFFSET_HOURS / 24)


def minutes_from_local_midnight(instant):
    local = float(instant) + DUBLIN_TO_JD + 0.5 + UTC_OFFSET_HOURS / 24
    fraction = local - math.floor(local)
    return min(fraction, 1 - fraction) * 24 * 60


def gregorian(jdn):
    # date.toordinal() is 1 on 0001-01-01, Julian Day Number 1721426.
    return datetime.date.fromordinal(jdn - 1721425)


def jdn(date):
    return date.toordinal() + 1721425


_sun = ephem.Sun()


def sun_longitude(instant):
    """The Sun's apparent geocentric ecliptic longitude of date, radians in [0, 2π)."""
    _sun.compute(instant)
    return _libastro.eq_ecl(instant, _sun.g_ra, _sun.g_dec)[0] % (2 * math.pi)


def solar_term(target, guess):
    """The instant near `guess` at which the Sun's longitude is `target` radians (secant method)."""

    def f(d):
        return (sun_longitude(d) - target + math.pi) % (2 * math.pi) - math.pi

    x0, x1 = guess, guess + 0.5
    f0, f1 = f(x0), f(x1)
    for _ in range(50):
        if f1 == f0 or abs(x1 - x0) < 1e-7:  # ~ 10 ms
            break
        x0, x1 = x1, x1 - f1 * (x1 - x0) / (f1 - f0)
        f0, f1 = f1, f(x1)
    return ephem.Date(x1)


def new_moons(start, end):
    result = []
    d = ephem.next_new_moon(start)
    while d < end:
        result.append(d)
        d = ephem.next_new_moon(d + 1)
    return result


def major_terms(start, end):
    """(instant, longitude in degrees) of every major solar term between start and end."""
    result = []
    degrees = (math.floor(math.degrees(sun_longitude(start)) / 30) + 1) * 30
    guess = float(start)
    while True:
        target = math.radians(degrees % 360)
        # Advance the guess by the Sun's mean motion from wherever it is now.
        ahead = (target - sun_longitude(guess)) % (2 * math.pi)
        instant = solar_term(target, guess + ahead / (2 * math.pi) * 365.2422)
        if instant >= end:
            return result
        result.append((instant, degrees % 360))
        degrees += 30
        guess = float(instant) + 25


def short_series_new_moon(k):
    """Hồ Ngọc Đức's published new-moon series (Meeus' pre-1998 short series), JD in UT."""
    t = k / 1236.85
    t2, t3 = t * t, t * t * t
    dr = math.pi / 180
    jd1 = 2415020.75933 + 29.53058868 * k + 0.0001178 * t2 - 0.000000155 * t3
    jd1 += 0.00033 * math.sin((166.56 + 132.87 * t - 0.009173 * t2) * dr)
    m = 359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3
    mpr = 306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3
    f = 21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3
    c1 = (0.1734 - 0.000393 * t) * math.sin(m * dr) + 0.0021 * math.sin(2 * dr * m)
    c1 = c1 - 0.4068 * math.sin(mpr * dr) + 0.0161 * math.sin(dr * 2 * mpr)
    c1 = c1 - 0.0004 * math.sin(dr * 3 * mpr)
    c1 = c1 + 0.0104 * math.sin(dr * 2 * f) - 0.0051 * math.sin(dr * (m + mpr))
    c1 = c1 - 0.0074 * math.sin(dr * (m - mpr)) + 0.0004 * math.sin(dr * (2 * f + m))
    c1 = c1 - 0.0004 * math.sin(dr * (2 * f - m)) - 0.0006 * math.sin(dr * (2 * f + mpr))
    c1 = c1 + 0.0010 * math.sin(dr * (2 * f - mpr)) + 0.0005 * math.sin(dr * (2 * mpr + m))
    if t < -11:
        deltat = 0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3
    else:
        deltat = -0.000278 + 0.000265 * t + 0.000262 * t2
    return jd1 + c1 - deltat


def near_midnight_table(moons, labels_by_day):
    """Markdown rows for the month starts whose new moon is within TABLE_MINUTES of local midnight."""
    print("| month that begins | new moon (UTC+7, PyEphem) | from midnight | ΔT (PyEphem) | first day | short series |")
    print("|---|---|---|---|---|---|")
    for instant in moons:
        jd = float(instant) + DUBLIN_TO_JD
        local = jd + 0.5 + UTC_OFFSET_HOURS / 24
        seconds = (local - round(local)) * 86400
        if abs(seconds) >= TABLE_MINUTES * 60:
            continue
        first = local_day(instant)
        label = labels_by_day.get(first)
        if label is None or not (FIRST_YEAR <= gregorian(first).year <= LAST_YEAR):
            continue
        year, number, is_leap = label
        name = ("Tết %d" % year) if number == 1 and not is_leap else "%d%s/%d" % (number, " (leap)" if is_leap else "", year)
        k = round((jd - 2415021.076998695) / 29.530588853)
        short = math.floor(short_series_new_moon(k) + 0.5 + UTC_OFFSET_HOURS / 24)
        stamp = ephem.Date(instant + UTC_OFFSET_HOURS * ephem.hour).datetime().strftime("%Y-%m-%d %H:%M:%S")
        print("| %s | %s | %s%.0f s | %.0f s | %s | %s |" % (
            name, stamp, "+" if seconds >= 0 else "−", abs(seconds), ephem.delta_t(instant),
            gregorian(first).isoformat(),
            "same" if short == first else gregorian(short).isoformat() + " (a day %s)" % ("late" if short > first else "early")))


def main():
    start = ephem.Date(datetime.datetime(FIRST_YEAR - 2, 10, 1))
    end = ephem.Date(datetime.datetime(LAST_YEAR + 2, 4, 1))
    moons = new_moons(start, end)
    terms = major_terms(start, end)

    for instant in moons:
        m = minutes_from_local_midnight(instant)
        if m < NEAR_MIDNIGHT_MINUTES:
            print(f"near midnight: new moon {ephem.Date(instant)} UT ({m:.1f} min)", file=sys.stderr)
    for instant, degrees in terms:
        m = minutes_from_local_midnight(instant)
        if m < NEAR_MIDNIGHT_MINUTES:
            print(f"near midnight: sun {degrees:3d}° {ephem.Date(instant)} UT ({m:.1f} min)", file=sys.stderr)

    starts = [local_day(m) for m in moons]  # first day of each month
    term_days = sorted(local_day(t) for t, _ in terms)
    solstice_days = [local_day(t) for t, degrees in terms if degrees == 270]

    def month_index(day):
        """Index of the month (in `starts`) containing local day `day`."""
        lo, hi = 0, len(starts) - 1
        assert starts[lo] <= day < starts[hi]
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if starts[mid] <= day:
                lo = mid
            else:
                hi = mid
        return lo

    def has_major_term(index):
        return any(starts[index] <= d < starts[index + 1] for d in term_days)

    # Label every month from the first month 11 to the last, solstice year by solstice year.
    labels = {}  # month index -> (number, is_leap)
    month11 = [month_index(d) for d in solstice_days if starts[0] <= d < starts[-1]]
    for a, b in zip(month11, month11[1:]):
        count = b - a
        assert count in (12, 13), (gregorian(starts[a]), count)
        leap = None
        if count == 13:
            leap = next(i for i in range(a + 1, b) if not has_major_term(i))
        number = 10
        for i in range(a, b):
            if i != leap:
                number = number % 12 + 1
            labels[i] = (number, i == leap)

    # Name lunar years by the Gregorian year of their month 1.
    months = []  # (first day, lunar year, number, is_leap)
    year = None
    for i in sorted(labels):
        number, is_leap = labels[i]
        if number == 1 and not is_leap:
            year = gregorian(starts[i]).year
        if year is not None:
            months.append((starts[i], year, number, is_leap))

    if "--near-midnight-table" in sys.argv:
        near_midnight_table(moons, {first: (y, number, is_leap) for first, y, number, is_leap in months})

    fixtures = os.path.join(os.path.dirname(__file__), "..", "Tests", "KyniemCoreTests", "Fixtures")
    header = (
        "# Generated by scripts/lunar-fixture.py with PyEphem {} (true new moons and solar terms,\n"
        "# Vietnamese rules at UTC+7). Independent of the Swift implementation; do not edit by hand.\n"
    ).format(ephem.__version__)

    with open(os.path.join(fixtures, f"lunar-tet-{FIRST_YEAR}-{LAST_YEAR}.txt"), "w") as out:
        out.write(header + "# Tết (lunar 1/1) of each lunar year, one per line.\n")
        for first, y, number, is_leap in months:
            if number == 1 and not is_leap and FIRST_YEAR <= y <= LAST_YEAR:
                out.write(gregorian(first).isoformat() + "\n")

    with open(os.path.join(fixtures, f"lunar-leap-{FIRST_YEAR}-{LAST_YEAR}.txt"), "w") as out:
        out.write(header + "# YEAR MONTH: lunar year YEAR has a leap month after MONTH; YEAR -: none.\n")
        for y in range(FIRST_YEAR, LAST_YEAR + 1):
            leaps = [number for _, year_, number, is_leap in months if year_ == y and is_leap]
            assert len(leaps) <= 1
            out.write(f"{y} {leaps[0] if leaps else '-'}\n")

    with open(os.path.join(fixtures, f"lunar-months-{FIRST_YEAR - 1}-{LAST_YEAR}.txt"), "w") as out:
        out.write(
            header
            + "# FIRST-DAY YEAR MONTH [leap]: every month of lunar years"
            + f" {FIRST_YEAR - 1}-{LAST_YEAR}, then month 1 of {LAST_YEAR + 1}.\n"
        )
        for first, y, number, is_leap in months:
            if FIRST_YEAR - 1 <= y <= LAST_YEAR or (y == LAST_YEAR + 1 and number == 1 and not is_leap):
                out.write(f"{gregorian(first).isoformat()} {y} {number}{' leap' if is_leap else ''}\n")


if __name__ == "__main__":
    main()
