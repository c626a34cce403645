package esdb

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/events"
	"github.com/shanxi-water/ledger/events/storetest"
	"github.com/shanxi-water/ledger/projections"
)

// positionsSeen records, for each event applied, the position the live
// models had reached when it was applied.
type positionsSeen struct {
	live *projections.Live
	at   map[string]uint64 // by the note's text
	pos  map[string]uint64
}

func (s *positionsSeen) Apply(e events.Event) {
	text := e.Data.(storetest.Noted).Text
	s.at[text], s.pos[text] = s.live.Position(), e.Position
}

// KurrentDB stores an append to several aggregates aggregate by aggregate,
// so another writer's events may come between its parts in the log. The
// live models still apply such an append whole, with what came between:
// they never stand at a position inside it, where a reader would see its
// first aggregate and not its second (projections.Live applied events up to
// the next one that ended an append: the first part and the other writer's
// event, then the second part).
func TestLiveAppliesABatchWholeWhenAnotherWriterComesBetween(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	srv := startStandin(t)
	s := openAt(t, srv.URL(), Config{})
	defer s.Close()
	x, y, z := agg("140100", "X"), agg("140200", "Y"), agg("140300", "Z")
	_, err := s.Append(ctx, events.Change{Aggregate: z, Events: notes("first", 1)})
	require.NoError(t, err)

	// The batch's append to y waits until another writer has appended to z.
	held, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	srv.FailAppends(func(stream string) error {
		if stream == StreamName(DefaultPrefix, y) {
			once.Do(func() {
				close(held)
				<-release
			})
		}
		return nil
	})
	batch := make(chan error, 1)
	go func() {
		_, err := s.Append(ctx,
			events.Change{Aggregate: x, Events: notes("x", 2)},
			events.Change{Aggregate: y, Events: notes("y", 1)})
		batch <- err
	}()
	<-held
	_, err = s.Append(ctx, events.Change{Aggregate: z, Expect: 1, Events: notes("between", 1)})
	require.NoError(t, err)
	close(release)
	require.NoError(t, <-batch)
	srv.FailAppends(nil)

	var order []string
	var more []int
	require.NoError(t, s.Read(ctx, events.Query{}, func(e events.Event) error {
		order = append(order, e.Data.(storetest.Noted).Text)
		more = append(more, e.More)
		return nil
	}))
	require.Equal(t, []string{"first-0", "x-0", "x-1", "between-0", "y-0"}, order, "the other writer's event lies between the batch's parts")
	require.Equal(t, []int{0, 2, 1, 0, 0}, more)

	m := &positionsSeen{at: map[string]uint64{}, pos: map[string]uint64{}}
	l := projections.NewLive(s, m)
	m.live = l
	lctx, stop := context.WithCancel(ctx)
	defer stop()
	go l.Run(lctx)
	last, err := s.LastPosition(ctx)
	require.NoError(t, err)
	require.True(t, l.WaitFor(ctx, last, 10*time.Second), "caught up: %v", l.Err())
	l.View(func() {
		for _, text := range []string{"x-0", "x-1", "between-0", "y-0"} {
			require.Equal(t, m.pos["first-0"], m.at[text],
				"%s applied with the whole batch, the models still at the event before it: %v", text, m.at)
		}
	})
}
