import Foundation

/// Base64 (RFC 4648 section 4) for MIME bodies and HTTP Basic credentials.
package enum Base64 {
    package static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
    }
}
