import CProcessControl
import Foundation
import KyniemDispatch

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
/// fills one pipe while we wait on another cannot deadlock us. With `onStdoutLines`, stdout is
/// not collected: the complete lines of each read are handed to the callback from the read loop
/// the moment they arrive (plugin protocol 2 records them before reading any further). At the
/// time limit, the whole group is killed with SIGKILL (a shell script's own children too), then
/// the child is reaped. The child gets stdin, stdout and stderr and no other descriptor.
///
/// **The whole process tree goes with the child.** A process group holds only the descendants
/// that stay in it; one that calls setsid() or setpgid() (a daemon's double fork) escapes it, and
/// once its parent exits it is reparented away. So, on Linux:
/// 1. kyniem makes itself a child subreaper (prctl PR_SET_CHILD_SUBREAPER) before its first
///    spawn: an orphan among its descendants is reparented to kyniem, not to init, and stays
///    findable in `/proc/self/task/*/children`;
/// 2. while the child runs, each wake of the poll loop (at most every 50 ms) walks its tree
///    (`/proc/PID/task/*/children`, recursively) and records every descendant by pid and start
///    time (so a reused pid is never mistaken for it). These are the child's, whatever their
///    session or group, and stay so after they are reparented;
/// 3. when the child has exited or timed out (still unreaped, so its group number is not reused),
///    kyniem kills its group, then every recorded descendant with its own subtree: each process
///    is stopped (SIGSTOP, so it cannot fork any more) before the tree is walked again, then all
///    of them get SIGKILL, and those that became kyniem's children are reaped;
/// 4. a descendant that escaped and was orphaned between two walks (under 50 ms) is a child of
///    kyniem that no running plugin accounts for. When `ChildProcesses.sweepsUnclaimedChildren`
///    is set (the `kyniem` command sets it: it starts no process but plugins), the plugin that
///    ends while no other plugin runs kills every such child, with its subtree. While another
///    plugin runs, it could be that plugin's, so it is left for the last plugin to end: no
///    process of a running plugin is ever killed for another one, and when the last plugin of a
///    run has ended, no process of any plugin is left.
/// The attribution to a running plugin: its pid, its process group (numbered by its pid), and the
/// descendants recorded for it. `ChildProcesses.killAll()` (the run's watchdog) kills every
/// running plugin's group and recorded descendants, and every unclaimed child as above.
enum ChildProcess {
    static let outputLimit = 16 << 20
    static let stderrLimit = 1 << 20
    /// How long to keep reading after the child exited while a process it left holds the pipes.
    static let drainAfterExit: Duration = .milliseconds(300)
    /// How often the child's process tree is walked while it runs.
    static let treeWalkInterval: Duration = .milliseconds(20)

    static func run(
        executable: String, arguments: [String] = [], environment: [String: String], input: [UInt8],
        timeout: Duration, onStdoutLines: (([[UInt8]]) -> Void)? = nil
    ) -> ChildOutput {
        // Writing to a child that exited must give EPIPE, not kill kyniem. The child gets the
        // default disposition back below (POSIX_SPAWN_SETSIGDEF), with an empty signal mask.
        signal(SIGPIPE, SIG_IGN)
        ChildProcesses.becomeSubreaper()

        // Notifiers run on threads of their own: one spawn at a time, so no child inherits the
        // pipe ends another thread made before they are close-on-exec.
        let spawnLock = ChildProcesses.spawnLock
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
        let tree = ProcessTree(root: pid)
        if spawned == 0 { ChildProcesses.started(pid, tree) }
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
        // Line mode: the bytes of stdout after its last newline, and how much stdout there was.
        var partialLine: [UInt8] = []
        var stdoutBytes = 0
        var lastWalk = clock.now - .seconds(1)

        while stdinFD >= 0 || stdoutFD >= 0 || stderrFD >= 0 {
            let now = clock.now
            if now >= deadline {
                timedOut = true
                break
            }
            if exitedAt == nil, hasExited(pid) { exitedAt = now }
            if exitedAt == nil, now - lastWalk >= treeWalkInterval {
                tree.walk()
                lastWalk = now
            }
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
                            let room = max(0, outputLimit - stdoutBytes)
                            if count > room { output.stdoutTruncated = true }
                            let kept = buffer[0..<min(count, room)]
                            stdoutBytes += kept.count
                            if let onStdoutLines {
                                // Every whole line of this read goes out in one call: the caller
                                // commits them together, so a plugin that reports faster than one
                                // commit per line is not left waiting in the pipe.
                                partialLine.append(contentsOf: kept)
                                var lines: [[UInt8]] = []
                                while let newline = partialLine.firstIndex(of: 0x0A) {
                                    lines.append(Array(partialLine[..<newline]))
                                    partialLine.removeSubrange(...newline)
                                }
                                if !lines.isEmpty { onStdoutLines(lines) }
                            } else {
                                output.stdout.append(contentsOf: kept)
                            }
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
            tree.walk()  // the last look at its tree while it still runs
            kill(-pid, SIGKILL)
        }
        // The exited child stays a zombie until reaped, so its pid — the group's number — cannot
        // be reused yet: killing the group here reaches only what the plugin left behind.
        waitUntilExited(pid)
        kill(-pid, SIGKILL)
        ChildProcesses.ended(pid, tree)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // A last line without its newline counts when the child ended on its own; one cut off by
        // the kill at the time limit is not a line it finished.
        if let onStdoutLines, !partialLine.isEmpty, !timedOut { onStdoutLines([partialLine]) }
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


/// A process and where it stood when first seen: a pid with the start time that tells it from a
/// later process given the same number.
struct ProcessIdentity: Hashable, Sendable {
    let pid: pid_t
    let startTime: UInt64

    /// The process now running as `pid`, or nil when there is none (or it cannot be read).
    static func current(_ pid: pid_t) -> ProcessIdentity? {
        ProcFS.stat(pid).map { ProcessIdentity(pid: pid, startTime: $0.startTime) }
    }

    /// Still the same process (alive or a zombie not yet reaped).
    var exists: Bool { ProcFS.stat(pid)?.startTime == startTime }
}

/// The descendants seen so far of one spawned child (not the child itself): see ChildProcess's
/// comment. Thread-safe: the child's read loop walks it, `ChildProcesses` reads it.
final class ProcessTree: @unchecked Sendable {
    let root: pid_t
    private let lock = NSLock()
    private var seen = Set<ProcessIdentity>()

    init(root: pid_t) { self.root = root }

    /// Records every process now below the root or below a descendant recorded before (an orphan
    /// reparented to kyniem keeps growing its own subtree).
    func walk() {
        #if os(Linux)
        let known = lock.withLock { seen }
        var found = Set<ProcessIdentity>()
        var queue = [root] + known.filter(\.exists).map(\.pid)
        while let pid = queue.popLast() {
            for child in ProcFS.children(of: pid) {
                guard let identity = ProcessIdentity.current(child), found.insert(identity).inserted else { continue }
                queue.append(child)
            }
        }
        lock.withLock {
            seen.formUnion(found)
            seen = seen.filter(\.exists)
        }
        #endif
    }

    /// The recorded descendants that still exist.
    var living: [ProcessIdentity] { lock.withLock { seen.filter(\.exists) } }

    func claims(_ identity: ProcessIdentity) -> Bool { lock.withLock { seen.contains(identity) } }
}

/// The plugins running now, and what they left behind, so a plugin's end or a run that must end
/// at once (its bound passed) takes every process of theirs with it (see ChildProcess's comment).
public enum ChildProcesses {
    nonisolated(unsafe) private static var running: [pid_t: ProcessTree] = [:]
    private static let lock = NSLock()
    /// Held while a plugin is spawned and while unclaimed children are swept, so a sweep never
    /// mistakes a plugin being spawned for an orphan.
    static let spawnLock = NSLock()

    /// Set by a program that starts no child process except through `ChildProcess` (the `kyniem`
    /// command): then every child of it that no running plugin accounts for is a plugin's orphan,
    /// and the last plugin to end kills it. A test process, whose own helpers are children too,
    /// leaves it off.
    nonisolated(unsafe) public static var sweepsUnclaimedChildren = false

    private static let subreaper: Bool = {
        #if os(Linux)
        return kyniem_set_child_subreaper() == 0
        #else
        return false
        #endif
    }()

    /// Makes this process a child subreaper, once (Linux; elsewhere nothing).
    static func becomeSubreaper() { _ = subreaper }

    static func started(_ pid: pid_t, _ tree: ProcessTree) { lock.withLock { running[pid] = tree } }

    /// The child `pid` has exited or was killed, unreaped: kills what is left of its tree, and,
    /// when it was the last plugin running, every unclaimed child (see ChildProcess's comment).
    static func ended(_ pid: pid_t, _ tree: ProcessTree) {
        kill(-pid, SIGKILL)
        tree.walk()
        killTrees(tree.living)
        spawnLock.withLock {
            let othersRunning = lock.withLock {
                running[pid] = nil
                return !running.isEmpty
            }
            if sweepsUnclaimedChildren && !othersRunning {
                killTrees(unclaimedChildren(except: [pid]))
            }
        }
    }

    /// SIGKILL to every running plugin's process group and recorded descendants, and to every
    /// unclaimed child, at once: the run is ending.
    public static func killAll() {
        let trees = lock.withLock { running }
        for (group, _) in trees { kill(-group, SIGKILL) }
        for (_, tree) in trees {
            tree.walk()
            killTrees(tree.living, reap: false)
        }
        if sweepsUnclaimedChildren { killTrees(unclaimedChildren(except: Set(trees.keys)), reap: false) }
    }

    /// This process's children that are not a running plugin, not in a running plugin's group and
    /// not recorded as one's descendant.
    private static func unclaimedChildren(except excluded: Set<pid_t>) -> [ProcessIdentity] {
        #if os(Linux)
        let trees = lock.withLock { running }
        return ProcFS.children(of: getpid()).compactMap { pid -> ProcessIdentity? in
            guard !excluded.contains(pid), trees[pid] == nil, let stat = ProcFS.stat(pid) else { return nil }
            let identity = ProcessIdentity(pid: pid, startTime: stat.startTime)
            if trees[stat.group] != nil || trees.values.contains(where: { $0.claims(identity) }) { return nil }
            return identity
        }
        #else
        return []
        #endif
    }

    /// Stops each root and everything below it (walking again until no new process appears, so
    /// nothing forks past the sweep), kills them all, and reaps those that are this process's
    /// children.
    static func killTrees(_ roots: [ProcessIdentity], reap: Bool = true) {
        guard !roots.isEmpty else { return }
        var stopped = Set<ProcessIdentity>()
        var frontier = roots
        for _ in 0..<64 where !frontier.isEmpty {
            var next: [ProcessIdentity] = []
            for identity in frontier where !stopped.contains(identity) && identity.exists {
                kill(identity.pid, SIGSTOP)
                stopped.insert(identity)
                #if os(Linux)
                next += ProcFS.children(of: identity.pid).compactMap(ProcessIdentity.current)
                #endif
            }
            frontier = next
        }
        for identity in stopped where identity.exists { kill(identity.pid, SIGKILL) }
        guard reap else { return }
        let me = getpid()
        var left = stopped
        let give = ContinuousClock.now + .seconds(2)
        while !left.isEmpty && ContinuousClock.now < give {
            for identity in left {
                guard let stat = ProcFS.stat(identity.pid), stat.startTime == identity.startTime else {
                    left.remove(identity)  // gone: reaped by its own parent, or by us
                    continue
                }
                // A killed process whose parent died too is reparented to us (the subreaper).
                if stat.parent == me, stat.state == "Z" {
                    var status: Int32 = 0
                    _ = waitpid(identity.pid, &status, WNOHANG)
                }
            }
            if !left.isEmpty { usleep(2_000) }
        }
    }
}

/// What kyniem reads of /proc (Linux).
enum ProcFS {
    struct Stat {
        let state: Character
        let parent: pid_t
        let group: pid_t
        let session: pid_t
        let startTime: UInt64
    }

    /// Fields of `/proc/PID/stat` (proc(5)); the name in parentheses may hold anything, so the
    /// fields are read after its last `)`.
    static func stat(_ pid: pid_t) -> Stat? {
        guard let text = read("/proc/\(pid)/stat"), let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state); the start time is field 22.
        guard fields.count > 19, let state = fields[0].first, let parent = pid_t(fields[1]),
            let group = pid_t(fields[2]), let session = pid_t(fields[3]), let start = UInt64(fields[19])
        else { return nil }
        return Stat(state: state, parent: parent, group: group, session: session, startTime: start)
    }

    /// The children of every thread of `pid` (a subreaper's orphans may be given to any thread).
    static func children(of pid: pid_t) -> [pid_t] {
        guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task") else { return [] }
        var children: [pid_t] = []
        for task in tasks {
            guard let text = read("/proc/\(pid)/task/\(task)/children") else { continue }
            children += text.split(separator: " ").compactMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        return children
    }

    #if canImport(Glibc)
    private static let systemRead = Glibc.read
    #else
    private static let systemRead = Darwin.read
    #endif

    private static func read(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
