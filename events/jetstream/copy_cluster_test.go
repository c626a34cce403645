package jetstream_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/events"
	"github.com/shanxi-water/ledger/events/jetstream"
	"github.com/shanxi-water/ledger/events/storetest"
)

// A log outgrows its one machine: the embedded store is copied onto a
// three-server cluster, where it has three replicas, reads back event for
// event, survives the loss of the server leading it, and takes new appends
// chained on the copied ones.
func TestCopyEmbeddedOntoCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a 3-server JetStream cluster; skipped with -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	src, err := jetstream.Open(ctx, jetstream.Config{DataDir: t.TempDir(), Registry: storetest.Registry()})
	require.NoError(t, err)
	defer src.Close()
	var aggs []events.Aggregate
	for i := range 4 {
		aggs = append(aggs, events.Aggregate{Scope: domain.CityScope("140100"), Type: "note", ID: events.AggregateID(fmt.Sprintf("MOVE%d", i))})
	}
	at := time.Date(2019, 3, 1, 8, 0, 0, 0, time.UTC)
	for round := range 40 {
		var changes []events.Change
		for k := range 1 + round%3 {
			a := aggs[(round+k)%len(aggs)]
			drafts := make([]events.Draft, 1+round%2)
			for j := range drafts {
				drafts[j] = events.Draft{OccurredAt: at, Actor: clusterActor, Data: storetest.Noted{Text: fmt.Sprintf("round %d", round), N: j}}
			}
			changes = append(changes, events.Change{Aggregate: a, Expect: events.Any, Events: drafts})
		}
		_, err := src.Append(ctx, changes...)
		require.NoError(t, err)
	}
	end, err := src.LastPosition(ctx)
	require.NoError(t, err)

	c := startCluster(t)
	dst, err := jetstream.Open(ctx, jetstream.Config{URL: c.url(), Registry: storetest.Registry()})
	require.NoError(t, err)
	rep, err := dst.Copy(ctx, src.Backend(), nil)
	require.NoError(t, err)
	require.Equal(t, int(end), rep.Copied)
	require.Equal(t, 40, rep.Commits, "one append for each of the source's")
	st, err := dst.JetStream().Stream(ctx, dst.StreamName())
	require.NoError(t, err)
	require.Equal(t, 3, st.CachedInfo().Config.Replicas)

	want := storetest.ReadAll(t, src, events.Query{})
	leader := streamLeader(ctx, dst)
	require.NoError(t, dst.Close())
	i := c.byName(leader)
	require.NotEqual(t, -1, i, "leader %q", leader)
	c.servers[i].Shutdown()
	c.servers[i].WaitForShutdown()

	// Opened again at once, while the cluster elects a new leader: its first
	// question about the stream goes unanswered, and is asked again.
	dst, err = jetstream.Open(ctx, jetstream.Config{URL: c.url(), Registry: storetest.Registry()})
	require.NoError(t, err)
	defer dst.Close()
	require.NotEqual(t, leader, streamLeader(ctx, dst))
	got := storetest.ReadAll(t, dst, events.Query{})
	require.Equal(t, len(want), len(got))
	for k := range want {
		require.Equal(t, want[k].ID, got[k].ID)
		require.Equal(t, want[k].Position, got[k].Position)
		require.Equal(t, want[k].Hash, got[k].Hash)
	}
	vr, err := dst.Verify(ctx)
	require.NoError(t, err)
	require.True(t, vr.OK(), "%v", vr.Problems)
	more, err := dst.Append(ctx, events.Change{Aggregate: aggs[0], Expect: events.Any, Events: []events.Draft{{OccurredAt: at, Actor: clusterActor, Data: storetest.Noted{Text: "after the move", N: 1}}}})
	require.NoError(t, err)
	require.Equal(t, end+1, more[0].Position)
	last := want[0]
	for _, e := range want {
		if e.Aggregate == aggs[0] {
			last = e
		}
	}
	require.Equal(t, last.Hash, more[0].PrevHash, "chained on the copied events")
}

// A log whose end was cut off inside an atomic append (here: the first of
// an append's two messages, stored alone) verifies event by event, but not
// as a log: verify says so, and a copy refuses it.
func TestLogEndingInsideAnAppend(t *testing.T) {
	ctx := context.Background()
	open := func() *jetstream.Store { return openEmbedded(t) }
	whole, cut := open(), open()
	a := events.Aggregate{Scope: domain.CityScope("140100"), Type: "note", ID: "CUT"}
	at := time.Date(2019, 3, 1, 8, 0, 0, 0, time.UTC)
	_, err := whole.Append(ctx, events.Change{Aggregate: a, Events: []events.Draft{
		{OccurredAt: at, Actor: clusterActor, Data: storetest.Noted{Text: "first of two", N: 1}},
		{OccurredAt: at, Actor: clusterActor, Data: storetest.Noted{Text: "second of two", N: 2}}}})
	require.NoError(t, err)
	st, err := whole.JetStream().Stream(ctx, whole.StreamName())
	require.NoError(t, err)
	raw, err := st.GetMsg(ctx, 1)
	require.NoError(t, err)
	m := nats.NewMsg(raw.Subject)
	m.Data = raw.Data
	for k, v := range raw.Header {
		if !strings.HasPrefix(k, "Nats-Expected") && !strings.HasPrefix(k, "Nats-Batch") {
			m.Header[k] = v
		}
	}
	require.Equal(t, "1/2", m.Header.Get(jetstream.HeaderCommit))
	_, err = cut.JetStream().PublishMsg(ctx, m)
	require.NoError(t, err)

	rep, err := cut.Verify(ctx)
	require.NoError(t, err)
	require.False(t, rep.OK())
	require.Len(t, rep.Problems, 1, "%v", rep.Problems)
	p := rep.Problems[0]
	require.Equal(t, "the log ends inside an atomic append: position 1 is 1 of its 2 events, the rest missing (the end of the log was lost?)", p.Reason)
	require.Equal(t, uint64(1), p.Position)
	require.Equal(t, a, p.Aggregate, "the problem names the event: %v", p)
	first, err := whole.Load(ctx, a)
	require.NoError(t, err)
	require.Equal(t, first[0].ID, p.EventID)
	rep, err = whole.Verify(ctx)
	require.NoError(t, err)
	require.True(t, rep.OK(), "%v", rep.Problems)

	target := open()
	crep, err := target.Copy(ctx, cut.Backend(), nil)
	require.Equal(t, domain.Corrupt, domain.KindOf(err), "%v", err)
	require.Contains(t, err.Error(), "the source's log ends inside an atomic append: position 1 is 1 of its 2 events")
	require.Zero(t, crep.Copied)
	last, err := target.LastPosition(ctx)
	require.NoError(t, err)
	require.Zero(t, last, "half an append is not copied")
}

// republish stores the message at seq of from in to, as it was stored (its
// marks of its atomic append included), without the checks it was sent
// with or what the server added (its stream, sequence and time); drop
// names headers to leave out.
func republish(t *testing.T, from, to *jetstream.Store, seq uint64, drop ...string) {
	t.Helper()
	ctx := context.Background()
	st, err := from.JetStream().Stream(ctx, from.StreamName())
	require.NoError(t, err)
	raw, err := st.GetMsg(ctx, seq)
	require.NoError(t, err)
	m := nats.NewMsg(raw.Subject)
	m.Data = raw.Data
	for k, v := range raw.Header {
		if (!strings.HasPrefix(k, "Nats-") || k == "Nats-Msg-Id") && !slices.Contains(drop, k) {
			m.Header[k] = v
		}
	}
	_, err = to.JetStream().PublishMsg(ctx, m)
	require.NoError(t, err)
}

// appendsLog is a log of an append of three events of one aggregate
// (positions 1–3), then one of another's (4).
func appendsLog(t *testing.T, open func() *jetstream.Store) (*jetstream.Store, events.Aggregate, events.Aggregate) {
	t.Helper()
	ctx := context.Background()
	whole := open()
	a := events.Aggregate{Scope: domain.CityScope("140100"), Type: "note", ID: "THREE"}
	b := events.Aggregate{Scope: domain.CityScope("140200"), Type: "note", ID: "ONE"}
	at := time.Date(2019, 3, 1, 8, 0, 0, 0, time.UTC)
	var drafts []events.Draft
	for i := range 3 {
		drafts = append(drafts, events.Draft{OccurredAt: at, Actor: clusterActor, Data: storetest.Noted{Text: "one of three", N: i}})
	}
	_, err := whole.Append(ctx, events.Change{Aggregate: a, Events: drafts})
	require.NoError(t, err)
	_, err = whole.Append(ctx, events.Change{Aggregate: b, Events: []events.Draft{{OccurredAt: at, Actor: clusterActor, Data: storetest.Noted{Text: "alone"}}}})
	require.NoError(t, err)
	return whole, a, b
}

// A target that holds only the first event of an append of three (its end
// lost) is refused, naming the position: the rest of the append cannot be
// added to it atomically (it was stored as an append of two, and the
// target then verified). So is one that holds the event as an append of
// its own, where the source's is the first of three.
func TestCopyIntoTargetEndingInsideAnAppend(t *testing.T) {
	ctx := context.Background()
	open := func() *jetstream.Store { return openEmbedded(t) }
	whole, a, _ := appendsLog(t, open)

	cut := open()
	republish(t, whole, cut, 1)
	vr, err := cut.Verify(ctx)
	require.NoError(t, err)
	require.Len(t, vr.Problems, 1, "%v", vr.Problems)
	require.Equal(t, a, vr.Problems[0].Aggregate)
	_, err = cut.Copy(ctx, whole.Backend(), nil)
	require.Equal(t, domain.Corrupt, domain.KindOf(err), "%v", err)
	require.Equal(t, "to", domain.FieldOf(err))
	require.Contains(t, err.Error(), "the target's log ends inside an atomic append: position 1 is 1 of its 3 events, the rest missing (the end of the log was lost?), where the source's goes on at position 2")
	last, err := cut.LastPosition(ctx)
	require.NoError(t, err)
	require.Equal(t, uint64(1), last, "nothing stored")

	alone := open()
	republish(t, whole, alone, 1, jetstream.HeaderCommit)
	_, err = alone.Copy(ctx, whole.Backend(), nil)
	require.Equal(t, domain.Corrupt, domain.KindOf(err), "%v", err)
	require.Equal(t, "to", domain.FieldOf(err))
	require.Contains(t, err.Error(), "the target's event at position 1")
	require.Contains(t, err.Error(), "is followed by 0 more of its atomic append, the source's by 2")
	last, err = alone.LastPosition(ctx)
	require.NoError(t, err)
	require.Equal(t, uint64(1), last, "nothing stored")
}

// An append cut short inside the log (its first event, then another
// append's) is found by verify, at the event where the marks stop
// following on, naming it; a copy refuses such a source there.
func TestAppendCutShortInsideTheLog(t *testing.T) {
	ctx := context.Background()
	open := func() *jetstream.Store { return openEmbedded(t) }
	whole, _, b := appendsLog(t, open)
	broken := open()
	republish(t, whole, broken, 1)
	republish(t, whole, broken, 4)
	lone, err := broken.Load(ctx, b)
	require.NoError(t, err)

	vr, err := broken.Verify(ctx)
	require.NoError(t, err)
	require.Len(t, vr.Problems, 1, "%v", vr.Problems)
	p := vr.Problems[0]
	require.Equal(t, uint64(2), p.Position)
	require.Equal(t, lone[0].ID, p.EventID)
	require.Equal(t, b, p.Aggregate)
	require.Equal(t, "the atomic append begun at position 1 is cut short here: its next event would say 1 more follow it, this one says 0 (an event of the append lost, or one of another append in its place)", p.Reason)
	require.NotContains(t, p.String(), "aggregate //")

	target := open()
	rep, err := target.Copy(ctx, broken.Backend(), nil)
	require.Equal(t, domain.Corrupt, domain.KindOf(err), "%v", err)
	require.Equal(t, "from", domain.FieldOf(err))
	require.Contains(t, err.Error(), "position 2, aggregate 140200/note/ONE")
	require.Contains(t, err.Error(), "the atomic append begun at position 1 is cut short here")
	require.Zero(t, rep.Copied)
}

// openEmbedded opens a store on a new embedded server in a test directory,
// closed when the test ends.
func openEmbedded(t *testing.T) *jetstream.Store {
	t.Helper()
	s := openStore(t, t.TempDir(), storetest.Registry(), nil).(*jetstream.Store)
	t.Cleanup(func() { s.Close() })
	return s
}

// A backup's events past an empty source's end are checked whole before a
// copy says anything of them: one that ends inside an atomic append is
// refused as such, not offered for a restore.
func TestCopyChecksTheTargetsTailWhole(t *testing.T) {
	ctx := context.Background()
	whole, _, _ := appendsLog(t, func() *jetstream.Store { return openEmbedded(t) })
	cut, empty := openEmbedded(t), openEmbedded(t)
	republish(t, whole, cut, 1)
	_, err := cut.Copy(ctx, empty.Backend(), nil)
	require.Equal(t, domain.Corrupt, domain.KindOf(err), "%v", err)
	require.Equal(t, "to", domain.FieldOf(err))
	require.Contains(t, err.Error(), "the target's log ends inside an atomic append")
	require.NotContains(t, err.Error(), "restore")
}
