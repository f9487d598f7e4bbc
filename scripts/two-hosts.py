#!/usr/bin/env python3
"""Two "hosts" against one PostgreSQL ledger: every due delivery sent exactly once.

Two `kyniem run` processes, each with its own working folder and configuration file (the same
events, the same webhook, `state:` the same PostgreSQL URL), are started together for each of
DATES run dates, as two hosts' cron jobs would be. On most dates one of them is SIGKILLed at a
random moment. A loopback HTTP endpoint (standard library, 127.0.0.1) records every delivery key
the webhook (`mode: each`, one request per delivery) actually delivered.

A reference office (SQLite, one host, no kills) runs the same dates against another path of the
endpoint: what it received is what was due. Then:

  lost        due deliveries the two hosts neither delivered nor reported `expired`
  duplicated  deliveries received more than once (allowed: the one request in flight at a kill)
  exit 3      runs that found the other host holding the office's lock
  lock        the longest wait, after a kill, until the server had dropped the killed host's
              advisory lock (its session ends when the process dies)

and two more checks: a host started with the server unreachable exits 1 naming the host, the port
and the reason, and sends nothing; a healthy run after the last date catches up what the last
kill left pending.

    scripts/two-hosts.py --bin .build/debug/kyniem [--url postgresql://...] [--dates 30] [--seed N] [--check]

--url defaults to $KYNIEM_TEST_POSTGRES (a role that may create databases; the password in
PGPASSWORD or ~/.pgpass): a new database is created for the run. --check exits 1 when a promise
is broken.
"""

import argparse
import collections
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK_CLASS = 0x6B796E69  # PostgresLedger.lockKeys: "kyni", 1


class Recorder:
    """Delivery keys received per path ("/hosts", "/reference"), repeats included."""

    def __init__(self):
        self.lock = threading.Lock()
        self.keys = collections.defaultdict(list)

    def add(self, path, keys):
        with self.lock:
            self.keys[path].extend(keys)

    def snapshot(self, path):
        with self.lock:
            return list(self.keys[path])


def serve(recorder, delay):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            keys = [d["key"] for d in json.loads(body).get("deliveries", [])]
            # Slow enough that a kill often lands while a request is in flight.
            time.sleep(delay)
            recorder.add(self.path, keys)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def psql(url, sql):
    return subprocess.run(["psql", url, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql],
                          check=True, capture_output=True, text=True).stdout.strip()


def with_database(url, name):
    base, _, query = url.partition("?")
    return base.rsplit("/", 1)[0] + "/" + name + ("?" + query if query else "")


def config(state, hook, first):
    events = []
    for index in range(14):
        day = first + timedelta(days=1 + 2 * index)
        events.append(f'  - {{id: visit-{index:02d}, title: "Visit {index}", once: {day.isoformat()}}}')
    return "\n".join([
        "home: {country: VN, timezone: Asia/Ho_Chi_Minh, language: en}",
        "calendars: []",
        f"state: {state}",
        "catch_up: 7d",
        "run_timeout: 60s",
        "reminders: {routine: [3d, 1d, 0d]}",
        "events:",
        *events,
        "notifiers:",
        f"  - {{id: hook, type: webhook, url: \"{hook}\", mode: each}}",
        "",
    ])


def lock_holders(url):
    return int(psql(url, f"SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = {LOCK_CLASS} "
                    "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True)
    parser.add_argument("--url", default=os.environ.get("KYNIEM_TEST_POSTGRES"))
    parser.add_argument("--dates", type=int, default=30)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--delay", type=float, default=0.03, help="seconds the endpoint takes per request")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    if not args.url:
        sys.exit("two-hosts.py: no PostgreSQL URL (--url or KYNIEM_TEST_POSTGRES)")
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    binary = os.path.abspath(args.bin)

    name = "kyniem_two_hosts_" + uuid.uuid4().hex[:12]
    psql(args.url, f"CREATE DATABASE {name}")
    url = with_database(args.url, name)
    recorder = Recorder()
    server = serve(recorder, args.delay)
    port = server.server_address[1]
    root = tempfile.mkdtemp(prefix="kyniem-two-hosts-")
    first = date(2027, 3, 1)
    dates = [first + timedelta(days=n) for n in range(args.dates)]

    hosts = []
    for host in ("a", "b"):
        folder = os.path.join(root, host)
        os.makedirs(folder)
        with open(os.path.join(folder, "kyniem.yaml"), "w") as f:
            f.write(config(url, f"http://127.0.0.1:{port}/hosts", first))
        hosts.append(folder)
    reference = os.path.join(root, "reference")
    os.makedirs(reference)
    with open(os.path.join(reference, "kyniem.yaml"), "w") as f:
        f.write(config("state/ledger.sqlite", f"http://127.0.0.1:{port}/reference", first))

    def start(folder, day, extra=()):
        environment = dict(os.environ, HOME=folder)
        return subprocess.Popen([binary, "run", "--date", day.isoformat(), *extra], cwd=folder, env=environment,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    runs = kills = held = 0
    unexpected = []
    lock_waits = []
    for index, day in enumerate(dates):
        reference_run = start(reference, day)
        processes = [start(folder, day) for folder in hosts]
        runs += 2
        victim = None
        # Never on the first date: the ledger's baseline is the first run that completes.
        if index > 0 and rng.random() < 0.6:
            victim = rng.randrange(2)
            time.sleep(rng.uniform(0.0, 0.4))
            if processes[victim].poll() is None:
                processes[victim].send_signal(signal.SIGKILL)
                kills += 1
            else:
                victim = None
        for number, process in enumerate(processes):
            _, err = process.communicate(timeout=120)
            code = process.returncode
            if number == victim and code == -signal.SIGKILL:
                continue
            if code == 3:
                held += 1
                if "holds the state lock" not in err:
                    unexpected.append(f"{day} host {'ab'[number]}: exit 3 without the holder: {err.strip()}")
            elif code != 0:
                unexpected.append(f"{day} host {'ab'[number]}: exit {code}: {err.strip()}")
        reference_run.communicate(timeout=120)
        if reference_run.returncode != 0:
            unexpected.append(f"{day} reference: exit {reference_run.returncode}")
        if victim is not None:
            # Both hosts are gone: the killed one's lock must go with its session.
            waited = time.monotonic()
            while lock_holders(url) > 0 and time.monotonic() - waited < 10:
                time.sleep(0.02)
            lock_waits.append(time.monotonic() - waited)
            if lock_holders(url) > 0:
                unexpected.append(f"{day}: the killed host's lock was still held after 10 s")

    # The server unreachable: exit 1, a clear message, nothing sent.
    down = os.path.join(root, "down")
    os.makedirs(down)
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    closed_port = closed.getsockname()[1]
    closed.close()
    unreachable = url.replace(url.split("@", 1)[1].split("/", 1)[0], f"127.0.0.1:{closed_port}")
    with open(os.path.join(down, "kyniem.yaml"), "w") as f:
        f.write(config(unreachable, f"http://127.0.0.1:{port}/hosts", first))
    before = len(recorder.snapshot("/hosts"))
    process = start(down, dates[-1])
    _, err = process.communicate(timeout=60)
    down_ok = (process.returncode == 1 and f'"127.0.0.1", port {closed_port}' in err and "Connection refused" in err
               and len(recorder.snapshot("/hosts")) == before)
    if not down_ok:
        unexpected.append(f"server down: exit {process.returncode}, {err.strip()!r}")

    # A healthy run catches up what the last kill left.
    process = start(hosts[0], dates[-1])
    _, err = process.communicate(timeout=120)
    if process.returncode != 0:
        unexpected.append(f"catch-up run: exit {process.returncode}: {err.strip()}")

    ledger = json.loads(subprocess.run([binary, "ledger", "--format", "json"], cwd=hosts[0], env=dict(os.environ, HOME=hosts[0]),
                                       check=True, capture_output=True, text=True).stdout)
    expired = {row["key"] for row in ledger["deliveries"] if row["status"] == "expired"}
    not_sent = [row["key"] for row in ledger["deliveries"] if row["status"] not in ("sent", "expired")]
    due = set(recorder.snapshot("/reference"))
    received = collections.Counter(recorder.snapshot("/hosts"))
    lost = sorted(due - set(received) - expired)
    duplicated = sum(count - 1 for count in received.values() if count > 1)
    extra = sorted(set(received) - due)

    print(f"two hosts, one PostgreSQL ledger: {args.dates} dates, seed {seed}")
    print()
    print("| runs | kills | exit 3 | due | received | lost | duplicated | expired | lock dropped after kill (max) |")
    print("|-----:|------:|-------:|----:|---------:|-----:|-----------:|--------:|------------------------------:|")
    print(f"| {runs} | {kills} | {held} | {len(due)} | {sum(received.values())} | {len(lost)} | {duplicated} | "
          f"{len(expired)} | {max(lock_waits, default=0) * 1000:.0f} ms |")
    print()
    print(f"server down: {'exit 1 naming 127.0.0.1, the port and the reason; nothing sent' if down_ok else 'FAILED'}")
    for line in unexpected:
        print("unexpected:", line)
    if lost:
        print("lost:", ", ".join(lost[:10]))
    if extra:
        print("received but never due:", ", ".join(extra[:10]))
    if not_sent:
        print("left unsent after the catch-up run:", ", ".join(not_sent[:10]))
    broken = bool(lost or extra or not_sent or unexpected or duplicated > kills or not down_ok)
    server.shutdown()
    shutil.rmtree(root, ignore_errors=True)
    if args.check and broken:
        print("two-hosts: a promise was broken")
        sys.exit(1)


if __name__ == "__main__":
    main()
