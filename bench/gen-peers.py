#!/usr/bin/env python3
"""Writes the same anniversaries as a kyniem configuration for the benchmark's peers: a remind
file and a gcal resource file.

usage: gen-peers.py KYNIEM [--config FILE] --years FIRST-LAST --out PREFIX

kyniem itself says what the events are: `upcoming --format json` over the years FIRST..LAST
(at most ten, the window's limit). An event that falls on the same month and day every one of
those years is written as a yearly entry (`REM Sep 21 MSG …`, `0000 0921 …` in gcal's
resource file); any other (lunar, nth weekday, other calendars, one-off days, 29 February) as
its dated occurrences in those years, which is what the peers would need without a Vietnamese
lunar calendar. Writes PREFIX.rem and PREFIX.rc, and prints the number of events, of yearly
entries and of dated ones.
"""
import argparse
import json
import subprocess
import sys


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("kyniem")
    parser.add_argument("--config")
    parser.add_argument("--years", required=True, help="FIRST-LAST, e.g. 2026-2028")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    first, last = (int(part) for part in args.years.split("-"))
    command = [args.kyniem, "upcoming", "--from", f"{first}-01-01", "--until", f"{last}-12-31",
               "--format", "json", "--lang", "en"]
    if args.config:
        command += ["--config", args.config]
    done = subprocess.run(command, capture_output=True, check=False)
    if done.returncode != 0:
        sys.exit(f"gen-peers: {' '.join(command)}: exit {done.returncode}: {done.stderr.decode()[:500]}")
    occurrences = json.loads(done.stdout)["occurrences"]

    # Per event, in order of first occurrence: its title and the dates it falls on.
    events: dict[str, dict] = {}
    for item in occurrences:
        entry = events.setdefault(item["event"], {"title": item["title"], "dates": []})
        entry["dates"].append(item["date"])

    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    years = last - first + 1
    yearly = dated = 0
    with open(args.out + ".rem", "w", encoding="utf-8") as rem, open(args.out + ".rc", "w", encoding="utf-8") as rc:
        for event_id, entry in events.items():
            # Neither peer needs the ordinal: a remind MSG and a gcal text are written as is. `%`
            # and `[` start substitutions in remind, `%` and `~` in gcal: keep the text plain.
            title = entry["title"].replace("%", "").replace("[", "(").replace("~", "-")
            text = f"{title} ({event_id})"
            dates = entry["dates"]
            days = {date[5:] for date in dates}
            if len(dates) == years and len(days) == 1 and days != {"02-29"}:
                month, day = (int(part) for part in dates[0][5:].split("-"))
                rem.write(f"REM {months[month - 1]} {day} MSG {text}\n")
                rc.write(f"0000{month:02d}{day:02d} {text}\n")
                yearly += 1
                continue
            for date in dates:
                year, month, day = (int(part) for part in date.split("-"))
                rem.write(f"REM {day} {months[month - 1]} {year} MSG {text}\n")
                rc.write(f"{year:04d}{month:02d}{day:02d} {text}\n")
                dated += 1
    print(f"{len(events)} events: {yearly} yearly entries, {dated} dated ones")


main()
