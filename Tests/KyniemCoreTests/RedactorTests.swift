import Testing

@testable import KyniemCore

/// `Redactor` left Foundation when it moved to the core (issue 12): it matches Unicode scalars
/// itself, so these pin down what `replacingOccurrences(of:with:)` did for it.
@Suite struct RedactorTests {
    @Test func everyOccurrenceOfEverySecretIsHidden() {
        let redact = Redactor(secrets: ["s3cr3t-token", "hunter22"])
        #expect(redact("token s3cr3t-token, again s3cr3t-token; password hunter22.") == "token ***, again ***; password ***.")
        #expect(redact("nothing secret here") == "nothing secret here")
        #expect(redact("") == "")
    }

    @Test func theLongestSecretGoesFirst() {
        // "abcd" inside "abcdefgh" must not leave "***efgh" behind.
        let redact = Redactor(secrets: ["abcd", "abcdefgh"])
        #expect(redact("key=abcdefgh user=abcd") == "key=*** user=***")
    }

    @Test func shortValuesAreNotSecrets() {
        let redact = Redactor(secrets: ["abc", "", "on"])
        #expect(redact.secrets.isEmpty)
        #expect(redact("abc on") == "abc on")
    }

    @Test func secretsAreFoundByScalarsAcrossOddText() {
        // A combining mark right after the secret makes its last character another one; the
        // secret is still hidden. Overlapping and adjacent copies, and non-ASCII secrets, too.
        let redact = Redactor(secrets: ["pässwörd", "zzzz"])
        #expect(redact("x pässwörd\u{0301} y") == "x ***\u{0301} y")
        #expect(redact("zzzzzz") == "***zz")
        #expect(redact("pässwördpässwörd") == "******")
        #expect(redact("Ωpässwörd🇻🇳") == "Ω***🇻🇳")
    }
}
