// Package domain is the centre of the assessment ledger: the vocabulary of
// Shanxi's 2015 water-pollution control plan (cities, actors and their roles)
// and the one error type every layer returns.
//
// It performs no I/O and imports nothing from this module: the event log,
// projections and interfaces depend on it, never the other way round.
package domain
