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

/// Real processes: tiny `#!/bin/sh` plugins written at test time and run directly.
@Suite struct PluginTests {
    static let answerAll = """
        #!/bin/sh
        input=$(cat)
        printf '%s' "$input" > "$(dirname "$0")/stdin.json"
        printf '{"results": ['
        sep=""
        for key in $(printf '%s' "$input" | grep -o '"key": "[^"]*"' | sed 's/"key": "//; s/"$//'); do
          printf '%s{"key": "%s", "status": "sent"}' "$sep" "$key"
          sep=", "
        done
        printf ']}\\n'
        """

    let environment = ["PATH": "/usr/bin:/bin", "HOME": "/root", "KYNIEM_TOKEN": "s3cr3t-value", "OTHER": "must-not-leak"]
    let today = LocalDate(2023, 9, 14)

    /// Runs a dispatch through plugin `name` (in `folder`) for the 2 deliveries due on 14 September 2023.
    func dispatch(_ folder: String, name: String, sink: LineSink = LineSink()) -> RunReport {
        let planner = Fixture.planner(routes: [Route(notifier: "chat", language: .en)])
        let spec = Fixture.spec(
            id: "chat", type: name, language: .en, env: ["KYNIEM_TOKEN"],
            entry: #"{"id": "chat", "type": "\#(name)", "room": "ops", "token_env": "KYNIEM_TOKEN"}"#)
        let catalog = PluginCatalog.discover(in: [folder])
        let dispatcher = Dispatcher(
            notifiers: [spec], plugins: catalog, context: Fixture.context(environment: environment, lines: sink), planner: planner)
        return dispatcher.run(
            deliveries: planner.plan(today: today, catchUpDays: 7), date: today, ledger: InMemoryLedger(), dryRun: false,
            now: "2023-09-14T07:00:00+07:00")
    }

    @Test func aPluginThatAnswersEveryKeySendsThemAll() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let directory = writePlugin(in: folder, name: "echo", script: Self.answerAll)
        let report = dispatch(folder, name: "echo")
        #expect(report.entries.map(\.status) == [.sent, .sent])

        // The protocol's stdin object, fixed fields first.
        let stdin = try String(contentsOfFile: directory + "/stdin.json", encoding: .utf8)
        #expect(stdin.hasPrefix(#"{"protocol": 1, "notifier": {"id":"chat","type":"echo","room":"ops","token_env":"KYNIEM_TOKEN"}, "deliveries": [{"key": "jp-relations/2023-09-21/task-letter/chat", "event": "jp-relations", "occurrence": "2023-09-21", "step": "task-letter", "title": "[Late] Task: Draft the congratulatory letter"#))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(stdin.utf8)) as? [String: Any])
        let deliveries = try #require(object["deliveries"] as? [[String: Any]])
        #expect(deliveries.count == 2)
        #expect(deliveries[1]["due"] as? String == "2023-09-14")
        #expect((deliveries[1]["body"] as? String)?.contains("Reminder: in 7 days") == true)
        #expect((object["digest"] as? [String: String])?["title"] == "Anniversaries: 1 event (1 this week) – 14 September 2023")
    }

    @Test func exitingNonZeroFailsTheBatchAndMasksSecretsInTheLog() {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        writePlugin(in: folder, name: "broken", script: """
            #!/bin/sh
            cat > /dev/null
            echo '{"results": []}'
            echo "cannot log in with token $KYNIEM_TOKEN" >&2
            exit 1
            """)
        let sink = LineSink()
        let report = dispatch(folder, name: "broken", sink: sink)
        #expect(report.entries.map(\.status) == [.failed, .failed])
        #expect(report.entries[0].error == "plugin broken exited with status 1: cannot log in with token ***")
        #expect(sink.lines == ["plugin broken: cannot log in with token ***"])
    }

    @Test func garbageOnStdoutFailsTheBatch() {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        writePlugin(in: folder, name: "chatty", script: "#!/bin/sh\ncat > /dev/null\necho 'Sending...'\necho '{\"results\": []}'\n")
        let report = dispatch(folder, name: "chatty")
        #expect(report.entries.allSatisfy { $0.status == .failed })
        #expect(report.entries[0].error?.contains("did not print a {\"results\": [...]} object; it printed: Sending...") == true)

        writePlugin(in: folder, name: "two", script: "#!/bin/sh\ncat > /dev/null\necho '{\"results\": []} {\"results\": []}'\n")
        #expect(dispatch(folder, name: "two").entries.allSatisfy { $0.status == .failed })

        writePlugin(in: folder, name: "silent", script: "#!/bin/sh\ncat > /dev/null\n")
        #expect(dispatch(folder, name: "silent").entries[0].error?.contains("its output was empty") == true)
    }

    @Test func aHangingPluginIsKilledWithItsChildrenAtTheTimeout() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let directory = writePlugin(in: folder, name: "hang", timeout: "300ms", script: """
            #!/bin/sh
            cat > /dev/null
            sleep 30 &
            echo $! > "$(dirname "$0")/child.pid"
            wait
            """)
        let started = Date()
        let report = dispatch(folder, name: "hang")
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed < 3)
        #expect(elapsed >= 0.3)
        #expect(report.entries.allSatisfy { $0.status == .failed })
        #expect(report.entries[0].error == "plugin hang did not finish within 300ms and was killed")

        let pidText = try String(contentsOfFile: directory + "/child.pid", encoding: .utf8)
        let pid = try #require(pid_t(pidText.trimmingCharacters(in: .whitespacesAndNewlines)))
        // The grandchild `sleep` got SIGKILL with the group: gone, or a zombie waiting for init.
        // A signal is delivered asynchronously, so give the kernel a moment before judging.
        func isAlive() -> Bool {
            guard kill(pid, 0) == 0 else { return false }
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
            return stat.split(separator: ")").last?.split(separator: " ").first != "Z"
        }
        var alive = isAlive()
        for _ in 0..<40 where alive {
            usleep(50_000)
            alive = isAlive()
        }
        #expect(!alive)
    }

    @Test func partialResultsFailOnlyTheMissingKeys() {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        writePlugin(in: folder, name: "partial", script: """
            #!/bin/sh
            cat > /dev/null
            echo '{"results": [{"key": "jp-relations/2023-09-21/remind-7d/chat", "status": "failed", "error": "room ops is archived"},'
            echo '  {"key": "not-in-the-batch", "status": "sent"}]}'
            """)
        let report = dispatch(folder, name: "partial")
        #expect(report.entries.map(\.status) == [.failed, .failed])
        #expect(report.entries[0].error == "plugin partial gave no result")
        #expect(report.entries[1].error == "plugin partial: room ops is archived")

        writePlugin(in: folder, name: "mixed", script: """
            #!/bin/sh
            cat > /dev/null
            echo '{"results": [{"key": "jp-relations/2023-09-21/task-letter/chat", "status": "sent"}, {"key": "jp-relations/2023-09-21/remind-7d/chat", "status": "maybe"}]}'
            """)
        let mixed = dispatch(folder, name: "mixed")
        #expect(mixed.entries.map(\.status) == [.sent, .failed])
        #expect(mixed.entries[1].error == "plugin mixed gave the unknown status \"maybe\"")
    }

    @Test func thePluginSeesOnlyPathHomeAndItsNamedVariables() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let directory = writePlugin(in: folder, name: "env", script: """
            #!/bin/sh
            cat > /dev/null
            env > "$(dirname "$0")/env.txt"
            echo '{"results": []}'
            """)
        _ = dispatch(folder, name: "env")
        let lines = try String(contentsOfFile: directory + "/env.txt", encoding: .utf8).split(separator: "\n")
        var names = Set(lines.compactMap { $0.split(separator: "=", maxSplits: 1).first.map(String.init) })
        #expect(lines.contains("KYNIEM_TOKEN=s3cr3t-value"))
        #expect(lines.contains("PATH=/usr/bin:/bin"))
        #expect(lines.contains("HOME=/root"))
        names.subtract(["PWD", "OLDPWD", "SHLVL", "_"])  // the shell's own
        #expect(names == ["PATH", "HOME", "KYNIEM_TOKEN"])
    }

    @Test func aPluginKilledByASignalOrMissingFailsClearly() {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        writePlugin(in: folder, name: "crash", script: "#!/bin/sh\ncat > /dev/null\nkill -9 $$\n")
        #expect(dispatch(folder, name: "crash").entries[0].error == "plugin crash was killed by signal 9")

        writePlugin(in: folder, name: "noexec", script: "#!/bin/sh\necho hi\n", mode: 0o644)
        let report = dispatch(folder, name: "noexec")
        #expect(report.entries.allSatisfy { $0.status == .failed })
        #expect(report.entries[0].error?.contains("is not executable") == true)
    }

    @Test func aPluginThatFloodsStderrBeforeReadingDoesNotDeadlock() {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        writePlugin(in: folder, name: "flood", script: """
            #!/bin/sh
            i=0
            while [ $i -lt 3000 ]; do echo "progress line $i of a long and noisy plugin log" >&2; i=$((i+1)); done
            \(Self.answerAll.split(separator: "\n").dropFirst().joined(separator: "\n"))
            """)
        let sink = LineSink()
        let report = dispatch(folder, name: "flood", sink: sink)
        #expect(report.entries.map(\.status) == [.sent, .sent])
        #expect(sink.lines.count == 3000)
        #expect(sink.lines.last == "plugin flood: progress line 2999 of a long and noisy plugin log")
    }

    @Test func theConfigurationsPluginsComeFirst() {
        let mine = temporaryFolder()
        let bundled = temporaryFolder()
        defer {
            try? FileManager.default.removeItem(atPath: mine)
            try? FileManager.default.removeItem(atPath: bundled)
        }
        writePlugin(in: mine, name: "chat", script: "#!/bin/sh\n")
        writePlugin(in: bundled, name: "chat", script: "#!/bin/sh\n")
        let catalog = PluginCatalog.discover(in: [mine, bundled])
        #expect(catalog.plugin(named: "chat")?.directory == mine + "/chat")
        #expect(catalog.shadowed.map(\.directory) == [bundled + "/chat"])
    }
    @Test func theBundledApprisePluginIsFoundFromTheCheckoutAndAnInstallFromItsPrefix() throws {
        let path = PluginCatalog.searchPath(configured: ["/nonexistent/mine"], environment: ["KYNIEM_PLUGIN_PATH": "/a:/b"], executablePath: nil)
        #expect(path == ["/nonexistent/mine", "/a", "/b", "/usr/local/share/kyniem/plugins", "/usr/share/kyniem/plugins"])
        // The test runner lives in <checkout>/.build/…: the checkout is found above it, not
        // from the source file's path at build time.
        let catalog = PluginCatalog.discover(configured: [], environment: [:])
        let apprise = try #require(catalog.plugin(named: "apprise"))
        #expect(apprise.runProblems.isEmpty)
        #expect(apprise.executable.hasSuffix("/plugins/apprise/notify"))
        #expect(apprise.protocolVersion == 2)
        #expect(NotifierRegistry.listing(plugins: catalog).map(\.type).prefix(5) == ["console", "email", "file", "webhook", "apprise"])

        // An installed layout: <prefix>/bin/kyniem finds <prefix>/share/kyniem/plugins, and no checkout.
        let prefix = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: prefix) }
        try FileManager.default.createDirectory(atPath: prefix + "/bin", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: prefix + "/bin/kyniem", contents: Data())
        writePlugin(in: prefix + "/share/kyniem/plugins", name: "installed", script: "#!/bin/sh\n")
        let locations = PluginCatalog.searchLocations(configured: [], environment: [:], executablePath: prefix + "/bin/kyniem")
        #expect(locations.map(\.path) == [prefix + "/share/kyniem/plugins"] + PluginCatalog.installedPlugins)
        #expect(locations.allSatisfy { $0.origin == .installed })
        let installed = PluginCatalog.discover(configured: [], environment: [:], executablePath: prefix + "/bin/kyniem")
        #expect(installed.plugin(named: "installed")?.directory == prefix + "/share/kyniem/plugins/installed")
        #expect(installed.plugin(named: "apprise") == nil || installed.plugin(named: "apprise")?.directory.hasPrefix("/usr") == true)
    }

    // MARK: protocol 2

    @Test func theManifestsProtocolIsOneOrTwo() throws {
        let two = try PluginManifest.parse("name: p\ntype: notifier\nexecutable: ./notify\nprotocol: 2 # lines\n", path: "/x/p/plugin.yaml").get()
        #expect(two.protocolVersion == 2)
        let one = try PluginManifest.parse("name: p\ntype: notifier\nexecutable: ./notify\n", path: "/x/p/plugin.yaml").get()
        #expect(one.protocolVersion == 1)
        for (bad, found) in [("3", "\"3\""), ("two", "\"two\""), ("\"1.0\"", "the string \"1.0\""), ("0", "\"0\""), ("[2]", "a sequence")] {
            let result = PluginManifest.parse("name: p\ntype: notifier\nexecutable: ./notify\ntimeout: 5s\nprotocol: \(bad)\n", path: "/x/p/plugin.yaml")
            #expect(result.problems.map(\.description) == ["/x/p/plugin.yaml:5:11: expected `protocol: 1` or `protocol: 2`, found \(found)"])
        }
    }

    @Test func protocol2KeepsWhatWasReportedWhenThePluginPrintsGarbageAndCrashes() {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let directory = writePlugin(in: folder, name: "lines", script: """
            #!/bin/sh
            cat > "$(dirname "$0")/stdin.json"
            echo '{"key": "jp-relations/2023-09-21/task-letter/chat", "status": "sent"}'
            echo 'Sending the next one...'
            echo ''
            echo '{"key": "not-in-the-batch", "status": "sent"}'
            kill -9 $$
            """)
        try? "name: lines\ntype: notifier\nexecutable: ./notify\ntimeout: 5s\nprotocol: 2\n"
            .write(toFile: directory + "/plugin.yaml", atomically: true, encoding: .utf8)
        let sink = LineSink()
        let report = dispatch(folder, name: "lines", sink: sink)
        #expect(report.entries.map(\.status) == [.sent, .failed])
        #expect(report.entries[1].error == "plugin lines was killed by signal 9 before it reported this delivery; it printed a line that is not a result: Sending the next one...")
        #expect(sink.lines == ["plugin lines: ignored a line on standard output that is not a result object: Sending the next one..."])
        let stdin = (try? String(contentsOfFile: directory + "/stdin.json", encoding: .utf8)) ?? ""
        #expect(stdin.hasPrefix(#"{"protocol": 2, "notifier": "#))
        #expect(stdin.contains(#""timeout_ms": 5000}"#) || stdin.contains(#""timeout_ms": 4999}"#))
    }

    @Test func protocol2OutcomesAreReportedWhileThePluginRuns() {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // The plugin reports one delivery, then waits until the test's ledger has recorded it.
        let flag = folder + "/recorded"
        let directory = writePlugin(in: folder, name: "slow", timeout: "500ms", script: """
            #!/bin/sh
            cat > /dev/null
            echo '{"key": "jp-relations/2023-09-21/task-letter/chat", "status": "sent"}'
            i=0
            while [ ! -e '\(flag)' ] && [ $i -lt 100 ]; do sleep 0.01; i=$((i+1)); done
            [ -e '\(flag)' ] && echo seen > "$(dirname "$0")/seen"
            sleep 30
            """)
        try? "name: slow\ntype: notifier\nexecutable: ./notify\ntimeout: 500ms\nprotocol: 2\n"
            .write(toFile: directory + "/plugin.yaml", atomically: true, encoding: .utf8)
        let ledger = FlaggingLedger(flag: flag)
        let planner = Fixture.planner(routes: [Route(notifier: "chat", language: .en)])
        let spec = Fixture.spec(id: "chat", type: "slow", language: .en)
        let dispatcher = Dispatcher(
            notifiers: [spec], plugins: PluginCatalog.discover(in: [folder]), context: Fixture.context(), planner: planner)
        let report = dispatcher.run(
            deliveries: planner.plan(today: today, catchUpDays: 7), date: today, ledger: ledger, dryRun: false,
            now: "2023-09-14T07:00:00+07:00")
        #expect(report.entries.map(\.status) == [.sent, .failed])
        #expect(report.entries[1].error == "plugin slow did not finish within 500ms and was killed before it reported this delivery")
        #expect(FileManager.default.fileExists(atPath: directory + "/seen"))
    }

    // MARK: safety

    @Test func aGrandchildThatCalledSetsidIsKilledWithThePlugin() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let directory = writePlugin(in: folder, name: "escape", timeout: "500ms", script: """
            #!/bin/sh
            cat > /dev/null
            setsid sh -c 'echo $$ > "$0/escaped.pid"; exec sleep 30' "$(dirname "$0")" &
            sleep 30
            """)
        let report = dispatch(folder, name: "escape")
        #expect(report.entries.allSatisfy { $0.status == .failed })
        let pid = try #require(pid_t(try String(contentsOfFile: directory + "/escaped.pid", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        defer { kill(pid, SIGKILL) }
        var gone = false
        for _ in 0..<60 where !gone {
            gone = ProcFS.stat(pid).map { $0.state == "Z" } ?? true
            if !gone { usleep(50_000) }
        }
        #expect(gone, "the setsid grandchild \(pid) is still running")
    }

    @Test func aWorldWritablePluginIsRefused() {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let directory = writePlugin(in: folder, name: "open", script: Self.answerAll)
        chmod(directory + "/notify", 0o777)
        let report = dispatch(folder, name: "open")
        #expect(report.entries.allSatisfy { $0.status == .failed })
        #expect(report.entries[0].error?.contains("its executable \(directory)/notify is writable by every user (mode 777)") == true)
        #expect(!FileManager.default.fileExists(atPath: directory + "/stdin.json"))

        chmod(directory + "/notify", 0o755)
        chmod(directory + "/plugin.yaml", 0o666)
        let manifest = PluginCatalog.discover(in: [folder]).plugin(named: "open")
        #expect(manifest?.permissionProblems.map(\.description) == [
            "\(directory)/plugin.yaml:1:1: plugin `open`: its manifest \(directory)/plugin.yaml is writable by every user (mode 666), so anyone could change what kyniem runs; the plugin is refused until you `chmod o-w \(directory)/plugin.yaml`",
        ])
        chmod(directory + "/plugin.yaml", 0o644)
        #expect(dispatch(folder, name: "open").entries.map(\.status) == [.sent, .sent])
    }

    @Test func escapeSequencesAndControlCharactersAreStripped() {
        #expect(PrintableText.clean("\u{1B}[31mred\u{1B}[0m") == "red")
        #expect(PrintableText.clean("a\u{1B}]0;title\u{07}b\u{1B}]8;;http://x\u{1B}\\c") == "abc")
        #expect(PrintableText.clean("tab\tstays, bell\u{07} and NUL\u{00} go, DEL\u{7F} too") == "tab\tstays, bell and NUL go, DEL too")
        #expect(PrintableText.clean("C1 \u{9B}2J CSI, \u{85}NEL, \u{1B}(B charset, \u{1B}c reset") == "C1  CSI, NEL,  charset,  reset")
        #expect(PrintableText.clean("Kỷ niệm 50 năm – 🇯🇵\u{202E}txt.exe") == "Kỷ niệm 50 năm – 🇯🇵txt.exe")
        #expect(PrintableText.clean("line\r\nnext") == "line  next")

        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        writePlugin(in: folder, name: "ansi", script: #"""
            #!/bin/sh
            cat > /dev/null
            printf '\033[2J\033]0;pwned\007\033[31mcannot reach\033[0m the room\n' >&2
            printf '{"results": [{"key": "jp-relations/2023-09-21/task-letter/chat", "status": "failed", "error": "\\u001b[1mroom\\u001b[0m archived\\u0007"}]}\n'
            """#)
        let sink = LineSink()
        let report = dispatch(folder, name: "ansi", sink: sink)
        #expect(report.entries[0].error == "plugin ansi: room archived")
        #expect(report.entries[1].error == "plugin ansi gave no result")
        #expect(sink.lines == ["plugin ansi: cannot reach the room"])
    }
}

/// An in-memory ledger that creates a file each time it records outcomes, so a plugin can see
/// that its line was recorded while it still runs.
final class FlaggingLedger: DeliveryLedger, @unchecked Sendable {
    let inner = InMemoryLedger()
    let flag: String

    init(flag: String) { self.flag = flag }

    func sentKeys(among keys: [String]) throws -> Set<String> { try inner.sentKeys(among: keys) }
    func recordAttempts(_ deliveries: [Delivery], at timestamp: String) throws {
        try inner.recordAttempts(deliveries, at: timestamp)
    }
    func recordOutcomes(sent: [String], failed: [(key: String, error: String)], at timestamp: String) throws {
        try inner.recordOutcomes(sent: sent, failed: failed, at: timestamp)
        _ = FileManager.default.createFile(atPath: flag, contents: Data())
    }
    func coverage() throws -> LedgerCoverage? { try inner.coverage() }
    func recordCoverage(_ coverage: LedgerCoverage) throws { try inner.recordCoverage(coverage) }
    func expire(dueBefore date: LocalDate, unrecorded: [Delivery], record: Bool, at timestamp: String) throws -> [ExpiredDelivery] {
        try inner.expire(dueBefore: date, unrecorded: unrecorded, record: record, at: timestamp)
    }
    func acknowledgeExpired(_ keys: [String], at timestamp: String) throws {
        try inner.acknowledgeExpired(keys, at: timestamp)
    }
}
