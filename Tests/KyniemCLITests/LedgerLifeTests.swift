import Foundation
import Testing

/// `kyniem run` over a ledger's life, end to end on the built binary: the first run's baseline,
/// `--backfill`, expiry reported once, a lost ledger, a ledger from a newer kyniem, the run bound.
@Suite struct LedgerLifeTests {
    /// Events `a`…`e` once on 2027-05-12 with reminders 3 days before and on the day, a file
    /// notifier, a week of catch-up.
    struct Office {
        let folder = Kyniem.temporaryFolder()
        var ledger: String { folder.appendingPathComponent("state/ledger.sqlite").path }

        init(catchUp: String = "7d", extra: String = "") throws {
            let events = ["a", "b", "c", "d", "e"].map { "  - {id: visit-\($0), title: \"Visit \($0)\", once: 2027-05-12}" }
            let yaml = """
                home: {country: VN, timezone: Asia/Ho_Chi_Minh, language: en}
                calendars: []
                state: state/ledger.sqlite
                catch_up: \(catchUp)
                reminders: {routine: [3d, 0d]}
                \(extra)
                events:
                \(events.joined(separator: "\n"))
                notifiers:
                  - {id: log, type: file, path: out}

                """
            try yaml.write(to: folder.appendingPathComponent("kyniem.yaml"), atomically: true, encoding: .utf8)
        }

        func run(_ date: String, _ more: [String] = []) throws -> (Kyniem.Result, [[String: Any]]) {
            let result = try Kyniem.run(["run", "--date", date, "--format", "json"] + more, in: folder)
            let object = (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any]
            return (result, object?["deliveries"] as? [[String: Any]] ?? [])
        }
    }

    @Test func theFirstRunSendsItsDayAndBackfillSendsTheWindow() throws {
        let office = try Office()
        let (first, deliveries) = try office.run("2027-05-12")
        #expect(first.status == 0, "\(first.stderr)")
        // Only the day-of reminders; the 3-day ones (due 05-09) were before the ledger existed.
        #expect(deliveries.map { $0["step"] as? String } == Array(repeating: "remind-0d", count: 5))
        #expect(first.stderr.contains("note: a new state ledger"))
        #expect(first.stderr.contains("--backfill"))

        let other = try Office()
        let (backfilled, all) = try other.run("2027-05-12", ["--backfill"])
        #expect(backfilled.status == 0, "\(backfilled.stderr)")
        #expect(all.count == 10)
        #expect(all.filter { $0["late"] as? Bool == true }.count == 5)
    }

    @Test func aDeliveryNoRunSentIsReportedExpiredOnceWithExit1() throws {
        let office = try Office(catchUp: "1d")
        let (baseline, _) = try office.run("2027-05-01")
        #expect(baseline.status == 0, "\(baseline.stderr)")
        // No run from 05-02 to 05-13: the 3-day reminders (05-09) and the day's (05-12) left the window.
        let (late, deliveries) = try office.run("2027-05-14")
        #expect(late.status == 1)
        #expect(deliveries.count == 10)
        #expect(deliveries.allSatisfy { $0["status"] as? String == "expired" })
        #expect(late.stderr.contains("expired: visit-a/2027-05-12/remind-0d/log"))
        let (next, again) = try office.run("2027-05-15")
        #expect(next.status == 0, "\(next.stderr)")
        #expect(again.isEmpty)
    }

    @Test func expiredDeliveriesWhoseReportCouldNotBeWrittenAreListedAgain() throws {
        let office = try Office(catchUp: "1d")
        _ = try office.run("2027-05-01")
        let full = try Kyniem.shell(
            #"timeout 20 "$KYNIEM" run --date 2027-05-14 --format json >/dev/full"#, in: office.folder)
        #expect(full.status == 1)
        #expect(full.stderr.contains("cannot write to standard output"))
        // The report never reached anyone: the next run lists them again, then they are done.
        let (again, deliveries) = try office.run("2027-05-14")
        #expect(again.status == 1)
        #expect(deliveries.count == 10 && deliveries.allSatisfy { $0["status"] as? String == "expired" })
        let (after, none) = try office.run("2027-05-15")
        #expect(after.status == 0 && none.isEmpty, "\(after.stderr)")
    }

    @Test func anEmptiedLedgerStartsANewBaselineAndSaysSo() throws {
        let office = try Office()
        _ = try office.run("2027-05-09", ["--backfill"])
        #expect(FileManager.default.createFile(atPath: office.ledger, contents: Data()))
        let (result, deliveries) = try office.run("2027-05-12")
        #expect(result.status == 0)
        #expect(result.stderr.contains("note: a new state ledger"))
        // The lost ledger costs the day's deliveries at most: the 05-09 ones are not sent again.
        #expect(deliveries.allSatisfy { $0["due"] as? String == "2027-05-12" })
    }

    @Test func aLedgerFromANewerKyniemIsRefusedByEveryCommandThatOpensIt() throws {
        let office = try Office()
        _ = try office.run("2027-05-12")
        let sqlite = Process()
        sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        sqlite.arguments = [
            "python3", "-c",
            "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"INSERT INTO grdb_migrations VALUES ('v99-future')\"); c.commit()",
            office.ledger,
        ]
        try sqlite.run()
        sqlite.waitUntilExit()
        #expect(sqlite.terminationStatus == 0)
        for extra in [[], ["--dry-run"]] {
            let (result, _) = try office.run("2027-05-12", extra)
            #expect(result.status == 1, "\(extra)")
            #expect(result.stderr.contains("written by a newer kyniem (schema v99-future)"), "\(result.stderr)")
        }
    }

    @Test func runTimeoutOutsideItsRangeIsAConfigurationError() throws {
        let office = try Office(extra: "run_timeout: 3s")
        let result = try Kyniem.run(["check"], in: office.folder)
        #expect(result.status == 2)
        #expect(result.stderr.contains("kyniem.yaml:6:14: expected a run bound from 10s to 24h, found 3s"), "\(result.stderr)")
        let typo = try Office(extra: "run_timeout: 15 minutes")
        let second = try Kyniem.run(["check"], in: typo.folder)
        #expect(second.status == 2)
        #expect(second.stderr.contains("expected a duration like 15m, 900s or 1h"))
    }
}
