import Testing
@testable import KyniemState

@Test func moduleLinks() {
    #expect(Bool(true))
}
