import Foundation
import KyniemConfig
import KyniemCore
import KyniemTesting
import Testing

@testable import KyniemDispatch
@testable import KyniemNotifiers
@testable import KyniemPlugins
@testable import KyniemTransports

#if canImport(Glibc)
import Glibc
#endif

/// Security at the edges (issue 9, part 5): credentials echoed back here; headers and loopback in
/// HeaderSafetyTests.swift, the file notifier in FileSafetyTests.swift.
@Suite struct EdgeSecurityTests {
    static let today = LocalDate(2023, 9, 14)

    func batch(_ notifier: String, title: String, body: String = "one line") -> NotifierBatch {
        let deliveries = Fixture.planner(routes: [Route(notifier: notifier, language: .en)]).plan(today: Self.today, catchUpDays: 7)
        return NotifierBatch(
            notifier: notifier, language: .en, runDate: Self.today, timestamp: "t",
            deliveries: deliveries.map { OutgoingDelivery(delivery: $0, message: Message(title: title, body: body)) },
            digest: Message(title: title, body: body), templated: true)
    }

    // MARK: Credentials echoed back

    @Test func credentialsEchoedInAnErrorPageAreRedacted() throws {
        let server = try LoopbackServer.http(statuses: [400], fault: .echoHeaders)
        let (user, password) = ("kyniem-hook", "p@ss:w/rd-9f8e7d")
        let url = "http://kyniem-hook:p%40ss%3Aw%2Frd-9f8e7d@127.0.0.1:\(server.port)/hook"
        let spec = notifierSpec(id: "hook", type: "webhook", ["url_env": "HOOK_URL"])
        let outcome = Fixture.dispatch(spec, environment: ["HOOK_URL": url], today: Self.today)
        let reasons = outcome.report.entries.compactMap(\.error)
        #expect(reasons.count == 2)
        let reason = try #require(reasons.first)
        #expect(reason.hasPrefix("webhook: the server answered HTTP 400: You sent: POST /hook HTTP/1.1"), "\(reason)")
        #expect(reason.contains("Authorization: Basic ***"), "\(reason)")
        let token = Data("\(user):\(password)".utf8).base64EncodedString()
        for text in reasons + outcome.log {
            for secret in [token, String(token.prefix(8)), password, "\(user):\(password)", "p%40ss%3Aw%2Frd", user] {
                #expect(!text.contains(secret), "\(secret) in \(text)")
            }
        }
    }

    @Test func theProxysCredentialsAreAmongTheOnesRedacted() throws {
        let url = try #require(HTTPURL.parse("http://hooks.example.org/x"))
        let client = HTTPClient(timeoutMilliseconds: 1000, environment: ["http_proxy": "http://office:pr0xy-pass@proxy.example.org:3128"])
        let secrets = client.credentials(for: url)
        #expect(secrets.contains(Data("office:pr0xy-pass".utf8).base64EncodedString()))
        #expect(secrets.contains("pr0xy-pass"))
    }
}
