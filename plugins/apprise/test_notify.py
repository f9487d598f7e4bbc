"""Tests for the Apprise plugin against a real HTTP server on 127.0.0.1.

Run with `pytest plugins/apprise` or `python3 plugins/apprise/test_notify.py`.
"""

import http.server
import json
import os
import subprocess
import sys
import threading
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
NOTIFY = os.path.join(HERE, "notify")


class Recorder(http.server.BaseHTTPRequestHandler):
    status = 200
    received = []

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        type(self).received.append(json.loads(self.rfile.read(length) or b"{}"))
        self.send_response(type(self).status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def serve(status):
    handler = type("Handler", (Recorder,), {"status": status, "received": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, handler


def request(settings, deliveries=None):
    deliveries = deliveries if deliveries is not None else [
        {"key": "jp-relations/2027-09-21/remind-30d/chat", "event": "jp-relations", "occurrence": "2027-09-21",
         "step": "remind-30d", "title": "Còn 30 ngày: Kỷ niệm 54 năm quan hệ Việt Nam – Nhật Bản",
         "body": "Ngày: Thứ Ba, 21/9/2027", "due": "2027-08-22"},
        {"key": "la-national-day/2027-12-02/remind-7d/chat", "event": "la-national-day", "occurrence": "2027-12-02",
         "step": "remind-7d", "title": "In 7 days: Lao National Day", "body": "Date: Thursday, 2 December 2027",
         "due": "2027-11-25"},
    ]
    return {"protocol": 1, "notifier": settings, "deliveries": deliveries,
            "digest": {"title": "Kỷ niệm – 2 items", "body": "both, in one message"}}


def run(payload, env):
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/")}
    base.update(env)
    done = subprocess.run([NOTIFY], input=json.dumps(payload).encode(), env=base, capture_output=True, timeout=60)
    return done


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

    def test_bad_input_exits_non_zero(self):
        done = subprocess.run([NOTIFY], input=b"not json", capture_output=True, timeout=60)
        self.assertNotEqual(done.returncode, 0)


if __name__ == "__main__":
    unittest.main()
