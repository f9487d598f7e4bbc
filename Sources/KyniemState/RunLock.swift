import Foundation
import KyniemCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why the run lock was not taken. `held` means another `kyniem run` is running: exit 3.
public enum RunLockError: Error, Sendable, CustomStringConvertible {
    case held(path: String, holder: String?)
    case unavailable(path: String, reason: String)

    public var description: String {
        switch self {
        case .held(let path, let holder):
            "another kyniem run\(holder.map { " (pid \($0))" } ?? "") holds the state lock \(path)"
        case .unavailable(let path, let reason):
            "cannot take the state lock \(path): \(reason)"
        }
    }
}

/// An exclusive, non-blocking `flock(2)` on `<ledger path>.lock`, held for a whole run so two runs
/// never send at once: the second fails at once instead of waiting.
///
/// The kernel drops the lock when the descriptor closes, so a killed run never leaves a stale
/// lock behind. The descriptor is close-on-exec: a plugin (or a process it leaves behind) cannot
/// keep holding it. The file holds the holder's pid, for the error message only.
public final class RunLock: @unchecked Sendable {
    public let path: String
    private let mutex = NSLock()
    private var descriptor: Int32

    /// The lock file for a ledger: `<ledger path>.lock`.
    public static func lockPath(forLedgerAt ledgerPath: String) -> String { ledgerPath + ".lock" }

    /// Takes the lock for the ledger at `ledgerPath`, creating its folder when missing.
    public static func acquire(forLedgerAt ledgerPath: String) throws(RunLockError) -> RunLock {
        try acquire(lockPath: lockPath(forLedgerAt: ledgerPath))
    }

    /// Takes the lock on exactly `lockPath`.
    public static func acquire(lockPath: String) throws(RunLockError) -> RunLock {
        let parent = (lockPath as NSString).deletingLastPathComponent
        if !parent.isEmpty, let reason = Folders.create(parent) {
            throw .unavailable(path: lockPath, reason: "cannot create folder \(parent): \(reason)")
        }
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .unavailable(path: lockPath, reason: String(cString: strerror(errno))) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            let holder = RunLock.readHolder(fd)
            close(fd)
            if code == EWOULDBLOCK || code == EAGAIN {
                throw .held(path: lockPath, holder: holder)
            }
            throw .unavailable(path: lockPath, reason: String(cString: strerror(code)))
        }
        let pid = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = pid.withCString { pwrite(fd, $0, strlen($0), 0) }
        return RunLock(path: lockPath, descriptor: fd)
    }

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    /// Whether this object still holds the lock.
    public var isHeld: Bool { mutex.withLock { descriptor >= 0 } }

    /// Releases the lock; later calls do nothing. Dropping the last reference releases it too.
    public func release() {
        mutex.withLock {
            guard descriptor >= 0 else { return }
            _ = ftruncate(descriptor, 0)
            close(descriptor)  // closing drops the flock
            descriptor = -1
        }
    }

    deinit { release() }

    private static func readHolder(_ fd: Int32) -> String? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        let text = String(decoding: buffer[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty || !text.allSatisfy(\.isNumber) ? nil : text
    }
}
