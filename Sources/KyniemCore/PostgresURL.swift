/// `state: postgresql://user@host[:port]/database[?sslmode=...]`: a PostgreSQL ledger (SPEC.md,
/// "Shared state"). A value, parsed without I/O, so `check` and the ledger read it the same way.
///
/// The URL never carries a password: libpq takes it from `PGPASSWORD` or `~/.pgpass` (which it
/// ignores unless its mode is 0600 or stricter). Query parameters are the few libpq ones an office
/// needs, spelled as libpq spells them; any other is refused so a typo does not silently weaken TLS.
public struct PostgresURL: Sendable, Hashable {
    /// nil: libpq's default (the operating-system user name).
    public var user: String?
    public var host: String
    public var port: Int
    public var database: String
    /// `disable`, `allow`, `prefer` (libpq's default when absent), `require`, `verify-ca`, `verify-full`.
    public var sslMode: String?
    /// The certificate authorities for `verify-ca`/`verify-full` (libpq's default: `~/.postgresql/root.crt`).
    public var sslRootCert: String?
    /// Seconds libpq waits for the connection (default here: 10).
    public var connectTimeout: Int?

    public static let sslModes = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]
    public static let parameters = ["sslmode", "sslrootcert", "connect_timeout"]

    /// Whether a `state:` value is meant as a PostgreSQL URL rather than a file path.
    public static func isURL(_ text: String) -> Bool {
        text.hasPrefix("postgresql://") || text.hasPrefix("postgres://")
    }

    /// The URL without its query, for messages and the lock's name: `postgresql://kyniem@db:5432/kyniem`.
    public var display: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return "postgresql://\(user.map { "\($0)@" } ?? "")\(hostPart):\(port)/\(database)"
    }

    /// A password in the user part or in the query: refused wherever it is written.
    private static let carriesPassword = PostgresURLError(
        "the URL carries a password; remove it and give it in PGPASSWORD or ~/.pgpass (mode 0600), "
            + "never in the configuration")

    /// Parses `text`; the error says what is wrong in a sentence for `check`.
    public static func parse(_ text: String) -> Result<PostgresURL, PostgresURLError> {
        guard isURL(text) else { return .failure(.init("expected postgresql://user@host[:port]/database")) }
        var rest = Substring(text.dropFirst(text.hasPrefix("postgresql://") ? 13 : 11))
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        if rest.contains("#") { return .failure(.init("a fragment (#...) has no meaning in a PostgreSQL URL")) }
        guard let slash = rest.firstIndex(of: "/") else {
            return .failure(.init("the URL names no database: expected postgresql://user@host[:port]/database"))
        }
        let authority = rest[..<slash]
        let path = rest[rest.index(after: slash)...]
        var user: String?
        var hostPort = authority
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            hostPort = authority[authority.index(after: at)...]
            if userInfo.contains(":") {
                return .failure(carriesPassword)
            }
            guard let decoded = URLText.percentDecoded(userInfo), !decoded.isEmpty else {
                return .failure(.init("the user name before @ is empty or badly %-encoded"))
            }
            user = decoded
        }
        let host: Substring
        let portText: Substring?
        switch URLText.hostAndPort(hostPort) {
        case .success(let split): (host, portText) = (split.host, split.port)
        case .failure(.unclosedBracket): return .failure(.init("an IPv6 host needs its closing ]"))
        case .failure(.textAfterBracket): return .failure(.init("expected :port after the IPv6 host"))
        }
        guard !host.isEmpty, !host.contains(","), host.allSatisfy({ !$0.isWhitespace && $0 != "%" && $0 != "/" }) else {
            return .failure(.init("the URL names no host (one host; a socket folder is not accepted)"))
        }
        var port = 5432
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value), portText.allSatisfy(\.isASCII) else {
                return .failure(.init("expected a port from 1 to 65535, found \"\(portText)\""))
            }
            port = value
        }
        guard !path.isEmpty, !path.contains("/"), let database = URLText.percentDecoded(path), !database.isEmpty else {
            return .failure(.init("the URL names no database: expected postgresql://user@host[:port]/database"))
        }
        var url = PostgresURL(user: user, host: String(host), port: port, database: database)
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            guard parts.count == 2, let value = URLText.percentDecoded(parts[1]), !value.isEmpty else {
                return .failure(.init("expected name=value in the query, found \"\(pair)\""))
            }
            switch name {
            case "sslmode":
                guard sslModes.contains(value) else {
                    return .failure(.init(
                        "unknown sslmode \"\(value)\"; expected one of \(sslModes.joined(separator: ", ")) "
                            + "(verify-full in production)"))
                }
                url.sslMode = value
            case "sslrootcert":
                url.sslRootCert = value
            case "connect_timeout":
                guard let seconds = Int(value), (1...300).contains(seconds) else {
                    return .failure(.init("expected connect_timeout from 1 to 300 seconds, found \"\(value)\""))
                }
                url.connectTimeout = seconds
            case "password":
                return .failure(carriesPassword)
            default:
                return .failure(.init(
                    "unknown parameter \"\(name)\"; expected \(parameters.joined(separator: ", "))"))
            }
        }
        return .success(url)
    }

    public init(
        user: String?, host: String, port: Int = 5432, database: String, sslMode: String? = nil,
        sslRootCert: String? = nil, connectTimeout: Int? = nil
    ) {
        self.user = user
        self.host = host
        self.port = port
        self.database = database
        self.sslMode = sslMode
        self.sslRootCert = sslRootCert
        self.connectTimeout = connectTimeout
    }
}

/// Why a `state:` URL was refused.
public struct PostgresURLError: Error, Sendable, Hashable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
