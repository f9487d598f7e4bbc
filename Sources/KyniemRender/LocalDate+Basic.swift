import KyniemCore

extension LocalDate {
    /// Parses the date part of `YYYYMMDD` or `YYYYMMDDTHHMMSSZ`.
    init?(basic text: String) {
        let digits = Array(text.utf8.prefix(8))
        guard digits.count == 8, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return nil
        }
        let value = digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        self.init(year: value / 10000, month: value / 100 % 100, day: value % 100)
    }
}
