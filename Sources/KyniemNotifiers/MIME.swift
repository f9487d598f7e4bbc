import Foundation
import KyniemCore
import KyniemDispatch
import KyniemTransports

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
