import Testing
@testable import KyniemCLI

@Test func moduleLinks() {
    #expect(Bool(true))
}
