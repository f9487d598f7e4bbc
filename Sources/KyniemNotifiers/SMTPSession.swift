import Foundation
import KyniemCore
import KyniemDispatch
import KyniemTransports

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif


/// The SMTP conversation for one message.
struct SMTPSession {
    let configuration: EmailNotifier.Configuration
    let password: String?
    var resolver: Resolver = .system

    /// Sends `batch`'s digest; nil once the server accepted it, else why not. `deadline` ends the
    /// whole session; `limitedByRun` says it is the run's bound rather than `timeout:`.
    func deliver(
        _ batch: NotifierBatch, date: Date, deadline: ContinuousClock.Instant, limitedByRun: Bool = false,
        accepted: () -> Void
    ) -> SendFailure? {
        let connection: SMTPConnection
        switch SMTPConnection.connect(
            host: configuration.host, port: configuration.port, timeoutMilliseconds: configuration.timeoutMilliseconds,
            deadline: deadline, limitedByRun: limitedByRun, resolver: resolver)
        {
        case .success(let opened): connection = opened
        case .failure(let failure): return failure
        }
        defer { connection.close() }
        if configuration.security == .tls, let failure = connection.startTLS(host: configuration.host, caFile: configuration.caFile) {
            return failure
        }
        do {
            try expect(connection, 220, during: "the greeting")
            let domain = configuration.helo ?? Self.ehloName(connection)
            var extensions: [String] = []
            let ehlo = try command(connection, "EHLO \(domain)")
            if ehlo.code == 250 {
                extensions = ehlo.lines.dropFirst().map { $0.uppercased() }
            } else {
                try expect(try command(connection, "HELO \(domain)"), 250, during: "HELO")
            }
            if configuration.security == .starttls {
                extensions = try startTLS(connection, extensions: extensions, domain: domain)
            }
            if let user = configuration.user, let password {
                // The configuration check refuses this already; a password never leaves in the
                // clear by mistake. Loopback here is the name and also the address the socket is
                // connected to: a `localhost` that resolves elsewhere doesn't count.
                let local = EmailNotifier.isLoopback(configuration.host) && connection.peerIsLoopback
                guard connection.isTLS || configuration.allowPlaintextAuth || local else {
                    throw SendFailure("smtp: not sending the password over a connection without TLS")
                }
                try authenticate(connection, user: user, password: password, extensions: extensions)
            }
            let message = MIME.message(
                batch: batch, from: configuration.from, to: configuration.to, date: date,
                eightBit: extensions.contains { $0 == "8BITMIME" })
            let body = message.eightBit ? " BODY=8BITMIME" : ""
            try expect(try command(connection, "MAIL FROM:<\(configuration.from.address)>\(body)"), 250, during: "MAIL FROM")
            for recipient in configuration.to {
                let reply = try command(connection, "RCPT TO:<\(recipient.address)>")
                guard reply.code == 250 || reply.code == 251 else {
                    throw SendFailure("smtp: the server refused the recipient \(recipient.address): \(reply.text)")
                }
            }
            try expect(try command(connection, "DATA"), 354, during: "DATA")
            try write(connection, MIME.dotStuffed(message.text) + ".\r\n")
            try expect(connection, 250, during: "the end of the message")
            accepted()
            // Accepted: a failed QUIT changes nothing.
            _ = connection.write("QUIT\r\n")
            _ = connection.readReply("the reply to QUIT")
            return nil
        } catch let failure as SendFailure {
            _ = connection.write("QUIT\r\n")
            return failure
        } catch {
            return SendFailure("smtp: \(error)")
        }
    }

    /// STARTTLS (RFC 3207): the command, the handshake, then EHLO again, whose extensions replace
    /// the ones offered in the clear (§4.2: they may differ, and the first ones could have been
    /// altered on the way). A server that doesn't offer it fails the delivery: nothing is sent
    /// in the clear instead.
    private func startTLS(_ connection: SMTPConnection, extensions: [String], domain: String) throws -> [String] {
        guard extensions.contains("STARTTLS") else {
            throw SendFailure("smtp: the server does not offer STARTTLS, so nothing was sent (`smtp.starttls: true` "
                + "never falls back to a connection without TLS)")
        }
        let reply = try command(connection, "STARTTLS")
        guard reply.code == 220 else { throw SendFailure("smtp: the server refused STARTTLS: \(reply.text)") }
        if let failure = connection.startTLS(host: configuration.host, caFile: configuration.caFile) { throw failure }
        let ehlo = try command(connection, "EHLO \(domain)")
        try expect(ehlo, 250, during: "EHLO after STARTTLS")
        return ehlo.lines.dropFirst().map { $0.uppercased() }
    }

    private func authenticate(_ connection: SMTPConnection, user: String, password: String, extensions: [String]) throws {
        let offered = Set(extensions.filter { $0.hasPrefix("AUTH ") || $0.hasPrefix("AUTH=") }
            .flatMap { $0.dropFirst(5).split(separator: " ").map(String.init) })
        let mechanism: String
        if let wanted = configuration.mechanism?.uppercased() {
            guard offered.contains(wanted) else {
                throw SendFailure("smtp: the server doesn't offer AUTH \(wanted) (it offers: \(offered.sorted().joined(separator: " ")))")
            }
            mechanism = wanted
        } else if let first = ["PLAIN", "LOGIN"].first(where: offered.contains) {
            mechanism = first
        } else {
            throw SendFailure(offered.isEmpty
                ? "smtp: `smtp.user:` is set but the server offers no AUTH"
                    + (connection.isTLS ? "" : " (over a connection without TLS many servers don't: try `smtp.starttls: true`)")
                : "smtp: the server offers no AUTH PLAIN or LOGIN (it offers: \(offered.sorted().joined(separator: " ")))")
        }
        if mechanism == "PLAIN" {
            let token = Base64.encode(Array("\0\(user)\0\(password)".utf8))
            try expect(try command(connection, "AUTH PLAIN \(token)"), 235, during: "AUTH PLAIN (is the password right?)")
        } else {
            try expect(try command(connection, "AUTH LOGIN"), 334, during: "AUTH LOGIN")
            try expect(try command(connection, Base64.encode(Array(user.utf8))), 334, during: "AUTH LOGIN (user)")
            try expect(try command(connection, Base64.encode(Array(password.utf8))), 235, during: "AUTH LOGIN (is the password right?)")
        }
    }

    private func write(_ connection: SMTPConnection, _ text: String) throws {
        if let problem = connection.write(text) { throw SendFailure("smtp: cannot write to the server: \(problem)") }
    }

    private func command(_ connection: SMTPConnection, _ line: String) throws -> SMTPReply {
        try write(connection, line + "\r\n")
        // Named by its verb only: the lines of AUTH LOGIN are the user name and password.
        let verb = line.prefix { $0 != " " }
        let named = ["EHLO", "HELO", "STARTTLS", "AUTH", "MAIL", "RCPT", "DATA", "QUIT"].contains(String(verb))
        return try connection.readReply("the reply to " + (named ? String(verb) : "AUTH LOGIN")).get()
    }

    private func expect(_ connection: SMTPConnection, _ code: Int, during step: String) throws {
        let awaited = step == "the greeting" ? "the greeting" : "the reply to \(step)"
        try expect(try connection.readReply(awaited).get(), code, during: step)
    }

    private func expect(_ reply: SMTPReply, _ code: Int, during step: String) throws {
        guard reply.code == code else { throw SendFailure("smtp: the server refused \(step): \(reply.text)") }
    }

    /// What EHLO names this client by (RFC 5321 §4.1.4: "the fully-qualified domain name of the
    /// SMTP client if one is available", else an address literal): the host name when it is
    /// fully qualified, else the connection's own address as a literal (`[192.0.2.1]`). Never a
    /// bare name like `vm`, which strict servers refuse. No DNS lookup for a canonical name: it
    /// could hold the run past its bound. `smtp.helo:` overrides it.
    static func ehloName(_ connection: SMTPConnection) -> String {
        let name = hostName()
        if isFullyQualified(name) { return name }
        return connection.localAddressLiteral ?? "[127.0.0.1]"
    }

    /// A dotted name that is not `localhost` and does not end in `.localdomain` / `.local`.
    static func isFullyQualified(_ name: String) -> Bool {
        let lower = name.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        guard lower.contains("."), EmailNotifier.isHostName(lower), !lower.contains("[") else { return false }
        return !lower.hasPrefix("localhost") && !lower.hasSuffix(".localdomain") && !lower.hasSuffix(".local")
    }

    static func hostName() -> String {
        var bytes = [CChar](repeating: 0, count: 256)
        guard gethostname(&bytes, bytes.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: bytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty || !name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") })
            ? "localhost" : name
    }
}
