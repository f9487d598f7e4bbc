import Foundation
import KyniemConfig
import KyniemCore
import KyniemTesting
import Testing

@testable import KyniemDispatch
@testable import KyniemNotifiers
@testable import KyniemPlugins
@testable import KyniemTransports

/// Every exchange ends by its bound (issue 9): the name lookup, each address, a server that
/// trickles or stalls, and the run's bound over a batch of many requests. Each test measures
/// the time it took, against real servers on 127.0.0.1.
@Suite struct BoundsTests {
    static let today = LocalDate(2023, 9, 14)

    /// A resolver that takes `seconds` to answer (a name server that doesn't answer), then
    /// gives 127.0.0.1.
    static func slowResolver(_ seconds: Double) -> Resolver {
        Resolver { _, port in
            Thread.sleep(forTimeInterval: seconds)
            return .success([SocketAddress(literal: "127.0.0.1", port: port)!])
        }
    }

    /// A resolver that gives `addresses` (host, port) for any name.
    static func resolver(_ addresses: [(String, Int)]) -> Resolver {
        Resolver { _, _ in .success(addresses.map { SocketAddress(literal: $0.0, port: $0.1)! }) }
    }

    /// The fixture's two deliveries (2023-09-14) as a batch for `notifier`, ending by `deadline`.
    static func batch(
        _ notifier: String = "office-mail", count: Int = 0, deadline: ContinuousClock.Instant = .now + .seconds(3600)
    ) -> NotifierBatch {
        // `count` deliveries: one reminder each for that many notifiers' routes (distinct keys).
        let routes = count == 0
            ? [Route(notifier: notifier, language: .en)]
            : (0..<count).map { Route(notifier: "n\(String(format: "%02d", $0))", language: .en) }
        var deliveries = Fixture.planner(routes: routes).plan(today: today, catchUpDays: 7)
        if count > 0 {
            deliveries = Array(deliveries.filter { $0.step.id == "remind-7d" }.prefix(count))
        }
        return NotifierBatch(
            notifier: notifier, language: .en, runDate: today, timestamp: "t",
            deliveries: deliveries.map { OutgoingDelivery(delivery: $0, message: Message(title: "t", body: "b")) },
            digest: Message(title: "Kyniem digest", body: "one line"), templated: true, deadline: deadline)
    }

    static func email(_ smtp: [String: Any], timeout: String, resolver: Resolver = .system) throws -> EmailNotifier {
        let spec = notifierSpec(id: "office-mail", type: "email", [
            "from": "kyniem@example.org", "to": "a@example.org", "timeout": timeout, "smtp": smtp,
        ])
        return EmailNotifier(configuration: try EmailNotifier.configuration(spec).get(), environment: [:], resolver: resolver)
    }

    static func webhook(_ settings: [String: Any], url: String, resolver: Resolver = .system) throws -> WebhookNotifier {
        var all: [String: Any] = ["url_env": "HOOK_URL", "format": "slack"]
        all.merge(settings) { _, new in new }
        let spec = notifierSpec(id: "hook", type: "webhook", all)
        return WebhookNotifier(
            configuration: try WebhookNotifier.configuration(spec).get(), environment: ["HOOK_URL": url], resolver: resolver)
    }

    /// Runs `body` and returns its result with the seconds it took.
    static func timed<T>(_ label: String = #function, _ body: () throws -> T) rethrows -> (T, Double) {
        let started = ContinuousClock.now
        let result = try body()
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("bound \(label): \(String(format: "%.3f", seconds)) s")
        return (result, seconds)
    }

    static func failures(_ outcomes: [String: DeliveryOutcome]) -> [String] {
        outcomes.values.compactMap { if case .failed(let reason) = $0 { return reason } else { return nil } }
    }

    // MARK: The name lookup

    @Test func aLookupThatDoesNotAnswerEndsAtTheDeadline() throws {
        let (result, seconds) = Self.timed {
            NetworkConnection.open(host: "mail.example.org", port: 25, timeoutMilliseconds: 1000, resolver: Self.slowResolver(5))
        }
        guard case .failure(let error) = result else { Issue.record("connected"); return }
        #expect(error.kind == .resolveTimedOut)
        #expect(error.detail == "1s")
        #expect(seconds >= 0.9 && seconds < 1.5, "took \(seconds) s")
    }

    @Test func aSlowLookupFailsTheEmailWithinItsTimeout() throws {
        let notifier = try Self.email(["host": "mail.example.org", "port": 25], timeout: "2s", resolver: Self.slowResolver(6))
        let (outcomes, seconds) = Self.timed { notifier.outcomes(for: Self.batch()) }
        #expect(Self.failures(outcomes) == ["smtp: cannot resolve mail.example.org within 2s", "smtp: cannot resolve mail.example.org within 2s"])
        #expect(seconds < 2.5, "took \(seconds) s")
    }

    @Test func aSlowLookupFailsTheWebhookWithinItsTimeout() throws {
        let notifier = try Self.webhook(["timeout": "1s"], url: "http://hooks.example.org/x", resolver: Self.slowResolver(6))
        let (outcomes, seconds) = Self.timed { notifier.outcomes(for: Self.batch("hook")) }
        #expect(Set(Self.failures(outcomes)) == ["webhook: cannot resolve the server's host name within 1s"])
        #expect(seconds < 1.5, "took \(seconds) s")
    }

    @Test func aLookupPastTheRunsBoundSaysSo() throws {
        let notifier = try Self.email(["host": "mail.example.org", "port": 25], timeout: "10s", resolver: Self.slowResolver(6))
        let (outcomes, seconds) = Self.timed { notifier.outcomes(for: Self.batch(deadline: .now + .seconds(1))) }
        #expect(Set(Self.failures(outcomes)) == ["smtp: cannot resolve mail.example.org before the run's time bound (run_timeout:)"])
        #expect(seconds < 1.5, "took \(seconds) s")
    }

    @Test func anUnresolvableNameFailsFast() throws {
        let notifier = try Self.email(["host": "nonexistent.invalid", "port": 25], timeout: "3s")
        let (outcomes, seconds) = Self.timed { notifier.outcomes(for: Self.batch()) }
        let reasons = Self.failures(outcomes)
        #expect(reasons.count == 2)
        #expect(reasons.allSatisfy { $0.hasPrefix("smtp: cannot resolve nonexistent.invalid") }, "\(reasons)")
        #expect(seconds < 4, "took \(seconds) s")
    }

    // MARK: Addresses in turn

    @Test func anAddressThatSwallowsPacketsLeavesTimeForTheNext() throws {
        let hole = try BlackHole()
        let server = try LoopbackServer.smtp()
        let resolver = Self.resolver([("127.0.0.1", hole.port), ("127.0.0.1", server.port)])
        let (result, seconds) = Self.timed {
            NetworkConnection.open(host: "mail.example.org", port: 25, timeoutMilliseconds: 2000, resolver: resolver)
        }
        #expect(throws: Never.self) { try result.get() }
        // The first address had half of the 2 s.
        #expect(seconds >= 0.9 && seconds < 1.6, "took \(seconds) s")

        let notifier = try Self.email(["host": "mail.example.org", "port": 25], timeout: "2s", resolver: resolver)
        let (outcomes, whole) = Self.timed { notifier.outcomes(for: Self.batch()) }
        #expect(outcomes.count == 2 && outcomes.values.filter(\.isSent).count == 2, "\(outcomes)")
        #expect(whole < 2, "took \(whole) s")
    }

    @Test func aRefusingAddressIsSkippedAtOnce() throws {
        let server = try LoopbackServer.smtp()
        // 127.0.0.0/8 all route to lo on Linux; nothing listens on 127.0.0.2.
        let resolver = Self.resolver([("127.0.0.2", server.port), ("127.0.0.1", server.port)])
        let notifier = try Self.email(["host": "mail.example.org", "port": 25], timeout: "2s", resolver: resolver)
        let (outcomes, seconds) = Self.timed { notifier.outcomes(for: Self.batch()) }
        #expect(outcomes.count == 2 && outcomes.values.filter(\.isSent).count == 2, "\(outcomes)")
        #expect(seconds < 1, "took \(seconds) s")
    }

    @Test func allAddressesTogetherKeepToTheTimeout() throws {
        let holes = try (0..<3).map { _ in try BlackHole() }
        let resolver = Self.resolver(holes.map { ("127.0.0.1", $0.port) })
        let notifier = try Self.email(["host": "mail.example.org", "port": 25], timeout: "1500ms", resolver: resolver)
        let (outcomes, seconds) = Self.timed { notifier.outcomes(for: Self.batch()) }
        #expect(Set(Self.failures(outcomes)) == ["smtp: cannot connect to mail.example.org:25: no answer within 1500ms"])
        #expect(seconds >= 1.4 && seconds < 2, "took \(seconds) s")
    }

    // MARK: SMTP

    @Test func anSMTPServerTricklingItsEHLOReplyIsCutOffByTheSessionTimeout() throws {
        let server = try LoopbackServer.smtp(["trickle_ehlo": 1])
        let notifier = try Self.email(["host": "127.0.0.1", "port": server.port], timeout: "2s")
        let (outcomes, seconds) = Self.timed { notifier.outcomes(for: Self.batch()) }
        let reasons = Self.failures(outcomes)
        #expect(reasons.count == 2)
        #expect(reasons.allSatisfy { $0.hasPrefix("smtp: the session's timeout (2s) ran out waiting for the reply to EHLO (") }, "\(reasons)")
        #expect(seconds < 2.5, "took \(seconds) s")
    }

    @Test func anSMTPServerStallingAfterTheMessageFailsTheBatchInTime() throws {
        let server = try LoopbackServer.smtp(["stall_after_data": true])
        let notifier = try Self.email(["host": "127.0.0.1", "port": server.port], timeout: "2s")
        let (outcomes, seconds) = Self.timed { notifier.outcomes(for: Self.batch()) }
        #expect(Set(Self.failures(outcomes))
            == ["smtp: the session's timeout (2s) ran out waiting for the reply to the end of the message (1 line of it came)"])
        #expect(seconds < 2.5, "took \(seconds) s")
    }

    @Test func theRunsBoundCutsAnSMTPSessionShort() throws {
        let server = try LoopbackServer.smtp(["trickle_ehlo": 0.5])
        let notifier = try Self.email(["host": "127.0.0.1", "port": server.port], timeout: "30s")
        let (outcomes, seconds) = Self.timed { notifier.outcomes(for: Self.batch(deadline: .now + .seconds(1))) }
        let reasons = Self.failures(outcomes)
        #expect(reasons.allSatisfy { $0.hasPrefix("smtp: the run reached its time bound (run_timeout:) waiting for the reply to EHLO") }, "\(reasons)")
        #expect(seconds < 1.5, "took \(seconds) s")
    }

    // MARK: HTTP

    @Test func anHTTPServerTricklingItsHeadFailsWithinTheTimeout() throws {
        let server = try LoopbackServer.http(fault: .trickleHead)
        let notifier = try Self.webhook(["timeout": "2s"], url: "http://127.0.0.1:\(server.port)/x")
        let (outcomes, seconds) = Self.timed { notifier.outcomes(for: Self.batch("hook")) }
        #expect(Set(Self.failures(outcomes)) == ["webhook: no answer within 2s"])
        #expect(seconds < 2.5, "took \(seconds) s")
    }

    @Test func anErrorBodyTrickledIsKeptAsFarAsItCameWithinTheTimeout() throws {
        let server = try LoopbackServer.http(statuses: [502], fault: .trickleBody)
        let notifier = try Self.webhook(["timeout": "2s"], url: "http://127.0.0.1:\(server.port)/x")
        let (outcomes, seconds) = Self.timed { notifier.outcomes(for: Self.batch("hook")) }
        let reasons = Set(Self.failures(outcomes))
        #expect(reasons.count == 1)
        #expect(reasons.first?.hasPrefix("webhook: the server answered HTTP 502: x") == true, "\(reasons)")
        #expect(seconds < 2.5, "took \(seconds) s")
    }

    @Test func aSuccessWhoseBodyTricklesIsSentWithoutWaitingForTheBody() throws {
        let server = try LoopbackServer.http(fault: .trickleBody)
        let notifier = try Self.webhook(["timeout": "5s"], url: "http://127.0.0.1:\(server.port)/x")
        let (outcomes, seconds) = Self.timed { notifier.outcomes(for: Self.batch("hook")) }
        #expect(outcomes.count == 2 && outcomes.values.filter(\.isSent).count == 2, "\(outcomes)")
        #expect(seconds < 1, "took \(seconds) s")
    }

    @Test func anHTTPServerThatResetsTheConnectionFailsAtOnce() throws {
        let server = try LoopbackServer.http(fault: .reset)
        let notifier = try Self.webhook(["timeout": "5s"], url: "http://127.0.0.1:\(server.port)/x")
        let (outcomes, seconds) = Self.timed { notifier.outcomes(for: Self.batch("hook")) }
        #expect(Set(Self.failures(outcomes)) == ["webhook: the server closed the connection without answering"])
        #expect(seconds < 1, "took \(seconds) s")
    }

    @Test func eachModeEndsByTheRunsBoundAndKeepsWhatWasSent() throws {
        // Each answer takes 0.8 s; 40 requests would take 32 s, and 400 s at the timeout.
        let server = try LoopbackServer.http(delay: 0.8)
        let notifier = try Self.webhook(["timeout": "10s", "mode": "each"], url: "http://127.0.0.1:\(server.port)/x")
        let batch = Self.batch("hook", count: 40, deadline: .now + .seconds(3))
        try #require(batch.deliveries.count == 40)
        let (outcomes, seconds) = Self.timed { notifier.outcomes(for: batch) }
        #expect(seconds < 3.5, "took \(seconds) s")
        let sent = outcomes.filter { $0.value.isSent }.map(\.key)
        let failed = Self.failures(outcomes)
        #expect(sent.count >= 2 && sent.count <= 4, "\(sent.count) sent")
        #expect(sent.count + failed.count == 40)
        // The request in flight at the bound, and the ones never started.
        let inFlight = "webhook: the run reached its time bound (run_timeout:) before the server answered; the next run sends it"
        let cut = failed.filter { $0 == inFlight }.count
        #expect(cut <= 1, "\(Set(failed))")
        // Never started: the bound came first, or Slack's pace (1 a second) would cross it.
        #expect(failed.filter { $0 == RunBound.reachedReason || $0 == WebhookNotifier.pacedOutReason }.count == 40 - sent.count - cut)
        // What was reported sent is what the server got (the in-flight one may have arrived too).
        #expect(try server.records(expecting: sent.count).count >= sent.count)
        // Sent in order: the first ones.
        let keys = batch.keys
        #expect(Set(sent) == Set(keys.prefix(sent.count)))
    }
}
