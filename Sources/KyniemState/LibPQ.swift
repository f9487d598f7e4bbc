import CLibPQ
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// libpq (Debian's libpq5), loaded with dlopen(3) on first use: a command that never opens a
/// PostgreSQL ledger never loads it (docs/dispatch.md has the measured cost of linking it).
/// The function types come from libpq-fe.h through CLibPQ's typedefs.
final class LibPQ: @unchecked Sendable {
    let connectdbParams: kyniem_PQconnectdbParams
    let status: kyniem_PQstatus
    let errorMessage: kyniem_PQerrorMessage
    let finish: kyniem_PQfinish
    let exec: kyniem_PQexec
    let execParams: kyniem_PQexecParams
    let resultStatus: kyniem_PQresultStatus
    let resultErrorMessage: kyniem_PQresultErrorMessage
    let ntuples: kyniem_PQntuples
    let nfields: kyniem_PQnfields
    let getvalue: kyniem_PQgetvalue
    let getisnull: kyniem_PQgetisnull
    let clear: kyniem_PQclear

    /// The library, or why it could not be loaded (once per process).
    static let shared: Result<LibPQ, PGError> = load()

    private static func load() -> Result<LibPQ, PGError> {
        guard let handle = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "not found"
            return .failure(PGError(
                "a PostgreSQL state needs libpq (Debian: apt-get install libpq5): \(reason)"))
        }
        do {
            return .success(try LibPQ(handle: handle))
        } catch {
            return .failure(error)
        }
    }

    private init(handle: UnsafeMutableRawPointer) throws(PGError) {
        func symbol<T>(_ name: String, as type: T.Type) throws(PGError) -> T {
            guard let address = dlsym(handle, name) else {
                throw PGError("libpq.so.5 has no \(name); a libpq from PostgreSQL 10 or later is needed")
            }
            return unsafeBitCast(address, to: type)
        }
        connectdbParams = try symbol("PQconnectdbParams", as: kyniem_PQconnectdbParams.self)
        status = try symbol("PQstatus", as: kyniem_PQstatus.self)
        errorMessage = try symbol("PQerrorMessage", as: kyniem_PQerrorMessage.self)
        finish = try symbol("PQfinish", as: kyniem_PQfinish.self)
        exec = try symbol("PQexec", as: kyniem_PQexec.self)
        execParams = try symbol("PQexecParams", as: kyniem_PQexecParams.self)
        resultStatus = try symbol("PQresultStatus", as: kyniem_PQresultStatus.self)
        resultErrorMessage = try symbol("PQresultErrorMessage", as: kyniem_PQresultErrorMessage.self)
        ntuples = try symbol("PQntuples", as: kyniem_PQntuples.self)
        nfields = try symbol("PQnfields", as: kyniem_PQnfields.self)
        getvalue = try symbol("PQgetvalue", as: kyniem_PQgetvalue.self)
        getisnull = try symbol("PQgetisnull", as: kyniem_PQgetisnull.self)
        clear = try symbol("PQclear", as: kyniem_PQclear.self)
    }
}

/// A libpq failure, in libpq's or the server's words (one line).
struct PGError: Error, Sendable, CustomStringConvertible {
    let message: String

    init(_ message: String) {
        // libpq's messages end with a newline and sometimes continue on a tab-indented hint line.
        self.message = message.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: "; ")
    }

    var description: String { message }
}

/// One libpq connection (a server session). Not thread-safe: `PostgresLedger` serialises its use.
final class PGConnection {
    private let pq: LibPQ
    private var connection: OpaquePointer?

    /// Connects with libpq's keyword parameters. libpq reads the password from `PGPASSWORD` or
    /// `~/.pgpass` (which it ignores, with a warning, unless its mode is 0600 or stricter).
    init(parameters: [(String, String)]) throws(PGError) {
        let pq: LibPQ
        switch LibPQ.shared {
        case .success(let loaded): pq = loaded
        case .failure(let error): throw error
        }
        self.pq = pq
        let keywords = parameters.map { strdup($0.0) } + [nil]
        let values = parameters.map { strdup($0.1) } + [nil]
        defer {
            keywords.forEach { free($0) }
            values.forEach { free($0) }
        }
        let connection = keywords.map { UnsafePointer($0) }.withUnsafeBufferPointer { names in
            values.map { UnsafePointer($0) }.withUnsafeBufferPointer { settings in
                pq.connectdbParams(names.baseAddress, settings.baseAddress, 0)
            }
        }
        guard let connection else { throw PGError("out of memory") }
        if pq.status(connection) != CONNECTION_OK {
            let message = cText(pq.errorMessage(connection))
            pq.finish(connection)
            throw PGError(message)
        }
        self.connection = connection
    }

    deinit { close() }

    /// Closes the session: the server drops its advisory locks at once.
    func close() {
        if let connection { pq.finish(connection) }
        connection = nil
    }

    /// Runs one statement with `$1`… parameters (text; nil is NULL) and returns its rows as text.
    @discardableResult
    func query(_ sql: String, _ parameters: [String?] = []) throws(PGError) -> [[String?]] {
        guard let connection else { throw PGError("the connection is closed") }
        let values = parameters.map { $0.flatMap { strdup($0) } }
        defer { values.forEach { free($0) } }
        let result = values.map { UnsafePointer($0) }.withUnsafeBufferPointer { buffer in
            pq.execParams(connection, sql, Int32(parameters.count), nil, buffer.baseAddress, nil, nil, 0)
        }
        return try rows(of: result, connection: connection)
    }

    /// Runs a script of several statements (simple query protocol), for migrations.
    func script(_ sql: String) throws(PGError) {
        guard let connection else { throw PGError("the connection is closed") }
        _ = try rows(of: pq.exec(connection, sql), connection: connection)
    }

    private func rows(of result: OpaquePointer?, connection: OpaquePointer) throws(PGError) -> [[String?]] {
        guard let result else { throw PGError(cText(pq.errorMessage(connection))) }
        defer { pq.clear(result) }
        let status = pq.resultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            throw PGError(cText(pq.resultErrorMessage(result)))
        }
        let count = pq.ntuples(result)
        let fields = pq.nfields(result)
        var rows: [[String?]] = []
        rows.reserveCapacity(Int(count))
        for row in 0..<count {
            rows.append((0..<fields).map { field in
                pq.getisnull(result, row, field) == 1 ? nil : cText(pq.getvalue(result, row, field))
            })
        }
        return rows
    }
}

/// A C string libpq returned, "" for NULL.
private func cText(_ pointer: UnsafeMutablePointer<CChar>?) -> String {
    pointer.map { String(cString: $0) } ?? ""
}
