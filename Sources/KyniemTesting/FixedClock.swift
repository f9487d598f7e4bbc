import KyniemCore

/// A clock that tells the time a test chooses: the run date and the ISO 8601 timestamps the
/// ledger records. `tick()` moves it on by a second, so successive runs get distinct timestamps.
public final class FixedClock: @unchecked Sendable {
    public private(set) var today: LocalDate
    private var secondsIntoDay: Int
    /// The home zone's offset, as written in timestamps (`+07:00`).
    public let offset: String

    public init(today: LocalDate, hour: Int = 7, minute: Int = 0, offset: String = "+07:00") {
        self.today = today
        self.secondsIntoDay = hour * 3600 + minute * 60
        self.offset = offset
    }

    /// `2027-09-21T07:00:00+07:00`.
    public var timestamp: String {
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let h = secondsIntoDay / 3600
        let m = secondsIntoDay / 60 % 60
        let s = secondsIntoDay % 60
        return "\(today.iso)T\(two(h)):\(two(m)):\(two(s))\(offset)"
    }

    /// Moves on by `seconds` (across midnight into the next day).
    @discardableResult
    public func tick(seconds: Int = 1) -> String {
        secondsIntoDay += seconds
        while secondsIntoDay >= 86_400 {
            secondsIntoDay -= 86_400
            today = today.adding(days: 1)
        }
        return timestamp
    }

    /// The next morning at the same time.
    public func advanceDay(by days: Int = 1) {
        today = today.adding(days: days)
    }
}
