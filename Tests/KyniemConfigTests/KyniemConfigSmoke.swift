import Testing
@testable import KyniemConfig

@Test func moduleLinks() {
    #expect(Bool(true))
}
