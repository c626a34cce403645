package notify

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/events"
	"github.com/shanxi-water/ledger/events/jetstream"
	"github.com/shanxi-water/ledger/ledgertest"
	"github.com/shanxi-water/ledger/projections"
)

// A notifier restored from a snapshot holds what one fed the whole log
// holds, and notifies nothing for the events of the snapshot.
func TestSnapshotRestoresSectionsAndBoard(t *testing.T) {
	ctx := context.Background()
	c := ledgertest.NewClock(ledgertest.Start)
	s, err := jetstream.Open(ctx, jetstream.Config{DataDir: t.TempDir(), Registry: app.Registry(), Clock: c.Now})
	require.NoError(t, err)
	defer s.Close()
	h := ledgertest.New(s, c, 2)
	require.NoError(t, h.Setup(ctx))
	require.NoError(t, h.Year(ctx, 2016))

	sent := 0
	publish := func(string, []byte) error { sent++; return nil }
	full := New(publish, ^uint64(0), nil)
	_, err = projections.Replay(ctx, s, events.Query{}, full)
	require.NoError(t, err)
	data, err := full.Snapshot()
	require.NoError(t, err)

	restored := New(publish, ^uint64(0), nil)
	require.NoError(t, restored.Restore(data))
	require.Equal(t, full.sections, restored.sections)
	require.Equal(t, full.board, restored.board)
	require.Zero(t, sent)
	again, err := restored.Snapshot()
	require.NoError(t, err)
	require.Equal(t, data, again)

	require.Error(t, restored.Restore([]byte(`{"sections":[],"board":"x"}`)))
	require.Equal(t, full.board, restored.board, "a failed restore leaves the notifier as it was")
}
