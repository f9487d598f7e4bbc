import Foundation
import KyniemCore

/// `DIR/.kyniem-publish.json`: marks DIR as a site kyniem published (`kyniem publish` replaces
/// no folder without it unless the folder is empty), and remembers what each feed event looked
/// like, so that an unchanged event keeps its DTSTAMP and SEQUENCE and an unchanged calendar
/// gives byte-identical feeds.
///
/// ```
/// {"kyniem-publish": 1, "feeds": "9a3e…", "events": {
///   "en jp-relations-20280921@kyniem": {"hash": "5f0c…", "sequence": 0, "stamp": "20261129T010203Z"}
/// }}
/// ```
/// `feeds` is the fingerprint of everything the feeds (and the year pages) were rendered from
/// (`SiteBuilder`): when the next run's is the same, they and the events are taken over as they
/// are. `site` adds the run date and the base URL, everything the rest of the site is made from,
/// and `files` counts the site's files: a run with the same `site` finds the site it would write
/// already in place, and leaves DIR alone without building anything (`{"kyniem-publish": 1,
/// "feeds": "9a3e…", "site": "41c7…", "files": 856, "events": {`, all on the first line).
/// Keys are the feed's language and the event's UID (the same UID has different text in each
/// language). Written by hand with sorted keys, one event per line, so that it too is
/// byte-identical when nothing changed.
public struct PublishState: Sendable, Equatable {
    public static let fileName = ".kyniem-publish.json"
    static let format = 1

    public struct Revision: Sendable, Equatable {
        /// FNV-1a 64 of the event's text as published with a fixed DTSTAMP and SEQUENCE (16 hex digits).
        public var hash: String
        public var sequence: Int
        /// RFC 5545 UTC form, `20261129T010203Z`.
        public var stamp: String

        public init(hash: String, sequence: Int, stamp: String) {
            self.hash = hash
            self.sequence = sequence
            self.stamp = stamp
        }
    }

    public var revisions: [String: Revision]
    /// The fingerprint of the feeds' inputs, when the run that wrote the state knew it.
    public var feedInputs: String?
    /// The fingerprint of the whole site's inputs and its number of files, when the run knew them.
    public var site: Header.Site?

    public init(revisions: [String: Revision] = [:], feedInputs: String? = nil, site: Header.Site? = nil) {
        self.revisions = revisions
        self.feedInputs = feedInputs
        self.site = site
    }

    /// The first line of a state file in the layout `serialized` writes.
    public struct Header: Sendable, Equatable {
        public struct Site: Sendable, Equatable {
            public var inputs: String
            public var files: Int

            public init(inputs: String, files: Int) {
                self.inputs = inputs
                self.files = files
            }
        }

        public var feeds: String
        public var site: Site?
        /// Where the first line's `"events": {` ends: the events (or `}}`) follow.
        var end: Int

        /// Reads the first line only; nil when it has no `feeds` or the file is not whole.
        public init?(_ bytes: [UInt8]) {
            guard bytes.count >= 3, bytes.suffix(3).elementsEqual("}}\n".utf8),
                let newline = bytes.firstIndex(of: 0x0A)
            else { return nil }
            var line = bytes[..<newline]
            func take(_ text: String) -> Bool {
                guard line.starts(with: text.utf8) else { return false }
                line = line.dropFirst(text.utf8.count)
                return true
            }
            func hex() -> String? {
                let digits = line.prefix(16)
                guard digits.count == 16,
                    digits.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) })
                else { return nil }
                line = line.dropFirst(16)
                return String(decoding: digits, as: UTF8.self)
            }
            guard take("{\"kyniem-publish\": \(PublishState.format), \"feeds\": \""), let feeds = hex(), take("\", ")
            else { return nil }
            self.feeds = feeds
            self.site = nil
            if take("\"site\": \"") {
                guard let inputs = hex(), take("\", \"files\": ") else { return nil }
                let digits = line.prefix { $0 >= 0x30 && $0 <= 0x39 }
                guard !digits.isEmpty, digits.count < 10, let files = Int(String(decoding: digits, as: UTF8.self))
                else { return nil }
                line = line.dropFirst(digits.count)
                guard take(", ") else { return nil }
                site = Site(inputs: inputs, files: files)
            }
            guard take("\"events\": {"), line.isEmpty || line.elementsEqual("}}".utf8) else { return nil }
            end = newline - line.count
        }
    }

    /// Parses a state file; nil when it is not one this version wrote (then every event starts afresh).
    public init?(bytes: [UInt8]) {
        if let revisions = Self.parseOwnLayout(bytes) {
            self.revisions = revisions
            let header = Header(bytes)
            self.feedInputs = header?.feeds
            self.site = header?.site
            return
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
            object["kyniem-publish"] as? Int == Self.format, let events = object["events"] as? [String: Any]
        else { return nil }
        var revisions: [String: Revision] = [:]
        for (key, value) in events {
            guard let fields = value as? [String: Any], let hash = fields["hash"] as? String,
                let sequence = fields["sequence"] as? Int, let stamp = fields["stamp"] as? String,
                sequence >= 0, Self.isStamp(stamp)
            else { return nil }
            revisions[key] = Revision(hash: hash, sequence: sequence, stamp: stamp)
        }
        self.revisions = revisions
        self.feedInputs = object["feeds"] as? String
        self.site = nil
    }

    /// The `feeds` fingerprint of a state file in the layout `serialized` writes, read from its
    /// first line only; nil when there is none or the file is not whole.
    public static func feedInputs(in bytes: [UInt8]) -> String? {
        Header(bytes)?.feeds
    }

    /// The state file `bytes` with its first line's `site` set to `site`, the events as they are;
    /// nil when `bytes` is not in the layout `serialized` writes.
    public static func replacingSite(in bytes: [UInt8], with site: Header.Site) -> [UInt8]? {
        guard let header = Header(bytes) else { return nil }
        let state = PublishState(feedInputs: header.feeds, site: site)
        return Array(state.firstLine.utf8) + bytes[header.end...]
    }

    /// The layout `serialized` writes, read line by line: ten times faster than a general JSON
    /// parser on the bundled data's 11,000 events. Anything else goes to the general parser.
    static func parseOwnLayout(_ bytes: [UInt8]) -> [String: Revision]? {
        let text = String(decoding: bytes, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)[...]
        guard let first = lines.first, first.hasPrefix("{\"kyniem-publish\": \(format), "),
            first.hasSuffix("\"events\": {")
        else { return nil }
        lines = lines.dropFirst()
        guard lines.last == "", lines.dropLast().last == "}}" else { return nil }
        lines = lines.dropLast(2)
        var revisions: [String: Revision] = [:]
        revisions.reserveCapacity(lines.count)
        for var line in lines {
            if line.hasSuffix(",") { line = line.dropLast() }
            // `  "KEY": {"hash": "H", "sequence": N, "stamp": "S"}`
            let parts = line.split(separator: "\"", omittingEmptySubsequences: false)
            guard parts.count == 13, parts[0] == "  ", parts[2] == ": {", parts[3] == "hash", parts[4] == ": ",
                parts[6] == ", ", parts[7] == "sequence", parts[9] == "stamp", parts[10] == ": ", parts[12] == "}",
                parts[8].hasPrefix(": "), parts[8].hasSuffix(", "),
                let sequence = Int(parts[8].dropFirst(2).dropLast(2)), sequence >= 0, isStamp(String(parts[11]))
            else { return nil }
            revisions[String(parts[1])] = Revision(hash: String(parts[5]), sequence: sequence, stamp: String(parts[11]))
        }
        return revisions
    }

    /// `{"kyniem-publish": 1, "feeds": "…", "site": "…", "files": N, "events": {`, no newline.
    var firstLine: String {
        var out = "{\"kyniem-publish\": \(Self.format), "
        if let feedInputs {
            out += "\"feeds\": \(JSONText.string(feedInputs)), "
            if let site { out += "\"site\": \(JSONText.string(site.inputs)), \"files\": \(site.files), " }
        }
        return out + "\"events\": {"
    }

    public var serialized: String { String(decoding: serializedBytes, as: UTF8.self) }

    /// `serialized` as UTF-8, written as bytes: the bundled data's 11,000 events are over a
    /// megabyte, and a String built piece by piece costs several times the copying.
    public var serializedBytes: [UInt8] {
        Self.assemble(firstLine: firstLine, [Self.eventLines(revisions)])
    }

    /// The state file from its first line and runs of event lines (`eventLines`), each run's keys
    /// all after the previous run's (each language's events, in the order of the languages'
    /// `"LANG "` key prefixes): what `serializedBytes` gives for all the events at once.
    static func assemble(firstLine: String, _ runs: [[UInt8]]) -> [UInt8] {
        var out = Array(firstLine.utf8)
        out.reserveCapacity(out.count + runs.reduce(0) { $0 + $1.count + 2 } + 4)
        var first = true
        for run in runs where !run.isEmpty {
            out.append(contentsOf: first ? "\n".utf8 : ",\n".utf8)
            out.append(contentsOf: run)
            first = false
        }
        out.append(contentsOf: first ? "}}\n".utf8 : "\n}}\n".utf8)
        return out
    }

    /// One line per event in key order, `  "KEY": {"hash": …, "sequence": …, "stamp": …}`,
    /// joined by `,\n`, with no newline before the first or after the last.
    static func eventLines(_ revisions: [String: Revision]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(revisions.count * 112)
        for (index, (key, revision)) in sorted(revisions).enumerated() {
            out.append(contentsOf: index == 0 ? "  ".utf8 : ",\n  ".utf8)
            JSONText.appendString(key, to: &out)
            out.append(contentsOf: ": {\"hash\": ".utf8)
            JSONText.appendString(revision.hash, to: &out)
            out.append(contentsOf: ", \"sequence\": ".utf8)
            out.append(contentsOf: String(revision.sequence).utf8)
            out.append(contentsOf: ", \"stamp\": ".utf8)
            JSONText.appendString(revision.stamp, to: &out)
            out.append(UInt8(ascii: "}"))
        }
        return out
    }

    /// The revisions by key in String order. ASCII keys (UIDs are) are compared as bytes, which
    /// is the same order and several times faster than String comparison.
    static func sorted(_ revisions: [String: Revision]) -> [(key: String, revision: Revision)] {
        var rows: [(bytes: [UInt8], key: String, revision: Revision)] = []
        rows.reserveCapacity(revisions.count)
        var ascii = true
        for (key, revision) in revisions {
            let bytes = Array(key.utf8)
            if ascii, bytes.contains(where: { $0 >= 0x80 }) { ascii = false }
            rows.append((bytes, key, revision))
        }
        if ascii {
            rows.sort { a, b in
                a.bytes.withUnsafeBufferPointer { x in
                    b.bytes.withUnsafeBufferPointer { y in
                        let common = min(x.count, y.count)
                        let order = common == 0 ? 0 : memcmp(x.baseAddress!, y.baseAddress!, common)
                        return order != 0 ? order < 0 : x.count < y.count
                    }
                }
            }
        } else {
            rows.sort { $0.key < $1.key }
        }
        return rows.map { ($0.key, $0.revision) }
    }

    /// `20261129T010203Z`: a stamp goes into the feeds as it is, so nothing else is accepted.
    static func isStamp(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 16, bytes[8] == UInt8(ascii: "T"), bytes[15] == UInt8(ascii: "Z") else { return false }
        return bytes.enumerated().allSatisfy { index, byte in
            index == 8 || index == 15 || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
        }
    }
}
