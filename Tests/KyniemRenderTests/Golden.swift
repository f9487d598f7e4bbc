import Foundation
import Testing

/// Golden files: compared byte for byte; rewritten in the source tree instead when
/// `RECORD_SNAPSHOTS` is set (`RECORD_SNAPSHOTS=1 swift test --filter KyniemRenderTests`).
enum Golden {
    /// The folder in the repository, found from this file's path, so recording edits the checkout.
    static let sourceFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Golden", isDirectory: true)

    static var recording: Bool { ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] != nil }

    /// The expected text: the bundled copy (the `.copy("Golden")` resource), else the source folder.
    static func expected(_ name: String) -> String? {
        if let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Golden"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        {
            return text
        }
        return try? String(contentsOf: sourceFolder.appendingPathComponent(name), encoding: .utf8)
    }

    static func path(_ name: String) -> String { sourceFolder.appendingPathComponent(name).path }

    static func check(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        if recording {
            try FileManager.default.createDirectory(at: sourceFolder, withIntermediateDirectories: true)
            try Data(actual.utf8).write(to: sourceFolder.appendingPathComponent(name))
            return
        }
        guard let expected = expected(name) else {
            Issue.record("no golden file \(name); run with RECORD_SNAPSHOTS=1 to create it", sourceLocation: sourceLocation)
            return
        }
        guard expected != actual else { return }
        // Point at the first differing line; CR is made visible since ICS and CSV end lines with CRLF.
        let a = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let b = actual.split(separator: "\n", omittingEmptySubsequences: false)
        var line = 0
        while line < min(a.count, b.count), a[line] == b[line] { line += 1 }
        func show(_ lines: [Substring]) -> String {
            line < lines.count ? lines[line].replacingOccurrences(of: "\r", with: "\\r") : "<end of file>"
        }
        let saved = FileManager.default.temporaryDirectory.appendingPathComponent("actual-" + name)
        try? Data(actual.utf8).write(to: saved)
        Issue.record(
            """
            \(name) differs from the golden file at line \(line + 1):
              expected: \(show(a))
              actual:   \(show(b))
            actual output saved to \(saved.path); RECORD_SNAPSHOTS=1 rewrites the golden file
            """, sourceLocation: sourceLocation)
    }
}
