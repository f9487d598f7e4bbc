"""Tests for the Apprise plugin against a real HTTP server on 127.0.0.1.

Run with `pytest plugins/apprise` or `python3 plugins/apprise/test_notify.py`.
"""

import http.server
import json
import os
import subprocess
import sys
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
NOTIFY = os.path.join(HERE, "notify")


class Recorder(http.server.BaseHTTPRequestHandler):
    status = 200
    received = []
    delay = 0.0         # seconds before each answer
    gate = None         # a callable run before answering each request after the first

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        type(self).received.append(json.loads(self.rfile.read(length) or b"{}"))
        if type(self).gate and len(type(self).received) > 1:
            type(self).gate()
        time.sleep(type(self).delay)
        self.send_response(type(self).status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def serve(status, **extra):
    handler = type("Handler", (Recorder,), dict({"status": status, "received": []}, **extra))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, handler


def request(settings, deliveries=None, protocol=1, timeout_ms=None):
    deliveries = deliveries if deliveries is not None else [
        {"key": "jp-relations/2027-09-21/remind-30d/chat", "event": "jp-relations", "occurrence": "2027-09-21",
         "step": "remind-30d", "title": "Còn 30 ngày: Kỷ niệm 54 năm quan hệ Việt Nam – Nhật Bản",
         "body": "Ngày: Thứ Ba, 21/9/2027", "due": "2027-08-22"},
        {"key": "la-national-day/2027-12-02/remind-7d/chat", "event": "la-national-day", "occurrence": "2027-12-02",
         "step": "remind-7d", "title": "In 7 days: Lao National Day", "body": "Date: Thursday, 2 December 2027",
         "due": "2027-11-25"},
    ]
    payload = {"protocol": protocol, "notifier": settings, "deliveries": deliveries,
               "digest": {"title": "Kỷ niệm – 2 items", "body": "both, in one message"}}
    if timeout_ms is not None:
        payload["timeout_ms"] = timeout_ms
    return payload


def many(count):
    return [{"key": f"visit-{i}/2027-05-12/remind-0d/chat", "event": f"visit-{i}", "occurrence": "2027-05-12",
             "step": "remind-0d", "title": f"Visit {i}", "body": "today", "due": "2027-05-12"} for i in range(count)]


def environment(env):
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/")}
    base.update(env)
    return base


def lines_of(stdout):
    return [json.loads(line) for line in stdout.decode().splitlines() if line.strip()]


def run(payload, env):
    return subprocess.run([NOTIFY], input=json.dumps(payload).encode(), env=environment(env), capture_output=True,
                          timeout=60)


class AppriseTests(unittest.TestCase):
    def test_each_delivery_is_sent_to_the_url_from_the_environment(self):
        server, handler = serve(200)
        try:
            url = f"json://127.0.0.1:{server.server_address[1]}/hook"
            done = run(request({"id": "chat", "type": "apprise", "urls_env": "APPRISE_URLS"}), {"APPRISE_URLS": url})
        finally:
            server.shutdown()
            server.server_close()
        self.assertEqual(done.returncode, 0, done.stderr)
        results = json.loads(done.stdout)["results"]
        self.assertEqual([r["status"] for r in results], ["sent", "sent"])
        self.assertEqual(results[0]["key"], "jp-relations/2027-09-21/remind-30d/chat")
        self.assertEqual(len(handler.received), 2)
        self.assertEqual(handler.received[0]["title"], "Còn 30 ngày: Kỷ niệm 54 năm quan hệ Việt Nam – Nhật Bản")
        self.assertIn("Thứ Ba, 21/9/2027", handler.received[0]["message"])

    def test_a_server_error_fails_the_delivery_without_showing_the_url(self):
        server, handler = serve(500)
        try:
            url = f"json://kyniem:hunter2secret@127.0.0.1:{server.server_address[1]}/hook"
            done = run(request({"urls_env": "APPRISE_URLS"}), {"APPRISE_URLS": url})
        finally:
            server.shutdown()
            server.server_close()
        self.assertEqual(done.returncode, 0, done.stderr)
        results = json.loads(done.stdout)["results"]
        self.assertEqual([r["status"] for r in results], ["failed", "failed"])
        self.assertTrue(results[0]["error"])
        self.assertEqual(len(handler.received), 2)
        everything = done.stdout.decode() + done.stderr.decode()
        self.assertNotIn("hunter2secret", everything)

    def test_digest_mode_sends_one_message(self):
        server, handler = serve(200)
        try:
            url = f"json://127.0.0.1:{server.server_address[1]}/"
            done = run(request({"urls": [url], "mode": "digest"}), {})
        finally:
            server.shutdown()
            server.server_close()
        results = json.loads(done.stdout)["results"]
        self.assertEqual([r["status"] for r in results], ["sent", "sent"])
        self.assertEqual(len(handler.received), 1)
        self.assertEqual(handler.received[0]["title"], "Kỷ niệm – 2 items")

    def test_no_url_fails_every_delivery_with_a_reason(self):
        done = run(request({"urls_env": "APPRISE_URLS"}), {})
        results = json.loads(done.stdout)["results"]
        self.assertEqual([r["status"] for r in results], ["failed", "failed"])
        self.assertIn("APPRISE_URLS", results[0]["error"])

    def test_protocol_2_prints_each_outcome_as_soon_as_it_is_known(self):
        # The server holds the second request until the test has read the first line: a plugin
        # that printed at the end (or did not flush) would never let it go.
        first_line_read = threading.Event()
        server, handler = serve(200, gate=lambda: first_line_read.wait(10))
        url = f"json://127.0.0.1:{server.server_address[1]}/hook"
        payload = request({"urls_env": "APPRISE_URLS"}, protocol=2, timeout_ms=60000)
        child = subprocess.Popen([NOTIFY], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 env=environment({"APPRISE_URLS": url}))
        try:
            child.stdin.write(json.dumps(payload).encode())
            child.stdin.close()
            first = json.loads(child.stdout.readline())
            self.assertEqual(len(handler.received), 1, "the first line came before the first message was sent")
            first_line_read.set()
            rest = lines_of(child.stdout.read())
            self.assertEqual(child.wait(30), 0, child.stderr.read())
        finally:
            first_line_read.set()
            child.kill()
            child.wait()
            server.shutdown()
            server.server_close()
        self.assertEqual(first, {"key": "jp-relations/2027-09-21/remind-30d/chat", "status": "sent"})
        self.assertEqual(rest, [{"key": "la-national-day/2027-12-02/remind-7d/chat", "status": "sent"}])
        self.assertEqual(len(handler.received), 2)

    def test_protocol_2_stops_before_its_time_budget_and_fails_the_rest(self):
        # Each message takes a second; with 3.5 s the plugin sends two and stops, well before
        # kyniem would kill it.
        server, handler = serve(200, delay=1.0)
        try:
            url = f"json://127.0.0.1:{server.server_address[1]}/hook"
            started = time.monotonic()
            done = run(request({"urls": [url]}, deliveries=many(6), protocol=2, timeout_ms=3500), {})
            elapsed = time.monotonic() - started
        finally:
            server.shutdown()
            server.server_close()
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertLess(elapsed, 3.5)
        lines = lines_of(done.stdout)
        self.assertEqual([line["key"] for line in lines], [d["key"] for d in many(6)])
        sent = [line for line in lines if line["status"] == "sent"]
        self.assertGreaterEqual(len(sent), 1)
        self.assertEqual(len(sent), len(handler.received))
        self.assertEqual(lines[:len(sent)], sent)
        for line in lines[len(sent):]:
            self.assertEqual(line["status"], "failed")
            self.assertIn(f"stopped after {len(sent)} of 6 message(s) to stay within its time budget (3.5s)", line["error"])

    def test_protocol_2_digest_reports_every_key_after_one_message(self):
        server, handler = serve(200)
        try:
            url = f"json://127.0.0.1:{server.server_address[1]}/"
            done = run(request({"urls": [url], "mode": "digest"}, protocol=2, timeout_ms=60000), {})
        finally:
            server.shutdown()
            server.server_close()
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(lines_of(done.stdout), [
            {"key": "jp-relations/2027-09-21/remind-30d/chat", "status": "sent"},
            {"key": "la-national-day/2027-12-02/remind-7d/chat", "status": "sent"},
        ])
        self.assertEqual(len(handler.received), 1)
        self.assertEqual(handler.received[0]["title"], "Kỷ niệm – 2 items")

    def test_protocol_2_failure_lines_hide_the_url(self):
        server, handler = serve(500)
        try:
            url = f"json://kyniem:hunter2secret@127.0.0.1:{server.server_address[1]}/hook"
            done = run(request({"urls_env": "APPRISE_URLS"}, protocol=2), {"APPRISE_URLS": url})
        finally:
            server.shutdown()
            server.server_close()
        lines = lines_of(done.stdout)
        self.assertEqual([line["status"] for line in lines], ["failed", "failed"])
        self.assertTrue(all(line["error"] for line in lines))
        self.assertNotIn("hunter2secret", done.stdout.decode() + done.stderr.decode())

    def test_bad_input_exits_non_zero(self):
        done = subprocess.run([NOTIFY], input=b"not json", capture_output=True, timeout=60)
        self.assertNotEqual(done.returncode, 0)


if __name__ == "__main__":
    unittest.main()
