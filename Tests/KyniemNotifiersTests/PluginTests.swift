import Foundation
import KyniemConfig
import KyniemCore
import KyniemTesting
import Testing

@testable import KyniemNotifiers

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
            id: "chat", type: name, language: .en, options: ["token_env": "KYNIEM_TOKEN", "room": "ops"], env: ["KYNIEM_TOKEN"],
            settingsJSON: #"{"id": "chat", "type": "\#(name)", "room": "ops", "token_env": "KYNIEM_TOKEN"}"#)
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
        #expect(stdin.hasPrefix(#"{"protocol": 1, "notifier": {"id": "chat", "type": "echo", "room": "ops", "token_env": "KYNIEM_TOKEN"}, "deliveries": [{"key": "jp-relations/2023-09-21/task-letter/chat", "event": "jp-relations", "occurrence": "2023-09-21", "step": "task-letter", "title": "[Late] Task: Draft the congratulatory letter"#))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(stdin.utf8)) as? [String: Any])
        let deliveries = try #require(object["deliveries"] as? [[String: Any]])
        #expect(deliveries.count == 2)
        #expect(deliveries[1]["due"] as? String == "2023-09-14")
        #expect((deliveries[1]["body"] as? String)?.contains("Reminder: in 7 days") == true)
        #expect((object["digest"] as? [String: String])?["title"] == "Kỷ niệm – 2 items for 14 September 2023")
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

    @Test func theBundledApprisePluginIsFoundFromTheCheckout() throws {
        let path = PluginCatalog.searchPath(configured: ["/nonexistent/mine"], environment: ["KYNIEM_PLUGIN_PATH": "/a:/b"], executablePath: nil)
        #expect(path == ["/nonexistent/mine", "/a", "/b", PluginCatalog.sourceCheckoutPlugins])
        let catalog = PluginCatalog.discover(configured: [], environment: [:], executablePath: nil)
        let apprise = try #require(catalog.plugin(named: "apprise"))
        #expect(apprise.executableProblem == nil)
        #expect(apprise.executable.hasSuffix("/plugins/apprise/notify"))
        #expect(NotifierRegistry.listing(plugins: catalog).map(\.type).prefix(5) == ["console", "email", "file", "webhook", "apprise"])
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
}
