import ArgumentParser
import Foundation
import KyniemConfig
import KyniemCore
import KyniemPublish

struct Publish: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish", _superCommandName: "kyniem", abstract: "Write a static site into DIR: subscription feeds (ICS) and HTML pages, swapped in atomically.",
        discussion: """
            DIR gets feeds/kyniem-LANG.ics (a year back to two years ahead, with alarms), \
            feeds/kyniem-LANG-TIER.ics, feeds/kyniem-LANG-tasks.ics, index.html, upcoming.json and a \
            folder of pages per language. A run whose content did not change leaves every file as it was. \
            DIR must be missing, empty, or a site kyniem published (it holds .kyniem-publish.json).
            """)

    @OptionGroup var config: ConfigOption
    @Argument(help: "The folder the web server serves, e.g. /var/www/kyniem.")
    var directory: String
    @Option(help: "vi or en, repeatable (default: both).")
    var lang: [String] = []
    @Option(parsing: .unconditional, help: "The run date (YYYY-MM-DD); default today in the home time zone.")
    var date: String?
    @Option(name: .customLong("base-url"), help: "The site's address, for the subscription links (default: publish.base_url).")
    var baseURL: String?

    func run() throws {
        // The feeds and pages are rendered again only when the files' digest changed.
        let context = try CommandContext.load(config, sourceDigest: true)
        let configuration = context.configuration
        var languages: [Language] = []
        for option in lang {
            let language = try context.language(option)
            if !languages.contains(language) { languages.append(language) }
        }
        if languages.isEmpty { languages = [.vi, .en] }
        let today = try date.map { try CommandContext.date($0, option: "--date") } ?? context.today
        // The window reaches two years and a month ahead; the engine's years bound it.
        let (from, through) = SiteBuilder.window(today: today)
        guard Limits.years.contains(from.year), Limits.years.contains(through.year) else {
            throw CommandFailure.invalid(
                "--date \(today): the published window (\(from) to \(through)) leaves the years "
                    + "\(Limits.years.lowerBound) to \(Limits.years.upperBound)")
        }
        var base = configuration.publishBaseURL
        if let baseURL {
            guard let url = PublishURL.normalized(baseURL) else {
                throw CommandFailure.invalid(
                    "--base-url: expected an http:// or https:// URL without spaces, like https://lich.example.gov.vn/kyniem, found \"\(baseURL)\"")
            }
            base = url
        }
        if let problem = SiteBuilder.problem(with: configuration) { throw CommandFailure.invalid(problem) }
        guard !directory.isEmpty else { throw CommandFailure.invalid("DIR: expected a folder, found an empty path") }

        do throws(PublishFailure) {
            let folder = try SiteDirectory(directory)
            let options = PublishOptions(
                languages: languages, today: today, now: CommandContext.utcStamp(), baseURL: base,
                generator: "kyniem \(KyniemVersion.current)")
            // The last publish had the same inputs, date and base URL: its site is this one.
            if let inputs = SiteBuilder.siteInputs(configuration, options),
                let count = try folder.unchangedSite(inputs: inputs)
            {
                Terminal.out("\(directory): unchanged (\(count) files)\n")
                return
            }
            // Into a new DIR, each file is written as soon as its part of the site is rendered.
            let (outcome, count) = try folder.publish { emit in
                SiteBuilder.build(configuration: configuration, options: options, previous: folder.previous, emit: emit)
            }
            switch outcome {
            case .unchanged: Terminal.out("\(directory): unchanged (\(count) files)\n")
            case .created, .replaced: Terminal.out("\(directory): published \(count) files\n")
            }
        } catch {
            throw CommandFailure(code: error.kind == .refused ? 2 : 4, message: error.message)
        }
    }
}
