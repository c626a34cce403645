package projections

import (
	"context"

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
