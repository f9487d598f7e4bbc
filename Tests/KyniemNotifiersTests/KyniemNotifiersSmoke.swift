import Testing
@testable import KyniemNotifiers

@Test func moduleLinks() {
    #expect(Bool(true))
}
