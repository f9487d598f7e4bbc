import Testing
@testable import KyniemYAML

@Test func moduleLinks() {
    #expect(Bool(true))
}
