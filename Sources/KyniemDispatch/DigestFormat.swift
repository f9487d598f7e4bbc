import KyniemCore

/// A `Digest` written in each channel's own form. Every function escapes what the channel
/// would read as markup: titles are data, and "Việt Nam – Hoa Kỳ <AT&T>" must arrive as written.
public enum DigestFormat {
    // MARK: Plain text (console, cron mail, the generic webhook's `text`, the e-mail's text part)

    /// ```
    /// Kỷ niệm: 2 sự kiện (1 hôm nay, 1 trong tuần này) – 14/9/2023
    ///
    /// HÔM NAY (1)
    /// • 🇯🇵 Kỷ niệm 50 năm … — Thứ Năm, 21/9/2023 (còn 7 ngày) · Trọng điểm · nhắc trước 7 ngày
    /// ```
    public static func plainText(_ digest: Digest) -> String {
        lines(digest, markup: Markup(title: { $0 }, heading: { $0.uppercased() }, bullet: "• ", strong: { $0 }, escape: { $0 }))
    }

    /// One item on one line, unescaped.
    package static func line(_ item: Digest.Item) -> String {
        line(item, bullet: "", strong: { $0 }, escape: { $0 })
    }

    /// How a text channel marks up the one layout every text digest shares: the title, then each
    /// section's heading and its items one per line. `escape` is applied to every piece of data
    /// before `title`, `heading` or `strong` wrap it.
    struct Markup {
        let title: (String) -> String
        let heading: (String) -> String
        let bullet: String
        let strong: (String) -> String
        let escape: (String) -> String
    }

    static func lines(_ digest: Digest, markup: Markup) -> String {
        var lines = [markup.title(markup.escape(digest.title))]
        for section in digest.sections {
            lines.append("")
            lines.append(markup.heading(markup.escape(section.heading(digest.language))))
            for item in section.items {
                lines.append(line(item, bullet: markup.bullet, strong: markup.strong, escape: markup.escape))
            }
        }
        return lines.joined(separator: "\n")
    }

    /// `• 🇯🇵 Nhật Bản · *title* — when · tier · steps`, the title wrapped by `strong`.
    package static func line(
        _ item: Digest.Item, bullet: String, strong: (String) -> String, escape: (String) -> String
    ) -> String {
        var text = bullet + (item.country.map { escape($0) + " · " } ?? "")
        text += strong(escape(item.title)) + " — " + escape(item.when) + " · " + escape(item.tier)
        if !item.steps.isEmpty { text += " · " + escape(item.stepsText) }
        return text
    }

    // MARK: Markdown (Mattermost, the file notifier's record, plugins' `digest.body`)

    public static func markdown(_ digest: Digest) -> String {
        let bold = { (text: String) in "**" + text + "**" }
        return lines(digest, markup: Markup(title: { "#### " + $0 }, heading: bold, bullet: "- ", strong: bold, escape: markdownEscaped))
    }

    /// Markdown's punctuation in data becomes literal (CommonMark §2.4 backslash escapes).
    package static func markdownEscaped(_ text: String) -> String {
        var out = ""
        for character in text {
            if "\\`*_{}[]<>#|~".contains(character) { out.append("\\") }
            out.append(character)
        }
        return out
    }

    // MARK: Slack mrkdwn

    /// Slack's mrkdwn has no headings: the title and section heads are bold lines. `&`, `<`, `>`
    /// are escaped as Slack's formatting reference asks. `*`, `_`, `~` and a backtick in data would
    /// start bold, italic, strike or code, and mrkdwn has no escape for them: a zero-width space
    /// after each stops the formatting without changing what people read.
    public static func slack(_ digest: Digest) -> String {
        let bold = { (text: String) in "*" + text + "*" }
        return lines(digest, markup: Markup(title: bold, heading: bold, bullet: "• ", strong: bold, escape: slackEscaped))
    }

    package static func slackEscaped(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "*", "_", "~", "`": out.append(character); out.append("\u{200B}")
            default: out.append(character)
            }
        }
        return out
    }

    // MARK: Telegram HTML parse mode

    /// Telegram's HTML style: `<b>`, and `&`, `<`, `>` as entities (the only ones it needs).
    public static func telegram(_ digest: Digest) -> String {
        let bold = { (text: String) in "<b>" + text + "</b>" }
        return lines(digest, markup: Markup(title: bold, heading: bold, bullet: "• ", strong: bold, escape: htmlEscaped))
    }

    /// Safe in HTML text and in quoted attributes (Telegram's HTML style takes numeric entities).
    public static func htmlEscaped(_ text: String) -> String { HTMLText.escaped(text) }

    // MARK: Adaptive Cards (Teams)

    /// An Adaptive Card message in the envelope Teams Workflows webhooks accept: the title as a
    /// large bold TextBlock, each section's heading bold, each item one TextBlock (title in bold,
    /// then its date and steps). TextBlocks render a subset of Markdown with no headings, so
    /// nothing starts with `#`; `*` and `_` in data are backslash-escaped.
    public static func adaptiveCard(_ digest: Digest) -> String {
        var blocks = [textBlock(digest.title, weight: "Bolder", size: "Medium")]
        for section in digest.sections {
            blocks.append(textBlock(section.heading(digest.language), weight: "Bolder", spacing: "Medium"))
            for item in section.items {
                var text = "**" + cardEscaped(item.title) + "**  \n"
                text += (item.country.map { cardEscaped($0) + " · " } ?? "") + cardEscaped(item.when) + " · " + cardEscaped(item.tier)
                if !item.steps.isEmpty { text += "  \n" + cardEscaped(item.stepsText) }
                blocks.append(textBlock(text, spacing: "Small"))
            }
        }
        return cardMessage(summary: digest.title, blocks: blocks)
    }

    /// A card for plain lines (a user's template, one delivery's message): the title, then one
    /// block per line.
    package static func adaptiveCard(title: String, lines: [String]) -> String {
        var blocks = [textBlock(title, weight: "Bolder", size: "Medium")]
        for line in lines where !line.isEmpty {
            blocks.append(textBlock(cardEscaped(line), spacing: "Small"))
        }
        return cardMessage(summary: title, blocks: blocks)
    }

    package static func textBlock(_ text: String, weight: String? = nil, size: String? = nil, spacing: String? = nil) -> String {
        var fields: [(String, String)] = [("type", JSONText.quote("TextBlock")), ("text", JSONText.quote(text)), ("wrap", "true")]
        if let weight { fields.append(("weight", JSONText.quote(weight))) }
        if let size { fields.append(("size", JSONText.quote(size))) }
        if let spacing { fields.append(("spacing", JSONText.quote(spacing))) }
        return JSONText.object(fields)
    }

    package static func cardMessage(summary: String, blocks: [String]) -> String {
        let card = JSONText.object([
            ("$schema", JSONText.quote("http://adaptivecards.io/schemas/adaptive-card.json")),
            ("type", JSONText.quote("AdaptiveCard")),
            ("version", JSONText.quote("1.4")),
            ("body", "[" + blocks.joined(separator: ",") + "]"),
        ])
        return JSONText.object([
            ("type", JSONText.quote("message")),
            ("summary", JSONText.quote(summary)),
            ("attachments", "[" + JSONText.object([
                ("contentType", JSONText.quote("application/vnd.microsoft.card.adaptive")),
                ("contentUrl", "null"),
                ("content", card),
            ]) + "]"),
        ])
    }

    /// Markdown markers a TextBlock would act on, escaped; a `#`, `-` or digit-dot at the start
    /// of a line would not make a heading (cards have none) but a list, so data never starts one.
    package static func cardEscaped(_ text: String) -> String {
        var out = ""
        for character in text {
            if "\\*_[]`".contains(character) { out.append("\\") }
            out.append(character)
        }
        if let first = out.first, first == "-" || first == "#" || first == "+" { out = "\\" + out }
        return out
    }

    // MARK: HTML e-mail

    /// An HTML document for the e-mail's text/html part. Inline CSS only (Gmail and Outlook drop
    /// `<style>` blocks in some views), tables for layout (Outlook's Word engine ignores
    /// flexbox), system fonts, and nothing that needs images or scripts.
    public static func html(_ digest: Digest) -> String {
        let language = digest.language
        var out = "<!DOCTYPE html>\n<html lang=\"\(language.rawValue)\">\n<head>\n<meta charset=\"utf-8\">\n"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        out += "<title>\(htmlEscaped(digest.title))</title>\n</head>\n"
        out += "<body style=\"margin:0;padding:0;background:#f4f5f7;\">\n"
        out += "<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" style=\"background:#f4f5f7;\">"
        out += "<tr><td align=\"center\" style=\"padding:16px;\">\n"
        out += "<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" "
        out += "style=\"max-width:720px;background:#ffffff;border:1px solid #d9dce1;border-radius:6px;"
        out += "font-family:Arial,Helvetica,sans-serif;font-size:14px;line-height:1.45;color:#1f2328;\">\n"
        out += "<tr><td style=\"padding:18px 20px 8px 20px;border-bottom:3px solid #b71c1c;\">"
        out += "<h1 style=\"margin:0;font-size:20px;line-height:1.3;color:#b71c1c;\">\(htmlEscaped(digest.title))</h1>"
        out += "</td></tr>\n"
        for section in digest.sections {
            out += "<tr><td style=\"padding:16px 20px 4px 20px;\">"
            out += "<h2 style=\"margin:0 0 8px 0;font-size:16px;color:\(sectionColor(section.urgency));\">"
            out += htmlEscaped(section.heading(language)) + "</h2>\n"
            out += "<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" style=\"border-collapse:collapse;\">\n"
            for item in section.items {
                out += "<tr>"
                out += "<td valign=\"top\" style=\"padding:8px 10px 8px 0;border-top:1px solid #eceef1;width:150px;color:#57606a;\">"
                out += htmlEscaped(item.date) + "<br><span style=\"font-size:12px;\">" + htmlEscaped(item.countdown)
                if let lunar = item.lunar { out += " · " + htmlEscaped(lunar) }
                out += "</span></td>"
                out += "<td valign=\"top\" style=\"padding:8px 0;border-top:1px solid #eceef1;\">"
                out += "<strong>" + htmlEscaped(item.title) + "</strong>"
                out += "<br><span style=\"font-size:12px;color:#57606a;\">"
                // The country by name only: flag emoji show as two letters in Outlook on Windows,
                // and as empty boxes where no emoji font is installed.
                out += (item.occurrence.countryName(language).map { htmlEscaped($0) + " · " } ?? "")
                out += "<span style=\"\(tierStyle(item.occurrence.tier))\">" + htmlEscaped(item.tier) + "</span></span>"
                for step in item.steps {
                    let color = step.late ? "#b71c1c" : "#1f2328"
                    out += "<br><span style=\"color:\(color);\">" + htmlEscaped(step.text) + "</span>"
                }
                out += "</td></tr>\n"
            }
            out += "</table></td></tr>\n"
        }
        out += "<tr><td style=\"padding:12px 20px 16px 20px;font-size:12px;color:#8c959f;\">kyniem</td></tr>\n"
        out += "</table>\n</td></tr></table>\n</body>\n</html>\n"
        return out
    }

    static func sectionColor(_ urgency: Digest.Urgency) -> String {
        switch urgency {
        case .today: "#b71c1c"
        case .thisWeek: "#9a6700"
        case .later: "#1f2328"
        case .late: "#6e7781"
        }
    }

    static func tierStyle(_ tier: Tier) -> String {
        switch tier {
        case .major: "background:#b71c1c;color:#ffffff;padding:0 5px;border-radius:3px;"
        case .notable: "background:#fff1c2;color:#6b4f00;padding:0 5px;border-radius:3px;"
        default: "color:#57606a;"
        }
    }

    /// Plain lines (a user's template) as an HTML part: each line a paragraph, escaped.
    public static func html(title: String, text: String, language: Language) -> String {
        var out = "<!DOCTYPE html>\n<html lang=\"\(language.rawValue)\">\n<head>\n<meta charset=\"utf-8\">\n"
        out += "<title>\(htmlEscaped(title))</title>\n</head>\n"
        out += "<body style=\"font-family:Arial,Helvetica,sans-serif;font-size:14px;line-height:1.45;color:#1f2328;\">\n"
        out += "<div style=\"white-space:pre-wrap;\">" + htmlEscaped(text) + "</div>\n</body>\n</html>\n"
        return out
    }
}
