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

    @inline(__always)
    public mutating func write(_ text: String) {
        bytes.append(contentsOf: text.utf8)
        flushIfFull()
    }

    @inline(__always)
    mutating func write(_ text: Substring) {
        bytes.append(contentsOf: text.utf8)
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

    /// `count` digits of `n`, zero-padded (`0921`).
    private mutating func write(_ n: Int, digits count: Int) {
        var divisor = 1
        for _ in 1..<count { divisor *= 10 }
        var rest = n
        while divisor > 0 {
            bytes.append(UInt8(truncatingIfNeeded: 48 + (rest / divisor) % 10))
            rest %= divisor
            divisor /= 10
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
        write(date.year, digits: 4)
        bytes.append(UInt8(ascii: "-"))
        write(date.month, digits: 2)
        bytes.append(UInt8(ascii: "-"))
        write(date.day, digits: 2)
    }

    /// A JSON string literal, byte for byte as `JSONText.appendString` writes it: `"` and `\`,
    /// the C0 controls (short forms where JSON has them) and U+2028/U+2029 escaped.
    mutating func writeJSONString(_ value: String) {
        JSONText.appendString(value, to: &bytes)
    }

    /// A JSON string, or `null`.
    mutating func writeJSONOptional(_ value: String?) {
        if let value { writeJSONString(value) } else { write("null") }
    }
}
