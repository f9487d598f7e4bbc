import Foundation
import KyniemConfig
import KyniemCore
import Testing

@testable import KyniemNotifiers

/// A notifier's settings go through the configuration reader and then KyniemYAML's typed
/// accessors (issue 12): one typing rule for the whole file, and each problem at the value's own
/// line and column. Each test writes a real kyniem.yaml, so the marks are the reader's.
@Suite struct SettingsTypingTests {
    /// `kyniem check`'s notifier problems for a configuration whose `notifiers:` is `entries`
    /// (starting on line 3 of the file), as `file:line:column: message` with the folder left out.
    func problems(_ entries: String) throws -> [String] {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/kyniem.yaml"
        let text = "home: {country: VN, timezone: Asia/Ho_Chi_Minh, language: vi}\ncalendars: []\nnotifiers:\n" + entries
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let configuration = try ConfigurationLoader(environment: ["HOME": folder]).load(.file(path))
        return NotifierRegistry.validate(configuration.notifiers, pluginDirectories: [], configDirectory: folder)
            .map { $0.description.replacingOccurrences(of: folder + "/", with: "") }
    }

    @Test func aTimeoutWithoutAUnitIsAClearErrorAtTheValue() throws {
        // On Linux JSONSerialization gave `1` as a Bool, and this read "must be a single value".
        let found = try problems("""
              - id: hook
                type: webhook
                url_env: HOOK_URL
                timeout: 1
            """)
        #expect(found == [
            "kyniem.yaml:7:14: notifier `hook` (type webhook): expected `timeout:` like 10s, 500ms or 1m, from 1ms to 60m, found \"1\"",
        ])
        #expect(try problems("  - {id: hook, type: webhook, url_env: HOOK_URL, timeout: 1s}\n").isEmpty)
    }

    @Test func starttlsOneIsNotTrue() throws {
        // JSON's 1 bridged to true: a typo that looked like a setting turned TLS on or off.
        let found = try problems("""
              - id: mail
                type: email
                from: kyniem@example.org
                to: [office@example.org]
                smtp: {host: mail.example.org, starttls: 1}
            """)
        #expect(found == [
            "kyniem.yaml:8:46: notifier `mail` (type email): `smtp.starttls:` expected true or false, found \"1\"",
        ])
    }

    @Test(arguments: ["yes", "no", "on", "True", "\"true\""])
    func booleansAreTrueOrFalseOnly(word: String) throws {
        // SPEC's typing rule, as the configuration reader applies it everywhere else.
        let found = try problems("""
              - id: mail
                type: email
                from: kyniem@example.org
                to: office@example.org
                smtp:
                  host: mail.example.org
                  tls: \(word)
            """)
        #expect(found.count == 1, "\(found)")
        #expect(found.first?.hasPrefix("kyniem.yaml:10:12: notifier `mail` (type email): `smtp.tls:` expected true or false, found ") == true, "\(found)")
    }

    @Test func nestedProblemsStandAtTheirOwnValueNotAtTheParentKey() throws {
        let found = try problems("""
              - id: mail
                type: email
                from: kyniem@example.org
                to: [office@example.org, 42, [nested]]
                smtp:
                  host: mail.example.org
                  port: 99999
                  startls: true
                  user: [kyniem]
            """)
        #expect(found.sorted() == [
            "kyniem.yaml:7:34: notifier `mail` (type email): `to:` must be a non-empty list of plain values, found a sequence",
            "kyniem.yaml:10:13: notifier `mail` (type email): `smtp.port:` must be a whole number from 1 to 65535, found 99999",
            "kyniem.yaml:11:7: notifier `mail` (type email): unknown setting `smtp.startls`; did you mean `smtp.starttls`? (known: smtp.host, smtp.port, smtp.starttls, smtp.tls, smtp.ca_file, smtp.user, smtp.password_env, smtp.auth, smtp.helo, smtp.allow_plaintext_auth)",
            "kyniem.yaml:12:13: notifier `mail` (type email): `smtp.user:` must be a single value, found a sequence",
        ].sorted(), "\(found)")
    }

    @Test func aQuotedPortIsTextAndTheErrorSaysSo() throws {
        let found = try problems("""
              - id: mail
                type: email
                from: kyniem@example.org
                to: office@example.org
                smtp: {host: mail.example.org, port: "587"}
            """)
        #expect(found == [
            "kyniem.yaml:8:42: notifier `mail` (type email): `smtp.port:` must be a whole number from 1 to 65535; expected an integer, found the string \"587\"; write it without quotes",
        ])
    }

    @Test func textSettingsTakeAnyScalarAsText() throws {
        // Typing is by request: a chat id that looks like a number is the text of it.
        #expect(try problems("  - {id: tg, type: webhook, format: telegram, url_env: TG_URL, chat_id: -1001234567890}\n").isEmpty)
        #expect(try problems("  - {id: mail, type: email, from: a@example.org, to: b@example.org, smtp: {host: localhost, port: 25, starttls: false}}\n").isEmpty)
    }
}
