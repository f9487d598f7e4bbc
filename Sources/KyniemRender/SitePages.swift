import KyniemCore

/// Where a page stands in the published site and what it links to. Every link is relative to the
/// page (`root` leads back to the site's top folder), so the site works from any path on any server.
public struct SiteLinks: Sendable {
    /// From the page to the site's top folder: `""` at the top, `"../"` in `vi/`, `"../../"` in `vi/events/`.
    public var root: String
    /// The page's own path from the top folder (`vi/2027.html`), for the other language's link.
    public var path: String
    /// The languages published, each in its folder (`vi/`, `en/`).
    public var languages: [Language]
    /// The years with a calendar page, oldest first.
    public var years: [Int]

    public init(root: String, path: String, languages: [Language], years: [Int]) {
        self.root = root
        self.path = path
        self.languages = languages
        self.years = years
    }

    /// The same page in `language`'s folder, e.g. `../en/2027.html` from `vi/2027.html`.
    func counterpart(_ language: Language, of current: Language) -> String {
        let prefix = "\(current.rawValue)/"
        let rest = path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : "index.html"
        return "\(root)\(language.rawValue)/\(rest)"
    }
}

/// One subscription feed as the index page lists it.
public struct SiteFeed: Sendable {
    /// What the feed holds, in the page's language: "Trọng điểm", "Việc cần làm".
    public var label: String
    /// From the site's top folder: `feeds/kyniem-vi-major.ics`.
    public var path: String

    public init(label: String, path: String) {
        self.label = label
        self.path = path
    }
}

/// What the index page shows: the coming days, milestones first, and how to subscribe.
public struct SiteIndex: Sendable {
    public var language: Language
    public var name: String
    public var from: LocalDate
    public var through: LocalDate
    /// Occurrences whose tier comes from a milestone rule (round anniversaries), then the others.
    public var milestones: [CalendarEntry]
    public var others: [CalendarEntry]
    public var feeds: [SiteFeed]
    /// `https://lich.example.gov.vn/kyniem`, without a trailing slash; nil: relative links only.
    public var baseURL: String?
    /// Event ids that have a page (`events/ID.html`).
    public var eventPages: Set<String>

    public init(
        language: Language, name: String, from: LocalDate, through: LocalDate, milestones: [CalendarEntry],
        others: [CalendarEntry], feeds: [SiteFeed], baseURL: String?, eventPages: Set<String>
    ) {
        self.language = language
        self.name = name
        self.from = from
        self.through = through
        self.milestones = milestones
        self.others = others
        self.feeds = feeds
        self.baseURL = baseURL
        self.eventPages = eventPages
    }
}

/// The pages of the published site (`kyniem publish`): the index, a page per event, and the
/// year's HTML calendar with the site's navigation. Accessible (landmarks, a skip link, `lang`,
/// headings in order, contrast of at least 4.5:1), readable on a phone, printable, and with no
/// script, font or image fetched from anywhere.
public enum SitePage {
    /// The site's one stylesheet, `site.css` at the top folder.
    public static let stylesheetPath = "site.css"

    public static func index(_ page: SiteIndex, links: SiteLinks) -> String {
        let language = page.language
        var out = ""
        out.reserveCapacity(32_000 + (page.milestones.count + page.others.count) * 900)
        open(title: page.name, language: language, links: links, into: &out)
        out += "<h1>"
        HTMLRenderer.appendEscaped(page.name, to: &out)
        out += "</h1>\n<p class=\"lede\">"
        out += SiteWords.window(from: page.from, through: page.through, language: language)
        out += "</p>\n"

        out += "<section aria-labelledby=\"milestones\">\n<h2 id=\"milestones\">"
        out += SiteWords.milestones(language)
        out += "</h2>\n"
        entries(page.milestones, page: page, links: links, into: &out)
        out += "</section>\n<section aria-labelledby=\"others\">\n<h2 id=\"others\">"
        out += SiteWords.others(language)
        out += "</h2>\n"
        entries(page.others, page: page, links: links, into: &out)
        out += "</section>\n"

        out += "<section aria-labelledby=\"years\">\n<h2 id=\"years\">"
        out += SiteWords.yearPages(language)
        out += "</h2>\n<ul class=\"years\">"
        for year in links.years {
            out += "<li><a href=\"\(year).html\">"
            out += CalendarDocument.defaultName(year: year, language: language)
            out += "</a></li>"
        }
        out += "</ul>\n</section>\n"
        subscribe(page, links: links, into: &out)
        close(language: language, into: &out)
        return out
    }

    /// What `kyniem explain` says about an event, as a page.
    public static func event(_ explanation: Explanation, planner: Planner, language: Language, links: SiteLinks) -> String {
        let event = explanation.event
        let title = explanation.chosen?.title(language) ?? event.title.resolved(language)
        var out = ""
        out.reserveCapacity(6_000)
        open(title: title, language: language, links: links, into: &out)
        out += "<h1>"
        HTMLRenderer.appendEscaped(title, to: &out)
        out += "</h1>\n<dl class=\"facts\">\n"
        fact(Vocabulary.phrase(.event, language), HTMLRenderer.escaped(event.id), into: &out)
        fact(Vocabulary.phrase(.kind, language), Vocabulary.kind(event.kind, language), into: &out)
        if let code = event.country {
            var value = ""
            if let country = planner.catalog.countries[code] {
                value += "<span class=\"flag\" aria-hidden=\"true\">\(country.flag)</span> "
                HTMLRenderer.appendEscaped(country.name.resolved(language), to: &value)
                value += " (\(HTMLRenderer.escaped(code)))"
            } else {
                HTMLRenderer.appendEscaped(code, to: &value)
            }
            fact(Vocabulary.phrase(.country, language), value, into: &out)
        }
        if event.dayOff { fact(Vocabulary.phrase(.dayOff, language), SiteWords.yes(language), into: &out) }
        fact(Vocabulary.phrase(.rule, language), HTMLRenderer.escaped(Explanation.rule(event.recurrence, language: language)), into: &out)
        if let note = event.note, !note.isEmpty { fact(Vocabulary.phrase(.notes, language), HTMLRenderer.escaped(note), into: &out) }
        if let source = event.source, !source.isEmpty {
            let isLink = (source.hasPrefix("https://") || source.hasPrefix("http://"))
                && !source.contains(where: { $0 == " " || $0.isNewline })
            fact(
                Vocabulary.phrase(.sources, language),
                isLink ? "<a href=\"\(HTMLRenderer.escaped(source))\">\(HTMLRenderer.escaped(source))</a>" : HTMLRenderer.escaped(source),
                into: &out)
        }
        out += "</dl>\n"

        if let occurrence = explanation.chosen {
            out += "<section aria-labelledby=\"next\">\n<h2 id=\"next\">"
            out += Vocabulary.long(occurrence.date, language)
            out += " · "
            out += Vocabulary.weekday(occurrence.date.weekday, language)
            out += "</h2>\n<p>"
            if let ordinal = occurrence.ordinal {
                out += Vocabulary.anniversary(ordinal, language)
                out += " · "
            }
            badge(occurrence.tier, language, into: &out)
            if let rule = explanation.milestoneRule {
                out += " <span class=\"muted\">("
                HTMLRenderer.appendEscaped(Explanation.milestone(rule, language: language), to: &out)
                out += ")</span>"
            }
            if let lunar = occurrence.lunar {
                out += " · "
                out += Vocabulary.lunar(lunar, language)
            }
            out += "</p>\n<h3>"
            out += Vocabulary.phrase(.reminders, language)
            out += "</h3>\n"
            if explanation.reminders.isEmpty {
                out += "<p class=\"muted\">\(Vocabulary.phrase(.none, language))</p>\n"
            } else {
                out += "<ul class=\"steps\">"
                for step in explanation.reminders {
                    guard case .reminder(let days) = step.kind else { continue }
                    out += "<li>"
                    time(step.due, language, into: &out)
                    out += " — "
                    out += Vocabulary.lead(daysBefore: days, language)
                    out += "</li>"
                }
                out += "</ul>\n"
            }
            out += "<h3>"
            out += Vocabulary.phrase(.checklist, language)
            out += "</h3>\n"
            if explanation.tasks.isEmpty {
                out += "<p class=\"muted\">\(SiteWords.noChecklist(language))</p>\n"
            } else {
                out += "<ul class=\"steps\">"
                for task in explanation.tasks {
                    out += "<li>"
                    time(task.due, language, into: &out)
                    out += " — "
                    HTMLRenderer.appendEscaped(task.task.title.resolved(language), to: &out)
                    if task.due != task.nominal {
                        out += " <span class=\"muted\">("
                        // The reason `explain` gives: "27/4 là ngày nghỉ bù Giỗ Tổ Hùng Vương …".
                        out += Vocabulary.phrase(.moved, language) + " " + Vocabulary.long(task.nominal, language) + ": "
                        HTMLRenderer.appendEscaped(
                            Explanation.dayOffReason(
                                task.nominal, workdays: explanation.workdays, catalog: planner.catalog, language: language),
                            to: &out)
                        out += ")</span>"
                    }
                    out += "</li>"
                }
                out += "</ul>\n"
            }
            out += "</section>\n"
        }
        if !explanation.upcoming.isEmpty {
            out += "<section aria-labelledby=\"upcoming\">\n<h2 id=\"upcoming\">"
            out += Vocabulary.phrase(.nextOccurrences, language)
            out += "</h2>\n<table class=\"occ\">\n<thead><tr><th scope=\"col\">"
            out += Vocabulary.phrase(.date, language)
            out += "</th><th scope=\"col\">"
            out += Vocabulary.phrase(.anniversary, language)
            out += "</th><th scope=\"col\">"
            out += Vocabulary.phrase(.tier, language)
            out += "</th></tr></thead>\n<tbody>\n"
            for occurrence in explanation.upcoming {
                out += "<tr><td>"
                time(occurrence.date, language, into: &out)
                out += " <span class=\"muted\">"
                out += Vocabulary.weekday(occurrence.date.weekday, language)
                if let lunar = occurrence.lunar { out += " · " + Vocabulary.lunar(lunar, language) }
                out += "</span></td><td>"
                if let ordinal = occurrence.ordinal { out += Vocabulary.ordinal(ordinal, language) }
                out += "</td><td>"
                badge(occurrence.tier, language, into: &out)
                out += "</td></tr>\n"
            }
            out += "</tbody>\n</table>\n</section>\n"
        }
        close(language: language, into: &out)
        return out
    }

    /// The year's HTML calendar (`kyniem calendar --format html`) with the site's navigation
    /// above it, so that a reader can go back and switch language.
    public static func year(_ document: CalendarDocument, links: SiteLinks) -> String {
        String(decoding: yearBytes(document, links: links), as: UTF8.self)
    }

    /// `year(_:links:)` as UTF-8 bytes, written as the calendar is rendered: the site's style
    /// before the calendar's `</head>`, its navigation after `<body>`.
    public static func yearBytes(_ document: CalendarDocument, links: SiteLinks) -> [UInt8] {
        var nav = "<nav class=\"kyniem-site\" aria-label=\"\(SiteWords.siteNavigation(document.language))\">"
        navigation(document.language, links: links, into: &nav)
        nav += "</nav>\n"
        let style = """
            <style>
            .kyniem-site { display: flex; flex-wrap: wrap; gap: 1mm 5mm; margin: 0 0 4mm; font-size: 10pt; }
            .kyniem-site a { color: #0b4f9c; }
            @media print { .kyniem-site { display: none; } }
            </style>

            """
        return HTMLRenderer.bytes(document, style: style, nav: nav)
    }

    // MARK: - Parts

    private static func open(title: String, language: Language, links: SiteLinks, into out: inout String) {
        out += "<!DOCTYPE html>\n<html lang=\"\(language.rawValue)\">\n<head>\n<meta charset=\"utf-8\">\n"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        out += "<meta name=\"generator\" content=\"kyniem\">\n<title>"
        HTMLRenderer.appendEscaped(title, to: &out)
        // Appended piece by piece, not interpolated: every event page has this header.
        out += "</title>\n<link rel=\"stylesheet\" href=\""
        out += links.root
        out += stylesheetPath
        out += "\">\n"
        for other in links.languages where other != language {
            out += "<link rel=\"alternate\" hreflang=\""
            out += other.rawValue
            out += "\" href=\""
            out += links.counterpart(other, of: language)
            out += "\">\n"
        }
        out += "</head>\n<body>\n<a class=\"skip\" href=\"#main\">"
        out += SiteWords.skip(language)
        out += "</a>\n<header class=\"site\">\n<p class=\"brand\"><a href=\""
        out += links.root
        out += language.rawValue
        out += "/index.html\">"
        out += SiteWords.siteName(language)
        out += "</a></p>\n<nav aria-label=\""
        out += SiteWords.siteNavigation(language)
        out += "\">"
        navigation(language, links: links, into: &out)
        out += "</nav>\n</header>\n<main id=\"main\">\n"
    }

    private static func navigation(_ language: Language, links: SiteLinks, into out: inout String) {
        // The language's folder from this page (`../../vi/`), made once.
        var folder = links.root
        folder += language.rawValue
        folder += "/"
        out += "<ul><li><a href=\""
        out += folder
        out += "index.html\">"
        out += SiteWords.home(language)
        out += "</a></li>"
        for year in links.years {
            let text = String(year)
            out += "<li><a href=\""
            out += folder
            out += text
            out += ".html\">"
            out += text
            out += "</a></li>"
        }
        out += "<li><a href=\""
        out += folder
        out += "index.html#subscribe\">"
        out += SiteWords.subscribe(language)
        out += "</a></li>"
        for other in links.languages where other != language {
            out += "<li><a href=\""
            out += links.counterpart(other, of: language)
            out += "\" hreflang=\""
            out += other.rawValue
            out += "\" lang=\""
            out += other.rawValue
            out += "\">"
            out += SiteWords.languageName(other)
            out += "</a></li>"
        }
        out += "</ul>"
    }

    private static func close(language: Language, into out: inout String) {
        out += "</main>\n<footer class=\"site\"><p>"
        out += SiteWords.footer(language)
        out += "</p></footer>\n</body>\n</html>\n"
    }

    private static func entries(_ entries: [CalendarEntry], page: SiteIndex, links: SiteLinks, into out: inout String) {
        guard !entries.isEmpty else {
            out += "<p class=\"muted\">\(Vocabulary.phrase(.nothing, page.language))</p>\n"
            return
        }
        let language = page.language
        for entry in entries {
            let occurrence = entry.occurrence
            out += "<article class=\"entry \(HTMLRenderer.tierClass(occurrence.tier))\">\n<h3>"
            if page.eventPages.contains(occurrence.event.id) {
                out += "<a href=\"\(links.root)\(language.rawValue)/events/\(occurrence.event.id).html\">"
                HTMLRenderer.appendEscaped(occurrence.title(language), to: &out)
                out += "</a>"
            } else {
                HTMLRenderer.appendEscaped(occurrence.title(language), to: &out)
            }
            out += "</h3>\n<p class=\"meta\">"
            time(occurrence.date, language, into: &out)
            out += " · "
            out += Vocabulary.weekday(occurrence.date.weekday, language)
            if let ordinal = occurrence.ordinal {
                out += " · "
                out += Vocabulary.anniversary(ordinal, language)
            }
            out += " · "
            badge(occurrence.tier, language, into: &out)
            if let name = occurrence.countryName(language) {
                out += " · "
                if let flag = occurrence.country?.flag, !flag.isEmpty {
                    out += "<span class=\"flag\" aria-hidden=\"true\">\(flag)</span> "
                }
                HTMLRenderer.appendEscaped(name, to: &out)
            }
            if let lunar = occurrence.lunar {
                out += " · "
                out += Vocabulary.lunar(lunar, language)
            }
            if occurrence.event.dayOff {
                out += " · <span class=\"off\">\(Vocabulary.phrase(.dayOff, language))</span>"
            }
            out += "</p>\n"
            if !entry.leadDays.isEmpty {
                out += "<p class=\"reminders\"><span class=\"label\">"
                out += Vocabulary.phrase(.reminders, language)
                out += ":</span> "
                for (index, days) in entry.leadDays.enumerated() {
                    if index > 0 { out += ", " }
                    time(occurrence.date.adding(days: -days), language, short: true, into: &out)
                    out += " (\(Vocabulary.lead(daysBefore: days, language)))"
                }
                out += "</p>\n"
            }
            if !entry.tasks.isEmpty {
                out += "<div class=\"checklist\"><span class=\"label\">"
                out += Vocabulary.phrase(.checklist, language)
                out += ":</span><ul>"
                for task in entry.tasks {
                    out += "<li>"
                    time(task.due, language, into: &out)
                    out += " — "
                    HTMLRenderer.appendEscaped(task.task.title.resolved(language), to: &out)
                    out += "</li>"
                }
                out += "</ul></div>\n"
            }
            out += "</article>\n"
        }
    }

    private static func subscribe(_ page: SiteIndex, links: SiteLinks, into out: inout String) {
        let language = page.language
        out += "<section aria-labelledby=\"subscribe\" class=\"subscribe\">\n<h2 id=\"subscribe\">"
        out += SiteWords.subscribe(language)
        out += "</h2>\n<p>"
        out += SiteWords.subscribeIntro(language)
        out += "</p>\n"
        if page.baseURL == nil {
            out += "<p class=\"note\">"
            out += SiteWords.noBaseURL(language)
            out += "</p>\n"
        }
        out += "<table class=\"feeds\">\n<thead><tr><th scope=\"col\">"
        out += SiteWords.feedLabel(language)
        out += "</th><th scope=\"col\">"
        out += SiteWords.linksLabel(language)
        out += "</th></tr></thead>\n<tbody>\n"
        for feed in page.feeds {
            out += "<tr><th scope=\"row\">"
            HTMLRenderer.appendEscaped(feed.label, to: &out)
            out += "</th><td>"
            if let base = page.baseURL {
                let https = "\(base)/\(feed.path)"
                let webcal = "webcal://" + https.drop { $0 != ":" }.dropFirst(3)
                out += "<a href=\"\(HTMLRenderer.escaped(webcal))\">webcal://</a> · "
                out += "<a href=\"\(HTMLRenderer.escaped(https))\">https://</a>"
                out += "<br><code>"
                HTMLRenderer.appendEscaped(https, to: &out)
                out += "</code>"
            } else {
                out += "<a href=\"\(links.root)\(feed.path)\">"
                HTMLRenderer.appendEscaped(feed.path, to: &out)
                out += "</a>"
            }
            out += "</td></tr>\n"
        }
        out += "</tbody>\n</table>\n<ul class=\"howto\">\n"
        for line in SiteWords.howTo(language) {
            out += "<li>\(line)</li>\n"
        }
        out += "</ul>\n</section>\n"
    }

    private static func fact(_ term: String, _ html: String, into out: inout String) {
        out += "<dt>\(term)</dt><dd>\(html)</dd>\n"
    }

    private static func badge(_ tier: Tier, _ language: Language, into out: inout String) {
        out += "<span class=\"badge \(HTMLRenderer.tierClass(tier))\">"
        HTMLRenderer.appendEscaped(Vocabulary.tier(tier, language), to: &out)
        out += "</span>"
    }

    private static func time(_ date: LocalDate, _ language: Language, short: Bool = false, into out: inout String) {
        out += "<time datetime=\"\(date.iso)\">"
        out += short ? Vocabulary.dayMonth(date, language) : Vocabulary.long(date, language)
        out += "</time>"
    }

    /// Phone first (one column, large tap targets), then wider screens; print drops the navigation
    /// and the subscription section. Colours keep 4.5:1 contrast or more.
    public static let stylesheet = """
        * { box-sizing: border-box; }
        html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
        body { margin: 0; color: #1b1b1b; background: #fff;
          font: 16px/1.5 "Noto Sans", "DejaVu Sans", "Segoe UI", Roboto, Arial, sans-serif; }
        a { color: #0b4f9c; }
        a:focus-visible { outline: 3px solid #b35c00; outline-offset: 2px; }
        .skip { position: absolute; left: -999px; top: 0; background: #fff; padding: 8px 12px; z-index: 1; }
        .skip:focus { left: 8px; }
        header.site, main, footer.site { max-width: 60rem; margin: 0 auto; padding: 0 16px; }
        header.site { border-bottom: 2px solid #7d1010; padding-top: 8px; padding-bottom: 8px; }
        .brand { margin: 0 0 4px; font-weight: 700; }
        .brand a { color: #7d1010; text-decoration: none; }
        header.site ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 4px 16px; }
        header.site li a { display: inline-block; padding: 6px 0; }
        h1 { font-size: 1.6rem; line-height: 1.25; margin: 16px 0 4px; }
        h2 { font-size: 1.3rem; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 1px solid #bbb; }
        h3 { font-size: 1.05rem; margin: 0 0 4px; }
        section > h3 { margin-top: 16px; }
        .lede, .muted { color: #4a4a4a; }
        article.entry { padding: 10px 12px; margin: 0 0 10px; border: 1px solid #ccc; border-left-width: 5px;
          border-radius: 4px; break-inside: avoid; }
        article.t-major { border-left-color: #7d1010; }
        article.t-notable { border-left-color: #b3261e; }
        article.t-routine, article.t-other { border-left-color: #777; }
        .meta, .reminders { margin: 2px 0; font-size: 0.95rem; }
        .reminders .label { font-weight: 600; }
        .off { color: #b00000; font-weight: 700; }
        time { font-variant-numeric: tabular-nums; white-space: nowrap; }
        .badge { display: inline-block; padding: 0 6px; border-radius: 3px; font-size: 0.85rem; white-space: nowrap; }
        .badge.t-major { background: #7d1010; color: #fff; font-weight: 700; }
        .badge.t-notable { color: #7d1010; font-weight: 700; border: 1.5px solid #b3261e; }
        .badge.t-routine, .badge.t-other { border: 1px dashed #666; color: #333; }
        .flag { font-family: "Noto Color Emoji", "Apple Color Emoji", "Segoe UI Emoji", sans-serif; }
        .checklist { margin-top: 2px; font-size: 0.95rem; }
        .checklist .label { font-weight: 600; }
        .checklist ul, ul.steps { margin: 2px 0 0; padding-left: 20px; }
        ul.years { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 8px 20px; }
        dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; }
        dl.facts dt { font-weight: 600; }
        dl.facts dd { margin: 0; overflow-wrap: anywhere; }
        table { border-collapse: collapse; width: 100%; }
        th, td { text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid #ddd; }
        table.feeds td { overflow-wrap: anywhere; }
        code { font-size: 0.85rem; color: #333; overflow-wrap: anywhere; }
        .note { background: #fff4d6; border: 1px solid #c59a00; padding: 8px 12px; border-radius: 4px; }
        footer.site { margin-top: 32px; padding-top: 8px; padding-bottom: 24px; border-top: 1px solid #ccc;
          color: #4a4a4a; font-size: 0.9rem; }
        @media (max-width: 40rem) {
          dl.facts { grid-template-columns: 1fr; }
          dl.facts dd { margin-bottom: 6px; }
          h1 { font-size: 1.35rem; }
        }
        @media print {
          body { font-size: 10pt; }
          header.site nav, .skip, .subscribe { display: none; }
          header.site, main, footer.site { max-width: none; padding: 0; }
          a { color: inherit; text-decoration: none; }
          article.entry { border-color: #999; }
          @page { size: A4; margin: 12mm; }
        }

        """
}
