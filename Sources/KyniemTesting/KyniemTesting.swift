// Test doubles for kyniem's edges, shipped so tests of other modules (and plugins written in
// Swift) can use them: a notifier that records what it was sent, an in-memory delivery ledger,
// and a fixed clock.
