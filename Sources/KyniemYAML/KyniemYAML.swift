// KyniemYAML: libyaml's event stream → a YAMLNode tree that keeps every node's mark
// → typed access whose errors read `file:line:column: message`. Knows nothing of kyniem.
//
// Decisions worth knowing before using it:
// - Typing is by request only (`string()`, `int()`, `bool()`, …). Numbers and booleans
//   must be plain scalars: `"12"` and `"true"` are strings, and the error says to drop
//   the quotes. Booleans are exactly `true`/`false`; `NO` stays the string "NO".
// - `toJSONValue()` is the one place that types by content, for plugin settings.
// - One document per file; aliases resolve (capped against "billion laughs"); merge
//   keys (`<<`) are ordinary keys that `unknownKeys(allowed:)` reports as unsupported.
// - A long list need not be held: `YAMLParser.parseDocument(_:file:streaming:item:)` hands
//   over each item of a root key's sequence (kyniem's `events:`) as soon as it is complete, with
//   its marks, and keeps an empty list in the tree. Parsing is on the calling thread.
// - Duplicate keys are kept in the tree and reported by `YAMLMapping.duplicateKeys()`,
//   `keyProblems(allowed:)` or, for a whole file, `YAMLNode.duplicateKeyErrors()`.
// - `Diagnostics` collects errors so a validator can report all of them in one pass.
