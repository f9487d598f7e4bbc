import Foundation
import KyniemCore
import Testing

@testable import KyniemCLI

/// `CommandContext.date(at:in:)` computes the day from the zone's offset; a Gregorian calendar in
/// that zone must agree, around midnight and across daylight-saving changes.
@Suite struct TodayTests {
    static let zones = ["Asia/Ho_Chi_Minh", "UTC", "America/New_York", "Pacific/Kiritimati", "Pacific/Pago_Pago",
                        "Asia/Kathmandu", "Europe/Berlin", "Australia/Lord_Howe"]

    @Test("The day in a zone is the Gregorian calendar's", arguments: zones)
    func sameDayAsTheCalendar(_ name: String) throws {
        let zone = try #require(TimeZone(identifier: name))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        // Every 37 minutes through 2027 and around two New Years, and the epoch's neighbourhood.
        var instants = stride(from: 1_798_761_600.0, to: 1_830_297_600.0, by: 37 * 60).map(Date.init(timeIntervalSince1970:))
        instants += stride(from: -200_000.0, to: 200_000.0, by: 1_111).map(Date.init(timeIntervalSince1970:))
        for instant in instants {
            let parts = calendar.dateComponents([.year, .month, .day], from: instant)
            let expected = LocalDate(parts.year!, parts.month!, parts.day!)
            let found = CommandContext.date(at: instant, in: zone)
            guard found == expected else {
                Issue.record("\(name) at \(instant): \(found), calendar says \(expected)")
                return
            }
        }
    }
}

/// `CommandContext.utcStamp` computes the UTC time stamp by arithmetic; a UTC Gregorian
/// `Calendar` and `String(format:)`, as it used to be made, must give the same text.
@Suite struct UTCStampTests {
    static func byCalendar(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }

    @Test func sameAsTheCalendar() {
        var instants: [TimeInterval] = [
            0, 0.999, -0.5, -1, -86_400, -86_401, 86_399.9, 951_782_399, 951_782_400,  // 2000-02-28/29
            1_835_395_199, 1_835_395_200,  // 2028-02-29 23:59:59, 2028-03-01
            2_147_483_648, -2_208_988_800,  // 2038-01-19, 1900-01-01
            -11_676_096_000,  // 1600-01-01
            253_402_300_799,  // 9999-12-31 23:59:59
            Date().timeIntervalSince1970,
        ]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 { instants.append(Double(Int.random(in: -11_676_096_000...253_402_300_799, using: &generator)) + 0.25) }
        for seconds in instants {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(CommandContext.utcStamp(date) == Self.byCalendar(date), "\(seconds)")
        }
    }
}
