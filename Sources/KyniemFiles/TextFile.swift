import Foundation

/// Reading the files a configuration names: the configuration itself, calendars, message
/// templates, plugin manifests. Only a regular file is read, and only up to a size, so that a
/// FIFO, a device or a folder given as a file is a clear error instead of a read that never ends.
public enum TextFile {
    /// The largest configuration or calendar file read (100,000 events take about 15 MiB).
    public static let largestFile = 256 << 20

    /// Why a file could not be read, in words for a `file:line:column:`-style message.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let reason: String
        public var description: String { reason }
    }

    /// A file's text, invalid UTF-8 repaired (U+FFFD) as `String(decoding:as:)` does. A regular
    /// file is read straight into the string's storage: one copy of a large file instead of two.
    public static func read(atPath path: String, limit: Int = largestFile) -> Result<String, Failure> {
        // O_NONBLOCK: opening a FIFO must not wait for a writer before fstat can refuse it.
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return .failure(Failure(reason: systemError())) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return .failure(Failure(reason: systemError())) }
        if let problem = RegularFile.problem(type: info.st_mode & S_IFMT) { return .failure(Failure(reason: problem)) }
        guard info.st_size <= limit else { return .failure(tooLarge(limit)) }
        let size = Int(info.st_size)
        var failure: Int32?
        // A large file's storage gets 2 MiB of room past its end, never written, so that the
        // last part of the text lies in a whole aligned 2 MiB page too (`adviseHugePages`).
        let capacity = size >= hugePageAdviceMinimum ? size + (2 << 20) : size
        let text = String(unsafeUninitializedCapacity: capacity) { buffer in
            guard let base = buffer.baseAddress else { return 0 }
            adviseHugePages(UnsafeMutableRawBufferPointer(buffer))
            var filled = 0
            while filled < size {
                let n = Foundation.read(fd, base + filled, size - filled)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return 0
                }
                if n == 0 { break }  // the file shrank since fstat
                filled += n
            }
            return filled
        }
        if let failure { return .failure(Failure(reason: String(cString: strerror(failure)))) }
        // A file that grew since fstat is read again whole, still within the limit.
        var probe: UInt8 = 0
        guard Foundation.read(fd, &probe, 1) > 0 else { return .success(text) }
        guard lseek(fd, 0, SEEK_SET) == 0 else { return .failure(Failure(reason: systemError())) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(Failure(reason: systemError()))
            }
            if n == 0 { break }
            bytes += chunk[..<n]
            if bytes.count > limit { return .failure(tooLarge(limit)) }
        }
        return .success(String(decoding: bytes, as: UTF8.self))
    }

    /// Files this large have their string's storage backed by 2 MiB pages where the kernel
    /// allows it (transparent huge pages, `madvise` mode): read() first-touches every 4 KiB
    /// page of a fresh buffer, 2,000 page faults for a 100,000-event configuration (8.3 MB),
    /// about a fifth of a whole `upcoming` run's. With the advice it is a few faults a 2 MiB.
    ///
    /// Reading stays a copy on purpose. Mapping the file itself (MAP_PRIVATE) would save the
    /// copy too, but a file truncated while mapped raises SIGBUS on the next touch of a page
    /// past its new end, which kills the process: a configuration edited while kyniem reads it
    /// must give the shorter text (or an error), never a crash. A copy cannot be truncated.
    static let hugePageAdviceMinimum = 4 << 20

    /// Advises huge pages for the 2 MiB-aligned part of `buffer`, which must not be touched
    /// yet (advice on touched pages is harmless, only useless). The ends stay 4 KiB pages. A
    /// kernel without huge pages refuses the advice (EINVAL), and nothing changes.
    static func adviseHugePages(_ buffer: UnsafeMutableRawBufferPointer) {
        guard buffer.count >= hugePageAdviceMinimum, let base = buffer.baseAddress else { return }
        let huge = 2 << 20
        let start = (Int(bitPattern: base) + huge - 1) & ~(huge - 1)
        let end = (Int(bitPattern: base) + buffer.count) & ~(huge - 1)
        guard end > start, let aligned = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(aligned, end - start, MADV_HUGEPAGE)
    }

    static func tooLarge(_ limit: Int) -> Failure {
        Failure(reason: "it is larger than \(limit >> 20) MiB, the most kyniem reads from one file")
    }

    static func systemError() -> String { String(cString: strerror(errno)) }
}
