import KyniemCore

/// `type: console` — prints the batch's digest. Nothing to configure.
public struct ConsoleNotifier: Notifier {
    private let write: @Sendable (String) -> Void

    public init(write: @escaping @Sendable (String) -> Void) {
        self.write = write
    }

    public func send(_ batch: NotifierBatch, outcomes: OutcomeSink) {
        write((batch.templated ? batch.digest.body : DigestFormat.plainText(batch.content)) + "\n")
        outcomes.sentAll(batch)
    }
}
