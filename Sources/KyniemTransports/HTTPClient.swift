import Foundation
import KyniemCore

/// An `http://` or `https://` URL, split into what a request needs. Written by hand rather than
/// with `URLComponents` so the request target is sent exactly as given (no re-encoding of a
/// token's characters) and an IPv6 literal keeps its brackets where HTTP wants them.
package struct HTTPURL: Sendable, Equatable {
    package let secure: Bool
    /// The host name or IP address, without the brackets of an IPv6 literal.
    package let host: String
    package let port: Int
    /// Path and query as given (`/` when the URL has neither); the fragment is not sent.
    package let target: String
    /// `user:password@` of the URL (percent-decoded), sent as HTTP Basic credentials.
    package let user: String?
    package let password: String?

    package var defaultPort: Int { secure ? 443 : 80 }

    /// The host as it stands in a URL: an IPv6 literal in brackets.
    private var bracketedHost: String { host.contains(":") ? "[\(host)]" : host }

    /// `host`, `host:8080`, `[::1]:8080`: for the Host header.
    package var authority: String { port == defaultPort ? bracketedHost : "\(bracketedHost):\(port)" }

    /// `host:443`: the target of a CONNECT (RFC 7231 §4.3.6 wants the port).
    package var hostAndPort: String { "\(bracketedHost):\(port)" }

    /// The URL of a proxy request (absolute form, RFC 7230 §5.3.2), without credentials.
    package var absolute: String { (secure ? "https://" : "http://") + authority + target }

    /// The URL in `text` (surrounding white space ignored: a value pasted into a variable often
    /// ends with a line break), or nil when it isn't an http(s) URL a request can be sent to.
    /// `portWhenMissing` overrides the scheme's default port (proxies: 1080, as curl does).
    package static func parse(_ text: String, portWhenMissing: Int? = nil) -> HTTPURL? {
        let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let schemeEnd = text.range(of: "://") else { return nil }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        let secure = scheme == "https"
        var rest = text[schemeEnd.upperBound...]
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        var target = ""
        // The path and query are kept as written, except that non-ASCII characters are
        // percent-encoded as UTF-8 (a request line is ASCII). Control characters or spaces would
        // break the request line.
        for byte in rest[authorityEnd...].utf8 {
            guard byte > 32 && byte != 127 else { return nil }
            if byte < 128 {
                target.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                target += "%" + String(byte, radix: 16, uppercase: true)
            }
        }
        if target.isEmpty { target = "/" } else if target.hasPrefix("?") { target = "/" + target }

        var user: String?, password: String?
        if let at = authority.lastIndex(of: "@") {
            let info = authority[..<at]
            authority = authority[authority.index(after: at)...]
            if let colon = info.firstIndex(of: ":") {
                user = percentDecoded(info[..<colon])
                password = percentDecoded(info[info.index(after: colon)...])
            } else {
                user = percentDecoded(info)
            }
        }
        guard case .success(let (host, portText, bracketed)) = URLText.hostAndPort(authority),
            !bracketed || TLSStream.isIPLiteral(String(host))
        else { return nil }
        let allowedHost = host.unicodeScalars.allSatisfy {
            $0.isASCII && $0.value > 32 && $0.value != 127 && !"/?#@[]\\<>\"".unicodeScalars.contains($0)
        }
        guard !host.isEmpty, allowedHost || bracketed else { return nil }
        var port = portWhenMissing ?? (secure ? 443 : 80)
        if let portText, !portText.isEmpty {
            guard portText.allSatisfy(\.isASCII), let number = Int(portText), (1...65535).contains(number) else { return nil }
            port = number
        }
        return HTTPURL(secure: secure, host: String(host), port: port, target: target, user: user, password: password)
    }

    /// Credentials as written when they are not valid %-encoding.
    private static func percentDecoded(_ text: Substring) -> String {
        URLText.percentDecoded(text) ?? String(text)
    }

    /// `Basic …` for the URL's credentials, if it has any.
    package var basicCredentials: String? {
        guard let user else { return nil }
        return "Basic " + Base64.encode(Array("\(user):\(password ?? "")".utf8))
    }
}

/// The answer of a server: its status, headers (names in lower case) and as much of its body as
/// kyniem keeps (`HTTPClient.bodyLimit`).
package struct HTTPResponse: Sendable {
    package let status: Int
    package let headers: [(name: String, value: String)]
    package let body: [UInt8]

    package func header(_ name: String) -> String? {
        headers.last { $0.name == name }?.value
    }
}

/// Synchronous HTTP/1.1 POSTs over `NetworkConnection` (POSIX sockets, OpenSSL for https).
///
/// Not URLSession: on Linux it lives in FoundationNetworking, which links libcurl and through it
/// gnutls, nghttp2, krb5, ldap and more. The dynamic loader maps all of them on every start of
/// kyniem, `kyniem --help` included, for about 7 MB of resident memory; a webhook needs one
/// POST a day. This client does that one thing: a POST with `Connection: close`, a status line,
/// headers, and a body framed by Content-Length, chunks or the end of the connection.
///
/// One `timeout:` bounds the whole request: connecting, the proxy tunnel, the TLS handshake,
/// sending and receiving. Proxies come from the notifier's environment, as curl reads them:
/// `https_proxy`/`HTTPS_PROXY` for https URLs (a CONNECT tunnel), `http_proxy` for http URLs
/// (lower case only: a CGI server sets `HTTP_PROXY` from a request header), and
/// `no_proxy`/`NO_PROXY`. Failure reasons never hold the URL, which often holds a token.
package struct HTTPClient {
    package let timeoutMilliseconds: Int
    /// Extra certificates to trust (PEM), beside the system's.
    package let caFile: String?
    /// Where proxy variables are read.
    package let environment: [String: String]
    /// How host names become addresses (bounded by the request's deadline).
    package let resolver: Resolver

    /// At most this much of a body is kept: a failure reason shows its first line.
    package static let bodyLimit = 64 * 1024
    package static let headLimit = 64 * 1024

    /// `timeout:` as a duration: the bound of one whole request.
    package var timeout: Duration { .milliseconds(timeoutMilliseconds) }

    package init(
        timeoutMilliseconds: Int, caFile: String? = nil, environment: [String: String] = [:], resolver: Resolver = .system
    ) {
        self.timeoutMilliseconds = timeoutMilliseconds
        self.caFile = caFile
        self.environment = environment
        self.resolver = resolver
    }

    /// POSTs `body` as JSON; nil when the server answered 2xx, else why not. The reason never
    /// holds the URL, and the credentials this client sent (`credentials(for:)`) are removed from
    /// what the server said back (a server that echoes the request in an error page would
    /// otherwise put the `Authorization` header in the ledger); the caller redacts the rest of
    /// the URL.
    package func post(_ body: String, to url: HTTPURL, deadline: ContinuousClock.Instant? = nil) -> SendFailure? {
        switch send(body: Array(body.utf8), to: url, deadline: deadline) {
        case .failure(let failure):
            return failure
        case .success(let response) where (200...299).contains(response.status):
            return nil
        case .success(let response):
            var reason = "webhook: the server answered HTTP \(response.status)"
            // Redacted whole, before it is cut short: a cut could split a secret and let its
            // first part through.
            let text = Redactor(secrets: credentials(for: url))(String(decoding: response.body, as: UTF8.self))
            let line = text.split(whereSeparator: \.isNewline).prefix(40).joined(separator: " ")
                .trimmingCharacters(in: .whitespaces)
            if !line.isEmpty { reason += ": " + String(line.prefix(200)) }
            return SendFailure(reason, retryAfter: response.status == 429 ? Self.retryAfter(response) : nil)
        }
    }

    /// The wait a 429 answer asks for: Telegram's `{"parameters": {"retry_after": N}}` (Bot API,
    /// "ResponseParameters"), else a `Retry-After` header in seconds (RFC 9110 §10.2.3).
    package static func retryAfter(_ response: HTTPResponse) -> Duration? {
        if let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
            let parameters = object["parameters"] as? [String: Any], let seconds = parameters["retry_after"] as? Int,
            seconds >= 0
        {
            return .seconds(seconds)
        }
        if let header = response.header("retry-after"), let seconds = Int(header.trimmingCharacters(in: .whitespaces)),
            seconds >= 0
        {
            return .seconds(seconds)
        }
        return nil
    }

    /// Every form of the credentials a request to `url` carries, as a server could echo them:
    /// the user and password of the URL and of the proxy, raw and percent-decoded,
    /// `user:password`, and the base64 of the Basic header (also with `/` escaped as JSON
    /// encoders do).
    package func credentials(for url: HTTPURL) -> [String] {
        var targets = [url]
        if case .success(let proxy?) = Self.proxy(for: url, environment: environment) { targets.append(proxy) }
        var secrets: [String] = []
        for target in targets {
            guard let user = target.user else { continue }
            secrets += [user, "\(user):\(target.password ?? "")"]
            if let password = target.password { secrets.append(password) }
            if let basic = target.basicCredentials?.dropFirst("Basic ".count) {
                secrets += [String(basic), basic.replacingOccurrences(of: "/", with: "\\/")]
            }
            for part in [user, target.password ?? ""] {
                if let encoded = part.addingPercentEncoding(withAllowedCharacters: .alphanumerics) { secrets.append(encoded) }
            }
        }
        return secrets
    }

    /// What the server answered a POST of `body` to `url`, or why there is no answer. The
    /// request ends by `timeout:` from now, or by `end` (the run's bound) if that comes first.
    ///
    /// The body of a 2xx answer is not read: the status has decided, and a server that trickles
    /// its body can't hold the run. Any other answer's body is read until the request's deadline,
    /// and kept as far as it came.
    package func send(body: [UInt8], to url: HTTPURL, deadline end: ContinuousClock.Instant? = nil) -> Result<HTTPResponse, SendFailure> {
        let deadline = Deadline.earliest(.after(milliseconds: timeoutMilliseconds), end.map { Deadline(instant: $0) })
        // Cut off by the run's bound rather than by `timeout:`: the reason says so.
        let limitedByRun = end.map { $0 < ContinuousClock.now + timeout } ?? false
        func failure(_ error: ConnectionError, peer: String, receiving: Bool = false) -> SendFailure {
            self.failure(error, peer: peer, receiving: receiving, limitedByRun: limitedByRun)
        }
        let proxy: HTTPURL?
        switch Self.proxy(for: url, environment: environment) {
        case .success(let found): proxy = found
        case .failure(let failure): return .failure(failure)
        }
        let peer = proxy == nil ? "the server" : "the proxy"
        let connection: NetworkConnection
        switch NetworkConnection.open(
            host: proxy?.host ?? url.host, port: proxy?.port ?? url.port, timeoutMilliseconds: timeoutMilliseconds,
            deadline: deadline, resolver: resolver)
        {
        case .success(let opened): connection = opened
        case .failure(let error): return .failure(failure(error, peer: peer))
        }
        defer { connection.close() }

        if let proxy, url.secure, let problem = tunnel(connection, to: url, through: proxy, failure: failure) {
            return .failure(problem)
        }
        if url.secure, let error = connection.startTLS(serverName: url.host, caFile: caFile) {
            return .failure(failure(error, peer: "the server"))
        }
        var head = "POST \(proxy != nil && !url.secure ? url.absolute : url.target) HTTP/1.1\r\n"
        head += "Host: \(url.authority)\r\n"
        head += "User-Agent: kyniem\r\n"
        head += "Content-Type: application/json; charset=utf-8\r\n"
        head += "Content-Length: \(body.count)\r\n"
        head += "Accept: */*\r\n"
        head += "Connection: close\r\n"
        if let credentials = url.basicCredentials { head += "Authorization: \(credentials)\r\n" }
        if let proxy, !url.secure, let credentials = proxy.basicCredentials { head += "Proxy-Authorization: \(credentials)\r\n" }
        head += "\r\n"
        if let error = connection.write(Array(head.utf8) + body) {
            return .failure(failure(error, peer: "the server"))
        }
        var response: HTTPResponse
        repeat {
            switch readHead(connection) {
            case .success(let read): response = read
            case .failure(let error): return .failure(failure(error, peer: "the server", receiving: true))
            }
            // 1xx answers (100 Continue, 103 Early Hints) come before the real one.
        } while (100...199).contains(response.status) && response.status != 101
        let answer = (200...299).contains(response.status) ? [] : readBody(connection, of: response)
        return .success(HTTPResponse(status: response.status, headers: response.headers, body: answer))
    }

    /// Opens a CONNECT tunnel to `url` through `proxy` (RFC 7231 §4.3.6); nil once the proxy
    /// answered 2xx.
    private func tunnel(
        _ connection: NetworkConnection, to url: HTTPURL, through proxy: HTTPURL,
        failure: (ConnectionError, String, Bool) -> SendFailure
    ) -> SendFailure? {
        var request = "CONNECT \(url.hostAndPort) HTTP/1.1\r\n"
        request += "Host: \(url.hostAndPort)\r\n"
        request += "User-Agent: kyniem\r\n"
        if let credentials = proxy.basicCredentials { request += "Proxy-Authorization: \(credentials)\r\n" }
        request += "\r\n"
        if let error = connection.write(request) { return failure(error, "the proxy", false) }
        switch readHead(connection) {
        case .failure(let error):
            return failure(error, "the proxy", true)
        case .success(let answer) where (200...299).contains(answer.status):
            return nil
        case .success(let answer):
            let hint = answer.status == 407 ? " (it wants credentials: put them in the proxy variable's URL, http://user:password@proxy:port)" : ""
            return SendFailure("webhook: the proxy refused to open a tunnel to the server: HTTP \(answer.status)\(hint)")
        }
    }

    /// The status line and headers (RFC 7230 §3), bodiless.
    private func readHead(_ connection: NetworkConnection) -> Result<HTTPResponse, ConnectionError> {
        let statusLine: String
        switch connection.readLine(limit: 8 * 1024) {
        case .success(let bytes): statusLine = String(decoding: bytes, as: UTF8.self)
        case .failure(let error): return .failure(error)
        }
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), parts[1].count == 3, let status = Int(parts[1]) else {
            return .failure(ConnectionError(.io, "the answer is not HTTP/1.x"))
        }
        var headers: [(name: String, value: String)] = []
        var total = 0
        while true {
            let line: [UInt8]
            switch connection.readLine(limit: 8 * 1024) {
            case .success(let bytes): line = bytes
            case .failure(let error): return .failure(error)
            }
            if line.isEmpty { break }
            total += line.count
            if total > Self.headLimit { return .failure(ConnectionError(.io, "the headers are longer than \(Self.headLimit) bytes")) }
            let text = String(decoding: line, as: UTF8.self)
            guard let colon = text.firstIndex(of: ":") else { continue }
            headers.append((
                name: text[..<colon].trimmingCharacters(in: .whitespaces).lowercased(),
                value: text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        return .success(HTTPResponse(status: status, headers: headers, body: []))
    }

    /// As much of the body as `bodyLimit` allows (RFC 7230 §3.3.3). Best effort: the status has
    /// decided the outcome already, so a body cut short (the deadline, a closed connection) is
    /// kept as far as it came.
    private func readBody(_ connection: NetworkConnection, of response: HTTPResponse) -> [UInt8] {
        if response.status == 204 || response.status == 304 { return [] }
        if let coding = response.header("transfer-encoding"),
            coding.lowercased().split(separator: ",").last?.trimmingCharacters(in: .whitespaces) == "chunked"
        {
            return readChunks(connection)
        }
        if let length = response.header("content-length") {
            guard let count = Int(length), count >= 0 else { return [] }
            return (try? connection.read(count: min(count, Self.bodyLimit)).get())
                ?? connection.takeBuffered(limit: Self.bodyLimit)
        }
        return (try? connection.readToEnd(limit: Self.bodyLimit).get()) ?? connection.takeBuffered(limit: Self.bodyLimit)
    }

    /// A chunked body (RFC 7230 §4.1): hex size lines (extensions after `;` ignored), each chunk
    /// followed by CR LF, a zero size at the end, then trailers.
    private func readChunks(_ connection: NetworkConnection) -> [UInt8] {
        var body: [UInt8] = []
        while body.count < Self.bodyLimit {
            guard let line = try? connection.readLine(limit: 1024).get() else { break }
            let sizeText = String(decoding: line, as: UTF8.self).split(separator: ";").first?.trimmingCharacters(in: .whitespaces) ?? ""
            guard let size = Int(sizeText, radix: 16), size >= 0 else { break }
            if size == 0 { break }
            guard let chunk = try? connection.read(count: min(size, Self.bodyLimit - body.count)).get() else {
                body += connection.takeBuffered(limit: min(size, Self.bodyLimit - body.count))
                break
            }
            body += chunk
            if chunk.count < size { break }
            guard (try? connection.readLine(limit: 2).get()) == [] else { break }
        }
        return body
    }

    /// A connection error as a failure reason, in words of kyniem's (never the URL).
    private func failure(_ error: ConnectionError, peer: String, receiving: Bool, limitedByRun: Bool) -> SendFailure {
        let reason: String
        let whose = peer == "the proxy" ? "the proxy's" : "the server's"
        switch error.kind {
        case .resolve: reason = "cannot resolve \(whose) host name"
        case .resolveTimedOut where limitedByRun:
            reason = "cannot resolve \(whose) host name before the run's time bound (run_timeout:); the next run sends it"
        case .resolveTimedOut: reason = "cannot resolve \(whose) host name within \(error.detail)"
        case .timedOut where limitedByRun:
            reason = "the run reached its time bound (run_timeout:) before \(peer) answered; the next run sends it"
        case .connect: reason = "cannot connect to \(peer) (\(error.detail.prefix(1).lowercased() + error.detail.dropFirst()))"
        case .timedOut: reason = "no answer within \(TimeoutText.describe(timeoutMilliseconds))"
        case .closed: reason = receiving ? "\(peer) closed the connection without answering" : "the connection was lost"
        case .tls: reason = error.detail
        case .io: reason = receiving ? "\(peer)'s answer could not be read (\(error.detail))" : "the request failed (\(error.detail))"
        }
        return SendFailure("webhook: " + reason)
    }

    /// The proxy for `url` from `environment`, nil for a direct connection, or why the proxy
    /// variable can't be used.
    package static func proxy(for url: HTTPURL, environment: [String: String]) -> Result<HTTPURL?, SendFailure> {
        let names = url.secure ? ["https_proxy", "HTTPS_PROXY"] : ["http_proxy"]
        guard let name = names.first(where: { !(environment[$0] ?? "").isEmpty }), let value = environment[name] else {
            return .success(nil)
        }
        let exceptions = environment["no_proxy"] ?? environment["NO_PROXY"] ?? ""
        if bypassesProxy(url, noProxy: exceptions) { return .success(nil) }
        let text = value.contains("://") ? value : "http://" + value
        guard text.lowercased().hasPrefix("http://"), let proxy = HTTPURL.parse(text, portWhenMissing: 1080) else {
            return .failure(SendFailure(
                "webhook: \(name) is not an http:// proxy URL like http://proxy.example.org:3128 (https:// and socks proxies are not supported)"))
        }
        return .success(proxy)
    }

    /// `no_proxy` as curl reads it: comma-separated host names or domains (a leading dot or
    /// `*.` optional: `example.org` also covers `hooks.example.org`), IP addresses, an optional
    /// `:port` after each, and `*` for every host. CIDR ranges are not understood.
    package static func bypassesProxy(_ url: HTTPURL, noProxy: String) -> Bool {
        let host = url.host.lowercased()
        for item in noProxy.split(separator: ",") {
            var entry = item.trimmingCharacters(in: .whitespaces).lowercased()
            if entry == "*" { return true }
            if entry.hasPrefix("[") , let close = entry.firstIndex(of: "]") {
                let after = entry[entry.index(after: close)...]
                if after.hasPrefix(":"), Int(after.dropFirst()) != url.port { continue }
                entry = String(entry[entry.index(after: entry.startIndex)..<close])
            } else if entry.filter({ $0 == ":" }).count == 1, let colon = entry.firstIndex(of: ":") {
                if Int(entry[entry.index(after: colon)...]) != url.port { continue }
                entry = String(entry[..<colon])
            }
            if entry.hasPrefix("*.") { entry.removeFirst(2) } else if entry.hasPrefix(".") { entry.removeFirst() }
            if entry.isEmpty { continue }
            if host == entry || host.hasSuffix("." + entry) { return true }
        }
        return false
    }
}
