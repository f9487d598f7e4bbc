import Foundation
import KyniemConfig
import KyniemCore
import KyniemDispatch
import KyniemTransports

/// `type: webhook` — POSTs JSON to a URL (`url_env:`, the name of the variable holding it).
///
/// `format:` shapes the body:
/// - `generic` (default): `{"date", "notifier", "language", "title", "text", "deliveries":
///   [{"key", "event", "occurrence", "step", "title", "body", "due", "late"}]}` — `text` is the
///   digest's body (or the message's, with `mode: each`);
/// - `slack`: `{"text": …}` in Slack's mrkdwn (bold lines, no headings), at most 4,000 characters;
/// - `mattermost`: `{"text": …}` in Markdown, at most 16,000 characters;
/// - `teams`: an Adaptive Card message (Teams Workflows "when a webhook request is received"),
///   each request at most 24,000 bytes (Teams documents about 28 KB);
/// - `telegram`: `{"chat_id": <chat_id:>, "text": …, "parse_mode": "HTML"}` to
///   `https://api.telegram.org/bot<token>/sendMessage`, each text at most 4,096 characters.
///
/// `mode: digest` (default) sends the batch as one digest (`Digest`), split into as many
/// messages as the service's limit needs, items kept whole; each part's deliveries are reported
/// `sent` the moment the service accepts that part. `mode: each` sends one request per delivery.
/// Messages of one run are paced to the service's documented rate (`interval(_:chatID:)`);
/// a 429 answer's `retry_after` is waited when it ends before the run's bound; whatever the
/// pace leaves no time for fails with a reason and goes out with the next run.
///
/// A 2xx answer is `sent`; anything else, or no answer within `timeout:` (default 10s), fails the
/// request's deliveries. Failure reasons never hold the URL (it often holds a token).
///
/// Requests go through kyniem's own HTTP/1.1 client (`HTTPClient`), with TLS from OpenSSL for
/// `https://`: the server's certificate must chain to the system's trust store or to `ca_file:`
/// (PEM, relative to the configuration file). Proxies come from the environment (`https_proxy`,
/// `http_proxy`, `no_proxy`).
public struct WebhookNotifier: Notifier {
    public enum Format: String, CaseIterable, Sendable {
        case generic, slack, teams, telegram, mattermost
    }

    public enum Mode: String, CaseIterable, Sendable {
        case digest, each
    }

    struct Configuration: Sendable {
        /// The variable holding the URL, or nil when `url:` gives it.
        var urlEnvironment: String?
        var literalURL: String?
        var format: Format
        var mode: Mode
        var timeoutMilliseconds: Int
        var chatID: String?
        /// Extra trusted certificates (PEM), resolved against the configuration's folder.
        var caFile: String?
    }

    /// Every setting of a `type: webhook` entry.
    static let settingKeys = ["url_env", "url", "format", "mode", "timeout", "chat_id", "ca_file"]

    static let defaultTimeoutMilliseconds = 10_000
    static let telegramLimit = 4096

    let configuration: Configuration
    let environment: [String: String]
    /// How host names become addresses (tests inject a slow one).
    let resolver: Resolver
    /// Overrides the service's pace (`interval(_:chatID:)`); tests use a short one.
    let pace: Duration?
    /// How the notifier waits between messages.
    let sleep: @Sendable (Duration) -> Void

    init(
        configuration: Configuration, environment: [String: String], resolver: Resolver = .system, pace: Duration? = nil,
        sleep: @escaping @Sendable (Duration) -> Void = WebhookNotifier.threadSleep
    ) {
        self.configuration = configuration
        self.environment = environment
        self.resolver = resolver
        self.pace = pace
        self.sleep = sleep
    }

    static let threadSleep: @Sendable (Duration) -> Void = { duration in
        let (seconds, attoseconds) = duration.components
        Thread.sleep(forTimeInterval: Double(seconds) + Double(attoseconds) / 1e18)
    }

    /// The settings of a `type: webhook` entry, or every problem with them.
    static func configuration(_ spec: NotifierSpec) -> Result<Configuration, ConfigurationErrors> {
        var settings = NotifierSettings(spec)
        let urlEnvironment = settings.environmentName("url_env")
        let literalURL = settings.string("url")
        if urlEnvironment == nil && literalURL == nil && !settings.has("url_env") && !settings.has("url") {
            settings.problem("url_env", "needs `url_env:` (the name of the environment variable holding the URL)")
        }
        if settings.has("url_env") && settings.has("url") {
            settings.problem("url", "give either `url_env:` or `url:`, not both")
        }
        if let literalURL, HTTPURL.parse(literalURL) == nil {
            // Don't echo the value: it may hold a token.
            settings.problem("url", "`url:` must be an http:// or https:// URL")
        }
        let format = Format(rawValue: settings.choice("format", among: Format.allCases.map(\.rawValue), default: "generic")) ?? .generic
        let mode = Mode(rawValue: settings.choice("mode", among: Mode.allCases.map(\.rawValue), default: "digest")) ?? .digest
        let timeout = settings.timeout(default: defaultTimeoutMilliseconds)
        let chatID = settings.string("chat_id")
        if format == .telegram && chatID == nil && !settings.has("chat_id") {
            settings.problem("chat_id", "format telegram needs `chat_id:` (a chat number or @channel)")
        }
        let caFile = settings.string("ca_file")
        settings.rejectUnknownKeys(settingKeys)
        guard settings.problems.isEmpty else { return .failure(ConfigurationErrors(settings.problems)) }
        return .success(Configuration(
            urlEnvironment: urlEnvironment, literalURL: literalURL, format: format, mode: mode,
            timeoutMilliseconds: timeout, chatID: chatID, caFile: caFile))
    }

    public func send(_ batch: NotifierBatch, outcomes: OutcomeSink) {
        let urlText: String
        if let name = configuration.urlEnvironment {
            switch EnvironmentName.value(name, setting: "url_env", in: environment) {
            case .success(let value): urlText = value
            case .failure(let failure): return outcomes.failUnreported(batch, failure.reason)
            }
        } else {
            urlText = configuration.literalURL ?? ""
        }
        let redact = Redactor(secrets: Self.secrets(in: urlText))
        guard let url = HTTPURL.parse(urlText) else {
            return outcomes.failUnreported(batch, "the webhook URL\(configuration.urlEnvironment.map { " in \($0)" } ?? "") is not an http:// or https:// URL")
        }
        let client = HTTPClient(
            timeoutMilliseconds: configuration.timeoutMilliseconds, caFile: configuration.caFile, environment: environment,
            resolver: resolver)
        let messages = self.messages(batch)
        let interval = pace ?? Self.interval(configuration.format, chatID: configuration.chatID)
        var lastSent: ContinuousClock.Instant?
        for (index, message) in messages.enumerated() {
            let rest = messages[index...].flatMap(\.keys)
            // Paced to the service's documented rate (`interval(_:chatID:)`); a wait that would
            // end past the run's bound is not started: the rest go out with the next run.
            if let lastSent {
                let wait = interval - (ContinuousClock.now - lastSent)
                if wait > .zero {
                    if ContinuousClock.now + wait >= batch.deadline {
                        return outcomes.report(rest, .failed(Self.pacedOutReason))
                    }
                    sleep(wait)
                }
            }
            if batch.isPastDeadline { return outcomes.report(rest, .failed(RunBound.reachedReason)) }
            var failure = client.post(message.body, to: url, deadline: batch.deadline)
            var retries = 0
            // HTTP 429 with a wait (Telegram's `retry_after`): wait it, at most twice, when it
            // ends before the run's bound; else leave the rest for the next run.
            while let asked = failure?.retryAfter, retries < 2 {
                guard ContinuousClock.now + asked < batch.deadline else { break }
                retries += 1
                sleep(asked)
                failure = client.post(message.body, to: url, deadline: batch.deadline)
            }
            lastSent = .now
            if let failure {
                var reason = redact(failure.reason)
                if let asked = failure.retryAfter {
                    reason += " (the service asked to wait \(asked.components.seconds) s; the next run sends it)"
                }
                outcomes.report(message.keys, .failed(reason))
                // The run's bound cut this request off: the rest were never started.
                if batch.isPastDeadline { return outcomes.failUnreported(batch, RunBound.reachedReason) }
                // The endpoint is down or refusing: the rest wait for the next run.
                return outcomes.failUnreported(batch, "not sent: an earlier request of this run failed (\(reason))")
            }
            // Each part's keys the moment the service has accepted it.
            outcomes.report(message.keys, .sent)
        }
    }

    /// The reason given to messages a service's pace left no time for before the run's bound.
    static let pacedOutReason =
        "not sent: the service's rate limit leaves no time for it before the run's time bound (run_timeout:); the next run sends it"

    /// One request: its JSON body and the deliveries it carries.
    struct OutgoingMessage: Sendable {
        let body: String
        let keys: [String]
    }

    /// The requests for `batch`, in order: one per delivery with `mode: each`; else the digest,
    /// cut into as many messages as the service's documented limits need (`fits(_:)`).
    func messages(_ batch: NotifierBatch) -> [OutgoingMessage] {
        let format = configuration.format
        if configuration.mode == .each {
            return batch.deliveries.map { outgoing in
                OutgoingMessage(body: single(batch, outgoing), keys: [outgoing.key])
            }
        }
        if format == .generic {
            return [OutgoingMessage(body: genericPayload(batch, deliveries: batch.deliveries), keys: batch.keys)]
        }
        if batch.templated {
            // The person's own text: escaped for the channel, cut between lines.
            let lines = ControlCharacters.lines(batch.digest.body)
            let chunks = Self.chunks(lines) { fits(chatPayload(title: batch.digest.title, lines: $0)) }
            return chunks.enumerated().map { index, chunk in
                // Keys go with the last part: a template's lines cannot be traced to deliveries.
                OutgoingMessage(
                    body: chatPayload(title: batch.digest.title, lines: chunk),
                    keys: index == chunks.count - 1 ? batch.keys : [])
            }
        }
        return batch.content.split { fits(digestPayload($0)) }.map { part in
            OutgoingMessage(body: digestPayload(part), keys: part.keys)
        }
    }

    /// The documented bounds a message must stay within, measured as the service measures them.
    func fits(_ body: String) -> Bool {
        switch configuration.format {
        case .generic: true
        // Teams: "The message size limit is 28 KB" (the whole request); a margin below it for
        // what the Workflows flow adds around the card.
        case .teams: body.utf8.count <= Self.teamsByteLimit
        // Telegram: a text of 1-4096 characters after entities parsing; measured before parsing
        // (tags included), in UTF-16 units as Telegram counts them: always on the safe side.
        case .telegram: Self.textField(body).utf16.count <= Self.telegramLimit
        // Slack: "limit the number of characters in the text field to 4,000" (it truncates at 40,000).
        case .slack: Self.textField(body).count <= Self.slackLimit
        // Mattermost: a post holds at most 16,383 characters (the server's default since 5.0).
        case .mattermost: Self.textField(body).count <= Self.mattermostLimit
        }
    }

    static let teamsByteLimit = 24_000
    static let slackLimit = 4_000
    static let mattermostLimit = 16_000

    /// The `text` member of a chat payload (what the limits count).
    static func textField(_ body: String) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else { return body }
        return object["text"] as? String ?? body
    }

    /// The least time between two messages of one run, as each service documents its rate:
    /// Telegram about 1 message a second in a chat and 20 a minute in a group or channel
    /// (negative chat ids and `@channel` names); Slack 1 message a second per webhook; Teams
    /// at most 4 requests a second.
    static func interval(_ format: Format, chatID: String?) -> Duration {
        switch format {
        case .telegram:
            let group = chatID.map { $0.hasPrefix("-") || $0.hasPrefix("@") } ?? false
            return group ? .seconds(3) : .seconds(1)
        case .slack: return .seconds(1)
        case .teams: return .milliseconds(250)
        case .generic, .mattermost: return .zero
        }
    }

    /// Lines grouped greedily into chunks that `fits` accepts; a line too long alone is a chunk.
    static func chunks(_ lines: [String], fits: ([String]) -> Bool) -> [[String]] {
        var chunks: [[String]] = []
        var current: [String] = []
        for line in lines {
            if current.isEmpty || fits(current + [line]) {
                current.append(line)
            } else {
                chunks.append(current)
                current = [line]
            }
        }
        if !current.isEmpty || chunks.isEmpty { chunks.append(current) }
        return chunks
    }

    /// The digest (or one part of it) in the channel's native form.
    func digestPayload(_ digest: Digest) -> String {
        switch configuration.format {
        case .generic: return ""
        case .slack: return JSONText.object([("text", JSONText.quote(DigestFormat.slack(digest)))])
        case .mattermost: return JSONText.object([("text", JSONText.quote(DigestFormat.markdown(digest)))])
        case .telegram: return telegramPayload(DigestFormat.telegram(digest))
        case .teams: return DigestFormat.adaptiveCard(digest)
        }
    }

    /// Plain lines under a title (a person's template, one delivery's message), escaped for the
    /// channel's markup.
    func chatPayload(title: String, lines: [String]) -> String {
        switch configuration.format {
        case .generic: return ""
        case .slack:
            let text = (["*" + DigestFormat.slackEscaped(title) + "*"] + lines.map(DigestFormat.slackEscaped))
                .joined(separator: "\n")
            return JSONText.object([("text", JSONText.quote(text))])
        case .mattermost:
            let text = (["**" + DigestFormat.markdownEscaped(title) + "**"] + lines.map(DigestFormat.markdownEscaped))
                .joined(separator: "\n")
            return JSONText.object([("text", JSONText.quote(text))])
        case .telegram:
            let text = (["<b>" + DigestFormat.htmlEscaped(title) + "</b>"] + lines.map(DigestFormat.htmlEscaped))
                .joined(separator: "\n")
            return telegramPayload(text)
        case .teams:
            return DigestFormat.adaptiveCard(title: title, lines: lines)
        }
    }

    /// `sendMessage` in HTML parse mode (Bot API "Formatting options"), without link previews.
    func telegramPayload(_ html: String) -> String {
        let chat = configuration.chatID ?? ""
        let chatJSON = Int64(chat) != nil ? chat : JSONText.quote(chat)
        return JSONText.object([
            ("chat_id", chatJSON), ("text", JSONText.quote(html)), ("parse_mode", JSONText.quote("HTML")),
            ("disable_web_page_preview", "true"),
        ])
    }

    /// One delivery's message (`mode: each`).
    func single(_ batch: NotifierBatch, _ outgoing: OutgoingDelivery) -> String {
        if configuration.format == .generic { return genericPayload(batch, deliveries: [outgoing], single: outgoing.message) }
        return chatPayload(title: outgoing.message.title, lines: ControlCharacters.lines(outgoing.message.body))
    }

    /// The parts of a URL that are credentials: the whole URL (as given, and trimmed), its path
    /// segments and query values long enough to be tokens (a Telegram bot token, a Slack hook's
    /// secret), and its user and password in every form a server could echo them (see
    /// `HTTPClient.credentials(for:)`, which also covers the proxy's).
    static func secrets(in url: String) -> [String] {
        var secrets = [url, url.trimmingCharacters(in: .whitespacesAndNewlines)]
        if let components = URLComponents(string: secrets[1]) {
            secrets += components.path.split(separator: "/").map(String.init).filter { $0.count >= 8 }
            secrets += (components.queryItems ?? []).compactMap(\.value).filter { $0.count >= 8 }
            secrets += [components.password, components.percentEncodedPassword, components.user, components.percentEncodedUser]
                .compactMap { $0 }
        }
        if let parsed = HTTPURL.parse(url) {
            secrets += HTTPClient(timeoutMilliseconds: 0).credentials(for: parsed)
        }
        return secrets
    }

    /// The generic body: `{"date", "notifier", "language", "title", "text", "sections",
    /// "deliveries"}`. `text` is the plain-text digest (or the person's template, or the one
    /// delivery's message with `mode: each`); `sections` the digest's structure, for programs.
    func genericPayload(_ batch: NotifierBatch, deliveries: [OutgoingDelivery], single: Message? = nil) -> String {
        let items = deliveries.map { JSONText.object($0.jsonMembers) }
        let title: String, text: String
        if let single {
            (title, text) = (single.title, single.body)
        } else if batch.templated {
            (title, text) = (batch.digest.title, batch.digest.body)
        } else {
            (title, text) = (batch.content.title, DigestFormat.plainText(batch.content))
        }
        var fields: [(String, String)] = [
            ("date", JSONText.quote(batch.runDate.iso)),
            ("notifier", JSONText.quote(batch.notifier)),
            ("language", JSONText.quote(batch.language.rawValue)),
            ("title", JSONText.quote(title)),
            ("text", JSONText.quote(text)),
        ]
        if single == nil {
            let sections = batch.content.sections.map { section in
                JSONText.object([
                    ("urgency", JSONText.quote(section.urgency.rawValue)),
                    ("heading", JSONText.quote(section.heading(batch.language))),
                    ("items", "[" + section.items.map { item in
                        JSONText.object([
                            ("event", JSONText.quote(item.occurrence.event.id)),
                            ("occurrence", JSONText.quote(item.occurrence.date.iso)),
                            ("title", JSONText.quote(item.title)),
                            ("line", JSONText.quote(DigestFormat.line(item))),
                            ("keys", "[" + item.keys.map(JSONText.quote).joined(separator: ",") + "]"),
                        ])
                    }.joined(separator: ",") + "]"),
                ])
            }
            fields.append(("sections", "[" + sections.joined(separator: ",") + "]"))
        }
        fields.append(("deliveries", "[" + items.joined(separator: ",") + "]"))
        return JSONText.object(fields)
    }
}
