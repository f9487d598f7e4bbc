import Foundation
import Testing

/// Issue 9: what `check` accepts, every command runs; what the engine cannot handle is an
/// argument or configuration error (exit 2) that says what was expected.
@Suite struct CommandLineLimitTests {
    @Test(arguments: [
        (["upcoming", "--days", "-5"], "--days: expected a number of days from 1 to 3660, found -5"),
        (["upcoming", "--days", "99999999"], "--days: expected a number of days from 1 to 3660, found 99999999"),
        (["upcoming", "--days", "0"], "--days: expected a number of days from 1 to 3660, found 0"),
        (["upcoming", "--from", "2027-01-01", "--until", "9999-12-31"], "a window is at most 3660 days"),
        (["upcoming", "--from", "0000-01-01"], "--from: expected a date in the years 1 to 9999, found 0000-01-01"),
        (["calendar", "--year", "-5"], "--year: expected a year from 1 to 9999, found -5"),
        (["calendar", "--year", "10000"], "--year: expected a year from 1 to 9999, found 10000"),
        (["explain", "vn-tet", "--year", "0"], "--year: expected a year from 1 to 9999, found 0"),
        (["run", "--dry-run", "--date", "0000-12-31"], "--date: expected a date in the years 1 to 9999, found 0000-12-31"),
    ])
    func outOfRangeOptionsAreUsageErrors(arguments: [String], message: String) throws {
        let result = try Kyniem.run(arguments)
        #expect(result.status == 2)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func theWidestWindowsRunAtTheEdgesOfTheYears() throws {
        let last = try Kyniem.run(["upcoming", "--from", "9999-12-31", "--days", "3660", "--format", "json"])
        #expect(last.status == 0, "\(last.stderr)")
        let first = try Kyniem.run(["calendar", "--year", "1", "--format", "csv"])
        #expect(first.status == 0, "\(first.stderr)")
        let explain = try Kyniem.run(["explain", "vn-tet", "--year", "9999"])
        #expect(explain.status == 0, "\(explain.stderr)")
    }
}
