import KyniemCore

/// One reply of an SMTP server: its code and the text of each line.
package struct SMTPReply: Sendable {
    package let code: Int
    package let lines: [String]

    package var text: String { "\(code) " + lines.joined(separator: " / ") }
}

/// A connection to an SMTP server: `NetworkConnection` (plain, or TLS from the start or after
/// STARTTLS) and SMTP's multi-line replies. One deadline bounds the whole session, from the
/// name lookup to the reply after DATA: a server that trickles a reply one line at a time runs
/// into it like one that says nothing.
package final class SMTPConnection {
    private let network: NetworkConnection
    /// What a timeout is called in a failure reason: the session's `timeout:`, or the run's bound.
    private let outOfTime: String
    /// Replies longer than this are cut off: a server can't make kyniem grow without bound.
    private static let maximumReplyBytes = 64 * 1024

    private init(network: NetworkConnection, outOfTime: String) {
        self.network = network
        self.outOfTime = outOfTime
    }

    package var isTLS: Bool { network.isTLS }

    /// True when the socket is connected to this machine, whatever name led there.
    package var peerIsLoopback: Bool { network.peerIsLoopback }

    /// This end's address as an address literal, for EHLO when the host has no domain name.
    package var localAddressLiteral: String? { network.localAddressLiteral }

    /// Connects to the first address of `host` that answers; this and every later read and
    /// write of the session end by `deadline` (the earlier of the session's `timeout:` and the
    /// run's bound; `limitedByRun` says it is the run's, for the reasons).
    package static func connect(
        host: String, port: Int, timeoutMilliseconds: Int, deadline: ContinuousClock.Instant, limitedByRun: Bool = false,
        resolver: Resolver = .system
    ) -> Result<SMTPConnection, SendFailure> {
        let outOfTime = limitedByRun
            ? "the run reached its time bound (run_timeout:)"
            : "the session's timeout (\(TimeoutText.describe(timeoutMilliseconds))) ran out"
        switch NetworkConnection.open(
            host: host, port: port, timeoutMilliseconds: timeoutMilliseconds, deadline: Deadline(instant: deadline),
            resolver: resolver)
        {
        case .success(let network):
            return .success(SMTPConnection(network: network, outOfTime: outOfTime))
        case .failure(let error) where error.kind == .resolve:
            return .failure(SendFailure("smtp: cannot resolve \(host): \(error.detail)"))
        case .failure(let error) where error.kind == .resolveTimedOut:
            return .failure(SendFailure(limitedByRun
                ? "smtp: cannot resolve \(host) before the run's time bound (run_timeout:)"
                : "smtp: cannot resolve \(host) within \(error.detail)"))
        case .failure(let error):
            let detail = error.kind == .timedOut
                ? (limitedByRun ? "no answer before the run's time bound (run_timeout:)"
                    : "no answer within \(TimeoutText.describe(timeoutMilliseconds))")
                : error.detail
            return .failure(SendFailure("smtp: cannot connect to \(host):\(port): \(detail)"))
        }
    }

    /// The TLS handshake (right after connecting for implicit TLS, or after the server's 220 to
    /// STARTTLS), verifying the certificate for `host`; nil once done.
    package func startTLS(host: String, caFile: String?) -> SendFailure? {
        guard let error = network.startTLS(serverName: host, caFile: caFile) else { return nil }
        return SendFailure("smtp: " + (error.kind == .timedOut ? "\(outOfTime) during the TLS handshake" : error.detail))
    }

    /// Writes every byte; nil on success, else the reason.
    package func write(_ text: String) -> String? {
        guard let error = network.write(text) else { return nil }
        return error.kind == .timedOut ? "\(outOfTime) while writing" : error.detail
    }

    /// A whole reply, continuation lines (`250-…`) included; `awaited` names it for a failure
    /// reason ("the greeting", "the reply to EHLO").
    package func readReply(_ awaited: String) -> Result<SMTPReply, SendFailure> {
        var lines: [String] = []
        var total = 0
        while true {
            let line: String
            switch network.readLine(limit: Self.maximumReplyBytes) {
            case .success(let bytes):
                line = String(decoding: bytes, as: UTF8.self)
            case .failure(let error):
                let partial = lines.isEmpty ? "" : " (\(lines.count) line\(lines.count == 1 ? "" : "s") of it came)"
                return .failure(SendFailure(
                    "smtp: " + (error.kind == .timedOut ? "\(outOfTime) waiting for \(awaited)\(partial)" : error.detail)))
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

    package func close() {
        network.close()
    }
}
