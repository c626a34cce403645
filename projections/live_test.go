package projections_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/events"
	"github.com/shanxi-water/ledger/events/jetstream"
	"github.com/shanxi-water/ledger/events/storetest"
	"github.com/shanxi-water/ledger/projections"
	"github.com/shanxi-water/ledger/projections/cards"
	"github.com/shanxi-water/ledger/projections/snapstore"
)

// seen records, for each event applied, the position the live models had
// reached when it was applied.
type seen struct {
	live *projections.Live
	at   map[uint64]uint64
}

func (s *seen) Apply(e events.Event) { s.at[e.Position] = s.live.Position() }

// threeAppends appends a1; then b1, b2 and c1 in one append; then d1.
func threeAppends(t *testing.T, s events.Store) {
	t.Helper()
	note := func(id string, texts ...string) events.Change {
		c := events.Change{Aggregate: events.Aggregate{Scope: "140100", Type: "note", ID: events.AggregateID(id)}, Expect: events.Any}
		for _, x := range texts {
			c.Events = append(c.Events, events.Draft{OccurredAt: time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC),
				Actor: domain.Actor{ID: "t", Role: domain.Admin}, Data: storetest.Noted{Text: x}})
		}
		return c
	}
	ctx := context.Background()
	_, err := s.Append(ctx, note("A", "a1"))
	require.NoError(t, err)
	_, err = s.Append(ctx, note("B", "b1", "b2"), note("C", "c1"))
	require.NoError(t, err)
	_, err = s.Append(ctx, note("D", "d1"))
	require.NoError(t, err)
}

// The events of one atomic append are applied together: a reader of the
// live models sees none of them or all (a station's upload of several
// sections showed some of a city's sections and not the others). Each
// event says how many of its append follow it.
func TestLiveAppliesAnAppendWhole(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := jetstream.Open(ctx, jetstream.Config{DataDir: t.TempDir(), Registry: storetest.Registry()})
	require.NoError(t, err)
	defer s.Close()
	threeAppends(t, s)

	var more []int
	require.NoError(t, s.Read(ctx, events.Query{}, func(e events.Event) error { more = append(more, e.More); return nil }))
	require.Equal(t, []int{0, 2, 1, 0, 0}, more)

	m := &seen{at: map[uint64]uint64{}}
	l := projections.NewLive(s, m)
	m.live = l
	go l.Run(ctx)
	require.True(t, l.WaitFor(ctx, 5, 10*time.Second))
	l.View(func() {
		require.Equal(t, map[uint64]uint64{1: 0, 2: 1, 3: 1, 4: 1, 5: 4}, m.at,
			fmt.Sprintf("positions 2–4 are one append, applied before the models move past 1: %v", m.at))
	})
}

// flaky is the store with a Follow that fails once, after its first event,
// as a lost connection would.
type flaky struct {
	events.Store
	first  uint64 // events read before failing
	failed bool
}

func (f *flaky) Follow(ctx context.Context, q events.Query, fn func(events.Event) error) error {
	if f.failed {
		return f.Store.Follow(ctx, q, fn)
	}
	f.failed = true
	if err := f.Store.Read(ctx, events.Query{From: q.From, To: q.From + f.first - 1}, fn); err != nil {
		return err
	}
	return fmt.Errorf("nats: connection closed")
}

// The live models follow the log again after an error of reading it,
// from the event after the last applied: nothing twice, nothing missed.
func TestLiveFollowsAgainAfterALostConnection(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := jetstream.Open(ctx, jetstream.Config{DataDir: t.TempDir(), Registry: storetest.Registry()})
	require.NoError(t, err)
	defer s.Close()
	for i := range 3 {
		_, err = s.Append(ctx, events.Change{Aggregate: events.Aggregate{Scope: "140100", Type: "note", ID: events.AggregateID(fmt.Sprint(i))}, Expect: events.Any,
			Events: []events.Draft{{OccurredAt: time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC), Actor: domain.Actor{ID: "t", Role: domain.Admin}, Data: storetest.Noted{Text: "x"}}}})
		require.NoError(t, err)
	}
	m := &seen{at: map[uint64]uint64{}}
	l := projections.NewLive(&flaky{Store: s, first: 1}, m)
	m.live = l
	go l.Run(ctx)
	require.True(t, l.WaitFor(ctx, 3, 10*time.Second), "caught up after the error: %v", l.Err())
	require.NoError(t, l.Err(), "following again")
	l.View(func() { require.Equal(t, map[uint64]uint64{1: 0, 2: 1, 3: 2}, m.at) })

	// The error came after the last event: following again on a quiet log
	// clears it, with no event to apply.
	m2 := &seen{at: map[uint64]uint64{}}
	quiet := projections.NewLive(&flaky{Store: s, first: 3}, m2)
	m2.live = quiet
	go quiet.Run(ctx)
	require.True(t, quiet.WaitFor(ctx, 3, 10*time.Second))
	require.Eventually(t, func() bool { return quiet.Err() == nil }, 10*time.Second, 50*time.Millisecond, "ready again once following")
}

// Snapshots backfilled every event are taken only between atomic appends:
// a model restored inside one would show half of it, as Live never does.
func TestBackfilledSnapshotsAreBetweenAppends(t *testing.T) {
	ctx := context.Background()
	s, err := jetstream.Open(ctx, jetstream.Config{DataDir: t.TempDir(), Registry: storetest.Registry()})
	require.NoError(t, err)
	defer s.Close()
	threeAppends(t, s)

	st := snapstore.New(ctx, s.JetStream(), s.StreamName())
	sets, err := projections.BackfillSnapshots(ctx, s, st, 1, nil, cards.New())
	require.NoError(t, err)
	require.Equal(t, 3, sets)
	list, err := st.List(ctx)
	require.NoError(t, err)
	var at []uint64
	for _, in := range list {
		at = append(at, in.Position)
	}
	slices.Sort(at)
	require.Equal(t, []uint64{1, 4, 5}, at, "not at 2 or 3, inside the second append")
}
