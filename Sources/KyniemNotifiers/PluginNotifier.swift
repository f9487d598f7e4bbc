import Foundation
import KyniemConfig
import KyniemCore

/// A notifier whose `type:` names a plugin: runs the plugin's executable once per run with the
/// batch on stdin, per SPEC.md's plugin protocol (fixed):
///
/// stdin: `{"protocol": 1, "notifier": {…settings…}, "deliveries": [{"key", "event", "occurrence",
/// "step", "title", "body", "due"}], …}` — kyniem adds `"date"` (the run date), `"language"`,
/// and `"digest": {"title", "body"}` after the fixed fields, for plugins that send one message.
///
/// stdout: `{"results": [{"key": "…", "status": "sent" | "failed", "error": "…"}]}`.
///
/// A missing key fails that delivery ("plugin gave no result"); unknown keys are ignored. A
/// plugin that times out, exits non-zero, dies of a signal or prints anything but that object has
/// failed the whole batch. Its stderr goes to `NotifierContext.log`, each line prefixed with the
/// plugin name. It sees only PATH, HOME and the variables its notifier's `env:` names, and the
/// values of those variables are masked in everything kyniem logs or records.
public struct PluginNotifier: Notifier {
    public let plugin: PluginManifest
    public let spec: NotifierSpec
    private let environment: [String: String]
    private let log: @Sendable (String) -> Void
    private let redact: Redactor

    public init(plugin: PluginManifest, spec: NotifierSpec, context: NotifierContext) {
        self.plugin = plugin
        self.spec = spec
        self.environment = Self.environment(for: spec, from: context.environment)
        self.log = context.log
        self.redact = Redactor(secrets: spec.environment.compactMap { context.environment[$0] })
    }

    /// PATH and HOME, and each name of `env:` that is set; nothing else.
    public static func environment(for spec: NotifierSpec, from process: [String: String]) -> [String: String] {
        var passed: [String: String] = [:]
        for name in ["PATH", "HOME"] + spec.environment {
            if let value = process[name] { passed[name] = value }
        }
        return passed
    }

    public func send(_ batch: NotifierBatch, outcomes sink: OutcomeSink) {
        if batch.isPastDeadline { return sink.failUnreported(batch, RunBound.reachedReason) }
        let name = plugin.name
        let result = ChildProcess.run(
            executable: plugin.executable, environment: environment, input: Array(input(for: batch).utf8),
            timeout: min(.milliseconds(plugin.timeoutMilliseconds), batch.timeRemaining))

        let stderrText = String(decoding: result.stderr, as: UTF8.self)
        let stderrLines = stderrText.split(whereSeparator: \.isNewline).map { redact(String($0)) }
        for line in stderrLines { log("plugin \(name): \(line)") }
        let hint = stderrLines.last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            .map { ": " + Self.clip($0) } ?? ""

        switch result.termination {
        case .failedToStart(let reason):
            return sink.failUnreported(batch, "plugin \(name): \(reason)")
        case .timedOut:
            return sink.failUnreported(batch, "plugin \(name) did not finish within \(Self.duration(plugin.timeoutMilliseconds)) and was killed")
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
            let shown = Self.clip(redact(String(decoding: result.stdout.prefix(200), as: UTF8.self)))
            return sink.failUnreported(batch, 
                "plugin \(name) did not print a {\"results\": [...]} object"
                    + (shown.isEmpty ? " (its output was empty)" : "; it printed: \(shown)"))
        }
        var outcomes: [String: DeliveryOutcome] = [:]
        let wanted = Set(batch.keys)
        for entry in results where wanted.contains(entry.key) && outcomes[entry.key] == nil {
            switch entry.status {
            case "sent": outcomes[entry.key] = .sent
            case "failed":
                outcomes[entry.key] = .failed(
                    "plugin \(name): " + Self.clip(redact(entry.error ?? "failed (no reason given)")))
            default:
                outcomes[entry.key] = .failed("plugin \(name) gave the unknown status \"\(Self.clip(entry.status))\"")
            }
        }
        for key in batch.keys where outcomes[key] == nil {
            outcomes[key] = .failed("plugin \(name) gave no result")
        }
        // Protocol 1 answers once, at the end: the whole answer is one ledger transaction.
        sink.report(batch.keys.compactMap { key in outcomes[key].map { (key: key, outcome: $0) } })
    }

    /// The protocol's stdin object.
    func input(for batch: NotifierBatch) -> String {
        let settings = spec.settingsJSON.isEmpty ? "{}" : spec.settingsJSON
        let deliveries = batch.deliveries.map { outgoing in
            JSONText.object([
                ("key", JSONText.quote(outgoing.key)),
                ("event", JSONText.quote(outgoing.delivery.occurrence.event.id)),
                ("occurrence", JSONText.quote(outgoing.delivery.occurrence.date.iso)),
                ("step", JSONText.quote(outgoing.delivery.step.id)),
                ("title", JSONText.quote(outgoing.message.title)),
                ("body", JSONText.quote(outgoing.message.body)),
                ("due", JSONText.quote(outgoing.delivery.step.due.iso)),
                ("late", outgoing.delivery.late ? "true" : "false"),
            ])
        }
        return JSONText.object([
            ("protocol", "1"),
            ("notifier", settings),
            ("deliveries", "[" + deliveries.joined(separator: ", ") + "]"),
            ("date", JSONText.quote(batch.runDate.iso)),
            ("language", JSONText.quote(batch.language.rawValue)),
            ("digest", JSONText.object([
                ("title", JSONText.quote(batch.digest.title)), ("body", JSONText.quote(batch.digest.body)),
            ])),
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

    static func duration(_ milliseconds: Int) -> String {
        milliseconds % 1000 == 0 ? "\(milliseconds / 1000)s" : "\(milliseconds)ms"
    }
}
