import KyniemCore

/// Text on its way out, as UTF-8 bytes. Renderers append to it; with a `flush`, it hands its
/// bytes over whenever it holds `chunkSize` of them (64 KiB), so a document of any length is
/// written with one chunk of memory instead of being built whole as a String. Without a flush
/// it keeps everything, for callers that want the document as a String (`text`).
///
/// A flush cannot fail here: the CLI's flush records a write error and skips later writes
/// (`Terminal`), and the command ends with exit 4 once it is done, as for any other output.
public struct OutputBuffer {
    public static let chunkSize = 1 << 16

    /// The bytes not yet handed to `flush` (all of them without one).
    var bytes: [UInt8] = []
    private let flush: ((UnsafeRawBufferPointer) -> Void)?

    /// A buffer that keeps everything written to it.
    public init(capacity: Int = 0) {
        flush = nil
        bytes.reserveCapacity(capacity)
    }

    /// A buffer that hands its bytes to `flush` in chunks of about `chunkSize`, and the rest at `finish()`.
    public init(flush: @escaping (UnsafeRawBufferPointer) -> Void) {
        self.flush = flush
        bytes.reserveCapacity(Self.chunkSize + 4_096)
    }

    /// Everything written, for a buffer without a flush.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Hands over what is left; call once, after the last write.
    public mutating func finish() {
        guard let flush, !bytes.isEmpty else { return }
        bytes.withUnsafeBytes { flush($0) }
        bytes.removeAll(keepingCapacity: true)
    }

    /// Flushes when a chunk is full. Writers call it after each record, not each byte.
    @inline(__always)
    mutating func flushIfFull() {
        if flush != nil, bytes.count >= Self.chunkSize { finish() }
    }

    /// Appends the string's UTF-8 storage as one buffer: `append(contentsOf: text.utf8)` goes
    /// through the generic sequence path, about 13 instructions a byte, which was 5% of a
    /// 100k year's JSON for the fixed keys alone.
    @inline(__always)
    public mutating func write(_ text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
        flushIfFull()
    }

    @inline(__always)
    mutating func write(byte: UInt8) {
        bytes.append(byte)
    }

    /// A decimal integer, as `String(n)` writes it, without making the String.
    mutating func write(_ n: Int) {
        if n < 0 {
            bytes.append(UInt8(ascii: "-"))
            // -Int.min does not fit; no value written here comes near it.
            write(-n)
            return
        }
        if n < 10 {
            bytes.append(UInt8(truncatingIfNeeded: 48 + n))
            return
        }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var rest = n
        withUnsafeMutableBytes(of: &digits) { buffer in
            while rest > 0 {
                buffer[19 - count] = UInt8(truncatingIfNeeded: 48 + rest % 10)
                rest /= 10
                count += 1
            }
            bytes.append(contentsOf: buffer[(20 - count)...])
        }
    }

    /// Text made safe inside HTML, as `HTMLText.appendEscaped` writes it.
    mutating func writeEscapedHTML(_ text: String) {
        HTMLText.appendEscaped(text, to: &bytes)
    }

    /// `2027-09-21`, as `LocalDate.iso` writes it.
    mutating func writeISO(_ date: LocalDate) {
        guard (0...9999).contains(date.year) else {
            write(date.iso)
            return
        }
        // Ten bytes made on the stack and appended at once: a byte at a time, each append
        // checking the array, was 600 instructions a date, and every record has one or more.
        let (y, m, d) = (date.year, date.month, date.day)
        let digit = { (n: Int) in UInt8(truncatingIfNeeded: 48 + n) }
        let text: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (
            digit(y / 1000), digit(y / 100 % 10), digit(y / 10 % 10), digit(y % 10), UInt8(ascii: "-"),
            digit(m / 10 % 10), digit(m % 10), UInt8(ascii: "-"), digit(d / 10 % 10), digit(d % 10))
        withUnsafeBytes(of: text) { bytes.append(contentsOf: $0) }
    }

    /// A JSON string literal, byte for byte as `JSONText.appendString` writes it: `"` and `\`,
    /// the C0 controls (short forms where JSON has them) and U+2028/U+2029 escaped.
    mutating func writeJSONString(_ value: String) {
        JSONText.appendString(value, to: &bytes)
    }

    /// An occurrence's title as a JSON string, filled straight into the buffer: each run of the
    /// template and each placeholder's value is escaped where it lands, with no filled String
    /// made first. Byte for byte `writeJSONString(occurrence.title(language))`: the escaping
    /// works character by character and the pieces split the text only around ASCII braces.
    mutating func writeJSONTitle(of occurrence: Occurrence, language: Language) {
        bytes.append(UInt8(ascii: "\""))
        TitleTemplate.fill(occurrence.event.title.resolved(language), occurrence: occurrence, language: language) {
            JSONText.appendEscaped($0, to: &bytes)
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// A JSON string, or `null`.
    mutating func writeJSONOptional(_ value: String?) {
        if let value { writeJSONString(value) } else { write("null") }
    }
}
