import Foundation
import KyniemConfig
import KyniemCore
import KyniemTesting
import Testing

@testable import KyniemDispatch
@testable import KyniemNotifiers
@testable import KyniemPlugins
@testable import KyniemTransports

/// The email notifier against a real SMTP server on 127.0.0.1 (Python's standard library; the
/// server parses each message with the `email` package, so headers and bodies are decoded by
/// code that isn't ours).
@Suite struct EmailTests {
    static let today = LocalDate(2023, 9, 14)
    static let password = "s3cret-pässword-42"

    func run(_ spec: NotifierSpec, environment: [String: String]) -> Fixture.Outcome {
        Fixture.dispatch(spec, environment: environment, today: Self.today)
    }

    func spec(port: Int, language: Language = .vi, smtp extra: [String: Any] = [:], auth: Bool = true) -> NotifierSpec {
        var smtp: [String: Any] = ["host": "127.0.0.1", "port": port]
        if auth {
            smtp["user"] = "kyniem"
            smtp["password_env"] = "SMTP_PASSWORD"
        }
        smtp.merge(extra) { _, new in new }
        return notifierSpec(id: "office-mail", type: "email", language: language, [
            "from": "Kỷ niệm <kyniem@example.org>",
            "to": ["doingoai@example.org", "Lễ tân <letan@example.org>"],
            "smtp": smtp,
        ])
    }

    @Test func aVietnameseDigestGoesOutAs8bitWithAuthPlain() throws {
        let server = try LoopbackServer.smtp([
            "extensions": ["PIPELINING", "8BITMIME", "AUTH PLAIN LOGIN"], "password": Self.password,
        ])
        let outcome = run(spec(port: server.port), environment: ["SMTP_PASSWORD": Self.password])
        #expect(outcome.report.entries.map(\.status) == [.sent, .sent])

        let session = try #require(try server.records().first)
        let auth = try #require(session["auth"] as? [String: String])
        #expect(auth == ["mechanism": "PLAIN", "user": "kyniem", "password": Self.password])
        #expect(session["mail_from"] as? String == "FROM:<kyniem@example.org> BODY=8BITMIME")
        #expect(session["rcpt"] as? [String] == ["doingoai@example.org", "letan@example.org"])
        let commands = try #require(session["commands"] as? [String])
        #expect(commands.first?.hasPrefix("EHLO ") == true)
        #expect(commands.last == "QUIT")

        let message = try #require(session["message"] as? [String: Any])
        #expect(message["subject"] as? String == "Kỷ niệm: 1 sự kiện (1 trong tuần này) – 14/9/2023")
        #expect((message["raw_subject"] as? String)?.hasPrefix("=?UTF-8?B?") == true)
        #expect(message["from"] as? String == "Kỷ niệm <kyniem@example.org>")
        #expect(message["to"] as? String == "doingoai@example.org, Lễ tân <letan@example.org>")
        #expect(message["content_type"] as? String == "multipart/alternative")
        let parts = try #require(message["parts"] as? [[String?]])
        #expect(parts.map { $0[0] } == ["text/plain", "text/html"])
        #expect(parts.map { $0[1] } == ["utf-8", "utf-8"])
        #expect(parts[0][2] == "8bit")
        #expect(message["mime_version"] as? String == "1.0")
        #expect(message["date_parsed"] as? Bool == true)
        #expect((message["message_id"] as? String)?.hasPrefix("<kyniem.2023-09-14.") == true)
        #expect((message["message_id"] as? String)?.hasSuffix("@example.org>") == true)
        #expect(message["defects"] as? [String] == [])
        #expect(message["bare_lf"] as? Bool == false)
        let body = try #require(message["body"] as? String)
        #expect(body.hasPrefix("Kỷ niệm: 1 sự kiện (1 trong tuần này) – 14/9/2023\n"))
        #expect(body.contains("Kỷ niệm 50 năm Ngày thiết lập quan hệ ngoại giao Việt Nam – Nhật Bản — Thứ Năm, 21/9/2023 (còn 7 ngày)"))
        #expect(body.contains("🇯🇵 Nhật Bản"))
        let html = try #require(message["html"] as? String)
        #expect(html.contains("<strong>Kỷ niệm 50 năm Ngày thiết lập quan hệ ngoại giao Việt Nam – Nhật Bản</strong>"))
        #expect(html.contains("nhắc trước 7 ngày"))
        #expect(!html.contains("<style"))
        // RFC 5321 §4.1.4: a fully qualified name or an address literal, never a bare host name.
        let ehlo = try #require(session["ehlo"] as? String)
        #expect(ehlo.contains(".") || ehlo.hasPrefix("["), "EHLO \(ehlo)")
        #expect(!outcome.log.contains { $0.contains(Self.password) })
    }

    @Test func withoutEightBitMIMETheBodyIsBase64AndAuthLoginWorks() throws {
        let server = try LoopbackServer.smtp(["extensions": ["AUTH LOGIN"], "password": Self.password])
        let outcome = run(spec(port: server.port, language: .en), environment: ["SMTP_PASSWORD": Self.password])
        #expect(outcome.report.allSucceeded)
        let session = try #require(try server.records().first)
        #expect((session["auth"] as? [String: String])?["mechanism"] == "LOGIN")
        #expect((session["auth"] as? [String: String])?["password"] == Self.password)
        #expect(session["mail_from"] as? String == "FROM:<kyniem@example.org>")
        let message = try #require(session["message"] as? [String: Any])
        #expect((message["parts"] as? [[String?]])?.map { $0[2] } == ["base64", "base64"])
        #expect(message["subject"] as? String == "Anniversaries: 1 event (1 this week) – 14 September 2023")
        #expect((message["raw"] as? String)?.contains("Draft the congratulatory") == false)
        #expect((message["body"] as? String)?.contains("Draft the congratulatory letter (due 7 September 2023, overdue)") == true)
    }

    @Test func linesStartingWithADotAreStuffedAndLongSubjectsFolded() throws {
        let server = try LoopbackServer.smtp(["extensions": ["8BITMIME"]])
        let configuration = try EmailNotifier.configuration(spec(port: server.port, auth: false)).get()
        let notifier = EmailNotifier(configuration: configuration, environment: [:])
        let planner = Fixture.planner(routes: [Route(notifier: "office-mail", language: .vi)])
        let deliveries = planner.plan(today: Self.today, catchUpDays: 7)
        let title = "Kỷ niệm 50 năm Ngày thiết lập quan hệ ngoại giao Việt Nam – Nhật Bản, và một tiêu đề rất dài nữa"
        let body = ".một dòng bắt đầu bằng dấu chấm\n..hai dấu chấm\n.\nhết"
        let batch = NotifierBatch(
            notifier: "office-mail", language: .vi, runDate: Self.today, timestamp: "t",
            deliveries: deliveries.map { OutgoingDelivery(delivery: $0, message: Message(title: "t", body: "b")) },
            digest: Message(title: title, body: body), templated: true)
        let outcomes = notifier.outcomes(for: batch)
        #expect(outcomes.count == 2 && outcomes.values.allSatisfy(\.isSent))

        let message = try #require(try server.records().first?["message"] as? [String: Any])
        // The CRLF before the next boundary belongs to the boundary (RFC 2046 §5.1.1).
        #expect(message["body"] as? String == body)
        #expect(message["subject"] as? String == title)
        let raw = try #require(message["raw"] as? String)
        // Every header line within 78 characters: the subject is folded into several encoded words.
        let headers = raw.components(separatedBy: "\r\n\r\n")[0].components(separatedBy: "\r\n")
        #expect(headers.allSatisfy { $0.utf8.count <= 78 }, "\(headers)")
        #expect(headers.filter { $0.hasPrefix(" =?UTF-8?B?") }.count >= 2)
    }

    @Test func aWrongPasswordFailsTheBatchWithoutShowingIt() throws {
        let server = try LoopbackServer.smtp(["extensions": ["AUTH PLAIN"], "password": "another one"])
        let outcome = run(spec(port: server.port), environment: ["SMTP_PASSWORD": Self.password])
        #expect(outcome.report.entries.map(\.status) == [.failed, .failed])
        let error = try #require(outcome.report.entries.first?.error)
        #expect(error.contains("535"))
        #expect(error.contains("AUTH PLAIN"))
        let token = Data("\0kyniem\0\(Self.password)".utf8).base64EncodedString()
        for text in outcome.report.entries.compactMap(\.error) + outcome.log {
            #expect(!text.contains(Self.password))
            #expect(!text.contains(token))
        }
        let session = try #require(try server.records().first)
        #expect(session["message"] is NSNull)
    }

    @Test func aRefusedConnectionFailsTheBatch() throws {
        let port = unusedPort()
        let outcome = run(spec(port: port), environment: ["SMTP_PASSWORD": Self.password])
        #expect(outcome.report.entries.allSatisfy { $0.status == .failed })
        let error = try #require(outcome.report.entries.first?.error)
        #expect(error == "smtp: cannot connect to 127.0.0.1:\(port): Connection refused")
    }

    @Test func aSilentServerTimesOut() throws {
        let server = try LoopbackServer.smtp(["silent": true])
        var settings: [String: Any] = ["from": "kyniem@example.org", "to": "a@example.org", "timeout": "300ms"]
        settings["smtp"] = ["host": "127.0.0.1", "port": server.port]
        let started = Date()
        let outcome = run(notifierSpec(id: "office-mail", type: "email", settings), environment: [:])
        #expect(outcome.report.entries.allSatisfy { $0.status == .failed })
        #expect(outcome.report.entries.first?.error == "smtp: the session's timeout (300ms) ran out waiting for the greeting")
        #expect(Date().timeIntervalSince(started) < 2)
    }

    @Test func aRejectedRecipientFailsTheBatch() throws {
        let server = try LoopbackServer.smtp(["reject": ["letan@example.org"]])
        let outcome = run(spec(port: server.port, auth: false), environment: [:])
        #expect(outcome.report.entries.allSatisfy { $0.status == .failed })
        #expect(outcome.report.entries.first?.error == "smtp: the server refused the recipient letan@example.org: 550 5.1.1 No such user")
    }

    @Test func aMissingPasswordVariableFailsBeforeConnecting() throws {
        let outcome = run(spec(port: unusedPort()), environment: [:])
        #expect(outcome.report.entries.allSatisfy { $0.status == .failed })
        #expect(outcome.report.entries.first?.error == "environment variable SMTP_PASSWORD (named by `smtp.password_env:`) is not set")
    }

    @Test func startTLSUpgradesBeforeAuthAndTheMessage() throws {
        let server = try LoopbackServer.smtp(
            ["starttls": true, "extensions": ["8BITMIME", "AUTH PLAIN LOGIN"], "password": Self.password], certificate: .shared)
        let outcome = run(
            spec(port: server.port, smtp: ["host": "localhost", "starttls": true, "ca_file": TestCertificate.shared.certificatePath]),
            environment: ["SMTP_PASSWORD": Self.password])
        #expect(outcome.report.entries.map(\.status) == [.sent, .sent], "\(outcome.report.entries.compactMap(\.error))")
        let session = try #require(try server.records().first)
        let commands = try #require(session["commands"] as? [String])
        let upgrade = try #require(session["tls_at"] as? Int)
        // In the clear: EHLO and STARTTLS only. Then EHLO again, AUTH, the envelope and the message.
        #expect(commands.first?.hasPrefix("EHLO ") == true && upgrade == 2 && commands[1] == "STARTTLS")
        #expect(commands[upgrade...].first?.hasPrefix("EHLO ") == true)
        #expect(commands[upgrade...].contains("AUTH"))
        #expect(commands[upgrade...].contains { $0.hasPrefix("MAIL FROM:") })
        #expect(commands[upgrade...].contains("DATA"))
        #expect((session["auth"] as? [String: String])?["password"] == Self.password)
        #expect((session["message"] as? [String: Any])?["subject"] as? String == "Kỷ niệm: 1 sự kiện (1 trong tuần này) – 14/9/2023")
    }

    @Test func implicitTLSOnTheServersPort() throws {
        let server = try LoopbackServer.smtp(
            ["implicit_tls": true, "extensions": ["AUTH PLAIN"], "password": Self.password], certificate: .shared)
        let outcome = run(
            spec(port: server.port, smtp: ["tls": true, "ca_file": TestCertificate.shared.certificatePath]),
            environment: ["SMTP_PASSWORD": Self.password])
        #expect(outcome.report.allSucceeded, "\(outcome.report.entries.compactMap(\.error))")
        let session = try #require(try server.records().first)
        #expect(session["tls_at"] as? Int == 0)
        #expect(session["message"] is [String: Any])
    }

    @Test func aServerWithoutStartTLSGetsNothingInTheClear() throws {
        let server = try LoopbackServer.smtp(["extensions": ["8BITMIME", "AUTH PLAIN"], "password": Self.password])
        let outcome = run(spec(port: server.port, smtp: ["starttls": true]), environment: ["SMTP_PASSWORD": Self.password])
        #expect(outcome.report.entries.map(\.status) == [.failed, .failed])
        #expect(outcome.report.entries.first?.error?.hasPrefix("smtp: the server does not offer STARTTLS, so nothing was sent") == true)
        let session = try #require(try server.records().first)
        let commands = try #require(session["commands"] as? [String])
        #expect(commands.map { String($0.prefix(4)) } == ["EHLO", "QUIT"])
        #expect(session["auth"] is NSNull)
        #expect(session["mail_from"] is NSNull)
    }

    @Test func anUntrustedCertificateStopsTheSessionBeforeAuth() throws {
        let server = try LoopbackServer.smtp(["starttls": true, "extensions": ["AUTH PLAIN"], "password": Self.password], certificate: .shared)
        let outcome = run(spec(port: server.port, smtp: ["starttls": true]), environment: ["SMTP_PASSWORD": Self.password])
        #expect(outcome.report.entries.first?.error == "smtp: the server's certificate is not trusted (self-signed certificate)")
        let session = try #require(try server.records().first)
        #expect(session["auth"] is NSNull)
        #expect(session["message"] is NSNull)
        #expect(!outcome.log.contains { $0.contains(Self.password) })
    }

    @Test func theSpecsExampleWithStartTLSPassesCheck() throws {
        // SPEC.md's example notifier, as written there.
        let spec = notifierSpec(id: "office-mail", type: "email", [
            "from": "kyniem@example.org", "to": ["doingoai@example.org"],
            "smtp": ["host": "mail.example.org", "port": 587, "starttls": true, "user": "kyniem", "password_env": "SMTP_PASSWORD"],
        ])
        #expect(NotifierRegistry.validate([spec], pluginDirectories: []).isEmpty)
        let configuration = try EmailNotifier.configuration(spec).get()
        #expect(configuration.security == .starttls)
        #expect(configuration.port == 587)

        let implicit = notifierSpec(id: "implicit", type: "email", [
            "from": "kyniem@example.org", "to": "a@example.org",
            "smtp": ["host": "mail.example.org", "port": 465, "user": "kyniem", "password_env": "SMTP_PASSWORD"],
        ])
        #expect(try EmailNotifier.configuration(implicit).get().security == .tls)
        let byFlag = notifierSpec(id: "flag", type: "email", [
            "from": "kyniem@example.org", "to": "a@example.org", "smtp": ["host": "mail.example.org", "tls": true],
        ])
        #expect(try EmailNotifier.configuration(byFlag).get().port == 465)
        let plain465 = notifierSpec(id: "plain", type: "email", [
            "from": "kyniem@example.org", "to": "a@example.org", "smtp": ["host": "localhost", "port": 465, "tls": false],
        ])
        #expect(try EmailNotifier.configuration(plain465).get().security == .plain)
    }

    @Test func checkReportsTLSMistakesAndUnknownKeys() {
        let specs = [
            notifierSpec(id: "both", type: "email", [
                "from": "kyniem@example.org", "to": "a@example.org",
                "smtp": ["host": "mail.example.org", "starttls": true, "tls": true],
            ]),
            notifierSpec(id: "wrong-port", type: "email", [
                "from": "kyniem@example.org", "to": "a@example.org",
                "smtp": ["host": "mail.example.org", "port": 465, "starttls": true],
            ]),
            notifierSpec(id: "typo", type: "email", [
                "from": "kyniem@example.org", "to": "a@example.org", "timout": "5s",
                "smtp": ["host": "mail.example.org", "startls": true, "ca_file": "ca.pem"],
            ]),
        ]
        let problems = NotifierRegistry.validate(specs, pluginDirectories: []).map(\.description)
        let expected = [
            "notifier `both` (type email): give either `smtp.starttls: true`",
            "notifier `wrong-port` (type email): port 465 speaks TLS from the start: use `smtp.tls: true`",
            "notifier `typo` (type email): unknown setting `smtp.startls`; did you mean `smtp.starttls`?",
            "notifier `typo` (type email): unknown setting `timout`; did you mean `timeout`?",
            "notifier `typo` (type email): `smtp.ca_file:` is only used with TLS",
        ]
        for text in expected {
            #expect(problems.contains { $0.contains(text) }, "missing: \(text)")
        }
        #expect(problems.count == expected.count, "\(problems)")
    }

    @Test func checkReportsEmailSettings() {
        let specs = [
            notifierSpec(id: "bare", type: "email", [:]),
            notifierSpec(id: "bad", type: "email", [
                "from": "not an address", "to": [], "smtp": ["port": "smtp"],
            ]),
            notifierSpec(id: "auth", type: "email", [
                "from": "kyniem@example.org", "to": ["a@example.org"],
                "smtp": ["host": "mail.example.org", "user": "kyniem", "password_env": "SMTP-PASSWORD"],
            ]),
            notifierSpec(id: "nopass", type: "email", [
                "from": "kyniem@example.org", "to": ["a@example.org"],
                "smtp": ["host": "localhost", "user": "kyniem", "auth": "cram"],
            ]),
            notifierSpec(id: "fine", type: "email", [
                "from": "kyniem@example.org", "to": ["a@example.org"],
                "smtp": ["host": "relay.example.org", "user": "kyniem", "password_env": "SMTP_PASSWORD", "allow_plaintext_auth": true],
            ]),
            notifierSpec(id: "local", type: "email", [
                "from": "kyniem@example.org", "to": "a@example.org", "smtp": ["host": "localhost"],
            ]),
        ]
        let problems = NotifierRegistry.validate(specs, pluginDirectories: []).map(\.description)
        let expected = [
            "notifier `bare` (type email): needs `from:`",
            "notifier `bare` (type email): needs `to:`",
            "notifier `bare` (type email): needs `smtp:` (a map)",
            "notifier `bad` (type email): `from:` is not an e-mail address like name@example.org: \"not an address\"",
            "notifier `bad` (type email): `to:` must be a non-empty list of plain values",
            "notifier `bad` (type email): needs `smtp.host:`",
            "notifier `bad` (type email): `smtp.port:` must be a whole number from 1 to 65535; expected an integer, found the string \"smtp\"",
            "notifier `auth` (type email): `smtp.password_env:` must name an environment variable (letters, digits and _), found \"SMTP-PASSWORD\"",
            "notifier `auth` (type email): the password would cross the network unencrypted",
            "notifier `nopass` (type email): `smtp.user:` needs `smtp.password_env:`",
            "notifier `nopass` (type email): unknown smtp.auth `cram` (known: plain, login)",
        ]
        for text in expected {
            #expect(problems.contains { $0.contains(text) }, "missing: \(text)")
        }
        #expect(!problems.contains { $0.contains("`fine`") || $0.contains("`local`") })
        #expect(problems.count == expected.count, "\(problems)")
    }

    @Test func encodedWordsKeepCharactersWhole() {
        let words = MIME.encodedWords(String(repeating: "Kỷ niệm ", count: 12), firstLineUsed: 9)
        #expect(words.count > 1)
        for word in words {
            #expect(word.count <= 75)
            let base64 = word.dropFirst(10).dropLast(2)
            #expect(Data(base64Encoded: String(base64)).flatMap { String(data: $0, encoding: .utf8) } != nil)
        }
        #expect(MIME.dotStuffed(".a\r\nb\r\n.\r\n") == "..a\r\nb\r\n..\r\n")
    }
}
