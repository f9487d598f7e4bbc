/// Text made safe inside HTML, for every writer of HTML: the calendars and the published site
/// (KyniemRender) and the e-mail and Telegram digests (KyniemDispatch).
public enum HTMLText {
    /// Escapes the five characters that can end text or an attribute value: `& < > " '`.
    public static func appendEscaped(_ text: String, to out: inout String) {
        guard text.utf8.contains(where: {
            $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">")
                || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "'")
        }) else {
            out += text
            return
        }
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
    }

    public static func escaped(_ text: String) -> String {
        var out = ""
        appendEscaped(text, to: &out)
        return out
    }
}
