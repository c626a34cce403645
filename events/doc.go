// Package events is the ledger's immutable, tamper-evident event log: the
// envelope every fact is stored in, the registry of stable event names and
// their payload types (with upcasters for old schema versions), the SHA-256
// hash chain that links each aggregate's events, the Store interface the rest
// of the product uses, and Log, the one implementation of that interface's
// rules (validation, sealing, optimistic concurrency, idempotent retries,
// decoding, verification) over any storage Backend.
//
// Backends are sub-packages named after their technology (events/jetstream,
// events/esdb); each passes the conformance suite in events/storetest.
// This package depends only on domain; it knows nothing of projections or
// interfaces.
package events
