import Foundation
import KyniemConfig
import KyniemCore
import KyniemDispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `type: file`, `path: FOLDER` — keeps a written record of every run in a folder:
/// - `YYYY-MM-DD.md` (the run date): each run that day appends its Markdown digest;
/// - `deliveries.jsonl`: one JSON object per delivery and line:
///   `{"key", "event", "occurrence", "step", "title", "body", "due", "late", "status", "at", "notifier"}`
///   (the members the webhook and plugins send, `OutgoingDelivery.jsonMembers`, then the record's own).
///
/// Each file gets one `write(2)` per run on an `O_APPEND` descriptor, so a crash never leaves
/// half a batch behind, and a reader never sees a line cut in two. A batch that was written but
/// not recorded in the ledger (a kill between the two) is appended again by the next run.
///
/// The record is the office's own: folders kyniem creates are 0700 and files 0600, set with
/// chmod/fchmod so the umask can't widen (or narrow) them. A file is opened with `O_NOFOLLOW`: a
/// symbolic link planted in the folder (pointing at `~/.ssh/authorized_keys`, say) is refused,
/// not written through. In the Markdown, CR and CR LF end a line like LF does (a title holding
/// a lone CR would otherwise hide a heading of its own from some readers but not others).
public struct FileNotifier: Notifier {
    public let folder: String

    public init(folder: String) {
        self.folder = folder
    }

    /// The settings this type takes besides the common ones.
    static let settingKeys = ["path"]

    /// The folder `path:` names, as written (relative to the configuration's folder), read with
    /// the typed settings: a list, a map or an empty value is a problem at its value, and an
    /// unknown key (`paht:`) at the key.
    static func folder(_ spec: NotifierSpec) -> Result<String, ConfigurationErrors> {
        var settings = NotifierSettings(spec)
        let path = settings.string("path", required: true)
        settings.rejectUnknownKeys(settingKeys)
        guard let path, settings.problems.isEmpty else { return .failure(ConfigurationErrors(settings.problems)) }
        return .success(path)
    }

    public func send(_ batch: NotifierBatch, outcomes: OutcomeSink) {
        if let problem = Self.createFolder(folder) {
            return outcomes.failUnreported(batch, "cannot create folder \(folder): \(problem)")
        }
        let digestPath = (folder as NSString).appendingPathComponent("\(batch.runDate.iso).md")
        let markdown = ControlCharacters.lines(batch.digest.body).joined(separator: "\n")
        if let problem = Self.append(markdown + "\n\n", to: digestPath) {
            return outcomes.failUnreported(batch, problem)
        }
        let lines = batch.deliveries.map { outgoing -> String in
            JSONText.object(outgoing.jsonMembers + [
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

    /// Creates `path` and any missing folder above it, each 0700 (whatever the umask); nil once
    /// it is a folder, else why not. Folders that exist keep their mode: they are the owner's.
    static func createFolder(_ path: String) -> String? {
        var status = stat()
        if stat(path, &status) == 0 {
            return (status.st_mode & S_IFMT) == S_IFDIR ? nil : "something else than a folder is in the way"
        }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty && parent != path, let problem = createFolder(parent) { return problem }
        if mkdir(path, 0o700) != 0 {
            if errno == EEXIST, stat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR { return nil }
            return String(cString: strerror(errno))
        }
        // mkdir's mode passes through the umask; chmod's does not.
        _ = chmod(path, 0o700)
        return nil
    }

    /// Appends `text` with one write on an O_APPEND descriptor; nil on success, else the reason.
    /// A new file is 0600; a symbolic link or anything but a regular file is refused.
    static func append(_ text: String, to path: String) -> String? {
        // O_NONBLOCK: a FIFO planted in the folder must not hang the run in open(2); it has no
        // effect on a regular file.
        let flags = O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK
        var fd = open(path, flags | O_CREAT | O_EXCL, 0o600)
        if fd >= 0 {
            // The umask may have taken bits off open's mode, and only ever takes them off; this
            // says exactly what the file is.
            _ = fchmod(fd, 0o600)
        } else if errno == EEXIST {
            fd = open(path, flags)
        }
        guard fd >= 0 else {
            if errno == ELOOP {
                return "refusing to write \(path): it is a symbolic link (kyniem does not follow links in its folder)"
            }
            return "cannot open \(path): \(String(cString: strerror(errno)))"
        }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            return "refusing to write \(path): it is not a regular file"
        }
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
