import Foundation

enum AtomicFile {
    /// Writes a temporary file beside the target and renames it over: readers see the old
    /// file or the whole new one, never half of it. Only a regular file is replaced (through a
    /// symbolic link, the file it names), keeping its permission mode; a new file gets the
    /// umask's. Any failure is exit 4 with the system's reason, and leaves no temporary file.
    static func write(_ text: String, to path: String) throws(CommandFailure) {
        var target = path
        var mode: mode_t?
        var info = stat()
        if stat(path, &info) == 0 {
            let type = info.st_mode & S_IFMT
            guard type == S_IFREG else {
                throw .unwritable("cannot write \(path): it is \(describe(type)), not a regular file; nothing was written")
            }
            mode = info.st_mode & 0o7777
            // Replace the file a link names, not the link.
            if let resolved = realpath(path, nil) {
                target = String(cString: resolved)
                free(resolved)
            }
        } else if errno != ENOENT {
            throw failure(path)
        }

        let directory = (target as NSString).deletingLastPathComponent
        let name = (target as NSString).lastPathComponent
        let (fd, temporary) = try create(in: directory.isEmpty ? "." : directory, beside: name, path: path)
        var closed = false
        func abandon() -> CommandFailure {
            let failure = failure(path)
            if !closed { close(fd) }
            unlink(temporary)
            return failure
        }
        if let error = Terminal.writeAll(fd, text) {
            errno = error
            throw abandon()
        }
        // The old file's mode; a new one keeps what open(2) gave it (0666 less the umask).
        if let mode, fchmod(fd, mode) != 0 { throw abandon() }
        // A full disk can surface only when the data reaches it.
        guard fsync(fd) == 0 else { throw abandon() }
        closed = true
        guard close(fd) == 0 else { throw abandon() }
        guard rename(temporary, target) == 0 else { throw abandon() }
    }

    /// A new file `.NAME.tmp-…` in `directory`, opened for writing; never an existing one.
    private static func create(in directory: String, beside name: String, path: String) throws(CommandFailure) -> (Int32, String) {
        for _ in 0..<8 {
            let temporary = "\(directory)/.\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
            if fd >= 0 { return (fd, temporary) }
            if errno != EEXIST { throw failure(path) }
        }
        throw failure(path)
    }

    private static func failure(_ path: String) -> CommandFailure {
        .unwritable("cannot write \(path): \(String(cString: strerror(errno)))")
    }

    private static func describe(_ type: mode_t) -> String {
        switch type {
        case S_IFDIR: "a directory"
        case S_IFIFO: "a FIFO"
        case S_IFCHR, S_IFBLK: "a device"
        case S_IFSOCK: "a socket"
        default: "a special file"
        }
    }
}
