import Foundation
import KyniemConfig
import KyniemCore

/// `type: webhook` — POSTs JSON to a URL (`url_env:`, the name of the variable holding it).
///
/// `format:` shapes the body:
/// - `generic` (default): `{"date", "notifier", "language", "title", "text", "deliveries":
///   [{"key", "event", "occurrence", "step", "title", "body", "due", "late"}]}` — `text` is the
///   digest's body (or the message's, with `mode: each`);
/// - `slack`, `mattermost`: `{"text": …}`;
/// - `teams`: an Adaptive Card message (Teams Workflows "when a webhook request is received");
/// - `telegram`: `{"chat_id": <chat_id:>, "text": …}` to `https://api.telegram.org/bot<token>/sendMessage`.
///
/// `mode: digest` (default) sends one request per run holding the whole batch; `mode: each`
/// sends one request per delivery, so each gets its own outcome. A Telegram digest longer than
/// Telegram's 4096-character limit goes out as one message per delivery.
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

    init(configuration: Configuration, environment: [String: String], resolver: Resolver = .system) {
        self.configuration = configuration
        self.environment = environment
        self.resolver = resolver
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

        var perDelivery = configuration.mode == .each
        if !perDelivery && configuration.format == .telegram
            && Self.chatText(title: batch.digest.title, body: batch.digest.body, digest: true).count > Self.telegramLimit {
            perDelivery = true
        }
        if !perDelivery {
            let body = payload(batch, deliveries: batch.deliveries, title: batch.digest.title, text: batch.digest.body, digest: true)
            if batch.isPastDeadline { return outcomes.failUnreported(batch, RunBound.reachedReason) }
            if let failure = client.post(body, to: url, deadline: batch.deadline) {
                return outcomes.failUnreported(batch, redact(failure.reason))
            }
            return outcomes.sentAll(batch)
        }
        for outgoing in batch.deliveries {
            if batch.isPastDeadline { return outcomes.failUnreported(batch, RunBound.reachedReason) }
            let body = payload(batch, deliveries: [outgoing], title: outgoing.message.title, text: outgoing.message.body, digest: false)
            if let failure = client.post(body, to: url, deadline: batch.deadline) {
                let reason = redact(failure.reason)
                outcomes.report(outgoing.key, .failed(reason))
                // The run's bound cut this request off: the rest were never started.
                if batch.isPastDeadline { return outcomes.failUnreported(batch, RunBound.reachedReason) }
                // The endpoint is down or refusing: the rest wait for the next run.
                return outcomes.failUnreported(batch, "not sent: an earlier request of this run failed (\(reason))")
            }
            outcomes.report(outgoing.key, .sent)
        }
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

    /// The request body for `deliveries`, whose message (the digest, or the one delivery's) is
    /// `title` and `text`.
    func payload(_ batch: NotifierBatch, deliveries: [OutgoingDelivery], title: String, text: String, digest: Bool) -> String {
        switch configuration.format {
        case .generic:
            let items = deliveries.map { outgoing -> String in
                let delivery = outgoing.delivery
                return JSONText.object([
                    ("key", JSONText.quote(delivery.key)),
                    ("event", JSONText.quote(delivery.occurrence.event.id)),
                    ("occurrence", JSONText.quote(delivery.occurrence.date.iso)),
                    ("step", JSONText.quote(delivery.step.id)),
                    ("title", JSONText.quote(outgoing.message.title)),
                    ("body", JSONText.quote(outgoing.message.body)),
                    ("due", JSONText.quote(delivery.step.due.iso)),
                    ("late", delivery.late ? "true" : "false"),
                ])
            }
            return JSONText.object([
                ("date", JSONText.quote(batch.runDate.iso)),
                ("notifier", JSONText.quote(batch.notifier)),
                ("language", JSONText.quote(batch.language.rawValue)),
                ("title", JSONText.quote(title)),
                ("text", JSONText.quote(text)),
                ("deliveries", "[" + items.joined(separator: ",") + "]"),
            ])
        case .slack, .mattermost:
            return JSONText.object([("text", JSONText.quote(Self.chatText(title: title, body: text, digest: digest)))])
        case .telegram:
            let chat = configuration.chatID ?? ""
            let chatJSON = Int64(chat) != nil ? chat : JSONText.quote(chat)
            return JSONText.object([
                ("chat_id", chatJSON),
                ("text", JSONText.quote(Self.chatText(title: title, body: text, digest: digest))),
            ])
        case .teams:
            return Self.adaptiveCard(title: title, body: text)
        }
    }

    /// A chat message: a digest's body already starts with its title; a single message gets its
    /// title as the first line.
    static func chatText(title: String, body: String, digest: Bool) -> String {
        digest || title.isEmpty ? body : title + "\n\n" + body
    }

    /// An Adaptive Card in the envelope Teams Workflows webhooks accept: the title in bold, then
    /// one text block per paragraph (Teams collapses single line breaks inside a block).
    static func adaptiveCard(title: String, body: String) -> String {
        var blocks = [JSONText.object([
            ("type", JSONText.quote("TextBlock")), ("text", JSONText.quote(title)), ("weight", JSONText.quote("Bolder")),
            ("size", JSONText.quote("Medium")), ("wrap", "true"),
        ])]
        // A digest's body opens with `# title`, already shown.
        for line in body.split(separator: "\n", omittingEmptySubsequences: true) where line != "# " + title && line != title {
            blocks.append(JSONText.object([
                ("type", JSONText.quote("TextBlock")), ("text", JSONText.quote(String(line))), ("wrap", "true"),
                ("spacing", JSONText.quote("Small")),
            ]))
        }
        let card = JSONText.object([
            ("$schema", JSONText.quote("http://adaptivecards.io/schemas/adaptive-card.json")),
            ("type", JSONText.quote("AdaptiveCard")),
            ("version", JSONText.quote("1.4")),
            ("body", "[" + blocks.joined(separator: ",") + "]"),
        ])
        return JSONText.object([
            ("type", JSONText.quote("message")),
            ("summary", JSONText.quote(title)),
            ("attachments", "[" + JSONText.object([
                ("contentType", JSONText.quote("application/vnd.microsoft.card.adaptive")),
                ("contentUrl", "null"),
                ("content", card),
            ]) + "]"),
        ])
    }
}
