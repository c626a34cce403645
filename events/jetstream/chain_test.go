package jetstream

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	njs "github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/events"
	"github.com/shanxi-water/ledger/events/storetest"
)

func chainEvents(first uint64, aggs ...events.Aggregate) []*events.Event {
	evs := make([]*events.Event, len(aggs))
	for i, a := range aggs {
		evs[i] = &events.Event{Aggregate: a, Position: first + uint64(i)}
	}
	return evs
}

// What a run of this backend's commits lets a commit rely on.
func TestChainPlan(t *testing.T) {
	a := events.Aggregate{Scope: "140100", Type: "note", ID: "A"}
	b := events.Aggregate{Scope: "140100", Type: "note", ID: "B"}
	c := events.Aggregate{Scope: "140100", Type: "note", ID: "C"}
	var ch chain
	stored := func(evs []*events.Event) { // a commit that relied on nothing
		ch.plan(nil)
		ch.done(evs, true)
	}
	expect := map[events.Aggregate]events.Head{a: {Position: 2}, b: {Position: 0}}

	p := ch.plan(expect)
	require.Zero(t, p.end, "nothing known yet")
	ch.done(chainEvents(1, a, a), true) // positions 1-2

	p = ch.plan(expect)
	require.Equal(t, uint64(2), p.end)
	require.Equal(t, map[events.Aggregate]bool{a: true}, p.vouch, "b is new: checked by the server")
	ch.done(chainEvents(3, a, b), true) // 3-4, right after: the run goes on

	p = ch.plan(map[events.Aggregate]events.Head{a: {Position: 3}, b: {Position: 4}, c: {Position: 9}})
	require.Equal(t, uint64(4), p.end)
	require.Equal(t, map[events.Aggregate]bool{a: true, b: true}, p.vouch)
	ch.done(nil, false) // not stored: nothing changes

	p = ch.plan(map[events.Aggregate]events.Head{a: {Position: 2}})
	require.Zero(t, p.end, "a is expected where it no longer is: the server checks it")
	ch.done(nil, false)

	// A gap: another writer stored 5-6; the run starts again at 7.
	stored(chainEvents(7, c))
	p = ch.plan(map[events.Aggregate]events.Head{a: {Position: 3}, c: {Position: 7}})
	require.Equal(t, uint64(7), p.end)
	require.Equal(t, map[events.Aggregate]bool{c: true}, p.vouch, "a was not written since the gap")

	// While a commit is on its way, another relies on nothing.
	q := ch.plan(map[events.Aggregate]events.Head{c: {Position: 7}})
	require.Zero(t, q.end)
	ch.done(nil, false)

	// The first fails because the stream moved, and no commit of ours moved it.
	ch.failed(p)
	ch.done(nil, false)
	stored(chainEvents(8, c))
	p = ch.plan(map[events.Aggregate]events.Head{c: {Position: 8}})
	require.Zero(t, p.end, "after another writer, the run is not used for a while")
	ch.done(nil, false)
	ch.off = time.Time{}
	p = ch.plan(map[events.Aggregate]events.Head{c: {Position: 8}})
	require.Equal(t, uint64(8), p.end)
	ch.done(nil, false)

	// A commit of this backend on its way may be what moved the stream: no pause.
	p = ch.plan(map[events.Aggregate]events.Head{c: {Position: 8}})
	require.Equal(t, uint64(8), p.end)
	ch.plan(nil) // another commit, relying on nothing, is sent meanwhile
	ch.failed(p)
	ch.done(nil, false)
	require.True(t, ch.off.IsZero())
	ch.done(chainEvents(9, a), true) // the other commit is stored
	require.Equal(t, uint64(9), ch.end, "the run starts again from the commit that moved the stream")
	require.Zero(t, ch.inflight)

	// A commit told after a later one changes nothing.
	stored(chainEvents(10, a))
	stored(chainEvents(5, b))
	require.Equal(t, uint64(10), ch.end)
	require.Equal(t, uint64(10), ch.heads[a])
	require.Zero(t, ch.inflight)
}

// Another writer's events are never overwritten or forked: a commit that
// relied on this backend's run finds the stream moved, and is checked
// aggregate by aggregate instead.
func TestChainWithAnotherWriter(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Config{DataDir: t.TempDir(), Registry: storetest.Registry()})
	require.NoError(t, err)
	defer s.Close()
	// A second writer on the same stream, with its own backend (and no
	// knowledge of the first's commits).
	other := &backend{cfg: s.b.cfg, nc: s.b.nc, js: s.b.js, stream: s.b.stream}
	log2, err := events.NewLog(ctx, other, storetest.Registry(), nil)
	require.NoError(t, err)

	a := events.Aggregate{Scope: "140100", Type: "note", ID: "A"}
	b := events.Aggregate{Scope: "140100", Type: "note", ID: "B"}
	draft := func(n int) events.Draft {
		return events.Draft{OccurredAt: time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC), Actor: domain.Actor{ID: "t", Role: domain.Admin},
			Data: storetest.Noted{Text: fmt.Sprint("n", n)}}
	}
	n := 0
	changes := func(exp map[events.Aggregate]events.ExpectedVersion) []events.Change {
		var out []events.Change
		for _, agg := range []events.Aggregate{a, b} {
			if v, ok := exp[agg]; ok {
				n++
				out = append(out, events.Change{Aggregate: agg, Expect: v, Events: []events.Draft{draft(n), draft(n + 100)}})
			}
		}
		return out
	}

	_, err = s.Append(ctx, changes(map[events.Aggregate]events.ExpectedVersion{a: 0, b: 0})...)
	require.NoError(t, err)
	_, err = s.Append(ctx, changes(map[events.Aggregate]events.ExpectedVersion{a: 2, b: 2})...)
	require.NoError(t, err)
	require.Equal(t, uint64(8), s.b.chain.end)
	p := s.b.chain.plan(map[events.Aggregate]events.Head{a: {Position: 6}, b: {Position: 8}})
	require.Equal(t, chainPlan{end: 8, vouch: map[events.Aggregate]bool{a: true, b: true}}, p, "the next commit relies on the run")
	s.b.chain.done(nil, false)

	// The other writer appends to a.
	_, err = log2.Append(ctx, changes(map[events.Aggregate]events.ExpectedVersion{a: 4})...)
	require.NoError(t, err)

	// The first, expecting a where it last wrote it, is refused as a
	// conflict, and stores nothing.
	_, err = s.Append(ctx, changes(map[events.Aggregate]events.ExpectedVersion{a: 4, b: 4})...)
	var conflict *events.ConflictError
	require.True(t, errors.As(err, &conflict), "%v", err)
	require.Equal(t, a, conflict.Aggregate)
	require.Equal(t, uint64(6), conflict.Actual)
	last, err := s.LastPosition(ctx)
	require.NoError(t, err)
	require.Equal(t, uint64(10), last)
	require.Zero(t, s.b.chain.end)
	require.False(t, s.b.chain.off.IsZero(), "another writer was seen")

	// b, which the other did not touch, is appended to (each aggregate checked).
	_, err = s.Append(ctx, changes(map[events.Aggregate]events.ExpectedVersion{b: 4})...)
	require.NoError(t, err)

	// Once the pause is over, the run is relied on again; the other writer
	// moves the stream once more, and the commit that relied on it is
	// checked aggregate by aggregate and stored.
	s.b.chain.off = time.Time{}
	_, err = s.Append(ctx, changes(map[events.Aggregate]events.ExpectedVersion{b: 6})...)
	require.NoError(t, err)
	_, err = log2.Append(ctx, changes(map[events.Aggregate]events.ExpectedVersion{a: 6})...)
	require.NoError(t, err)
	evs, err := s.Append(ctx, changes(map[events.Aggregate]events.ExpectedVersion{b: 8})...)
	require.NoError(t, err)
	require.Equal(t, uint64(9), evs[0].Version)
	require.Equal(t, uint64(17), evs[0].Position)

	rep, err := s.Verify(ctx)
	require.NoError(t, err)
	require.True(t, rep.OK(), "%v", rep.Problems)
	require.Equal(t, 18, rep.Events)
	aEvs, err := s.Load(ctx, a)
	require.NoError(t, err)
	require.Len(t, aEvs, 8)
	bEvs, err := s.Load(ctx, b)
	require.NoError(t, err)
	require.Len(t, bEvs, 10)
}

// A stream that could lose events without its last position moving is
// always checked aggregate by aggregate.
func TestUnsafeStreamIsNotChained(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	emb, err := startEmbedded(dir, "")
	require.NoError(t, err)
	nc, err := nats.Connect("", nats.InProcessServer(emb.srv))
	require.NoError(t, err)
	js, err := njs.New(nc)
	require.NoError(t, err)
	cfg := StreamConfig(DefaultStream, 1, time.Minute)
	cfg.DenyDelete = false
	_, err = js.CreateStream(ctx, cfg)
	require.NoError(t, err)
	nc.Close()
	emb.shutdown()

	s, err := Open(ctx, Config{DataDir: dir, Registry: storetest.Registry(), AllowUnsafeStream: true})
	require.NoError(t, err)
	defer s.Close()
	require.True(t, s.b.unchained)
	a := events.Aggregate{Scope: "140100", Type: "note", ID: "A"}
	for v := range 3 {
		_, err := s.Append(ctx, events.Change{Aggregate: a, Expect: events.ExpectedVersion(v), Events: []events.Draft{{
			OccurredAt: time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC), Actor: domain.Actor{ID: "t", Role: domain.Admin}, Data: storetest.Noted{Text: "x"}}}})
		require.NoError(t, err)
	}
	require.Zero(t, s.b.chain.end, "no run was kept")

	safe, err := Open(ctx, Config{DataDir: t.TempDir(), Registry: storetest.Registry()})
	require.NoError(t, err)
	defer safe.Close()
	require.False(t, safe.b.unchained)
}

// The leader's head of an aggregate is the head a direct get reads on a
// single server: the same event, and none for an aggregate without one.
func TestLeaderHead(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Config{DataDir: t.TempDir(), Registry: storetest.Registry()})
	require.NoError(t, err)
	defer s.Close()
	a := events.Aggregate{Scope: "140800", Type: "section", ID: "HJDQ"}
	for n := range 3 {
		_, err := s.Append(ctx, events.Change{Aggregate: a, Expect: events.ExpectedVersion(n), Events: []events.Draft{{
			OccurredAt: time.Date(2019, 1, 1+n, 0, 0, 0, 0, time.UTC), Actor: domain.Actor{ID: "t", Role: domain.Admin}, Data: storetest.Noted{Text: fmt.Sprint(n)}}}})
		require.NoError(t, err)
	}
	direct, err := s.b.Head(ctx, a)
	require.NoError(t, err)
	lead, err := s.b.LeaderHead(ctx, a)
	require.NoError(t, err)
	require.Equal(t, direct, lead)
	require.Equal(t, uint64(3), lead.Version)
	none, err := s.b.LeaderHead(ctx, events.Aggregate{Scope: "140800", Type: "section", ID: "NONE"})
	require.NoError(t, err)
	require.Zero(t, none)

	// No stream is an error, not an aggregate without events.
	require.NoError(t, s.JetStream().DeleteStream(ctx, s.StreamName()))
	_, err = s.b.LeaderHead(ctx, a)
	require.ErrorContains(t, err, "stream not found")
}
