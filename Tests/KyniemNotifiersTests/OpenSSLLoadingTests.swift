import Testing

@testable import KyniemTransports

/// OpenSSL is loaded with dlopen(3) on the first TLS use (KyniemTransports/OpenSSL.swift); when
/// it can't be, a send fails with words that say what to install, never a crash.
@Suite struct OpenSSLLoadingTests {
    func failure(_ result: Result<OpenSSL, OpenSSL.LoadFailure>) -> String? {
        if case .failure(let failure) = result { return failure.message }
        return nil
    }

    @Test func theSystemsOpenSSL3LoadsWithEveryFunction() {
        #expect(failure(OpenSSL.load()) == nil)
        #expect(failure(OpenSSL.shared) == nil)
    }

    @Test func aMissingLibraryIsNamedWithWhatToInstall() throws {
        let noSSL = try #require(failure(OpenSSL.load(ssl: "libkyniem-no-such-ssl.so.3")))
        #expect(noSSL.hasPrefix("TLS needs libssl3 (Debian: apt-get install libssl3): "))
        #expect(noSSL.contains("libkyniem-no-such-ssl.so.3"))
        let noCrypto = try #require(failure(OpenSSL.load(crypto: "libkyniem-no-such-crypto.so.3")))
        #expect(noCrypto.hasPrefix("TLS needs libssl3 (Debian: apt-get install libssl3): "))
        #expect(noCrypto.contains("libkyniem-no-such-crypto.so.3"))
    }

    @Test func aLibraryThatIsNotOpenSSL3IsRefusedByItsFirstMissingFunction() throws {
        // libyaml is always installed with kyniem, and has none of OpenSSL's functions.
        let message = try #require(failure(OpenSSL.load(ssl: "libyaml-0.so.2")))
        #expect(message == "TLS needs libssl3 from OpenSSL 3: libyaml-0.so.2 has no TLS_client_method")
    }
}
