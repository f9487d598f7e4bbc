import Foundation
import KyniemConfig
import KyniemCore
import KyniemTesting
import Testing

@testable import KyniemDispatch
@testable import KyniemNotifiers
@testable import KyniemPlugins
@testable import KyniemTransports

/// kyniem's own HTTP client under the webhook notifier: HTTPS against a Python server with a
/// self-signed certificate made at test time, response framing, timeouts and proxies.
extension WebhookTests {
    func hook(_ extra: [String: Any] = [:]) -> NotifierSpec {
        var settings: [String: Any] = ["url_env": "HOOK_URL", "format": "slack"]
        settings.merge(extra) { _, new in new }
        return notifierSpec(id: "hook", type: "webhook", settings)
    }

    @Test(arguments: ["127.0.0.1", "localhost"])
    func httpsWithTheCAFileIsSent(host: String) throws {
        let server = try LoopbackServer.http(certificate: .shared)
        let outcome = run(
            hook(["ca_file": TestCertificate.shared.certificatePath]),
            environment: ["HOOK_URL": "https://\(host):\(server.port)/services/\(Self.token)?a=1&b=%2F"])
        #expect(outcome.report.entries.map(\.status) == [.sent, .sent], "\(outcome.report.entries.compactMap(\.error))")
        let record = try #require(try server.records().first)
        #expect(record["path"] as? String == "/services/\(Self.token)?a=1&b=%2F")
        #expect(record["request_line"] as? String == "POST /services/\(Self.token)?a=1&b=%2F HTTP/1.1")
        #expect(record["host"] as? String == "\(host):\(server.port)")
        #expect(record["user_agent"] as? String == "kyniem")
        #expect(record["connection"] as? String == "close")
        #expect(record["content_type"] as? String == "application/json; charset=utf-8")
        let body = try #require(record["body"] as? String)
        #expect(record["content_length"] as? String == String(body.utf8.count))
        #expect(body.contains("Kỷ niệm"))
    }

    @Test func anUntrustedCertificateFailsWithoutSending() throws {
        let server = try LoopbackServer.http(certificate: .shared)
        let outcome = run(hook(), environment: ["HOOK_URL": "https://127.0.0.1:\(server.port)/bot\(Self.token)/x"])
        #expect(outcome.report.entries.allSatisfy { $0.status == .failed })
        let error = try #require(outcome.report.entries.first?.error)
        #expect(error == "webhook: the server's certificate is not trusted (self-signed certificate)")
        #expect(try server.records(expecting: 0).isEmpty)
    }

    @Test func aCertificateForAnotherHostFails() throws {
        let server = try LoopbackServer.http(certificate: .otherHost)
        let outcome = run(
            hook(["ca_file": TestCertificate.otherHost.certificatePath]),
            environment: ["HOOK_URL": "https://127.0.0.1:\(server.port)/x"])
        let error = try #require(outcome.report.entries.first?.error)
        #expect(error.hasPrefix("webhook: the server's certificate is for another host name"), "\(error)")
    }

    @Test func plainHTTPToATLSServerOrTLSToAPlainOneFailsClearly() throws {
        let tlsServer = try LoopbackServer.http(certificate: .shared)
        let plainServer = try LoopbackServer.http()
        let toPlain = run(
            hook(["ca_file": TestCertificate.shared.certificatePath, "timeout": "2s"]),
            environment: ["HOOK_URL": "https://127.0.0.1:\(plainServer.port)/x"])
        let error = try #require(toPlain.report.entries.first?.error)
        #expect(error.hasPrefix("webhook: the TLS handshake failed"), "\(error)")
        let toTLS = run(hook(["timeout": "1s"]), environment: ["HOOK_URL": "http://127.0.0.1:\(tlsServer.port)/x"])
        #expect(toTLS.report.entries.allSatisfy { $0.status == .failed })
    }

    @Test func aMissingCAFileIsNamed() throws {
        let server = try LoopbackServer.http(certificate: .shared)
        let outcome = run(
            hook(["ca_file": "/nonexistent/office-ca.pem"]), environment: ["HOOK_URL": "https://127.0.0.1:\(server.port)/x"])
        #expect(outcome.report.entries.first?.error == "webhook: cannot read the CA file /nonexistent/office-ca.pem: No such file or directory")
    }

    @Test(arguments: [false, true])
    func aChunkedAnswerIsRead(tls: Bool) throws {
        let success = try LoopbackServer.http(certificate: tls ? .shared : nil, chunked: true)
        let failure = try LoopbackServer.http(statuses: [500], certificate: tls ? .shared : nil, chunked: true)
        let scheme = tls ? "https" : "http"
        let spec = hook(["ca_file": TestCertificate.shared.certificatePath])
        #expect(run(spec, environment: ["HOOK_URL": "\(scheme)://127.0.0.1:\(success.port)/x"]).report.allSucceeded)
        let outcome = run(spec, environment: ["HOOK_URL": "\(scheme)://127.0.0.1:\(failure.port)/x"])
        #expect(outcome.report.entries.first?.error
            == #"webhook: the server answered HTTP 500: {"ok":false,"description":"Internal Server Error: try later"}"#)
    }

    @Test func aServerThatNeverAnswersTimesOut() throws {
        let server = try LoopbackServer.http(silent: true)
        let started = Date()
        let outcome = run(hook(["timeout": "300ms"]), environment: ["HOOK_URL": "http://127.0.0.1:\(server.port)/x"])
        #expect(outcome.report.entries.allSatisfy { $0.status == .failed })
        #expect(outcome.report.entries.first?.error == "webhook: no answer within 300ms")
        #expect(Date().timeIntervalSince(started) < 2)
    }

    @Test func httpsGoesThroughTheProxysConnectTunnel() throws {
        let server = try LoopbackServer.http(certificate: .shared)
        let proxy = try LoopbackServer.proxy()
        let outcome = run(
            hook(["ca_file": TestCertificate.shared.certificatePath]),
            environment: [
                "HOOK_URL": "https://localhost:\(server.port)/hooks/x",
                "HTTPS_PROXY": "http://office:pr0xy-pass@127.0.0.1:\(proxy.port)",
                "http_proxy": "http://127.0.0.1:1",  // not for https URLs
            ])
        #expect(outcome.report.allSucceeded, "\(outcome.report.entries.compactMap(\.error))")
        let tunnel = try #require(try proxy.records().first)
        #expect(tunnel["line"] as? String == "CONNECT localhost:\(server.port) HTTP/1.1")
        let headers = try #require(tunnel["headers"] as? [String: String])
        #expect(headers["Proxy-Authorization"] == "Basic " + Data("office:pr0xy-pass".utf8).base64EncodedString())
        #expect(try server.records().first?["path"] as? String == "/hooks/x")
    }

    @Test func plainHTTPGoesToTheProxyInAbsoluteForm() throws {
        let server = try LoopbackServer.http()
        let proxy = try LoopbackServer.proxy()
        let outcome = run(
            hook(),
            environment: ["HOOK_URL": "http://127.0.0.1:\(server.port)/hooks/x?k=v", "http_proxy": "127.0.0.1:\(proxy.port)"])
        #expect(outcome.report.allSucceeded, "\(outcome.report.entries.compactMap(\.error))")
        #expect(try proxy.records().first?["line"] as? String == "POST http://127.0.0.1:\(server.port)/hooks/x?k=v HTTP/1.1")
        #expect(try server.records().count == 1)
    }

    @Test func noProxyAndARefusingProxy() throws {
        let server = try LoopbackServer.http()
        let proxy = try LoopbackServer.proxy(refuse: true)
        let url = "http://127.0.0.1:\(server.port)/x"
        let bypassed = run(hook(), environment: ["HOOK_URL": url, "http_proxy": "http://127.0.0.1:\(proxy.port)", "no_proxy": "localhost,127.0.0.1"])
        #expect(bypassed.report.allSucceeded)
        let refused = run(
            hook(),
            environment: ["HOOK_URL": "https://127.0.0.1:\(server.port)/x", "https_proxy": "http://127.0.0.1:\(proxy.port)"])
        #expect(refused.report.entries.first?.error?.hasPrefix("webhook: the proxy refused to open a tunnel to the server: HTTP 407") == true)
        #expect(try proxy.records().count == 1)
    }

    @Test func urlsAreSplitAsGiven() throws {
        let v6 = try #require(HTTPURL.parse("https://[::1]:8443/a/b?c=d#frag"))
        #expect(v6.secure && v6.host == "::1" && v6.port == 8443 && v6.target == "/a/b?c=d")
        #expect(v6.authority == "[::1]:8443")
        let plain = try #require(HTTPURL.parse(" HTTP://Example.org?x=1\n"))
        #expect(!plain.secure && plain.port == 80 && plain.target == "/?x=1" && plain.authority == "Example.org")
        let credentials = try #require(HTTPURL.parse("https://us%40er:p%3Ass@hooks.example.org/x"))
        #expect(credentials.user == "us@er" && credentials.password == "p:ss" && credentials.port == 443)
        #expect(HTTPURL.parse("https://example.org/chào?q=ễ")?.target == "/ch%C3%A0o?q=%E1%BB%85")
        #expect(HTTPURL.parse("ftp://example.org/") == nil)
        #expect(HTTPURL.parse("https://example.org/a b") == nil)
        #expect(HTTPURL.parse("https://example.org:99999/") == nil)
        #expect(HTTPURL.parse("https:///x") == nil)
        #expect(HTTPURL.parse("https://[nothex]/") == nil)

        let hooks = try #require(HTTPURL.parse("https://hooks.example.org/x"))
        #expect(HTTPClient.bypassesProxy(hooks, noProxy: "example.org"))
        #expect(HTTPClient.bypassesProxy(hooks, noProxy: "other.org, .example.org"))
        #expect(HTTPClient.bypassesProxy(hooks, noProxy: "*"))
        #expect(HTTPClient.bypassesProxy(hooks, noProxy: "hooks.example.org:443"))
        #expect(!HTTPClient.bypassesProxy(hooks, noProxy: "hooks.example.org:8443"))
        #expect(!HTTPClient.bypassesProxy(hooks, noProxy: "ample.org"))
        #expect(HTTPClient.bypassesProxy(v6, noProxy: "[::1]"))
        #expect(throws: Never.self) { try HTTPClient.proxy(for: hooks, environment: ["https_proxy": "proxy:3128"]).get() }
        #expect(try HTTPClient.proxy(for: hooks, environment: ["https_proxy": "proxy"]).get()?.port == 1080)
        let socks = HTTPClient.proxy(for: hooks, environment: ["https_proxy": "socks5://proxy:1080"])
        #expect(socks.problems.isEmpty == false)
    }
}

extension Result where Failure == SendFailure {
    fileprivate var problems: [String] {
        if case .failure(let failure) = self { return [failure.reason] }
        return []
    }
}

/// `kyniem check` loads every `ca_file:` as sending would, relative to the configuration's folder.
@Suite struct CAFileCheckTests {
    func problems(_ spec: NotifierSpec, in folder: String) -> [String] {
        NotifierRegistry.validate([spec], plugins: .empty, configDirectory: folder).map(\.message)
    }

    @Test func aCertificateLoadsAndAMissingOrEmptyFileIsReported() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.copyItem(atPath: TestCertificate.shared.certificatePath, toPath: folder + "/office-ca.pem")
        try "not a certificate\n".write(toFile: folder + "/notes.txt", atomically: true, encoding: .utf8)

        let webhook = { (file: String) in
            notifierSpec(id: "hook", type: "webhook", ["url_env": "HOOK_URL", "ca_file": file])
        }
        let email = { (file: String) in
            notifierSpec(id: "mail", type: "email", [
                "from": "kyniem@example.org", "to": ["a@example.org"],
                "smtp": ["host": "mail.example.org", "starttls": true, "ca_file": file],
            ])
        }
        #expect(problems(webhook("office-ca.pem"), in: folder) == [])
        #expect(problems(email(folder + "/office-ca.pem"), in: "/nowhere") == [])
        #expect(problems(webhook("missing.pem"), in: folder)
            == ["notifier `hook`: cannot use ca_file missing.pem: No such file or directory"])
        #expect(problems(email("notes.txt"), in: folder)
            == ["notifier `mail`: cannot use ca_file notes.txt: it holds no PEM certificate"])
    }
}
