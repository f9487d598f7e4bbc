#!/usr/bin/env python3
"""Attack `kyniem run` with faults and count what the dispatch promise costs.

Each scenario runs the real binary against real loopback servers (an HTTP webhook endpoint and an
SMTP server, both written here on the standard library, on 127.0.0.1) and real folders, and
counts, per notifier, every message the servers and the file notifier actually received:

  lost        deliveries due in the scenario that were neither received by their notifier nor
              reported `expired` by a run (SPEC.md: nothing is dropped silently)
  duplicated  messages received more than once (SPEC.md allows one message per notifier and kill)
  longest     the longest single `kyniem run`, in seconds (SPEC.md: every run ends within its bound)

Scenarios:
  kill-one-day    one day's run (webhook one message per delivery, e-mail digest, file log),
                  SIGKILLed at random moments, then completed by a clean run
  kill-every-day  every run of 36 days SIGKILLed at a random moment; a final clean run
  stalled-smtp    an SMTP server that accepts and never greets (run_timeout: 10s)
  trickled-smtp   an SMTP server that answers EHLO with a `250-` line every second, forever
  trickled-http-head  a webhook endpoint that trickles its status line a byte a second, 40 deliveries
  trickled-http-body  one that answers 200 at once and trickles the body
  full-disk       the file notifier's folder on a full tmpfs, then room again (needs root)
  read-only-state the ledger's folder on a read-only tmpfs (needs root)

    scripts/faults.py [--bin PATH] [--seed N] [--check] [--table docs/dispatch.md]

--check exits 1 when a promise is broken (lost > 0, more repeats than kills, a run past its
bound). --table rewrites the table between the FAULTS markers of that file.
"""

import argparse
import collections
import json
import os
import random
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# --- loopback servers -----------------------------------------------------------------------

class Received:
    """Every message each notifier received, in order, repeats included."""

    def __init__(self):
        self.lock = threading.Lock()
        self.keys = collections.defaultdict(list)

    def add(self, notifier, message):
        with self.lock:
            self.keys[notifier].append(message)

    def messages(self, notifier):
        with self.lock:
            return list(self.keys[notifier])


class WebhookServer:
    """Answers each POST after `delay` seconds (so a kill lands mid-batch). `trickle`: "body"
    accepts the message and answers 200 with a body that comes a byte a second; "head" sends the
    status line itself a byte a second (the message is not taken)."""

    def __init__(self, received, delay=0.0, trickle=None):
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                if outer.trickle:
                    if outer.trickle == "body":
                        received.add(body.get("notifier", "?"), [d["key"] for d in body.get("deliveries", [])])
                    head = b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"
                    try:
                        if outer.trickle == "body":
                            self.wfile.write(head)
                            head = b"." * 1000
                        for byte in head:
                            self.wfile.write(bytes([byte]))
                            self.wfile.flush()
                            time.sleep(1)
                    except OSError:
                        pass
                    return
                time.sleep(outer.delay)
                # Accepted once the answer is written: record first, as a real endpoint would
                # have acted on the message before answering.
                received.add(body.get("notifier", "?"), [d["key"] for d in body.get("deliveries", [])])
                try:
                    self.send_response(200)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:
                    pass

        self.delay = delay
        self.trickle = trickle
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class SMTPServer:
    """A minimal SMTP server: records the keys listed in each accepted message's body
    (kyniem's digest names each occurrence; the run's JSON maps them back). `mode` is normal,
    stall (never greets) or trickle (answers EHLO with endless `250-` lines)."""

    def __init__(self, on_message, mode="normal"):
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                try:
                    self.serve()
                except OSError:
                    pass

            def reply(self, text):
                self.wfile.write(text.encode() + b"\r\n")
                self.wfile.flush()

            def serve(self):
                if outer.mode == "stall":
                    time.sleep(3600)
                    return
                self.reply("220 loopback ESMTP")
                data = None
                while True:
                    line = self.rfile.readline()
                    if not line:
                        return
                    command = line.decode("utf-8", "replace").strip()
                    verb = command.split(" ")[0].upper()
                    if data is not None:
                        if command == ".":
                            outer.on_message(b"".join(data).decode("utf-8", "replace"))
                            data = None
                            self.reply("250 queued")
                        else:
                            data.append(line)
                        continue
                    if verb in ("EHLO", "HELO"):
                        if outer.mode == "trickle":
                            while True:
                                self.reply("250-still thinking")
                                time.sleep(1)
                        self.reply("250-loopback\r\n250 8BITMIME")
                    elif verb in ("MAIL", "RCPT", "RSET", "NOOP"):
                        self.reply("250 ok")
                    elif verb == "DATA":
                        self.reply("354 go on")
                        data = []
                    elif verb == "QUIT":
                        self.reply("221 bye")
                        return
                    else:
                        self.reply("502 no")

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.mode = mode
        self.on_message = on_message
        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


# --- an office's configuration ----------------------------------------------------------------

def write_office(folder, start, days, events_per_day, webhook_port, smtp_port, extra="", run_timeout="20s",
                 smtp_timeout="5s", webhook_timeout="5s", state="state/ledger.sqlite", out="out",
                 notifiers=("hook", "mail", "log", "plug")):
    """Events fall on `days` consecutive days from `start`, `events_per_day` a day; each has a
    reminder the day before and one on the day (routine)."""
    events = []
    for offset in range(days + 1):
        day = start + timedelta(days=offset)
        for n in range(events_per_day):
            events.append(
                f"  - {{id: e{offset:03d}-{n:02d}, kind: custom, title: \"Event {offset}/{n}\", "
                f"date: {{month: {day.month}, day: {day.day}}}}}")
    with open(os.path.join(folder, "events.yaml"), "w") as handle:
        handle.write("events:\n" + "\n".join(events) + "\n")
    blocks = {
        "hook": f"  - {{id: hook, type: webhook, format: generic, mode: each, "
                f"url: \"http://127.0.0.1:{webhook_port}/hook\", timeout: {webhook_timeout}}}",
        "mail": f"  - {{id: mail, type: email, from: kyniem@example.org, to: [office@example.org], "
                f"smtp: {{host: 127.0.0.1, port: {smtp_port}}}, timeout: {smtp_timeout}, "
                f"digest_template: mail-keys.mustache}}",
        "log": f"  - {{id: log, type: file, path: {out}}}",
        "plug": "  - {id: plug, type: faultplug}",
    }
    # The office's own digest template lists each delivery's key, so the SMTP server can tell
    # which deliveries each mail carried (a digest may leave superseded ones out of its text).
    with open(os.path.join(folder, "mail-keys.mustache"), "w") as handle:
        handle.write("{{digest_title}}\n{{#deliveries}}KEY {{key}}\n{{/deliveries}}")
    plugin = os.path.join(folder, "plugins", "faultplug")
    os.makedirs(plugin, exist_ok=True)
    with open(os.path.join(plugin, "plugin.yaml"), "w") as handle:
        handle.write("name: faultplug\ntype: notifier\nexecutable: ./notify\ntimeout: 30s\nprotocol: 2\n")
    # A protocol-2 plugin: "delivers" each message by appending its key to received.txt (as a
    # remote service would accept it), then reports it on its own line. 100 ms a message is ten
    # times what chat services allow (Telegram: one a second per chat); protocol 2 has no
    # acknowledgement, so what a plugin reports faster than kyniem can commit waits in the pipe,
    # and a kill repeats it.
    with open(os.path.join(plugin, "notify"), "w") as handle:
        handle.write("""#!/usr/bin/env python3
import json, os, sys, time
batch = json.load(sys.stdin)
here = os.path.dirname(os.path.abspath(__file__))
for delivery in batch["deliveries"]:
    time.sleep(0.1)
    with open(os.path.join(here, "received.txt"), "a") as log:
        log.write(delivery["key"] + "\\n")
    print(json.dumps({"key": delivery["key"], "status": "sent"}), flush=True)
""")
    os.chmod(os.path.join(plugin, "notify"), 0o755)
    config = f"""home: {{country: VN, timezone: Asia/Ho_Chi_Minh, language: en, weekend: [saturday, sunday]}}
calendars: [events.yaml]
plugins: [plugins]
state: {state}
catch_up: 3d
run_timeout: {run_timeout}
milestones: [{{tier: routine}}]
reminders: {{routine: [1d, 0d]}}
checklists: []
notifiers:
{chr(10).join(blocks[n] for n in notifiers)}
{extra}"""
    path = os.path.join(folder, "kyniem.yaml")
    with open(path, "w") as handle:
        handle.write(config)
    return path


class Office:
    """A folder with a configuration, the servers it talks to, and what they received."""

    def __init__(self, binary, start, days, events_per_day, webhook_delay=0.0, smtp_mode="normal",
                 trickle_http=None, **options):
        self.binary = binary
        self.start = start
        self.folder = tempfile.mkdtemp(prefix="kyniem-faults-")
        self.received = Received()
        self.webhook = WebhookServer(self.received, delay=webhook_delay, trickle=trickle_http)
        self.smtp = SMTPServer(self.mail_received, mode=smtp_mode)
        self.config = write_office(
            self.folder, start, days, events_per_day, self.webhook.port, self.smtp.port, **options)
        self.runs = 0
        self.kills = 0
        self.longest = 0.0
        self.reported_expired = set()
        self.mail_titles = []

    def mail_received(self, text):
        # The digest names each event's title; keys are matched back through the run's report.
        self.received.add("mail-messages", text)

    def command(self, *arguments):
        return [self.binary, *arguments, "--config", self.config]

    def run(self, day, kill_after=None, backfill=False):
        """One `kyniem run --date day`; SIGKILLed after `kill_after` seconds when given."""
        arguments = ["run", "--date", day.isoformat(), "--format", "json"]
        if backfill:
            arguments.append("--backfill")
        started = time.monotonic()
        process = subprocess.Popen(
            self.command(*arguments), stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=self.folder)
        killed = False
        if kill_after is not None:
            try:
                process.wait(timeout=kill_after)
            except subprocess.TimeoutExpired:
                process.send_signal(signal.SIGKILL)
                killed = True
        stdout, stderr = process.communicate(timeout=600)
        elapsed = time.monotonic() - started
        self.runs += 1
        self.longest = max(self.longest, elapsed)
        report = None
        if killed:
            self.kills += 1
        elif stdout.strip():
            report = json.loads(stdout)
            for delivery in report["deliveries"]:
                if delivery["status"] == "expired":
                    self.reported_expired.add(delivery["key"])
        return process.returncode, report, stderr.decode("utf-8", "replace"), elapsed

    def due_keys(self, first, last):
        """Every delivery due from `first` to `last`: each day's dry run on an empty ledger."""
        keys = set()
        empty = os.path.join(self.folder, "empty-state")
        os.makedirs(empty, exist_ok=True)
        with open(self.config) as handle:
            text = handle.read()
        probe = os.path.join(self.folder, "probe.yaml")
        with open(probe, "w") as handle:
            handle.write(text.replace("state: ", f"state: {empty}/ledger.sqlite\n# was: ", 1))
        day = first
        while day <= last:
            output = subprocess.run(
                [self.binary, "run", "--dry-run", "--date", day.isoformat(), "--format", "json", "--config", probe],
                capture_output=True, check=True, cwd=self.folder).stdout
            keys.update(d["key"] for d in json.loads(output)["deliveries"] if d["status"] == "would-send")
            day += timedelta(days=1)
        return keys

    def logged_messages(self):
        """The file notifier's batches: its lines grouped by the run that wrote them."""
        path = os.path.join(self.folder, "out", "deliveries.jsonl")
        if not os.path.exists(path):
            return []
        batches = collections.OrderedDict()
        with open(path) as handle:
            for line in handle:
                if line.strip():
                    entry = json.loads(line)
                    batches.setdefault(entry["at"], []).append(entry["key"])
        return list(batches.values())

    def plugin_keys(self):
        path = os.path.join(self.folder, "plugins", "faultplug", "received.txt")
        if not os.path.exists(path):
            return []
        with open(path) as handle:
            return [line.strip() for line in handle if line.strip()]

    def logged_keys(self):
        return [k for batch in self.logged_messages() for k in batch]

    def mail_messages(self):
        """The keys each accepted mail carried: its body lists them (`KEY …` lines, from the
        office's digest template)."""
        result = []
        for message in self.received.messages("mail-messages"):
            keys = [line.strip()[4:] for line in message.replace("\r\n", "\n").split("\n")
                    if line.strip().startswith("KEY ")]
            result.append(keys)
        return result

    def tally(self, due):
        """Per notifier: lost deliveries, and repeated messages (a message that carried at least
        one delivery an earlier message had already carried; a digest is one message)."""
        received = {
            "hook": [[k] for m in self.received.messages("hook") for k in m],
            "log": self.logged_messages(),
            "mail": self.mail_messages(),
            "plug": [[k] for k in self.plugin_keys()],
        }
        result = {}
        for notifier, messages in received.items():
            wanted = {k for k in due if k.endswith("/" + notifier)}
            if not wanted:
                continue
            seen = set()
            repeated = 0
            for message in messages:
                if any(k in seen for k in message):
                    repeated += 1
                seen.update(message)
            lost = {k for k in wanted if k not in seen and k not in self.reported_expired}
            result[notifier] = (len(lost), repeated, sorted(lost)[:3])
        return result

    def close(self):
        self.webhook.close()
        self.smtp.close()
        shutil.rmtree(self.folder, ignore_errors=True)


# --- scenarios -------------------------------------------------------------------------------

Result = collections.namedtuple("Result", "fault runs kills lost duplicated longest bound note ok")
START = date(2027, 3, 1)


def summarize(name, office, due, bound, note, extra_ok=True, interrupted=0):
    tally = office.tally(due)
    lost = sum(v[0] for v in tally.values())
    duplicated = sum(v[1] for v in tally.values())
    worst_repeat = max((v[1] for v in tally.values()), default=0)
    # SPEC.md: at most the message in flight per notifier, per interrupted run (a kill, or an
    # exchange the bound cut off after the server had the whole request).
    ok = lost == 0 and worst_repeat <= office.kills + interrupted and office.longest <= bound and extra_ok
    if duplicated:
        note += "; repeats by notifier: " + ", ".join(f"{n} {v[1]}" for n, v in sorted(tally.items()) if v[1])
    if lost:
        note += "; lost e.g. " + ", ".join(k for v in tally.values() for k in v[2])
    return Result(name, office.runs, office.kills, lost, duplicated, office.longest, bound, note, ok)


def kill_one_day(binary, rng):
    office = Office(binary, START, 0, 40, webhook_delay=0.02)
    try:
        day = START
        office.run(day - timedelta(days=5))  # the ledger's baseline, nothing due
        for _ in range(15):
            office.run(day, kill_after=rng.uniform(0.02, 3.0))
        code, _, stderr, _ = office.run(day)
        due = office.due_keys(day - timedelta(days=3), day)
        return summarize("kill-one-day", office, due, 20 + 5, f"final run exit {code}", code == 0)
    finally:
        office.close()


def kill_every_day(binary, rng):
    office = Office(binary, START, 36, 5, webhook_delay=0.01)
    try:
        office.run(START - timedelta(days=1))
        for offset in range(36):
            office.run(START + timedelta(days=offset), kill_after=rng.uniform(0.0, 0.3))
        last = START + timedelta(days=36)
        code, report, _, _ = office.run(last)
        due = office.due_keys(START, last)
        expired = len(office.reported_expired)
        return summarize(
            "kill-every-day", office, due, 25,
            f"{expired} reported expired by the final run (exit {code})", code in (0, 1))
    finally:
        office.close()


def bounded(binary, name, note, bound, **options):
    """One run against a server that misbehaves, which must end within `bound` seconds with the
    deliveries failed; then the server behaves and the next run sends them all."""
    office = Office(binary, START, 0, options.pop("events", 3), **options)
    try:
        office.run(START - timedelta(days=3))
        code, report, stderr, elapsed = office.run(START)
        failed = [d for d in report["deliveries"] if d["status"] == "failed"]
        office.smtp.mode = "normal"
        office.webhook.trickle = None
        code2, _, _, _ = office.run(START)
        due = office.due_keys(START - timedelta(days=1), START)
        return summarize(
            name, office, due, bound,
            note + f": exit {code} after {elapsed:.1f} s, {len(failed)} failed; the next run (server well) exit {code2}",
            code == 1 and bool(failed) and code2 == 0, interrupted=1)
    finally:
        office.close()


def stalled_smtp(binary, rng):
    return bounded(binary, "stalled-smtp", "accepts, never greets; timeout: 60s, run_timeout: 10s", 10 + 5,
                   smtp_mode="stall", run_timeout="10s", smtp_timeout="60s", notifiers=("mail", "log"))


def trickled_smtp(binary, rng):
    return bounded(binary, "trickled-smtp", "answers EHLO with `250-` every 1 s; timeout: 3s", 3 + 2,
                   smtp_mode="trickle", smtp_timeout="3s", notifiers=("mail", "log"))


def trickled_http_head(binary, rng):
    return bounded(binary, "trickled-http-head", "40 deliveries, the status line a byte a second; timeout: 2s",
                   2 + 2, events=40, trickle_http="head", run_timeout="10s", webhook_timeout="2s",
                   notifiers=("hook", "log"))


def trickled_http_body(binary, rng):
    """A 200 whose body trickles: the message was taken, so it is sent, and the body is not waited for."""
    office = Office(binary, START, 0, 40, trickle_http="body", webhook_timeout="2s", notifiers=("hook", "log"))
    try:
        office.run(START - timedelta(days=3))
        code, report, _, elapsed = office.run(START)
        sent = sum(1 for d in report["deliveries"] if d["status"] == "sent" and d["notifier"] == "hook")
        due = office.due_keys(START - timedelta(days=1), START)
        return summarize(
            "trickled-http-body", office, due, 5,
            f"40 deliveries answered 200 with a body a byte a second; timeout: 2s: exit {code} after {elapsed:.1f} s, {sent} sent",
            code == 0 and sent == len([k for k in due if k.endswith("/hook")]))
    finally:
        office.close()


def mount_tmpfs(path, options):
    os.makedirs(path, exist_ok=True)
    return subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", path], capture_output=True).returncode == 0


def full_disk(binary, rng):
    office = Office(binary, START, 0, 3, notifiers=("log",))
    disk = os.path.join(office.folder, "out")
    try:
        if not mount_tmpfs(disk, "size=64k"):
            return Result("full-disk", 0, 0, 0, 0, 0, 0, "not tried: tmpfs cannot be mounted here", True)
        with open(os.path.join(disk, "filler"), "wb") as handle:
            try:
                handle.write(b"x" * (1 << 20))
            except OSError:
                pass
        office.run(START - timedelta(days=3))
        code, report, stderr, _ = office.run(START)
        first_failed = sum(1 for d in report["deliveries"] if d["status"] == "failed")
        os.remove(os.path.join(disk, "filler"))
        code2, report2, _, _ = office.run(START)
        due = office.due_keys(START - timedelta(days=1), START)
        result = summarize("full-disk", office, due, 25,
                           f"file notifier on a full 64 KiB tmpfs: exit {code}, {first_failed} failed; after room: exit {code2}",
                           code == 1 and first_failed > 0 and code2 == 0)
        return result
    finally:
        subprocess.run(["umount", disk], capture_output=True)
        office.close()


def read_only_state(binary, rng):
    office = Office(binary, START, 0, 3, notifiers=("log",), state="ro/ledger.sqlite")
    folder = os.path.join(office.folder, "ro")
    try:
        if not mount_tmpfs(folder, "size=64k,ro"):
            return Result("read-only-state", 0, 0, 0, 0, 0, 0, "not tried: tmpfs cannot be mounted here", True)
        code, report, stderr, elapsed = office.run(START)
        sent = office.logged_keys()
        ok = code == 1 and not sent and "ledger" in stderr
        return Result("read-only-state", office.runs, 0, 0, 0, elapsed, 25,
                      f"exit {code}, nothing sent: {stderr.strip().splitlines()[-1].replace(office.folder, '…')[:120] if stderr.strip() else ''}", ok)
    finally:
        subprocess.run(["umount", folder], capture_output=True)
        office.close()


SCENARIOS = [
    kill_one_day, kill_every_day, stalled_smtp, trickled_smtp, trickled_http_head, trickled_http_body, full_disk,
    read_only_state,
]


def table(results):
    lines = [
        "| fault | runs | kills | lost | repeated messages | longest run | what happened |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.fault} | {r.runs} | {r.kills} | {r.lost} | {r.duplicated} | {r.longest:.1f} s | {r.note} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default=None, help="the kyniem binary (default: swift build's debug binary)")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--table", default=None)
    parser.add_argument("--only", action="append", default=[])
    args = parser.parse_args()
    binary = args.bin
    if binary is None:
        path = subprocess.run(["swift", "build", "--show-bin-path"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
        binary = os.path.join(path, "kyniem")
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    print(f"faults: seed {seed}, binary {binary}", flush=True)
    rng = random.Random(seed)
    results = []
    for scenario in SCENARIOS:
        if args.only and scenario.__name__.replace("_", "-") not in args.only:
            continue
        started = time.monotonic()
        result = scenario(binary, rng)
        results.append(result)
        print(f"  {result.fault}: runs {result.runs}, kills {result.kills}, lost {result.lost}, "
              f"repeated {result.duplicated}, longest {result.longest:.1f} s — {result.note} "
              f"[{'ok' if result.ok else 'BROKEN'}] ({time.monotonic() - started:.0f} s)", flush=True)
    print()
    print(table(results))
    if args.table:
        with open(args.table) as handle:
            text = handle.read()
        begin, end = "<!-- FAULTS:BEGIN -->", "<!-- FAULTS:END -->"
        head, rest = text.split(begin, 1)
        _, tail = rest.split(end, 1)
        stamp = f"\n\n_`scripts/faults.py --seed {seed}`, {date.today().isoformat()}._\n"
        with open(args.table, "w") as handle:
            handle.write(head + begin + "\n" + table(results) + stamp + end + tail)
    if args.check and not all(r.ok for r in results):
        print("faults: a promise was broken", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
