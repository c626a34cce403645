// Package esdb stores the ledger's event log in KurrentDB (formerly
// EventStoreDB), through the gRPC client github.com/EventStore/EventStore-Client-Go/v4.
// events.Log does the store's rules; this package is the events.Backend
// under it.
//
// # Layout
//
// One stream per aggregate, <prefix>-<scope>-<type>-<id> (prefix "ledger"
// by default), e.g. ledger-140800-section-HJDQ. Each ledger event is one
// ESDB event: event type = event name (section.reading_recorded), event id
// = the event's UUID (ESDB de-duplicates a repeated append by it), data =
// the payload JSON, metadata = JSON of the rest of the envelope:
//
//	{"schema":1,"version":3,"occurred_at":"2019-05-01T00:00:00.000000Z",
//	 "recorded_at":"…","actor":"station-9","role":"station",
//	 "correlation_id":"…","causation_id":"…","prev_hash":"…","hash":"…"}
//
// (times in events.TimeFormat; empty ids and the first event's prev_hash
// are left out). The stream revision of an event is its version - 1 unless
// an aborted batch (below) left events in the stream; the version in the
// metadata is the one that counts. Positions are $all commit positions:
// for events appended through gRPC each event has its own, equal to its
// prepare position, increasing along $all but not dense (DensePositions is
// false). Event bytes carry no checksum a client sees, so the backend
// recomputes every event's hash as it reads it: an event altered in
// storage is reported with its position, aggregate and id.
//
// # Appends to one aggregate
//
// An append to one aggregate is one ESDB append, atomic by itself, with the
// expected revision of the aggregate's head (NoStream for a new aggregate,
// StreamRevision(version-1) otherwise, or the revision last seen in this
// process). WrongExpectedVersion makes the backend look at the stream's
// tail: if the last visible event is still the expected head (the stream
// only grew by events of aborted batches) it appends after them, otherwise
// it reports a conflict. An append whose outcome is unknown (timeout, lost
// connection, not the leader) is sent again with the same event ids and
// expected revision, which ESDB answers as a success without storing twice.
//
// # Appends to several aggregates: all or nothing
//
// KurrentDB 25.1 added an atomic multi-stream append (a new "v2" gRPC
// protocol, marked unstable), but EventStore-Client-Go v4 does not expose
// it: its appends go to one stream each. So this package commits a batch of
// several aggregates with a commit record, as in Percolator:
//
//  1. Each aggregate's events are appended to its stream, in order, at its
//     expected revision, so the server checks every aggregate's expected
//     version. They carry in their metadata the batch id, a deadline, and
//     the ledger event id (the ESDB id is derived from batch and event id,
//     so that ESDB's de-duplication never matches an event of an aborted
//     batch with a later attempt to store the same ledger event).
//  2. Then the batch's decision stream, <prefix>.batch-<batch id>, is created
//     (expected revision NoStream) holding one event, ledger.batch_committed.
//     That single atomic append is the commit point.
//
// If an aggregate's append conflicts, the writer creates the decision
// stream holding ledger.batch_aborted instead, and reports the conflict.
// The decision stream can be created only once, so whichever decision
// comes first stands, and a batch decided "aborted" never becomes visible.
//
// Readers count an event of a batch only once its batch is decided
// "committed"; events of aborted batches are passed over by every read
// (Load, Read, Follow, Verify, LastPosition, and the expected-version
// check), so a batch is seen whole or not at all. A reader that meets an
// undecided batch waits for its decision, in log order, so that a follower
// never passes an event that later becomes visible. A batch's events carry
// its id (events.Event.Batch), since other events may lie between its
// parts: projections.Live applies them, with what lies between, together.
// Recovery is part of
// reading: a batch still undecided after its deadline (its writer died;
// Config.BatchTimeout, 5 s by default) is aborted by the first reader or
// writer that meets it. A writer whose append meets another batch's
// undecided events at an aggregate's tail waits for them too, except that
// an older batch aborts a younger one in its way rather than wait
// ("wound-wait"), so two batches over the same aggregates in different
// orders never wait for each other for ever. The price: a multi-aggregate
// append takes one round trip per aggregate plus one; one to a single
// aggregate takes one, as before.
//
// Event ids: ESDB de-duplicates within a stream only. Retries are
// recognised by the log (it finds stored events by id in their aggregates),
// and an id used again for a different event is refused while this process
// remembers it (the last 131072 ids it stored); a reuse of an id across
// processes, on another aggregate, is not detected.
//
// # Reads
//
// Head reads the aggregate's stream backwards: one event, more only past
// events of aborted batches.
// LastPosition reads $all backwards to the last visible event of the
// ledger, passing over system events, decision streams and other ledgers
// (a server shared with much other traffic makes this walk longer). Load
// reads the aggregate's stream. Other reads use a catch-up subscription to
// $all with a server-side filter (a stream-name regex built from the
// prefix, scopes and types, or an event-type regex when only names are
// asked for), ending at the position of the last event at the time of the
// call unless following; the server says when the subscription has caught
// up (EventStoreDB 23.10 and later, KurrentDB).
//
// MaxBatch is 1000 events, as for JetStream, so that what the ledger
// accepts does not depend on the backend; 1000 events of up to about 1 KiB
// fit KurrentDB's default 1 MiB append, and an append whose events for one
// aggregate would not fit (Config.MaxAppendBytes) is refused as invalid
// before anything is sent.
//
// Tests run the conformance suite over the real client's wire path against
// an in-process stand-in for the server's gRPC Streams service
// (internal/standin), and against a real server when LEDGER_ESDB_URL is set
// (deploy/kurrentdb).
//
// The package depends on events and domain only, and the KurrentDB client.
package esdb
