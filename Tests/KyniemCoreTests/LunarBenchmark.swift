import Foundation
import KyniemCore
import Testing

/// Timing, not correctness: run on demand in release,
/// `LUNAR_BENCHMARK=1 swift test -c release --filter LunarBenchmark`.
@Suite("Lunar benchmark", .enabled(if: ProcessInfo.processInfo.environment["LUNAR_BENCHMARK"] != nil))
struct LunarBenchmark {
    @Test("100,000 random dates, solar → lunar and lunar → solar")
    func conversions() {
        let clock = ContinuousClock()
        let setup = clock.measure { _ = LunarCalendar(utcOffsetHours: 8).newYear(2000) }
        let calendar = LunarCalendar.vietnam
        _ = calendar.newYear(2000)
        var generator = SystemRandomNumberGenerator()
        let first = LocalDate(1968, 1, 1).julianDay
        let last = LocalDate(2199, 12, 31).julianDay
        let dates = (0..<100_000).map { _ in LocalDate(julianDay: Int.random(in: first...last, using: &generator)) }
        var lunar: [LunarDate] = []
        lunar.reserveCapacity(dates.count)
        let toLunar = clock.measure {
            for date in dates { lunar.append(calendar.lunarDate(for: date)) }
        }
        var back = 0
        let toSolar = clock.measure {
            for date in lunar where calendar.solarDate(for: date) != nil { back += 1 }
        }
        #expect(back == dates.count)
        print("lunar benchmark: a UTC+8 calendar and its year 2000 \(setup); 100,000 solar → lunar \(toLunar); 100,000 lunar → solar \(toSolar)")
    }
}
