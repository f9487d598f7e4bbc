import Foundation

/// Whether a path names a regular file, and if not, what it is in words. A FIFO, a device or a
/// folder given where a file is expected must be a clear error: opening one blocks (a FIFO
/// without a writer) or reads without end (`/dev/zero`). The configuration's files (`TextFile`)
/// and a TLS `ca_file:`, which OpenSSL opens blocking, are checked by this one rule.
public enum RegularFile {
    /// Nil for a regular file (following links); else why it is not one, or why it cannot be examined.
    public static func problem(atPath path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return String(cString: strerror(errno)) }
        return problem(type: info.st_mode & S_IFMT)
    }

    /// Nil for `S_IFREG`; else what the file type is, for a `file:line:column:`-style message.
    static func problem(type: mode_t) -> String? {
        switch type {
        case S_IFREG: nil
        case S_IFDIR: "it is a directory, not a file"
        case S_IFIFO: "it is a FIFO, not a regular file"
        case S_IFCHR, S_IFBLK: "it is a device, not a regular file"
        case S_IFSOCK: "it is a socket, not a regular file"
        default: "it is not a regular file"
        }
    }
}
