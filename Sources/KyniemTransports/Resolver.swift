import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One address to connect to, copied out of `getaddrinfo`'s list so that the list is freed by
/// the thread that made it, whoever ends up reading the copy.
package struct SocketAddress: Sendable, Equatable {
    package let family: Int32
    package let socketType: Int32
    package let protocolNumber: Int32
    /// The `sockaddr_in` or `sockaddr_in6`, as bytes.
    package let bytes: [UInt8]

    /// An IPv4 or IPv6 literal and a port; nil when `host` is neither.
    package init?(literal host: String, port: Int) {
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(clamping: port).bigEndian)
            address.sin_addr = v4
            self.init(family: AF_INET, storage: address)
        } else if inet_pton(AF_INET6, host, &v6) == 1 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = in_port_t(UInt16(clamping: port).bigEndian)
            address.sin6_addr = v6
            self.init(family: AF_INET6, storage: address)
        } else {
            return nil
        }
    }

    private init<Storage>(family: Int32, storage: Storage) {
        var storage = storage
        self.family = family
        self.socketType = SocketAddress.stream
        self.protocolNumber = 0
        self.bytes = withUnsafeBytes(of: &storage) { Array($0) }
    }

    fileprivate init(_ info: addrinfo) {
        family = info.ai_family
        socketType = info.ai_socktype
        protocolNumber = info.ai_protocol
        bytes = info.ai_addr.map { Array(UnsafeRawBufferPointer(start: $0, count: Int(info.ai_addrlen))) } ?? []
    }

    package static var stream: Int32 {
        #if canImport(Glibc)
        Int32(SOCK_STREAM.rawValue)
        #else
        SOCK_STREAM
        #endif
    }
}

/// Turns a host name into the addresses to try, in order.
///
/// `getaddrinfo` has no timeout of its own: a resolver that doesn't answer holds the caller for
/// `resolv.conf`'s timeouts times its attempts times its name servers, and longer for a search
/// list. So `resolve(_:port:until:)` runs the lookup on a thread of its own and stops waiting at
/// the deadline; a late lookup finishes (and frees its list) in the background, and its answer
/// is dropped. Tests inject their own `lookup` (a slow one, or one that lists a dead address
/// first).
package struct Resolver: Sendable {
    package let lookup: @Sendable (_ host: String, _ port: Int) -> Result<[SocketAddress], ConnectionError>

    package init(lookup: @escaping @Sendable (_ host: String, _ port: Int) -> Result<[SocketAddress], ConnectionError>) {
        self.lookup = lookup
    }

    /// The system's resolver: `getaddrinfo` (hosts file, DNS, whatever nsswitch.conf says).
    package static let system = Resolver { host, port in
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = SocketAddress.stream
        hints.ai_flags = AI_ADDRCONFIG
        var list: UnsafeMutablePointer<addrinfo>?
        var status = getaddrinfo(host, String(port), &hints, &list)
        if status != 0 {
            // AI_ADDRCONFIG hides loopback addresses on a host with no other interface.
            hints.ai_flags = 0
            status = getaddrinfo(host, String(port), &hints, &list)
        }
        guard status == 0, let list else {
            return .failure(ConnectionError(.resolve, String(cString: gai_strerror(status))))
        }
        defer { freeaddrinfo(list) }
        var addresses: [SocketAddress] = []
        var current: UnsafeMutablePointer<addrinfo>? = list
        while let info = current {
            addresses.append(SocketAddress(info.pointee))
            current = info.pointee.ai_next
        }
        return .success(addresses)
    }

    /// The addresses of `host`, or why there are none by `until`. An IP literal needs no lookup.
    package func resolve(_ host: String, port: Int, until: Deadline) -> Result<[SocketAddress], ConnectionError> {
        if let literal = SocketAddress(literal: host, port: port) { return .success([literal]) }
        let allowed = until.remainingMilliseconds
        let answer = Answer()
        let lookup = self.lookup
        let thread = Thread {
            answer.set(lookup(host, port))
        }
        thread.stackSize = 1 << 20
        thread.start()
        guard answer.wait(until: until), let result = answer.result else {
            return .failure(ConnectionError(.resolveTimedOut, Deadline.text(milliseconds: Int(allowed))))
        }
        return result
    }

    /// Where the lookup's thread leaves its answer; whoever lets go last frees it.
    private final class Answer: @unchecked Sendable {
        private let lock = NSLock()
        private let ready = DispatchSemaphore(value: 0)
        private var stored: Result<[SocketAddress], ConnectionError>?

        func set(_ result: Result<[SocketAddress], ConnectionError>) {
            lock.withLock { stored = result }
            ready.signal()
        }

        var result: Result<[SocketAddress], ConnectionError>? { lock.withLock { stored } }

        /// True when the answer came by `until`.
        func wait(until: Deadline) -> Bool {
            ready.wait(timeout: .now() + .milliseconds(Int(until.remainingMilliseconds))) == .success
        }
    }
}

/// Which hosts count as this machine (a password may go to them without TLS).
package enum Loopback {
    /// True for the name `localhost` and for IP literals in 127.0.0.0/8, `::1` and
    /// `::ffff:127.x.y.z`, decided by parsing the address (`inet_pton`), never by its first
    /// characters: `127.mail.example.org` is a host name like any other. Other names are not
    /// resolved here: what a name resolves to can change between `check` and the run.
    package static func isLoopback(_ host: String) -> Bool {
        var host = host
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.lowercased() == "localhost" { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            return UInt32(bigEndian: v4.s_addr) >> 24 == 127
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 {
            return isLoopback(v6)
        }
        return false
    }

    package static func isLoopback(_ address: in6_addr) -> Bool {
        let bytes = withUnsafeBytes(of: address) { Array($0) }
        if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return true }
        // IPv4-mapped (::ffff:127.0.0.1).
        return bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF && bytes[12] == 127
    }
}
