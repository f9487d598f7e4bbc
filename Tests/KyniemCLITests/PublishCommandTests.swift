import Foundation
import Testing

/// `kyniem publish DIR` end to end, on a small configuration (the bundled data is published and
/// served by nginx in `PublishServedTests`).
@Suite struct PublishCommandTests {
    static func configuration(japanTitle: String = "{ordinal} anniversary of Vietnam–Japan relations") -> String {
        """
        calendars: []
        events:
          - id: jp-relations
            kind: diplomatic-relations
            country: JP
            title: {vi: "Kỷ niệm {n} năm quan hệ ngoại giao Việt Nam – Nhật Bản", en: "\(japanTitle)"}
            date: 1973-09-21
          - id: la-national-day
            kind: national-day
            country: LA
            title: {vi: "Quốc khánh Lào lần thứ {n}", en: "{ordinal} National Day of the Lao PDR"}
            date: {month: 12, day: 2}
            since: 1975
        checklists:
          - for: {kinds: [diplomatic-relations]}
            tasks:
              - {id: letter, at: -14d, title: {vi: "Dự thảo thư chúc mừng", en: "Draft the congratulatory letter"}}
        """
    }

    static func folder(config: String = configuration()) throws -> URL {
        let folder = Kyniem.temporaryFolder()
        try config.write(to: folder.appendingPathComponent("kyniem.yaml"), atomically: true, encoding: .utf8)
        return folder
    }

    static func publish(_ folder: URL, _ extra: [String] = []) throws -> Kyniem.Result {
        try Kyniem.run(["publish", "site", "--date", "2026-11-29"] + extra, in: folder)
    }

    /// Every file under `root`: relative path → (bytes, mode, modification time).
    static func snapshot(_ root: URL) throws -> [String: (Data, Int, Date)] {
        var found: [String: (Data, Int, Date)] = [:]
        let walker = FileManager.default.enumerator(atPath: root.path)!
        while let relative = walker.nextObject() as? String {
            let path = root.appendingPathComponent(relative).path
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            let mode = (attributes[.posixPermissions] as? Int) ?? -1
            let date = (attributes[.modificationDate] as? Date) ?? .distantPast
            let data = attributes[.type] as? FileAttributeType == .typeDirectory
                ? Data("<folder>".utf8) : try Data(contentsOf: URL(fileURLWithPath: path))
            found[relative] = (data, mode, date)
        }
        return found
    }

    static func text(_ folder: URL, _ path: String) throws -> String {
        try String(contentsOf: folder.appendingPathComponent("site/\(path)"), encoding: .utf8)
    }

    /// The DTSTAMP and SEQUENCE lines of the event with `uid` in `feed`.
    static func revision(of uid: String, in feed: String) -> (stamp: String, sequence: String)? {
        let unfolded = feed.replacingOccurrences(of: "\r\n ", with: "")
        guard let start = unfolded.range(of: "UID:\(uid)\r\n") else { return nil }
        let rest = unfolded[start.upperBound...]
        let lines = rest.split(separator: "\r\n").prefix(3)
        let stamp = lines.first { $0.hasPrefix("DTSTAMP:") }.map { String($0.dropFirst(8)) }
        let sequence = lines.first { $0.hasPrefix("SEQUENCE:") }.map { String($0.dropFirst(9)) }
        guard let stamp, let sequence else { return nil }
        return (stamp, sequence)
    }

    @Test func writesTheFixedLayoutWithFixedModesWhateverTheUmask() throws {
        let folder = try Self.folder()
        let result = try Kyniem.shell(#"umask 077; timeout 60 "$KYNIEM" publish site --date 2026-11-29"#, in: folder)
        #expect(result.status == 0, "\(result.stderr)")
        let files = try Self.snapshot(folder.appendingPathComponent("site"))
        for path in [
            "index.html", "upcoming.json", "site.css", ".kyniem-publish.json", "feeds/kyniem-vi.ics",
            "feeds/kyniem-en.ics", "feeds/kyniem-vi-major.ics", "feeds/kyniem-vi-notable.ics",
            "feeds/kyniem-vi-routine.ics", "feeds/kyniem-en-tasks.ics", "vi/index.html", "en/index.html",
            "vi/2025.html", "vi/2028.html", "en/events/jp-relations.html", "vi/events/la-national-day.html",
        ] {
            #expect(files[path] != nil, "missing \(path)")
        }
        for (path, (data, mode, _)) in files {
            let isFolder = data == Data("<folder>".utf8)
            #expect(mode == (isFolder ? 0o755 : 0o644), "\(path): mode \(String(mode, radix: 8))")
        }
        var top = stat()
        #expect(stat(folder.appendingPathComponent("site").path, &top) == 0 && top.st_mode & 0o7777 == 0o755)
        // Nothing left beside DIR.
        let siblings = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(!siblings.contains { $0.contains(".kyniem-") }, "\(siblings)")

        let feed = try Self.text(folder, "feeds/kyniem-en.ics")
        for line in [
            "REFRESH-INTERVAL;VALUE=DURATION:PT12H", "X-PUBLISHED-TTL:PT12H", "X-WR-TIMEZONE:Asia/Ho_Chi_Minh",
            "X-WR-CALNAME:External affairs calendar", "UID:jp-relations-20280921@kyniem", "SEQUENCE:0",
            "TRIGGER:-P7D",
        ] {
            #expect(feed.contains(line + "\r\n"), "feed without \(line)")
        }
        // The window: from the first of the month a year back to the end of the month two years ahead.
        #expect(feed.contains("UID:la-national-day-20251202@kyniem"))
        #expect(feed.contains("UID:jp-relations-20250921@kyniem") == false)
        #expect(feed.contains("UID:la-national-day-20281202@kyniem") == false)
        let tasks = try Self.text(folder, "feeds/kyniem-en-tasks.ics")
        #expect(tasks.contains("UID:jp-relations-20280921-letter@kyniem\r\n"))
        #expect(tasks.contains("SUMMARY:Draft the congratulatory letter\r\n"))
        #expect(!tasks.contains("VTODO"))
        // Pages: each language in its folder, switching to the other.
        let index = try Self.text(folder, "en/index.html")
        #expect(index.contains("<html lang=\"en\">"))
        #expect(index.contains("href=\"../vi/index.html\""))
        #expect(index.contains("<main id=\"main\">") && index.contains("<nav ") && index.contains("<footer"))
        // Nothing fetched from elsewhere, and without a base URL no absolute link either.
        #expect(!index.contains("<script") && !index.contains("src=") && !index.contains("href=\"http"))
        #expect(!index.contains("href=\"webcal") && index.contains("href=\"../feeds/kyniem-en.ics\""))
        let root = try Self.text(folder, "index.html")
        #expect(root.contains("<html lang=\"vi\">") && root.contains("href=\"en/index.html\""))
        let event = try Self.text(folder, "en/events/jp-relations.html")
        #expect(event.contains("every year on 21 September, counting from 21 September 1973"))
        #expect(event.contains("Draft the congratulatory letter"))
    }

    @Test func aSecondPublishChangesNothingAndAnEditedEventOnlyItself() throws {
        let folder = try Self.folder()
        let site = folder.appendingPathComponent("site")
        var result = try Self.publish(folder)
        #expect(result.status == 0, "\(result.stderr)")
        let first = try Self.snapshot(site)
        let feed = try Self.text(folder, "feeds/kyniem-en.ics")

        Thread.sleep(forTimeInterval: 1.1)
        result = try Self.publish(folder)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("unchanged"))
        let second = try Self.snapshot(site)
        #expect(Set(first.keys) == Set(second.keys))
        for (path, (data, mode, date)) in first {
            #expect(second[path]?.0 == data && second[path]?.1 == mode && second[path]?.2 == date, "\(path) changed")
        }

        // A corrected title: that event's DTSTAMP and SEQUENCE move, the other event's stay, and
        // the files that do not show it keep their time.
        try Self.configuration(japanTitle: "{ordinal} anniversary of Japan–Vietnam diplomatic relations")
            .write(to: folder.appendingPathComponent("kyniem.yaml"), atomically: true, encoding: .utf8)
        Thread.sleep(forTimeInterval: 1.1)
        result = try Self.publish(folder)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("published"))
        let edited = try Self.text(folder, "feeds/kyniem-en.ics")
        let before = try #require(Self.revision(of: "jp-relations-20280921@kyniem", in: feed))
        let after = try #require(Self.revision(of: "jp-relations-20280921@kyniem", in: edited))
        #expect(before.sequence == "0" && after.sequence == "1")
        #expect(after.stamp > before.stamp)
        #expect(Self.revision(of: "la-national-day-20271202@kyniem", in: edited)! == Self.revision(of: "la-national-day-20271202@kyniem", in: feed)!)
        // The Vietnamese title did not change: its feed is the same file.
        let third = try Self.snapshot(site)
        #expect(third["feeds/kyniem-vi.ics"]!.0 == first["feeds/kyniem-vi.ics"]!.0)
        #expect(third["feeds/kyniem-vi.ics"]!.2 == first["feeds/kyniem-vi.ics"]!.2)
        #expect(third["vi/events/la-national-day.html"]!.2 == first["vi/events/la-national-day.html"]!.2)
        #expect(third["en/events/jp-relations.html"]!.0 != first["en/events/jp-relations.html"]!.0)
    }

    @Test func aRepublishWithTheSameInputsAndDateLeavesDIRUntouched() throws {
        let folder = try Self.folder()
        let site = folder.appendingPathComponent("site")
        var result = try Self.publish(folder)
        #expect(result.status == 0, "\(result.stderr)")
        // The state file records the whole site's inputs (date and base URL too) and its file count.
        let state = try Self.text(folder, ".kyniem-publish.json")
        let count = try #require(Self.snapshot(site).values.filter { $0.0 != Data("<folder>".utf8) }.count as Int?)
        #expect(state.prefix(while: { $0 != "\n" }).contains("\"site\": \""))
        #expect(state.prefix(while: { $0 != "\n" }).contains("\"files\": \(count), "))
        func folderStatus() throws -> (inode: Int, modified: Date) {
            let attributes = try FileManager.default.attributesOfItem(atPath: site.path)
            return ((attributes[.systemFileNumber] as? Int) ?? -1, (attributes[.modificationDate] as? Date) ?? .distantPast)
        }
        let first = try Self.snapshot(site)
        let top = try folderStatus()

        Thread.sleep(forTimeInterval: 1.1)
        result = try Self.publish(folder)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "site: unchanged (\(count) files)\n")
        // Not swapped, not rewritten: the same folder, every file with its bytes, mode and time.
        let second = try Self.snapshot(site)
        #expect(Set(first.keys) == Set(second.keys))
        for (path, (data, mode, date)) in first {
            #expect(second[path]?.0 == data && second[path]?.1 == mode && second[path]?.2 == date, "\(path) changed")
        }
        let again = try folderStatus()
        #expect(again.inode == top.inode && again.modified == top.modified)

        // Another base URL is another site: published, and the pages without links keep their time.
        result = try Self.publish(folder, ["--base-url", "https://example.org/kyniem"])
        #expect(result.stdout.contains("published"), "\(result.stdout)")
        let third = try Self.snapshot(site)
        #expect(third["en/index.html"]!.0 != first["en/index.html"]!.0)
        #expect(third["feeds/kyniem-en.ics"]!.2 == first["feeds/kyniem-en.ics"]!.2)
        #expect(try Self.publish(folder, ["--base-url", "https://example.org/kyniem"]).stdout.contains("unchanged"))

        // A file the fast path cannot vouch for (its mode changed) sends the run the long way,
        // which repairs it.
        let page = site.appendingPathComponent("en/index.html").path
        #expect(chmod(page, 0o600) == 0)
        result = try Self.publish(folder, ["--base-url", "https://example.org/kyniem"])
        #expect(result.stdout.contains("published"), "\(result.stdout)")
        #expect(try Self.snapshot(site)["en/index.html"]!.1 == 0o644)
        // A file gone: the same.
        try FileManager.default.removeItem(atPath: site.appendingPathComponent("upcoming.json").path)
        result = try Self.publish(folder, ["--base-url", "https://example.org/kyniem"])
        #expect(result.stdout.contains("published"), "\(result.stdout)")
        #expect(try Self.snapshot(site)["upcoming.json"]!.0 == third["upcoming.json"]!.0)
    }

    @Test func upcomingJSONIsWhatUpcomingPrints() throws {
        let folder = try Self.folder()
        let result = try Self.publish(folder, ["--lang", "en"])
        #expect(result.status == 0, "\(result.stderr)")
        let upcoming = try Kyniem.run(["upcoming", "--from", "2026-11-29", "--days", "90", "--format", "json"], in: folder)
        #expect(try Self.text(folder, "upcoming.json") == upcoming.stdout)
        // Only English asked for: no Vietnamese feeds or pages, and the top index is English.
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("site/vi").path))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("site/feeds/kyniem-vi.ics").path))
        #expect(try Self.text(folder, "index.html").contains("<html lang=\"en\">"))
    }

    @Test func subscriptionLinksUseTheBaseURL() throws {
        let folder = try Self.folder(config: Self.configuration() + "\npublish: {base_url: https://lich.example.gov.vn/kyniem/}\n")
        var result = try Self.publish(folder)
        #expect(result.status == 0, "\(result.stderr)")
        var index = try Self.text(folder, "vi/index.html")
        #expect(index.contains("href=\"webcal://lich.example.gov.vn/kyniem/feeds/kyniem-vi-major.ics\""))
        #expect(index.contains("href=\"https://lich.example.gov.vn/kyniem/feeds/kyniem-vi-major.ics\""))
        result = try Self.publish(folder, ["--base-url", "http://127.0.0.1:8080"])
        index = try Self.text(folder, "vi/index.html")
        #expect(index.contains("href=\"webcal://127.0.0.1:8080/feeds/kyniem-vi.ics\""))
        result = try Self.publish(folder, ["--base-url", "ftp://x"])
        #expect(result.status == 2 && result.stderr.contains("--base-url"))
        let bad = try Self.folder(config: Self.configuration() + "\npublish: {base_url: \"not a url\"}\n")
        result = try Self.publish(bad)
        #expect(result.status == 2 && result.stderr.contains("kyniem.yaml:"), "\(result.stderr)")
    }

    @Test func refusesAFolderThatIsNotKyniems() throws {
        let folder = try Self.folder()
        let site = folder.appendingPathComponent("site")
        try FileManager.default.createDirectory(at: site, withIntermediateDirectories: true)
        try "someone's web root".write(to: site.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
        var result = try Self.publish(folder)
        #expect(result.status == 2)
        #expect(result.stderr.contains("not a site kyniem published"), "\(result.stderr)")
        #expect(try String(contentsOf: site.appendingPathComponent("index.html"), encoding: .utf8) == "someone's web root")
        #expect(try FileManager.default.contentsOfDirectory(atPath: site.path) == ["index.html"])
        // A file is not a folder either.
        try "x".write(to: folder.appendingPathComponent("file"), atomically: true, encoding: .utf8)
        result = try Kyniem.run(["publish", "file", "--date", "2026-11-29"], in: folder)
        #expect(result.status == 2 && result.stderr.contains("not a folder"))
        // An empty folder is taken.
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("empty"), withIntermediateDirectories: true)
        result = try Kyniem.run(["publish", "empty", "--date", "2026-11-29"], in: folder)
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test func aWriteFailureIsExitFourAndLeavesTheOldSite() throws {
        let folder = try Self.folder()
        let site = folder.appendingPathComponent("site")
        var result = try Self.publish(folder)
        #expect(result.status == 0)
        let before = try Self.snapshot(site)
        try Self.configuration(japanTitle: "changed {ordinal}")
            .write(to: folder.appendingPathComponent("kyniem.yaml"), atomically: true, encoding: .utf8)
        // Files of at most 1 KiB: the new feeds cannot be written (EFBIG).
        result = try Kyniem.shell(
            #"ulimit -f 1; trap '' XFSZ; timeout 60 "$KYNIEM" publish site --date 2026-11-29"#, in: folder)
        #expect(result.status == 4, "\(result.stdout) \(result.stderr)")
        #expect(result.stderr.contains("cannot publish to site"), "\(result.stderr)")
        let after = try Self.snapshot(site)
        #expect(Set(before.keys) == Set(after.keys))
        for (path, (data, _, _)) in before { #expect(after[path]?.0 == data, "\(path) changed") }
        let siblings = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(!siblings.contains { $0.contains(".kyniem-") }, "\(siblings)")
        // A folder that cannot be made: exit 4 with the reason.
        result = try Kyniem.run(["publish", "kyniem.yaml/site", "--date", "2026-11-29"], in: folder)
        #expect(result.status == 4 && result.stderr.contains("Not a directory"), "\(result.stderr)")
    }

    @Test func argumentsAreChecked() throws {
        let folder = try Self.folder()
        var result = try Kyniem.run(["publish", "site", "--lang", "fr"], in: folder)
        #expect(result.status == 2 && result.stderr.contains("--lang"))
        result = try Kyniem.run(["publish", "site", "--date", "9999-01-01"], in: folder)
        #expect(result.status == 2 && result.stderr.contains("--date"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("site").path))
    }
}

/// The bundled data published, served by a real nginx, fetched over HTTP, parsed by two
/// independent iCalendar parsers, published again without a byte or ETag changing, and rendered
/// in headless Chromium (scripts/check-publish.py).
@Suite(.enabled(if: Nginx.path != nil, "nginx is not installed and could not be installed (apt-get install -y nginx)"))
struct PublishServedTests {
    @Test func servedFeedsParseAndASecondPublishKeepsEveryByteAndETag() throws {
        let script = Kyniem.repository.appendingPathComponent("scripts/check-publish.py").path
        let result = try Kyniem.run(
            ["python3", script, "--bin", Kyniem.binary.path], executable: URL(fileURLWithPath: "/usr/bin/env"),
            environment: ["PATH": (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin") + ":/usr/sbin:/sbin"])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("check-publish: all passed"), "\(result.stdout)")
    }
}

enum Nginx {
    /// nginx's path, installing the Debian package first when it is missing and apt-get can.
    static let path: String? = {
        func find() -> String? {
            ["/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx"].first { FileManager.default.isExecutableFile(atPath: $0) }
        }
        if let found = find() { return found }
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/apt-get") else { return nil }
        _ = try? Kyniem.shell("DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq nginx >/dev/null 2>&1")
        return find()
    }()
}
