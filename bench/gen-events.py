#!/usr/bin/env python3
"""Writes a kyniem configuration with N generated events (default 100,000) for the benchmark."""
import random
import sys

count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
out = sys.argv[2] if len(sys.argv) > 2 else "/dev/stdout"
rng = random.Random(7)
countries = ["JP", "KR", "FR", "LA", "KH", "IN", "US", "DE", "NO", "CU"]
with open(out, "w", encoding="utf-8") as f:
    f.write("home: {country: VN, timezone: Asia/Ho_Chi_Minh, language: en}\n")
    f.write("calendars: []\nnotifiers:\n  - {id: log, type: file, path: bench-out}\n")
    f.write("events:\n")
    for i in range(1, count + 1):
        f.write(f"  - id: ev-{i:06d}\n    kind: custom\n    country: {rng.choice(countries)}\n")
        f.write(f'    title: {{vi: "Sự kiện số {i} – kỷ niệm {{n}} năm", en: "Event number {i}, {{ordinal}} anniversary"}}\n')
        shape = i % 3
        if shape == 0:
            f.write(f"    date: {rng.randint(1950, 2020)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}\n")
        elif shape == 1:
            f.write(f"    date: {{month: {rng.randint(1, 12)}, day: {rng.randint(1, 28)}}}\n")
        else:
            f.write(f"    lunar: {{month: {rng.randint(1, 12)}, day: {rng.randint(1, 30)}}}\n")
