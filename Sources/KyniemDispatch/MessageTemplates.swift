import Foundation
import KyniemConfig
import KyniemCore
import KyniemFiles
import Mustache

/// The Mustache templates a notifier renders its messages with: the shipped defaults for its
/// language, or the files its settings name (`title_template:`, `template:`, `digest_template:`,
/// relative to the configuration file's folder; read from the settings by KyniemNotifiers).
///
/// Messages are plain text: templates render without HTML escaping (a template can still ask
/// for it with `{{% CONTENT_TYPE: HTML}}`). See `MessageContext` for the values they see.
public struct MessageTemplates: Sendable {
    public let title: MustacheTemplate
    public let body: MustacheTemplate
    public let digest: MustacheTemplate
    /// The settings name at least one template: the person chose the words (see
    /// `NotifierBatch.templated`).
    public var isCustom = false

    /// The settings that name template files.
    public static let settingKeys = ["title_template", "template", "digest_template"]

    public init(title: MustacheTemplate, body: MustacheTemplate, digest: MustacheTemplate) {
        self.title = title
        self.body = body
        self.digest = digest
    }

    /// The shipped templates for `language`.
    public static func standard(_ language: Language) -> MessageTemplates {
        switch language {
        case .vi: vietnamese
        case .en: english
        }
    }

    private static let vietnamese = MessageTemplates(
        title: shipped(DefaultTemplates.viTitle), body: shipped(DefaultTemplates.viBody),
        digest: shipped(DefaultTemplates.viDigest))
    private static let english = MessageTemplates(
        title: shipped(DefaultTemplates.enTitle), body: shipped(DefaultTemplates.enBody),
        digest: shipped(DefaultTemplates.enDigest))

    private static func shipped(_ text: String) -> MustacheTemplate {
        do {
            return try MustacheTemplate(string: plainText + text)
        } catch {
            preconditionFailure("shipped template does not parse: \(error)")
        }
    }

    /// Templates render as plain text unless they say otherwise.
    static let plainText = "{{% CONTENT_TYPE: TEXT}}"

    /// A template file a notifier's settings name: the setting (`template`), the path as written
    /// and where it stood. The settings are read, typed and with their marks, by the notifier
    /// types (`NotifierSettings` in KyniemNotifiers), not here.
    public struct File: Sendable, Hashable {
        public let setting: String
        public let path: String
        public let location: SourceLocation

        public init(setting: String, path: String, location: SourceLocation) {
            self.setting = setting
            self.path = path
            self.location = location
        }
    }

    /// The defaults for `language`, each replaced by the file that names it (`files`, relative to
    /// `configDirectory`). Every unreadable or malformed file is reported.
    public static func load(
        _ files: [File], language: Language, configDirectory: String?
    ) -> Result<MessageTemplates, ConfigurationErrors> {
        let standard = standard(language)
        var problems: [ConfigurationProblem] = []
        func template(_ setting: String, _ fallback: MustacheTemplate) -> MustacheTemplate {
            guard let file = files.first(where: { $0.setting == setting }) else { return fallback }
            let location = file.location
            let resolved = PathText.resolve(file.path, against: configDirectory)
            let text: String
            switch TextFile.read(atPath: resolved, limit: 1 << 20) {
            case .success(let read): text = read
            case .failure(let failure):
                problems.append(ConfigurationProblem(location, "\(setting): cannot read \(resolved): \(failure)"))
                return fallback
            }
            do {
                return try MustacheTemplate(string: plainText + text)
            } catch let error as MustacheTemplate.ParserError {
                // The prefix adds no line, only columns on line 1.
                let column = error.context.columnNumber - (error.context.lineNumber == 1 ? plainText.count : 0)
                problems.append(ConfigurationProblem(
                    SourceLocation(file: resolved, line: error.context.lineNumber, column: max(1, column)),
                    "not a valid Mustache template (\(error.error)), named by \(setting): at \(location)"))
            } catch {
                problems.append(ConfigurationProblem(location, "\(setting): \(resolved) is not a valid Mustache template: \(error)"))
            }
            return fallback
        }
        var loaded = MessageTemplates(
            title: template("title_template", standard.title), body: template("template", standard.body),
            digest: template("digest_template", standard.digest))
        loaded.isCustom = files.contains { settingKeys.contains($0.setting) }
        return problems.isEmpty ? .success(loaded) : .failure(ConfigurationErrors(problems))
    }

    /// The names the templates `files` of notifier `notifier` use that their values do not hold
    /// (`{{titel}}`), each at its place in the template file, naming the known ones. Part of
    /// `NotifierRegistry.validate`, which `check` and `run` both apply; `load` itself still
    /// renders such a template (the name as nothing). Files that cannot be read or parsed are
    /// `load`'s to report.
    public static func variableProblems(_ files: [File], notifier: String, configDirectory: String?) -> [ConfigurationProblem] {
        var problems: [ConfigurationProblem] = []
        for setting in settingKeys {
            guard let file = files.first(where: { $0.setting == setting }) else { continue }
            let resolved = PathText.resolve(file.path, against: configDirectory)
            guard case .success(let text) = TextFile.read(atPath: resolved, limit: 1 << 20),
                  (try? MustacheTemplate(string: plainText + text)) != nil else { continue }
            let values: TemplateValue = setting == "digest_template" ? .digest : .delivery
            for unknown in TemplateVariables.unknown(in: text, values: values) {
                problems.append(ConfigurationProblem(
                    SourceLocation(file: resolved, line: unknown.line, column: unknown.column),
                    "unknown template variable `\(unknown.name)` (\(setting): of notifier `\(notifier)`); "
                        + "known here: \(unknown.known.joined(separator: ", "))"))
            }
        }
        return problems
    }

    /// A delivery's title and body.
    public func message(_ context: [String: Any]) -> Message {
        Message(title: Self.tidy(title.render(context), singleLine: true), body: Self.tidy(body.render(context)))
    }

    /// The digest of a batch: its title is `digest_title`, its body the digest template.
    public func digest(_ context: [String: Any]) -> Message {
        Message(title: context["digest_title"] as? String ?? "", body: Self.tidy(digest.render(context)))
    }

    /// Trailing spaces and blank lines at the ends go; a title is one line. Lines end at LF, CR
    /// LF and a lone CR alike (`ControlCharacters.lines`), and other control characters become
    /// spaces: an event title is data, and must not start a line (a Markdown heading, a mail
    /// header) of its own.
    static func tidy(_ text: String, singleLine: Bool = false) -> String {
        var lines = ControlCharacters.lines(text).map {
            String($0.reversed().drop(while: { $0 == " " || $0 == "\t" || $0 == "\r" }).reversed())
        }
        while lines.first?.isEmpty == true { lines.removeFirst() }
        while lines.last?.isEmpty == true { lines.removeLast() }
        if singleLine { return lines.filter { !$0.isEmpty }.joined(separator: " ") }
        return lines.joined(separator: "\n")
    }
}

/// The shipped templates. Mustache removes a line that holds only a section tag, so the
/// sections below add no blank lines of their own.
enum DefaultTemplates {
    static let viTitle = """
        {{#late}}[Trễ] {{/late}}{{#reminder}}{{headline}}: {{/reminder}}{{#task}}Việc cần làm: {{title}} — {{/task}}{{title}}
        """

    static let viBody = """
        {{#country}}
        Quốc gia: {{flag}} {{name}}
        {{/country}}
        Ngày: {{weekday}}, {{date}}{{#lunar}} (tức ngày {{lunar}}){{/lunar}}
        {{#ordinal}}
        Kỷ niệm lần {{ordinal_text}} ({{tier_label}})
        {{/ordinal}}
        {{#reminder}}
        Nhắc lịch: {{text}}{{#late}} — gửi trễ, lẽ ra nhắc ngày {{due}}{{/late}}
        {{/reminder}}
        {{#task}}
        Việc cần làm: {{title}}
        Hạn hoàn thành: {{due_weekday}}, {{due}}{{#late}} — đã trễ hạn{{/late}}
        {{/task}}
        {{#next}}
        Tiếp theo: {{text}}
        {{/next}}
        """

    /// Used when a notifier names `template:` or `title_template:` but no `digest_template:`:
    /// each message's title and lines, under the digest's title. Plain text, no Markdown
    /// headings (chat services such as Slack show `#` literally).
    static let viDigest = """
        {{digest_title}}

        {{#deliveries}}
        • {{message_title}}
        {{#message_lines}}
          {{.}}
        {{/message_lines}}

        {{/deliveries}}
        """

    static let enTitle = """
        {{#late}}[Late] {{/late}}{{#reminder}}{{headline}}: {{/reminder}}{{#task}}Task: {{title}} — {{/task}}{{title}}
        """

    static let enBody = """
        {{#country}}
        Country: {{flag}} {{name}}
        {{/country}}
        Date: {{weekday}}, {{date}}{{#lunar}} ({{lunar}}){{/lunar}}
        {{#ordinal}}
        Anniversary: {{ordinal_text}} ({{tier_label}})
        {{/ordinal}}
        {{#reminder}}
        Reminder: {{text}}{{#late}} — sent late, it was due on {{due}}{{/late}}
        {{/reminder}}
        {{#task}}
        Task: {{title}}
        Due: {{due_weekday}}, {{due}}{{#late}} — overdue{{/late}}
        {{/task}}
        {{#next}}
        Next: {{text}}
        {{/next}}
        """

    static let enDigest = viDigest
}
