import Foundation
import KyniemConfig
import KyniemCore
import KyniemTesting
import Testing

@testable import KyniemDispatch
@testable import KyniemNotifiers
@testable import KyniemPlugins
@testable import KyniemTransports

#if canImport(Glibc)
import Glibc
#endif

/// Header values and the loopback rule (issue 9, part 5).
extension EdgeSecurityTests {
    // MARK: Headers

    @Test(arguments: [
        "kyniem@example.org\r\nBcc: spy@example.net", "kyniem@example.org\nBcc: spy@example.net",
        "Kyniem\r <kyniem@example.org>", "Ky\u{0}niem <kyniem@example.org>", "Kyniem\u{85} <kyniem@example.org>",
        "Kyniem\u{2028} <kyniem@example.org>",
    ])
    func addressesWithControlCharactersAreRefused(address: String) {
        #expect(throws: SendFailure.self) { try EmailAddress.parse(address).get() }
    }

    @Test func checkRefusesControlCharactersInFromToAndHeloWithTheirPlace() {
        let spec = notifierSpec(id: "mail", type: "email", [
            "from": "kyniem@example.org\r\nBcc: spy@example.net",
            "to": ["a@example.org", "Lễ tân\u{1B} <letan@example.org>"],
            "smtp": ["host": "mail.example.org", "helo": "kyniem.example.org\r\nRSET"],
        ])
        let problems = NotifierRegistry.validate([spec], pluginDirectories: []).map(\.description)
        #expect(problems.count == 3, "\(problems)")
        // The value's own file:line:column (line 2 of the fixture's text, after `  "from" : `), then
        // the reason with the value's control characters shown.
        #expect(problems.contains {
            $0.hasPrefix("/etc/kyniem.yaml:2:12:")
                && $0.contains(#"`from:` holds a line break or another control character: "kyniem@example.org\r\nBcc: spy@example.net""#)
        }, "\(problems)")
        #expect(problems.contains { $0.hasPrefix("/etc/kyniem.yaml:") && $0.contains(#"`to:` holds a line break or another control character: "Lễ tân\u{1b} <letan@example.org>""#) }, "\(problems)")
        #expect(problems.contains { $0.hasPrefix("/etc/kyniem.yaml:") && $0.contains(#"`smtp.helo:` must be a host name like kyniem.example.org, found "kyniem.example.org\r\nRSET""#) }, "\(problems)")
    }

    @Test(arguments: ["Hello\r\nBcc: spy@example.net", "Hello\nBcc: spy@example.net", "Hello\rBcc: spy@example.net", "Hello\u{B}\u{C}Bcc: spy@example.net"])
    func aTitleCannotAddAHeader(title: String) throws {
        let server = try LoopbackServer.smtp(["extensions": ["8BITMIME"]])
        let spec = notifierSpec(id: "mail", type: "email", [
            "from": "kyniem@example.org", "to": "a@example.org", "smtp": ["host": "127.0.0.1", "port": server.port],
        ])
        let notifier = EmailNotifier(configuration: try EmailNotifier.configuration(spec).get(), environment: [:])
        let outcomes = notifier.outcomes(for: batch("mail", title: title, body: "body\r\nBcc: in-the-body@example.net"))
        #expect(outcomes.values.filter(\.isSent).count == 2, "\(outcomes)")
        let message = try #require(try server.records().first?["message"] as? [String: Any])
        let raw = try #require(message["raw"] as? String)
        let headers = raw.components(separatedBy: "\r\n\r\n")[0].components(separatedBy: "\r\n")
        #expect(!headers.contains { $0.lowercased().hasPrefix("bcc:") }, "\(headers)")
        #expect(headers.allSatisfy { !$0.unicodeScalars.contains { $0.value < 32 } }, "\(headers)")
        #expect(message["subject"] as? String == "Hello Bcc: spy@example.net")
        #expect(message["defects"] as? [String] == [])
        #expect(message["bare_lf"] as? Bool == false)
    }

    @Test func messageTitlesAreOneLineWhateverTheLineBreak() {
        #expect(MessageTemplates.tidy("Visit\r\n# Fake heading", singleLine: true) == "Visit # Fake heading")
        #expect(MessageTemplates.tidy("Visit\r# Fake heading", singleLine: true) == "Visit # Fake heading")
        #expect(MessageTemplates.tidy("Visit\u{2028}# Fake\u{1B}[31m", singleLine: true) == "Visit # Fake [31m")
        #expect(MessageTemplates.tidy("a\r\nb\rc\nd") == "a\nb\nc\nd")
    }

    // MARK: Loopback

    @Test func loopbackIsDecidedByParsingTheAddress() {
        for host in ["localhost", "LocalHost", "127.0.0.1", "127.255.10.3", "::1", "[::1]", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1"] {
            #expect(EmailNotifier.isLoopback(host), "\(host)")
        }
        for host in ["127.mail.example.org", "127.0.0.1.example.org", "localhost.example.org", "128.0.0.1", "::2", "::ffff:10.0.0.1", "127.1", ""] {
            #expect(!EmailNotifier.isLoopback(host), "\(host)")
        }
    }

    @Test func aPasswordInTheClearToAHostNamedLike127IsRefused() {
        let spec = notifierSpec(id: "mail", type: "email", [
            "from": "kyniem@example.org", "to": "a@example.org",
            "smtp": ["host": "127.mail.example.org", "user": "kyniem", "password_env": "SMTP_PASSWORD"],
        ])
        let problems = NotifierRegistry.validate([spec], pluginDirectories: []).map(\.description)
        #expect(problems.count == 1 && problems[0].contains("the password would cross the network unencrypted"), "\(problems)")
    }

    @Test func localhostThatLeadsToALoopbackAddressGetsThePassword() throws {
        let password = "loopback-only-pw"
        let server = try LoopbackServer.smtp(["extensions": ["AUTH PLAIN"], "password": password])
        let spec = notifierSpec(id: "mail", type: "email", [
            "from": "kyniem@example.org", "to": "a@example.org",
            "smtp": ["host": "localhost", "port": server.port, "user": "kyniem", "password_env": "SMTP_PASSWORD"],
        ])
        let notifier = EmailNotifier(
            configuration: try EmailNotifier.configuration(spec).get(), environment: ["SMTP_PASSWORD": password],
            resolver: Resolver { _, port in .success([SocketAddress(literal: "127.0.0.1", port: port)!]) })
        let outcomes = notifier.outcomes(for: batch("mail", title: "t"))
        #expect(outcomes.values.filter(\.isSent).count == 2, "\(outcomes)")
    }
}
