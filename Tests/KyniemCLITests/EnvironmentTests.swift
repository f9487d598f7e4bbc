import Foundation
import Testing

@testable import KyniemCLI

/// `CommandContext.processEnvironment()` reads `environ` itself, for start-up: it must give what
/// `ProcessInfo.processInfo.environment` gives.
@Suite struct EnvironmentTests {
    @Test func sameAsProcessInfo() {
        let name = "KYNIEM_ENVIRONMENT_TEST_\(getpid())"
        setenv(name, "a=b==c ngày", 1)
        setenv(name + "_EMPTY", "", 1)
        defer {
            unsetenv(name)
            unsetenv(name + "_EMPTY")
        }
        let environment = CommandContext.processEnvironment()
        #expect(environment[name] == "a=b==c ngày")
        #expect(environment[name + "_EMPTY"] == "")
        #expect(environment == ProcessInfo.processInfo.environment)
    }
}
