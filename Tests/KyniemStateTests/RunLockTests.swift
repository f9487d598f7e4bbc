import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import KyniemState

@Suite struct RunLockTests {
    @Test func aSecondLockFailsAtOnceWhileTheFirstIsHeld() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let ledgerPath = folder + "/state/ledger.sqlite"
        let first = try RunLock.acquire(forLedgerAt: ledgerPath)
        #expect(first.path == ledgerPath + ".lock")
        let started = Date()
        do {
            _ = try RunLock.acquire(forLedgerAt: ledgerPath)
            Issue.record("took a held lock")
        } catch let error {
            guard case .held(_, let holder) = error else {
                Issue.record("expected .held, got \(error)")
                return
            }
            #expect(holder == String(getpid()))
            #expect(error.description.contains("another kyniem run"))
        }
        // A blocking flock would wait here for ever; the bound is loose so a loaded machine cannot fail it.
        #expect(Date().timeIntervalSince(started) < 10)
        first.release()
        #expect(!first.isHeld)
        // Other tests of this process start children at the same time: one forked while `first`
        // was open keeps its open file description (and so the flock) until it execs, when
        // O_CLOEXEC closes it. Seen once at load 17: allow that moment to pass.
        var again: RunLock?
        let deadline = Date().addingTimeInterval(10)
        while again == nil {
            do {
                again = try RunLock.acquire(forLedgerAt: ledgerPath)
            } catch {
                guard case .held = error, Date() < deadline else { throw error }
                usleep(20_000)
            }
        }
        #expect(again?.isHeld == true)
    }

    @Test func anotherProcessSeesTheLockHeld() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let ledgerPath = folder + "/ledger.sqlite"
        let lock = try RunLock.acquire(forLedgerAt: ledgerPath)
        #expect(try runFlock(["-n", lock.path, "true"]) == 1)
        lock.release()
        #expect(try runFlock(["-n", lock.path, "true"]) == 0)
    }

    @Test func aLockHeldByAnotherProcessRefusesUs() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let ledgerPath = folder + "/ledger.sqlite"
        let lockPath = RunLock.lockPath(forLedgerAt: ledgerPath)
        // One process that takes the lock, says so, and keeps it until it is terminated.
        let holder = Process()
        // Python itself, not a wrapper script that would outlive a kill.
        let system = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")
        holder.executableURL = URL(fileURLWithPath: system ? "/usr/bin/python3" : "/usr/bin/env")
        holder.arguments = (system ? [] : ["python3"]) + [
            "-c",
            "import fcntl, sys, time\nf = open(sys.argv[1], 'w')\nfcntl.flock(f, fcntl.LOCK_EX)\nprint('locked', flush=True)\ntime.sleep(30)",
            lockPath,
        ]
        let out = Pipe()
        holder.standardOutput = out
        try holder.run()
        defer {
            kill(holder.processIdentifier, SIGKILL)  // the test runner's children may ignore SIGTERM
            holder.waitUntilExit()
        }
        // Read until the whole line is in: a pipe may hand it over in pieces.
        var said = Data()
        while !said.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            said.append(chunk)
        }
        #expect(String(decoding: said, as: UTF8.self) == "locked\n")
        #expect(throws: RunLockError.self) { _ = try RunLock.acquire(forLedgerAt: ledgerPath) }
    }

    private func runFlock(_ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
