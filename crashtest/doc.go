// Package crashtest runs the ledger binary as child processes.
//
// The crash test of issue 8 serves a data directory with it, imports station
// uploads continuously over the HTTP API and kills the child with SIGKILL at
// random moments, restarting it each time, then checks that every
// acknowledged sample is stored exactly once, that every chain verifies, and
// that the restarted server's live projections (restored from snapshots and
// the log after them) equal a fresh rebuild.
//
// Another test runs two servers on one NATS server and has both appoint a
// mayor of the same city at the same moment: in every city one appointment
// is stored and the other refused, and the register holds no clash.
//
// It has no code of its own, only the tests; it depends on cmd/ledger, api,
// app, events and projections.
package crashtest
