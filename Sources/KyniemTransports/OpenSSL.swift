import COpenSSL

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// OpenSSL 3 (Debian's libssl3), loaded with dlopen(3) the first time a notifier speaks TLS:
/// a command that sends nothing over TLS never loads libssl or libcrypto, and the dynamic
/// loader no longer relocates them and looks up their symbols on every start (docs/dispatch.md
/// has the measured cost of linking them). The function types come from OpenSSL's headers
/// through COpenSSL's typedefs, as `KyniemState/LibPQ.swift` does for libpq.
package final class OpenSSL: @unchecked Sendable {
    // libssl
    let clientMethod: kyniem_TLS_client_method
    let contextNew: kyniem_SSL_CTX_new
    let contextFree: kyniem_SSL_CTX_free
    let contextControl: kyniem_SSL_CTX_ctrl
    let contextSetDefaultVerifyPaths: kyniem_SSL_CTX_set_default_verify_paths
    let contextLoadVerifyLocations: kyniem_SSL_CTX_load_verify_locations
    let contextSetVerify: kyniem_SSL_CTX_set_verify
    let new: kyniem_SSL_new
    let free: kyniem_SSL_free
    let control: kyniem_SSL_ctrl
    let verifyParameters: kyniem_SSL_get0_param
    let setHostFlags: kyniem_SSL_set_hostflags
    let setHost: kyniem_SSL_set1_host
    let setFD: kyniem_SSL_set_fd
    let connect: kyniem_SSL_connect
    let error: kyniem_SSL_get_error
    let verifyResult: kyniem_SSL_get_verify_result
    let read: kyniem_SSL_read
    let write: kyniem_SSL_write
    let shutdown: kyniem_SSL_shutdown
    // libcrypto
    let setExpectedIP: kyniem_X509_VERIFY_PARAM_set1_ip_asc
    let verifyErrorString: kyniem_X509_verify_cert_error_string
    let clearErrors: kyniem_ERR_clear_error
    let nextError: kyniem_ERR_get_error
    let reasonString: kyniem_ERR_reason_error_string
    let errorString: kyniem_ERR_error_string_n

    /// The libraries, or why they could not be loaded, in words for a send failure (once per process).
    package static let shared: Result<OpenSSL, LoadFailure> = load()

    /// Why TLS is unavailable: libssl3 is not installed, or is not OpenSSL 3.
    package struct LoadFailure: Error, Sendable {
        package let message: String
    }

    /// Loads the two libraries by these names (others only in tests, to see the failures).
    package static func load(crypto: String = "libcrypto.so.3", ssl: String = "libssl.so.3") -> Result<OpenSSL, LoadFailure> {
        // libcrypto first, by its own name, so a missing one is named as such; libssl needs it
        // and finds this copy. RTLD_LOCAL: nothing else in the process sees their symbols.
        var handles: [UnsafeMutableRawPointer] = []
        for name in [crypto, ssl] {
            guard let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) else {
                let reason = dlerror().map { String(cString: $0) } ?? "\(name) not found"
                return .failure(LoadFailure(message: "TLS needs libssl3 (Debian: apt-get install libssl3): \(reason)"))
            }
            handles.append(handle)
        }
        do {
            return .success(try OpenSSL(crypto: handles[0], named: crypto, ssl: handles[1], named: ssl))
        } catch {
            return .failure(error)
        }
    }

    private init(
        crypto: UnsafeMutableRawPointer, named cryptoName: String, ssl: UnsafeMutableRawPointer, named sslName: String
    ) throws(LoadFailure) {
        func symbol<T>(_ name: String, in handle: UnsafeMutableRawPointer, as type: T.Type) throws(LoadFailure) -> T {
            guard let address = dlsym(handle, name) else {
                let library = handle == crypto ? cryptoName : sslName
                throw LoadFailure(message: "TLS needs libssl3 from OpenSSL 3: \(library) has no \(name)")
            }
            return unsafeBitCast(address, to: type)
        }
        clientMethod = try symbol("TLS_client_method", in: ssl, as: kyniem_TLS_client_method.self)
        contextNew = try symbol("SSL_CTX_new", in: ssl, as: kyniem_SSL_CTX_new.self)
        contextFree = try symbol("SSL_CTX_free", in: ssl, as: kyniem_SSL_CTX_free.self)
        contextControl = try symbol("SSL_CTX_ctrl", in: ssl, as: kyniem_SSL_CTX_ctrl.self)
        contextSetDefaultVerifyPaths = try symbol(
            "SSL_CTX_set_default_verify_paths", in: ssl, as: kyniem_SSL_CTX_set_default_verify_paths.self)
        contextLoadVerifyLocations = try symbol(
            "SSL_CTX_load_verify_locations", in: ssl, as: kyniem_SSL_CTX_load_verify_locations.self)
        contextSetVerify = try symbol("SSL_CTX_set_verify", in: ssl, as: kyniem_SSL_CTX_set_verify.self)
        new = try symbol("SSL_new", in: ssl, as: kyniem_SSL_new.self)
        free = try symbol("SSL_free", in: ssl, as: kyniem_SSL_free.self)
        control = try symbol("SSL_ctrl", in: ssl, as: kyniem_SSL_ctrl.self)
        verifyParameters = try symbol("SSL_get0_param", in: ssl, as: kyniem_SSL_get0_param.self)
        setHostFlags = try symbol("SSL_set_hostflags", in: ssl, as: kyniem_SSL_set_hostflags.self)
        setHost = try symbol("SSL_set1_host", in: ssl, as: kyniem_SSL_set1_host.self)
        setFD = try symbol("SSL_set_fd", in: ssl, as: kyniem_SSL_set_fd.self)
        connect = try symbol("SSL_connect", in: ssl, as: kyniem_SSL_connect.self)
        error = try symbol("SSL_get_error", in: ssl, as: kyniem_SSL_get_error.self)
        verifyResult = try symbol("SSL_get_verify_result", in: ssl, as: kyniem_SSL_get_verify_result.self)
        read = try symbol("SSL_read", in: ssl, as: kyniem_SSL_read.self)
        write = try symbol("SSL_write", in: ssl, as: kyniem_SSL_write.self)
        shutdown = try symbol("SSL_shutdown", in: ssl, as: kyniem_SSL_shutdown.self)
        setExpectedIP = try symbol("X509_VERIFY_PARAM_set1_ip_asc", in: crypto, as: kyniem_X509_VERIFY_PARAM_set1_ip_asc.self)
        verifyErrorString = try symbol(
            "X509_verify_cert_error_string", in: crypto, as: kyniem_X509_verify_cert_error_string.self)
        clearErrors = try symbol("ERR_clear_error", in: crypto, as: kyniem_ERR_clear_error.self)
        nextError = try symbol("ERR_get_error", in: crypto, as: kyniem_ERR_get_error.self)
        reasonString = try symbol("ERR_reason_error_string", in: crypto, as: kyniem_ERR_reason_error_string.self)
        errorString = try symbol("ERR_error_string_n", in: crypto, as: kyniem_ERR_error_string_n.self)
    }

    // The macros over SSL_ctrl / SSL_CTX_ctrl (COpenSSL's shim), through the loaded functions.

    func setServerNameIndication(_ ssl: OpaquePointer, _ name: String) -> Bool {
        kyniem_SSL_set_tlsext_host_name(control, ssl, name) == 1
    }

    func requireTLS12(_ context: OpaquePointer) -> Bool {
        kyniem_SSL_CTX_set_min_tls12(contextControl, context) == 1
    }

    func allowPartialAndMovingWrites(_ context: OpaquePointer) {
        _ = kyniem_SSL_CTX_set_write_modes(contextControl, context)
    }
}
