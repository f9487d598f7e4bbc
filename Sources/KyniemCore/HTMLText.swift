/// Text made safe inside HTML, for every writer of HTML: the calendars and the published site
/// (KyniemRender) and the e-mail and Telegram digests (KyniemDispatch).
public enum HTMLText {
    /// Escapes the five characters that can end text or an attribute value: `& < > " '`.
    /// Over the string's contiguous UTF-8 (`withUTF8`): the five are ASCII, so every other byte is
    /// copied as it is, and the usual text, with none of them, is appended whole.
    public static func appendEscaped(_ text: String, to out: inout String) {
        @inline(__always) func special(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: "&") || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">")
                || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'")
        }
        var text = text
        let escaped: [UInt8]? = text.withUTF8 { utf8 in
            guard utf8.contains(where: special) else { return nil }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(utf8.count + 32)
            appendEscaped(utf8, to: &bytes)
            return bytes
        }
        if let escaped {
            out += String(decoding: escaped, as: UTF8.self)
        } else {
            out += text
        }
    }

    /// `appendEscaped(_:to:)` into UTF-8 bytes: the same escapes, each run between them copied whole.
    public static func appendEscaped(_ text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { appendEscaped($0, to: &out) }
    }

    /// The one table of the five escapes, over contiguous UTF-8.
    private static func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        var start = 0
        for (index, byte) in utf8.enumerated() {
            let replacement: StaticString
            switch byte {
            case UInt8(ascii: "&"): replacement = "&amp;"
            case UInt8(ascii: "<"): replacement = "&lt;"
            case UInt8(ascii: ">"): replacement = "&gt;"
            case UInt8(ascii: "\""): replacement = "&quot;"
            case UInt8(ascii: "'"): replacement = "&#39;"
            default: continue
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<index]))
            out.append(contentsOf: UnsafeBufferPointer(start: replacement.utf8Start, count: replacement.utf8CodeUnitCount))
            start = index + 1
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
    }

    public static func escaped(_ text: String) -> String {
        var out = ""
        appendEscaped(text, to: &out)
        return out
    }
}
