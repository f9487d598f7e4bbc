import Foundation
import KyniemConfig
import KyniemCore
import KyniemDispatch
import KyniemTransports

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
