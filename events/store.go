package events

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/shanxi-water/ledger/domain"
)

// Store is the event log as the rest of the product sees it.
type Store interface {
	// Append stores the changes' events atomically: all of them or none.
	// Each aggregate must be at its expected version, or nothing is stored and
	// the error is a *ConflictError (kind Conflict). Retrying an append whose
	// drafts carry IDs is safe: events already stored are returned, not
	// stored again. The events are returned as stored, in order.
	Append(ctx context.Context, changes ...Change) ([]Event, error)
	// Load returns one aggregate's events in order.
	Load(ctx context.Context, agg Aggregate) ([]Event, error)
	// Read calls fn for each event matching q, in log order, up to the end of
	// the log as it was when Read began. An error from fn stops the read and
	// is returned.
	Read(ctx context.Context, q Query, fn func(Event) error) error
	// Follow is Read that does not stop at the end: it waits for new events
	// and calls fn for each, until ctx is done (returning ctx.Err()) or fn
	// fails.
	Follow(ctx context.Context, q Query, fn func(Event) error) error
	// Verify walks the whole log and checks every event's hash and every
	// aggregate's chain.
	Verify(ctx context.Context) (Report, error)
	// LastPosition is the position of the last event in the log (0 if empty).
	LastPosition(ctx context.Context) (uint64, error)
	// Registry is the registry events are encoded and decoded with.
	Registry() *Registry
	// Close releases the store.
	Close() error
}

// Query selects events from the log. Empty lists match everything.
type Query struct {
	From       uint64          // first position, inclusive; 0 is the beginning
	To         uint64          // last position, inclusive; 0 is the end
	RecordedBy time.Time       // if set, only events recorded at or before it ("as the ledger knew it then")
	Aggregate  *Aggregate      // if set, only this aggregate (Scopes and Types are then ignored)
	Scopes     []domain.Scope  // cities or "province"
	Types      []AggregateType // aggregate types
	Names      []Name          // event names
}

// Validate checks every filter value, naming the field at fault.
func (q Query) Validate(op string) error {
	if q.To != 0 && q.To < q.From {
		return domain.Errorf(op, domain.Invalid, "to", "position %d is before from %d", q.To, q.From)
	}
	if q.Aggregate != nil {
		if err := q.Aggregate.Validate(op, "aggregate"); err != nil {
			return err
		}
	}
	for i, s := range q.Scopes {
		if err := s.Validate(); err != nil {
			return domain.E(op, domain.Invalid, fmt.Sprintf("scopes[%d]", i), err)
		}
	}
	for i, t := range q.Types {
		if err := t.Validate(); err != nil {
			return domain.E(op, domain.Invalid, fmt.Sprintf("types[%d]", i), err)
		}
	}
	for i, n := range q.Names {
		if err := n.Validate(); err != nil {
			return domain.E(op, domain.Invalid, fmt.Sprintf("names[%d]", i), err)
		}
	}
	return nil
}

// ConflictError reports that an aggregate was not at the expected version.
type ConflictError struct {
	Aggregate Aggregate       `json:"aggregate"`
	Expected  ExpectedVersion `json:"expected"`
	Actual    uint64          `json:"actual"`
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("aggregate %s is at version %d, expected %d", e.Aggregate, e.Actual, e.Expected)
}

// Problem is one integrity failure found by Verify.
type Problem struct {
	Position  uint64    `json:"position"`
	EventID   uuid.UUID `json:"event_id"`
	Aggregate Aggregate `json:"aggregate"`
	Reason    string    `json:"reason"`
}

func (p Problem) String() string {
	if p.Aggregate == (Aggregate{}) && p.EventID == uuid.Nil {
		// A position with no event to name: missing, or unreadable.
		return fmt.Sprintf("position %d: %s", p.Position, p.Reason)
	}
	return fmt.Sprintf("position %d, aggregate %s, event %s: %s", p.Position, p.Aggregate, optUUID(p.EventID), p.Reason)
}

// Report is the outcome of Verify.
type Report struct {
	Events       int       `json:"events"`
	Aggregates   int       `json:"aggregates"`
	LastPosition uint64    `json:"last_position"`
	Problems     []Problem `json:"problems"` // in log order; at most MaxProblems
}

// MaxProblems bounds the problems a Report lists.
const MaxProblems = 100

// OK reports whether no problem was found.
func (r Report) OK() bool { return len(r.Problems) == 0 }

// First returns the first broken link, or nil.
func (r Report) First() *Problem {
	if len(r.Problems) == 0 {
		return nil
	}
	return &r.Problems[0]
}

// Head is an aggregate's last stored event, as far as a backend knows:
// the zero Head for an aggregate with no events.
type Head struct {
	Version    uint64
	Position   uint64
	Hash       Hash
	RecordedAt time.Time
}

// Record is what a backend reads: an event with its envelope decoded but its
// payload not, or the error that stopped the envelope from decoding.
// A backend may instead set Decode, to have the envelope decoded later (on
// one of the Log's decoding goroutines); Resolve runs it.
type Record struct {
	Position uint64
	Event    *Event // nil if Err is set
	Err      error
	Decode   func() (*Event, error)
}

// Resolve decodes the envelope if that was left for later.
func (r *Record) Resolve() {
	if r.Decode != nil {
		r.Event, r.Err = r.Decode()
		r.Decode = nil
	}
}

// ErrConflict is returned (wrapped) by Backend.Commit when an aggregate was not
// at its expected head; ErrDuplicate when an event ID is already stored.
var (
	ErrConflict  = errors.New("expected version does not match")
	ErrDuplicate = errors.New("event id already stored")
)

// Backend is the storage under a Log: it stores sealed events atomically
// with a per-aggregate check, and scans them back. Log does everything else.
type Backend interface {
	// Head returns the aggregate's last stored event (zero if none).
	Head(ctx context.Context, agg Aggregate) (Head, error)
	// Commit stores the sealed events atomically, in order, each aggregate's
	// first event only if the aggregate's last stored event is still at
	// expect[agg].Position (0: no events). It sets each event's Position.
	// It returns an error wrapping ErrConflict or ErrDuplicate if it stored
	// nothing for those reasons. A Commit that cannot tell whether it stored
	// retries with the same event IDs so that nothing is stored twice.
	Commit(ctx context.Context, evs []*Event, expect map[Aggregate]Head) error
	// Scan calls fn with each record matching q's position, aggregate, scope,
	// type and name filters (not RecordedBy), in log order. Without follow it
	// stops at the end of the log as of the call; with follow it waits for
	// new records until ctx is done.
	Scan(ctx context.Context, q Query, follow bool, fn func(Record) error) error
	// LastPosition is the position of the last record (0 if none).
	LastPosition(ctx context.Context) (uint64, error)
	// MaxBatch is the most events one Commit can store atomically.
	MaxBatch() int
	// DensePositions reports whether positions run 1, 2, 3… with no gaps, so
	// that a gap means a lost record.
	DensePositions() bool
	// Close releases the backend.
	Close() error
}

// CommitsAfter is a Backend that can store a commit only where its log
// ends at a given position: if another event was stored there first, its
// server refuses the commit (ErrConflict) rather than store it after that
// event. Copy uses it, so that a copy's events land at their source
// positions or not at all.
//
// CommitAfter sends the commit once, always with that check: when no
// answer comes it returns an error wrapping ErrUnknownOutcome (the events
// may be stored), and never sends it again without the check. A caller
// tells by reading the log at those positions, and sends the commit again
// only while the log still ends at last.
type CommitsAfter interface {
	CommitAfter(ctx context.Context, evs []*Event, expect map[Aggregate]Head, last uint64) error
}

// LeaderHeads is a Backend whose Head may be answered by a replica behind
// the one that has every acknowledged event (a JetStream direct get, which
// any replica answers). LeaderHead reads from that one: the log asks it
// before it tells a caller that an aggregate is not at the version the
// caller expects, so that a lagging replica never makes a spurious conflict.
type LeaderHeads interface {
	LeaderHead(ctx context.Context, agg Aggregate) (Head, error)
}
