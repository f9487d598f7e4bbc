import Foundation
import KyniemCore
import KyniemNotifiers

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

    public func send(_ batch: NotifierBatch) -> [String: DeliveryOutcome] {
        lock.withLock {
            _batches.append(batch)
            var outcomes: [String: DeliveryOutcome] = [:]
            for key in batch.keys where !_silent.contains(key) {
                if let error = _failAll ?? _failing[key] {
                    outcomes[key] = .failed(error)
                } else {
                    outcomes[key] = .sent
                }
            }
            return outcomes
        }
    }
}
