package notify

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/plan"
	"github.com/shanxi-water/ledger/events"
	"github.com/shanxi-water/ledger/ledgertest"
	"github.com/shanxi-water/ledger/projections"
)

// A notifier restored from a snapshot holds what one fed the whole log
// holds, and notifies nothing for the events of the snapshot.
func TestSnapshotRestoresSectionsAndBoard(t *testing.T) {
	ctx := context.Background()
	s, h := ledgertest.Open(t, 2)
	require.NoError(t, h.Year(ctx, 2016))
	var err error

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

// A deadline that passes while the server is down is notified when it
// starts again: a notifier restored from a snapshot taken after a check
// on 1 June 2016 notifies, at its first check on 2 January 2017, every
// unit overdue since; a new notifier's first check notes them only.
func TestOverdueWhileDownIsNotifiedOnRestart(t *testing.T) {
	ctx := context.Background()
	s, _ := ledgertest.Open(t, 2)
	var err error
	june, january := time.Date(2016, 6, 1, 9, 0, 0, 0, domain.CST), time.Date(2017, 1, 2, 9, 0, 0, 0, domain.CST)
	sent := 0
	publish := func(string, []byte) error { sent++; return nil }
	before := New(publish, ^uint64(0), func() time.Time { return june })
	_, err = projections.Replay(ctx, s, events.Query{}, before)
	require.NoError(t, err)
	require.Zero(t, before.CheckOverdue(), "the first check of a new notifier notes")
	data, err := before.Snapshot()
	require.NoError(t, err)

	want := len(before.board.Overdue(plan.NewDate(2017, time.January, 2)).Rows) - len(before.board.Overdue(plan.NewDate(2016, time.June, 1)).Rows)
	require.Positive(t, want, "the plan has units due in the second half of 2016")
	after := New(publish, ^uint64(0), func() time.Time { return january })
	require.NoError(t, after.Restore(data))
	require.Equal(t, want, after.CheckOverdue())
	require.Equal(t, want, sent)
	require.Zero(t, after.CheckOverdue(), "once each")

	fresh := New(publish, ^uint64(0), func() time.Time { return january })
	require.NoError(t, fresh.Restore([]byte(`{"sections":[],"board":`+string(mustBoard(t, before))+`}`)))
	require.Zero(t, fresh.CheckOverdue(), "a snapshot without a checked day: the first check notes")
}

func mustBoard(t *testing.T, n *Notifier) []byte {
	b, err := n.board.Snapshot()
	require.NoError(t, err)
	return b
}

// The last day checked is kept as soon as it moves, in a key-value
// bucket: restarted on 2 January 2017, the notifier sends what became
// overdue since June; restarted again the next day with no event in
// between, it sends only what became overdue that day (nothing).
func TestLastDayCheckedSurvivesQuietRestarts(t *testing.T) {
	ctx := context.Background()
	s, _ := ledgertest.Open(t, 2)
	days, err := KVDays(ctx, s.JetStream(), "test-notify", 1)
	require.NoError(t, err)
	run := func(now time.Time) int {
		sent := 0
		n := New(func(string, []byte) error { sent++; return nil }, ^uint64(0), func() time.Time { return now })
		_, err := projections.Replay(ctx, s, events.Query{}, n)
		require.NoError(t, err)
		n.UseDayStore(days)
		require.Equal(t, sent, n.CheckOverdue())
		require.Zero(t, n.Failed())
		return sent
	}
	require.Zero(t, run(time.Date(2016, 6, 1, 9, 0, 0, 0, domain.CST)), "the first check ever notes")
	require.Positive(t, run(time.Date(2017, 1, 2, 9, 0, 0, 0, domain.CST)), "what fell overdue while down")
	require.Zero(t, run(time.Date(2017, 1, 3, 9, 0, 0, 0, domain.CST)), "not again after a quiet restart")
	d, ok, err := days.LoadDay(ctx)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, plan.NewDate(2017, time.January, 3), d)
}
