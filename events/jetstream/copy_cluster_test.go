package jetstream_test

import (
	"context"
	"fmt"
	"testing"
	"time"

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
