import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// End-to-end tests of `kyniem run`, `kyniem plugins` and `kyniem check`: the built binary, a
/// temporary configuration and ledger, and real plugin processes (scripts the tests write).
/// Each test has its own folder and fixed `--date` values.
@Suite struct RunCommandTests {
    // MARK: exactly once

    @Test func twoRunsOnTheSameDateSendNothingTwice() throws {
        let setup = try RunSetup(reminders: "[7d, 0d]")
        try setup.writePlugin(RunSetup.python(""))

        // A new ledger: --backfill also sends what fell due in the catch-up window.
        let first = try setup.run(["run", "--date", "2027-05-12", "--backfill", "--format", "json"])
        #expect(first.status == 0, "\(first.stderr)")
        let sent = try RunOutput(first)
        #expect(sent.date == "2027-05-12")
        // Two events × two reminders (7d is caught up: due 2027-05-05) × two notifiers.
        #expect(sent.deliveries.count == 8)
        #expect(sent.deliveries.allSatisfy { $0.status == "sent" })

        let second = try setup.run(["run", "--date", "2027-05-12", "--format", "json"])
        #expect(second.status == 0, "\(second.stderr)")
        let again = try RunOutput(second)
        #expect(again.keys == sent.keys)
        #expect(again.deliveries.allSatisfy { $0.status == "skipped-already-sent" })

        // What the notifiers actually received: each key once.
        let logged = try setup.fileNotifierKeys()
        #expect(logged.count == 4)
        #expect(Set(logged).count == logged.count, "duplicates in deliveries.jsonl: \(logged)")
        #expect(Set(logged) == Set(sent.keys.filter { $0.hasSuffix("/log") }))
        let received = try setup.pluginReceivedKeys()
        #expect(setup.pluginCalls() == 1)
        #expect(received.sorted() == sent.keys.filter { $0.hasSuffix("/chat") }.sorted())
        // The plugin gets stdin, stdout and stderr, and no other descriptor of kyniem's.
        #expect(try setup.pluginBatches().first?["inherited_fds"] as? [Int] == [])
    }

    @Test func runJSONIsSpecsFixedObject() throws {
        let setup = try RunSetup(reminders: "[0d]", events: ["visit-a"])
        try setup.writePlugin(RunSetup.python(""))
        let result = try setup.run(["run", "--date", "2027-05-12", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["date"] as? String == "2027-05-12")
        let deliveries = try #require(object["deliveries"] as? [[String: Any]])
        #expect(deliveries.count == 2)
        for delivery in deliveries {
            for field in ["key", "notifier", "event", "occurrence", "step", "status"] {
                #expect(delivery[field] is String, "missing \(field) in \(delivery)")
            }
            let parts = [delivery["event"], delivery["occurrence"], delivery["step"], delivery["notifier"]]
                .compactMap { $0 as? String }
            #expect(delivery["key"] as? String == parts.joined(separator: "/"))
        }
        let chat = try #require(deliveries.first { $0["notifier"] as? String == "chat" })
        #expect(chat["key"] as? String == "visit-a/2027-05-12/remind-0d/chat")
        #expect(chat["event"] as? String == "visit-a")
        #expect(chat["occurrence"] as? String == "2027-05-12")
        #expect(chat["step"] as? String == "remind-0d")
        #expect(chat["status"] as? String == "sent")
    }

    // MARK: retries

    @Test func aFailedDeliveryIsSentByTheNextRunOnceThePluginIsFixed() throws {
        let setup = try RunSetup(reminders: "[0d]")
        try setup.writePlugin(RunSetup.python(#"print("the chat service is down", file=sys.stderr); sys.exit(1)"#))

        let broken = try setup.run(["run", "--date", "2027-05-12", "--format", "json"])
        #expect(broken.status == 1)
        #expect(broken.stderr.contains("plugin testplug: the chat service is down"))
        let first = try RunOutput(broken)
        let failed = first.deliveries.filter { $0.status == "failed" }.map(\.key)
        #expect(failed.sorted() == ["visit-a/2027-05-12/remind-0d/chat", "visit-b/2027-05-12/remind-0d/chat"])
        // One notifier failing does not stop the others.
        #expect(first.deliveries.filter { $0.notifier == "log" }.allSatisfy { $0.status == "sent" })

        try setup.writePlugin(RunSetup.python(""))
        let fixed = try setup.run(["run", "--date", "2027-05-12", "--format", "json"])
        #expect(fixed.status == 0, "\(fixed.stderr)")
        let second = try RunOutput(fixed)
        for key in failed { #expect(second.status(of: key) == "sent", "\(key)") }
        #expect(second.deliveries.filter { $0.notifier == "log" }.allSatisfy { $0.status == "skipped-already-sent" })
        #expect(try setup.fileNotifierKeys().count == 2)
    }

    @Test func aRunThreeDaysLateSendsTheMissedStepsOnceMarkedLate() throws {
        // Reminders due on D = 2027-05-10, D+1 and D+2 (the event's day); the run comes on D+3.
        let setup = try RunSetup(reminders: "[2d, 1d, 0d]", events: ["visit-a"])
        try setup.writePlugin(RunSetup.python(""))
        // The ledger's first run, with nothing due, sets its baseline.
        let baseline = try setup.run(["run", "--date", "2027-05-01", "--format", "json"])
        #expect(baseline.status == 0, "\(baseline.stderr)")

        let late = try setup.run(["run", "--date", "2027-05-13", "--format", "json"])
        #expect(late.status == 0, "\(late.stderr)")
        let first = try RunOutput(late)
        #expect(first.deliveries.count == 6)
        #expect(first.deliveries.allSatisfy { $0.status == "sent" && $0.late == true })
        #expect(Set(first.deliveries.map(\.due)) == ["2027-05-10", "2027-05-11", "2027-05-12"])
        // The plugin is told too, and the messages say so.
        let batch = try #require(try setup.pluginBatches().first)
        let items = try #require(batch["deliveries"] as? [[String: Any]])
        #expect(items.count == 3)
        #expect(items.allSatisfy { $0["late"] as? Bool == true })
        #expect(items.allSatisfy { ($0["title"] as? String)?.hasPrefix("[Late]") == true })

        let next = try setup.run(["run", "--date", "2027-05-14", "--format", "json"])
        #expect(next.status == 0, "\(next.stderr)")
        let second = try RunOutput(next)
        #expect(second.keys == first.keys)
        #expect(second.deliveries.allSatisfy { $0.status == "skipped-already-sent" })
        #expect(setup.pluginCalls() == 1)
        #expect(try setup.fileNotifierKeys().count == 3)
    }

    // MARK: kills, locks and hangs

    @Test func aRunKilledWhileAPluginSendsIsCompletedByTheNextRun() throws {
        // The file notifier (`a-log`) sends first and its outcome is recorded; then the plugin
        // (`b-chat`) hangs and kyniem is killed with SIGKILL while it waits for it.
        let setup = try RunSetup(reminders: "[0d]", fileNotifier: "a-log", pluginNotifier: "b-chat")
        try setup.writePlugin(RunSetup.python("""
            mark(os.getpid())
            time.sleep(30)
            """), timeout: "60s")

        let killed = try setup.start(["run", "--date", "2027-05-12", "--format", "json"])
        let marker = setup.pluginFolder.appendingPathComponent("marker")
        let appeared = waitUntil(seconds: 15) { FileManager.default.fileExists(atPath: marker.path) }
        try #require(appeared, "the plugin never started")
        // The plugin runs in a process group of its own, so it outlives kyniem: it is still
        // sleeping while the next run goes, and must not hold the run lock.
        let pluginPID = try #require(pid_t(try String(contentsOf: marker, encoding: .utf8)))
        defer { kill(pluginPID, SIGKILL) }
        kill(killed.processIdentifier, SIGKILL)
        // The plugin must not hold a descriptor kyniem inherited: Foundation's Process watches
        // one to see kyniem exit, and would wait for the orphaned plugin's 30 s sleep.
        try #require(waitUntil(seconds: 5) { !killed.isRunning }, "the killed run still looks alive")
        killed.waitUntilExit()
        #expect(killed.terminationReason == .uncaughtSignal)
        #expect(kill(pluginPID, 0) == 0, "the orphaned plugin is expected to be still alive here")

        try setup.writePlugin(RunSetup.python(""))
        let next = try setup.run(["run", "--date", "2027-05-12", "--format", "json"])
        #expect(next.status == 0, "\(next.stderr)")
        let report = try RunOutput(next)
        #expect(report.deliveries.count == 4)
        // The batch in flight at the kill (the plugin's) is sent again: those deliveries are the
        // only ones that may be sent twice (docs/dispatch.md). The file notifier's batch was
        // recorded before the kill, so it is not repeated.
        for delivery in report.deliveries {
            #expect(delivery.status == (delivery.notifier == "b-chat" ? "sent" : "skipped-already-sent"), "\(delivery.key)")
        }
        let logged = try setup.fileNotifierKeys()
        #expect(logged.count == 2 && Set(logged).count == 2)

        // Every due delivery ends up sent.
        let after = try RunOutput(try setup.run(["run", "--date", "2027-05-12", "--format", "json"]))
        #expect(after.deliveries.count == 4)
        #expect(after.deliveries.allSatisfy { $0.status == "skipped-already-sent" })
    }

    @Test func aSecondConcurrentRunExits3AtOnceAndSendsNothing() throws {
        let setup = try RunSetup(reminders: "[0d]")
        // The plugin (notifier `chat`, which sends before `log`) waits until the test releases it.
        try setup.writePlugin(RunSetup.python("""
            mark(os.getpid())
            deadline = time.time() + 20
            while not os.path.exists(os.path.join(HERE, "release")) and time.time() < deadline:
                time.sleep(0.02)
            """), timeout: "30s")

        let firstRun = try setup.start(["run", "--date", "2027-05-12", "--format", "json"])
        defer { if firstRun.isRunning { kill(firstRun.processIdentifier, SIGKILL) } }
        let appeared = waitUntil(seconds: 15) {
            FileManager.default.fileExists(atPath: setup.pluginFolder.appendingPathComponent("marker").path)
        }
        try #require(appeared, "the plugin never started")

        let clock = ContinuousClock()
        let started = clock.now
        let second = try setup.run(["run", "--date", "2027-05-12", "--format", "json"])
        let elapsed = clock.now - started
        #expect(second.status == 3, "\(second.stderr)")
        #expect(elapsed < .seconds(5))
        #expect(second.stderr.contains("another kyniem run"))
        #expect(second.stdout.isEmpty)
        // Nothing sent by it: one plugin call (the first run's); the file notifier, which runs
        // beside the plugin, has written the first run's deliveries once (checked below).
        #expect(setup.pluginCalls() == 1)

        _ = FileManager.default.createFile(atPath: setup.pluginFolder.appendingPathComponent("release").path, contents: Data())
        firstRun.waitUntilExit()
        #expect(firstRun.terminationStatus == 0)
        let logged = try setup.fileNotifierKeys()
        #expect(!logged.isEmpty && Set(logged).count == logged.count, "\(logged)")
        let report = try RunOutput(status: firstRun.terminationStatus, stdout: setup.startedStdout())
        #expect(report.deliveries.count == 4)
        #expect(report.deliveries.allSatisfy { $0.status == "sent" })
        #expect(setup.pluginCalls() == 1)
        #expect(try setup.fileNotifierKeys().count == 2)
    }

    @Test func aHungPluginIsKilledAtItsTimeoutAndTheOthersStillDeliver() throws {
        let setup = try RunSetup(reminders: "[0d]")
        let pidFile = setup.pluginFolder.appendingPathComponent("sleep.pid")
        try setup.writePlugin("""
            #!/bin/sh
            sleep 30 &
            echo $! > '\(pidFile.path)'
            wait
            """, timeout: "500ms")

        let clock = ContinuousClock()
        let started = clock.now
        let result = try setup.run(["run", "--date", "2027-05-12", "--format", "json"])
        let elapsed = clock.now - started
        #expect(result.status == 1)
        #expect(elapsed < .seconds(10), "the run took \(elapsed)")
        let report = try RunOutput(result)
        let chat = report.deliveries.filter { $0.notifier == "chat" }
        #expect(chat.count == 2)
        #expect(chat.allSatisfy { $0.status == "failed" && ($0.error ?? "").contains("did not finish within 500ms") })
        #expect(report.deliveries.filter { $0.notifier == "log" }.allSatisfy { $0.status == "sent" })
        #expect(try setup.fileNotifierKeys().count == 2)

        // The shell's child went with it (the whole process group is killed).
        let sleepPID = try #require(pid_t(try String(contentsOf: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(waitUntil(seconds: 3) { processIsGone(sleepPID) }, "sleep \(sleepPID) is still running")
    }

    // MARK: plugin protocol 2

    @Test func aProtocol2PluginKilledAtItsTimeoutKeepsTheOutcomesItReported() throws {
        let events = ["visit-a", "visit-b", "visit-c", "visit-d", "visit-e"]
        let setup = try RunSetup(reminders: "[0d]", events: events)
        // Reports 3 of its 5 deliveries, then hangs until it is killed at its timeout.
        try setup.writePlugin(RunSetup.python2("""
            for d in batch["deliveries"][:3]:
                report(d["key"])
            time.sleep(60)
            """), timeout: "1s", protocolVersion: 2)
        let first = try setup.run(["run", "--date", "2027-05-12", "--format", "json"])
        #expect(first.status == 1)
        let chat = try RunOutput(first).deliveries.filter { $0.notifier == "chat" }
        #expect(chat.count == 5)
        let sent = chat.filter { $0.status == "sent" }.map(\.key)
        let failed = chat.filter { $0.status == "failed" }
        #expect(sent.count == 3)
        #expect(failed.count == 2)
        #expect(failed.allSatisfy { ($0.error ?? "").contains("plugin testplug did not finish within 1s and was killed before it reported this delivery") }, "\(failed.map(\.error))")
        let batch = try #require(try setup.pluginBatches().first)
        #expect(batch["protocol"] as? Int == 2)
        #expect((batch["timeout_ms"] as? Int).map { $0 > 0 && $0 <= 1000 } == true)

        try setup.writePlugin(RunSetup.python2("""
            for d in batch["deliveries"]:
                report(d["key"])
            """), protocolVersion: 2)
        let second = try setup.run(["run", "--date", "2027-05-12", "--format", "json"])
        #expect(second.status == 0, "\(second.stderr)")
        // The next run sends only the two it never reported.
        let batches = try setup.pluginBatches()
        #expect(batches.count == 2)
        let resent = ((batches[1]["deliveries"] as? [[String: Any]]) ?? []).compactMap { $0["key"] as? String }
        #expect(Set(resent) == Set(failed.map(\.key)))
        #expect(try RunOutput(second).deliveries.filter { $0.notifier == "chat" }.allSatisfy {
            $0.status == (sent.contains($0.key) ? "skipped-already-sent" : "sent")
        })
    }

    @Test func eachProtocol2LineIsInTheLedgerBeforeTheNextIsRead() throws {
        let setup = try RunSetup(reminders: "[0d]", events: ["visit-a", "visit-b", "visit-c"])
        // After each line the plugin looks into the SQLite ledger (read-only) for that outcome,
        // and only then goes on: a kyniem that recorded at the end would leave it waiting.
        try setup.writePlugin(RunSetup.python2("""
            import sqlite3
            seen = []
            for d in batch["deliveries"]:
                report(d["key"])
                status, deadline = None, time.time() + 10
                while status != "sent" and time.time() < deadline:
                    try:
                        db = sqlite3.connect("file:\(setup.ledger.path)?mode=ro", uri=True, timeout=5)
                        row = db.execute("SELECT status FROM deliveries WHERE key = ?", (d["key"],)).fetchone()
                        db.close()
                        status = row[0] if row else None
                    except sqlite3.Error:
                        pass
                    if status != "sent":
                        time.sleep(0.02)
                seen.append(status)
            json.dump(seen, open(os.path.join(HERE, "seen.json"), "w"))
            """), timeout: "30s", protocolVersion: 2)
        let result = try setup.run(["run", "--date", "2027-05-12", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let seen = try String(contentsOf: setup.pluginFolder.appendingPathComponent("seen.json"), encoding: .utf8)
        #expect(seen == #"["sent", "sent", "sent"]"#)
    }

    @Test func aRunKilledBetweenProtocol2LinesResendsAtMostTheDeliveryInFlight() throws {
        let events = ["visit-a", "visit-b", "visit-c", "visit-d", "visit-e"]
        let setup = try RunSetup(reminders: "[0d]", events: events)
        // The plugin "delivers" (appends to delivered.log) and reports two, delivers the third and
        // stops before reporting it: kyniem is killed then.
        let delivered = setup.pluginFolder.appendingPathComponent("delivered.log")
        let deliver = """
            def deliver(key):
                with open(os.path.join(HERE, "delivered.log"), "a") as f:
                    f.write(key + "\\n")
            """
        try setup.writePlugin(RunSetup.python2("""
            \(deliver)
            for i, d in enumerate(batch["deliveries"]):
                deliver(d["key"])
                if i == 2:
                    mark(os.getpid())
                    time.sleep(60)
                report(d["key"])
            """), timeout: "60s", protocolVersion: 2)
        let killed = try setup.start(["run", "--date", "2027-05-12", "--format", "json"])
        defer { if killed.isRunning { kill(killed.processIdentifier, SIGKILL) } }
        let marker = setup.pluginFolder.appendingPathComponent("marker")
        try #require(waitUntil(seconds: 15) { FileManager.default.fileExists(atPath: marker.path) }, "the plugin never started")
        let pluginPID = try #require(pid_t(try String(contentsOf: marker, encoding: .utf8)))
        defer { kill(pluginPID, SIGKILL) }
        // The two reported lines are in the ledger (a dry run reads it without the lock).
        let recorded = waitUntil(seconds: 10) {
            guard let dry = try? setup.run(["run", "--date", "2027-05-12", "--dry-run", "--format", "json"]),
                let report = try? RunOutput(dry)
            else { return false }
            return report.deliveries.filter { $0.notifier == "chat" && $0.status == "skipped-already-sent" }.count == 2
        }
        #expect(recorded, "the two reported outcomes are not in the ledger")
        kill(killed.processIdentifier, SIGKILL)
        killed.waitUntilExit()
        kill(pluginPID, SIGKILL)

        try setup.writePlugin(RunSetup.python2("""
            \(deliver)
            for d in batch["deliveries"]:
                deliver(d["key"])
                report(d["key"])
            """), protocolVersion: 2)
        let next = try setup.run(["run", "--date", "2027-05-12", "--format", "json"])
        #expect(next.status == 0, "\(next.stderr)")
        // Across both runs every delivery arrived, and only the one in flight at the kill twice.
        let lines = try String(contentsOf: delivered, encoding: .utf8).split(separator: "\n").map(String.init)
        let inFlight = "visit-c/2027-05-12/remind-0d/chat"
        #expect(Set(lines).count == 5)
        #expect(lines.count <= 6, "\(lines)")
        #expect(lines.filter { $0 != inFlight }.count == 4, "\(lines)")
        let after = try RunOutput(try setup.run(["run", "--date", "2027-05-12", "--format", "json"]))
        #expect(after.deliveries.allSatisfy { $0.status == "skipped-already-sent" })
    }

    // MARK: plugin safety

    @Test func aDaemonizedGrandchildIsGoneWhenTheRunEndsAndAnotherPluginsIsSpared() throws {
        let setup = try RunSetup(reminders: "[0d]", events: ["visit-a"], notifiers: """
              - {id: chat, type: testplug}
              - {id: other, type: otherplug}
            """)
        // Both plugins start a daemon the classic way (fork, setsid, fork, the middle one exits),
        // which leaves their process groups. `testplug` exits at once; `otherplug` runs on, and
        // checks after testplug's end that its own daemon was not taken with testplug's.
        func daemon(_ name: String) -> String {
            """
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:
                    mark(os.getpid(), "\(name)")
                    time.sleep(60)
                os._exit(0)
            deadline = time.time() + 10
            while not os.path.exists(os.path.join(HERE, "\(name)")) and time.time() < deadline:
                time.sleep(0.01)
            """
        }
        try setup.writePlugin(RunSetup.python2("""
            \(daemon("daemon"))
            for d in batch["deliveries"]:
                report(d["key"])
            open(os.path.join(HERE, "..", "testplug-done"), "w").close()
            """), protocolVersion: 2)
        try setup.writePlugin(RunSetup.python2("""
            \(daemon("daemon"))
            deadline = time.time() + 10
            while not os.path.exists(os.path.join(HERE, "..", "testplug-done")) and time.time() < deadline:
                time.sleep(0.01)
            time.sleep(1.0)  # testplug has ended and kyniem has cleaned up after it
            pid = int(open(os.path.join(HERE, "daemon")).read())
            state = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
            open(os.path.join(HERE, "daemon-state"), "w").write(state)
            for d in batch["deliveries"]:
                report(d["key"])
            """), timeout: "20s", protocolVersion: 2, name: "otherplug")
        let result = try setup.run(["run", "--date", "2027-05-12", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let plugins = setup.pluginFolder.deletingLastPathComponent()
        let state = try String(contentsOf: plugins.appendingPathComponent("otherplug/daemon-state"), encoding: .utf8)
        #expect(state == "S", "otherplug's daemon was \(state) while otherplug still ran")
        for name in ["testplug", "otherplug"] {
            let pid = try #require(pid_t(try String(contentsOf: plugins.appendingPathComponent("\(name)/daemon"), encoding: .utf8)))
            defer { kill(pid, SIGKILL) }
            #expect(waitUntil(seconds: 3) { processIsGone(pid) }, "\(name)'s daemon \(pid) outlived the run")
        }
    }

    @Test func aWorldWritablePluginIsACheckErrorAndIsNotRun() throws {
        let setup = try RunSetup(reminders: "[0d]")
        try setup.writePlugin(RunSetup.python(""))
        chmod(setup.pluginFolder.path, 0o777)
        let check = try setup.run(["check"])
        #expect(check.status == 2)
        #expect(check.stderr.contains("plugins/testplug/plugin.yaml:1:1: plugin `testplug`: its folder \(setup.pluginFolder.path) is writable by every user (mode 777)"), "\(check.stderr)")
        let run = try setup.run(["run", "--date", "2027-05-12"])
        #expect(run.status == 2)
        #expect(setup.pluginCalls() == 0)

        chmod(setup.pluginFolder.path, 0o755)
        chmod(setup.pluginFolder.appendingPathComponent("notify").path, 0o757)
        let again = try setup.run(["check"])
        #expect(again.status == 2)
        #expect(again.stderr.contains("plugins/testplug/plugin.yaml:3:13: plugin `testplug`: its executable"), "\(again.stderr)")
        #expect(try setup.run(["run", "--date", "2027-05-12"]).status == 2)
        #expect(setup.pluginCalls() == 0)
    }

    @Test func escapeSequencesFromAPluginReachNeitherTheTerminalNorTheLedger() throws {
        let setup = try RunSetup(reminders: "[0d]", events: ["visit-a"])
        try setup.writePlugin(RunSetup.python2(#"""
            sys.stderr.write("\x1b[2J\x1b]0;pwned\x07warning: \x1b[31mred\x1b[0m\r\n")
            sys.stderr.flush()
            for d in batch["deliveries"]:
                report(d["key"], "failed", "\x1b[1mbold\x1b[0m refusal\x07 \x9b6n")
            """#), protocolVersion: 2)
        let first = try setup.run(["run", "--date", "2027-05-12", "--format", "json"])
        #expect(first.status == 1)
        let error = try #require(try RunOutput(first).deliveries.first { $0.notifier == "chat" }?.error)
        #expect(error == "plugin testplug: bold refusal ")
        #expect(first.stderr.contains("plugin testplug: warning: red"))
        #expect(!first.stderr.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x9B })
        // The ledger records the cleaned reason.
        let query = Process()
        query.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        query.arguments = [
            "python3", "-c",
            "import sqlite3, sys; print(repr(sqlite3.connect(sys.argv[1]).execute(\"SELECT last_error FROM deliveries WHERE notifier = 'chat'\").fetchone()[0]))",
            setup.ledger.path,
        ]
        let out = Pipe()
        query.standardOutput = out
        try query.run()
        let stored = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        query.waitUntilExit()
        #expect(stored == "'plugin testplug: bold refusal '\n")
    }

    // MARK: dry run

    @Test func dryRunBeforeAnyRunCreatesNoLedgerAndSendsNothing() throws {
        let setup = try RunSetup(reminders: "[0d]")
        try setup.writePlugin(RunSetup.python(""))
        let result = try setup.run(["run", "--date", "2027-05-12", "--dry-run", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try RunOutput(result)
        #expect(report.deliveries.count == 4)
        #expect(report.deliveries.allSatisfy { $0.status == "would-send" })
        #expect(!FileManager.default.fileExists(atPath: setup.ledger.path))
        #expect(!FileManager.default.fileExists(atPath: setup.ledger.deletingLastPathComponent().path))
        #expect(setup.pluginCalls() == 0)
        #expect(!FileManager.default.fileExists(atPath: setup.outFolder.path))
    }

    @Test func dryRunLeavesTheLedgerByteForByteUnchanged() throws {
        let setup = try RunSetup(reminders: "[7d, 0d]")
        try setup.writePlugin(RunSetup.python(""))
        let real = try setup.run(["run", "--date", "2027-05-05", "--format", "json"])
        #expect(real.status == 0, "\(real.stderr)")
        #expect(try RunOutput(real).deliveries.count == 4)

        let ledgerBefore = try Data(contentsOf: setup.ledger)
        let stateBefore = try FileManager.default.contentsOfDirectory(atPath: setup.ledger.deletingLastPathComponent().path).sorted()
        let outBefore = try setup.folderSnapshot(setup.outFolder)
        let callsBefore = setup.pluginCalls()

        let dry = try setup.run(["run", "--date", "2027-05-12", "--dry-run", "--format", "json"])
        #expect(dry.status == 0, "\(dry.stderr)")
        let report = try RunOutput(dry)
        #expect(report.deliveries.count == 8)
        #expect(report.deliveries.filter { $0.step == "remind-7d" }.allSatisfy { $0.status == "skipped-already-sent" })
        #expect(report.deliveries.filter { $0.step == "remind-0d" }.allSatisfy { $0.status == "would-send" })

        #expect(try Data(contentsOf: setup.ledger) == ledgerBefore)
        #expect(try FileManager.default.contentsOfDirectory(atPath: setup.ledger.deletingLastPathComponent().path).sorted() == stateBefore)
        #expect(try setup.folderSnapshot(setup.outFolder) == outBefore)
        #expect(setup.pluginCalls() == callsBefore)

        // The text form says what would be sent, and still sends nothing.
        let text = try setup.run(["run", "--date", "2027-05-12", "--dry-run"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("dry run for 2027-05-12: 4 skipped-already-sent, 4 would-send"))
        #expect(try Data(contentsOf: setup.ledger) == ledgerBefore)
        #expect(setup.pluginCalls() == callsBefore)
    }

    // MARK: plugins and check

    @Test func pluginsListsTheBuiltInsAndAConfiguredPlugin() throws {
        let setup = try RunSetup(reminders: "[0d]")
        try setup.writePlugin(RunSetup.python(""), timeout: "2s")
        let result = try setup.run(["plugins"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("console ") && $0.hasSuffix("[built-in]") })
        #expect(lines.contains { $0.hasPrefix("file ") && $0.hasSuffix("[built-in]") })
        let plugin = try #require(lines.first { $0.hasPrefix("testplug ") })
        #expect(plugin.contains("plugin: notify, timeout 2s, protocol 1"))
        #expect(plugin.hasSuffix("plugins/testplug (plugins: in the configuration)]"))
        #expect(result.stdout.contains("/usr/local/share/kyniem/plugins (installed"))
        #expect(plugin.contains(setup.folder.lastPathComponent))
    }

    @Test func checkFlagsAnUnknownTypeAndAPluginThatIsNotExecutable() throws {
        let setup = try RunSetup(reminders: "[0d]", notifiers: """
              - id: log
                type: file
                path: out
              - id: mail
                type: consol
              - id: chat
                type: testplug
            """)
        try setup.writePlugin(RunSetup.python(""), mode: 0o644)

        let check = try setup.run(["check"])
        #expect(check.status == 2)
        #expect(check.stdout.isEmpty)
        let lines = check.stderr.split(separator: "\n").map(String.init)
        // `type: consol` stands on line 15, its value at column 11.
        #expect(lines.contains { $0.contains("kyniem.yaml:15:11: unknown notifier type `consol`; did you mean `console`?") }, "\(check.stderr)")
        #expect(lines.contains { $0.contains("plugins/testplug/plugin.yaml:3:13: plugin `testplug`:") && $0.contains("is not executable") }, "\(check.stderr)")
        #expect(check.stderr.contains("2 problems found"))

        // `run` refuses the same configuration: exit 2, nothing sent, no ledger.
        let run = try setup.run(["run", "--date", "2027-05-12"])
        #expect(run.status == 2)
        #expect(!FileManager.default.fileExists(atPath: setup.outFolder.path))
        #expect(!FileManager.default.fileExists(atPath: setup.ledger.path))
    }

    // MARK: files

    @Test func theFileNotifiersRecordIsPrivateWhateverTheUmask() throws {
        let setup = try RunSetup(reminders: "[0d]", notifiers: "  - {id: log, type: file, path: out/records}")
        // Under umask 000, open(…, 0644) and mkdir(…, 0755) would leave the record open to all.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", #"umask 000 && exec "$0" "$@""#, Kyniem.binary.path, "run", "--date", "2027-05-12"]
        process.currentDirectoryURL = setup.folder
        process.environment = ["HOME": setup.folder.path, "PATH": "/usr/bin:/bin"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        func mode(_ path: String) -> mode_t {
            var status = stat()
            guard stat(setup.folder.appendingPathComponent(path).path, &status) == 0 else { return 0 }
            return status.st_mode & 0o7777
        }
        #expect(mode("out") == 0o700)
        #expect(mode("out/records") == 0o700)
        #expect(mode("out/records/2027-05-12.md") == 0o600)
        #expect(mode("out/records/deliveries.jsonl") == 0o600)
    }
}

// MARK: - Fixture

/// A temporary folder with `kyniem.yaml`, a `plugins/testplug` plugin and room for the ledger
/// (`state/ledger.sqlite`) and the file notifier (`out/`).
private struct RunSetup {
    let folder: URL
    let fileNotifier: String

    var pluginFolder: URL { folder.appendingPathComponent("plugins/testplug") }
    var ledger: URL { folder.appendingPathComponent("state/ledger.sqlite") }
    var outFolder: URL { folder.appendingPathComponent("out") }

    /// Events `visit-a` and `visit-b` happen once, on 2027-05-12 (a Wednesday), tier routine.
    init(
        reminders: String, events: [String] = ["visit-a", "visit-b"], fileNotifier: String = "log",
        pluginNotifier: String = "chat", notifiers: String? = nil
    ) throws {
        folder = Kyniem.temporaryFolder()
        self.fileNotifier = fileNotifier
        let eventLines = events.map { "  - {id: \($0), title: \"Visit \($0.suffix(1).uppercased())\", once: 2027-05-12}" }
        let notifierLines = notifiers ?? """
              - {id: \(fileNotifier), type: file, path: out}
              - {id: \(pluginNotifier), type: testplug}
            """
        let yaml = """
            home: {country: VN, timezone: Asia/Ho_Chi_Minh, language: en}
            calendars: []
            plugins: [plugins]
            state: state/ledger.sqlite
            catch_up: 7d
            reminders: {routine: \(reminders)}
            events:
            \(eventLines.joined(separator: "\n"))
            notifiers:
            \(notifierLines)

            """
        try yaml.write(to: folder.appendingPathComponent("kyniem.yaml"), atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(at: pluginFolder, withIntermediateDirectories: true)
    }

    /// A python plugin: records its batch in `calls.jsonl` beside itself (with the descriptors it
    /// inherited beyond 0, 1 and 2 as `inherited_fds`), runs `behaviour`
    /// (which may exit), then reports every delivery sent.
    static func python(_ behaviour: String) -> String {
        """
        #!/usr/bin/env python3
        import json, os, sys, time
        HERE = os.path.dirname(os.path.abspath(__file__))
        batch = json.load(sys.stdin)
        def is_open(fd):
            try:
                os.fstat(fd)
                return True
            except OSError:
                return False
        # Descriptors beyond stdin, stdout and stderr that the plugin was given.
        inherited = [fd for fd in range(3, 256) if is_open(fd)]
        with open(os.path.join(HERE, "calls.jsonl"), "a") as log:
            log.write(json.dumps(dict(batch, inherited_fds=inherited)) + "\\n")
        def mark(pid):  # atomically, so the test never reads an empty marker
            open(os.path.join(HERE, "marker.tmp"), "w").write(str(pid))
            os.rename(os.path.join(HERE, "marker.tmp"), os.path.join(HERE, "marker"))
        \(behaviour)
        print(json.dumps({"results": [{"key": d["key"], "status": "sent", "error": None} for d in batch["deliveries"]]}))

        """
    }

    /// A protocol-2 python plugin: records its batch in `calls.jsonl` beside itself, then runs
    /// `body`, which has `batch`, `HERE`, `mark(pid)` and `report(key, status, error)` (one result
    /// line, flushed at once).
    static func python2(_ body: String) -> String {
        """
        #!/usr/bin/env python3
        import json, os, sys, time
        HERE = os.path.dirname(os.path.abspath(__file__))
        batch = json.load(sys.stdin)
        with open(os.path.join(HERE, "calls.jsonl"), "a") as log:
            log.write(json.dumps(batch) + "\\n")
        def mark(pid, name="marker"):  # atomically, so the test never reads an empty marker
            open(os.path.join(HERE, name + ".tmp"), "w").write(str(pid))
            os.rename(os.path.join(HERE, name + ".tmp"), os.path.join(HERE, name))
        def report(key, status="sent", error=None):
            print(json.dumps({"key": key, "status": status, "error": error}), flush=True)
        \(body)

        """
    }

    /// (Re)writes `plugins/NAME` (default `testplug`): its manifest and the executable `notify`.
    func writePlugin(
        _ script: String, timeout: String = "5s", mode: Int = 0o755, protocolVersion: Int? = nil, name: String = "testplug"
    ) throws {
        let folder = pluginFolder.deletingLastPathComponent().appendingPathComponent(name)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try """
            name: \(name)
            type: notifier
            executable: ./notify
            timeout: \(timeout)
            \(protocolVersion.map { "protocol: \($0)" } ?? "")

            """.write(to: folder.appendingPathComponent("plugin.yaml"), atomically: true, encoding: .utf8)
        let executable = folder.appendingPathComponent("notify")
        try script.write(to: executable, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: executable.path)
    }

    @discardableResult
    func run(_ arguments: [String]) throws -> Kyniem.Result {
        try Kyniem.run(arguments, in: folder)
    }

    /// Starts kyniem without waiting; its stdout goes to `started.out`.
    func start(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = Kyniem.binary
        process.arguments = arguments
        process.currentDirectoryURL = folder
        process.environment = [
            "HOME": folder.path, "PATH": "/usr/bin:/bin", "XDG_STATE_HOME": folder.appendingPathComponent("state").path,
        ]
        let stdout = folder.appendingPathComponent("started.out")
        _ = FileManager.default.createFile(atPath: stdout.path, contents: Data())
        process.standardOutput = try FileHandle(forWritingTo: stdout)
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    func startedStdout() throws -> String {
        try String(contentsOf: folder.appendingPathComponent("started.out"), encoding: .utf8)
    }

    /// The keys in the file notifier's `deliveries.jsonl`, one per line, in order.
    func fileNotifierKeys() throws -> [String] {
        let path = outFolder.appendingPathComponent("deliveries.jsonl")
        guard FileManager.default.fileExists(atPath: path.path) else { return [] }
        return try String(contentsOf: path, encoding: .utf8).split(separator: "\n").map { line in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return try #require(object["key"] as? String)
        }
    }

    /// The batches the plugin was given, one per call.
    func pluginBatches() throws -> [[String: Any]] {
        let path = pluginFolder.appendingPathComponent("calls.jsonl")
        guard FileManager.default.fileExists(atPath: path.path) else { return [] }
        return try String(contentsOf: path, encoding: .utf8).split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
    }

    func pluginCalls() -> Int { (try? pluginBatches().count) ?? -1 }

    func pluginReceivedKeys() throws -> [String] {
        try pluginBatches().flatMap { batch in
            ((batch["deliveries"] as? [[String: Any]]) ?? []).compactMap { $0["key"] as? String }
        }
    }

    /// Every file in `folder` (recursively) with its bytes; empty when the folder is missing.
    func folderSnapshot(_ folder: URL) throws -> [String: Data] {
        var snapshot: [String: Data] = [:]
        guard let names = FileManager.default.subpaths(atPath: folder.path) else { return [:] }
        for name in names {
            var isFolder: ObjCBool = false
            let path = folder.appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: path.path, isDirectory: &isFolder), !isFolder.boolValue {
                snapshot[name] = try Data(contentsOf: path)
            }
        }
        return snapshot
    }
}

/// `kyniem run --format json`, checked against SPEC's fixed fields.
private struct RunOutput {
    struct Delivery {
        let key, notifier, event, occurrence, step, status: String
        let due: String?
        let late: Bool?
        let error: String?
    }

    let date: String
    let deliveries: [Delivery]

    var keys: [String] { deliveries.map(\.key) }

    init(_ result: Kyniem.Result) throws {
        try self.init(status: result.status, stdout: result.stdout)
    }

    init(status: Int32, stdout: String) throws {
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any], "exit \(status): \(stdout)")
        date = try #require(object["date"] as? String)
        let list = try #require(object["deliveries"] as? [[String: Any]])
        deliveries = try list.map { item in
            func field(_ name: String) throws -> String { try #require(item[name] as? String, "no \(name) in \(item)") }
            let status = try field("status")
            #expect(["sent", "failed", "skipped-already-sent", "would-send"].contains(status))
            return Delivery(
                key: try field("key"), notifier: try field("notifier"), event: try field("event"),
                occurrence: try field("occurrence"), step: try field("step"), status: status,
                due: item["due"] as? String, late: item["late"] as? Bool, error: item["error"] as? String)
        }
    }

    func status(of key: String) -> String? { deliveries.first { $0.key == key }?.status }
}

/// Polls `condition` every 20 ms for up to `seconds`.
private func waitUntil(seconds: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(20_000)
    }
    return condition()
}

/// The process no longer runs: it does not exist, or is a zombie waiting for its new parent.
private func processIsGone(_ pid: pid_t) -> Bool {
    if kill(pid, 0) != 0 { return errno == ESRCH }
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let name = stat.range(of: ") ", options: .backwards)
    else { return false }
    let state = stat[name.upperBound...].prefix(1)
    return state == "Z" || state == "X"
}
