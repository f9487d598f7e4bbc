import Foundation
import Testing
import KyniemYAML

@testable import KyniemConfig

/// `home.timezone` is checked without Foundation for a few names (start-up, issue 12): the check
/// must accept and refuse exactly what `TimeZone(identifier:)` does.
@Suite("The home time zone check")
struct TimeZoneCheckTests {
    @Test("Every name answered without Foundation is one Foundation accepts")
    func shortcutNamesAreValid() {
        #expect(!ConfigurationReader.timeZonesKnownValid.isEmpty)
        for zone in ConfigurationReader.timeZonesKnownValid {
            #expect(TimeZone(identifier: zone) != nil, "\(zone)")
        }
    }

    @Test("The check agrees with TimeZone(identifier:) on every known zone and on refusals")
    func agreesWithFoundation() {
        let refused = [
            "", "Asia/Ho_Chi_Minh ", " UTC", "Asia/HoChiMinh", "Mars/Olympus_Mons", "Asia/", "Europe/Lodnon",
            "Asia/Ho_Chi_Minh/", "Ho_Chi_Minh", "Asia/Ho_Chi_Minh\n",
        ]
        let names = TimeZone.knownTimeZoneIdentifiers + ConfigurationReader.timeZonesKnownValid + refused
            + ["asia/ho_chi_minh", "utc", "GMT", "GMT+7", "GMT+07:00", "UTC+7", "ICT", "EST", "Etc/GMT-7", "UTC\u{0}"]
        #expect(names.count > 300)
        for zone in names {
            #expect(ConfigurationReader.isTimeZone(zone) == (TimeZone(identifier: zone) != nil), "\(zone.debugDescription)")
        }
        for zone in refused { #expect(!ConfigurationReader.isTimeZone(zone), "\(zone.debugDescription)") }
    }

    @Test("A configuration's zone is kept when valid and refused at its place when not")
    func readHomeKeepsAndRefuses() throws {
        for (zone, valid) in [("Asia/Ho_Chi_Minh", true), ("Asia/Bangkok", true), ("Europe/Paris", true), ("Asia/Hanoi", false)] {
            let reader = ConfigurationReader(environment: [:], bundled: [])
            let text = "home:\n  timezone: \(zone)\ncalendars: []\n"
            let configuration = reader.read(text: text, displayName: "tz.yaml", baseDirectory: nil, path: nil)
            if valid {
                #expect(reader.problems.isEmpty, "\(zone): \(reader.problems)")
                #expect(configuration?.home.timeZone == zone)
            } else {
                #expect(reader.problems.map(\.description) == [
                    "tz.yaml:2:13: unknown time zone \"\(zone)\"; expected an IANA name like Asia/Ho_Chi_Minh"
                ])
            }
        }
    }
}
