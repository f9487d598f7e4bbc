/// One reply of an SMTP server: its code and the text of each line.
struct SMTPReply: Sendable {
    let code: Int
    let lines: [String]

    var text: String { "\(code) " + lines.joined(separator: " / ") }
}

/// A connection to an SMTP server: `NetworkConnection` (plain, or TLS from the start or after
/// STARTTLS), each read and write bounded by the notifier's timeout, and SMTP's multi-line
/// replies.
final class SMTPConnection {
    private let network: NetworkConnection
    /// Replies longer than this are cut off: a server can't make kyniem grow without bound.
    private static let maximumReplyBytes = 64 * 1024

    private init(network: NetworkConnection) {
        self.network = network
    }

    var isTLS: Bool { network.isTLS }

    /// Connects to the first address of `host` that answers within `timeoutMilliseconds`; every
    /// later read and write of the session also ends by `deadline`.
    static func connect(
        host: String, port: Int, timeoutMilliseconds: Int, deadline: ContinuousClock.Instant
    ) -> Result<SMTPConnection, SendFailure> {
        switch NetworkConnection.open(
            host: host, port: port, timeoutMilliseconds: timeoutMilliseconds, deadline: Deadline(instant: deadline))
        {
        case .success(let network):
            return .success(SMTPConnection(network: network))
        case .failure(let error) where error.kind == .resolve:
            return .failure(SendFailure("smtp: cannot resolve \(host): \(error.detail)"))
        case .failure(let error):
            let detail = error.kind == .timedOut ? "no answer within \(PluginNotifier.duration(timeoutMilliseconds))" : error.detail
            return .failure(SendFailure("smtp: cannot connect to \(host):\(port): \(detail)"))
        }
    }

    /// The TLS handshake (right after connecting for implicit TLS, or after the server's 220 to
    /// STARTTLS), verifying the certificate for `host`; nil once done.
    func startTLS(host: String, caFile: String?) -> SendFailure? {
        guard let error = network.startTLS(serverName: host, caFile: caFile) else { return nil }
        return SendFailure("smtp: " + (error.kind == .timedOut ? "no answer in time during the TLS handshake" : error.detail))
    }

    /// Writes every byte; nil on success, else the reason.
    func write(_ text: String) -> String? {
        guard let error = network.write(text) else { return nil }
        return error.kind == .timedOut ? "write timed out" : error.detail
    }

    /// A whole reply, continuation lines (`250-…`) included.
    func readReply() -> Result<SMTPReply, SendFailure> {
        var lines: [String] = []
        var total = 0
        while true {
            let line: String
            switch network.readLine(limit: Self.maximumReplyBytes) {
            case .success(let bytes):
                line = String(decoding: bytes, as: UTF8.self)
            case .failure(let error):
                return .failure(SendFailure("smtp: " + (error.kind == .timedOut ? "no answer in time" : error.detail)))
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
        network.close()
    }
}
