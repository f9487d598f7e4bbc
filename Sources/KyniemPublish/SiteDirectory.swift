import CFileSwap
import Foundation
import KyniemCore

/// Why a publish did not happen: `refused` (exit 2: DIR is not kyniem's) or `unwritable` (exit 4).
public struct PublishFailure: Error, Sendable {
    public enum Kind: Sendable { case refused, unwritable }
    public let kind: Kind
    public let message: String
}

/// The folder a site is published into, and the one place `kyniem publish` writes.
///
/// The new site is built in a sibling folder, `DIR.kyniem-new-XXXXXXXX`, and swapped in with
/// one `renameat2(RENAME_EXCHANGE)` (Linux 3.15+), so that a web server serving DIR sees the
/// whole old site or the whole new one, never a mixture; where the file system cannot exchange,
/// the old folder is renamed aside and the new one renamed in (a moment with no DIR at all, but
/// never half a site). A file whose bytes did not change is hard-linked from the old site, so
/// it keeps its modification time, and a web server its ETag and Last-Modified; when nothing at
/// all changed, DIR is not touched. Files are 0644 and folders 0755 whatever the umask. Any
/// failure leaves the old site in place and removes the sibling folder.
public struct SiteDirectory {
    /// DIR as given.
    public let path: String
    /// The real folder (a symbolic link DIR is followed, so the link itself stays).
    let target: String
    /// What the previous publish left, when DIR holds a site kyniem published (else `.none`).
    public let previous: PreviousPublish
    let exists: Bool

    public enum Outcome: Sendable, Equatable {
        case created, replaced, unchanged
    }

    /// Looks at DIR: a missing or empty folder, or one with kyniem's state file, is accepted;
    /// anything else is refused, so that a web root is never replaced by mistake.
    public init(_ path: String) throws(PublishFailure) {
        self.path = path
        var info = stat()
        guard lstat(path, &info) == 0 else {
            guard errno == ENOENT else { throw Self.failure(path, path) }
            target = path
            previous = .none
            exists = false
            return
        }
        var resolved = path
        if info.st_mode & S_IFMT == S_IFLNK {
            guard let real = realpath(path, nil) else { throw Self.failure(path, path) }
            resolved = String(cString: real)
            free(real)
            guard stat(resolved, &info) == 0 else { throw Self.failure(path, resolved) }
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw PublishFailure(kind: .refused, message: "\(path) is not a folder; nothing was published")
        }
        target = resolved
        exists = true
        let marker = "\(resolved)/\(PublishState.fileName)"
        var markerInfo = stat()
        if lstat(marker, &markerInfo) == 0, markerInfo.st_mode & S_IFMT == S_IFREG {
            // kyniem's: an unreadable state only costs the events' revisions (they start afresh).
            previous = PreviousPublish(
                stateBytes: (try? Self.read(marker)) ?? [],
                file: { [resolved] relative in Self.plainFile("\(resolved)/\(relative)") },
                size: { [resolved] relative in Self.plainSize("\(resolved)/\(relative)") })
            return
        }
        let entries: [String]
        do {
            entries = try FileManager.default.contentsOfDirectory(atPath: resolved)
        } catch {
            throw PublishFailure(kind: .unwritable, message: "cannot read \(path): \(error.localizedDescription)")
        }
        guard entries.isEmpty else {
            throw PublishFailure(
                kind: .refused,
                message: "\(path) is not empty and has no \(PublishState.fileName), so it is not a site kyniem "
                    + "published; refusing to replace it (publish into a new or empty folder); nothing was published")
        }
        previous = .none
    }

    /// The number of DIR's files when the last publish recorded the site inputs `inputs` (its state
    /// file's `site`) and DIR still has that many files, all 0644 regular files in 0755 folders:
    /// then the site this run would build is already there, and DIR is left as it is. Nil when the
    /// site has to be built. Takes the publish lock, so it sees a whole site.
    public func unchangedSite(inputs: String) throws(PublishFailure) -> Int? {
        guard exists, let recorded = PublishState.Header(previous.stateBytes)?.site, recorded.inputs == inputs
        else { return nil }
        return try locked { () throws(PublishFailure) -> Int? in
            // Read again under the lock: another publish may have replaced DIR since.
            guard let bytes = try? Self.read("\(target)/\(PublishState.fileName)"),
                PublishState.Header(bytes)?.site == recorded, plainTree(folders: nil) == recorded.files
            else { return nil }
            return recorded.files
        }
    }

    /// Writes `files` (paths relative to DIR) as the new site. The files in `reused` (path and
    /// size) are DIR's file of that path as it is, listed without bytes: that file, still a 0644
    /// regular file of that size, is kept (linked) without being read.
    public func publish(_ files: [(path: String, bytes: [UInt8])], reused: [String: Int] = [:]) throws(PublishFailure) -> Outcome {
        try locked { () throws(PublishFailure) -> Outcome in try publishLocked(files, reused: reused) }
    }

    /// Builds the new site with `build` and publishes it, holding the publish lock throughout.
    /// Into a new DIR, `build` is given an `emit` that writes files into the sibling folder as
    /// they are handed over (from any thread), so that writing overlaps rendering; the files the
    /// site lists that were not emitted are written after it. Into an existing DIR, `build` gets
    /// nil and the site is published as `publish(_:reused:)` does (each file compared with DIR's).
    /// Returns the outcome and the number of files in the site.
    public func publish(
        building build: (_ emit: (@Sendable ([(path: String, bytes: [UInt8])]) -> Void)?) -> Site
    ) throws(PublishFailure) -> (outcome: Outcome, files: Int) {
        try locked { () throws(PublishFailure) -> (outcome: Outcome, files: Int) in
            guard !exists else {
                let site = build(nil)
                return (try publishLocked(site.files, reused: site.reused), site.files.count)
            }
            let (parentPath, base) = Self.split(target)
            let staging = "\(parentPath)/\(base).kyniem-new-\(Self.suffix())"
            guard mkdir(staging, 0o755) == 0, chmod(staging, 0o755) == 0 else { throw Self.failure(path, staging) }
            let writer = StagingWriter(staging: staging, dir: path)
            // What is already dirty on the file system (other programs' writes too) is flushed
            // while the site is rendered, not in the final syncfs.
            writer.flushInBackground()
            let site = build { files in writer.write(files) }
            do throws(PublishFailure) {
                try writer.finish(site.files)
                try Self.syncFileSystem(of: staging, dir: path)
                try swap(staging, parent: parentPath, base: base)
            } catch {
                Self.remove(staging)
                throw error
            }
            return (.created, site.files.count)
        }
    }

    /// Runs `body` holding the lock on DIR's parent folder, after removing a killed run's leftovers.
    private func locked<T>(_ body: () throws(PublishFailure) -> T) throws(PublishFailure) -> T {
        let (parentPath, base) = Self.split(target)
        // One publish at a time next to DIR: the lock makes removing a killed run's leftovers safe.
        let lock = open(parentPath, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard lock >= 0 else { throw Self.failure(path, parentPath) }
        defer { close(lock) }
        guard flock(lock, LOCK_EX) == 0 else { throw Self.failure(path, parentPath) }
        defer { flock(lock, LOCK_UN) }
        removeLeftovers(in: parentPath, base: base)
        return try body()
    }

    private func publishLocked(_ files: [(path: String, bytes: [UInt8])], reused: [String: Int]) throws(PublishFailure) -> Outcome {
        let (parentPath, base) = Self.split(target)
        // Each old file looked at once: its status when it holds the new bytes, else nil. On
        // every core: the next day's publish reads ~830 old files to compare them.
        let target = self.target
        let same: [stat?] = exists
            ? Parallel.chunks(count: files.count, minimumChunk: 64) { range in
                range.map { index -> stat? in
                    let file = files[index]
                    let old = "\(target)/\(file.path)"
                    if let size = reused[file.path] { return Self.plainStatus(old, size: size) }
                    return Self.sameFile(old, file.bytes)
                }
            }.flatMap { $0 }
            : []
        for (file, old) in zip(files, same) where reused[file.path] != nil && old == nil {
            // Taken over, then changed or removed by something else before the lock: no bytes to write.
            throw PublishFailure(
                kind: .unwritable,
                message: "cannot publish to \(path): \(target)/\(file.path) changed while the site was built; "
                    + "the previous site is unchanged (run again)")
        }
        if exists, same.allSatisfy({ $0 != nil }), unchanged(files) { return .unchanged }

        let staging = "\(parentPath)/\(base).kyniem-new-\(Self.suffix())"
        guard mkdir(staging, 0o755) == 0, chmod(staging, 0o755) == 0 else { throw Self.failure(path, staging) }
        do throws(PublishFailure) {
            try fill(staging, with: files, same: same, reused: reused)
            try swap(staging, parent: parentPath, base: base)
        } catch {
            Self.remove(staging)
            throw error
        }
        return exists ? .replaced : .created
    }

    // MARK: - Steps

    /// True when DIR holds exactly these files and nothing else, in 0755 folders (the files'
    /// bytes and modes are checked by the caller).
    private func unchanged(_ files: [(path: String, bytes: [UInt8])]) -> Bool {
        var folders: Set<String> = [""]
        for file in files {
            var folder = (file.path as NSString).deletingLastPathComponent
            while !folder.isEmpty, folders.insert(folder).inserted {
                folder = (folder as NSString).deletingLastPathComponent
            }
        }
        return plainTree(folders: folders) == files.count
    }

    /// The number of regular files under DIR when DIR and every folder in it are 0755 (and among
    /// `folders`, when given), every file is 0644, and there is nothing else; nil otherwise.
    private func plainTree(folders: Set<String>?) -> Int? {
        var top = stat()
        guard stat(target, &top) == 0, top.st_mode & 0o7777 == 0o755 else { return nil }
        var found = 0
        guard let walker = FileManager.default.enumerator(atPath: target) else { return nil }
        while let relative = walker.nextObject() as? String {
            var info = stat()
            guard lstat("\(target)/\(relative)", &info) == 0 else { return nil }
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                guard folders?.contains(relative) ?? true, info.st_mode & 0o7777 == 0o755 else { return nil }
            case S_IFREG:
                guard info.st_mode & 0o7777 == 0o644 else { return nil }
                found += 1
            default: return nil
            }
        }
        return found
    }

    /// The size of a 0644 regular file, nil for anything else.
    static func plainSize(_ path: String) -> Int? {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_mode & 0o7777 == 0o644 else { return nil }
        return Int(info.st_size)
    }

    /// The status of a 0644 regular file of `size` bytes, nil for anything else.
    static func plainStatus(_ path: String, size: Int) -> stat? {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_mode & 0o7777 == 0o644,
            Int(info.st_size) == size
        else { return nil }
        return info
    }

    /// The bytes of a 0644 regular file, nil for anything else.
    static func plainFile(_ path: String) -> [UInt8]? {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_mode & 0o7777 == 0o644 else { return nil }
        return try? read(path)
    }

    /// The folder holding `path` and its last component. Not NSString's path methods, which
    /// trap on a one-component relative path (`kyniem publish site`).
    static func split(_ path: String) -> (parent: String, name: String) {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return (".", String(trimmed)) }
        let parent = trimmed[..<slash]
        return (parent.isEmpty ? "/" : String(parent), String(trimmed[trimmed.index(after: slash)...]))
    }

    /// The old file's status when it is a 0644 regular file holding exactly `bytes`.
    private static func sameFile(_ path: String, _ bytes: [UInt8]) -> stat? {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_mode & 0o7777 == 0o644,
            Int(info.st_size) == bytes.count, let old = try? Self.read(path), old == bytes
        else { return nil }
        return info
    }

    private func fill(
        _ staging: String, with files: [(path: String, bytes: [UInt8])], same: [stat?], reused: [String: Int]
    ) throws(PublishFailure) {
        // The folders first, then the files on every core: creating 800 small files is mostly
        // the file system's work, and two folders' files do not wait on each other.
        var made: Set<String> = []
        try Self.makeFolders(for: files.lazy.map(\.path), in: staging, made: &made, dir: path)
        let (dir, target, exists) = (self.path, self.target, self.exists)
        let failures = Parallel.chunks(count: files.count, minimumChunk: 64) { range -> PublishFailure? in
            do throws(PublishFailure) {
                for index in range {
                    try Self.place(
                        files[index], in: staging, same: exists ? same[index] : nil, reused: reused, target: target, dir: dir)
                }
                return nil
            } catch {
                return error
            }
        }
        if let failure = failures.lazy.compactMap({ $0 }).first { throw failure }
        try Self.syncFileSystem(of: staging, dir: path)
    }

    /// Everything on disk before the swap makes it visible (one call for the whole tree).
    static func syncFileSystem(of staging: String, dir: String) throws(PublishFailure) {
        let fd = open(staging, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw failure(dir, staging) }
        defer { close(fd) }
        guard kyniem_sync_filesystem(fd) == 0 else { throw failure(dir, staging) }
    }

    /// Makes the folders (0755) that hold `paths` inside `staging`, each once: `made` lists the
    /// ones already there (relative to `staging`).
    static func makeFolders(
        for paths: some Sequence<String>, in staging: String, made: inout Set<String>, dir: String
    ) throws(PublishFailure) {
        for file in paths {
            let folder = (file as NSString).deletingLastPathComponent
            guard !folder.isEmpty, !made.contains(folder) else { continue }
            var path = ""
            for part in folder.split(separator: "/") {
                path += path.isEmpty ? String(part) : "/\(part)"
                guard made.insert(path).inserted else { continue }
                let full = "\(staging)/\(path)"
                guard mkdir(full, 0o755) == 0, chmod(full, 0o755) == 0 else { throw failure(dir, full) }
            }
        }
    }

    /// Writes one file of the new site into `staging`; `old`: the old site's file of that path,
    /// when it holds the new bytes (linked, so it keeps its time).
    private static func place(
        _ file: (path: String, bytes: [UInt8]), in staging: String, same old: stat?, reused: [String: Int],
        target: String, dir: String
    ) throws(PublishFailure) {
        let destination = "\(staging)/\(file.path)"
        guard let old else {
            try write(file.bytes, to: destination, dir: dir)
            return
        }
        // Unchanged: the same file, so its time (and the server's ETag) stays.
        let source = "\(target)/\(file.path)"
        if link(source, destination) == 0 { return }
        var bytes = file.bytes
        if let size = reused[file.path] {
            guard let old = try? read(source), old.count == size else { throw failure(dir, source) }
            bytes = old
        }
        try write(bytes, to: destination, dir: dir)
        var times = [old.st_atim, old.st_mtim]
        _ = utimensat(AT_FDCWD, destination, &times, 0)
    }

    private func swap(_ staging: String, parent: String, base: String) throws(PublishFailure) {
        if !exists {
            guard rename(staging, target) == 0 else { throw Self.failure(path, target) }
        } else if kyniem_exchange_paths(staging, target) == 0 {
            // `staging` now holds the old site.
            Self.remove(staging)
        } else {
            guard errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP else { throw Self.failure(path, target) }
            let aside = "\(parent)/\(base).kyniem-old-\(Self.suffix())"
            guard rename(target, aside) == 0 else { throw Self.failure(path, target) }
            guard rename(staging, target) == 0 else {
                let failure = Self.failure(path, target)
                _ = rename(aside, target)
                throw failure
            }
            Self.remove(aside)
        }
        let fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 {
            _ = fsync(fd)
            close(fd)
        }
    }

    /// Sibling folders a killed publish left (`DIR.kyniem-new-…`, `DIR.kyniem-old-…`).
    private func removeLeftovers(in parent: String, base: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: parent) else { return }
        for name in names where name.hasPrefix("\(base).kyniem-new-") || name.hasPrefix("\(base).kyniem-old-") {
            Self.remove("\(parent)/\(name)")
        }
    }

    // MARK: - Files

    static func writeFile(_ bytes: [UInt8], to path: String, dir: String) throws(PublishFailure) {
        try write(bytes, to: path, dir: dir)
    }

    private static func write(_ bytes: [UInt8], to path: String, dir: String) throws(PublishFailure) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure(dir, path) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                let error = failure(dir, path)
                close(fd)
                throw error
            }
            offset += written
        }
        // A large file's writeback starts now, while the rest of the site is rendered and written,
        // instead of all of it in the final syncfs (which still waits for it: the guarantee is the
        // same). Only large files: a call per small file costs more than it saves.
        if bytes.count >= writebackThreshold { _ = kyniem_start_writeback(fd) }
        guard fchmod(fd, 0o644) == 0 else {
            let error = failure(dir, path)
            close(fd)
            throw error
        }
        guard close(fd) == 0 else { throw failure(dir, path) }
    }

    /// The size from which a written file's writeback is started at once (the feeds and year
    /// pages, most of a site's bytes, are far above it; event pages are far below).
    static let writebackThreshold = 64 * 1024

    static func read(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            offset += count
        }
        guard offset == bytes.count else { throw POSIXError(.EIO) }
        return bytes
    }

    static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    static func suffix() -> String {
        String(UInt32.random(in: 0...UInt32.max), radix: 16)
    }

    /// Exit 4 with the system's reason for `path`.
    static func failure(_ dir: String, _ path: String) -> PublishFailure {
        let reason = String(cString: strerror(errno))
        return PublishFailure(
            kind: .unwritable,
            message: "cannot publish to \(dir): \(path): \(reason); the previous site, if any, is unchanged")
    }
}


/// Writes a new site's files into its sibling folder as the builder hands them over, from any
/// thread: each batch's folders are made under a lock, its files written outside it. The first
/// failure is kept (later batches are then skipped) and thrown by `finish`.
final class StagingWriter: @unchecked Sendable {
    let staging: String
    let dir: String
    private let lock = NSLock()
    private var made: Set<String> = []
    private var written: Set<String> = []
    private var failure: PublishFailure?

    init(staging: String, dir: String) {
        self.staging = staging
        self.dir = dir
    }

    func write(_ files: [(path: String, bytes: [UInt8])]) {
        let ready = lock.withLock { () -> Bool in
            guard failure == nil else { return false }
            do throws(PublishFailure) {
                try SiteDirectory.makeFolders(for: files.lazy.map(\.path), in: staging, made: &made, dir: dir)
                return true
            } catch {
                failure = error
                return false
            }
        }
        guard ready else { return }
        var done: [String] = []
        done.reserveCapacity(files.count)
        for file in files {
            do throws(PublishFailure) {
                try SiteDirectory.writeFile(file.bytes, to: "\(staging)/\(file.path)", dir: dir)
                done.append(file.path)
            } catch {
                lock.withLock { if failure == nil { failure = error } }
                return
            }
        }
        lock.withLock { written.formUnion(done) }
        if files.reduce(0, { $0 + $1.bytes.count }) >= Self.backgroundFlushBatch { flushInBackground() }
    }

    /// A batch of at least this many bytes (a language's feeds, its year pages) is flushed in the
    /// background once written.
    static let backgroundFlushBatch = 1 << 20

    private var flushing = false
    private var flushAgain = false

    /// Starts a `syncfs` of the staging folder's file system on a thread of its own, or, when one
    /// is under way, another after it. Only a head start for the final `syncfs` (`finish`'s caller),
    /// which alone makes the site durable before the swap; a failure here is left to that one.
    func flushInBackground() {
        let start = lock.withLock { () -> Bool in
            if flushing {
                flushAgain = true
                return false
            }
            flushing = true
            return true
        }
        guard start else { return }
        Thread.detachNewThread { [self] in
            while true {
                let fd = open(staging, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                if fd >= 0 {
                    _ = kyniem_sync_filesystem(fd)
                    close(fd)
                }
                let again = lock.withLock { () -> Bool in
                    flushing = flushAgain
                    flushAgain = false
                    return flushing
                }
                if !again { return }
            }
        }
    }

    /// Writes the files of `all` that were not handed over, then throws the first failure.
    func finish(_ all: [(path: String, bytes: [UInt8])]) throws(PublishFailure) {
        let rest = lock.withLock { all.filter { !written.contains($0.path) } }
        write(rest)
        if let failure = lock.withLock({ failure }) { throw failure }
    }
}
