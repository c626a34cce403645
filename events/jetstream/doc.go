// Package jetstream stores the ledger's event log in a NATS JetStream stream.
//
// By default it runs an embedded nats-server (JetStream, file storage in a
// data directory, fsync on every write) in the same process; given a URL it
// uses an external server or cluster through the same code. Each event is one
// message on the subject
//
//	ledger.<scope>.<aggregate type>.<aggregate id>.<event name>
//
// (the event name has two tokens, e.g. section.reading_recorded), with the
// payload JSON as the body and the rest of the envelope in headers, so any
// NATS client can subscribe to and read the log. Appends use JetStream atomic
// batches with Nats-Expected-Last-Subject-Sequence per aggregate, or, for
// aggregates this process wrote last with nothing stored since, one
// Nats-Expected-Last-Sequence for the stream (chain.go); the event id is the
// Nats-Msg-Id. See the package's README section in the repository README
// for the headers.
//
// The package depends on events and domain only.
package jetstream
