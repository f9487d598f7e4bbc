import KyniemCore
import KyniemDispatch

/// `type: console` — prints the batch's digest. Nothing to configure.
public struct ConsoleNotifier: Notifier {
    private let write: @Sendable (String) -> Void
    private let failure: @Sendable () -> String?

    /// `failure` tells why the console could not be written, once a write failed.
    public init(write: @escaping @Sendable (String) -> Void, failure: @escaping @Sendable () -> String? = { nil }) {
        self.write = write
        self.failure = failure
    }

    public func send(_ batch: NotifierBatch, outcomes: OutcomeSink) {
        write((batch.templated ? batch.digest.body : DigestFormat.plainText(batch.content)) + "\n")
        // Printed into a full disk or a closed pipe is not delivered: the next run prints it again.
        if let reason = failure() { return outcomes.failUnreported(batch, "cannot write the console: \(reason)") }
        outcomes.sentAll(batch)
    }
}
