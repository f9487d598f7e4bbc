#!/usr/bin/env python3
"""Check one calendar written three ways by `kyniem calendar` with parsers kyniem does not share.

    scripts/validate-calendar.py CALENDAR.ics CALENDAR.csv CALENDAR.json

- ICS: parsed by the `icalendar` package (pip install icalendar); every content line must be
  at most 75 octets and end in CRLF; every VEVENT has a unique UID, an all-day DTSTART (a DATE,
  not a DATE-TIME), DTEND the next day, a SUMMARY, and well-formed VALARMs (ACTION, TRIGGER).
- CSV: read by Python's `csv` module (RFC 4180 dialect); the header names the expected columns.
- JSON: read by Python's `json` module; SPEC.md's fixed fields are present in every occurrence.
- The three agree: same number of occurrences, same multiset of (date, event) pairs, and each
  ICS SUMMARY, once icalendar has unescaped it, equals the JSON title of the same occurrence.

Prints one summary line; exits 0 when everything holds, 1 on any problem (each one listed),
2 on bad usage or a missing dependency.
"""

import csv
import datetime
import io
import json
import sys
from collections import Counter

JSON_FIELDS = ["date", "event", "kind", "country", "title", "ordinal", "tier", "lunar"]
CSV_COLUMNS = ["date", "event", "kind", "country", "title", "ordinal", "tier", "lunar", "day_off"]


def check_ics(path, problems):
    """Returns the (date, event id) of every VEVENT, as far as the UID says which event it is."""
    try:
        from icalendar import Calendar
    except ImportError:
        print("validate-calendar: the icalendar package is missing: pip install icalendar", file=sys.stderr)
        sys.exit(2)
    raw = open(path, "rb").read()

    # Wire format, checked on the bytes: icalendar itself accepts bare LF and long lines.
    lines = raw.split(b"\r\n")
    if lines and lines[-1] == b"":
        lines.pop()
    else:
        problems.append("ics: the file does not end with CRLF")
    for number, line in enumerate(lines, 1):
        if b"\n" in line or b"\r" in line:
            problems.append(f"ics: line {number} has a bare CR or LF")
        if len(line) > 75:
            problems.append(f"ics: line {number} is {len(line)} octets long (limit 75)")
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            problems.append(f"ics: line {number} is not valid UTF-8 on its own (a fold split a character)")

    try:
        calendar = Calendar.from_ical(raw)
    except Exception as error:  # icalendar raises ValueError and others on malformed input
        problems.append(f"ics: icalendar cannot parse the file: {error}")
        return [], 0, {}
    for required in ("VERSION", "PRODID"):
        if calendar.get(required) is None:
            problems.append(f"ics: VCALENDAR has no {required}")

    found = []
    summaries = {}
    uids = Counter()
    alarms = 0
    for event in calendar.walk("VEVENT"):
        uid = str(event.get("UID", ""))
        uids[uid] += 1
        if not uid:
            problems.append("ics: a VEVENT has no UID")
        start = event.get("DTSTART")
        end = event.get("DTEND")
        start_value = start.dt if start is not None else None
        end_value = end.dt if end is not None else None
        # datetime is a subclass of date: an all-day event's value must be a plain date.
        if not isinstance(start_value, datetime.date) or isinstance(start_value, datetime.datetime):
            problems.append(f"ics: {uid}: DTSTART is not a DATE: {start_value!r}")
            continue
        if not isinstance(end_value, datetime.date) or isinstance(end_value, datetime.datetime):
            problems.append(f"ics: {uid}: DTEND is not a DATE: {end_value!r}")
        elif end_value != start_value + datetime.timedelta(days=1):
            problems.append(f"ics: {uid}: DTEND {end_value} is not the day after DTSTART {start_value}")
        if not str(event.get("SUMMARY", "")).strip():
            problems.append(f"ics: {uid}: no SUMMARY")
        for alarm in event.walk("VALARM"):
            alarms += 1
            if alarm.get("ACTION") is None or alarm.get("TRIGGER") is None:
                problems.append(f"ics: {uid}: a VALARM lacks ACTION or TRIGGER")
        # kyniem's UIDs are <event-id>-<yyyymmdd>@kyniem.
        event_id = uid.split("@")[0][:-9] if uid.endswith("@kyniem") else uid
        found.append((start_value.isoformat(), event_id))
        summaries[found[-1]] = str(event.get("SUMMARY", ""))
    for uid, count in uids.items():
        if count > 1:
            problems.append(f"ics: UID {uid} is used by {count} events")
    if found and alarms == 0:
        problems.append("ics: no VALARM in any event")
    return found, alarms, summaries


def check_csv(path, problems):
    with open(path, "r", encoding="utf-8", newline="") as handle:
        text = handle.read()
    if text and not text.endswith("\r\n"):
        problems.append("csv: the file does not end with CRLF")
    rows = list(csv.reader(io.StringIO(text, newline=""), dialect="excel"))
    if not rows:
        problems.append("csv: the file is empty (not even a header)")
        return []
    header = rows[0]
    missing = [column for column in CSV_COLUMNS if column not in header]
    if missing:
        problems.append(f"csv: the header lacks {', '.join(missing)}")
        return []
    date, event = header.index("date"), header.index("event")
    found = []
    for number, row in enumerate(rows[1:], 2):
        if len(row) != len(header):
            problems.append(f"csv: record {number} has {len(row)} fields, the header {len(header)}")
            continue
        found.append((row[date], row[event]))
    return found


def check_json(path, problems):
    try:
        with open(path, "r", encoding="utf-8") as handle:
            document = json.load(handle)
    except ValueError as error:
        problems.append(f"json: cannot parse: {error}")
        return [], {}
    if not isinstance(document, dict) or not isinstance(document.get("occurrences"), list):
        problems.append('json: expected an object with an "occurrences" list')
        return [], {}
    for key in ("from", "to"):
        if not isinstance(document.get(key), str):
            problems.append(f'json: "{key}" is missing or not a string')
    found = []
    titles = {}
    for index, item in enumerate(document["occurrences"]):
        absent = [field for field in JSON_FIELDS if field not in item]
        if absent:
            problems.append(f"json: occurrence {index} lacks {', '.join(absent)}")
            continue
        lunar = item["lunar"]
        if lunar is not None and not (isinstance(lunar, dict) and {"month", "day", "leap"} <= lunar.keys()):
            problems.append(f"json: occurrence {index} has a malformed lunar date {lunar!r}")
        found.append((item["date"], item["event"]))
        titles[found[-1]] = item["title"]
    if [pair for pair in found] != sorted(found):
        problems.append("json: occurrences are not sorted by date, then event id")
    return found, titles


def main(arguments):
    if len(arguments) != 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    ics_path, csv_path, json_path = arguments
    problems = []
    ics, alarms, summaries = check_ics(ics_path, problems)
    rows = check_csv(csv_path, problems)
    occurrences, titles = check_json(json_path, problems)

    counts = {"ics": len(ics), "csv": len(rows), "json": len(occurrences)}
    if len(set(counts.values())) != 1:
        problems.append("the formats disagree on the number of occurrences: "
                        + ", ".join(f"{name} {count}" for name, count in counts.items()))
    elif Counter(ics) != Counter(occurrences) or Counter(rows) != Counter(occurrences):
        problems.append("the formats hold the same number of occurrences but not the same (date, event) pairs")
    else:
        for key, title in titles.items():
            if summaries.get(key) != title:
                problems.append(f"{key[1]} on {key[0]}: ICS SUMMARY {summaries.get(key)!r} is not the JSON title {title!r}")

    for problem in problems:
        print(problem, file=sys.stderr)
    status = "FAILED" if problems else "ok"
    print(f"validate-calendar: {status}: {counts['ics']} VEVENTs ({alarms} VALARMs), "
          f"{counts['csv']} CSV rows, {counts['json']} JSON occurrences"
          + (f"; {len(problems)} problem(s)" if problems else ""))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
