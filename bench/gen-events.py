#!/usr/bin/env python3
"""Writes a kyniem configuration with N generated events for the benchmark.

usage: gen-events.py [N] [OUT] [--compact]

The default style is a rich one (block mappings, titles in both languages, kind and country:
about 190 bytes an event). --compact writes one flow mapping per line with a single title,
about 83 bytes an event: the size of the 7.5 MB file of 100,000 events the engine issue
measured libyaml and Yams on. A third of the events each have an origin date, a month/day
and a lunar day, so all three recurrence kinds are exercised.
"""
import random
import sys

args = [a for a in sys.argv[1:] if not a.startswith("--")]
compact = "--compact" in sys.argv
count = int(args[0]) if args else 100_000
out = args[1] if len(args) > 1 else "/dev/stdout"
rng = random.Random(7)
countries = ["JP", "KR", "FR", "LA", "KH", "IN", "US", "DE", "NO", "CU"]


def day(i: int) -> str:
    shape = i % 3
    if shape == 0:
        return f"date: {rng.randint(1950, 2020)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if shape == 1:
        return f"date: {{month: {rng.randint(1, 12)}, day: {rng.randint(1, 28)}}}"
    return f"lunar: {{month: {rng.randint(1, 12)}, day: {rng.randint(1, 30)}}}"


with open(out, "w", encoding="utf-8") as f:
    f.write("home: {country: VN, timezone: Asia/Ho_Chi_Minh, language: en}\n")
    f.write("calendars: []\nnotifiers:\n  - {id: log, type: file, path: bench-out}\n")
    f.write("events:\n")
    for i in range(1, count + 1):
        if compact:
            f.write(f'  - {{id: ev-{i:06d}, country: {rng.choice(countries)}, title: "Event {i} {{n}}", {day(i)}}}\n')
            continue
        f.write(f"  - id: ev-{i:06d}\n    kind: custom\n    country: {rng.choice(countries)}\n")
        f.write(f'    title: {{vi: "Sự kiện số {i} – kỷ niệm {{n}} năm", en: "Event number {i}, {{ordinal}} anniversary"}}\n')
        f.write(f"    {day(i)}\n")
