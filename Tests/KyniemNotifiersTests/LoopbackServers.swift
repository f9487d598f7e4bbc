import Foundation
import KyniemConfig
import KyniemCore
import KyniemDispatch
import KyniemNotifiers
import KyniemPlugins

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
            // Only whole lines: the server may be half-way through writing the next one.
            let read = (try? String(contentsOfFile: recordPath, encoding: .utf8)) ?? ""
            text = read.lastIndex(of: "\n").map { String(read[...$0]) } ?? ""
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

    /// How a test HTTP server misbehaves.
    enum HTTPFault: String {
        /// Sends the status line and headers one byte a second.
        case trickleHead = "trickle_head"
        /// Sends the status line and headers, then the body one byte a second.
        case trickleBody = "trickle_body"
        /// Reads the request, then resets the connection (RST, SO_LINGER 0).
        case reset
        /// Answers with the request's headers as its body (as some error pages do).
        case echoHeaders = "echo_headers"
    }

    /// An HTTP server answering each POST with the next of `statuses` (the last one repeats);
    /// HTTPS with `certificate`, a chunked answer with `chunked`, no answer at all with `silent`,
    /// each answer `delay` seconds late, or misbehaving as `fault` says.
    static func http(
        statuses: [Int] = [200], certificate: TestCertificate? = nil, chunked: Bool = false, silent: Bool = false,
        delay: Double = 0, fault: HTTPFault? = nil, retryAfter: Int? = nil
    ) throws -> LoopbackServer {
        var options: [String: Any] = ["statuses": statuses, "chunked": chunked, "silent": silent, "delay": delay]
        if let retryAfter { options["retry_after"] = retryAfter }
        if let fault { options["fault"] = fault.rawValue }
        if let certificate {
            options["cert"] = certificate.certificatePath
            options["key"] = certificate.keyPath
        }
        return try LoopbackServer(script: httpScript, arguments: [try json(options)])
    }

    /// An HTTP proxy that records each request's first line and headers, tunnels CONNECT and
    /// forwards absolute-form requests; `refuse` answers 407 to everything.
    static func proxy(refuse: Bool = false) throws -> LoopbackServer {
        try LoopbackServer(script: proxyScript, arguments: [try json(["refuse": refuse])])
    }

    private static func json(_ options: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: options), as: UTF8.self)
    }

    /// An SMTP server; `options` (JSON): `extensions` (EHLO lines), `password`, `reject` (addresses),
    /// `silent`, `starttls` (offer STARTTLS) and `implicit_tls` (TLS from the start), both with
    /// `certificate`; `trickle_ehlo` (seconds between the `250-` lines of an endless EHLO reply),
    /// `stall_after_data` (one `250-` line after the message, then nothing).
    static func smtp(_ options: [String: Any] = [:], certificate: TestCertificate? = nil) throws -> LoopbackServer {
        var options = options
        if let certificate {
            options["cert"] = certificate.certificatePath
            options["key"] = certificate.keyPath
        }
        return try LoopbackServer(script: smtpScript, arguments: [try json(options)])
    }

    static let httpScript = #"""
        import http.server, json, socket, ssl, struct, sys, threading, time
        record, lifetime, options = sys.argv[1], float(sys.argv[2]), json.loads(sys.argv[3])
        fault = options.get("fault")
        statuses = options["statuses"]
        count = [0]
        lock = threading.Lock()

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self):
                if options.get("cert"):
                    self.request.do_handshake()  # in this thread, not the accepting one
                super().setup()

            def do_POST(self):
                if options.get("silent"):
                    time.sleep(lifetime)
                    return
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with lock:
                    status = statuses[min(count[0], len(statuses) - 1)]
                    count[0] += 1
                    with open(record, "a", encoding="utf-8") as f:
                        f.write(json.dumps({"path": self.path, "request_line": self.requestline,
                                            "content_type": self.headers.get("Content-Type"),
                                            "host": self.headers.get("Host"), "user_agent": self.headers.get("User-Agent"),
                                            "connection": self.headers.get("Connection"),
                                            "content_length": self.headers.get("Content-Length"),
                                            "at": time.monotonic(),
                                            "body": body.decode("utf-8")}) + "\n")
                if options.get("delay"):
                    time.sleep(options["delay"])
                if fault == "reset":
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.connection.close()
                    self.close_connection = True
                    return
                reply = b'{"ok":true}' if status < 300 else b'{"ok":false,"description":"Internal Server Error: try later"}'
                if status == 429 and options.get("retry_after") is not None:
                    # As the Telegram Bot API answers a flood: ResponseParameters.retry_after.
                    reply = json.dumps({"ok": False, "error_code": 429,
                                        "description": "Too Many Requests: retry after %d" % options["retry_after"],
                                        "parameters": {"retry_after": options["retry_after"]}}).encode()
                if fault == "echo_headers":
                    reply = ("You sent: " + self.requestline + "\n" + str(self.headers)).encode()
                if fault in ("trickle_head", "trickle_body"):
                    reply = b"x" * 100
                    head = ("HTTP/1.1 %d Trickle\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n"
                            % (status, len(reply))).encode()
                    if fault == "trickle_body":
                        self.wfile.write(head)
                        self.wfile.flush()
                        head = b""
                    for byte in head + reply:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(1)
                    return
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                if options.get("chunked"):
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    # Uneven chunks, one with an extension, then a trailer.
                    for i, piece in enumerate([reply[:5], reply[5:23], reply[23:]]):
                        extension = ";name=value" if i == 1 else ""
                        self.wfile.write(b"%x%s\r\n%s\r\n" % (len(piece), extension.encode(), piece))
                    self.wfile.write(b"0\r\nX-Trailer: yes\r\n\r\n")
                else:
                    self.send_header("Content-Length", str(len(reply)))
                    self.end_headers()
                    self.wfile.write(reply)

            def log_message(self, *args):
                pass

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass  # a client that gave up on our certificate

        server = Server(("127.0.0.1", 0), Handler)
        if options.get("cert"):
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(options["cert"], options["key"])
            server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
        threading.Timer(lifetime, server.shutdown).start()
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """#

    static let proxyScript = #"""
        import base64, json, select, socket, socketserver, sys, threading
        record, lifetime, options = sys.argv[1], float(sys.argv[2]), json.loads(sys.argv[3])
        lock = threading.Lock()

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = self.request.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                head, rest = data.split(b"\r\n\r\n", 1)
                lines = head.decode("latin-1").split("\r\n")
                headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
                with lock:
                    with open(record, "a", encoding="utf-8") as f:
                        f.write(json.dumps({"line": lines[0], "headers": headers}) + "\n")
                if options.get("refuse"):
                    self.request.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")
                    return
                method, target, _ = lines[0].split(" ")
                if method == "CONNECT":
                    host, port = target.rsplit(":", 1)
                    upstream = socket.create_connection((host.strip("[]"), int(port)))
                    self.request.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                else:
                    authority = target.split("://", 1)[1].split("/", 1)[0]
                    host, port = authority.rsplit(":", 1) if ":" in authority else (authority, "80")
                    upstream = socket.create_connection((host, int(port)))
                    upstream.sendall(head + b"\r\n\r\n")
                if rest:
                    upstream.sendall(rest)
                sockets = [self.request, upstream]
                while True:
                    readable, _, _ = select.select(sockets, [], [], lifetime)
                    if not readable:
                        break
                    for s in readable:
                        chunk = s.recv(65536)
                        if not chunk:
                            upstream.close()
                            return
                        (upstream if s is self.request else self.request).sendall(chunk)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        server = Server(("127.0.0.1", 0), Handler)
        threading.Timer(lifetime, server.shutdown).start()
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """#

    static let smtpScript = #"""
        import base64, email, email.policy, json, socketserver, ssl, sys, threading, time
        record, lifetime, options = sys.argv[1], float(sys.argv[2]), json.loads(sys.argv[3])
        lock = threading.Lock()
        context = None
        if options.get("cert"):
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(options["cert"], options["key"])

        class Writer:
            def __init__(self, sock):
                self.sock = sock

            def write(self, data):
                self.sock.sendall(data)

        class Handler(socketserver.StreamRequestHandler):
            def upgrade(self, session):
                session["tls_at"] = len(session["commands"])
                self.request = context.wrap_socket(self.request, server_side=True)
                self.rfile = self.request.makefile("rb")
                self.wfile = Writer(self.request)

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
                session = {"commands": [], "auth": None, "mail_from": None, "rcpt": [], "message": None,
                           "tls_at": None, "error": None}
                try:
                    if options.get("implicit_tls"):
                        self.upgrade(session)
                    self.reply("220 loopback ESMTP test server")
                    while True:
                        line = self.line()
                        verb = line.split(" ")[0].upper()
                        session["commands"].append(verb if verb == "AUTH" else line)
                        if verb == "EHLO" and options.get("trickle_ehlo"):
                            while True:
                                self.reply("250-loopback is still thinking")
                                time.sleep(options["trickle_ehlo"])
                        elif verb == "EHLO":
                            offer = ["STARTTLS"] if options.get("starttls") and session["tls_at"] is None else []
                            lines = ["loopback greets " + line[5:]] + options.get("extensions", []) + offer + ["HELP"]
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
                                # multipart/alternative: the text/plain part as `body`, the
                                # text/html part as `html`, and every part's type and charset.
                                "body": (parsed.get_body(("plain",)) or parsed).get_content().replace("\r\n", "\n"),
                                "html": (parsed.get_body(("html",)).get_content()
                                         if parsed.get_body(("html",)) is not None else None),
                                "parts": [[p.get_content_type(), p.get_content_charset(), p["content-transfer-encoding"]]
                                          for p in parsed.iter_parts()] if parsed.is_multipart() else [],
                                "defects": [str(d) for d in parsed.defects],
                                "bare_lf": b"\n" in data.replace(b"\r\n", b""),
                            }
                            session["ehlo"] = next((c[5:] for c in session["commands"] if c.upper().startswith("EHLO ")), None)
                            if options.get("stall_after_data"):
                                self.reply("250-2.0.0 almost")
                                time.sleep(lifetime)
                                break
                            self.reply("250 2.0.0 Ok: queued")
                        elif verb == "STARTTLS" and options.get("starttls") and session["tls_at"] is None:
                            self.reply("220 2.0.0 Ready to start TLS")
                            self.upgrade(session)
                        elif verb == "QUIT":
                            self.reply("221 2.0.0 Bye")
                            break
                        elif verb in ("RSET", "NOOP", "HELO"):
                            self.reply("250 Ok")
                        else:
                            self.reply("502 5.5.2 Error: command not recognized")
                except EOFError:
                    pass
                except (OSError, ssl.SSLError) as error:
                    session["error"] = str(error)
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

/// A self-signed certificate for `localhost` and 127.0.0.1 (made by the `openssl` command once
/// per test run), for the TLS servers; clients trust it through `ca_file:`.
struct TestCertificate: Sendable {
    let certificatePath: String
    let keyPath: String

    static let shared = TestCertificate(subjectAltName: "IP:127.0.0.1,DNS:localhost")

    /// For the host-name check: valid, but for another name.
    static let otherHost = TestCertificate(subjectAltName: "DNS:other.example.org")

    private init(subjectAltName: String) {
        let folder = temporaryFolder()
        certificatePath = folder + "/cert.pem"
        keyPath = folder + "/key.pem"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyPath, "-out", certificatePath,
            "-subj", "/CN=\(subjectAltName.hasPrefix("DNS:other") ? "other.example.org" : "localhost")",
            "-addext", "subjectAltName=\(subjectAltName)", "-days", "2",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try! process.run()
        process.waitUntilExit()
        precondition(process.terminationStatus == 0, "openssl req failed: is the openssl command installed?")
    }
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

/// A notifier entry as the configuration reader makes it, every setting (nested maps and lists
/// too) with its type.
func notifierSpec(id: String, type: String, language: Language = .vi, _ settings: [String: Any]) -> NotifierSpec {
    var all = settings
    all["id"] = id
    all["type"] = type
    let json = String(decoding: try! JSONSerialization.data(withJSONObject: all, options: [.sortedKeys, .prettyPrinted]), as: UTF8.self)
    return Fixture.spec(id: id, type: type, language: language, entry: json)
}

/// A port on 127.0.0.1 whose connections hang, standing for an address that swallows packets: a
/// listening socket that never accepts, its accept queue filled, so Linux drops further SYNs.
final class BlackHole {
    let port: Int
    private var sockets: [Int32] = []

    init() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        sockets.append(listener)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        listen(listener, 0)
        port = Int(UInt16(bigEndian: address.sin_port))
        // Connect until a connection stays pending: from then on the queue is full.
        for _ in 0..<16 {
            let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            sockets.append(client)
            _ = fcntl(client, F_SETFL, fcntl(client, F_GETFL, 0) | O_NONBLOCK)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, length) }
            }
            var entry = pollfd(fd: client, events: Int16(POLLOUT), revents: 0)
            if poll(&entry, 1, 300) == 0 { return }
        }
        throw LoopbackServer.ServerError(message: "could not fill the accept queue of a black hole")
    }

    deinit {
        for fd in sockets { close(fd) }
    }
}
