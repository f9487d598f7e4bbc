import Foundation
import Testing

/// Issue 10, item 5: one `kyniem check` lists every problem, of every sort, where it took three
/// runs before (calendar errors, then a duplicate id, then a notifier type).
@Suite struct CheckEveryProblemTests {
    @Test func oneCheckListsAProblemOfEverySort() throws {
        let folder = Kyniem.temporaryFolder()
        func write(_ text: String, _ path: String) throws {
            let url = folder.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        try write("""
            calendars: [bundled:vietnam, local]
            plugins: [my-plugins]
            notifiers:
              - id: console
                type: console
                template: body.mustache
              - id: log
                type: fil
                path: out
            events:
              - id: delegation-visit
                once: 2027-05-12
              - id: sister-province
                title: Sister province
                country: XK
                date: 2009-10-15

            """, "kyniem.yaml")
        // A type error in the first calendar file, and the same event id again in the second.
        try write("""
            events:
              - id: friendship-congress
                title: Friendship congress
                once: 2027-05-12
                day_off: yes

            """, "local/a.yaml")
        try write("""
            events:
              - id: friendship-congress
                title: Friendship congress again
                once: 2028-05-12

            """, "local/b.yaml")
        try write("{{title}}\n{{#country}}{{flag}} {{nmae}}{{/country}}\n", "body.mustache")
        try write("name: broken\ntype: notifier\n", "my-plugins/broken/plugin.yaml")

        let check = try Kyniem.run(["check"], in: folder)
        #expect(check.status == 2)
        #expect(check.stdout.isEmpty)
        let expected = [
            "local/a.yaml:5:14: expected true or false, found \"yes\"",
            "local/b.yaml:2:9: duplicate event id \"friendship-congress\" (first defined at local/a.yaml:2:9)",
            "kyniem.yaml:11:5: event \"delegation-visit\" has no title",
            "kyniem.yaml:15:14: unknown country code XK: no calendar's countries: defines it; did you mean",
            "my-plugins/broken/plugin.yaml:1:1: missing `executable:`",
            "body.mustache:2:24: unknown template variable `nmae` (template: of notifier `console`); known here:",
            "kyniem.yaml:8:11: unknown notifier type `fil`; did you mean `file`?",
        ]
        for line in expected {
            #expect(check.stderr.contains(line), "missing: \(line)\n\(check.stderr)")
        }
        #expect(check.stderr.contains("\(expected.count) problems found"), "\(check.stderr)")
        // The known names are listed where the unknown one stands: inside {{#country}}, its keys too.
        #expect(check.stderr.contains("known here: code, country,"))
    }

    @Test func anUnknownCountryOnTheCommandLineIsAUsageError() throws {
        for command in [["upcoming", "--country", "XK"], ["calendar", "--year", "2027", "--country", "jp", "--country", "pj"]] {
            let result = try Kyniem.run(command)
            #expect(result.status == 2)
            #expect(result.stdout.isEmpty)
            let code = command.last!.uppercased()
            #expect(result.stderr.contains("--country: unknown country code \(code): no loaded calendar defines it"), "\(result.stderr)")
        }
        let swapped = try Kyniem.run(["upcoming", "--country", "PJ"])
        #expect(swapped.stderr.contains("did you mean JP,"))
        let known = try Kyniem.run(["upcoming", "--country", "jp", "--from", "2027-09-01", "--days", "30"])
        #expect(known.status == 0)
        #expect(known.stdout.contains("JP"))
    }
}
