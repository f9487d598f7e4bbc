/// The pieces of URL syntax (RFC 3986) that kyniem's two URL readers share: the PostgreSQL
/// `state:` URL (`PostgresURL`) and the webhook's http(s) URL (`HTTPURL` in KyniemTransports).
/// Each reader keeps its own rules about what it accepts and its own words for a refusal.
package enum URLText {
    /// Why an authority's host could not be told from its port.
    package enum HostProblem: Error, Equatable {
        /// `[::1` — an IPv6 literal without its closing bracket.
        case unclosedBracket
        /// `[::1]x` — something other than `:port` after the bracket.
        case textAfterBracket
    }

    /// An authority's host and port as written (RFC 3986 §3.2.2–3.2.3), the user information
    /// already taken off: `host`, `host:port`, `[v6]`, `[v6]:port`. `port` is the text after
    /// the colon (possibly empty), nil when there is no colon; `bracketed` says the host was an
    /// IP literal in brackets (which the host does not include).
    package static func hostAndPort(
        _ authority: Substring
    ) -> Result<(host: Substring, port: Substring?, bracketed: Bool), HostProblem> {
        guard authority.hasPrefix("[") else {
            guard let colon = authority.lastIndex(of: ":") else { return .success((authority, nil, false)) }
            return .success((authority[..<colon], authority[authority.index(after: colon)...], false))
        }
        guard let close = authority.firstIndex(of: "]") else { return .failure(.unclosedBracket) }
        let host = authority[authority.index(after: authority.startIndex)..<close]
        let after = authority[authority.index(after: close)...]
        guard !after.isEmpty else { return .success((host, nil, true)) }
        guard after.hasPrefix(":") else { return .failure(.textAfterBracket) }
        return .success((host, after.dropFirst(), true))
    }

    /// `%XX` decoding (RFC 3986 §2.1) to UTF-8 text; nil for a malformed escape or bytes that
    /// are not UTF-8.
    package static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var index = text.utf8.startIndex
        let utf8 = text.utf8
        while index != utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%") {
                let first = utf8.index(after: index)
                guard first != utf8.endIndex else { return nil }
                let second = utf8.index(after: first)
                guard second != utf8.endIndex, let high = hexValue(utf8[first]), let low = hexValue(utf8[second]) else {
                    return nil
                }
                bytes.append(high << 4 | low)
                index = utf8.index(after: second)
            } else {
                bytes.append(byte)
                index = utf8.index(after: index)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
