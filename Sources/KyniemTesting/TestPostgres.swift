import Foundation

/// The PostgreSQL server the tests use, from `KYNIEM_TEST_POSTGRES` (a `postgresql://` URL whose
/// role may create databases; the password in `PGPASSWORD` or `~/.pgpass`). `.ci/run` starts one
/// (scripts/pg-server.sh) and always sets it; without it the PostgreSQL cases are skipped with
/// `skipMessage`, and `.ci/run` fails if it finds that message in the test log.
public enum TestPostgres {
    public static let variable = "KYNIEM_TEST_POSTGRES"
    public static let skipMessage =
        "KYNIEM_TEST_POSTGRES is not set: the PostgreSQL ledger cases are skipped (.ci/run always sets it)"

    public static var baseURL: String? {
        guard let url = ProcessInfo.processInfo.environment[variable], !url.isEmpty else { return nil }
        return url
    }

    public static var isAvailable: Bool { baseURL != nil }

    /// Creates an empty database on the test server (psql) and returns its URL.
    public static func makeDatabase() throws -> String {
        guard let base = baseURL else { throw Failure(message: skipMessage) }
        let name = "kyniem_t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        try psql(base, "CREATE DATABASE \(name)")
        return url(base, database: String(name))
    }

    /// `base` with another database name, its query kept.
    public static func url(_ base: String, database: String) -> String {
        let query = base.firstIndex(of: "?").map { String(base[$0...]) } ?? ""
        let withoutQuery = base.firstIndex(of: "?").map { String(base[..<$0]) } ?? base
        let slash = withoutQuery.lastIndex(of: "/")!
        return withoutQuery[...slash] + database + query
    }

    /// Runs one SQL statement with psql against `url`; returns its unaligned output.
    @discardableResult
    public static func psql(_ url: String, _ sql: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        process.arguments = [url, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql]
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(message: "psql \(sql): " + String(decoding: errors, as: UTF8.self))
        }
        return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public struct Failure: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }
}
