import ArgumentParser
import Foundation
import Testing

@testable import KyniemCLI

/// `kyniem explain ID` given plain long options is read without argument-parser
/// (`Explain.Request.init?(plain:)`), under the rule of `upcoming`'s: the event id first, then
/// options read as argument-parser reads them; anything else is argument-parser's.
@Suite struct PlainExplainArgumentsTests {
    static let plain: [[String]] = [
        ["jp-relations"],
        ["jp-relations", "--year", "2028", "--sources"],
        ["vn-tet", "--year=+2027", "--lang", "en", "--config", "k.yaml"],
        ["upcoming", "--sources", "--lang=vi"],
        ["id with space", "--config=~/dir with space/k.yaml", "--year", "0"],
        ["a=b"],
    ]

    @Test("Plain explain arguments give argument-parser's own values", arguments: plain)
    func sameValues(_ arguments: [String]) throws {
        let fast = try #require(Explain.Request(plain: arguments[...]))
        let parsed = try #require(try KyniemCommand.parseAsRoot(["explain"] + arguments) as? Explain)
        #expect(fast == parsed.request)
    }

    @Test("Anything else in explain is left to argument-parser", arguments: [
        [], ["--help"], ["-h"], ["help"], ["--year", "2027", "jp-relations"], ["jp-relations", "extra"],
        ["-jp"], [""], ["--", "jp-relations"], ["jp-relations", "--year", "-5"], ["jp-relations", "--year", "two"],
        ["jp-relations", "--sources", "--sources"], ["jp-relations", "--sources=true"], ["jp-relations", "--year"],
        ["jp-relations", "--lang", "en", "--lang", "vi"], ["jp-relations", "--days", "3"], ["jp-relations", "-v"],
    ])
    func leftToArgumentParser(_ arguments: [String]) {
        #expect(Explain.Request(plain: arguments[...]) == nil)
    }

    @Test func onlyDeclaredOptionsArePlain() {
        let declared = PlainUpcomingArgumentsTests.declared(Explain.self)
        #expect(declared == ["config", "year", "lang", "sources"])
        for name in declared {
            let arguments = name == "sources" ? ["--sources"] : ["--\(name)", name == "year" ? "2027" : "x"]
            #expect(Explain.Request(plain: ["vn-tet"] + arguments) != nil, "\(name)")
        }
        #expect(KyniemMain.plainCommand(["explain", "vn-tet"]) != nil)
        #expect(KyniemMain.plainCommand(["explain"]) == nil)
    }

    /// End to end: read plainly and by argument-parser (a repeated option is argument-parser's,
    /// which takes the last), explain prints the same and fails the same.
    @Test(arguments: [
        (["explain", "vn-tet", "--year", "2027", "--lang", "en"],
         ["explain", "vn-tet", "--year", "2030", "--year", "2027", "--lang", "en"]),
        (["explain", "jp-relations", "--year", "2028", "--sources"],
         ["explain", "jp-relations", "--lang", "en", "--lang", "vi", "--year", "2028", "--sources"]),
        (["explain", "vn-tet", "--year", "0"], ["explain", "vn-tet", "--year", "2027", "--year", "0"]),
        (["explain", "jp-relatoins", "--year", "2027"], ["explain", "jp-relatoins", "--year", "1", "--year", "2027"]),
        (["explain", "vn-tet", "--year", "2027", "--lang", "xx"],
         ["explain", "vn-tet", "--year", "2027", "--lang", "en", "--lang", "xx"]),
    ])
    func plainAndParsedRunTheSame(plain: [String], parsed: [String]) throws {
        #expect(KyniemMain.plainCommand(plain) != nil)
        #expect(KyniemMain.plainCommand(parsed) == nil)
        let a = try Kyniem.run(plain)
        let b = try Kyniem.run(parsed)
        #expect(a.status == b.status)
        #expect(a.stdout == b.stdout)
        #expect(a.stderr == b.stderr)
        #expect(!a.stdout.isEmpty || !a.stderr.isEmpty)
    }
}
