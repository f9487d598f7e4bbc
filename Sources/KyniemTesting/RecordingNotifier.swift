import Foundation
import KyniemCore
import KyniemDispatch

/// A notifier that keeps every batch it receives and answers `.sent`, except for the keys it
/// was told to fail (or all of them), or leaves out the keys it was told to forget.
public final class RecordingNotifier: Notifier, @unchecked Sendable {
    private let lock = NSLock()
    private var _batches: [NotifierBatch] = []
    private var _failing: [String: String] = [:]
    private var _failAll: String?
    private var _silent: Set<String> = []

    public init() {}

    /// Every batch received, oldest first.
    public var batches: [NotifierBatch] { lock.withLock { _batches } }

    /// Every delivery key received, in order, repeats included.
    public var receivedKeys: [String] { batches.flatMap(\.keys) }

    /// From now on, fail `key` with `error`.
    public func fail(_ key: String, with error: String = "recorded failure") {
        lock.withLock { _failing[key] = error }
    }

    /// From now on, fail every delivery (nil: stop failing them all).
    public func failEverything(with error: String? = "recorded failure") {
        lock.withLock { _failAll = error }
    }

    /// From now on, return no result for `key` (the dispatcher must count it failed).
    public func omitResult(for key: String) {
        lock.withLock { _ = _silent.insert(key) }
    }

    /// Forget the failures and omissions: every key is sent.
    public func succeedFromNowOn() {
        lock.withLock {
            _failing = [:]
            _failAll = nil
            _silent = []
        }
    }

    public func send(_ batch: NotifierBatch, outcomes sink: OutcomeSink) {
        let outcomes: [(String, DeliveryOutcome)] = lock.withLock {
            _batches.append(batch)
            return batch.keys.filter { !_silent.contains($0) }.map { key in
                if let error = _failAll ?? _failing[key] { return (key, .failed(error)) }
                return (key, .sent)
            }
        }
        // One report per delivery, as a notifier sending one message each would.
        for (key, outcome) in outcomes { sink.report(key, outcome) }
    }
}

extension Notifier {
    /// Sends `batch` as the dispatcher would and returns every outcome reported, with the keys
    /// left unreported failed ("notifier gave no result").
    public func outcomes(for batch: NotifierBatch) -> [String: DeliveryOutcome] {
        let sink = OutcomeSink(keys: batch.keys)
        send(batch, outcomes: sink)
        sink.failUnreported(batch, "notifier gave no result")
        return sink.reported
    }
}
