import Foundation
import KyniemConfig
import KyniemCore
import KyniemDispatch
import KyniemYAML

/// A notifier whose `type:` names a plugin: runs the plugin's executable once per run with the
/// batch on stdin, per SPEC.md's plugin protocol (fixed):
///
/// stdin: `{"protocol": 1 or 2, "notifier": {…settings…}, "deliveries": [{"key", "event",
/// "occurrence", "step", "title", "body", "due"}], …}` — kyniem adds `"late"` to each delivery,
/// then `"date"` (the run date), `"language"`, `"digest": {"title", "body"}` (for plugins that send
/// one message) and `"timeout_ms"` (how long the plugin may run: its manifest's timeout, or less
/// when the run's bound comes sooner; a plugin that watches it can stop cleanly) after the fixed
/// fields.
///
/// Protocol 1, stdout: `{"results": [{"key": "…", "status": "sent" | "failed", "error": "…"}]}`,
/// read when the plugin has ended, and recorded in one transaction. A missing key fails that
/// delivery ("plugin gave no result"); unknown keys are ignored. A plugin that times out, exits
/// non-zero, dies of a signal or prints anything but that object has failed the whole batch.
///
/// Protocol 2, stdout: one `{"key": "…", "status": "sent" | "failed", "error": "…"}` per line, as
/// each outcome is known. Each line is reported to the `OutcomeSink` (so committed to the ledger)
/// from the read loop, before the next line is read: what a plugin reported stays reported, however
/// it ends. The first line for a key is final; keys not in the batch, blank lines and repeats are
/// ignored. A line that is not such an object is "anything else": it is ignored with a warning in
/// the log, the plugin goes on, and the keys it never reports fail with a reason that quotes the
/// first such line. When the plugin ends, every key it did not report has failed, with why: it
/// was killed at its timeout, died of a signal, exited non-zero, or simply gave no result.
///
/// Its stderr goes to `NotifierContext.log`, each line prefixed with the plugin name. It sees only
/// PATH, HOME and the variables its notifier's `env:` names, and the values of those variables are
/// masked in everything kyniem logs or records. Escape sequences and control characters in what
/// it prints are removed before they reach the log or the ledger (`PrintableText`).
public struct PluginNotifier: Notifier {
    public let plugin: PluginManifest
    public let spec: NotifierSpec
    private let environment: [String: String]
    private let log: @Sendable (String) -> Void
    private let redact: Redactor
    /// The request's `notifier` object (`settingsObject(for:)`).
    private let settings: String

    /// `settings` is `settingsObject(for: spec)`, which `NotifierRegistry` has built (and
    /// checked) before it makes the notifier.
    public init(plugin: PluginManifest, spec: NotifierSpec, settings: String, context: NotifierContext) {
        self.plugin = plugin
        self.spec = spec
        self.settings = settings
        self.environment = Self.environment(for: spec, from: context.environment)
        self.log = context.log
        self.redact = Redactor(secrets: spec.environment.compactMap { context.environment[$0] })
    }

    /// The notifier's entry as the protocol's `notifier` object (SPEC.md, "Plugin protocol"):
    /// every setting as written, in file order, each scalar typed by its form (`room: 7` a
    /// number, `room: "7"` text) since the plugin, not kyniem, knows what its settings mean.
    /// Built here, where it is sent, and not by the configuration reader: the built-in types read
    /// the same entry with their own types. A key that is a list or a map has no JSON form.
    public static func settingsObject(for spec: NotifierSpec) -> Swift.Result<String, ConfigurationErrors> {
        guard let settings = spec.settings else {
            return .success(JSONText.object([("id", JSONText.quote(spec.id)), ("type", JSONText.quote(spec.type))]))
        }
        do throws(YAMLError) {
            return .success(try settings.toJSONValue().jsonText)
        } catch {
            return .failure(ConfigurationErrors([
                ConfigurationProblem(error.mark, "notifier `\(spec.id)` (type \(spec.type)): \(error.message)"),
            ]))
        }
    }

    /// PATH and HOME, and each name of `env:` that is set; nothing else.
    public static func environment(for spec: NotifierSpec, from process: [String: String]) -> [String: String] {
        var passed: [String: String] = [:]
        for name in ["PATH", "HOME"] + spec.environment {
            if let value = process[name] { passed[name] = value }
        }
        return passed
    }

    /// Plugin output as kyniem may show and store it: escape sequences and control characters
    /// removed first (so no secret is put together from pieces), then secrets masked.
    func shown(_ text: String) -> String { redact(PrintableText.clean(text)) }

    public func send(_ batch: NotifierBatch, outcomes sink: OutcomeSink) {
        if batch.isPastDeadline { return sink.failUnreported(batch, RunBound.reachedReason) }
        let name = plugin.name
        // Checked again just before it runs: its files may have changed since `kyniem check`.
        let refusals = plugin.runProblems
        guard refusals.isEmpty else {
            return sink.failUnreported(batch, "plugin \(name) was not run: " + refusals.map(\.message).joined(separator: "; "))
        }
        let manifestTimeout = Duration.milliseconds(plugin.timeoutMilliseconds)
        let timeout = min(manifestTimeout, batch.timeRemaining)
        let stoppedAt = timeout < manifestTimeout
            ? "before the run's time bound (run_timeout:)" : "within \(TimeoutText.describe(plugin.timeoutMilliseconds))"
        let input = Array(input(for: batch, timeout: timeout).utf8)

        var firstBadLine: String?
        var lineHandler: (([[UInt8]]) -> Void)?
        if plugin.protocolVersion == 2 {
            lineHandler = { lines in
                // The lines that arrived together are committed together, in their order.
                var outcomes: [(key: String, outcome: DeliveryOutcome)] = []
                for bytes in lines {
                    let text = String(decoding: bytes, as: UTF8.self)
                    guard !text.allSatisfy(\.isWhitespace) else { continue }
                    if let result = Self.parseLine(text) {
                        outcomes.append((result.key, outcome(of: result)))
                    } else {
                        let line = Self.clip(shown(text))
                        log("plugin \(name): ignored a line on standard output that is not a result object: \(line)")
                        if firstBadLine == nil { firstBadLine = line }
                    }
                }
                if !outcomes.isEmpty { sink.report(outcomes) }
            }
        }
        let result = ChildProcess.run(
            executable: plugin.executable, environment: environment, input: input, timeout: timeout,
            onStdoutLines: lineHandler)

        let stderrText = String(decoding: result.stderr, as: UTF8.self)
        let stderrLines = stderrText.split(whereSeparator: \.isNewline).map { shown(String($0)) }
        for line in stderrLines { log("plugin \(name): \(line)") }
        let hint = stderrLines.last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            .map { ": " + Self.clip($0) } ?? ""

        if plugin.protocolVersion == 2 {
            var reason: String
            switch result.termination {
            case .failedToStart(let why): reason = "plugin \(name): \(why)"
            case .timedOut: reason = "plugin \(name) did not finish \(stoppedAt) and was killed before it reported this delivery"
            case .signaled(let signal): reason = "plugin \(name) was killed by signal \(signal) before it reported this delivery\(hint)"
            case .exited(let code) where code != 0:
                reason = "plugin \(name) exited with status \(code) before it reported this delivery\(hint)"
            case .exited: reason = "plugin \(name) gave no result"
            }
            if result.stdoutTruncated {
                reason += "; it printed more than \(ChildProcess.outputLimit >> 20) MiB, and the rest was not read"
            }
            if let firstBadLine { reason += "; it printed a line that is not a result: \(firstBadLine)" }
            return sink.failUnreported(batch, reason)
        }

        switch result.termination {
        case .failedToStart(let reason):
            return sink.failUnreported(batch, "plugin \(name): \(reason)")
        case .timedOut:
            return sink.failUnreported(batch, "plugin \(name) did not finish \(stoppedAt) and was killed")
        case .signaled(let signal):
            return sink.failUnreported(batch, "plugin \(name) was killed by signal \(signal)\(hint)")
        case .exited(let code) where code != 0:
            return sink.failUnreported(batch, "plugin \(name) exited with status \(code)\(hint)")
        case .exited:
            break
        }
        if result.stdoutTruncated {
            return sink.failUnreported(batch, "plugin \(name) printed more than \(ChildProcess.outputLimit >> 20) MiB")
        }
        guard let results = Self.parseResults(result.stdout) else {
            let printed = Self.clip(shown(String(decoding: result.stdout.prefix(200), as: UTF8.self)))
            return sink.failUnreported(batch,
                "plugin \(name) did not print a {\"results\": [...]} object"
                    + (printed.isEmpty ? " (its output was empty)" : "; it printed: \(printed)"))
        }
        var outcomes: [String: DeliveryOutcome] = [:]
        let wanted = Set(batch.keys)
        for entry in results where wanted.contains(entry.key) && outcomes[entry.key] == nil {
            outcomes[entry.key] = outcome(of: entry)
        }
        for key in batch.keys where outcomes[key] == nil {
            outcomes[key] = .failed("plugin \(name) gave no result")
        }
        // Protocol 1 answers once, at the end: the whole answer is one ledger transaction.
        sink.report(batch.keys.compactMap { key in outcomes[key].map { (key: key, outcome: $0) } })
    }

    /// One result as the ledger records it.
    func outcome(of result: Result) -> DeliveryOutcome {
        switch result.status {
        case "sent": return .sent
        case "failed": return .failed("plugin \(plugin.name): " + Self.clip(shown(result.error ?? "failed (no reason given)")))
        default: return .failed("plugin \(plugin.name) gave the unknown status \"\(Self.clip(shown(result.status)))\"")
        }
    }

    /// The protocol's stdin object.
    func input(for batch: NotifierBatch, timeout: Duration) -> String {
        let deliveries = batch.deliveries.map { JSONText.object($0.jsonMembers) }
        return JSONText.object([
            ("protocol", String(plugin.protocolVersion)),
            ("notifier", settings),
            ("deliveries", "[" + deliveries.joined(separator: ", ") + "]"),
            ("date", JSONText.quote(batch.runDate.iso)),
            ("language", JSONText.quote(batch.language.rawValue)),
            ("digest", JSONText.object([
                ("title", JSONText.quote(batch.digest.title)), ("body", JSONText.quote(batch.digest.body)),
            ])),
            ("timeout_ms", String(TimeoutText.milliseconds(timeout))),
        ]) + "\n"
    }

    struct Result: Decodable {
        let key: String
        let status: String
        let error: String?
    }

    struct Output: Decodable {
        let results: [Result]
    }

    /// A protocol-2 line: one result object (surrounding whitespace allowed), or nil.
    static func parseLine(_ text: String) -> Result? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("{"), trimmed.hasSuffix("}") else { return nil }
        return try? JSONDecoder().decode(Result.self, from: Data(trimmed.utf8))
    }

    /// The results, or nil when stdout is not exactly one such object (surrounding whitespace allowed).
    static func parseResults(_ bytes: [UInt8]) -> [Result]? {
        let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("{"), text.hasSuffix("}") else { return nil }
        return try? JSONDecoder().decode(Output.self, from: Data(text.utf8)).results
    }

    static func clip(_ text: String, to limit: Int = 300) -> String {
        let line = text.replacingOccurrences(of: "\n", with: " ")
        return line.count > limit ? String(line.prefix(limit)) + "…" : line
    }
}
