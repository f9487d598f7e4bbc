#!/usr/bin/env python3
"""Generate configurations, and run every command on each one that `kyniem check` accepts.

SPEC.md: "No input and no environment makes kyniem crash: a configuration that `kyniem check`
accepts runs under every command." This script tries to find a counterexample. Each case is a
random but plausible kyniem.yaml (extreme and edge numbers for lead times, catch_up, task
offsets and years; 29 February; lunar day 30, `last` and leap months; huge and empty lists;
unicode and control characters in titles; odd country codes; deep nesting; aliases). It runs
`kyniem check` on it, and when check accepts it: `upcoming` (text and json, several windows),
`calendar` in all five formats with --output, `explain` on a few events, `run --dry-run` and
`run` with a file notifier and a ledger in a temporary folder.

Every command must end within the time limit, never by a signal, with an exit code in
{0, 1, 2, 3, 4}; an exit 2 must say why on standard error; and after check accepted a
configuration, no command given valid arguments may exit 2.

    scripts/fuzz-commands.py --seconds 60 --seed 1           # a bounded run
    scripts/fuzz-commands.py --seed 1 --case 17              # one case again
    scripts/fuzz-commands.py --seconds 60 --binary .build/release/kyniem

Failing configurations are saved with what failed (--failures, default ./fuzz-failures).
Exit status: 0 when nothing failed, 1 otherwise.
"""

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ALLOWED_EXITS = {0, 1, 2, 3, 4}

# ---------------------------------------------------------------------------------------------
# Values: mostly in range, often at the edges, sometimes just past them or absurd.

# (in range, out of range or malformed). Most cases take only the first list, so that check
# accepts them and every command runs; the others mix in the second.
LEAD_TIMES = (["0d", "1d", "7d", "30d", "90d", "365d", "3659d", "3660d"],
              ["3661d", "99999999d", "99999999999999999999999d", "-1d", "+7d", "7", "7 days", "0x10d", "", "d"])
CATCH_UPS = (["0d", "1d", "7d", "365d", "366d"], ["367d", "3000000d", "-1d", "99999999999999999999d"])
OFFSETS = (["-3660d", "-3659d", "-120d", "-1d", "0d", "+0d", "-0d", "+1d", "+7d", "120d", "+3660d"],
           ["+3661d", "-3661d", "+99999999d", "-99999999d", "+-1d", "--1d"])
YEARS = ([1, 2, 4, 100, 1582, 1899, 1900, 1968, 2000, 2024, 2027, 2100, 2199, 2200, 2299, 2300, 9998, 9999],
         [10000, 0, -1, 99999999])
DATES = (["0001-01-01", "0004-02-29", "1900-02-28", "1968-01-29", "1973-09-21", "2000-02-29", "2024-02-29",
          "2027-05-12", "2100-02-28", "2199-12-31", "9999-12-31"],
         ["0000-01-01", "2027-02-29", "2027-13-01", "10000-01-01", "2027-1-1"])
COUNTRIES = (["VN", "JP", "NO", "US", "ZZ", "XK"], ["", "vn", "V", "VNM", "ÄÖ", "1A", "NULL"])
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
KINDS = ["diplomatic-relations", "national-day", "holiday", "commemoration", "custom"]
TIERS = ["major", "notable", "routine"]
TIMEZONES = ["Asia/Ho_Chi_Minh", "UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Kathmandu"]
TITLE_PIECES = ["Kỷ niệm {n} năm", "{ordinal} anniversary", "{country}", "{origin}", "{date}", "{year}",
                "\\a\\b\\e", "\\u0000", "\\t tab", "line\\nbreak", "\\u202Eright-to-left", "👩‍👩‍👧 🇻🇳",
                "{{n}}", "{", "}", "{unknown}", "<script>", "a,b;c\\\\", "\\u00A0", "ﷺ", "\\U0001F600",
                "x" * 300, ""]

VISIBLE_TITLE_PIECES = ["Kỷ niệm {n} năm", "{ordinal} anniversary", "{year}", "👩‍👩‍👧 🇻🇳", "<script>", "x" * 300]


def quoted(text):
    """A YAML double-quoted scalar; `text` may already hold YAML escapes (\\a, \\u0000)."""
    return '"' + text.replace('"', '\\"') + '"'


def pick(rng, values, edge=0.5):
    """Often the first or last value of the valid list (the edges), else any valid one; in a
    case that allows invalid values, one of those a fifth of the time."""
    valid, invalid = values
    if rng.allow_invalid and rng.random() < 0.2:
        return rng.choice(invalid)
    if rng.random() < edge:
        return rng.choice([valid[0], valid[-1]])
    return rng.choice(valid)


def title(rng):
    if rng.random() < 0.3:
        return "{vi: %s, en: %s}" % (quoted(title_text(rng)), quoted(title_text(rng)))
    return quoted(title_text(rng))


def title_text(rng):
    pieces = [rng.choice(TITLE_PIECES) for _ in range(rng.randint(0, 4))]
    if not rng.allow_invalid:
        # check refuses a blank title: a valid case always has something to read.
        pieces.insert(0, rng.choice(VISIBLE_TITLE_PIECES))
    return " ".join(pieces)


def nested(rng, depth):
    """Flow sequences `depth` deep: the parser and decoder must not overflow the stack."""
    return "[" * depth + "x" + "]" * depth


# ---------------------------------------------------------------------------------------------
# Configurations


def event(rng, index):
    lines = [f"  - id: e{index}"]
    if rng.random() < 0.8:
        lines.append(f"    kind: {rng.choice(KINDS)}")
    if rng.random() < 0.6:
        lines.append(f"    country: {quoted(pick(rng, COUNTRIES, 0.2))}")
    # check refuses an event without a title: only a case with invalid values leaves it out.
    if not rng.allow_invalid or rng.random() < 0.8:
        lines.append(f"    title: {title(rng)}")
    shape = rng.choice(["origin", "monthday", "lunar", "rule", "once"])
    if shape == "origin":
        lines.append(f"    date: {pick(rng, DATES)}")
    elif shape == "monthday":
        month = pick(rng, ([1, 2, 2, 12, rng.randint(1, 12)], [13, 0]))
        day = pick(rng, ([1, 28, 29] if month == 2 else [1, 28, 30] if month in (4, 6, 9, 11) else [1, 28, 31],
                         [0, 32, 30 if month == 2 else 31]))
        lines.append(f"    date: {{month: {month}, day: {day}}}")
        if rng.random() < 0.6:
            lines.append(f"    since: {pick(rng, YEARS, 0.3)}")
    elif shape == "lunar":
        month = pick(rng, ([1, 12, rng.randint(1, 12)], [13, 0]))
        day = pick(rng, ([1, 29, 30, "last", rng.randint(1, 30)], [31, 0]))
        leap = pick(rng, (["", ", leap: true", ", leap: false"], [", leap: yes"]))
        lines.append(f"    lunar: {{month: {month}, day: {day}{leap}}}")
        if rng.random() < 0.5:
            lines.append(f"    since: {pick(rng, YEARS, 0.3)}")
    elif shape == "rule":
        nth = pick(rng, ([1, 4, 5, -1], [0, 6, -2]))
        lines.append(f"    rule: {{month: {rng.randint(1, 12)}, weekday: {rng.choice(WEEKDAYS)}, nth: {nth}}}")
        if rng.random() < 0.4:
            lines.append(f"    since: {pick(rng, YEARS, 0.3)}")
    else:
        lines.append(f"    once: {pick(rng, DATES)}")
    if rng.random() < 0.3:
        lines.append("    day_off: true")
    if rng.allow_invalid and rng.random() < 0.05:
        # Deep nesting where a string belongs: refused with a message, never a stack overflow.
        lines.append(f"    note: {nested(rng, rng.choice([10, 200, 5000]))}")
    elif rng.random() < 0.2:
        lines.append(f"    note: {quoted(title_text(rng))}")
    return lines


def configuration(rng, folder):
    """A kyniem.yaml as text, with its notifier and ledger inside `folder`."""
    lines = ["# generated by scripts/fuzz-commands.py"]
    if rng.random() < 0.7:
        weekend = rng.sample(WEEKDAYS, rng.choice([0, 1, 2, 2, 2, 7]))
        lines += ["home:",
                  f"  country: {quoted(pick(rng, COUNTRIES))}",
                  f"  timezone: {rng.choice(TIMEZONES)}",
                  f"  language: {rng.choice(['vi', 'en'])}",
                  f"  weekend: [{', '.join(weekend)}]"]
    lines.append("calendars: [bundled:vietnam]" if rng.random() < 0.15 else "calendars: []")
    lines.append(f"state: {folder}/state/ledger.sqlite")
    if rng.random() < 0.7:
        lines.append(f"catch_up: {pick(rng, CATCH_UPS, 0.4)}")
    if rng.random() < 0.5:
        lines.append("milestones:")
        for _ in range(rng.randint(0, 4)):
            every = pick(rng, ([1, 5, 10, 1000], [1001, 0]))
            lines.append(f"  - {{every: {every}, tier: {rng.choice(TIERS)}}}")
        lines.append(f"  - {{at: [1, {pick(rng, ([2, 10000], [10001]))}], tier: major}}")
        # Every tier the rest of the configuration may name is given by some rule.
        lines.append("  - {every: 3, tier: notable}")
        lines.append("  - {tier: routine}")
    if rng.random() < 0.8:
        lines.append("reminders:")
        for tier in rng.sample(TIERS, rng.randint(1, 3)):
            count = rng.choice([0, 1, 3, 3] + ([500] if rng.huge == "leads" else []))
            leads = [pick(rng, LEAD_TIMES) for _ in range(count)]
            lines.append(f"  {tier}: [{', '.join(leads)}]")
    if rng.random() < 0.4:
        lines.append("working_days:")
        years = {pick(rng, ([1900, 2027, 2199], [2200, 1899, 0])) for _ in range(rng.randint(1, 3))}
        for year in sorted(years):
            if rng.random() < 0.2:
                # A whole year off: due dates must still be found, in bounded time.
                days = [f"{year:04d}-{m:02d}-{d:02d}" for m in range(1, 13) for d in range(1, 29)]
            else:
                days = [f"{year:04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}" for _ in range(rng.randint(0, 5))]
            lines.append(f"  {year}:")
            lines.append(f"    off: [{', '.join(days)}]")
            if rng.random() < 0.5:
                lines.append(f"    on: [{year:04d}-02-20]")
    when = f", when: {{tiers: [{rng.choice(TIERS)}], steps: [reminders]}}" if rng.random() < 0.3 else ""
    lines += ["notifiers:",
              f"  - {{id: log, type: file, path: {quoted(str(folder / 'sent'))}}}",
              f"  - {{id: console, type: console{when}}}"]
    # 500 events with a year of catch-up and a reminder every year already make a run send some
    # 10,000 deliveries (a few seconds of a debug build); more measures the ledger, not robustness.
    count = rng.choice([0, 1, 3, 10, 30, 30]) if rng.huge != "events" else 500
    lines.append("events:" if count else "events: []")
    for index in range(count):
        lines += event(rng, index)
    if rng.random() < 0.7:
        lines.append("checklists:")
        for _ in range(rng.randint(1, 3)):
            scope = rng.choice(["{}", f"{{kinds: [{rng.choice(KINDS)}]}}", f"{{tiers: [{rng.choice(TIERS)}]}}",
                                "{events: [e0, e1]}"])
            lines.append(f"  - for: {scope}")
            tasks = rng.choice([0, 1, 3, 12]) if rng.huge != "tasks" else 200
            lines.append("    tasks:" if tasks else "    tasks: []")
            for task in range(tasks):
                lines.append(f"      - {{id: t{task}, at: {pick(rng, OFFSETS, 0.5)}, title: {title(rng)}}}")
    # The valid codes events may name are defined (check refuses a code no calendar defines);
    # "ZZ" and "XK" are not in the bundled data, so without this they would be refused.
    lines.append("countries:")
    lines += [f"  - {{code: {quoted(code)}, name: {quoted('Country ' + code)}}}" for code in COUNTRIES[0]]
    if rng.allow_invalid and rng.random() < 0.05:
        # Aliases: a title that is an alias of a list must be an error, not an expansion.
        lines.append("  - {code: ZY, name: &laugh [lol, lol, lol, lol, lol, lol, lol, lol, lol]}")
        lines.append("  - {code: ZX, name: *laugh}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# Running commands


class Failure(Exception):
    pass


def run(binary, arguments, folder, limit):
    """(exit code, stdout, stderr, seconds); a negative exit code is the signal that killed it."""
    started = time.monotonic()
    environment = {"HOME": str(folder), "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                   "XDG_STATE_HOME": str(folder / "xdg-state"), "XDG_CONFIG_HOME": str(folder / "xdg-config"),
                   "LANG": "C.UTF-8"}
    try:
        process = subprocess.run([str(binary)] + arguments, cwd=folder, env=environment, capture_output=True,
                                 timeout=limit, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return None, "", "", time.monotonic() - started
    return (process.returncode, process.stdout.decode("utf-8", "replace"),
            process.stderr.decode("utf-8", "replace"), time.monotonic() - started)


def judge(arguments, result, limit, *, allow_usage_error):
    code, _, stderr, seconds = result
    where = "kyniem " + " ".join(arguments)
    if code is None:
        raise Failure(f"{where}: still running after {limit} s")
    if code < 0:
        name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
        raise Failure(f"{where}: killed by {name}\n{stderr[-2000:]}")
    if code not in ALLOWED_EXITS:
        raise Failure(f"{where}: exit {code}\n{stderr[-2000:]}")
    if code == 2 and not stderr.strip():
        raise Failure(f"{where}: exit 2 without a message")
    if code == 2 and not allow_usage_error:
        raise Failure(f"{where}: exit 2 for a configuration that check accepted\n{stderr[-2000:]}")


def commands(rng, config, event_ids):
    """What to run on an accepted configuration: every command, with valid arguments."""
    some_date = f"{rng.choice([1, 2, 1968, 2024, 2027, 2199, 9989, 9999]):04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    edge_dates = ["0001-01-01", "2024-02-29", "9999-12-31", some_date]
    out = []
    for fmt in ["text", "json"]:
        start = rng.choice(edge_dates)
        days = rng.choice(["1", "60", "366", "3660"])
        out.append(["upcoming", "--config", config, "--format", fmt, "--from", start, "--days", days])
    out.append(["upcoming", "--config", config, "--from", "2027-01-01", "--until", "2036-12-31", "--lang", "en"])
    out.append(["upcoming", "--config", config])
    year = str(rng.choice([1, 2, 1968, 2027, 2199, 9999, rng.randint(1, 9999)]))
    for fmt in ["ics", "html", "md", "csv", "json"]:
        out.append(["calendar", "--config", config, "--year", year, "--format", fmt, "--output", f"out/{year}.{fmt}"])
    for event_id in rng.sample(event_ids, min(3, len(event_ids))):
        out.append(["explain", event_id, "--config", config] + (["--year", year] if rng.random() < 0.7 else []))
    run_date = rng.choice(edge_dates)
    out.append(["run", "--config", config, "--dry-run", "--date", run_date])
    out.append(["run", "--config", config, "--date", run_date, "--format", rng.choice(["text", "json"])])
    out.append(["run", "--config", config, "--date", run_date])
    # The ledger those runs wrote, as people read it.
    out.append(["ledger", "--config", config])
    out.append(["ledger", "--config", config, "--format", "json", "--from", run_date, "--status",
                rng.choice(["pending", "sent", "failed", "expired", "resent"])])
    return out


USAGE_ERRORS = [
    ["upcoming", "--days", "-5"], ["upcoming", "--days", "99999999"], ["upcoming", "--from", "0000-01-01"],
    ["upcoming", "--from", "2027-01-01", "--until", "9999-12-31"], ["calendar", "--year", "-1"],
    ["calendar", "--year", "10000"], ["explain", "no-such-event"], ["run", "--date", "10000-01-01"],
]


def try_case(binary, seed, case, limit, failures, verbose):
    rng = random.Random(f"{seed}/{case}")
    # A third of the cases may hold invalid values (check must refuse them with a message);
    # the rest only edge values in range, so that check accepts them and every command runs.
    rng.allow_invalid = rng.random() < 0.33
    # At most one list is huge (500 events, 200 tasks a checklist or 500 lead times a tier):
    # all three at once ask a run for millions of deliveries, slow by design rather than a bug.
    rng.huge = rng.choice([None, None, "events", "tasks", "leads"])
    folder = Path(tempfile.mkdtemp(prefix=f"kyniem-fuzz-{seed}-{case}-"))
    try:
        (folder / "out").mkdir()
        text = configuration(rng, folder)
        config = folder / "kyniem.yaml"
        config.write_text(text, encoding="utf-8")
        tried = []
        try:
            arguments = ["check", "--config", "kyniem.yaml"]
            result = run(binary, arguments, folder, limit)
            judge(arguments, result, limit, allow_usage_error=True)
            tried.append("check")
            accepted = result[0] == 0
            if accepted:
                event_ids = [line.split("id: ", 1)[1] for line in text.splitlines() if line.startswith("  - id: e")]
                for arguments in commands(rng, "kyniem.yaml", event_ids):
                    judge(arguments, run(binary, arguments, folder, limit), limit, allow_usage_error=False)
                    tried.append(arguments[0])
                arguments = rng.choice(USAGE_ERRORS) + ["--config", "kyniem.yaml"]
                result = run(binary, arguments, folder, limit)
                judge(arguments, result, limit, allow_usage_error=True)
                if result[0] != 2:
                    raise Failure(f"kyniem {' '.join(arguments)}: exit {result[0]}, expected 2 (a usage error)")
                tried.append(arguments[0])
        except Failure as failure:
            saved = failures / f"seed{seed}-case{case}"
            saved.mkdir(parents=True, exist_ok=True)
            (saved / "kyniem.yaml").write_text(text.replace(str(folder), "TMP"), encoding="utf-8")
            (saved / "failure.txt").write_text(f"{failure}\n", encoding="utf-8")
            print(f"FAIL seed {seed} case {case}: {str(failure).splitlines()[0]}")
            print(f"     saved {saved}/kyniem.yaml; again: scripts/fuzz-commands.py --seed {seed} --case {case}")
            return False
        if verbose or case % 10 == 0:
            state = "accepted" if accepted else "refused by check"
            print(f"case {case}: {len(text.splitlines())} lines, {state}; ran {len(tried)} commands")
        return True
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def default_binary():
    try:
        path = subprocess.run(["swift", "build", "--show-bin-path"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
        return Path(path) / "kyniem"
    except (OSError, subprocess.CalledProcessError):
        return ROOT / ".build/debug/kyniem"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: a random one, printed)")
    parser.add_argument("--seconds", type=float, default=60, help="time budget for new cases (default 60)")
    parser.add_argument("--case", type=int, default=None, help="run only this case of the seed")
    parser.add_argument("--limit", type=float, default=20, help="seconds one command may take (default 20)")
    parser.add_argument("--binary", type=Path, default=None, help="the kyniem binary (default: swift build's)")
    parser.add_argument("--failures", type=Path, default=Path("fuzz-failures"), help="where failing cases go")
    parser.add_argument("--verbose", action="store_true", help="a line for every case")
    options = parser.parse_args()

    binary = (options.binary or default_binary()).resolve()
    if not os.access(binary, os.X_OK):
        sys.exit(f"no kyniem binary at {binary}; run swift build first")
    seed = options.seed if options.seed is not None else random.SystemRandom().randrange(1, 2**31)
    print(f"fuzz-commands: seed {seed}, binary {binary}, budget {options.seconds:g} s, {options.limit:g} s per command")

    if options.case is not None:
        ok = try_case(binary, seed, options.case, options.limit, options.failures, True)
        sys.exit(0 if ok else 1)
    deadline = time.monotonic() + options.seconds
    case = failed = 0
    while time.monotonic() < deadline:
        if not try_case(binary, seed, case, options.limit, options.failures, options.verbose):
            failed += 1
        case += 1
    print(f"fuzz-commands: seed {seed}: {case} configurations, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
