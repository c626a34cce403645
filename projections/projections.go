package projections

import (
	"context"
	"slices"
	"time"

	"github.com/shanxi-water/ledger/events"
)

// Projection is a read model fed events in log order. Apply never fails: an
// event the model does not use, it ignores.
type Projection interface {
	Apply(e events.Event)
}

// Replay feeds the events matching q to every projection, in log order, and
// returns the position of the last event fed (0 if none). With q.To or
// q.RecordedBy it rebuilds the models as the ledger knew them then.
func Replay(ctx context.Context, s events.Store, q events.Query, ps ...Projection) (uint64, error) {
	var last uint64
	err := s.Read(ctx, q, func(e events.Event) error {
		for _, p := range ps {
			p.Apply(e)
		}
		last = e.Position
		return nil
	})
	return last, err
}

// OccurredBy feeds p only the events that occurred at or before t (all if
// t is zero): a model of the facts as they had happened by then, however
// late they were recorded. Events named in always are fed whenever they
// occurred: entries of a register that record when they were entered, not
// something that happened (the task catalogue, listed when it was loaded).
// Models whose events carry facts of their own times (samples, each taken
// at its own time) take such an option themselves instead
// (quality.Options.OccurredBy).
func OccurredBy(t time.Time, p Projection, always ...events.Name) Projection {
	if t.IsZero() {
		return p
	}
	return occurredBy{t, p, always}
}

type occurredBy struct {
	t      time.Time
	p      Projection
	always []events.Name
}

func (o occurredBy) Apply(e events.Event) {
	if !e.OccurredAt.After(o.t) || slices.Contains(o.always, e.Name) {
		o.p.Apply(e)
	}
}
