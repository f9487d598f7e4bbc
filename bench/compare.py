#!/usr/bin/env python3
"""kyniem beside remind, gcal and libyaml's raw parse, in one run (bench/run calls this).

usage: compare.py KYNIEM YAML_FLOOR SPAWN WORKDIR [--runs N] [--swift-floor HELLO]

Each row runs kyniem and its peers alternately, N times each, and prints per command the median
CPU time (user + system), the median wall time and the peak resident memory of any run, as
bench/spawn.c measures one run, then the ratio of kyniem's median CPU time to each peer's:
below 1 kyniem is ahead. With --swift-floor, today's items also show a Swift program that
imports Foundation and prints one line (bench/swift-floor.swift, built as kyniem is): the cost of
starting any such program, which no change inside kyniem can go below.

Inputs: the bundled calendars (the embedded default configuration) and bench/gen-events.py's
compact events at 1k, 10k and 100k; the peers read the same anniversaries, written by
bench/gen-peers.py from kyniem's own occurrences of 2026-2028. The day is 2027-03-03.
"""
import argparse
import os
import pathlib
import statistics
import subprocess
import sys

bench = pathlib.Path(__file__).resolve().parent
parser = argparse.ArgumentParser()
parser.add_argument("kyniem")
parser.add_argument("floor")
parser.add_argument("spawn")
parser.add_argument("work")
parser.add_argument("--runs", type=int, default=7)
parser.add_argument("--swift-floor", help="a static Swift hello world that imports Foundation")
args = parser.parse_args()
work = pathlib.Path(args.work)
work.mkdir(parents=True, exist_ok=True)
# No ./kyniem.yaml and no $XDG_CONFIG_HOME/kyniem/kyniem.yaml: the embedded default, which is
# the bundled calendars.
environment = dict(os.environ, HOME=str(work), XDG_CONFIG_HOME=str(work / "config"), LC_ALL="C.UTF-8")
DAY, YEAR = "2027-03-03", 2027
SLOW, VERY_SLOW = 2.0, 10.0  # seconds of wall time: run at most 3 times, or once


def execute(command: list[str]) -> tuple[float, float, int]:
    """(CPU seconds, wall seconds, peak RSS in KiB) of one run; exit 0 or 1 only."""
    done = subprocess.run([args.spawn, *command], capture_output=True, text=True, cwd=work, env=environment)
    try:
        cpu, wall, peak, code = (int(part) for part in done.stdout.split())
    except ValueError:
        sys.exit(f"{' '.join(command)}: spawn said {done.stdout!r} {done.stderr[:500]}")
    if code not in (0, 1):
        sys.exit(f"{' '.join(command)}: exit {code}: {done.stderr[:500]}")
    return cpu / 1e6, wall / 1e6, peak


def row(title: str, commands: list[tuple[str, list[str]]]) -> dict[str, dict]:
    """Runs the commands alternately; prints and returns their figures by name."""
    samples: dict[str, list[tuple[float, float, int]]] = {name: [] for name, _ in commands}
    limits: dict[str, int] = {}
    for name, command in commands:
        # A warm-up run (page cache), not counted unless the command is slow: then it is one of
        # at most 3 runs, or the only one past VERY_SLOW (remind -s12 at 100k takes minutes).
        first = execute(command)
        wall = first[1]
        limits[name] = 1 if wall > VERY_SLOW else 3 if wall > SLOW else args.runs
        if wall > SLOW:
            samples[name].append(first)
    for _ in range(args.runs):
        for name, command in commands:
            if len(samples[name]) < limits[name]:
                samples[name].append(execute(command))
    print(f"\n{title}")
    figures = {}
    for name, _ in commands:
        taken = samples[name]
        cpu = statistics.median(s[0] for s in taken) * 1000
        wall = statistics.median(s[1] for s in taken) * 1000
        peak = max(s[2] for s in taken) / 1024
        figures[name] = {"cpu": cpu, "wall": wall, "peak": peak}
        print(f"  {name:<34} cpu {cpu:9.1f} ms   wall {wall:9.1f} ms   peak {peak:7.1f} MiB   ({len(taken)} runs)")
    kyniem = figures[commands[0][0]]["cpu"]
    ratios = [f"{kyniem / figures[name]['cpu']:.2f}× {name}" for name, _ in commands[1:] if figures[name]["cpu"] > 0]
    if ratios:
        print("  kyniem/peer (cpu): " + ", ".join(ratios))
    return figures


def prepare(size: int | None) -> tuple[list[str], str]:
    """kyniem's --config arguments and the peers' file prefix for `size` events (None: bundled)."""
    name = "bundled" if size is None else f"{size // 1000}k"
    config: list[str] = []
    if size is not None:
        path = work / f"{name}.yaml"
        subprocess.run([sys.executable, bench / "gen-events.py", str(size), path, "--compact"], check=True)
        config = ["--config", str(path)]
    made = subprocess.run(
        [sys.executable, bench / "gen-peers.py", args.kyniem, *config, "--years", "2026-2028", "--out", work / name],
        check=True, capture_output=True, text=True, env=environment, cwd=work)
    print(f"peers for {name}: {made.stdout.strip()}")
    return config, str(work / name)


kyniem = args.kyniem
inputs = {size: prepare(size) for size in (None, 1000, 10000, 100000)}
print(f"\nkyniem beside remind, gcal and libyaml — {args.runs} runs each, medians; day {DAY}")
figures: dict[str, dict] = {}
today = DAY.replace("-", "")
for size, label in ((None, "bundled (~400 events)"), (1000, "1k"), (10000, "10k"), (100000, "100k")):
    config, peers = inputs[size]
    figures[f"today {label}"] = row(f"today's items, {label}", [
        ("kyniem upcoming --days 1", [kyniem, "upcoming", *config, "--from", DAY, "--days", "1"]),
        ("remind", ["remind", "-q", peers + ".rem", "3", "Mar", "2027"]),
        ("gcal -c", ["gcal", "-u", "-f", peers + ".rc", "-c", f"%{today}"]),
        *([("Swift+Foundation hello [floor]", [args.swift_floor])] if args.swift_floor else []),
    ])
for size, label in ((10000, "10k"), (100000, "100k")):
    config, peers = inputs[size]
    figures[f"next {label}"] = row(f"next occurrence of each, {label}", [
        ("kyniem upcoming --days 365 (json)", [kyniem, "upcoming", *config, "--from", DAY, "--days", "365", "--format", "json"]),
        ("remind -n", ["remind", "-n", peers + ".rem", "3", "Mar", "2027"]),
    ])
for size, label in ((None, "bundled"), (10000, "10k"), (100000, "100k")):
    config, peers = inputs[size]
    commands = [
        ("kyniem upcoming 2027 (json)",
         [kyniem, "upcoming", *config, "--from", f"{YEAR}-01-01", "--until", f"{YEAR}-12-31", "--format", "json"]),
        ("remind -s12", ["remind", "-s12", peers + ".rem", "Jan", str(YEAR)]),
        ("gcal -cy", ["gcal", "-u", "-f", peers + ".rc", "-cy", f"%{YEAR}0101"]),
    ]
    if size == 100000 and args.runs <= 3:
        # remind re-reads its file for every day: half a minute of CPU at 100k, minutes of wall
        # time on a busy machine. Measured once in a full run, left out of a quick one.
        print("\n(a year's calendar at 100k: remind -s12 left out with --quick)")
        commands.pop(1)
    figures[f"year {label}"] = row(f"a year's calendar, {label}", commands)
config, _ = inputs[100000]
figures["load 100k"] = row("loading 100k events", [
    ("kyniem check", [kyniem, "check", *config]),
    ("libyaml raw parse [floor]", [args.floor, config[1]]),
])

# Resident memory per event: the year at 100k over its events, and the growth from 10k to 100k
# (which leaves out the fixed cost of the binary and the runtime).
big = figures["year 100k"]["kyniem upcoming 2027 (json)"]["peak"]
small = figures["year 10k"]["kyniem upcoming 2027 (json)"]["peak"]
line = os.path.getsize(config[1]) / 100000
print(f"\nmemory per event (year, 100k): {big * 1048576 / 100000:.0f} bytes resident, "
      f"{(big - small) * 1048576 / 90000:.0f} bytes marginal (10k → 100k); the file holds {line:.0f} bytes an event")
