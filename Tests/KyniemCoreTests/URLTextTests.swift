import Testing

@testable import KyniemCore

/// The URL syntax `PostgresURL` and the webhook's `HTTPURL` share (issue 12: one copy, in the core).
@Suite struct URLTextTests {
    func split(_ authority: String) -> String {
        switch URLText.hostAndPort(Substring(authority)) {
        case .success(let (host, port, bracketed)): "\(bracketed ? "[\(host)]" : String(host)) \(port.map { "port=\($0)" } ?? "no-port")"
        case .failure(let problem): "\(problem)"
        }
    }

    @Test func hostsAndPortsAsWritten() {
        #expect(split("db.example.org") == "db.example.org no-port")
        #expect(split("db.example.org:6543") == "db.example.org port=6543")
        #expect(split("db.example.org:") == "db.example.org port=")
        #expect(split("[::1]") == "[::1] no-port")
        #expect(split("[2001:db8::7]:8443") == "[2001:db8::7] port=8443")
        // Unbracketed, the last colon parts host from port (checking the host is the reader's).
        #expect(split("::1") == ": port=1")
        #expect(split("") == " no-port")
    }

    @Test func aBracketMustCloseAndBeFollowedByAPortOnly() {
        #expect(split("[::1") == "unclosedBracket")
        #expect(split("[::1]8080") == "textAfterBracket")
        #expect(split("[::1]:") == "[::1] port=")
    }

    @Test func percentDecodingIsStrict() {
        #expect(URLText.percentDecoded("k%C3%BD%20ni%E1%BB%87m") == "ký niệm")
        #expect(URLText.percentDecoded("plain") == "plain")
        #expect(URLText.percentDecoded("a%2Fb%2fc") == "a/b/c")
        #expect(URLText.percentDecoded("100%") == nil)
        #expect(URLText.percentDecoded("%4") == nil)
        #expect(URLText.percentDecoded("%zz") == nil)
        #expect(URLText.percentDecoded("%FF") == nil)  // not UTF-8
    }
}

/// `PostgresURL` reads its host, port and %-escapes through `URLText`; its own words for each refusal stay.
@Suite struct PostgresURLSyntaxTests {
    func parsed(_ text: String) -> String {
        switch PostgresURL.parse(text) {
        case .success(let url): "\(url.user ?? "-")@\(url.host):\(url.port)/\(url.database)"
        case .failure(let error): error.message
        }
    }

    @Test func hostsPortsAndEscapes() {
        #expect(parsed("postgresql://kyniem@db.example.org/kyniem") == "kyniem@db.example.org:5432/kyniem")
        #expect(parsed("postgresql://k%C3%BD@[2001:db8::7]:6543/s%E1%BB%9F") == "ký@2001:db8::7:6543/sở")
        #expect(parsed("postgres://db:5433/x") == "-@db:5433/x")
    }

    @Test func refusalsKeepTheirWords() {
        #expect(parsed("postgresql://[::1/kyniem") == "an IPv6 host needs its closing ]")
        #expect(parsed("postgresql://[::1]5432/kyniem") == "expected :port after the IPv6 host")
        #expect(parsed("postgresql://db:/kyniem") == "expected a port from 1 to 65535, found \"\"")
        #expect(parsed("postgresql://db:99999/kyniem") == "expected a port from 1 to 65535, found \"99999\"")
        #expect(parsed("postgresql://%zz@db/kyniem") == "the user name before @ is empty or badly %-encoded")
        #expect(parsed("postgresql://db/%FF") == "the URL names no database: expected postgresql://user@host[:port]/database")
    }
}
