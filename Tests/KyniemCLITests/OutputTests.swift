import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// SPEC.md's exit 4: an output that cannot be written ends the command with the reason, never
/// with a crash, and leaves no temporary file behind.
@Suite struct OutputTests {
    /// Files in `folder` whose name marks them as an unfinished atomic write.
    func leftovers(_ folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains(".tmp-") }
    }

    @Test(arguments: [
        "upcoming --from 2027-01-01", "upcoming --format json", "calendar --year 2027 --format html", "check",
        "explain vn-tet --year 2030", "plugins", "--help",
    ])
    func standardOutputOnAFullDiskIsExitFourWithTheReason(command: String) throws {
        let result = try Kyniem.shell(#"timeout 20 "$KYNIEM" \#(command) >/dev/full"#)
        #expect(result.status == 4, "\(result.stderr)")
        #expect(result.stderr == "kyniem: cannot write to standard output: No space left on device\n")
    }

    /// `upcoming --format json` and `calendar` in ics, csv and json are written as they are
    /// rendered, 64 KiB at a time: a long one comes out whole, in order, and a full disk or a
    /// closed pipe met after the first chunks ends it as any other output does.
    @Test(arguments: [
        "upcoming --from 2027-01-01 --until 2027-12-31 --format json", "calendar --year 2027 --format ics",
        "calendar --year 2027 --format csv", "calendar --year 2027 --format json",
    ])
    func longOutputIsStreamedWithTheSameFailures(command: String) throws {
        let folder = Kyniem.temporaryFolder()
        var yaml = "home: {country: VN, timezone: Asia/Ho_Chi_Minh, language: en}\ncalendars: []\nevents:\n"
        for i in 1...2_000 {
            yaml += "  - {id: ev-\(i), title: \"Event \(i), the {ordinal} anniversary of a long-standing friendship\", "
                + "date: \(1950 + i % 70)-\(String(format: "%02d", i % 12 + 1))-\(String(format: "%02d", i % 28 + 1))}\n"
        }
        try yaml.write(to: folder.appendingPathComponent("kyniem.yaml"), atomically: true, encoding: .utf8)

        let whole = try Kyniem.shell(#"timeout 60 "$KYNIEM" \#(command)"#, in: folder)
        #expect(whole.status == 0, "\(whole.stderr)")
        #expect(whole.stdout.utf8.count > 4 * 65_536)
        let ids = whole.stdout.components(separatedBy: "ev-").count - 1
        #expect(ids >= 2_000)
        if command.hasSuffix("json") {
            let object = try JSONSerialization.jsonObject(with: Data(whole.stdout.utf8)) as? [String: Any]
            let occurrences = try #require(object?["occurrences"] as? [[String: Any]])
            #expect(occurrences.count == 2_000)
            let dates = occurrences.compactMap { $0["date"] as? String }
            #expect(dates == dates.sorted())
        }

        let full = try Kyniem.shell(#"timeout 60 "$KYNIEM" \#(command) >/dev/full"#, in: folder)
        #expect(full.status == 4)
        #expect(full.stderr == "kyniem: cannot write to standard output: No space left on device\n")
        let pipe = try Kyniem.shell(#"""
            timeout 60 "$KYNIEM" \#(command) 2>err | head -c 100 >/dev/null
            echo "status=${PIPESTATUS[0]}"; cat err
            """#, in: folder)
        #expect(pipe.stdout == "status=4\n")
    }

    @Test func aClosedPipeEndsQuietlyWithExitFour() throws {
        // Far more than a pipe holds, so the write meets the closed pipe.
        let result = try Kyniem.shell(#"""
            timeout 20 "$KYNIEM" calendar --year 2027 --format ics 2>err | true
            echo "status=${PIPESTATUS[0]}"; cat err
            """#)
        #expect(result.stdout == "status=4\n")
    }

    @Test func outputIntoAFolderWithoutWritePermissionIsExitFour() throws {
        let folder = Kyniem.temporaryFolder()
        let locked = folder.appendingPathComponent("locked")
        try FileManager.default.createDirectory(at: locked, withIntermediateDirectories: false)
        chmod(locked.path, 0o555)
        defer { chmod(locked.path, 0o755) }
        // Root writes anywhere; sysfs refuses even root.
        let target = geteuid() == 0 ? "/sys/kyniem-2027.ics" : locked.appendingPathComponent("2027.ics").path
        let result = try Kyniem.run(["calendar", "--year", "2027", "--output", target], in: folder)
        #expect(result.status == 4)
        #expect(result.stderr.hasPrefix("cannot write \(target): "), "\(result.stderr)")
        #expect(result.stderr.contains("Permission denied") || result.stderr.contains("Read-only file system"))
        #expect(try leftovers(locked).isEmpty)
    }

    @Test func aWriteThatFailsHalfwayLeavesNoTemporaryFile() throws {
        // A file-size limit makes the write fail after the temporary file exists (EFBIG).
        let folder = Kyniem.temporaryFolder()
        let result = try Kyniem.shell(#"""
            ulimit -f 1; trap '' XFSZ
            timeout 20 "$KYNIEM" calendar --year 2027 --output out.ics
            """#, in: folder)
        #expect(result.status == 4)
        #expect(result.stderr == "cannot write out.ics: File too large\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains("out.ics") }.isEmpty)
    }

    @Test func initThatCannotWriteIsExitFourAndLeavesNothing() throws {
        let folder = Kyniem.temporaryFolder()
        let result = try Kyniem.shell(#"ulimit -f 1; trap '' XFSZ; timeout 20 "$KYNIEM" init"#, in: folder)
        #expect(result.status == 4)
        #expect(result.stderr == "cannot write kyniem.yaml: File too large\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains("kyniem.yaml") }.isEmpty)
    }

    @Test func outputRefusesToReplaceAFIFOADirectoryOrADevice() throws {
        let folder = Kyniem.temporaryFolder()
        #expect(mkfifo(folder.appendingPathComponent("pipe").path, 0o644) == 0)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("dir"), withIntermediateDirectories: false)
        for (target, what) in [("pipe", "a FIFO"), ("dir", "a directory"), ("/dev/null", "a device")] {
            let result = try Kyniem.shell(#"timeout 20 "$KYNIEM" calendar --year 2027 --output \#(target)"#, in: folder)
            #expect(result.status == 4)
            #expect(result.stderr == "cannot write \(target): it is \(what), not a regular file; nothing was written\n")
        }
        #expect(try leftovers(folder).isEmpty)
    }

    @Test func replacingAFileKeepsItsModeAndWritesThroughALink() throws {
        let folder = Kyniem.temporaryFolder()
        let file = folder.appendingPathComponent("2027.csv")
        try "old".write(to: file, atomically: false, encoding: .utf8)
        chmod(file.path, 0o640)
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("link.csv").path, withDestinationPath: "2027.csv")
        let result = try Kyniem.run(["calendar", "--year", "2027", "--format", "csv", "--output", "link.csv"], in: folder)
        #expect(result.status == 0, "\(result.stderr)")
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o640)
        #expect(try String(contentsOf: file, encoding: .utf8).hasPrefix("date,"))
        let link = try FileManager.default.destinationOfSymbolicLink(atPath: folder.appendingPathComponent("link.csv").path)
        #expect(link == "2027.csv")
        #expect(try leftovers(folder).isEmpty)
    }

    @Test func aRunThatSentAndCannotPrintItsReportIsExitFourAndKeepsItsLedger() throws {
        let folder = try Self.office(notifiers: ["{id: log, type: file, path: sent}"])
        // Quiet by default: --verbose lists the deliveries on standard output, which is full.
        let full = try Kyniem.shell(#"timeout 20 "$KYNIEM" run --verbose --date 2027-05-12 >/dev/full"#, in: folder)
        #expect(full.status == 4)
        #expect(full.stderr.hasSuffix("kyniem: cannot write to standard output: No space left on device\n"), "\(full.stderr)")
        // The delivery was recorded as it happened: the next run sends nothing again.
        let again = try Kyniem.run(["run", "--date", "2027-05-12", "--format", "json"], in: folder)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.components(separatedBy: "skipped-already-sent").count - 1 == 1, "\(again.stdout)")
    }

    @Test func aConsoleThatCannotBeWrittenFailsItsDeliveriesForTheNextRun() throws {
        let folder = try Self.office(notifiers: ["{id: log, type: file, path: sent}", "{id: console, type: console}"])
        let full = try Kyniem.shell(#"timeout 20 "$KYNIEM" run --date 2027-05-12 >/dev/full"#, in: folder)
        // A delivery failed (exit 1 wins over 4): the digest printed into a full disk was not read by anyone.
        #expect(full.status == 1)
        #expect(full.stderr.contains("visit/2027-05-12/remind-0d/console: cannot write the console: No space left on device"))
        #expect(full.stderr.contains("kyniem: cannot write to standard output: No space left on device"))
        let again = try Kyniem.run(["run", "--date", "2027-05-12", "--format", "json"], in: folder)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains(#""key": "visit/2027-05-12/remind-0d/log", "notifier": "log", "event": "visit", "occurrence": "2027-05-12", "step": "remind-0d", "status": "skipped-already-sent""#), "\(again.stdout)")
        #expect(again.stdout.contains(#""notifier": "console", "event": "visit", "occurrence": "2027-05-12", "step": "remind-0d", "status": "sent""#))
    }

    /// A folder with a configuration: one event on 2027-05-12 reminded on the day, these notifiers.
    static func office(notifiers: [String]) throws -> URL {
        let folder = Kyniem.temporaryFolder()
        try """
            calendars: []
            state: state/ledger.sqlite
            reminders: {routine: [0d]}
            notifiers:
            \(notifiers.map { "  - " + $0 }.joined(separator: "\n"))
            events:
              - {id: visit, once: 2027-05-12, title: visit}

            """.write(to: folder.appendingPathComponent("kyniem.yaml"), atomically: true, encoding: .utf8)
        return folder
    }
}
