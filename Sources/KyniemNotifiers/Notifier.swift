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
    /// All of `deliveries` in one message, for notifiers that send one message per run.
    public let digest: Message

    public init(
        notifier: String, language: Language, runDate: LocalDate, timestamp: String,
        deliveries: [OutgoingDelivery], digest: Message
    ) {
        self.notifier = notifier
        self.language = language
        self.runDate = runDate
        self.timestamp = timestamp
        self.deliveries = deliveries
        self.digest = digest
    }

    public var keys: [String] { deliveries.map(\.key) }

    /// The same failure for every delivery of the batch.
    public func allFailed(_ error: String) -> [String: DeliveryOutcome] {
        Dictionary(deliveries.map { ($0.key, DeliveryOutcome.failed(error)) }, uniquingKeysWith: { a, _ in a })
    }

    /// Every delivery of the batch sent.
    public func allSent() -> [String: DeliveryOutcome] {
        Dictionary(deliveries.map { ($0.key, DeliveryOutcome.sent) }, uniquingKeysWith: { a, _ in a })
    }
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
/// **What it returns.** An outcome for every key of the batch: `.sent` once the destination has
/// accepted it, `.failed(reason)` otherwise. A key left out counts as failed ("notifier gave no
/// result"); keys that are not in the batch are ignored. When something breaks halfway
/// (the server went away after three messages), the notifier still returns what it knows —
/// `.sent` for the three, `.failed` for the rest — rather than failing the lot: results must
/// never be thrown away, or the three would be sent again tomorrow. `send` does not throw; a
/// failure of the whole batch is `batch.allFailed(reason)`.
///
/// **Repeats.** The ledger marks each delivery `pending` before `send` and records the outcome
/// after it. If the process is killed in between, the next run sends those deliveries again. A
/// notifier must therefore accept a delivery it may already have delivered (at-least-once at the
/// edges); where the destination can deduplicate, `OutgoingDelivery.key` is a stable identifier
/// to do it with. A delivery reported `.sent` is never handed to any notifier again.
///
/// **Failures.** A failed delivery is retried on later runs while its step is within the
/// catch-up window, so a notifier never retries on its own for long. One notifier failing
/// does not stop the others.
///
/// **Secrets.** Credentials come from environment variables named by `*_env` settings. A notifier
/// never puts a secret's value into a failure reason, a log line or its output.
///
/// **Threads.** `send` runs synchronously on the caller's thread and may block (a plugin runs
/// up to its timeout); a notifier must be `Sendable` and keep no state between runs.
public protocol Notifier: Sendable {
    func send(_ batch: NotifierBatch) -> [String: DeliveryOutcome]
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
