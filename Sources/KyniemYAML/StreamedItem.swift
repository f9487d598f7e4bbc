#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One item of a streamed list as libyaml's events, before any tree is built: what a typed
/// decoder reads in a single pass when it knows the shape it expects
/// (`YAMLParser.parseDocument(_:file:streaming:fast:item:)`).
///
/// Positions `0..<count` are the item's events in document order: a collection's start, its
/// children, then its `end`. It points into the parser's buffers: valid only inside the call it is handed to, never kept.
public struct StreamedItem {
    public enum Kind: Sendable {
        case scalar, mappingStart, sequenceStart, end, alias
    }

    private let events: UnsafeBufferPointer<EventBatch.Event>
    private let bytes: UnsafeBufferPointer<UInt8>
    private let fileID: UInt32

    init(events: UnsafeBufferPointer<EventBatch.Event>, bytes: UnsafeBufferPointer<UInt8>, fileID: UInt32) {
        self.events = events
        self.bytes = bytes
        self.fileID = fileID
    }

    public var count: Int { events.count }

    public func kind(_ i: Int) -> Kind {
        switch events[i].kind {
        case .scalar: .scalar
        case .mappingStart: .mappingStart
        case .sequenceStart: .sequenceStart
        case .collectionEnd: .end
        default: .alias
        }
    }

    /// A scalar or collection with no anchor and, for a scalar, no tag: one whose meaning is
    /// its text and style alone.
    public func isBare(_ i: Int) -> Bool {
        events[i].tagCount < 0 && events[i].anchorCount < 0
    }

    public func style(_ i: Int) -> YAMLNode.Scalar.Style { events[i].style }

    /// Where the event starts, as the node built from it would be marked.
    public func mark(_ i: Int) -> Mark {
        Mark(fileID: fileID, line: Int(events[i].line), column: Int(events[i].column))
    }

    /// A scalar's text as UTF-8 bytes, without making a String.
    public func bytes(_ i: Int) -> UnsafeBufferPointer<UInt8> {
        let e = events[i]
        return UnsafeBufferPointer(rebasing: bytes[e.textStart..<e.textStart + e.textCount])
    }

    /// A scalar's text, as the node built from it would hold it.
    public func text(_ i: Int) -> String {
        String(decoding: bytes(i), as: UTF8.self)
    }

    /// Whether a scalar's text is exactly `word`'s bytes.
    ///
    /// Compared with `memcmp` after the length: a typed decoder asks this for every key of
    /// every item against each word it knows, and the generic `elementsEqual` over two buffers
    /// cost 4% of reading 100,000 events.
    @inline(__always)
    public func textIs(_ i: Int, _ word: StaticString) -> Bool {
        let e = events[i]
        guard e.textCount == word.utf8CodeUnitCount else { return false }
        guard e.textCount > 0 else { return true }
        return memcmp(bytes.baseAddress! + e.textStart, word.utf8Start, e.textCount) == 0
    }

    /// A YAML null, as `YAMLNode.isNull` decides for an untagged scalar: plain and empty,
    /// `~` or `null`.
    public func isNull(_ i: Int) -> Bool {
        events[i].style == .plain && (events[i].textCount == 0 || textIs(i, "~") || textIs(i, "null"))
    }
}
