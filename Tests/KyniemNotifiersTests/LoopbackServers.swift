import Foundation
import KyniemConfig
import KyniemCore
import KyniemNotifiers

#if canImport(Glibc)
import Glibc
#endif

/// A real server on 127.0.0.1, run by python3 from a script written to a temporary folder. It
/// prints its port, records what it received as JSON lines in `recordPath`, and stops by itself
/// after `lifetime` seconds (or when the test ends, whichever comes first).
final class LoopbackServer: @unchecked Sendable {
    let port: Int
    let folder: String
    let recordPath: String
    private let process: Process

    init(script: String, arguments: [String], lifetime: Int = 20) throws {
        folder = temporaryFolder()
        recordPath = folder + "/record.jsonl"
        let scriptPath = folder + "/server.py"
        try script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", scriptPath, recordPath, String(lifetime)] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        var text = ""
        while !text.contains("\n") {
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
        }
        guard let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw ServerError(message: "the test server did not start: \(text)")
        }
        self.port = port
    }

    deinit {
        // SIGKILL: the server may have inherited SIGTERM blocked from the test process.
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// What the server recorded, one object per request or session. The SMTP server records a
    /// session when it ends, a moment after the client has gone, so this waits (up to 3 s) for
    /// `expecting` records.
    func records(expecting count: Int = 1) throws -> [[String: Any]] {
        var text = ""
        let deadline = Date().addingTimeInterval(3)
        repeat {
            text = (try? String(contentsOfFile: recordPath, encoding: .utf8)) ?? ""
            if text.split(separator: "\n").count >= count { break }
            usleep(20_000)
        } while Date() < deadline
        return try text.split(separator: "\n").map {
            guard let object = try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] else {
                throw ServerError(message: "the test server recorded something else than an object: \($0)")
            }
            return object
        }
    }

    struct ServerError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    /// An HTTP server answering each POST with the next of `statuses` (the last one repeats).
    static func http(statuses: [Int] = [200]) throws -> LoopbackServer {
        try LoopbackServer(script: httpScript, arguments: [statuses.map(String.init).joined(separator: ",")])
    }

    /// An SMTP server; `options` (JSON): `extensions` (EHLO lines), `password`, `reject` (addresses), `silent`.
    static func smtp(_ options: [String: Any] = [:]) throws -> LoopbackServer {
        let json = String(decoding: try JSONSerialization.data(withJSONObject: options), as: UTF8.self)
        return try LoopbackServer(script: smtpScript, arguments: [json])
    }

    static let httpScript = #"""
        import http.server, json, sys, threading
        record, lifetime, statuses = sys.argv[1], float(sys.argv[2]), [int(s) for s in sys.argv[3].split(",")]
        count = [0]
        lock = threading.Lock()

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with lock:
                    status = statuses[min(count[0], len(statuses) - 1)]
                    count[0] += 1
                    with open(record, "a", encoding="utf-8") as f:
                        f.write(json.dumps({"path": self.path, "content_type": self.headers.get("Content-Type"),
                                            "body": body.decode("utf-8")}) + "\n")
                reply = b'{"ok":true}' if status < 300 else b'{"ok":false,"description":"Internal Server Error: try later"}'
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Timer(lifetime, server.shutdown).start()
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """#

    static let smtpScript = #"""
        import base64, email, email.policy, json, socketserver, sys, threading, time
        record, lifetime, options = sys.argv[1], float(sys.argv[2]), json.loads(sys.argv[3])
        lock = threading.Lock()

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line):
                self.wfile.write((line + "\r\n").encode())

            def line(self):
                raw = self.rfile.readline(100000)
                if not raw:
                    raise EOFError
                return raw.rstrip(b"\r\n").decode("utf-8")

            def handle(self):
                if options.get("silent"):
                    time.sleep(3)
                    return
                session = {"commands": [], "auth": None, "mail_from": None, "rcpt": [], "message": None}
                self.reply("220 loopback ESMTP test server")
                try:
                    while True:
                        line = self.line()
                        verb = line.split(" ")[0].upper()
                        session["commands"].append(verb if verb == "AUTH" else line)
                        if verb == "EHLO":
                            lines = ["loopback greets " + line[5:]] + options.get("extensions", []) + ["HELP"]
                            self.wfile.write("".join("250%s%s\r\n" % ("-" if i < len(lines) - 1 else " ", l)
                                                     for i, l in enumerate(lines)).encode())
                        elif verb == "AUTH":
                            parts = line.split(" ")
                            mechanism = parts[1].upper()
                            if mechanism == "PLAIN":
                                if len(parts) > 2:
                                    token = parts[2]
                                else:
                                    self.reply("334 ")
                                    token = self.line()
                                _, user, password = base64.b64decode(token).decode().split("\0")
                            else:
                                self.reply("334 VXNlcm5hbWU6")
                                user = base64.b64decode(self.line()).decode()
                                self.reply("334 UGFzc3dvcmQ6")
                                password = base64.b64decode(self.line()).decode()
                            session["auth"] = {"mechanism": mechanism, "user": user, "password": password}
                            if password == options.get("password"):
                                self.reply("235 2.7.0 Authentication successful")
                            else:
                                self.reply("535 5.7.8 Authentication credentials invalid")
                        elif verb == "MAIL":
                            session["mail_from"] = line[5:]
                            self.reply("250 2.1.0 Ok")
                        elif verb == "RCPT":
                            address = line[line.index("<") + 1:line.index(">")]
                            if address in options.get("reject", []):
                                self.reply("550 5.1.1 No such user")
                            else:
                                session["rcpt"].append(address)
                                self.reply("250 2.1.5 Ok")
                        elif verb == "DATA":
                            self.reply("354 End data with <CR><LF>.<CR><LF>")
                            lines = []
                            while True:
                                raw = self.rfile.readline(100000)
                                if raw in (b".\r\n", b""):
                                    break
                                lines.append(raw[1:] if raw.startswith(b".") else raw)
                            data = b"".join(lines)
                            parsed = email.message_from_bytes(data, policy=email.policy.default)
                            raw_headers = email.message_from_bytes(data, policy=email.policy.compat32)
                            session["message"] = {
                                "raw": data.decode("utf-8"),
                                "raw_subject": raw_headers["Subject"],
                                "subject": str(parsed["subject"]),
                                "from": str(parsed["from"]),
                                "to": str(parsed["to"]),
                                "date_parsed": parsed["date"].datetime is not None,
                                "message_id": parsed["message-id"],
                                "mime_version": parsed["mime-version"],
                                "content_type": parsed.get_content_type(),
                                "charset": parsed.get_content_charset(),
                                "transfer_encoding": parsed["content-transfer-encoding"],
                                "body": parsed.get_content().replace("\r\n", "\n"),
                                "defects": [str(d) for d in parsed.defects],
                                "bare_lf": b"\n" in data.replace(b"\r\n", b""),
                            }
                            self.reply("250 2.0.0 Ok: queued")
                        elif verb == "QUIT":
                            self.reply("221 2.0.0 Bye")
                            break
                        elif verb in ("RSET", "NOOP", "HELO"):
                            self.reply("250 Ok")
                        else:
                            self.reply("502 5.5.2 Error: command not recognized")
                except EOFError:
                    pass
                with lock:
                    with open(record, "a", encoding="utf-8") as f:
                        f.write(json.dumps(session) + "\n")

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        server = Server(("127.0.0.1", 0), Handler)
        threading.Timer(lifetime, server.shutdown).start()
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """#
}

/// A loopback port nothing listens on: bound, then closed.
func unusedPort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
    }
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// A notifier entry as the configuration reader makes it: top-level scalars in `options`, every
/// setting (nested maps and lists too) in `settingsJSON`.
func notifierSpec(id: String, type: String, language: Language = .vi, _ settings: [String: Any]) -> NotifierSpec {
    var options: [String: String] = [:]
    for (key, value) in settings {
        if let text = value as? String { options[key] = text }
        if let number = value as? Int { options[key] = String(number) }
    }
    var all = settings
    all["id"] = id
    all["type"] = type
    let json = String(decoding: try! JSONSerialization.data(withJSONObject: all, options: [.sortedKeys]), as: UTF8.self)
    return Fixture.spec(id: id, type: type, language: language, options: options, settingsJSON: json)
}
