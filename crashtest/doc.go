// Package crashtest holds the crash test of issue 8: it builds the ledger
// binary, serves a data directory with it as a child process, imports
// station uploads continuously over the HTTP API and kills the child with
// SIGKILL at random moments, restarting it each time, then checks that
// every acknowledged sample is stored exactly once, that every chain
// verifies, and that the restarted server's live projections (restored
// from snapshots and the log after them) equal a fresh rebuild.
//
// It has no code of its own, only the test; it depends on cmd/ledger, api,
// app, events and projections.
package crashtest
