package projections

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shanxi-water/ledger/events"
)

// Live keeps projections up to date with the log: it replays the log into
// them, then follows it. Queries read the projections under View, never
// while an event is being applied.
type Live struct {
	store    events.Store
	models   []Projection
	mu       sync.RWMutex
	position atomic.Uint64 // last event applied
	applied  atomic.Uint64 // events applied since start
	err      atomic.Value  // error that stopped Run
}

// NewLive returns a runner for the projections. Call Run to start it.
func NewLive(s events.Store, ps ...Projection) *Live {
	return &Live{store: s, models: ps}
}

// Run applies every event of the log and then each new one, until ctx is
// done or the log fails (the error is kept for Err).
func (l *Live) Run(ctx context.Context) error {
	err := l.store.Follow(ctx, events.Query{}, func(e events.Event) error {
		l.mu.Lock()
		for _, p := range l.models {
			p.Apply(e)
		}
		l.mu.Unlock()
		l.position.Store(e.Position)
		l.applied.Add(1)
		return nil
	})
	if err != nil && ctx.Err() == nil {
		l.err.Store(err)
	}
	return err
}

// View runs fn while no event is being applied.
func (l *Live) View(fn func()) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	fn()
}

// Position is the position of the last event applied.
func (l *Live) Position() uint64 { return l.position.Load() }

// Applied counts the events applied since Run started.
func (l *Live) Applied() uint64 { return l.applied.Load() }

// Err is the error that stopped Run, if any.
func (l *Live) Err() error {
	if e, ok := l.err.Load().(error); ok {
		return e
	}
	return nil
}

// Lag is how many events the projections are behind the log.
func (l *Live) Lag(ctx context.Context) (uint64, error) {
	last, err := l.store.LastPosition(ctx)
	if err != nil {
		return 0, err
	}
	if p := l.Position(); last > p {
		return last - p, nil
	}
	return 0, nil
}

// WaitFor waits until the projections have applied position p, or the
// timeout passes; it reports whether they got there. A command's caller uses
// it to read its own writes.
func (l *Live) WaitFor(ctx context.Context, p uint64, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for l.Position() < p {
		if time.Now().After(deadline) || ctx.Err() != nil {
			return false
		}
		time.Sleep(2 * time.Millisecond)
	}
	return true
}
