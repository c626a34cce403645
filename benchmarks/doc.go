// Package benchmarks holds the benchmarks of issue 8 that need a whole
// province or millions of readings: rebuilding the read models from the
// log beside a raw drain of the same stream, the auditor's replay of a city
// as of a date with and without projection snapshots, the heap the
// read models hold after replaying one and five million readings, and the
// Load of an aggregate that a command does before it appends. Each
// reports its ratio to the same work done with raw nats.go (or without
// snapshots) in the same run; BENCHMARKS.md records the figures.
//
// It has no code of its own, only benchmarks; it depends on app, demo,
// events and projections.
package benchmarks
