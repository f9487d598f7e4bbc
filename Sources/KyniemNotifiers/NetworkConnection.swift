#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A point in time on the monotonic clock, after which a network operation gives up.
struct Deadline {
    let instant: ContinuousClock.Instant

    static func after(milliseconds: Int) -> Deadline {
        Deadline(instant: .now + .milliseconds(milliseconds))
    }

    static func earliest(_ a: Deadline, _ b: Deadline?) -> Deadline {
        guard let b else { return a }
        return a.instant <= b.instant ? a : b
    }

    /// What is left, in whole milliseconds (rounded up, so poll never spins on a sub-millisecond
    /// rest), never negative.
    var remainingMilliseconds: Int32 {
        let (seconds, attoseconds) = (instant - .now).components
        if seconds < 0 || (seconds == 0 && attoseconds <= 0) { return 0 }
        let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: milliseconds)
    }
}

/// Why a network operation failed, in plain words that never hold the host or the URL: the
/// callers (SMTP, HTTP) decide what they may add.
struct ConnectionError: Error, Sendable {
    enum Kind: Sendable {
        /// The host name has no address.
        case resolve
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

    let kind: Kind
    let detail: String

    init(_ kind: Kind, _ detail: String) {
        self.kind = kind
        self.detail = detail
    }
}

/// A TCP connection that is plain or, after `startTLS`, TLS (`TLSStream`), with buffered reads.
///
/// The socket is non-blocking and every wait is a `poll` bounded by a deadline: each read, write
/// or handshake waits at most `operationTimeout` milliseconds (SMTP's rule: a server that stops
/// answering mid-conversation is given up on), and never past `deadline` when one is set (HTTP's
/// rule: one `timeout:` for the whole request). A slow server can therefore never hold a run.
final class NetworkConnection {
    private var fd: Int32
    private var tls: TLSStream?
    private var buffer: [UInt8] = []
    /// Where the unread part of `buffer` starts (consumed bytes are dropped in bulk).
    private var start = 0
    private let operationTimeout: Int
    var deadline: Deadline?

    var isTLS: Bool { tls != nil }

    /// Bytes received but not yet read: after a STARTTLS answer there must be none (RFC 3207 §6:
    /// anything the server sent before the handshake would otherwise be read as if protected).
    var hasBufferedInput: Bool { start < buffer.count }

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

    /// Connects to the first address of `host` that accepts within the timeout (all addresses
    /// share it, and `deadline`).
    static func open(host: String, port: Int, timeoutMilliseconds: Int, deadline: Deadline? = nil) -> Result<NetworkConnection, ConnectionError> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        hints.ai_flags = AI_ADDRCONFIG
        var list: UnsafeMutablePointer<addrinfo>?
        // A name lookup is not bounded by the timeout: getaddrinfo has no timeout of its own, and
        // the resolver's (resolv.conf) applies.
        let status = getaddrinfo(host, String(port), &hints, &list)
        if status != 0 && hints.ai_flags != 0 {
            // AI_ADDRCONFIG hides loopback addresses on a host with no other interface.
            hints.ai_flags = 0
            _ = getaddrinfo(host, String(port), &hints, &list)
        }
        guard let first = list else {
            return .failure(ConnectionError(.resolve, String(cString: gai_strerror(status))))
        }
        defer { freeaddrinfo(list) }
        let until = Deadline.earliest(.after(milliseconds: timeoutMilliseconds), deadline)
        var lastError = ConnectionError(.connect, "no address")
        var current: UnsafeMutablePointer<addrinfo>? = first
        while let info = current {
            current = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
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
            if let problem = waitForConnect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen, until) {
                lastError = problem
                closeSocket(fd)
                if problem.kind == .timedOut { break }
                continue
            }
            return .success(NetworkConnection(fd: fd, operationTimeout: timeoutMilliseconds, deadline: deadline))
        }
        return .failure(lastError)
    }

    private static func waitForConnect(_ fd: Int32, _ address: UnsafeMutablePointer<sockaddr>?, _ length: socklen_t, _ until: Deadline) -> ConnectionError? {
        if connect(fd, address, length) == 0 { return nil }
        guard errno == EINPROGRESS else { return ConnectionError(.connect, String(cString: strerror(errno))) }
        if let problem = wait(fd, for: Int16(POLLOUT), until: until) { return problem }
        var error: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size)
        return error == 0 ? nil : ConnectionError(.connect, String(cString: strerror(error)))
    }

    /// Waits until `fd` is ready for `events`; nil when it is, else the reason.
    static func wait(_ fd: Int32, for events: Int16, until: Deadline) -> ConnectionError? {
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
    func startTLS(serverName: String, caFile: String?) -> ConnectionError? {
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

    func write(_ text: String) -> ConnectionError? {
        write(Array(text.utf8))
    }

    /// Writes every byte; nil on success, else the reason.
    func write(_ bytes: [UInt8]) -> ConnectionError? {
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
    func readLine(limit: Int) -> Result<[UInt8], ConnectionError> {
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
    func read(count: Int) -> Result<[UInt8], ConnectionError> {
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
    func readToEnd(limit: Int) -> Result<[UInt8], ConnectionError> {
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

    func close() {
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
