import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One reply of an SMTP server: its code and the text of each line.
struct SMTPReply: Sendable {
    let code: Int
    let lines: [String]

    var text: String { "\(code) " + lines.joined(separator: " / ") }
}

/// A plain TCP connection to an SMTP server (POSIX sockets): a connect with a timeout, then
/// line-oriented reads and writes, each bounded by the same timeout. No TLS.
final class SMTPConnection {
    private var fd: Int32
    private var buffer: [UInt8] = []
    /// Replies longer than this are cut off: a server can't make kyniem grow without bound.
    private static let maximumReplyBytes = 64 * 1024

    private init(fd: Int32) {
        self.fd = fd
    }

    deinit {
        if fd >= 0 { socketClose(fd) }
    }

    /// Connects to the first address of `host` that answers within `timeoutMilliseconds`.
    static func connect(host: String, port: Int, timeoutMilliseconds: Int) -> Result<SMTPConnection, SendFailure> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            return .failure(SendFailure("smtp: cannot resolve \(host): \(String(cString: gai_strerror(status)))"))
        }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var current: UnsafeMutablePointer<addrinfo>? = first
        while let info = current {
            current = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            guard fd >= 0 else {
                lastError = String(cString: strerror(errno))
                continue
            }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            if let problem = waitForConnect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen, timeoutMilliseconds) {
                lastError = problem
                socketClose(fd)
                continue
            }
            var timeout = timeval(tv_sec: .init(timeoutMilliseconds / 1000), tv_usec: .init((timeoutMilliseconds % 1000) * 1000))
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            #if canImport(Darwin)
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
            #endif
            return .success(SMTPConnection(fd: fd))
        }
        return .failure(SendFailure("smtp: cannot connect to \(host):\(port): \(lastError)"))
    }

    /// A non-blocking connect waited for with poll; nil on success, else the reason.
    private static func waitForConnect(_ fd: Int32, _ address: UnsafeMutablePointer<sockaddr>?, _ length: socklen_t, _ timeoutMilliseconds: Int) -> String? {
        let flags = fcntl(fd, F_GETFL, 0)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        if socketConnect(fd, address, length) != 0 {
            guard errno == EINPROGRESS else { return String(cString: strerror(errno)) }
            var entry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            var ready: Int32
            repeat {
                ready = poll(&entry, 1, Int32(timeoutMilliseconds))
            } while ready < 0 && errno == EINTR
            if ready == 0 { return "no answer within \(PluginNotifier.duration(timeoutMilliseconds))" }
            if ready < 0 { return String(cString: strerror(errno)) }
            var error: Int32 = 0
            var size = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size)
            if error != 0 { return String(cString: strerror(error)) }
        }
        _ = fcntl(fd, F_SETFL, flags)
        return nil
    }

    /// Writes every byte; nil on success, else the reason.
    func write(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            #if canImport(Glibc)
            let flags = Int32(MSG_NOSIGNAL)
            #else
            let flags: Int32 = 0
            #endif
            let count = bytes[offset...].withUnsafeBytes { socketSend(fd, $0.baseAddress, $0.count, flags) }
            if count < 0 {
                if errno == EINTR { continue }
                return errno == EAGAIN || errno == EWOULDBLOCK ? "write timed out" : String(cString: strerror(errno))
            }
            offset += count
        }
        return nil
    }

    /// One line without its CRLF, or why none came.
    private func readLine() -> Result<String, SendFailure> {
        while true {
            if let end = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                var line = Array(buffer[..<end])
                buffer.removeSubrange(...end)
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                return .success(String(decoding: line, as: UTF8.self))
            }
            if buffer.count > Self.maximumReplyBytes {
                return .failure(SendFailure("smtp: the server sent a line longer than \(Self.maximumReplyBytes) bytes"))
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0 {
                if errno == EINTR { continue }
                let reason = errno == EAGAIN || errno == EWOULDBLOCK ? "no answer in time" : String(cString: strerror(errno))
                return .failure(SendFailure("smtp: \(reason)"))
            }
            if count == 0 { return .failure(SendFailure("smtp: the server closed the connection")) }
            buffer += chunk[..<count]
        }
    }

    /// A whole reply, continuation lines (`250-…`) included.
    func readReply() -> Result<SMTPReply, SendFailure> {
        var lines: [String] = []
        var total = 0
        while true {
            let line: String
            switch readLine() {
            case .success(let text): line = text
            case .failure(let failure): return .failure(failure)
            }
            total += line.utf8.count
            let digits = line.prefix(3)
            guard digits.count == 3, let code = Int(digits), digits.allSatisfy(\.isASCII) else {
                return .failure(SendFailure("smtp: not an SMTP reply: \(String(line.prefix(80)))"))
            }
            let separator = line.dropFirst(3).first
            lines.append(String(line.dropFirst(4)))
            if separator != "-" { return .success(SMTPReply(code: code, lines: lines)) }
            if total > Self.maximumReplyBytes {
                return .failure(SendFailure("smtp: the server's reply is longer than \(Self.maximumReplyBytes) bytes"))
            }
        }
    }

    func close() {
        if fd >= 0 {
            socketClose(fd)
            fd = -1
        }
    }
}

// Free functions, so the names don't clash with this file's methods.
private func socketConnect(_ fd: Int32, _ address: UnsafeMutablePointer<sockaddr>?, _ length: socklen_t) -> Int32 {
    connect(fd, address, length)
}

private func socketSend(_ fd: Int32, _ bytes: UnsafeRawPointer?, _ count: Int, _ flags: Int32) -> Int {
    send(fd, bytes, count, flags)
}

private func socketClose(_ fd: Int32) {
    _ = close(fd)
}
