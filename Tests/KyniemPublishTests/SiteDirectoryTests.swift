import Foundation
import Testing

@testable import KyniemPublish

@Suite struct SiteDirectoryTests {
    /// DIR with the state file and `a.txt` (0644), as a publish leaves it.
    static func site() throws -> String {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("kyniem-sitedir-\(UUID().uuidString)")
        let dir = parent.appendingPathComponent("site").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        #expect(chmod(dir, 0o755) == 0)
        for (name, text) in [(PublishState.fileName, "{\"kyniem-publish\": 1, \"events\": {}}\n"), ("a.txt", "old")] {
            let path = "\(dir)/\(name)"
            try text.write(toFile: path, atomically: false, encoding: .utf8)
            #expect(chmod(path, 0o644) == 0)
        }
        return dir
    }

    static func inode(_ path: String) -> UInt {
        var info = stat()
        return lstat(path, &info) == 0 ? UInt(info.st_ino) : 0
    }

    @Test func aReusedFileIsLinkedWithoutItsBytes() throws {
        let dir = try Self.site()
        let folder = try SiteDirectory(dir)
        #expect(folder.previous.size("a.txt") == 3)
        let before = Self.inode("\(dir)/a.txt")
        let state = try #require(FileManager.default.contents(atPath: "\(dir)/\(PublishState.fileName)"))
        let outcome = try folder.publish(
            [(PublishState.fileName, [UInt8](state)), ("a.txt", []), ("b.txt", Array("new".utf8))], reused: ["a.txt": 3])
        #expect(outcome == .replaced)
        #expect(Self.inode("\(dir)/a.txt") == before)
        #expect(try String(contentsOfFile: "\(dir)/a.txt", encoding: .utf8) == "old")
    }

    static func newDir() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("kyniem-sitedir-\(UUID().uuidString)/site").path
    }

    @Test func filesEmittedWhileBuildingAndTheRestMakeTheNewSite() throws {
        let dir = Self.newDir()
        try FileManager.default.createDirectory(
            atPath: (dir as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let folder = try SiteDirectory(dir)
        let files: [(path: String, bytes: [UInt8])] = (0..<40).map { index in
            ("\(["vi", "en", "feeds"][index % 3])/\(index % 2 == 0 ? "events/" : "")f\(index).txt", Array("file \(index)".utf8))
        } + [("big.bin", [UInt8](repeating: 7, count: SiteDirectory.writebackThreshold + 1)), (PublishState.fileName, Array("{}".utf8))]
        let result = try folder.publish { emit in
            guard let emit else {
                Issue.record("a new DIR is given an emit")
                return Site(files: files)
            }
            // Emitted from several threads at once, as the builder's jobs do; the last two are not.
            DispatchQueue.concurrentPerform(iterations: 4) { part in
                emit(Array(files[0..<40].enumerated().filter { $0.offset % 4 == part }.map(\.element)))
            }
            return Site(files: files)
        }
        #expect(result.outcome == .created && result.files == files.count)
        for file in files {
            #expect(FileManager.default.contents(atPath: "\(dir)/\(file.path)").map { [UInt8]($0) } == file.bytes)
            var info = stat()
            #expect(lstat("\(dir)/\(file.path)", &info) == 0 && info.st_mode & 0o7777 == 0o644)
        }
        for folder in ["", "/vi", "/vi/events", "/en/events", "/feeds"] {
            var info = stat()
            #expect(lstat(dir + folder, &info) == 0 && info.st_mode & 0o7777 == 0o755)
        }
        let parent = (dir as NSString).deletingLastPathComponent
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent) == ["site"])
    }

    @Test func aFailedEmittedWriteStopsTheNewSiteAndLeavesNothing() throws {
        let dir = Self.newDir()
        try FileManager.default.createDirectory(
            atPath: (dir as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let folder = try SiteDirectory(dir)
        #expect(throws: PublishFailure.self) {
            try folder.publish { emit in
                // The same path twice: the second O_EXCL create fails.
                emit?([("a.txt", Array("one".utf8))])
                emit?([("a.txt", Array("two".utf8))])
                return Site(files: [("a.txt", Array("one".utf8)), (PublishState.fileName, [])])
            }
        }
        let parent = (dir as NSString).deletingLastPathComponent
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent).isEmpty)
    }

    @Test func anExistingSiteIsBuiltWithoutEmitAndComparedFileByFile() throws {
        let dir = try Self.site()
        let folder = try SiteDirectory(dir)
        let before = Self.inode("\(dir)/a.txt")
        let state = try #require(FileManager.default.contents(atPath: "\(dir)/\(PublishState.fileName)"))
        let result = try folder.publish { emit in
            #expect(emit == nil)
            return Site(files: [(PublishState.fileName, [UInt8](state)), ("a.txt", Array("old".utf8)), ("b.txt", Array("new".utf8))])
        }
        #expect(result.outcome == .replaced && result.files == 3)
        // Unchanged bytes: the old file, linked.
        #expect(Self.inode("\(dir)/a.txt") == before)
        #expect(try String(contentsOfFile: "\(dir)/b.txt", encoding: .utf8) == "new")
    }

    @Test func aReusedFileGoneBeforeTheLockStopsThePublish() throws {
        let dir = try Self.site()
        let folder = try SiteDirectory(dir)
        try FileManager.default.removeItem(atPath: "\(dir)/a.txt")
        #expect(throws: PublishFailure.self) {
            try folder.publish([(PublishState.fileName, []), ("a.txt", []), ("b.txt", Array("new".utf8))], reused: ["a.txt": 3])
        }
        // The old site stays, and no staging folder is left beside it.
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/b.txt"))
        let parent = (dir as NSString).deletingLastPathComponent
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent) == ["site"])
    }
}
