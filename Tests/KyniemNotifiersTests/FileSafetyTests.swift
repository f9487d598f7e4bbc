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

/// The file notifier's folder and files (issue 9, part 5).
extension EdgeSecurityTests {
    // MARK: The file notifier

    @Test func aSymbolicLinkPlantedInTheFolderIsRefused() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let target = folder + "/elsewhere.txt"
        try "precious\n".write(toFile: target, atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: folder + "/out", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: folder + "/out/2023-09-14.md", withDestinationPath: target)
        let outcomes = FileNotifier(folder: folder + "/out").outcomes(for: batch("archive", title: "t"))
        let reasons = Set(outcomes.values.compactMap { if case .failed(let reason) = $0 { return reason } else { return nil } })
        #expect(reasons == ["refusing to write \(folder)/out/2023-09-14.md: it is a symbolic link (kyniem does not follow links in its folder)"])
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "precious\n")
    }

    @Test func theFolderIs0700AndTheFiles0600() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let out = folder + "/records/kyniem"
        let outcomes = FileNotifier(folder: out).outcomes(for: batch("archive", title: "t"))
        #expect(outcomes.values.filter(\.isSent).count == 2)
        func mode(_ path: String) -> mode_t {
            var status = stat()
            stat(path, &status)
            return status.st_mode & 0o7777
        }
        #expect(mode(folder + "/records") == 0o700)
        #expect(mode(out) == 0o700)
        #expect(mode(out + "/2023-09-14.md") == 0o600)
        #expect(mode(out + "/deliveries.jsonl") == 0o600)
    }

    @Test func carriageReturnsEndLinesInTheMarkdownAndAreEscapedInJSONLines() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let outcomes = FileNotifier(folder: folder).outcomes(
            for: batch("archive", title: "Visit\r# Fake", body: "# Digest\r\n\r## Visit\rline\u{85}next"))
        #expect(outcomes.values.filter(\.isSent).count == 2)
        let markdown = try String(contentsOfFile: folder + "/2023-09-14.md", encoding: .utf8)
        #expect(markdown == "# Digest\n\n## Visit\nline\nnext\n\n")
        let lines = try String(contentsOfFile: folder + "/deliveries.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.allSatisfy { !$0.unicodeScalars.contains("\r") })
        let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(first["title"] as? String == "Visit\r# Fake")
    }
}
