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
