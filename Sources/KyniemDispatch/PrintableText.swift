/// Text from outside kyniem (a plugin's stderr, its failure reasons) made safe for a terminal and
/// the ledger: terminal escape sequences (CSI `ESC [ … final`, OSC/DCS/APC/PM/SOS strings up to
/// BEL or `ESC \`, two- and three-character escapes, and their C1 forms) are removed whole, other
/// C0 and C1 control characters and DEL are removed, except tab; a line break becomes a space.
/// Bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) go too: they reorder what
/// a person reads. Everything else, Vietnamese included, is kept as it is.
package enum PrintableText {
    package static func clean(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        var kept = String.UnicodeScalarView()
        var index = 0
        func skipString() {
            // Up to BEL, ST (ESC \ or U+009C), or the end.
            while index < scalars.count {
                let value = scalars[index].value
                index += 1
                if value == 0x07 || value == 0x9C { return }
                if value == 0x1B, index < scalars.count, scalars[index] == "\\" {
                    index += 1
                    return
                }
            }
        }
        func skipControlSequence() {
            // Parameter and intermediate bytes (0x20–0x3F), then one final byte (0x40–0x7E).
            while index < scalars.count, (0x20...0x3F).contains(scalars[index].value) { index += 1 }
            if index < scalars.count, (0x40...0x7E).contains(scalars[index].value) { index += 1 }
        }
        while index < scalars.count {
            let scalar = scalars[index]
            let value = scalar.value
            index += 1
            switch value {
            case 0x1B:
                guard index < scalars.count else { break }
                let next = scalars[index].value
                index += 1
                switch next {
                case 0x5B: skipControlSequence()  // [
                case 0x5D, 0x50, 0x58, 0x5E, 0x5F: skipString()  // ] P X ^ _
                case 0x20...0x2F:  // intermediates, then a final character
                    while index < scalars.count, (0x20...0x2F).contains(scalars[index].value) { index += 1 }
                    if index < scalars.count { index += 1 }
                default: break  // a two-character escape (ESC c, ESC 7, …)
                }
            case 0x9B: skipControlSequence()
            case 0x9D, 0x90, 0x98, 0x9E, 0x9F: skipString()
            case 0x09: kept.append(scalar)
            case 0x0A, 0x0D: kept.append(" ")
            case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: break
            default: kept.append(scalar)
            }
        }
        return String(kept)
    }
}
