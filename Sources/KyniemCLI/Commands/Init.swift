import ArgumentParser
import Foundation

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "init", _superCommandName: "kyniem", abstract: "Write a starter kyniem.yaml in the current folder.")

    @OptionGroup var config: ConfigOption
    @Flag(help: "Overwrite an existing file.")
    var force = false

    func run() throws {
        let path = config.config ?? "kyniem.yaml"
        if FileManager.default.fileExists(atPath: path), !force {
            throw CommandFailure.invalid("\(path) already exists; nothing was written (use --force to overwrite)")
        }
        // Written beside and renamed, so an interrupted init leaves no half file.
        try AtomicFile.write(Self.starter, to: path)
        Terminal.out("wrote \(path); check it with: kyniem check --config \(path)\n")
    }

    static let starter = """
        # kyniem configuration. Reference: README.md; validate with `kyniem check`.
        home:
          country: VN
          timezone: Asia/Ho_Chi_Minh
          language: vi                  # vi or en: the default output language
          weekend: [saturday, sunday]

        # The bundled calendars (all partner countries, national days, Vietnam's holidays,
        # external-affairs commemorations, checklists). Pick parts with bundled:vietnam/relations.yaml,
        # and add your own files or folders, relative to this file.
        calendars:
          - bundled:vietnam
          # - local                     # e.g. local/sister-provinces.yaml

        state: ~/.local/state/kyniem/ledger.sqlite
        catch_up: 7d                    # a run also sends what fell due up to 7 days ago

        milestones:                     # first match wins
          - {every: 10, tier: major}
          - {every: 5, tier: notable}
          - {tier: routine}

        reminders:                      # lead times per tier
          major: [90d, 30d, 7d, 0d]
          notable: [30d, 7d, 0d]
          routine: [7d, 0d]

        # Decreed days off and swapped working days, per year (checklist due dates avoid them).
        working_days: {}
        #  2027:
        #    off: [2027-02-04, 2027-02-05]
        #    on: [2027-02-20]

        notifiers:
          - id: console
            type: console
          - id: office-log
            type: file
            path: ~/kyniem-log          # one Markdown digest per day and a JSON-lines log
            when: {tiers: [major, notable]}

        # Your own events:
        events:
          - id: sister-province-visit
            kind: custom
            title: {vi: "Đoàn tỉnh kết nghĩa sang thăm", en: "Visit of the sister province's delegation"}
            once: 2027-05-12

        """
}
