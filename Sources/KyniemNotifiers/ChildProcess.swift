import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a child process ended.
enum ChildTermination: Sendable, Hashable {
    case exited(Int32)
    case signaled(Int32)
    /// Killed (with its whole process group) when the time limit passed.
    case timedOut
    case failedToStart(String)
}

struct ChildOutput: Sendable {
    var termination: ChildTermination
    var stdout: [UInt8]
    var stderr: [UInt8]
    /// stdout was longer than the limit and was cut.
    var stdoutTruncated: Bool
}

/// Runs an executable directly (posix_spawn, no shell) in a process group of its own, feeds it
/// `input` on stdin and collects stdout and stderr concurrently with poll(2), so a child that
/// fills one pipe while we wait on another cannot deadlock us. At the time limit, the whole
/// group is killed with SIGKILL (a shell script's own children too), then the child is reaped.
/// The child gets stdin, stdout and stderr and no other descriptor.
/// When the child has exited, anything left in its group is killed as well, so a plugin
/// cannot leave processes behind.
enum ChildProcess {
    private static let spawnLock = NSLock()

    static let outputLimit = 16 << 20
    static let stderrLimit = 1 << 20
    /// How long to keep reading after the child exited while a process it left holds the pipes.
    static let drainAfterExit: Duration = .milliseconds(300)

    static func run(
        executable: String, arguments: [String] = [], environment: [String: String], input: [UInt8],
        timeout: Duration
    ) -> ChildOutput {
        // Writing to a child that exited must give EPIPE, not kill kyniem. The child gets the
        // default disposition back below (POSIX_SPAWN_SETSIGDEF), with an empty signal mask.
        signal(SIGPIPE, SIG_IGN)

        // Notifiers run on threads of their own: one spawn at a time, so no child inherits the
        // pipe ends another thread made before they are close-on-exec.
        spawnLock.lock()
        var spawnLocked = true
        defer { if spawnLocked { spawnLock.unlock() } }

        var stdinPipe: [Int32] = [-1, -1]
        var stdoutPipe: [Int32] = [-1, -1]
        var stderrPipe: [Int32] = [-1, -1]
        guard makePipe(&stdinPipe) else { return failed("pipe: \(lastError())") }
        guard makePipe(&stdoutPipe) else {
            closeAll(stdinPipe)
            return failed("pipe: \(lastError())")
        }
        guard makePipe(&stderrPipe) else {
            closeAll(stdinPipe + stdoutPipe)
            return failed("pipe: \(lastError())")
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // dup2 clears close-on-exec on 0, 1, 2; every other descriptor stays closed in the child,
        // including those kyniem inherited without close-on-exec from whatever started it.
        closeInheritedDescriptorsOnExec()
        posix_spawn_file_actions_adddup2(&actions, stdinPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, stdoutPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, stderrPipe[1], 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        posix_spawnattr_setpgroup(&attributes, 0)  // a new group, numbered by the child's pid
        // Every signal back to its default action: kyniem ignores SIGPIPE, and whatever ran
        // kyniem (cron, a test runner) may have left others ignored, which exec would keep.
        var defaults = sigset_t()
        sigfillset(&defaults)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        close(stdinPipe[0])
        close(stdoutPipe[1])
        close(stderrPipe[1])
        if spawned == 0 { ChildProcesses.started(pid) }
        spawnLock.unlock()
        spawnLocked = false
        guard spawned == 0 else {
            closeAll([stdinPipe[1], stdoutPipe[0], stderrPipe[0]])
            return failed("cannot run \(executable): \(String(cString: strerror(spawned)))")
        }

        for fd in [stdinPipe[1], stdoutPipe[0], stderrPipe[0]] {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        var output = ChildOutput(termination: .exited(0), stdout: [], stderr: [], stdoutTruncated: false)
        var stdinFD: Int32 = stdinPipe[1]
        var stdoutFD: Int32 = stdoutPipe[0]
        var stderrFD: Int32 = stderrPipe[0]
        var written = 0
        if input.isEmpty {
            close(stdinFD)
            stdinFD = -1
        }
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var exitedAt: ContinuousClock.Instant?
        var timedOut = false
        var buffer = [UInt8](repeating: 0, count: 65_536)

        while stdinFD >= 0 || stdoutFD >= 0 || stderrFD >= 0 {
            let now = clock.now
            if now >= deadline {
                timedOut = true
                break
            }
            if exitedAt == nil, hasExited(pid) { exitedAt = now }
            if let exitedAt, now - exitedAt > drainAfterExit { break }
            var fds: [pollfd] = []
            if stdinFD >= 0 { fds.append(pollfd(fd: stdinFD, events: Int16(POLLOUT), revents: 0)) }
            if stdoutFD >= 0 { fds.append(pollfd(fd: stdoutFD, events: Int16(POLLIN), revents: 0)) }
            if stderrFD >= 0 { fds.append(pollfd(fd: stderrFD, events: Int16(POLLIN), revents: 0)) }
            // Wake at least every 50 ms to notice the child's exit and the deadline.
            let wait = min(milliseconds(deadline - now), 50)
            let ready = poll(&fds, nfds_t(fds.count), Int32(max(1, wait)))
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            for entry in fds where entry.revents != 0 {
                if entry.fd == stdinFD {
                    if entry.revents & Int16(POLLOUT) != 0 {
                        let count = input.withUnsafeBytes { bytes in
                            write(stdinFD, bytes.baseAddress! + written, input.count - written)
                        }
                        if count > 0 { written += count }
                        if written == input.count || (count < 0 && errno != EAGAIN && errno != EINTR) {
                            close(stdinFD)
                            stdinFD = -1
                        }
                    } else {  // POLLERR / POLLHUP: the child closed its stdin
                        close(stdinFD)
                        stdinFD = -1
                    }
                } else {
                    let isStdout = entry.fd == stdoutFD
                    let count = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                    if count > 0 {
                        if isStdout {
                            let room = max(0, outputLimit - output.stdout.count)
                            if count > room { output.stdoutTruncated = true }
                            output.stdout.append(contentsOf: buffer[0..<min(count, room)])
                        } else {
                            let room = max(0, stderrLimit - output.stderr.count)
                            output.stderr.append(contentsOf: buffer[0..<min(count, room)])
                        }
                    } else if count == 0 || (errno != EAGAIN && errno != EINTR) {
                        close(entry.fd)
                        if isStdout { stdoutFD = -1 } else { stderrFD = -1 }
                    }
                }
            }
        }
        closeAll([stdinFD, stdoutFD, stderrFD].filter { $0 >= 0 })

        // The pipes are closed; the child may still run (it closed stdout and went on).
        while !timedOut && !hasExited(pid) {
            if clock.now >= deadline {
                timedOut = true
                break
            }
            usleep(5_000)
        }
        if timedOut {
            kill(-pid, SIGKILL)
        }
        // The exited child stays a zombie until reaped, so its pid — the group's number — cannot
        // be reused yet: killing the group here reaches only what the plugin left behind.
        waitUntilExited(pid)
        kill(-pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        ChildProcesses.ended(pid)
        if timedOut {
            output.termination = .timedOut
        } else if status & 0x7f == 0 {
            output.termination = .exited((status >> 8) & 0xff)
        } else {
            output.termination = .signaled(status & 0x7f)
        }
        return output
    }

    /// Whether the child has exited, leaving it unreaped (WNOWAIT).
    private static func hasExited(_ pid: pid_t) -> Bool {
        var info = siginfo_t()
        let result = waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT)
        // With WNOHANG and no change, Linux returns 0 and leaves si_signo zero.
        return result == 0 && info.si_signo == SIGCHLD
    }

    private static func waitUntilExited(_ pid: pid_t) {
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) < 0 && errno == EINTR {}
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }

    private static func failed(_ message: String) -> ChildOutput {
        ChildOutput(termination: .failedToStart(message), stdout: [], stderr: [], stdoutTruncated: false)
    }

    /// Marks every descriptor above 2 close-on-exec. kyniem opens its own with the flag, but it
    /// may inherit others without it (a socket its parent uses to see it exit, a pipe cron left
    /// open). A plugin must not get those: it, or a process it leaves behind after kyniem was
    /// killed, would keep them open, and the parent would wait for it as if kyniem still ran.
    /// kyniem runs no other program, so the flag takes nothing from anyone else.
    private static func closeInheritedDescriptorsOnExec() {
        #if os(Linux)
        let listing = "/proc/self/fd"
        #else
        let listing = "/dev/fd"
        #endif
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: listing) else { return }
        for name in names {
            guard let fd = Int32(name), fd > 2 else { continue }
            let flags = fcntl(fd, F_GETFD)
            if flags >= 0, flags & FD_CLOEXEC == 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
        }
    }

    /// pipe(2) with both ends close-on-exec (pipe2 is not visible from Swift's Glibc module).
    /// kyniem spawns from one thread, so no other spawn can inherit the ends in between.
    private static func makePipe(_ ends: inout [Int32]) -> Bool {
        guard pipe(&ends) == 0 else { return false }
        for fd in ends { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return true
    }

    private static func closeAll(_ fds: [Int32]) {
        for fd in fds where fd >= 0 { close(fd) }
    }

    private static func lastError() -> String { String(cString: strerror(errno)) }
}

/// The process groups of the plugins running now, so a run that must end at once (its bound
/// passed) takes them with it.
public enum ChildProcesses {
    nonisolated(unsafe) private static var groups = Set<pid_t>()
    private static let lock = NSLock()

    static func started(_ pid: pid_t) { lock.withLock { _ = groups.insert(pid) } }
    static func ended(_ pid: pid_t) { lock.withLock { _ = groups.remove(pid) } }

    /// SIGKILL to every running plugin's whole process group.
    public static func killAll() {
        for group in lock.withLock({ groups }) { kill(-group, SIGKILL) }
    }
}
