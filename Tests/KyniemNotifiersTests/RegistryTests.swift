import Foundation
import KyniemConfig
import KyniemCore
import Testing

@testable import KyniemDispatch
@testable import KyniemNotifiers
@testable import KyniemPlugins
@testable import KyniemTransports

@Suite struct ManifestTests {
    @Test func aValidManifest() throws {
        let text = """
            # Sends through Apprise
            name: telegram
            type: notifier
            executable: "./notify"   # run directly
            timeout: 500ms
            """
        let manifest = try PluginManifest.parse(text, path: "/p/telegram/plugin.yaml").get()
        #expect(manifest.name == "telegram")
        #expect(manifest.executable == "/p/telegram/notify")
        #expect(manifest.timeoutMilliseconds == 500)
        #expect(manifest.executableLocation.line == 4)
    }

    @Test func everyProblemIsReportedWithItsLineAndColumn() {
        let text = """
            name: Tele Gram
            tipe: notifier
            executable: [./notify]
            timeout: soon
            protocol: "2"
            timeout: 1s
            """
        guard case .failure(let errors) = PluginManifest.parse(text, path: "/p/x/plugin.yaml") else {
            Issue.record("a broken manifest parsed")
            return
        }
        let messages = errors.problems.map(\.description)
        #expect(messages == [
            "/p/x/plugin.yaml:1:1: missing `type:`",
            "/p/x/plugin.yaml:1:7: a plugin name is lower-case letters, digits, - and _, found \"Tele Gram\"",
            "/p/x/plugin.yaml:2:1: unknown key `tipe` (a manifest has name, type, executable, timeout, protocol); did you mean `type`?",
            "/p/x/plugin.yaml:3:13: `executable:` expected a single value, found a sequence; a manifest holds no lists or maps",
            "/p/x/plugin.yaml:4:10: expected a timeout like 30s, 500ms or 2m, from 1ms to 60m, found \"soon\"",
            // A number is plain, as everywhere in kyniem's YAML: quoted, it is text.
            "/p/x/plugin.yaml:5:11: expected `protocol: 1` or `protocol: 2`, found the string \"2\"",
            "/p/x/plugin.yaml:6:1: duplicate key \"timeout\" (first at line 4, column 1)",
        ], "\(messages)")
    }

    @Test func aSyntaxErrorIsReportedAtItsPlace() {
        // Once the YAML itself is broken nothing after it can be read: the one error says where.
        for (text, line) in [("name: p\ntype: notifier\n  executable: ./notify\n", 3), ("name: p\njust words\ntype: x\n", 3)] {
            let problems = PluginManifest.parse(text, path: "/p/x/plugin.yaml").problems
            #expect(problems.count == 1, "\(problems)")
            #expect(problems.first?.location?.line == line, "\(problems)")
            #expect(problems.first?.description.hasPrefix("/p/x/plugin.yaml:\(line):") == true, "\(problems)")
        }
    }

    @Test func aManifestIsOneMappingAndItsTextIsText() throws {
        let listed = PluginManifest.parse("- name: p\n", path: "/p/x/plugin.yaml").problems.map(\.description)
        #expect(listed.first == "/p/x/plugin.yaml:1:1: expected a manifest of `key: value` lines (name, type, executable, timeout, protocol), found a sequence")
        // Text is typed by request, never by content: `name: 123` is the name "123", and an
        // executable called `true` is a file name, not a boolean.
        let typed = try PluginManifest.parse("name: 123\ntype: notifier\nexecutable: true\n", path: "/p/x/plugin.yaml").get()
        #expect(typed.name == "123")
        #expect(typed.executable == "/p/x/true")
        let empty = PluginManifest.parse("name: \"\"\ntype: notifier\nexecutable:\n", path: "/p/x/plugin.yaml").problems.map(\.description)
        #expect(empty == ["/p/x/plugin.yaml:1:1: missing `executable:`", "/p/x/plugin.yaml:1:7: `name:` is empty"])
    }

    @Test func durations() {
        #expect(TimeoutText.parse("30s") == 30_000)
        #expect(TimeoutText.parse("500ms") == 500)
        #expect(TimeoutText.parse("2m") == 120_000)
        #expect(TimeoutText.parse("2") == nil)
        #expect(TimeoutText.parse("-1s") == nil)
        #expect(TimeoutText.parse("1.5s") == nil)
        // At most an hour: a run holds its lock while it waits.
        #expect(TimeoutText.parse("60m") == 3_600_000)
        #expect(TimeoutText.parse("61m") == nil)
        #expect(TimeoutText.parse("99999999999999999999s") == nil)
    }
}

@Suite struct RegistryTests {
    @Test func checkReportsEveryProblem() {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        writePlugin(in: folder, name: "chat", script: "#!/bin/sh\n", mode: 0o644)
        writePlugin(in: folder, name: "pager", script: "#!/bin/sh\n")
        try? FileManager.default.createDirectory(atPath: folder + "/bad", withIntermediateDirectories: true)
        try? "name: bad\n".write(toFile: folder + "/bad/plugin.yaml", atomically: true, encoding: .utf8)

        let specs = [
            Fixture.spec(id: "screen", type: "consol"),
            Fixture.spec(id: "archive", type: "file"),
            Fixture.spec(id: "screen", type: "console"),
            Fixture.spec(id: "team", type: "chat"),
            Fixture.spec(id: "pager", type: "pager", options: ["token_env": "PAGER_TOKEN"]),
            Fixture.spec(id: "hook", type: "webhook"),
            Fixture.spec(id: "fine", type: "pager", options: ["token_env": "PAGER_TOKEN"], env: ["PAGER_TOKEN"]),
        ]
        let problems = NotifierRegistry.validate(specs, pluginDirectories: [folder, "/nonexistent"]).map(\.description)
        #expect(problems.count == 8)
        #expect(problems.contains { $0.hasPrefix("\(folder)/bad/plugin.yaml:1:1: missing `type:`") })
        #expect(problems.contains { $0.hasPrefix("\(folder)/bad/plugin.yaml:1:1: missing `executable:`") })
        #expect(problems.contains { $0.contains("unknown notifier type `consol`; did you mean `console`?") })
        #expect(problems.contains("/etc/kyniem.yaml:1:1: notifier `archive` (type file): needs `path:`"))
        #expect(problems.contains { $0.contains("notifier id `screen` is already used at /etc/kyniem.yaml:10:5") })
        #expect(problems.contains { $0.contains("plugin `chat`: \(folder)/chat/notify is not executable") })
        #expect(problems.contains { $0.contains("token_env names PAGER_TOKEN, which is not in its `env:` list") })
        #expect(problems.contains { $0.contains("notifier `hook` (type webhook): needs `url_env:`") })
    }

    @Test func aGoodConfigurationHasNoProblems() {
        let specs = [
            Fixture.spec(id: "screen", type: "console"),
            Fixture.spec(id: "archive", type: "file", options: ["path": "out"]),
        ]
        #expect(NotifierRegistry.validate(specs, pluginDirectories: []).isEmpty)
    }

    @Test func chatServiceNamesPointToTheWebhookFormats() {
        let message = NotifierRegistry.unknownType("telegram", plugins: .empty)
        #expect(message == "unknown notifier type `telegram`; use `type: webhook` with `format: telegram` and `chat_id:`")
        #expect(NotifierRegistry.builtIns["webhook"] != nil && NotifierRegistry.builtIns["email"] != nil)
    }
}
