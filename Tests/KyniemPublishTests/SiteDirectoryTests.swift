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
