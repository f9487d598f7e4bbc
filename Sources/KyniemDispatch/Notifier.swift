import Foundation
import KyniemCore

/// A message as a person reads it: one line of title and a body of plain-text lines.
public struct Message: Sendable, Hashable {
    public var title: String
    public var body: String

    public init(title: String, body: String) {
        self.title = title
        self.body = body
    }
}

/// A delivery with its message rendered in the notifier's language and templates.
public struct OutgoingDelivery: Sendable, Hashable {
    public let delivery: Delivery
    public let message: Message

    public init(delivery: Delivery, message: Message) {
        self.delivery = delivery
        self.message = message
    }

    public var key: String { delivery.key }
}

/// Everything one notifier receives in one run: the day's deliveries for it, and a digest of them.
public struct NotifierBatch: Sendable {
    /// The notifier's `id:`.
    public let notifier: String
    public let language: Language
    /// The run's date (the CLI's `--date`, or today at home).
    public let runDate: LocalDate
    /// When the run started, as the CLI wrote it (ISO 8601); for logs such as `deliveries.jsonl`.
    public let timestamp: String
    /// In planner order: due date, occurrence, step. Never empty, each key once.
    public let deliveries: [OutgoingDelivery]
    /// All of `deliveries` in one message, for notifiers that send one message per run: the
    /// digest as Markdown (`DigestFormat.markdown`), or what the notifier's templates made of it.
    public let digest: Message
    /// The same digest as structured content, for channels that write it in their own form.
    public let content: Digest
    /// True when the notifier's settings name templates (`template:`, `title_template:`,
    /// `digest_template:`): the person chose the words, so channels send `digest` as written
    /// (escaped for their markup) rather than their own rendering of `content`.
    public let templated: Bool
    /// The run's bound (`run_timeout:`): nothing may be started after it, and every network
    /// exchange or child process is cut off by it.
    public let deadline: ContinuousClock.Instant

    public init(
        notifier: String, language: Language, runDate: LocalDate, timestamp: String,
        deliveries: [OutgoingDelivery], digest: Message? = nil, content: Digest? = nil, templated: Bool = false,
        deadline: ContinuousClock.Instant = .now + .seconds(3600)
    ) {
        self.notifier = notifier
        self.language = language
        self.runDate = runDate
        self.timestamp = timestamp
        self.deliveries = deliveries
        let content = content ?? Digest(deliveries: deliveries.map(\.delivery), runDate: runDate, language: language)
        self.content = content
        self.digest = digest ?? Message(title: content.title, body: DigestFormat.markdown(content))
        self.templated = templated
        self.deadline = deadline
    }

    public var keys: [String] { deliveries.map(\.key) }

    /// What is left of the run's bound, never negative.
    public var timeRemaining: Duration {
        let left = deadline - .now
        return left < .zero ? .zero : left
    }

    /// The earlier of the run's bound and `now + timeout`: the deadline for one exchange.
    public func deadline(within timeout: Duration) -> ContinuousClock.Instant {
        min(deadline, .now + timeout)
    }

    /// True once the run's bound has passed: start nothing new, fail what is left.
    public var isPastDeadline: Bool { ContinuousClock.now >= deadline }
}

/// What became of one delivery.
public enum DeliveryOutcome: Sendable, Hashable {
    /// Handed over to the destination (written, accepted by the server): never sent again.
    case sent
    /// Not delivered; retried by the next run while the step is within the catch-up window.
    /// The text is shown to people and stored in the ledger: it must hold no secret.
    case failed(String)

    public var isSent: Bool { self == .sent }
}

/// Where a notifier reports what became of each delivery, the moment it knows.
///
/// Each call is committed to the state ledger before it returns (the dispatcher's `commit`), so
/// a run killed right after it loses nothing that was reported. The first outcome reported for a
/// key is final: later reports for it, and keys that are not in the batch, are ignored.
/// Thread-safe: a notifier may report from any thread.
public final class OutcomeSink: @unchecked Sendable {
    private let lock = NSLock()
    private let wanted: Set<String>
    private var outcomes: [String: DeliveryOutcome] = [:]
    private let commit: @Sendable ([(key: String, outcome: DeliveryOutcome)]) -> Void

    /// `commit` receives each report's new outcomes (never empty, never a key twice), in order,
    /// one call at a time.
    public init(
        keys: [String], commit: @escaping @Sendable ([(key: String, outcome: DeliveryOutcome)]) -> Void = { _ in }
    ) {
        self.wanted = Set(keys)
        self.commit = commit
    }

    /// One delivery's outcome.
    public func report(_ key: String, _ outcome: DeliveryOutcome) {
        report([key], outcome)
    }

    /// One outcome for several deliveries: a digest carried them all in one message.
    public func report(_ keys: [String], _ outcome: DeliveryOutcome) {
        report(keys.map { (key: $0, outcome: outcome) })
    }

    /// Several outcomes known at once (a protocol-1 plugin's answer), committed together.
    public func report(_ list: [(key: String, outcome: DeliveryOutcome)]) {
        lock.withLock {
            var fresh: [(key: String, outcome: DeliveryOutcome)] = []
            for (key, outcome) in list where wanted.contains(key) && outcomes[key] == nil {
                outcomes[key] = outcome
                fresh.append((key, outcome))
            }
            // Committed under the lock: the ledger sees reports in the order they were made.
            if !fresh.isEmpty { commit(fresh) }
        }
    }

    /// Every delivery of the batch that has no outcome yet fails with `reason`.
    public func failUnreported(_ batch: NotifierBatch, _ reason: String) {
        report(batch.keys, .failed(reason))
    }

    /// Every delivery of the batch is sent (one digest carried them all).
    public func sentAll(_ batch: NotifierBatch) {
        report(batch.keys, .sent)
    }

    /// Every outcome reported so far.
    public var reported: [String: DeliveryOutcome] { lock.withLock { outcomes } }
}

/// A destination for deliveries: the console, a folder, an external plugin.
///
/// The dispatcher calls `send` at most once per notifier per run, and keeps these rules
/// so a notifier doesn't have to, while each notifier keeps the ones below so the
/// dispatcher's exactly-once guarantee holds.
///
/// **What a notifier receives.** One `NotifierBatch` holding every delivery due for it in this
/// run (on the run date, plus missed and failed ones still inside the catch-up window), each
/// with its message already rendered in the notifier's language and templates, and a digest of
/// them all. The batch is never empty and holds each delivery key once. A notifier may send one
/// message per delivery or one digest for the whole batch; that is its choice.
///
/// **Outcomes as they happen.** The notifier reports each delivery's outcome to `outcomes` the
/// moment it is known: `.sent` as soon as the destination has accepted the message that carried
/// it, `.failed(reason)` as soon as it is clear it will not go out in this run. Each report is in
/// the ledger before `report` returns, so a kill costs at most the one message in flight: never
/// hold outcomes back to report them together at the end. A digest is one message, reported with
/// one call for all its keys. When something breaks halfway (the server went away after three
/// messages), the three stay reported `.sent` and the rest are reported `.failed`. A key left
/// unreported when `send` returns counts as failed ("notifier gave no result"). `send` does not
/// throw.
///
/// **The run's bound.** `batch.deadline` is when the run must end (`run_timeout:`). A notifier
/// starts no message after it and cuts every exchange off at it (`batch.deadline(within:)` gives
/// the deadline for one exchange with its own timeout), then fails only what it has not sent.
///
/// **Repeats.** The ledger marks each delivery `pending` before `send` and records each outcome
/// as it is reported. If the process is killed in between, the next run sends the pending ones
/// again: only the message in flight may repeat. A notifier must therefore accept a delivery it
/// may already have delivered (at-least-once at the edges); where the destination can deduplicate,
/// `OutgoingDelivery.key` is a stable identifier to do it with. A delivery reported `.sent` is
/// never handed to any notifier again.
///
/// **Failures.** A failed delivery is retried on later runs while its step is within the
/// catch-up window, so a notifier never retries on its own for long. One notifier failing
/// does not stop the others.
///
/// **Secrets.** Credentials come from environment variables named by `*_env` settings. A notifier
/// never puts a secret's value into a failure reason, a log line or its output.
///
/// **Threads.** Each notifier's `send` runs on a thread of its own, beside the other notifiers,
/// and may block until the batch's deadline; a notifier must be `Sendable` and keep no state
/// between runs.
public protocol Notifier: Sendable {
    func send(_ batch: NotifierBatch, outcomes: OutcomeSink)
}

/// The run's time bound (`run_timeout:`), as notifiers speak of it.
public enum RunBound {
    /// The reason given to deliveries a notifier did not start before the run's bound.
    public static let reachedReason = "not sent: the run reached its time bound (run_timeout:); the next run sends it"
}

/// Where notifiers find what lies outside the configuration: the folder relative paths are
/// resolved from, the process environment, and where to write. The CLI builds it (it is the
/// only place that reads the environment and owns the terminal).
public struct NotifierContext: Sendable {
    /// The configuration file's folder; relative `path:` and `template:` settings resolve here.
    /// Nil: the current folder.
    public var configDirectory: String?
    /// The process environment; plugins receive only the names their `env:` lists, plus PATH and HOME.
    public var environment: [String: String]
    /// Where the console notifier writes (stdout; the CLI may choose stderr when stdout carries JSON).
    public var console: @Sendable (String) -> Void
    /// Why the console could not be written (a full disk, a closed pipe), once a write failed;
    /// the console notifier then fails its deliveries instead of counting them sent.
    public var consoleFailure: @Sendable () -> String? = { nil }
    /// Diagnostics: a plugin's standard error, prefixed with its name.
    public var log: @Sendable (String) -> Void

    public init(
        configDirectory: String?, environment: [String: String],
        console: @escaping @Sendable (String) -> Void, log: @escaping @Sendable (String) -> Void
    ) {
        self.configDirectory = configDirectory
        self.environment = environment
        self.console = console
        self.log = log
    }

    /// A path from the configuration, made absolute against `configDirectory` (or the current folder).
    public func resolve(_ path: String) -> String {
        PathText.resolve(path, against: configDirectory)
    }
}
