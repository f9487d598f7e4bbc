import COpenSSL
import KyniemFiles

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A TLS client session over a connected, non-blocking socket (OpenSSL's libssl, loaded on the
/// first handshake: `OpenSSL`).
///
/// Client only, TLS 1.2 or later. The server's certificate must chain to the system's trust
/// store (`SSL_CTX_set_default_verify_paths`: Debian's /etc/ssl/certs) or to the certificates
/// of the optional `ca_file:` (an office's internal CA, a test's self-signed certificate), and
/// must be for the host name that was asked for (`SSL_set1_host`; an IP literal is checked
/// against the certificate's IP addresses). SNI is sent for names, not for IP literals (RFC 6066
/// §3). There is no setting that turns verification off.
///
/// The socket stays non-blocking: OpenSSL reports `SSL_ERROR_WANT_READ`/`WANT_WRITE`, and
/// `NetworkConnection` polls with its deadline before calling again, so a handshake, read or
/// write can't outlast the notifier's timeout.
package final class TLSStream {
    /// What one call did: moved some bytes, needs the socket readable or writable first, met the
    /// end of the stream, or failed (the reason in words).
    package enum Step {
        case done(Int)
        case wantRead
        case wantWrite
        case closed
        case failed(String)
    }

    private let openSSL: OpenSSL
    private var context: OpaquePointer?
    private var ssl: OpaquePointer?

    private init(openSSL: OpenSSL, context: OpaquePointer, ssl: OpaquePointer) {
        self.openSSL = openSSL
        self.context = context
        self.ssl = ssl
    }

    deinit {
        close()
    }

    /// Why `caFile` can't serve as trusted certificates (unreadable, or no PEM certificate in
    /// it), or nil when it loads. `kyniem check` asks this too, so a wrong path is found before
    /// the first send.
    /// Without libssl the file can't be read as certificates, and no send could use it: that
    /// is the problem then.
    package static func caFileProblem(_ caFile: String) -> String? {
        if let problem = RegularFile.problem(atPath: caFile) { return problem }
        let openSSL: OpenSSL
        switch OpenSSL.shared {
        case .success(let loaded): openSSL = loaded
        case .failure(let failure): return failure.message
        }
        openSSL.clearErrors()
        guard let context = openSSL.contextNew(openSSL.clientMethod()) else {
            return "TLS could not be set up (\(lastErrorText(openSSL)))"
        }
        defer { openSSL.contextFree(context) }
        return load(caFile: caFile, into: context, openSSL)
    }

    private static func load(caFile: String, into context: OpaquePointer, _ openSSL: OpenSSL) -> String? {
        // OpenSSL opens the file blocking: a FIFO without a writer would hold `check` forever.
        if let problem = RegularFile.problem(atPath: caFile) { return problem }
        guard openSSL.contextLoadVerifyLocations(context, caFile, nil) != 1 else { return nil }
        return access(caFile, R_OK) == 0 ? "it holds no PEM certificate" : String(cString: strerror(errno))
    }

    /// Runs the client handshake on `fd` until it succeeds, fails or `until` passes.
    package static func handshake(fd: Int32, serverName: String, caFile: String?, until: Deadline) -> Result<TLSStream, ConnectionError> {
        // OpenSSL writes through write(2), which raises SIGPIPE on a connection the server reset;
        // like the plugin runner (ChildProcess), kyniem takes EPIPE instead.
        signal(SIGPIPE, SIG_IGN)
        let openSSL: OpenSSL
        switch OpenSSL.shared {
        case .success(let loaded): openSSL = loaded
        case .failure(let failure): return .failure(ConnectionError(.tls, failure.message))
        }
        openSSL.clearErrors()
        guard let context = openSSL.contextNew(openSSL.clientMethod()) else {
            return .failure(ConnectionError(.tls, "TLS could not be set up (\(lastErrorText(openSSL)))"))
        }
        guard openSSL.requireTLS12(context), openSSL.contextSetDefaultVerifyPaths(context) == 1 else {
            openSSL.contextFree(context)
            return .failure(ConnectionError(.tls, "TLS could not be set up (\(lastErrorText(openSSL)))"))
        }
        openSSL.allowPartialAndMovingWrites(context)
        openSSL.contextSetVerify(context, SSL_VERIFY_PEER, nil)
        if let caFile, let reason = load(caFile: caFile, into: context, openSSL) {
            openSSL.contextFree(context)
            return .failure(ConnectionError(.tls, "cannot read the CA file \(caFile): \(reason)"))
        }
        guard let ssl = openSSL.new(context) else {
            openSSL.contextFree(context)
            return .failure(ConnectionError(.tls, "TLS could not be set up (\(lastErrorText(openSSL)))"))
        }
        let stream = TLSStream(openSSL: openSSL, context: context, ssl: ssl)
        let name = serverName.hasPrefix("[") && serverName.hasSuffix("]") ? String(serverName.dropFirst().dropLast()) : serverName
        let hostChecked: Bool
        if isIPLiteral(name) {
            hostChecked = openSSL.setExpectedIP(openSSL.verifyParameters(ssl), name) == 1
        } else {
            openSSL.setHostFlags(ssl, UInt32(X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS))
            hostChecked = openSSL.setHost(ssl, name) == 1 && openSSL.setServerNameIndication(ssl, name)
        }
        guard hostChecked, openSSL.setFD(ssl, fd) == 1 else {
            return .failure(ConnectionError(.tls, "TLS could not be set up for this host name (\(lastErrorText(openSSL)))"))
        }
        while true {
            openSSL.clearErrors()
            let result = openSSL.connect(ssl)
            if result == 1 { return .success(stream) }
            let code = openSSL.error(ssl, result)
            let events: Int16
            switch code {
            case SSL_ERROR_WANT_READ: events = Int16(POLLIN)
            case SSL_ERROR_WANT_WRITE: events = Int16(POLLOUT)
            default: return .failure(ConnectionError(.tls, stream.handshakeFailure(code)))
            }
            if let problem = NetworkConnection.wait(fd, for: events, until: until) {
                return .failure(problem.kind == .timedOut ? ConnectionError(.timedOut, "no answer during the TLS handshake") : problem)
            }
        }
    }

    /// Why the handshake failed: the certificate check's own verdict when there is one (it is
    /// what people can act on: install the CA, set `ca_file:`, renew the certificate).
    private func handshakeFailure(_ code: Int32) -> String {
        let verdict = openSSL.verifyResult(ssl)
        if verdict != X509_V_OK {
            let text = openSSL.verifyErrorString(verdict).map { String(cString: $0) } ?? "verify error \(verdict)"
            if verdict == X509_V_ERR_HOSTNAME_MISMATCH || verdict == X509_V_ERR_IP_ADDRESS_MISMATCH {
                return "the server's certificate is for another host name (\(text))"
            }
            return "the server's certificate is not trusted (\(text))"
        }
        let detail = Self.lastErrorText(openSSL)
        if code == SSL_ERROR_SYSCALL && detail.isEmpty {
            return "the server closed the connection during the TLS handshake"
        }
        return detail.isEmpty ? "the TLS handshake failed" : "the TLS handshake failed (\(detail))"
    }

    package func read(into buffer: UnsafeMutableRawBufferPointer) -> Step {
        guard let ssl else { return .closed }
        openSSL.clearErrors()
        errno = 0
        let count = openSSL.read(ssl, buffer.baseAddress, Int32(clamping: buffer.count))
        return count > 0 ? .done(Int(count)) : step(count)
    }

    package func write(_ bytes: UnsafeRawBufferPointer) -> Step {
        guard let ssl else { return .closed }
        openSSL.clearErrors()
        errno = 0
        let count = openSSL.write(ssl, bytes.baseAddress, Int32(clamping: bytes.count))
        return count > 0 ? .done(Int(count)) : step(count)
    }

    private func step(_ result: Int32) -> Step {
        let code = openSSL.error(ssl, result)
        switch code {
        case SSL_ERROR_WANT_READ: return .wantRead
        case SSL_ERROR_WANT_WRITE: return .wantWrite
        case SSL_ERROR_ZERO_RETURN: return .closed
        case SSL_ERROR_SYSCALL:
            // The peer closed without a TLS close_notify, or reset the connection. HTTP bodies are
            // delimited by Content-Length or chunks and SMTP by its replies, so a missing
            // close_notify can't cut a message short unnoticed.
            let detail = Self.lastErrorText(openSSL)
            if !detail.isEmpty { return .failed("the TLS connection failed (\(detail))") }
            return errno == 0 || errno == EPIPE || errno == ECONNRESET ? .closed : .failed(String(cString: strerror(errno)))
        default:
            let detail = Self.lastErrorText(openSSL)
            return .failed(detail.isEmpty ? "the TLS connection failed" : "the TLS connection failed (\(detail))")
        }
    }

    /// Sends a close_notify if the socket takes it now (no waiting), then frees the session.
    package func close() {
        if let ssl {
            openSSL.clearErrors()
            _ = openSSL.shutdown(ssl)
            openSSL.free(ssl)
            self.ssl = nil
        }
        if let context {
            openSSL.contextFree(context)
            self.context = nil
        }
    }

    /// The reason of the oldest error in OpenSSL's queue of this thread ("wrong version number",
    /// "certificate verify failed"), empty when there is none.
    static func lastErrorText(_ openSSL: OpenSSL) -> String {
        let code = openSSL.nextError()
        guard code != 0 else { return "" }
        if let reason = openSSL.reasonString(code) { return String(cString: reason) }
        var bytes = [CChar](repeating: 0, count: 256)
        openSSL.errorString(code, &bytes, bytes.count)
        return String(decoding: bytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    package static func isIPLiteral(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }
}
