import ArgumentParser
import Foundation
import KyniemConfig
import KyniemCore
import KyniemState

/// `--config FILE`, taken by every command (SPEC.md, fixed).
struct ConfigOption: ParsableArguments {
    @Option(name: .long, help: "Configuration file (default: ./kyniem.yaml, then $XDG_CONFIG_HOME/kyniem/kyniem.yaml, then the embedded default).")
    var config: String?
}

/// The edge where the process meets the world: environment, clock, files.
struct CommandContext {
    let configuration: Configuration
    let source: ConfigurationSource
    let environment: [String: String]

    /// Loads and validates the configuration; an invalid one ends the command with exit 2
    /// before anything else happens. `sourceDigest`: whether the command uses
    /// `Configuration.sourceDigest` (publish), which costs a pass over every file's bytes.
    static func load(_ option: ConfigOption, sourceDigest: Bool = false) throws -> CommandContext {
        try load(config: option.config, sourceDigest: sourceDigest)
    }

    /// `load(_:sourceDigest:)` from the `--config` value itself (`Upcoming.Request`).
    static func load(config: String?, sourceDigest: Bool = false) throws -> CommandContext {
        let environment = processEnvironment()
        let source = ConfigurationSource.locate(
            explicit: config, currentDirectory: FileManager.default.currentDirectoryPath,
            environment: environment)
        do {
            var loader = ConfigurationLoader(environment: environment)
            loader.digestsSources = sourceDigest
            let configuration = try loader.load(source)
            return CommandContext(configuration: configuration, source: source, environment: environment)
        } catch {
            throw CommandFailure.invalid(Self.report(error.problems))
        }
    }

    /// The environment as `ProcessInfo.processInfo.environment` gives it (each entry split at
    /// its first `=`, entries without one left out, a later duplicate winning; tested), read from
    /// `environ` directly: ProcessInfo's copy took ~0.4M instructions, 3% of a daily `upcoming`.
    /// Opens `state` under the run lock, for `run`, `ledger resend` and `ledger copy`: exit 3
    /// while another run holds the lock, 1 for any other failure.
    static func openStateForWriting(_ state: String) throws(CommandFailure) -> StateSession {
        do {
            return try OfficeState.openForWriting(state)
        } catch {
            if case .held = error { throw CommandFailure(code: 3, message: error.description) }
            throw CommandFailure(code: 1, message: error.description)
        }
    }

    static func processEnvironment() -> [String: String] {
        var result: [String: String] = [:]
        // Never NULL in kyniem: only clearenv(3), which nothing calls, leaves it so.
        var entry = environ
        while let text = entry.pointee {
            let bytes = UnsafeBufferPointer(
                start: UnsafeRawPointer(text).assumingMemoryBound(to: UInt8.self), count: strlen(text))
            if let equals = bytes.firstIndex(of: UInt8(ascii: "=")) {
                result[String(decoding: bytes[..<equals], as: UTF8.self)] =
                    String(decoding: bytes[(equals + 1)...], as: UTF8.self)
            }
            entry += 1
        }
        return result
    }

    static func report(_ problems: [ConfigurationProblem]) -> String {
        let count = problems.count
        return problems.map(\.description).joined(separator: "\n")
            + "\n\(count) problem\(count == 1 ? "" : "s") found; nothing was done."
    }

    /// Today in the home time zone: the one place the clock is read.
    var today: LocalDate {
        Self.date(at: Date(), in: TimeZone(identifier: configuration.home.timeZone) ?? .current)
    }

    /// The day `instant` falls on in `zone`: the zone's offset at that instant, then days since
    /// 1970-01-01 (Julian Day 2440588). The same day a Gregorian `Calendar` in that zone gives
    /// (tested), without building one: that costs a few tenths of a millisecond on every start
    /// of a command given no date.
    static func date(at instant: Date, in zone: TimeZone) -> LocalDate {
        let seconds = Int(instant.timeIntervalSince1970.rounded(.down)) + zone.secondsFromGMT(for: instant)
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        return LocalDate(julianDay: 2_440_588 + days)
    }

    func language(_ option: String?) throws -> Language {
        guard let option else { return configuration.home.language }
        guard let language = Language(rawValue: option) else {
            throw CommandFailure.invalid("--lang: expected vi or en, found \"\(option)\"")
        }
        return language
    }

    static func date(_ text: String, option: String) throws -> LocalDate {
        guard let date = LocalDate(iso: text) else {
            throw CommandFailure.invalid("\(option): expected a date like 2027-01-01, found \"\(text)\"")
        }
        guard Limits.years.contains(date.year) else {
            throw CommandFailure.invalid(
                "\(option): expected a date in the years \(Limits.years.lowerBound) to \(Limits.years.upperBound), found \(text)")
        }
        return date
    }

    /// `--year`, within `Limits.years` like every year the engine computes from.
    static func year(_ value: Int, option: String = "--year") throws -> Int {
        guard Limits.years.contains(value) else {
            throw CommandFailure.invalid(
                "\(option): expected a year from \(Limits.years.lowerBound) to \(Limits.years.upperBound), found \(value)")
        }
        return value
    }

    /// The current UTC time as RFC 5545 writes it (DTSTAMP) and as the ledger records it.
    /// The day from days since 1970-01-01 and the time from the seconds left, as `date(at:in:)`
    /// does: what a UTC Gregorian `Calendar` gives (tested), without the Calendar, the time zone
    /// lookup and `String(format:)`, which cost 2.8M instructions (4% of `calendar --year`).
    static func utcStamp(_ date: Date = Date()) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let time = seconds - days * 86_400
        let day = LocalDate(julianDay: 2_440_588 + days)
        func digits(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
        }
        return digits(day.year, 4) + digits(day.month, 2) + digits(day.day, 2) + "T" + digits(time / 3600, 2)
            + digits(time / 60 % 60, 2) + digits(time % 60, 2) + "Z"
    }
}

/// `--tier --kind --country`, shared by the planning commands.
struct FilterOptions: ParsableArguments {
    @Option(name: .long, help: "Only this tier (repeatable): major, notable, routine.")
    var tier: [String] = []
    @Option(name: .long, help: "Only this kind (repeatable): diplomatic-relations, national-day, partnership, holiday, commemoration, custom.")
    var kind: [String] = []
    @Option(name: .long, help: "Only this country, by ISO code (repeatable): JP.")
    var country: [String] = []

    /// The three options' values (`FilterValues.filter`).
    var values: FilterValues { FilterValues(tier: tier, kind: kind, country: country) }

    func filter(tiers known: [Tier], countries: [String: Country]) throws -> OccurrenceFilter {
        try values.filter(tiers: known, countries: countries)
    }
}

/// `--tier --kind --country` as plain values, however they were parsed.
struct FilterValues: Equatable {
    var tier: [String] = []
    var kind: [String] = []
    var country: [String] = []

    /// The filter, or a usage error (exit 2) naming a tier, kind or country that nothing could
    /// match: a country code no loaded calendar defines would otherwise select nothing, silently.
    func filter(tiers known: [Tier], countries: [String: Country]) throws -> OccurrenceFilter {
        var filter = OccurrenceFilter()
        if !tier.isEmpty {
            for name in tier where !known.contains(Tier(name)) {
                throw CommandFailure.invalid("--tier: unknown tier \"\(name)\"; expected one of \(known.map(\.rawValue).joined(separator: ", "))")
            }
            filter.tiers = Set(tier.map { Tier($0) })
        }
        if !kind.isEmpty {
            filter.kinds = Set(try kind.map { name in
                guard let kind = EventKind(rawValue: name) else {
                    throw CommandFailure.invalid("--kind: unknown kind \"\(name)\"; expected one of \(EventKind.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return kind
            })
        }
        if !country.isEmpty {
            let codes = country.map { $0.uppercased() }
            for code in codes where countries[code] == nil {
                var message = "--country: unknown country code \(code): no loaded calendar defines it"
                let close = Suggestions.countryCodes(near: code, among: countries.keys.sorted())
                if !close.isEmpty { message += "; did you mean \(Suggestions.alternatives(close))?" }
                throw CommandFailure.invalid(message)
            }
            filter.countries = Set(codes)
        }
        return filter
    }
}
