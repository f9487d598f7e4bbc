#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A point in time on the monotonic clock, after which a network operation gives up.
package struct Deadline {
    package let instant: ContinuousClock.Instant

    package static func after(milliseconds: Int) -> Deadline {
        Deadline(instant: .now + .milliseconds(milliseconds))
    }

    package static func earliest(_ a: Deadline, _ b: Deadline?) -> Deadline {
        guard let b else { return a }
        return a.instant <= b.instant ? a : b
    }

    /// What is left, in whole milliseconds (rounded up, so poll never spins on a sub-millisecond
    /// rest), never negative.
    package var remainingMilliseconds: Int32 {
        let (seconds, attoseconds) = (instant - .now).components
        if seconds < 0 || (seconds == 0 && attoseconds <= 0) { return 0 }
        let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: milliseconds)
    }

    /// A time a person reads in a failure reason: `2s`, `1.5s`, `300ms` (rounded to a tenth
    /// of a second from one second up).
    package static func text(milliseconds: Int) -> String {
        if milliseconds < 1000 { return "\(milliseconds)ms" }
        let tenths = (milliseconds + 50) / 100
        return tenths % 10 == 0 ? "\(tenths / 10)s" : "\(tenths / 10).\(tenths % 10)s"
    }
}

/// Why a network operation failed, in plain words that never hold the host or the URL: the
/// callers (SMTP, HTTP) decide what they may add.
package struct ConnectionError: Error, Sendable {
    package enum Kind: Sendable {
        /// The host name has no address.
        case resolve
        /// The name lookup did not answer in time (`detail`: the time it had, like "2s").
        case resolveTimedOut
        /// No address accepted the connection (`detail` is the system's reason, like "Connection refused").
        case connect
        /// The operation's time ran out.
        case timedOut
        /// The peer closed the connection before the expected data came.
        case closed
        /// TLS: an untrusted certificate, a failed handshake (`detail` says which).
        case tls
        /// Any other error of the system.
        case io
    }

    package let kind: Kind
    package let detail: String

    package init(_ kind: Kind, _ detail: String) {
        self.kind = kind
        self.detail = detail
    }
}

/// A TCP connection that is plain or, after `startTLS`, TLS (`TLSStream`), with buffered reads.
///
/// The socket is non-blocking and every wait is a `poll` bounded by a deadline: each read, write
/// or handshake waits at most `operationTimeout` milliseconds, and never past `deadline`, which
/// both notifiers set for the whole exchange (a webhook's request, an SMTP session) and cap with
/// the run's bound. A server that trickles its answer a byte at a time runs into `deadline` like
/// a silent one, so a slow server can never hold a run.
package final class NetworkConnection {
    private var fd: Int32
    private var tls: TLSStream?
    private var buffer: [UInt8] = []
    /// Where the unread part of `buffer` starts (consumed bytes are dropped in bulk).
    private var start = 0
    private let operationTimeout: Int
    package var deadline: Deadline?

    package var isTLS: Bool { tls != nil }

    /// Bytes received but not yet read: after a STARTTLS answer there must be none (RFC 3207 §6:
    /// anything the server sent before the handshake would otherwise be read as if protected).
    package var hasBufferedInput: Bool { start < buffer.count }

    private init(fd: Int32, operationTimeout: Int, deadline: Deadline?) {
        self.fd = fd
        self.operationTimeout = operationTimeout
        self.deadline = deadline
    }

    deinit {
        close()
    }

    /// The deadline of one operation starting now.
    private func operationDeadline() -> Deadline {
        Deadline.earliest(.after(milliseconds: operationTimeout), deadline)
    }

    /// Connects to the first address of `host` that accepts, all within one bound: the earlier
    /// of `timeoutMilliseconds` from now and `deadline`. The name lookup counts against it
    /// (`Resolver`), and each address gets an equal share of what is left when its turn comes
    /// (as curl shares its connect timeout), so an address that swallows packets can't use up
    /// the time of the ones after it.
    package static func open(
        host: String, port: Int, timeoutMilliseconds: Int, deadline: Deadline? = nil, resolver: Resolver = .system
    ) -> Result<NetworkConnection, ConnectionError> {
        let until = Deadline.earliest(.after(milliseconds: timeoutMilliseconds), deadline)
        let addresses: [SocketAddress]
        switch resolver.resolve(host, port: port, until: until) {
        case .success(let found) where !found.isEmpty: addresses = found
        case .success: return .failure(ConnectionError(.resolve, "no address"))
        case .failure(let failure): return .failure(failure)
        }
        var lastError = ConnectionError(.connect, "no address")
        for (index, address) in addresses.enumerated() {
            let left = addresses.count - index
            let share = until.instant - .now
            let attemptUntil = left == 1 ? until : Deadline(instant: .now + share / left)
            let fd = socket(address.family, address.socketType, address.protocolNumber)
            guard fd >= 0 else {
                lastError = ConnectionError(.connect, String(cString: strerror(errno)))
                continue
            }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL, 0) | O_NONBLOCK)
            #if canImport(Darwin)
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
            #endif
            let problem = address.bytes.withUnsafeBytes { raw in
                waitForConnect(fd, raw.baseAddress?.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count), attemptUntil)
            }
            if let problem {
                lastError = problem
                closeSocket(fd)
                if until.remainingMilliseconds == 0 { break }
                continue
            }
            return .success(NetworkConnection(fd: fd, operationTimeout: timeoutMilliseconds, deadline: deadline))
        }
        return .failure(lastError)
    }

    private static func waitForConnect(_ fd: Int32, _ address: UnsafePointer<sockaddr>?, _ length: socklen_t, _ until: Deadline) -> ConnectionError? {
        if connect(fd, address, length) == 0 { return nil }
        guard errno == EINPROGRESS else { return ConnectionError(.connect, String(cString: strerror(errno))) }
        if let problem = wait(fd, for: Int16(POLLOUT), until: until) { return problem }
        var error: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size)
        return error == 0 ? nil : ConnectionError(.connect, String(cString: strerror(error)))
    }

    /// Waits until `fd` is ready for `events`; nil when it is, else the reason.
    package static func wait(_ fd: Int32, for events: Int16, until: Deadline) -> ConnectionError? {
        var entry = pollfd(fd: fd, events: events, revents: 0)
        while true {
            let remaining = until.remainingMilliseconds
            if remaining == 0 { return ConnectionError(.timedOut, "no answer in time") }
            let ready = poll(&entry, 1, remaining)
            if ready > 0 { return nil }
            if ready == 0 { return ConnectionError(.timedOut, "no answer in time") }
            if errno != EINTR { return ConnectionError(.io, String(cString: strerror(errno))) }
        }
    }

    /// Turns this connection into a TLS one (implicit TLS right after connecting, or after an
    /// SMTP STARTTLS answer); nil once the handshake succeeded and the certificate was verified
    /// for `serverName`.
    package func startTLS(serverName: String, caFile: String?) -> ConnectionError? {
        guard tls == nil else { return nil }
        guard !hasBufferedInput else {
            return ConnectionError(.tls, "the server sent data before the TLS handshake; the connection was dropped")
        }
        switch TLSStream.handshake(fd: fd, serverName: serverName, caFile: caFile, until: operationDeadline()) {
        case .success(let stream):
            tls = stream
            return nil
        case .failure(let failure):
            return failure
        }
    }

    package func write(_ text: String) -> ConnectionError? {
        write(Array(text.utf8))
    }

    /// Writes every byte; nil on success, else the reason.
    package func write(_ bytes: [UInt8]) -> ConnectionError? {
        let until = operationDeadline()
        var offset = 0
        while offset < bytes.count {
            if let tls {
                switch bytes[offset...].withUnsafeBytes({ tls.write($0) }) {
                case .done(let count): offset += count
                case .wantRead: if let problem = Self.wait(fd, for: Int16(POLLIN), until: until) { return problem }
                case .wantWrite: if let problem = Self.wait(fd, for: Int16(POLLOUT), until: until) { return problem }
                case .closed: return ConnectionError(.closed, "the server closed the connection")
                case .failed(let reason): return ConnectionError(.tls, reason)
                }
                continue
            }
            #if canImport(Glibc)
            let flags = Int32(MSG_NOSIGNAL)
            #else
            let flags: Int32 = 0
            #endif
            let count = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, flags) }
            if count >= 0 {
                offset += count
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                if let problem = Self.wait(fd, for: Int16(POLLOUT), until: until) { return problem }
            } else if errno != EINTR {
                return ConnectionError(errno == EPIPE || errno == ECONNRESET ? .closed : .io, String(cString: strerror(errno)))
            }
        }
        return nil
    }

    /// Reads what is available (waiting for something until `until`) into the buffer; false at
    /// the end of the stream.
    private func fill(until: Deadline) -> Result<Bool, ConnectionError> {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            if let tls {
                switch chunk.withUnsafeMutableBytes({ tls.read(into: $0) }) {
                case .done(let count):
                    buffer += chunk[..<count]
                    return .success(true)
                case .closed: return .success(false)
                case .wantRead: if let problem = Self.wait(fd, for: Int16(POLLIN), until: until) { return .failure(problem) }
                case .wantWrite: if let problem = Self.wait(fd, for: Int16(POLLOUT), until: until) { return .failure(problem) }
                case .failed(let reason): return .failure(ConnectionError(.tls, reason))
                }
                continue
            }
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                buffer += chunk[..<count]
                return .success(true)
            }
            if count == 0 { return .success(false) }
            if errno == EAGAIN || errno == EWOULDBLOCK {
                if let problem = Self.wait(fd, for: Int16(POLLIN), until: until) { return .failure(problem) }
            } else if errno != EINTR {
                return .failure(ConnectionError(errno == ECONNRESET ? .closed : .io, String(cString: strerror(errno))))
            }
        }
    }

    /// One line without its CR LF (or bare LF), as bytes; fails when the line is longer than
    /// `limit` (a server can't make kyniem grow without bound) or the stream ends first.
    package func readLine(limit: Int) -> Result<[UInt8], ConnectionError> {
        let until = operationDeadline()
        compact()
        var searched = 0
        while true {
            if let end = buffer[searched...].firstIndex(of: UInt8(ascii: "\n")) {
                var line = Array(buffer[..<end])
                start = end + 1
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                return .success(line)
            }
            if buffer.count > limit {
                return .failure(ConnectionError(.io, "the server sent a line longer than \(limit) bytes"))
            }
            searched = buffer.count
            switch fill(until: until) {
            case .success(true): continue
            case .success(false): return .failure(ConnectionError(.closed, "the server closed the connection"))
            case .failure(let failure): return .failure(failure)
            }
        }
    }

    /// Drops the bytes already read.
    private func compact() {
        if start > 0 {
            buffer.removeSubrange(..<start)
            start = 0
        }
    }

    /// Exactly `count` bytes.
    package func read(count: Int) -> Result<[UInt8], ConnectionError> {
        let until = operationDeadline()
        while buffer.count - start < count {
            switch fill(until: until) {
            case .success(true): continue
            case .success(false): return .failure(ConnectionError(.closed, "the server closed the connection"))
            case .failure(let failure): return .failure(failure)
            }
        }
        let bytes = Array(buffer[start..<(start + count)])
        start += count
        return .success(bytes)
    }

    /// Everything up to the end of the stream, at most `limit` bytes (then it stops reading).
    package func readToEnd(limit: Int) -> Result<[UInt8], ConnectionError> {
        let until = operationDeadline()
        while buffer.count - start < limit {
            switch fill(until: until) {
            case .success(true): continue
            case .success(false):
                let bytes = Array(buffer[start...])
                start = buffer.count
                return .success(bytes)
            case .failure(let failure): return .failure(failure)
            }
        }
        let bytes = Array(buffer[start..<(start + limit)])
        start += limit
        return .success(bytes)
    }

    /// The bytes received but not yet read, at most `limit`: what came of an answer that was
    /// cut off by its deadline.
    package func takeBuffered(limit: Int) -> [UInt8] {
        let end = min(buffer.count, start + limit)
        let bytes = Array(buffer[start..<end])
        start = end
        return bytes
    }

    /// True when the socket is connected to this machine (127.0.0.0/8, ::1): decided by the
    /// address it is connected to, whatever name led there.
    package var peerIsLoopback: Bool {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) }
        }
        guard status == 0 else { return false }
        switch Int32(storage.ss_family) {
        case AF_INET:
            let address = withUnsafeBytes(of: storage) { $0.loadUnaligned(as: sockaddr_in.self) }
            return UInt32(bigEndian: address.sin_addr.s_addr) >> 24 == 127
        case AF_INET6:
            let address = withUnsafeBytes(of: storage) { $0.loadUnaligned(as: sockaddr_in6.self) }
            return Loopback.isLoopback(address.sin6_addr)
        default:
            return false
        }
    }

    /// This end's address as an SMTP address literal (RFC 5321 §4.1.3): `[192.0.2.1]`,
    /// `[IPv6:2001:db8::1]`; nil when the socket has none.
    package var localAddressLiteral: String? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard status == 0 else { return nil }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch Int32(storage.ss_family) {
        case AF_INET:
            var address = withUnsafeBytes(of: storage) { $0.loadUnaligned(as: sockaddr_in.self) }.sin_addr
            guard inet_ntop(AF_INET, &address, &text, socklen_t(text.count)) != nil else { return nil }
            return "[" + String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) + "]"
        case AF_INET6:
            var address = withUnsafeBytes(of: storage) { $0.loadUnaligned(as: sockaddr_in6.self) }.sin6_addr
            guard inet_ntop(AF_INET6, &address, &text, socklen_t(text.count)) != nil else { return nil }
            return "[IPv6:" + String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) + "]"
        default:
            return nil
        }
    }

    package func close() {
        tls?.close()
        tls = nil
        if fd >= 0 {
            closeSocket(fd)
            fd = -1
        }
    }
}

// A free function, so the name doesn't clash with `NetworkConnection.close()`.
private func closeSocket(_ fd: Int32) {
    _ = close(fd)
}
