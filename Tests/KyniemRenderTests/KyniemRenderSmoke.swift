import Testing
@testable import KyniemRender

@Test func moduleLinks() {
    #expect(Bool(true))
}
