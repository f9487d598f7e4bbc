import Foundation
import KyniemConfig
import KyniemCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `type: email` — one e-mail per run holding the batch's digest, over SMTP:
///
/// ```yaml
/// from: "Kỷ niệm <kyniem@example.org>"
/// to: [doingoai@example.org]
/// smtp: {host: mail.example.org, port: 587, starttls: true, user: kyniem, password_env: SMTP_PASSWORD}
/// ```
///
/// The subject is the digest's title (an RFC 2047 encoded word when it isn't ASCII); the body is
/// `multipart/alternative`: the digest as plain text, and as an HTML page with inline CSS and
/// simple tables, as UTF-8 (8bit when the server offers 8BITMIME, base64 otherwise). EHLO names
/// the host by its fully qualified name, or by the connection's address literal (`smtp.helo:`
/// sets it). `AUTH PLAIN` or
/// `AUTH LOGIN` when `smtp.user` is set. The whole batch is sent or failed together: the server
/// accepting the message (250 after DATA) is `sent`.
///
/// TLS (OpenSSL, see `TLSStream`): `smtp.starttls: true` upgrades a plain connection (RFC 3207;
/// port 587 by default) and never falls back to sending in the clear when the server doesn't
/// offer it; `smtp.tls: true`, or port 465, is TLS from the start (RFC 8314). The certificate is
/// verified against the system's trust store and `smtp.ca_file:`. Without TLS a password is
/// only sent to a loopback host or with `smtp.allow_plaintext_auth: true`.
public struct EmailNotifier: Notifier {
    struct Configuration: Sendable {
        var from: EmailAddress
        var to: [EmailAddress]
        var host: String
        var port: Int
        var user: String?
        var passwordEnvironment: String?
        /// `plain` or `login`; nil: the first the server offers, PLAIN before LOGIN.
        var mechanism: String?
        var timeoutMilliseconds: Int
        var helo: String?
        var security: Security = .plain
        /// Extra trusted certificates (PEM), resolved against the configuration's folder.
        var caFile: String?
        /// A password may cross a connection without TLS to a host that isn't loopback.
        var allowPlaintextAuth = false
    }

    /// How the connection is protected.
    enum Security: String, Sendable {
        /// No TLS: a local MTA, or a relay on a trusted network.
        case plain
        /// A plain connection upgraded with STARTTLS before anything else is sent (RFC 3207).
        case starttls
        /// TLS from the first byte (RFC 8314 §3.3, port 465).
        case tls
    }

    static let defaultTimeoutMilliseconds = 10_000
    static let settingKeys = ["from", "to", "smtp", "timeout"]
    static let smtpKeys = ["host", "port", "starttls", "tls", "ca_file", "user", "password_env", "auth", "helo", "allow_plaintext_auth"]

    let configuration: Configuration
    let environment: [String: String]
    /// The Date header's clock.
    let now: @Sendable () -> Date
    /// How `smtp.host` becomes addresses (tests inject a slow one).
    let resolver: Resolver

    init(
        configuration: Configuration, environment: [String: String], now: @escaping @Sendable () -> Date = { Date() },
        resolver: Resolver = .system
    ) {
        self.configuration = configuration
        self.environment = environment
        self.now = now
        self.resolver = resolver
    }

    /// The settings of a `type: email` entry, or every problem with them.
    static func configuration(_ spec: NotifierSpec) -> Result<Configuration, ConfigurationErrors> {
        var settings = NotifierSettings(spec)
        let fromText = settings.string("from", required: true)
        let toTexts = settings.list("to", required: true)
        var from: EmailAddress?
        if let fromText {
            switch EmailAddress.parse(fromText) {
            case .success(let address): from = address
            case .failure(let failure): settings.problem("from", "`from:` \(failure.reason)")
            }
        }
        var to: [EmailAddress] = []
        for text in toTexts ?? [] {
            switch EmailAddress.parse(text) {
            case .success(let address): to.append(address)
            case .failure(let failure): settings.problem("to", "`to:` \(failure.reason)")
            }
        }
        var host = "", port = 25, user: String?, passwordEnvironment: String?, mechanism: String?, helo: String?
        var security = Security.plain, caFile: String?, plaintextAllowed = false
        let timeout = settings.timeout(default: defaultTimeoutMilliseconds)
        if var smtp = settings.map("smtp", required: true) {
            host = smtp.string("host", required: true) ?? ""
            let explicitPort = smtp.integer("port", in: 1...65535)
            let starttls = smtp.bool("starttls") ?? false
            let implicitTLS = smtp.bool("tls")
            if starttls && implicitTLS == true {
                smtp.problem("tls", "give either `smtp.starttls: true` (a plain connection upgraded, usually port 587) "
                    + "or `smtp.tls: true` (TLS from the start, usually port 465), not both")
            } else if starttls && explicitPort == 465 {
                smtp.problem("port", "port 465 speaks TLS from the start: use `smtp.tls: true` rather than `smtp.starttls: true`")
            }
            // Port 465 is TLS from the start (RFC 8314 §3.3) unless `tls: false` says otherwise.
            security = starttls ? .starttls : (implicitTLS ?? (explicitPort == 465)) ? .tls : .plain
            port = explicitPort ?? [.plain: 25, .starttls: 587, .tls: 465][security] ?? 25
            caFile = smtp.string("ca_file")
            if caFile != nil && security == .plain {
                smtp.problem("ca_file", "`smtp.ca_file:` is only used with TLS: add `smtp.starttls: true` or `smtp.tls: true`")
            }
            user = smtp.string("user")
            passwordEnvironment = smtp.environmentName("password_env")
            if user != nil && passwordEnvironment == nil && !smtp.has("password_env") {
                smtp.problem("password_env", "`smtp.user:` needs `smtp.password_env:` (the variable holding the password)")
            }
            if user == nil && passwordEnvironment != nil {
                smtp.problem("user", "`smtp.password_env:` needs `smtp.user:`")
            }
            if smtp.has("auth") {
                mechanism = smtp.choice("auth", among: ["plain", "login"], default: "plain")
            }
            helo = smtp.string("helo")
            if let name = helo, !isHostName(name) {
                // It goes on the EHLO line as it is: a line break in it would be a command of its own.
                smtp.problem("helo", "`smtp.helo:` must be a host name like kyniem.example.org, found \(ControlCharacters.quoted(name))")
            }
            plaintextAllowed = smtp.bool("allow_plaintext_auth") ?? false
            if user != nil && security == .plain && !host.isEmpty && !isLoopback(host) && !plaintextAllowed {
                smtp.problem("user",
                    "the password would cross the network unencrypted; set `smtp.starttls: true` (port 587) or "
                        + "`smtp.tls: true` (port 465), or `smtp.allow_plaintext_auth: true` for a relay on a network you trust")
            }
            smtp.rejectUnknownKeys(smtpKeys)
            settings.merge(smtp)
        }
        settings.rejectUnknownKeys(settingKeys)
        guard settings.problems.isEmpty, let from, !to.isEmpty else {
            return .failure(ConfigurationErrors(settings.problems))
        }
        return .success(Configuration(
            from: from, to: to, host: host, port: port, user: user, passwordEnvironment: passwordEnvironment,
            mechanism: mechanism, timeoutMilliseconds: timeout, helo: helo, security: security, caFile: caFile,
            allowPlaintextAuth: plaintextAllowed))
    }

    /// `localhost`, or an address in 127.0.0.0/8 or `::1`, decided by parsing it (`Loopback`).
    static func isLoopback(_ host: String) -> Bool {
        Loopback.isLoopback(host)
    }

    /// A name for EHLO (RFC 5321 §4.1.1.1: a domain, or an address literal in brackets): letters,
    /// digits, `-`, `.`, and `[`, `]`, `:` for a literal; nothing else, no control characters.
    static func isHostName(_ text: String) -> Bool {
        !text.isEmpty && text.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-.[]:".unicodeScalars.contains($0))
        }
    }

    public func send(_ batch: NotifierBatch, outcomes: OutcomeSink) {
        var password: String?
        if let name = configuration.passwordEnvironment {
            switch EnvironmentName.value(name, setting: "smtp.password_env", in: environment) {
            case .success(let value): password = value
            case .failure(let failure): return outcomes.failUnreported(batch, failure.reason)
            }
        }
        var secrets: [String] = []
        if let password, let user = configuration.user {
            secrets = [password, Base64.encode(Array(password.utf8)), Base64.encode(Array("\0\(user)\0\(password)".utf8))]
        }
        let redact = Redactor(secrets: secrets)
        let session = SMTPSession(configuration: configuration, password: password, resolver: resolver)
        if batch.isPastDeadline { return outcomes.failUnreported(batch, RunBound.reachedReason) }
        // `timeout:` bounds the whole session, and the run's bound caps it. The digest is one
        // message: every key is sent the moment the server accepts it, before QUIT.
        let timeout = Duration.milliseconds(configuration.timeoutMilliseconds)
        let deadline = batch.deadline(within: timeout)
        if let failure = session.deliver(
            batch, date: now(), deadline: deadline, limitedByRun: deadline == batch.deadline,
            accepted: { outcomes.sentAll(batch) })
        {
            outcomes.failUnreported(batch, redact(failure.reason))
        }
    }
}

/// One mailbox: `addr@example.org` or `Display Name <addr@example.org>`.
struct EmailAddress: Sendable, Hashable {
    let name: String?
    let address: String

    static func parse(_ text: String) -> Result<EmailAddress, SendFailure> {
        let text = text.trimmingCharacters(in: .whitespaces)
        // Scalars, not Characters: "\r\n" is one Character, equal to neither "\r" nor "\n".
        guard !ControlCharacters.contains(text) else {
            return .failure(SendFailure("holds a line break or another control character: \(ControlCharacters.quoted(text))"))
        }
        var name: String?
        var address = text
        if text.hasSuffix(">"), let open = text.lastIndex(of: "<") {
            address = String(text[text.index(after: open)..<text.index(before: text.endIndex)])
            var display = text[..<open].trimmingCharacters(in: .whitespaces)
            if display.hasPrefix("\""), display.hasSuffix("\""), display.count >= 2 {
                display = String(display.dropFirst().dropLast())
            }
            name = display.isEmpty ? nil : display
        }
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        let allowed = address.unicodeScalars.allSatisfy { $0.isASCII && $0.value > 32 && $0.value < 127 && !"<>()[],;:\\\"".unicodeScalars.contains($0) }
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, allowed else {
            return .failure(SendFailure("is not an e-mail address like name@example.org: \"\(text)\""))
        }
        return .success(EmailAddress(name: name, address: address))
    }

    /// As a header value: the name quoted, or an encoded word when it isn't ASCII.
    var header: String {
        guard let name else { return address }
        if name.allSatisfy({ $0.isASCII && $0 != "\"" && $0 != "\\" }) {
            return "\"\(name)\" <\(address)>"
        }
        return MIME.encodedWords(name, firstLineUsed: 0).joined(separator: " ") + " <\(address)>"
    }

    var domain: String { String(address.split(separator: "@").last ?? "localhost") }
}

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

/// The text of an e-mail (RFC 5322 with MIME), built by hand: UTF-8 text in 8bit or base64,
/// headers in RFC 2047 encoded words.
enum MIME {
    struct Built {
        /// CRLF line endings, ending with CRLF; not yet dot-stuffed.
        let text: String
        let eightBit: Bool
    }

    /// The digest as `multipart/alternative` (RFC 2046 §5.1.4): a text/plain part first, then a
    /// text/html part, the richer last, as clients pick the last part they can show. Each part
    /// is UTF-8, 8bit when the server offers 8BITMIME and every line fits in 998 octets, else
    /// base64. The subject is the digest's title.
    static func message(batch: NotifierBatch, from: EmailAddress, to: [EmailAddress], date: Date, eightBit allowed: Bool) -> Built {
        let title: String, plain: String, html: String
        if batch.templated {
            (title, plain) = (batch.digest.title, batch.digest.body)
            html = DigestFormat.html(title: title, text: plain, language: batch.language)
        } else {
            title = batch.content.title
            plain = DigestFormat.plainText(batch.content)
            html = DigestFormat.html(batch.content)
        }
        let boundary = "kyniem-" + messageHash(batch) + "-alt"
        let parts = [(plain, "text/plain"), (html, "text/html")].map { text, type in
            part(text, type: type, eightBitAllowed: allowed)
        }
        let eightBit = parts.contains { $0.eightBit }
        var headers = [
            "From: " + from.header,
            "To: " + to.map(\.header).joined(separator: ",\r\n "),
            header("Subject", title),
            "Date: " + rfc5322Date(date),
            "Message-ID: " + messageID(batch, domain: from.domain),
            "MIME-Version: 1.0",
            "Content-Type: multipart/alternative; boundary=\"\(boundary)\"",
            "X-Mailer: kyniem",
        ]
        headers.append("")
        var body = ""
        for part in parts {
            body += "--\(boundary)\r\n" + part.text
        }
        body += "--\(boundary)--\r\n"
        return Built(text: headers.joined(separator: "\r\n") + "\r\n" + body, eightBit: eightBit)
    }

    /// One body part with its headers, ending with CRLF.
    static func part(_ text: String, type: String, eightBitAllowed: Bool) -> Built {
        let lines = ControlCharacters.lines(text)
        // 8bit lines may hold at most 998 octets (RFC 5322 §2.1.1).
        let eightBit = eightBitAllowed && lines.allSatisfy { $0.utf8.count <= 998 }
        let body = eightBit
            ? lines.joined(separator: "\r\n")
            : base64Lines(Array(lines.joined(separator: "\r\n").utf8)).joined(separator: "\r\n")
        let head = "Content-Type: \(type); charset=utf-8\r\nContent-Transfer-Encoding: \(eightBit ? "8bit" : "base64")\r\n\r\n"
        return Built(text: head + body + "\r\n", eightBit: eightBit)
    }

    /// `Name: value`, the value as encoded words (folded) unless it is short printable ASCII.
    /// Control characters (a line break could start a header of its own, like `Bcc:`) become
    /// spaces: a subject is built from event titles, which are data, so it is cleaned, not refused.
    static func header(_ name: String, _ value: String) -> String {
        let value = ControlCharacters.singleLine(value)
        if value.allSatisfy({ $0.isASCII }) && value.utf8.count + name.count + 2 <= 78 && !value.contains("=?") {
            return "\(name): \(value)"
        }
        return "\(name): " + encodedWords(value, firstLineUsed: name.count + 2).joined(separator: "\r\n ")
    }

    /// `=?UTF-8?B?…?=` words of at most 75 characters, each holding whole characters.
    static func encodedWords(_ text: String, firstLineUsed: Int) -> [String] {
        var words: [String] = []
        var chunk: [UInt8] = []
        // A folded line is a space and a word: 1 + 12 + 60 base64 characters (45 bytes) stays
        // within 78. The first word shares its line with the header name.
        var limit = max(3, (78 - firstLineUsed - 12) / 4 * 3)
        for character in text {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > limit && !chunk.isEmpty {
                words.append("=?UTF-8?B?" + Base64.encode(chunk) + "?=")
                chunk = []
                limit = 45
            }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty { words.append("=?UTF-8?B?" + Base64.encode(chunk) + "?=") }
        return words
    }

    static func base64Lines(_ bytes: [UInt8]) -> [String] {
        let text = Base64.encode(bytes)
        var lines: [String] = []
        var index = text.startIndex
        while index < text.endIndex {
            let end = text.index(index, offsetBy: 76, limitedBy: text.endIndex) ?? text.endIndex
            lines.append(String(text[index..<end]))
            index = end
        }
        return lines
    }

    /// A line starting with `.` gets another in front (RFC 5321 §4.5.2).
    static func dotStuffed(_ text: String) -> String {
        var result = text.hasPrefix(".") ? "." + text : text
        result = result.replacingOccurrences(of: "\r\n.", with: "\r\n..")
        return result
    }

    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone.current
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter.string(from: date)
    }

    /// The same batch always gets the same id, so a repeated send (see `Notifier`) can be
    /// recognised by mail clients that deduplicate.
    static func messageID(_ batch: NotifierBatch, domain: String) -> String {
        "<kyniem.\(batch.runDate.iso).\(messageHash(batch))@\(domain)>"
    }

    /// 16 hex digits from the notifier and the batch's keys (FNV-1a).
    static func messageHash(_ batch: NotifierBatch) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in ([batch.notifier] + batch.keys).joined(separator: "\n").utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

enum Base64 {
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
    }
}
