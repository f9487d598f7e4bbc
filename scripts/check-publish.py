#!/usr/bin/env python3
"""End-to-end check of `kyniem publish`: publish a site, serve it with a real nginx on 127.0.0.1,
fetch the feeds over HTTP and parse them with two independent iCalendar parsers (icalendar and
vobject), publish again and check that every byte and every ETag stayed, and render pages in
headless Chromium at phone and desktop widths.

Usage: scripts/check-publish.py --bin PATH/kyniem [--date 2026-11-29] [--screenshots DIR]
Exit 0 when every check passed; 1 with the failed checks listed; 77 when nginx is missing
(the caller decides whether that is a skip).
"""
import argparse
import hashlib
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print(f"  FAIL {message}")
    return condition


def tree(folder):
    """Every file under folder: relative path -> (sha256, mode, mtime_ns); folders -> mode."""
    found = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = os.path.join(root, name)
            info = os.lstat(path)
            relative = os.path.relpath(path, folder)
            if name in files:
                with open(path, "rb") as f:
                    found[relative] = (hashlib.sha256(f.read()).hexdigest(), oct(info.st_mode & 0o7777), info.st_mtime_ns)
            else:
                found[relative + "/"] = oct(info.st_mode & 0o7777)
    return found


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# The README's snippet, with the test's paths: .ics as text/calendar (Debian's mime.types has no
# entry for it), revalidation every time (ETag / Last-Modified), no directory listings.
NGINX_CONF = """
daemon off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        charset utf-8;
        charset_types text/calendar application/json text/css;
        autoindex off;
        location ~ /\\. {{ return 404; }}
        location /feeds/ {{
            types {{ text/calendar ics; }}
            default_type text/calendar;
            add_header Cache-Control "public, max-age=3600, must-revalidate";
        }}
        location / {{
            add_header Cache-Control "public, max-age=300, must-revalidate";
        }}
    }}
}}
"""


def get(port, path, method="GET", headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request(method, path, headers=headers or {})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def parse_both(name, body, expect_alarms):
    """Parses one feed with icalendar and vobject; returns the UIDs the two agree on."""
    import icalendar
    import vobject

    text = body.decode("utf-8")
    calendar = icalendar.Calendar.from_ical(text)
    events = [c for c in calendar.walk() if c.name == "VEVENT"]
    uids_a = [str(e["UID"]) for e in events]
    check(len(uids_a) == len(set(uids_a)), f"{name}: duplicate UIDs (icalendar)")
    for key in ("REFRESH-INTERVAL", "X-PUBLISHED-TTL", "X-WR-CALNAME", "X-WR-TIMEZONE"):
        check(key in calendar, f"{name}: no {key}")
    check(str(calendar.get("REFRESH-INTERVAL", "")) != "" and "PT12H" in text, f"{name}: refresh interval is not PT12H")
    check(str(calendar.get("X-WR-TIMEZONE")) == "Asia/Ho_Chi_Minh", f"{name}: X-WR-TIMEZONE {calendar.get('X-WR-TIMEZONE')}")
    for event in events:
        for key in ("UID", "DTSTAMP", "SEQUENCE", "DTSTART", "DTEND", "SUMMARY"):
            if not check(key in event, f"{name}: {event.get('UID')} has no {key}"):
                break
    alarms = sum(1 for c in calendar.walk() if c.name == "VALARM")
    if expect_alarms:
        check(alarms > 0, f"{name}: no VALARM")

    parsed = vobject.readOne(text)
    uids_b = [e.uid.value for e in getattr(parsed, "vevent_list", [])]
    check(uids_a == uids_b, f"{name}: icalendar and vobject disagree ({len(uids_a)} vs {len(uids_b)} events)")
    sequences = {e.uid.value: int(e.sequence.value) for e in getattr(parsed, "vevent_list", [])}
    print(f"  {name}: {len(uids_a)} events, {alarms} alarms, both parsers agree")
    return set(uids_a), sequences


def screenshot(url, path, size):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not chromium:
        print(f"  (no chromium: {path} not taken)")
        return False
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", f"--user-data-dir={profile}",
             f"--screenshot={path}", f"--window-size={size}", url],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
    ok = done.returncode == 0 and os.path.exists(path) and os.path.getsize(path) > 5000
    check(ok, f"chromium could not render {url}")
    if ok:
        print(f"  screenshot {path} ({size})")
    return ok


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--date", default="2026-11-29")
    parser.add_argument("--screenshots", help="folder for the PNGs (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    args.bin = os.path.abspath(args.bin)
    if not shutil.which("nginx"):
        print("nginx is not installed (apt-get install -y nginx)")
        sys.exit(77)

    work = tempfile.mkdtemp(prefix="kyniem-publish-")
    # nginx's workers run as an unprivileged user: they must be able to walk into the site.
    os.chmod(work, 0o755)
    site = os.path.join(work, "www", "kyniem")
    os.makedirs(os.path.dirname(site), mode=0o755)
    home = os.path.join(work, "home")
    os.makedirs(home)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home}
    nginx = None
    try:
        port = free_port()
        base = f"http://127.0.0.1:{port}"

        def publish():
            done = subprocess.run(
                [args.bin, "publish", site, "--date", args.date, "--base-url", base], cwd=home, env=env,
                capture_output=True, text=True, timeout=120)
            check(done.returncode == 0, f"publish exit {done.returncode}: {done.stderr.strip()}")
            return done

        print("publish (first)")
        publish()
        before = tree(site)

        # Serve it: nginx on the port the links were written for.
        prefix = os.path.join(work, "nginx")
        os.makedirs(prefix)
        conf = os.path.join(prefix, "nginx.conf")
        with open(conf, "w") as f:
            f.write(NGINX_CONF.format(prefix=prefix, port=port, root=site))
        nginx = subprocess.Popen(["nginx", "-c", conf, "-p", prefix], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(100):
            if nginx.poll() is not None:
                sys.exit(f"nginx exited at start: {nginx.stderr.read().decode()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)

        print(f"nginx on {base}")
        feeds = sorted(p for p in before if p.startswith("feeds/") and p.endswith(".ics"))
        check(len(feeds) == 10, f"expected 10 feeds (vi, en × all, 3 tiers, tasks), found {feeds}")
        etags = {}
        uids = {}
        for path in ["index.html", "vi/index.html", "en/index.html", "upcoming.json", "site.css"] + feeds:
            status, headers, body = get(port, "/" + path)
            check(status == 200, f"GET /{path}: {status}")
            etags[path] = headers.get("etag")
            check(etags[path], f"GET /{path}: no ETag")
            if path.endswith(".ics"):
                check(headers.get("content-type", "").startswith("text/calendar"),
                      f"/{path}: Content-Type {headers.get('content-type')}")
                name = os.path.basename(path)
                uids[name] = parse_both(name, body, expect_alarms="tasks" not in name)
            if path.endswith(".html"):
                check(headers.get("content-type", "").startswith("text/html"), f"/{path}: {headers.get('content-type')}")
        status, _, _ = get(port, "/.kyniem-publish.json")
        check(status == 404, f"the state file is served ({status}); the snippet hides dot files")
        # A revalidation is answered 304 Not Modified: clients refetch nothing.
        status, _, _ = get(port, "/feeds/kyniem-vi.ics", headers={"If-None-Match": etags["feeds/kyniem-vi.ics"]})
        check(status == 304, f"If-None-Match on an unchanged feed: {status}, expected 304")

        for language in ("vi", "en"):
            everything, _ = uids[f"kyniem-{language}.ics"]
            tiers = [uids[f"kyniem-{language}-{t}.ics"][0] for t in ("major", "notable", "routine")]
            check(set().union(*tiers) == everything, f"{language}: the tier feeds do not add up to the whole feed")
            check("jp-relations-20280921@kyniem" in uids[f"kyniem-{language}-notable.ics"][0],
                  f"{language}: the 55th anniversary of Vietnam–Japan relations is not in the notable feed")
            check(all(s == 0 for s in uids[f"kyniem-{language}.ics"][1].values()), f"{language}: a first publish with SEQUENCE > 0")

        print("publish (second, nothing changed)")
        second = publish()
        check("unchanged" in second.stdout, f"second publish did not say unchanged: {second.stdout.strip()}")
        after = tree(site)
        changed = sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))
        check(not changed, f"files changed by a second publish: {changed[:5]}")
        for path, etag in etags.items():
            _, headers, _ = get(port, "/" + path, method="HEAD")
            check(headers.get("etag") == etag, f"/{path}: ETag changed from {etag} to {headers.get('etag')}")
        print(f"  {len(after)} entries byte-identical, {len(etags)} ETags unchanged")

        print("pages in headless Chromium")
        shots = args.screenshots or os.path.join(work, "shots")
        os.makedirs(shots, exist_ok=True)
        event = "vi/events/jp-relations.html"
        check(event in before, f"no page {event}")
        for name, url in (("index", f"{base}/vi/index.html"), ("event", f"{base}/{event}")):
            screenshot(url, os.path.join(shots, f"publish-{name}-phone.png"), "390,844")
            screenshot(url, os.path.join(shots, f"publish-{name}-desktop.png"), "1280,900")
    finally:
        if nginx:
            nginx.terminate()
            try:
                nginx.wait(timeout=10)
            except subprocess.TimeoutExpired:
                nginx.kill()
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    if failures:
        print(f"check-publish: {len(failures)} failed")
        sys.exit(1)
    print("check-publish: all passed")


if __name__ == "__main__":
    main()
