/// Why a send failed, as shown to people: never a secret.
package struct SendFailure: Error, Sendable {
    package let reason: String
    /// How long the server asked us to wait before trying again (HTTP 429: Telegram's
    /// `parameters.retry_after`, or a `Retry-After` header), when it said.
    package var retryAfter: Duration?
    package init(_ reason: String, retryAfter: Duration? = nil) {
        self.reason = reason
        self.retryAfter = retryAfter
    }
}
