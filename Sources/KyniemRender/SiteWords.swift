import KyniemCore

/// The words of the published site that no other output uses, in each shipped language. The
/// words it shares with the calendars (tiers, kinds, labels) come from `Words`.
enum SiteWords {
    static func siteName(_ language: Language) -> String {
        language == .vi ? "Lịch đối ngoại" : "External affairs calendar"
    }

    /// The index page's title.
    static func indexName(_ language: Language) -> String {
        language == .vi ? "Lịch đối ngoại: sắp tới" : "External affairs: coming up"
    }

    /// A feed's calendar name (X-WR-CALNAME), as a subscriber's calendar list shows it.
    static func feedName(_ language: Language, tier: Tier? = nil, tasks: Bool = false) -> String {
        let base = siteName(language)
        if tasks { return "\(base) – \(Vocabulary.phrase(.checklist, language))" }
        if let tier { return "\(base) – \(Vocabulary.tier(tier, language))" }
        return base
    }

    static func window(from: LocalDate, through: LocalDate, language: Language) -> String {
        switch language {
        case .vi: "Từ \(Vocabulary.long(from, .vi)) đến \(Vocabulary.long(through, .vi)) (90 ngày tới)."
        case .en: "From \(Vocabulary.long(from, .en)) to \(Vocabulary.long(through, .en)) (the next 90 days)."
        }
    }

    static func milestones(_ language: Language) -> String {
        language == .vi ? "Các mốc kỷ niệm tròn, chẵn" : "Milestones"
    }

    static func others(_ language: Language) -> String {
        language == .vi ? "Các sự kiện khác" : "Everything else"
    }

    static func yearPages(_ language: Language) -> String {
        language == .vi ? "Lịch cả năm" : "Whole-year calendars"
    }

    static func subscribe(_ language: Language) -> String {
        language == .vi ? "Theo dõi lịch" : "Subscribe"
    }

    static func subscribeIntro(_ language: Language) -> String {
        switch language {
        case .vi:
            "Thêm lịch vào ứng dụng lịch của bạn bằng đường dẫn dưới đây; ứng dụng tự cập nhật khi có thay đổi. "
                + "Lịch gồm các sự kiện từ một năm trước đến hai năm tới, có nhắc việc theo mức."
        case .en:
            "Add a calendar to your calendar app with a link below; the app keeps it up to date. "
                + "Each covers a year back and two years ahead, with reminders by tier."
        }
    }

    static func noBaseURL(_ language: Language) -> String {
        switch language {
        case .vi:
            "Chưa cấu hình địa chỉ của trang (<code>publish: {base_url: …}</code> hoặc <code>--base-url</code>), "
                + "nên các đường dẫn dưới đây là tương đối: hãy sao chép địa chỉ đầy đủ từ trình duyệt."
        case .en:
            "The site's address is not configured (<code>publish: {base_url: …}</code> or <code>--base-url</code>), "
                + "so the links below are relative: copy the full address from your browser."
        }
    }

    static func feedLabel(_ language: Language) -> String { language == .vi ? "Lịch" : "Calendar" }
    static func linksLabel(_ language: Language) -> String { language == .vi ? "Đường dẫn" : "Link" }

    /// The feed list's row names.
    static func allEvents(_ language: Language) -> String { language == .vi ? "Tất cả sự kiện" : "All events" }
    static func tierOnly(_ tier: Tier, _ language: Language) -> String {
        language == .vi ? "Chỉ mức \(Vocabulary.tier(tier, language))" : "\(Vocabulary.tier(tier, language)) only"
    }

    /// One line each for Google Calendar, Outlook and Apple Calendar (HTML).
    static func howTo(_ language: Language) -> [String] {
        switch language {
        case .vi:
            [
                "<strong>Google Calendar</strong> (máy tính): Lịch khác → + → Từ URL, dán đường dẫn https://.",
                "<strong>Outlook</strong>: Thêm lịch → Đăng ký từ web, dán đường dẫn https://.",
                "<strong>Apple Calendar</strong>: trên iPhone chạm đường dẫn webcal://; trên Mac chọn Tệp → Đăng ký lịch mới.",
            ]
        case .en:
            [
                "<strong>Google Calendar</strong> (on a computer): Other calendars → + → From URL, paste the https:// link.",
                "<strong>Outlook</strong>: Add calendar → Subscribe from web, paste the https:// link.",
                "<strong>Apple Calendar</strong>: on an iPhone tap the webcal:// link; on a Mac, File → New Calendar Subscription.",
            ]
        }
    }

    static func yes(_ language: Language) -> String { language == .vi ? "Có" : "Yes" }
    static func noChecklist(_ language: Language) -> String {
        language == .vi ? "Không có mẫu công việc nào áp dụng." : "No checklist template applies."
    }
    static func home(_ language: Language) -> String { language == .vi ? "Sắp tới" : "Coming up" }
    static func skip(_ language: Language) -> String {
        language == .vi ? "Chuyển đến nội dung chính" : "Skip to the main content"
    }
    static func siteNavigation(_ language: Language) -> String {
        language == .vi ? "Điều hướng trang" : "Site navigation"
    }

    /// Each language's name in itself, for the language switch.
    static func languageName(_ language: Language) -> String {
        switch language {
        case .vi: "Tiếng Việt"
        case .en: "English"
        }
    }

    static func footer(_ language: Language) -> String {
        switch language {
        case .vi: "Trang do kyniem tạo từ các lịch đã cấu hình."
        case .en: "Made by kyniem from the configured calendars."
        }
    }
}

extension CalendarRenderer {
    /// The names and labels `kyniem publish` gives its feeds, from the site's words.
    public static func feedName(_ language: Language, tier: Tier? = nil, tasks: Bool = false) -> String {
        SiteWords.feedName(language, tier: tier, tasks: tasks)
    }

    public static func feedLabel(_ language: Language, tier: Tier? = nil, tasks: Bool = false) -> String {
        if tasks { return Vocabulary.phrase(.checklist, language) }
        if let tier { return SiteWords.tierOnly(tier, language) }
        return SiteWords.allEvents(language)
    }

    public static func indexName(_ language: Language) -> String { SiteWords.indexName(language) }
}
