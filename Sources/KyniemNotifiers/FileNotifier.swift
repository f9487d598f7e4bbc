import Foundation
import KyniemCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `type: file`, `path: FOLDER` — keeps a written record of every run in a folder:
/// - `YYYY-MM-DD.md` (the run date): each run that day appends its Markdown digest;
/// - `deliveries.jsonl`: one JSON object per delivery and line:
///   `{"key", "event", "occurrence", "step", "due", "title", "body", "status", "at", "notifier"}`.
///
/// Each file gets one `write(2)` per run on an `O_APPEND` descriptor, so a crash never leaves
/// half a batch behind, and a reader never sees a line cut in two. A batch that was written but
/// not recorded in the ledger (a kill between the two) is appended again by the next run.
public struct FileNotifier: Notifier {
    public let folder: String

    public init(folder: String) {
        self.folder = folder
    }

    public func send(_ batch: NotifierBatch, outcomes: OutcomeSink) {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            return outcomes.failUnreported(batch, "cannot create folder \(folder): \(error.localizedDescription)")
        }
        let digestPath = (folder as NSString).appendingPathComponent("\(batch.runDate.iso).md")
        if let problem = Self.append(batch.digest.body + "\n\n", to: digestPath) {
            return outcomes.failUnreported(batch, problem)
        }
        let lines = batch.deliveries.map { outgoing -> String in
            let delivery = outgoing.delivery
            return JSONText.object([
                ("key", JSONText.quote(delivery.key)),
                ("event", JSONText.quote(delivery.occurrence.event.id)),
                ("occurrence", JSONText.quote(delivery.occurrence.date.iso)),
                ("step", JSONText.quote(delivery.step.id)),
                ("due", JSONText.quote(delivery.step.due.iso)),
                ("title", JSONText.quote(outgoing.message.title)),
                ("body", JSONText.quote(outgoing.message.body)),
                ("status", JSONText.quote("sent")),
                ("at", JSONText.quote(batch.timestamp)),
                ("notifier", JSONText.quote(batch.notifier)),
            ]) + "\n"
        }
        let logPath = (folder as NSString).appendingPathComponent("deliveries.jsonl")
        if let problem = Self.append(lines.joined(), to: logPath) {
            return outcomes.failUnreported(batch, problem)
        }
        outcomes.sentAll(batch)
    }

    /// Appends `text` with one write on an O_APPEND descriptor; nil on success, else the reason.
    static func append(_ text: String, to path: String) -> String? {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return "cannot open \(path): \(String(cString: strerror(errno)))" }
        defer { close(fd) }
        var bytes = Array(text.utf8)
        let total = bytes.count
        let written = bytes.withUnsafeMutableBytes { buffer -> Int in
            var count: Int
            repeat {
                count = write(fd, buffer.baseAddress, total)
            } while count < 0 && errno == EINTR
            return count
        }
        if written < 0 { return "cannot write \(path): \(String(cString: strerror(errno)))" }
        if written < total {
            // A regular file only writes short when the disk is full; say so rather than retry
            // and split the batch in two.
            return "short write to \(path) (\(written) of \(total) bytes): disk full?"
        }
        return nil
    }
}
