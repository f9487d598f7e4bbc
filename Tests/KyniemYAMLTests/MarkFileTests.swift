import Testing

import KyniemYAML

/// `Mark.File` interns a name once for callers outside the module that make many marks in one
/// file; a mark made through it must be the mark made from the name.
@Suite("Marks with an interned file")
struct MarkFileTests {
    @Test("A mark through Mark.File equals, hashes and sorts as the mark from the name")
    func sameAsByName() {
        let names = ["bundled:vietnam/relations.yaml", "kyniem.yaml", "Sự kiện/lịch.yaml", ""]
        for name in names {
            let file = Mark.File(name)
            #expect(file.name == name)
            #expect(file == Mark.File(name))
            for (line, column) in [(1, 1), (412, 14), (Int(Int32.max) + 5, 3)] {
                let interned = Mark(file: file, line: line, column: column)
                let byName = Mark(file: name, line: line, column: column)
                #expect(interned == byName)
                #expect(interned.hashValue == byName.hashValue)
                #expect(interned.description == byName.description)
                #expect(interned.file == name)
            }
        }
        #expect(Mark.File("a.yaml") != Mark.File("b.yaml"))
        #expect(Mark(file: Mark.File("a.yaml"), line: 9, column: 9) < Mark(file: "b.yaml", line: 1, column: 1))
    }
}
