import Testing
@testable import KyniemCore

@Test func moduleLinks() {
    #expect(Bool(true))
}
