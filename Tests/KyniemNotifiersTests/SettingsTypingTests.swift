import Foundation
import KyniemConfig
import KyniemCore
import KyniemPlugins
import Testing

@testable import KyniemNotifiers

/// A notifier's settings go through the configuration reader and then KyniemYAML's typed
/// accessors (issue 12): one typing rule for the whole file, and each problem at the value's own
/// line and column. Each test writes a real kyniem.yaml, so the marks are the reader's.
@Suite struct SettingsTypingTests {
    /// `kyniem check`'s notifier problems for a configuration whose `notifiers:` is `entries`
    /// (starting on line 3 of the file), as `file:line:column: message` with the folder left out.
    /// `files` are written beside it first (template files, by name); `plugin` is the name of a
    /// plugin found in the search path.
    func problems(_ entries: String, files: [String: String] = [:], plugin: String? = nil) throws -> [String] {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/kyniem.yaml"
        let text = "home: {country: VN, timezone: Asia/Ho_Chi_Minh, language: vi}\ncalendars: []\nnotifiers:\n" + entries
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        for (name, content) in files {
            try content.write(toFile: folder + "/" + name, atomically: true, encoding: .utf8)
        }
        let plugins = folder + "/plugins"
        if let plugin {
            _ = writePlugin(in: plugins, name: plugin, script: "#!/bin/sh\n")
        }
        let configuration = try ConfigurationLoader(environment: ["HOME": folder]).load(.file(path))
        return NotifierRegistry.validate(configuration.notifiers, pluginDirectories: [plugins], configDirectory: folder)
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

    // The file notifier's `path:`, a plugin's `*_env:` names and the template paths were read
    // from the entry's scalars alone (`NotifierSpec.options`): a list was as good as missing
    // ("needs `path:`" at the entry), and an empty value or a name no shell could export passed.

    @Test func theFileNotifiersPathIsOneNonEmptyValue() throws {
        #expect(try problems("""
              - id: archive
                type: file
                path: [out, more]
            """) == [
            "kyniem.yaml:6:11: notifier `archive` (type file): `path:` must be a single value, found a sequence",
        ])
        #expect(try problems("""
              - id: archive
                type: file
                path: ""
            """) == ["kyniem.yaml:6:11: notifier `archive` (type file): `path:` is empty"])
        #expect(try problems("  - {id: archive, type: file}\n") == [
            "kyniem.yaml:4:5: notifier `archive` (type file): needs `path:`",
        ])
        #expect(try problems("  - {id: archive, type: file, path: out/archive}\n").isEmpty)
    }

    @Test func theFileNotifierRefusesAnUnknownSetting() throws {
        // A misspelt `path:` used to be ignored beside a correct one.
        #expect(try problems("""
              - id: archive
                type: file
                path: out
                paht: elsewhere
            """) == [
            "kyniem.yaml:7:5: notifier `archive` (type file): unknown setting `paht`; did you mean `path`? (known: path)",
        ])
    }

    @Test func aPluginsEnvironmentNamesAreNamesAtTheirValue() throws {
        #expect(try problems("""
              - id: pager
                type: pager
                env: [PAGER_TOKEN]
                token_env: [PAGER_TOKEN]
            """, plugin: "pager") == [
            "kyniem.yaml:7:16: notifier `pager` (type pager): `token_env:` must be a single value, found a sequence",
        ])
        #expect(try problems("""
              - id: pager
                type: pager
                env: [PAGER_TOKEN]
                token_env: PAGER-TOKEN
            """, plugin: "pager") == [
            "kyniem.yaml:7:16: notifier `pager` (type pager): `token_env:` must name an environment variable (letters, digits and _), found \"PAGER-TOKEN\"",
        ])
        #expect(try problems("""
              - id: pager
                type: pager
                token_env: PAGER_TOKEN
            """, plugin: "pager") == [
            "kyniem.yaml:6:16: notifier `pager`: token_env names PAGER_TOKEN, which is not in its `env:` list, so the plugin would not see it; add `env: [PAGER_TOKEN]`",
        ])
        #expect(try problems("  - {id: pager, type: pager, env: [PAGER_TOKEN], token_env: PAGER_TOKEN, room: 7}\n", plugin: "pager").isEmpty)
    }

    @Test func templatePathsAreOneNonEmptyValue() throws {
        #expect(try problems("""
              - id: screen
                type: console
                template: [body.mustache]
                digest_template: {file: digest.mustache}
            """) == [
            "kyniem.yaml:6:15: notifier `screen` (type console): `template:` must be a single value, found a sequence",
            "kyniem.yaml:7:22: notifier `screen` (type console): `digest_template:` must be a single value, found a mapping",
        ])
        #expect(try problems("""
              - id: hook
                type: webhook
                url_env: HOOK_URL
                title_template: ""
            """) == ["kyniem.yaml:7:21: notifier `hook` (type webhook): `title_template:` is empty"])
        #expect(try problems(
            "  - {id: screen, type: console, template: body.mustache}\n", files: ["body.mustache": "{{title}}\n"]
        ).isEmpty)
    }

    @Test func aTemplateThatCannotBeReadStandsAtItsSetting() throws {
        // The message names the resolved path: the configuration's folder (left out here) + the file.
        #expect(try problems("""
              - id: screen
                type: console
                template: missing.mustache
            """) == ["kyniem.yaml:6:15: template: cannot read missing.mustache: No such file or directory"])
    }

    @Test func aCAFileThatCannotBeUsedStandsAtItsOwnValue() throws {
        // It stood at `smtp:` (the nearest value the loose reading knew), not at `smtp.ca_file:`.
        #expect(try problems("""
              - id: mail
                type: email
                from: kyniem@example.org
                to: office@example.org
                smtp:
                  host: mail.example.org
                  starttls: true
                  ca_file: missing.pem
            """) == ["kyniem.yaml:11:16: notifier `mail`: cannot use ca_file missing.pem: No such file or directory"])
        #expect(try problems("  - {id: hook, type: webhook, url_env: HOOK_URL, ca_file: missing.pem}\n") == [
            "kyniem.yaml:4:59: notifier `hook`: cannot use ca_file missing.pem: No such file or directory",
        ])
    }

    @Test func anUnknownTypeStandsAtItsValue() throws {
        #expect(try problems("""
              - id: screen
                type: consol
            """).first?.hasPrefix("kyniem.yaml:5:11: unknown notifier type `consol`; did you mean `console`?") == true)
    }

    @Test func aConsoleTakesOnlyTheCommonSettings() throws {
        #expect(try problems("""
              - id: screen
                type: console
                templat: body.mustache
            """) == [
            "kyniem.yaml:6:5: notifier `screen` (type console): unknown setting `templat`; did you mean `template`? "
                + "(known: id, type, language, when, env, title_template, template, digest_template)",
        ])
    }

    // A plugin's `notifier` object is made from the entry by the plugin notifier, where it is
    // sent; the configuration reader no longer turns every notifier entry into JSON text.

    @Test func aPluginEntryWithAKeyThatHasNoJSONFormIsAProblemAtTheKey() throws {
        #expect(try problems("""
              - id: pager
                type: pager
                [room]: ops
            """, plugin: "pager") == [
            "kyniem.yaml:6:5: notifier `pager` (type pager): a key passed on as JSON must be a string, found a sequence",
        ])
    }

    @Test func aPluginIsSentItsEntryAsWrittenEachScalarTypedByItsForm() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/kyniem.yaml"
        try """
            home: {country: VN, timezone: Asia/Ho_Chi_Minh, language: vi}
            calendars: []
            notifiers:
              - id: pager
                type: pager
                room: 7
                label: "7"
                urgent: true
                when: {tiers: [major]}
                tags: [a, b]
                note:
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let configuration = try ConfigurationLoader(environment: ["HOME": folder]).load(.file(path))
        let spec = try #require(configuration.notifiers.first)
        #expect(try PluginNotifier.settingsObject(for: spec).get()
            == #"{"id":"pager","type":"pager","room":7,"label":"7","urgent":true,"when":{"tiers":["major"]},"tags":["a","b"],"note":null}"#)
    }
}
