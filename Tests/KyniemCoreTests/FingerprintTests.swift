import Testing
import KyniemCore

@Suite struct FingerprintTests {
    /// A String's bytes read in place give what the byte-by-byte loop gives: FNV-1a's own values.
    @Test func contiguousAndIteratedBytesGiveTheSameFNV1a() {
        #expect(Fingerprint.fnv1a("a".utf8) == "af63dc4c8601ec8c")
        #expect(Fingerprint.fnv1a("foobar".utf8) == "85944171f73967e8")
        let text = String(repeating: "Sự kiện – kỷ niệm {n} năm\n", count: 500)
        var inPlace = Fingerprint()
        inPlace.add(text.utf8)
        var iterated = Fingerprint()
        iterated.add(text.utf8.lazy.map { $0 })
        #expect(inPlace.hex == iterated.hex)
        #expect(Fingerprint.fnv1a(Array(text.utf8)) == inPlace.hex)
    }
}
