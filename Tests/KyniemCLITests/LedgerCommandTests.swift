import Foundation
import KyniemTesting
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `kyniem ledger` (list, resend, copy) and `state: postgresql://` end to end on the built binary.
@Suite struct LedgerCommandTests {
    /// Events a and b once on 2027-05-12, reminders 3 days before and on the day; a file notifier
    /// `log` and, with `hook`, a webhook to a port nothing listens on (it always fails).
    struct Office {
        let folder = Kyniem.temporaryFolder()
        let state: String

        init(state: String = "state/ledger.sqlite", hook: Bool = false, hookURL: String? = nil) throws {
            self.state = state
            let hookLine = hook || hookURL != nil
                ? "\n  - {id: hook, type: webhook, url: \"\(hookURL ?? "http://127.0.0.1:9/x")\", mode: each, timeout: 30s}" : ""
            let yaml = """
                home: {country: VN, timezone: Asia/Ho_Chi_Minh, language: en}
                calendars: []
                state: \(state)
                catch_up: 7d
                reminders: {routine: [3d, 0d]}
                events:
                  - {id: visit-a, title: "Visit a", once: 2027-05-12}
                  - {id: visit-b, title: "Visit b", once: 2027-05-12}
                notifiers:
                  - {id: log, type: file, path: out}\(hookLine)

                """
            try yaml.write(to: folder.appendingPathComponent("kyniem.yaml"), atomically: true, encoding: .utf8)
        }

        var environment: [String: String] {
            ProcessInfo.processInfo.environment["PGPASSWORD"].map { ["PGPASSWORD": $0] } ?? [:]
        }

        func kyniem(_ arguments: [String]) throws -> Kyniem.Result {
            try Kyniem.run(arguments, in: folder, environment: environment)
        }

        func ledger(_ more: [String] = []) throws -> [[String: Any]] {
            let result = try kyniem(["ledger", "--format", "json"] + more)
            #expect(result.status == 0, "\(result.stderr)")
            // Output that is not the documented shape fails here, so an empty list means no deliveries.
            let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            return try #require(object?["deliveries"] as? [[String: Any]], "\(result.stdout)")
        }

        /// Keys the file notifier wrote, repeats included.
        var written: [String] {
            let path = folder.appendingPathComponent("out/deliveries.jsonl").path
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap {
                (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["key"] as? String
            }
        }
    }

    @Test func theLedgerListsFiltersAndRecordsAManualResend() throws {
        let office = try Office(hook: true)
        #expect(try office.kyniem(["ledger"]).stderr.contains("no state ledger yet"))
        let run = try office.kyniem(["run", "--date", "2027-05-09", "--backfill"])
        #expect(run.status == 1)  // the hook fails
        let all = try office.ledger()
        #expect(all.count == 4)
        let failed = try office.ledger(["--status", "failed"])
        #expect(failed.map { $0["notifier"] as? String } == ["hook", "hook"])
        #expect(failed.allSatisfy { ($0["last_error"] as? String)?.contains("connection refused") == true })
        #expect(try office.ledger(["--event", "visit-b", "--notifier", "log"]).map { $0["key"] as? String }
            == ["visit-b/2027-05-12/remind-3d/log"])
        #expect(try office.ledger(["--from", "2027-05-10"]).isEmpty)
        #expect(try office.ledger(["--until", "2027-05-09"]).count == 4)

        let key = "visit-a/2027-05-12/remind-3d/log"
        let resend = try office.kyniem(["ledger", "resend", key])
        #expect(resend.status == 0, "\(resend.stderr)")
        #expect(office.written.filter { $0 == key }.count == 2)
        let row = try #require(try office.ledger(["--status", "resent"]).first)
        #expect(row["key"] as? String == key && row["status"] as? String == "sent")
        #expect((row["resends"] as? [[String: Any]])?.map { $0["status"] as? String } == ["sent"])
        let text = try office.kyniem(["ledger", "--event", "visit-a"])
        #expect(text.stdout.contains("resent by hand"), "\(text.stdout)")
        #expect(text.stdout.contains("failed") && text.stdout.contains("connection refused"))

        // A failing resend is recorded as such, exit 1; an unknown key is exit 2.
        let hookKey = "visit-a/2027-05-12/remind-3d/hook"
        let bad = try office.kyniem(["ledger", "resend", hookKey])
        #expect(bad.status == 1 && bad.stderr.contains("failed"), "\(bad.stderr)")
        let history = try office.ledger(["--event", "visit-a", "--notifier", "hook", "--until", "2027-05-09"])
        #expect((history.first?["resends"] as? [[String: Any]])?.first?["status"] as? String == "failed")
        #expect(try office.kyniem(["ledger", "resend", "nope/2027-05-12/remind-0d/log"]).status == 2)
    }

    @Test func checkRefusesAStateURLCarryingAPassword() throws {
        let office = try Office(state: "postgresql://kyniem:secret@db.example.org/kyniem")
        let result = try office.kyniem(["check"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("kyniem.yaml:3:8: state: the URL carries a password"), "\(result.stderr)")
        let mode = try Office(state: "postgresql://kyniem@db.example.org/kyniem?sslmode=verify")
        #expect(try mode.kyniem(["check"]).stderr.contains("unknown sslmode \"verify\""))
    }

    @Test func aCopiedLedgerSendsNothingAlreadySentAndACopyIsNeverMerged() throws {
        let office = try Office()
        #expect(try office.kyniem(["run", "--date", "2027-05-09", "--backfill"]).status == 0)
        let sentBefore = office.written.count
        let copy = try office.kyniem(["ledger", "copy", "--to", "copy.sqlite"])
        #expect(copy.status == 0, "\(copy.stderr)")
        #expect(try office.kyniem(["ledger", "copy", "--to", "copy.sqlite"]).stderr.contains("already holds the same ledger"))
        let moved = try Office(state: office.folder.appendingPathComponent("copy.sqlite").path)
        try FileManager.default.removeItem(at: moved.folder)
        try FileManager.default.copyItem(at: office.folder, to: moved.folder)
        try """
            home: {country: VN, timezone: Asia/Ho_Chi_Minh, language: en}
            calendars: []
            state: copy.sqlite
            catch_up: 7d
            reminders: {routine: [3d, 0d]}
            events:
              - {id: visit-a, title: "Visit a", once: 2027-05-12}
              - {id: visit-b, title: "Visit b", once: 2027-05-12}
            notifiers:
              - {id: log, type: file, path: out}

            """.write(to: moved.folder.appendingPathComponent("kyniem.yaml"), atomically: true, encoding: .utf8)
        #expect(try moved.kyniem(["run", "--date", "2027-05-09"]).status == 0)
        #expect(moved.written.count == sentBefore)
        // The original goes on; its ledger now differs from the copy, which is not overwritten.
        #expect(try office.kyniem(["run", "--date", "2027-05-12"]).status == 0)
        let refused = try office.kyniem(["ledger", "copy", "--to", "copy.sqlite"])
        #expect(refused.status == 1 && refused.stderr.contains("is not empty"), "\(refused.stderr)")
    }

    // MARK: PostgreSQL (skipped, with TestPostgres.skipMessage, without KYNIEM_TEST_POSTGRES)

    @Test(.enabled(if: TestPostgres.isAvailable, Comment(rawValue: TestPostgres.skipMessage)))
    func anOfficeMovesFromSQLiteToPostgreSQLWithoutResending() throws {
        let office = try Office()
        #expect(try office.kyniem(["run", "--date", "2027-05-09", "--backfill"]).status == 0)
        let url = try TestPostgres.makeDatabase()
        let copy = try office.kyniem(["ledger", "copy", "--to", url])
        #expect(copy.status == 0, "\(copy.stderr)")
        let moved = try Office(state: url)
        #expect(try moved.kyniem(["run", "--date", "2027-05-09"]).status == 0)
        #expect(moved.written.isEmpty)
        #expect(try moved.ledger().count == 2)
        #expect(try moved.kyniem(["run", "--date", "2027-05-12"]).status == 0)
        #expect(moved.written.count == 2)
    }

    @Test(.enabled(if: TestPostgres.isAvailable, Comment(rawValue: TestPostgres.skipMessage)))
    func twoHostsSendEachDeliveryOnceAndAKilledHostsLockGoesWithIt() throws {
        let url = try TestPostgres.makeDatabase()
        let hosts = [try Office(state: url), try Office(state: url)]
        for date in ["2027-05-09", "2027-05-10", "2027-05-12", "2027-05-13"] {
            let processes = try hosts.map { try start($0, ["run", "--date", date]) }
            let statuses = processes.map { process in process.waitUntilExit(); return process.terminationStatus }
            #expect(statuses.allSatisfy { $0 == 0 || $0 == 3 } && statuses.contains(0), "\(date): \(statuses)")
        }
        let written = hosts.flatMap(\.written)
        // Each due delivery once, whichever host sent it (no kill here: no in-flight repeat).
        #expect(written.sorted() == [
            "visit-a/2027-05-12/remind-0d/log", "visit-a/2027-05-12/remind-3d/log",
            "visit-b/2027-05-12/remind-0d/log", "visit-b/2027-05-12/remind-3d/log",
        ])

        // Host A stalls on a webhook that never answers (a listener that never accepts), holding
        // the lock; B finds it held (3); A is SIGKILLed; B gets the lock once A's session is gone.
        // In bash, so the processes are plain children with nothing inherited from this one.
        let stalled = try Office(state: url, hookURL: "http://127.0.0.1:PORT/x")
        let password = ProcessInfo.processInfo.environment["PGPASSWORD"] ?? ""
        let script = """
            set -u
            export PGPASSWORD='\(password)'
            port_file=$(mktemp)
            /usr/bin/python3 -c "import socket, sys, time; s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(16); \\
            open(sys.argv[1], 'w').write(str(s.getsockname()[1])); time.sleep(60)" "$port_file" &
            server=$!
            for i in $(seq 100); do [ -s "$port_file" ] && break; sleep 0.05; done
            sed -i "s/PORT/$(cat "$port_file")/" '\(stalled.folder.path)/kyniem.yaml'
            (cd '\(stalled.folder.path)' && HOME=$PWD exec "$KYNIEM" run --date 2027-05-14 2>/dev/null) &
            a=$!
            holders="SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = \(0x6B79_6E69) AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            for i in $(seq 200); do [ "$(psql '\(url)' -XAtc "$holders")" = 1 ] && break; sleep 0.05; done
            cd '\(hosts[1].folder.path)'
            HOME=$PWD timeout 60 "$KYNIEM" run --date 2027-05-14 2>held.err; echo "held=$?"
            kill -9 $a; wait $a 2>/dev/null
            for i in $(seq 50); do
              HOME=$PWD timeout 60 "$KYNIEM" run --date 2027-05-14 2>after.err; status=$?
              [ $status != 3 ] && break; sleep 0.1
            done
            echo "after=$status"
            cat held.err
            kill -9 $server
            """
        let result = try Kyniem.shell(script)
        #expect(result.stdout.contains("held=3"), "\(result.stdout) \(result.stderr)")
        #expect(result.stdout.contains("holds the state lock"), "\(result.stdout)")
        #expect(result.stdout.contains("after=0"), "\(result.stdout) \(result.stderr)")
    }

    @Test(.enabled(if: TestPostgres.isAvailable, Comment(rawValue: TestPostgres.skipMessage)))
    func thePasswordComesFromAPrivatePgpassAndNeverFromAWorldReadableOne() throws {
        let url = try TestPostgres.makeDatabase()
        let office = try Office(state: url)
        // postgresql://kyniem@HOST:PORT/DATABASE?sslmode=disable
        let afterUser = try #require(url.split(separator: "@").last)
        let hostPort = afterUser.split(separator: "/").first.map(String.init) ?? ""
        let database = String(url.split(separator: "/").last!.split(separator: "?").first!)
        let password = ProcessInfo.processInfo.environment["PGPASSWORD"] ?? ""
        let pgpass = office.folder.appendingPathComponent(".pgpass")
        try "\(hostPort):\(database):kyniem:\(password)\n"
            .write(to: pgpass, atomically: true, encoding: .utf8)
        // HOME is the office's folder, and no PGPASSWORD is passed: libpq reads ~/.pgpass.
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: pgpass.path)
        let open = try Kyniem.run(["run", "--date", "2027-05-12"], in: office.folder)
        #expect(open.status == 1)
        #expect(open.stderr.contains("has group or world access"), "\(open.stderr)")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: pgpass.path)
        let ok = try Kyniem.run(["run", "--date", "2027-05-12"], in: office.folder)
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(office.written.count == 2)
    }

    @Test(.enabled(if: TestPostgres.isAvailable, Comment(rawValue: TestPostgres.skipMessage)))
    func aHostWithTheServerDownExits1AndSendsNothing() throws {
        let listener = try stallingListener()
        close(listener.fd)  // now nothing listens there
        let office = try Office(state: "postgresql://kyniem@127.0.0.1:\(listener.port)/kyniem?sslmode=disable")
        let result = try office.kyniem(["run", "--date", "2027-05-12"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("port \(listener.port) failed: Connection refused"), "\(result.stderr)")
        #expect(office.written.isEmpty)
    }

    func start(_ office: Office, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = Kyniem.binary
        process.arguments = arguments
        process.currentDirectoryURL = office.folder
        process.environment = ["HOME": office.folder.path, "PATH": "/usr/bin:/bin"].merging(office.environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// A TCP socket on 127.0.0.1 that listens and never accepts: connections succeed, requests
    /// are never answered.
    func stallingListener() throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        #expect(bound == 0 && listen(fd, 16) == 0)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }
}
