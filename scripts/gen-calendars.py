#!/usr/bin/env python3
"""Rebuild the generated part of the bundled dataset calendars/vietnam/ from the sourced CSVs.

Generated here (never edit them by hand):
    calendars/vietnam/countries.yaml       every country of the relations CSV, plus VN
    calendars/vietnam/relations.yaml       one diplomatic-relations event per CSV row
    calendars/vietnam/national-days.yaml   one national-day event per CSV row (GB left out)
    calendars/vietnam/partnerships.yaml    one partnership event per row of scripts/partnerships.csv

Inputs besides the CSVs (in this repository, each row with its source):
    scripts/data-overrides.csv   corrections applied on top of the read-only CSVs: a relations
                                 date or a Vietnamese country name, with the CSV value it
                                 replaces (a stale override is an error) and the source
    scripts/ordinal-policy.csv   per national day: the origin year the ordinal counts from, or
                                 none where counting is not customary, with the source
    scripts/partnerships.csv     partnership frameworks (comprehensive strategic, strategic,
                                 comprehensive) with the date each was established and its source
    scripts/relation-checks.csv  relations dates re-checked against Vietnamese sources: confirmed
                                 (the source and the sentence that gives the date, written into
                                 the event's source:) or unconfirmed (what was searched); the date
                                 must be the one bundled, so a later change of it is caught

Hand-written, not touched by this script: holidays.yaml, commemorations.yaml, checklists.yaml.

Usage:
    python3 scripts/gen-calendars.py [DATA_DIR]           write the three files
    python3 scripts/gen-calendars.py [DATA_DIR] --check   write nothing; verify that the files on
                                                          disk are exactly what the CSVs give, that
                                                          every date matches the CSV, and that all
                                                          files of calendars/vietnam/ parse and are
                                                          consistent (ids, countries, placeholders)

DATA_DIR holds vietnam-diplomatic-relations.csv and national-days.csv; by default
../shared/data relative to the repository root. Output is deterministic: running the script
twice gives identical files. Needs Python 3.8+; --check also needs PyYAML.

Every date written comes from the CSVs (see DATA_DIR/SOURCES.md) or from a sourced row of the
three files above; this script only reshapes them. The national-day name translations below are
the only editorial choices made here.
"""

import argparse
import csv
import datetime
import json
import os
import re
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(REPO, "calendars", "vietnam")
RELATIONS_CSV = "vietnam-diplomatic-relations.csv"
NATIONAL_DAYS_CSV = "national-days.csv"
OVERRIDES_CSV = os.path.join(REPO, "scripts", "data-overrides.csv")
POLICY_CSV = os.path.join(REPO, "scripts", "ordinal-policy.csv")
PARTNERSHIPS_CSV = os.path.join(REPO, "scripts", "partnerships.csv")
CHECKS_CSV = os.path.join(REPO, "scripts", "relation-checks.csv")

HOME = {"code": "VN", "vi": "Việt Nam", "en": "Vietnam"}

# --------------------------------------------------------------------------------------------
# Vietnamese country names: the CSV's country_vi are CLDR short forms (Babel 2.18). They are
# kept unless a form used in official Vietnamese documents can be cited; the changes are rows
# of scripts/data-overrides.csv (table "countries", field "country_vi"), each with its source.

# Country names that take "the" in running English ("Independence Day of the Philippines").
EN_THE = {"BS", "GM", "NL", "PH", "US", "GB", "AE", "MV", "MH", "SB", "CK", "KM", "CZ", "DO",
          "CF", "CD", "CG", "FM", "EH", "PS"}

# --------------------------------------------------------------------------------------------
# National-day names. The CSV's name_en is kept in English titles; Vietnamese titles use the
# usual Vietnamese name of that kind of day. Any name marked "(National Day)" in the CSV, and
# any name not listed here, is "Quốc khánh", which is how the Vietnamese press refers to a
# partner's national day in general.
VI_DAY_NAMES = {
    "Independence Day": "Ngày Độc lập",
    "Independence Day (Araw ng Kalayaan)": "Ngày Độc lập",
    "Independence Day (Grito de Dolores)": "Ngày Độc lập",
    "Independence Day (First Government Junta, Fiestas Patrias)": "Ngày Độc lập",
    "Independence Day (Day of First Republic)": "Ngày Độc lập",
    "Independence Day (Yom Ha'atzmaut)": "Ngày Độc lập",
    "Independence Day (Republic Day)": "Ngày Độc lập",
    "Jamhuri Day (Independence Day)": "Ngày Độc lập",
    "Evacuation Day (Independence Day)": "Ngày Độc lập",
    "Greek Independence Day": "Ngày Độc lập",
    "Constitution Day": "Ngày Hiến pháp",
    "Constitution Day (3 May)": "Ngày Hiến pháp",
    "Constitution Day (self-government)": "Ngày Hiến pháp",
    "Freedom Day": "Ngày Tự do",
    "National Liberation Day (Gwangbokjeol)": "Ngày Giải phóng",
    "German Unity Day": "Ngày Thống nhất",
    "Day of Restoration of the State of Lithuania": "Ngày Khôi phục Nhà nước",
    "Palestinian Revolution Day (launch of Fatah)": "Ngày Cách mạng",
}
VI_DAY_DEFAULT = "Quốc khánh"

# Whole Vietnamese / English phrases for the days that do not fit "<name> <country>".
# Keys are ISO codes. {n}/{ordinal} may appear only where the CSV has since_year.
VI_PHRASE = {
    "RU": "Ngày nước Nga",
    "IE": "Ngày Thánh Patrick – Quốc khánh Ireland",
}
EN_PHRASE = {
    "FR": "National Day of France (Bastille Day)",
    "NZ": "Waitangi Day, National Day of New Zealand",
    "IE": "Saint Patrick's Day, National Day of Ireland",
    "AD": "Our Lady of Meritxell Day, National Day of Andorra",
    "SM": "Foundation Day of San Marino (St Marinus' Day)",
    "MC": "National Day of Monaco (Sovereign's Day)",
    "MN": "National Day of Mongolia (Naadam, People's Revolution Day)",
    "GY": "Republic Day of Guyana (Mashramani)",
    "PA": "Independence Day of Panama (independence from Spain)",
    "EH": "Proclamation Day of the Sahrawi Arab Democratic Republic",
    "PS": "Palestinian Revolution Day (launch of Fatah)",
    "PT": "Day of Portugal, Camões and the Portuguese Communities",
    "ES": "National Day of Spain (Fiesta Nacional de España)",
    "QA": "Qatar National Day",
    "SA": "Saudi National Day",
    "CH": "Swiss National Day",
    "GR": "Greek Independence Day",
    "DE": "German Unity Day",
    "RU": "Russia Day",
    "CA": "Canada Day",
    "AU": "Australia Day",
    "FJ": "Fiji Day",
    "LV": "Proclamation Day of the Republic of Latvia",
    "LT": "Day of Restoration of the State of Lithuania",
    "PK": "Pakistan Day, National Day of Pakistan",
}

# Monarch-based national days: the CSV's since_year is the monarch's birth or accession year,
# so the ordinal is a birthday or a reign anniversary and the titles say so.
MONARCH_TITLES = {
    "JP": ("Sinh nhật lần thứ {n} của Nhà vua Nhật Bản (Quốc khánh Nhật Bản)",
           "The Emperor's Birthday, National Day of Japan (His Majesty's {ordinal} birthday)"),
    "NL": ("Ngày Nhà vua, Quốc khánh Hà Lan (sinh nhật lần thứ {n} của Nhà vua Willem-Alexander)",
           "King's Day, National Day of the Netherlands (King Willem-Alexander's {ordinal} birthday)"),
    "MA": ("Kỷ niệm {n} năm Ngày lên ngôi của Nhà vua Mohammed VI (Lễ Ngai vàng, Quốc khánh Ma-rốc)",
           "Throne Day, National Day of Morocco ({ordinal} anniversary of King Mohammed VI's accession)"),
}
MONARCH_NOTES = {
    "JP": "Emperor's Birthday: 23 Feb is Emperor Naruhito's birthday (b. 1960), so the ordinal is "
          "his age; the date changes with the reigning Emperor (it was 23 Dec under Akihito). "
          "Vietnamese leaders send greetings on this day; Japan's National Foundation Day is 11 Feb.",
    "NL": "King's Day: 27 Apr is King Willem-Alexander's birthday (b. 1967), so the ordinal is his "
          "age; the date changes with the reigning monarch.",
    "MA": "Throne Day: 30 Jul is the accession of King Mohammed VI (1999), so the ordinal counts "
          "his reign; the date changes with the reigning monarch. Independence Day is 18 Nov.",
}

# Days set by a non-Gregorian calendar. IL, NP, IR and AF are computed by the engine (`calendar:`, see
# docs/calendars.md); the CSV's Gregorian day is only where the audit found them.
CALENDAR_EVENTS = {
    "IL": ("{system: hebrew, month: iyar, day: 5, observance: israel-independence-day}",
           "Computed: Independence Day (Yom Ha'atzmaut) is 5 Iyar of the Hebrew calendar, kept on the "
           "Thursday before when that is a Friday or Saturday (since 1951) and on the Tuesday after when "
           "it is a Monday (since 2004): 22 Apr 2026, 12 May 2027, 2 May 2028. 14 May is only the 1948 "
           "Gregorian anniversary; Vietnam sent greetings on 14 Apr 2021 and 12 May 2016."),
    "NP": ("{system: bikram-sambat, month: asoj, day: 3}",
           "Computed: Constitution Day is Asoj 3 of Bikram Sambat, 18 to 20 Sep (18 Sep 2028). The "
           "month lengths are tabulated for BS 2072-2089, so the date is known for 2015-2032 only; "
           "later years have no occurrence until the table is extended from Nepal's published calendar."),
    "IR": ("{system: solar-hijri, month: bahman, day: 22}",
           "Computed: the Victory of the Islamic Revolution is 22 Bahman of the Solar Hijri calendar, "
           "10 or 11 Feb depending on the day of the March equinox at 52.5 E (10 Feb 2025, 11 Feb 2026, "
           "10 Feb 2029); known for Solar Hijri 1304-1578 (1926-2200). 11 Feb is only the 1979 date."),
    "AF": ("{system: solar-hijri, month: mordad, day: 28}",
           "Computed: Independence Day is 28 Asad (the fifth month, Mordad in Iran) of the Solar Hijri "
           "calendar: 18 Aug when the year began on 20 March (2024, 2028), else 19 Aug (19 Aug 1919). "
           "The day is computed by Iran's rule (equinox before noon at 52.5 E); if Afghanistan reckons "
           "at its own meridian (UTC+4:30) the year starts a day later when the equinox falls in the "
           "hour before Tehran's noon, so 2029, 2062 and 2095 may be 19 Aug: confirm those years."),
}
CALENDAR_SOURCES = {
    "IL": "the rules: jpost.com, Taking the fifth on Yom Ha'atzmaut (Friday/Saturday to Thursday since 1951, "
          "Monday to Tuesday since 2004); python-holidays 0.109 (Israel) agrees 1951-2100",
    "NP": "month lengths BS 2072-2089: calendar_bs.csv of nepali-datetime 1.0.8.5; its Asoj 3 agrees with "
          "python-holidays 0.109 (Nepal, from Hamro Patro and ashesh.com.np) for 2016-2032",
    "IR": "the rule: the March equinox before true noon at 52.5 E begins the year (Calendrical Calculations' "
          "astronomical Persian calendar); 1 Farvardin 1304-1578 agrees with persiantools 6.2.0 and "
          "convertdate 2.5.1 (scripts/iran-fixture.py); python-holidays 0.109 (Iran) gives the same 22 Bahman 1980-2100",
    "AF": "28 Asad: the Ministry of Labour and Social Affairs declared 18 Aug 2024 the holiday for the 105th "
          "Independence Day (Pajhwok, 17 Aug 2024, via menafn.com/1108570022); da.azadiradio.com/amp/33082988.html "
          "(2024: '28 Asad'); python-holidays 0.109 keeps 19 Aug every year",
}
MOVING_NOTES = {}

# Jamaica: the CSV gives 6 Aug (1962) plus the rule; the holiday is the first Monday of August.
RULE_EVENTS = {
    "JM": ({"month": 8, "weekday": "monday", "nth": 1},
           "Observed on the first Monday of August; commemorates independence on 6 Aug 1962."),
}

# Left out on purpose, with the reason written into national-days.yaml.
OMITTED_NATIONAL_DAYS = {"GB"}

# CSV notes longer than a line, shortened by hand (meaning kept, sources kept).
RELATION_NOTE_SHORT = {
    "CN": "The PRC was the first state to recognise the DRV. Relations were normalised again in "
          "1991, but the 1950 date is the one commemorated (VNA).",
    "SK": "Vietnam counts from relations with Czechoslovakia, 2 Feb 1950 (VNA, HUFO; 75th "
          "anniversary marked in 2025). The en.wiki table lists 1 Jan 1993 (Slovak independence).",
    "PL": "4 Feb confirmed by VNA 70th-anniversary items. The nvsk.vnanet.vn 1950 list gives 5 Feb "
          "(recognition); a VN embassy page says 2 Apr 1950 (likely a day/month swap).",
    "AL": "UNSURE DAY: both wiki pages give 11 Feb 1950 (citing lamdong.gov.vn); the "
          "nvsk.vnanet.vn 1950 recognition list gives 18 Feb. Only the year is confirmed independently.",
    "MN": "17 Nov 1954 is used by the VN embassy and VNA (70th anniversary in 2024); the "
          "nvsk.vnanet.vn 1950 list mentions a recognition on 17 Nov 1950.",
    "DE": "FRG relations of 23 Sep 1975, counted for unified Germany (50th anniversary 2025). The "
          "GDR recognised the DRV on 2 Feb 1950; baoquocte.vn gives 16 Dec 1954 for GDR relations.",
    "BN": "Origin on 29 Feb (leap day): in common years the anniversary falls on 28 Feb.",
}
NATIONAL_NOTE_SHORT = {
    "JM": "",  # the CSV's note only explains its month/day column; the rule note says it all
    "KZ": "CHECK: Republic Day, 25 Oct (1990 declaration of state sovereignty), is also a public "
          "holiday and the Kazakh embassy in Hanoi marked it in 2025; partners may now treat "
          "25 Oct as the main national day.",
    "MN": "Vietnam greets Mongolia on 11 Jul (Naadam runs 11-15 Jul). The en.wiki list gives "
          "26 Nov (Republic Day 1924) and 29 Dec (Independence Day 1911) instead.",
    "SK": "HUFO/VNA events mark 1 Sep as Slovakia's National Day. The en.wiki list gives 1 Jan "
          "(establishment of the Slovak Republic, 1993).",
    "TO": "UNSURE: the French list and idialy.com give 4 Jun (Emancipation Day); python-holidays "
          "has Constitution Day on 4 Nov. No Vietnamese greeting found.",
}

# --------------------------------------------------------------------------------------------


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def q(s):
    """A YAML double-quoted scalar. JSON string escapes are valid YAML double-quoted escapes."""
    return json.dumps(s, ensure_ascii=False)


def en_country(code, name):
    return ("the " + name) if code in EN_THE else name


def short_source(src):
    """Shorten a CSV source list without dropping any source."""
    s = src
    s = s.replace("en.wikipedia National day list (via GitHub Ordboka/Daily-country-background)",
                  "en.wiki National day list")
    s = s.replace("French list (GitHub I-Azy-I/Trinquons)", "French list (Trinquons)")
    s = re.sub(r'python-holidays 0\.109 \("[^"]*"\)', "python-holidays 0.109", s)
    # "en.wiki Foreign relations of Vietnam; en.wiki Foreign relations of Japan" -> one item
    parts = [p.strip() for p in s.split(";")]
    wiki = [p[len("en.wiki Foreign relations of "):] for p in parts
            if p.startswith("en.wiki Foreign relations of ")]
    if len(wiki) > 1:
        merged = "en.wiki Foreign relations of " + " / ".join(wiki)
        out, done = [], False
        for p in parts:
            if p.startswith("en.wiki Foreign relations of "):
                if not done:
                    out.append(merged)
                    done = True
            else:
                out.append(p)
        parts = out
    return "; ".join(parts)


def clean_note(note):
    """A CSV note as a sentence: typo fixed, capitalised, full stop at the end."""
    note = note.replace("(Trinquons)s read", "(Trinquons) lists read").strip()
    if not note:
        return note
    note = note[0].upper() + note[1:]
    return note if note.endswith((".", ")", "\"")) else note + "."


# --------------------------------------------------------------------------------------------
# The repository's own inputs: overrides, ordinal policy, partnerships.

OVERRIDE_FIELDS = {"relations": "established", "countries": "country_vi"}
FRAMEWORKS = {
    # code: (Vietnamese, English) in the ministry's wording
    "csp": ("Đối tác chiến lược toàn diện", "Comprehensive Strategic Partnership"),
    "sp": ("Đối tác chiến lược", "Strategic Partnership"),
    "cp": ("Đối tác toàn diện", "Comprehensive Partnership"),
}
POLICY_ORIGINS = {
    "independence", "republic", "revolution", "union", "unification", "liberation", "statehood",
    "constitution", "accession", "monarch-birth", "proclamation", "restoration", "sovereignty",
    "confederation", "settlement", "treaty", "monarchy", "neutrality", "resolution",
    "self-government", "foundation", "religious", "discovery", "state-foundation", "saint",
    "monarch-birthday", "sovereign", "camoes", "several", "national-day",
}
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# Filled by load_inputs(): (table, iso2) -> override row, iso2 -> policy row, partnership rows.
APPLIED = {}
POLICY = {}
PARTNERSHIPS = []
CHECKS = {}
CHECK_STATUSES = ("confirmed", "unconfirmed")


def load_inputs(rel_rows, nd_rows):
    """Reads the three repository files, applies the overrides to a copy of the relations rows
    and returns (relations rows, problems). Every problem stops the script: an override whose
    csv_value no longer matches the CSV, a national day without a policy, a bad date."""
    problems = []
    rows = [dict(r) for r in rel_rows]
    by_code = {r["iso2"]: r for r in rows}
    APPLIED.clear()
    for o in read_csv(OVERRIDES_CSV):
        where = "data-overrides.csv: %s %s %s" % (o["table"], o["iso2"], o["field"])
        if OVERRIDE_FIELDS.get(o["table"]) != o["field"]:
            problems.append(where + ": unknown table/field")
            continue
        row = by_code.get(o["iso2"])
        if row is None:
            problems.append(where + ": no such country in the relations CSV")
            continue
        if row[o["field"]] != o["csv_value"]:
            problems.append(where + ": the CSV now has %r, not %r: review the override"
                            % (row[o["field"]], o["csv_value"]))
            continue
        if o["field"] == "established" and not DATE_RE.match(o["value"]):
            problems.append(where + ": value is not a date")
        if not o["source"].strip():
            problems.append(where + ": no source")
        row[o["field"]] = o["value"]
        APPLIED[(o["table"], o["iso2"])] = o
    POLICY.clear()
    for p in read_csv(POLICY_CSV):
        where = "ordinal-policy.csv: %s" % p["iso2"]
        if p["policy"] == "counted":
            if not p["since"].isdigit():
                problems.append(where + ": counted needs a since year")
        elif p["policy"] == "none":
            if p["since"]:
                problems.append(where + ": policy none takes no since year")
        else:
            problems.append(where + ": policy must be counted or none")
        if p["origin"] not in POLICY_ORIGINS:
            problems.append(where + ": unknown origin %r" % p["origin"])
        if p["status"] not in ("confirmed", "unconfirmed", "csv"):
            problems.append(where + ": status must be confirmed, unconfirmed or csv")
        if not p["source"].strip():
            problems.append(where + ": no source")
        POLICY[p["iso2"]] = p
    for r in nd_rows:
        if r["iso2"] not in OMITTED_NATIONAL_DAYS and r["iso2"] not in POLICY:
            problems.append("ordinal-policy.csv: no decision for %s" % r["iso2"])
    del PARTNERSHIPS[:]
    seen = set()
    for p in read_csv(PARTNERSHIPS_CSV):
        where = "partnerships.csv: %s %s" % (p["iso2"], p["framework"])
        if p["iso2"] not in by_code:
            problems.append(where + ": no such country")
        if p["framework"] not in FRAMEWORKS:
            problems.append(where + ": framework must be one of %s" % ", ".join(FRAMEWORKS))
        if not DATE_RE.match(p["date"]):
            problems.append(where + ": date is not YYYY-MM-DD")
        if not p["source"].strip():
            problems.append(where + ": no source")
        if (p["iso2"], p["framework"]) in seen:
            problems.append(where + ": listed twice")
        seen.add((p["iso2"], p["framework"]))
        PARTNERSHIPS.append(p)
    CHECKS.clear()
    for c in read_csv(CHECKS_CSV):
        where = "relation-checks.csv: %s" % c["iso2"]
        row = by_code.get(c["iso2"])
        if row is None:
            problems.append(where + ": no such country in the relations CSV")
            continue
        if c["iso2"] in CHECKS:
            problems.append(where + ": listed twice")
        if c["established"] != row["established"]:
            problems.append(where + ": checked %s, but the bundled date is %s: review the check"
                            % (c["established"], row["established"]))
        if c["status"] not in CHECK_STATUSES:
            problems.append(where + ": status must be one of %s" % ", ".join(CHECK_STATUSES))
        if not c["source"].strip():
            problems.append(where + ": no source (for unconfirmed: what was searched)")
        if c["status"] == "confirmed":
            if not c["quote"].strip():
                problems.append(where + ": confirmed needs the quoted sentence")
            if ("relations", c["iso2"]) in APPLIED:
                problems.append(where + ": the date is an override; its source is in data-overrides.csv")
        CHECKS[c["iso2"]] = c
    return rows, problems


def country_names(rel_rows):
    """rel_rows with the overrides applied."""
    return {r["iso2"]: {"vi": r["country_vi"], "en": r["country_en"]} for r in rel_rows}


def header(title, lines):
    out = ["# " + title]
    out += ["# " + l if l else "#" for l in lines]
    return "\n".join(out) + "\n"


GEN_NOTE = [
    "",
    "GENERATED by scripts/gen-calendars.py - do not edit by hand; change the script or the CSVs.",
    "Regenerate:  python3 scripts/gen-calendars.py [DATA_DIR]    (DATA_DIR default ../shared/data)",
    "Verify:      python3 scripts/gen-calendars.py [DATA_DIR] --check",
]


def gen_countries(rel_rows):
    names = country_names(rel_rows)
    lines = [header("Countries: ISO 3166-1 alpha-2 code and names in Vietnamese and English.", [
        "Sources: vietnam-diplomatic-relations.csv (shared/data; see its SOURCES.md): country_en,",
        "and country_vi = CLDR 'vi' short names via Babel 2.18, except the overrides below",
        "(scripts/data-overrides.csv, each from the cited official Vietnamese usage):",
    ] + ["  %s %s (was %s): %s" % (c, o["value"], o["csv_value"], o["source"])
         for (t, c), o in sorted(APPLIED.items()) if t == "countries"] + GEN_NOTE)]
    lines.append("countries:")
    lines.append("  - {code: %s, name: {vi: %s, en: %s}}" % (HOME["code"], q(HOME["vi"]), q(HOME["en"])))
    for code in sorted(names):
        n = names[code]
        lines.append("  - {code: %s, name: {vi: %s, en: %s}}" % (code, q(n["vi"]), q(n["en"])))
    return "\n".join(lines) + "\n"


def relation_source(r):
    """The CSV's sources, plus the Vietnamese source that confirmed the date in the re-check."""
    src = short_source(r["source"])
    c = CHECKS.get(r["iso2"])
    if c and c["status"] == "confirmed":
        src += "; date confirmed (scripts/relation-checks.csv): %s: \"%s\"" % (c["source"], c["quote"])
    return src


def gen_relations(rel_rows):
    names = country_names(rel_rows)
    lines = [header("Anniversaries of the establishment of diplomatic relations with Vietnam.", [
        "One event per row of vietnam-diplomatic-relations.csv (shared/data; see its SOURCES.md),",
        "origin date as in the CSV except where scripts/data-overrides.csv corrects it with a cited",
        "Vietnamese source (%s). Successor states keep the CSV's choice: Russia counts" % (
            ", ".join("%s %s, was %s" % (c, o["value"], o["csv_value"])
                      for (t, c), o in sorted(APPLIED.items()) if t == "relations") or "none"),
        "from the USSR (1950), the Czech Republic and Slovakia from Czechoslovakia (1950), Serbia",
        "from Yugoslavia (1957), Germany from the FRG (1975). Brunei's origin is 29 Feb 1992: the",
        "engine moves it to 28 Feb in common years.",
        "Dates re-checked against Vietnamese sources (scripts/relation-checks.csv): %d confirmed, the"
        % sum(1 for c in CHECKS.values() if c["status"] == "confirmed"),
        "source and the sentence added to the event's source:; %d searched without confirmation." %
        sum(1 for c in CHECKS.values() if c["status"] == "unconfirmed"),
    ] + GEN_NOTE)]
    lines.append("events:")
    for r in sorted(rel_rows, key=lambda r: (r["established"], r["iso2"])):
        code = r["iso2"]
        vi, en = names[code]["vi"], names[code]["en"]
        lines.append("  - id: %s-relations" % code.lower())
        lines.append("    kind: diplomatic-relations")
        lines.append("    country: %s" % code)
        lines.append("    title:")
        lines.append("      vi: " + q("Kỷ niệm {n} năm Ngày thiết lập quan hệ ngoại giao Việt Nam – %s "
                                     "({origin} – {date})" % vi))
        lines.append("      en: " + q("{ordinal} anniversary of Vietnam–%s diplomatic relations "
                                     "({origin} – {date})" % en))
        lines.append("    date: %s" % r["established"])
        override = APPLIED.get(("relations", code))
        if override:
            lines.append("    source: " + q(override["source"]))
            note = "%s The relations CSV's own sources: %s." % (override["note"], short_source(r["source"]))
        else:
            lines.append("    source: " + q(relation_source(r)))
            note = RELATION_NOTE_SHORT.get(code, clean_note(r["notes"]))
        if note:
            lines.append("    note: " + q(note))
    return "\n".join(lines) + "\n"


def vi_day_name(name_en):
    if name_en in VI_DAY_NAMES:
        return VI_DAY_NAMES[name_en]
    return VI_DAY_DEFAULT


def en_phrase(code, name_en, country):
    if code in EN_PHRASE:
        return EN_PHRASE[code]
    m = re.match(r"^(.*?) \((.*)\)$", name_en)
    if m and m.group(2) == "National Day":
        return "National Day of %s (%s)" % (country, m.group(1))
    if m:
        return "%s of %s (%s)" % (m.group(1), country, m.group(2))
    return "%s of %s" % (name_en, country)


def national_day_titles(r, names):
    code = r["iso2"]
    if code in MONARCH_TITLES:
        return MONARCH_TITLES[code]
    vi_country = names[code]["vi"]
    en_c = en_country(code, names[code]["en"])
    vi = VI_PHRASE.get(code, "%s %s" % (vi_day_name(r["name_en"]), vi_country))
    en = en_phrase(code, r["name_en"], en_c)
    if POLICY[code]["policy"] == "counted":
        if en.endswith(")"):  # "National Day of Algeria (Revolution Day; {ordinal} anniversary)"
            en = en[:-1] + "; {ordinal} anniversary)"
        else:
            en += " ({ordinal} anniversary)"
        return ("Kỷ niệm {n} năm " + vi, en)
    return (vi, en)


def policy_text(policy, r):
    """The `since_source` of a national day: the decision and where it comes from."""
    if policy["status"] == "unconfirmed":
        return ("Counted from %s (%s), the year of the event the day commemorates in "
                "national-days.csv; no source giving an ordinal was read in the 2026 audit."
                % (policy["since"], policy["origin"]))
    return policy["source"]


def gen_national_days(nd_rows, rel_rows):
    names = country_names(rel_rows)
    lines = [header("Partner countries' national days.", [
        "One event per row of national-days.csv (shared/data; see its SOURCES.md): month/day as in",
        "the CSV. `since` is the year the country's own count starts from, per",
        "scripts/ordinal-policy.csv, and `since_source` says where that comes from; a day where",
        "counting is not customary has no `since` and no number in its title (%s)." % (
            ", ".join(c for c in sorted(POLICY) if POLICY[c]["policy"] == "none")),
        "Where a country has several candidate",
        "days, the CSV chose the one on which Vietnamese leaders send greetings; the others are in",
        "`note`. Special rows (the CSV's `rule` column):",
        "  JM  first Monday of August -> `rule:`.",
        "  JP, NL, MA  monarch-based: the current fixed date, with a note that it changes with the",
        "      monarch; the ordinal is the monarch's age (JP, NL) or reign (MA).",
        "  IL, NP, IR, AF  set by the Hebrew, Bikram Sambat and Solar Hijri calendars: computed",
        "      (`calendar:`); NP only for the years its month-length table covers (2015-2032), IR and AF",
        "      for Solar Hijri 1304-1578 (1926-2200); later years are unknown.",
        "  GB  no fixed national day: left out (see the comment at the end of this file).",
    ] + GEN_NOTE)]
    lines.append("events:")
    for r in sorted(nd_rows, key=lambda r: r["iso2"]):
        code = r["iso2"]
        if code in OMITTED_NATIONAL_DAYS:
            continue
        vi, en = national_day_titles(r, names)
        lines.append("  - id: %s-national-day" % code.lower())
        lines.append("    kind: national-day")
        lines.append("    country: %s" % code)
        lines.append("    title:")
        lines.append("      vi: " + q(vi))
        lines.append("      en: " + q(en))
        if code in RULE_EVENTS:
            rule = RULE_EVENTS[code][0]
            lines.append("    rule: {month: %d, weekday: %s, nth: %d}" % (rule["month"], rule["weekday"], rule["nth"]))
        elif code in CALENDAR_EVENTS:
            lines.append("    calendar: " + CALENDAR_EVENTS[code][0])
        else:
            lines.append("    date: {month: %d, day: %d}" % (int(r["month"]), int(r["day"])))
        policy = POLICY[code]
        if policy["policy"] == "counted":
            lines.append("    since: %d" % int(policy["since"]))
        lines.append("    since_source: " + q(policy_text(policy, r)))
        source = short_source(r["source"])
        if code in CALENDAR_SOURCES:
            source += "; " + CALENDAR_SOURCES[code]
        lines.append("    source: " + q(source))
        notes = []
        if code in RULE_EVENTS:
            notes.append(RULE_EVENTS[code][1])
        if code in CALENDAR_EVENTS:
            notes.append(CALENDAR_EVENTS[code][1])
        if code in MONARCH_NOTES:
            notes.append(MONARCH_NOTES[code])
        if code in MOVING_NOTES:
            notes.append(MOVING_NOTES[code])
        csv_note = NATIONAL_NOTE_SHORT.get(code, clean_note(r["notes"]))
        if csv_note and code not in MONARCH_NOTES:
            notes.append(csv_note)
        if notes:
            lines.append("    note: " + q(" ".join(notes)))
    lines.append("")
    lines.append("# United Kingdom (GB): left out on purpose. The UK has no statutory national day; British")
    lines.append("# missions hold their reception for the sovereign's official birthday in June, on a date")
    lines.append("# that changes every year (national-days.csv: no day, 'date varies by year'). An office that")
    lines.append("# marks it adds the date the British Embassy or Consulate announces, in its own calendar:")
    lines.append("#   - id: gb-kings-birthday-2027")
    lines.append("#     kind: national-day")
    lines.append("#     country: GB")
    lines.append("#     title: {vi: \"Mừng sinh nhật chính thức của Nhà vua Anh\", en: \"The King's Official Birthday\"}")
    lines.append("#     once: 2027-06-12        # the date the mission announces for that year")
    return "\n".join(lines) + "\n"


def gen_partnerships(rel_rows):
    names = country_names(rel_rows)
    lines = [header("Anniversaries of Vietnam's partnership frameworks with other countries.", [
        "One event per row of scripts/partnerships.csv: the day a comprehensive strategic,",
        "strategic or comprehensive partnership was established or the relations were upgraded",
        "to it, with its source. Each framework is its own event and counts from its own date;",
        "titles use the ministry's wording ('Kỷ niệm 10 năm quan hệ Đối tác chiến lược toàn diện",
        "Việt Nam – Hoa Kỳ'). Frameworks whose day could not be sourced are listed in",
        "docs/dataset.md, not here.",
    ] + GEN_NOTE)]
    lines.append("events:")
    for p in sorted(PARTNERSHIPS, key=lambda p: (p["date"], p["iso2"])):
        code = p["iso2"]
        vi_name, en_name = FRAMEWORKS[p["framework"]]
        lines.append("  - id: %s-partnership-%s" % (code.lower(), p["framework"]))
        lines.append("    kind: partnership")
        lines.append("    country: %s" % code)
        lines.append("    title:")
        lines.append("      vi: " + q("Kỷ niệm {n} năm quan hệ %s Việt Nam – %s ({origin} – {date})"
                                     % (vi_name, names[code]["vi"])))
        lines.append("      en: " + q("{ordinal} anniversary of the Vietnam–%s %s ({origin} – {date})"
                                     % (names[code]["en"], en_name)))
        lines.append("    date: %s" % p["date"])
        lines.append("    source: " + q(p["source"]))
        if p["note"].strip():
            lines.append("    note: " + q(p["note"].strip()))
    return "\n".join(lines) + "\n"


DOCS = os.path.join(REPO, "docs", "dataset.md")
TABLE_START = "<!-- ordinal-policy table: written by scripts/gen-calendars.py from scripts/ordinal-policy.csv -->"
TABLE_END = "<!-- end of ordinal-policy table -->"


def policy_table(nd_rows):
    """The Markdown table of every national-day decision, for docs/dataset.md."""
    names = {r["iso2"]: r["country_en"] for r in nd_rows}
    out = [TABLE_START,
           "| code | country | ordinal | counted from | origin | checked | source of the decision |",
           "|---|---|---|---|---|---|---|"]
    for code in sorted(POLICY):
        p = POLICY[code]
        counted = p["policy"] == "counted"
        out.append("| %s | %s | %s | %s | %s | %s | %s |" % (
            code, names.get(code, code), "yes" if counted else "none", p["since"] if counted else "",
            p["origin"], {"confirmed": "confirmed", "unconfirmed": "not confirmed", "csv": "CSV"}[p["status"]],
            p["source"].replace("|", "\\|")))
    out.append(TABLE_END)
    return "\n".join(out)


def docs_with_table(nd_rows):
    """docs/dataset.md with its policy table rewritten, or None when the markers are missing."""
    with open(DOCS, encoding="utf-8") as f:
        text = f.read()
    if TABLE_START not in text or TABLE_END not in text:
        return None
    head, rest = text.split(TABLE_START, 1)
    tail = rest.split(TABLE_END, 1)[1]
    return head + policy_table(nd_rows) + tail


# --------------------------------------------------------------------------------------------
# --check


def strict_loader():
    """PyYAML SafeLoader without YAML 1.1 yes/no/on/off booleans, so `country: NO` stays "NO"
    as it does in the engine's typed decoding. Only true/false are booleans."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.yaml_implicit_resolvers = {
        k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:bool"]
        for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"),
                                 list("tf"))
    return Loader


ID_RE = re.compile(r"^[a-z0-9-]+$")
OFFSET_RE = re.compile(r"^[+-]?\d+d$")
ORIGIN_PLACEHOLDERS = ("{n}", "{ordinal}", "{origin}")


def titles_of(t):
    return list(t.values()) if isinstance(t, dict) else [t]


def check(data_dir, generated):
    import yaml

    problems = []
    plain = yaml.safe_load  # the quirky loader, used only to confirm the structure parses
    Loader = strict_loader()

    # 1. the files on disk are exactly what the CSVs give
    for name, text in generated.items():
        path = os.path.join(OUT_DIR, name)
        if not os.path.exists(path):
            problems.append("%s: missing (run the script to generate it)" % name)
            continue
        with open(path, encoding="utf-8") as f:
            if f.read() != text:
                problems.append("%s: differs from what the CSVs give (regenerate it)" % name)

    # 2. every file of calendars/vietnam parses (also with PyYAML's default loader)
    docs = {}
    for name in sorted(os.listdir(OUT_DIR)):
        if not name.endswith((".yaml", ".yml")):
            continue
        with open(os.path.join(OUT_DIR, name), encoding="utf-8") as f:
            text = f.read()
        try:
            plain(text)
            docs[name] = yaml.load(text, Loader=Loader)
        except yaml.YAMLError as e:
            problems.append("%s: does not parse: %s" % (name, e))
        if not text.startswith("#"):
            problems.append("%s: no header comment" % name)

    # 3. dates against the CSVs (with the documented overrides) and the repository's inputs
    nd_rows = read_csv(os.path.join(data_dir, NATIONAL_DAYS_CSV))
    rel_rows, load_problems = load_inputs(read_csv(os.path.join(data_dir, RELATIONS_CSV)), nd_rows)
    problems += load_problems
    rel = {e["id"]: e for e in docs.get("relations.yaml", {}).get("events", [])}
    for r in rel_rows:
        e = rel.pop("%s-relations" % r["iso2"].lower(), None)
        if e is None:
            problems.append("relations.yaml: no event for %s" % r["iso2"])
            continue
        if str(e.get("date")) != r["established"] or e.get("country") != r["iso2"]:
            problems.append("relations.yaml: %s has %s, CSV %s" % (e["id"], e.get("date"), r["established"]))
    if rel:
        problems.append("relations.yaml: events not in the CSV: %s" % sorted(rel))
    nd = {e["id"]: e for e in docs.get("national-days.yaml", {}).get("events", [])}
    for r in nd_rows:
        e = nd.pop("%s-national-day" % r["iso2"].lower(), None)
        if r["iso2"] in OMITTED_NATIONAL_DAYS:
            if e is not None:
                problems.append("national-days.yaml: %s should be left out" % r["iso2"])
            continue
        if e is None:
            problems.append("national-days.yaml: no event for %s" % r["iso2"])
            continue
        if r["iso2"] in RULE_EVENTS:
            if e.get("rule") != RULE_EVENTS[r["iso2"]][0]:
                problems.append("national-days.yaml: %s rule differs" % e["id"])
        elif r["iso2"] in CALENDAR_EVENTS:
            if not isinstance(e.get("calendar"), dict) or "date" in e:
                problems.append("national-days.yaml: %s should be computed (calendar:)" % e["id"])
        elif e.get("date") != {"month": int(r["month"]), "day": int(r["day"])}:
            problems.append("national-days.yaml: %s has %s, CSV %s/%s" % (e["id"], e.get("date"), r["day"], r["month"]))
        policy = POLICY.get(r["iso2"], {})
        want_since = int(policy["since"]) if policy.get("policy") == "counted" else None
        if e.get("since") != want_since:
            problems.append("national-days.yaml: %s since %s, ordinal-policy.csv %s" % (e["id"], e.get("since"), want_since))
        if not e.get("since_source"):
            problems.append("national-days.yaml: %s has no since_source" % e["id"])
        if e.get("country") != r["iso2"]:
            problems.append("national-days.yaml: %s country %r" % (e["id"], e.get("country")))
    if nd:
        problems.append("national-days.yaml: events not in the CSV: %s" % sorted(nd))
    pa = {e["id"]: e for e in docs.get("partnerships.yaml", {}).get("events", [])}
    for p in PARTNERSHIPS:
        e = pa.pop("%s-partnership-%s" % (p["iso2"].lower(), p["framework"]), None)
        if e is None:
            problems.append("partnerships.yaml: no event for %s %s" % (p["iso2"], p["framework"]))
        elif str(e.get("date")) != p["date"] or e.get("kind") != "partnership" or e.get("country") != p["iso2"]:
            problems.append("partnerships.yaml: %s differs from partnerships.csv" % e["id"])
    if pa:
        problems.append("partnerships.yaml: events not in partnerships.csv: %s" % sorted(pa))

    # 4. consistency across all files
    countries = set()
    for name, d in docs.items():
        for c in (d or {}).get("countries", []) or []:
            if c["code"] in countries:
                problems.append("%s: country %s defined twice" % (name, c["code"]))
            countries.add(c["code"])
    csv_codes = {r["iso2"] for r in rel_rows}
    if csv_codes | {HOME["code"]} != countries:
        problems.append("countries.yaml: codes differ from the CSV + VN")
    seen = {}
    for name, d in docs.items():
        for e in (d or {}).get("events", []) or []:
            eid = e.get("id", "?")
            where = "%s: %s" % (name, eid)
            if not ID_RE.match(str(eid)):
                problems.append("%s: id not [a-z0-9-]" % where)
            if eid in seen:
                problems.append("%s: id also in %s" % (where, seen[eid]))
            seen[eid] = name
            if e.get("country") is not None and e["country"] not in countries:
                problems.append("%s: unknown country %r" % (where, e["country"]))
            whens = [k for k in ("date", "lunar", "rule", "once", "calendar") if k in e]
            if len(whens) != 1:
                problems.append("%s: needs exactly one of date/lunar/rule/once, has %s" % (where, whens))
            has_origin = isinstance(e.get("date"), datetime.date) or "since" in e
            for t in titles_of(e.get("title", "")):
                if not has_origin and any(p in t for p in ORIGIN_PLACEHOLDERS):
                    problems.append("%s: {n}/{ordinal}/{origin} without an origin year" % where)
            if e.get("kind") not in ("diplomatic-relations", "national-day", "partnership", "holiday",
                                     "commemoration", "custom"):
                problems.append("%s: bad kind %r" % (where, e.get("kind")))
        for cl in (d or {}).get("checklists", []) or []:
            ids = set()
            for t in cl.get("tasks", []):
                if not ID_RE.match(t["id"]) or t["id"] in ids:
                    problems.append("%s: checklist task id %r bad or repeated" % (name, t["id"]))
                ids.add(t["id"])
                if not OFFSET_RE.match(str(t["at"])):
                    problems.append("%s: task %s: bad offset %r" % (name, t["id"], t["at"]))
                if not (isinstance(t.get("title"), dict) and t["title"].get("vi") and t["title"].get("en")):
                    problems.append("%s: task %s: needs vi and en titles" % (name, t["id"]))

    table = docs_with_table(nd_rows)
    with open(DOCS, encoding="utf-8") as f:
        if table is None or f.read() != table:
            problems.append("docs/dataset.md: the ordinal-policy table differs from ordinal-policy.csv (regenerate)")

    counts = {n: len((d or {}).get("events", []) or []) for n, d in docs.items()}
    return problems, counts, len(countries)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data_dir", nargs="?", default=os.path.join(REPO, "..", "shared", "data"),
                    help="folder with the CSVs (default: ../shared/data from the repository root)")
    ap.add_argument("--check", action="store_true", help="verify instead of writing")
    args = ap.parse_args()
    data_dir = os.path.normpath(args.data_dir)
    for f in (RELATIONS_CSV, NATIONAL_DAYS_CSV):
        if not os.path.exists(os.path.join(data_dir, f)):
            sys.exit("gen-calendars: %s not found in %s (pass the data folder as an argument)" % (f, data_dir))

    nd_rows = read_csv(os.path.join(data_dir, NATIONAL_DAYS_CSV))
    rel_rows, problems = load_inputs(read_csv(os.path.join(data_dir, RELATIONS_CSV)), nd_rows)
    if problems:
        for p in problems:
            print("problem: " + p)
        sys.exit(1)
    generated = {
        "countries.yaml": gen_countries(rel_rows),
        "relations.yaml": gen_relations(rel_rows),
        "national-days.yaml": gen_national_days(nd_rows, rel_rows),
        "partnerships.yaml": gen_partnerships(rel_rows),
    }

    if args.check:
        problems, counts, n_countries = check(data_dir, generated)
        for p in problems:
            print("problem: " + p)
        print("countries: %d; events: %s" % (n_countries, ", ".join("%s %d" % kv for kv in sorted(counts.items()))))
        sys.exit(1 if problems else 0)

    os.makedirs(OUT_DIR, exist_ok=True)
    for name, text in generated.items():
        with open(os.path.join(OUT_DIR, name), "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        print("wrote calendars/vietnam/" + name)
    table = docs_with_table(nd_rows)
    if table is None:
        sys.exit("gen-calendars: docs/dataset.md lacks the ordinal-policy table markers")
    with open(DOCS, "w", encoding="utf-8", newline="\n") as f:
        f.write(table)
    print("wrote the ordinal-policy table of docs/dataset.md")


if __name__ == "__main__":
    main()
