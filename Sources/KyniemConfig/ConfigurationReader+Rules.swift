import KyniemCore
import KyniemYAML

extension ConfigurationReader {
    // MARK: milestones, reminders, working_days

    func readMilestones(_ node: YAMLNode) -> MilestonePolicy? {
        guard let items = sequence(node) else { return nil }
        var rules: [MilestoneRule] = []
        for item in items {
            guard let map = mapping(item, allowed: ["every", "at", "kind", "kinds", "tier"]) else { continue }
            let before = problems.count
            let every = map.optional("every").flatMap { int($0, in: 1...1000, what: "an interval in years") }
            let at = map.optional("at").map { list($0).compactMap { int($0, in: 1...10000, what: "an ordinal") } }
            let kinds = kinds(map)
            let tier = attempt { () throws(YAMLError) in try map.required("tier") }.flatMap(string)
            guard problems.count == before, let tier else { continue }
            rules.append(MilestoneRule(every: every, at: at, kinds: kinds, tier: Tier(tier)))
        }
        return MilestonePolicy(rules: rules)
    }

    func readReminders(_ node: YAMLNode, tiers: [Tier]) -> Reminders? {
        guard let map = attempt({ () throws(YAMLError) in try node.mapping() }) else { return nil }
        var leads: [Tier: [Int]] = [:]
        for (key, value) in map.entries {
            guard let name = string(key) else { continue }
            validateTiers([Tier(name)], at: key, known: tiers)
            leads[Tier(name)] = list(value).compactMap { duration($0, signed: false, in: Limits.leadDays, what: "a lead time") }
        }
        return Reminders(leadDays: leads)
    }

    /// `working_days: {YEAR: {off: [...], on: [...], source: "..."}}`, by year. `source` says which
    /// decree or announcement the year's schedule comes from: documentation, checked to be text.
    func readWorkingDays(_ node: YAMLNode) -> [Int: WorkingDayAdjustments]? {
        guard let map = attempt({ () throws(YAMLError) in try node.mapping() }) else { return nil }
        var years: [Int: WorkingDayAdjustments] = [:]
        for (key, value) in map.entries {
            guard let year = int(key, in: Limits.workingDayYears, what: "a year") else { continue }
            guard let days = mapping(value, allowed: ["off", "on", "source"]) else { continue }
            _ = days.optional("source").flatMap(string)
            var adjustments = years[year] ?? WorkingDayAdjustments()
            for (name, target) in [("off", \WorkingDayAdjustments.off), ("on", \WorkingDayAdjustments.on)] {
                guard let listNode = days.optional(name) else { continue }
                for item in list(listNode) {
                    guard let date = date(item) else { continue }
                    if date.year != year {
                        record(item, "\(date.iso) is listed under \(year); move it to \(date.year)")
                        continue
                    }
                    adjustments[keyPath: target].insert(date)
                }
            }
            years[year] = adjustments
        }
        return years
    }

    // MARK: notifiers

    func readNotifiers(_ node: YAMLNode, home: Home, tiers: [Tier]) -> [NotifierSpec] {
        guard let items = sequence(node) else { return [] }
        var specs: [NotifierSpec] = []
        var seen: [String: Mark] = [:]
        for item in items {
            guard let map = attempt({ () throws(YAMLError) in try item.mapping() }) else { continue }
            let before = problems.count
            let idNode = attempt { () throws(YAMLError) in try map.required("id") }
            let typeNode = attempt { () throws(YAMLError) in try map.required("type") }
            guard let idNode, let typeNode, let id = string(idNode), let type = string(typeNode) else { continue }
            if let first = seen[id] {
                record(idNode, "duplicate notifier id \"\(id)\" (first at \(first))")
            }
            seen[id] = idNode.mark
            let language = map.optional("language").flatMap(language) ?? home.language
            let filter = map.optional("when").flatMap { readFilter($0, tiers: tiers) } ?? DeliveryFilter()
            let environment = map.optional("env").map { list($0).compactMap(string) } ?? []
            guard problems.count == before else { continue }
            specs.append(NotifierSpec(
                id: id, type: type, language: language, filter: filter, environment: environment,
                location: item.mark, settings: item))
        }
        return specs
    }

    func readFilter(_ node: YAMLNode, tiers: [Tier]) -> DeliveryFilter? {
        guard let map = mapping(node, allowed: ["tiers", "kinds", "countries", "steps"]) else { return nil }
        var filter = DeliveryFilter()
        if let (set, tierNode) = tierSet(map.optional("tiers")) {
            validateTiers(set, at: tierNode, known: tiers)
            filter.tiers = set
        }
        if let node = map.optional("kinds") { filter.kinds = Set(list(node).compactMap(kind)) }
        if let node = map.optional("countries") { filter.countries = Set(list(node).compactMap(countryCode)) }
        if let node = map.optional("steps") {
            var steps = Set<String>()
            for item in list(node) {
                guard let step = string(item) else { continue }
                let valid = step == "reminders" || step == "tasks"
                    || (step.hasPrefix("remind-") && step.hasSuffix("d")) || step.hasPrefix("task-")
                if valid {
                    steps.insert(step)
                } else {
                    record(item, "unknown step \"\(step)\"; expected reminders, tasks, a reminder like remind-7d "
                        + "or a task like task-letter")
                }
            }
            filter.steps = steps
        }
        return filter
    }
}
