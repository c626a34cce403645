package jetstream

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/events"
	"github.com/shanxi-water/ledger/events/storetest"
)

// A commit that was stored but whose acknowledgement never arrived is sent
// again with the same event ids: it is neither stored twice nor reported as
// a conflict, both for one event and for an atomic batch.
func TestLostAckIsRetriedWithoutDuplicates(t *testing.T) {
	for _, n := range []int{1, 5} {
		t.Run(fmt.Sprintf("%d events", n), func(t *testing.T) {
			ctx := context.Background()
			s, err := Open(ctx, Config{DataDir: t.TempDir(), Registry: storetest.Registry()})
			require.NoError(t, err)
			defer s.Close()
			var lost atomic.Int32
			s.b.loseAck = func() bool { return lost.Add(1) == 1 } // only the first

			a := events.Aggregate{Scope: "140100", Type: "note", ID: "ACK"}
			drafts := make([]events.Draft, n)
			for i := range drafts {
				drafts[i] = events.Draft{OccurredAt: time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC), Actor: domain.Actor{ID: "t", Role: domain.Admin},
					Data: storetest.Noted{Text: fmt.Sprint("n", i)}}
			}
			evs, err := s.Append(ctx, events.Change{Aggregate: a, Expect: events.NoEvents, Events: drafts})
			require.NoError(t, err)
			require.Len(t, evs, n)
			require.Equal(t, int32(1), lost.Load(), "the first acknowledgement was lost; the retry met the stored copy")

			stored, err := s.Load(ctx, a)
			require.NoError(t, err)
			require.Len(t, stored, n, "stored once")
			last, err := s.LastPosition(ctx)
			require.NoError(t, err)
			require.Equal(t, uint64(n), last)
			for i := range evs {
				require.Equal(t, stored[i].ID, evs[i].ID)
				require.Equal(t, stored[i].Position, evs[i].Position)
			}
		})
	}
}

// Beyond the server's de-duplication window a retried append is still
// recognised, by its expected version and event ids.
func TestRetryAfterDuplicateWindow(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Config{DataDir: t.TempDir(), Registry: storetest.Registry(), DuplicateWindow: 100 * time.Millisecond})
	require.NoError(t, err)
	defer s.Close()
	a := events.Aggregate{Scope: "140100", Type: "note", ID: "WIN"}
	d := events.Draft{ID: events.NewID(), OccurredAt: time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC), Actor: domain.Actor{ID: "t", Role: domain.Admin}, Data: storetest.Noted{Text: "once"}}
	first, err := s.Append(ctx, events.Change{Aggregate: a, Expect: 0, Events: []events.Draft{d}})
	require.NoError(t, err)
	time.Sleep(300 * time.Millisecond)
	// A second process (no cache) retries the same append.
	s.Log.Close()
	s2, err := Open(ctx, Config{DataDir: s.b.cfg.DataDir, Registry: storetest.Registry(), DuplicateWindow: 100 * time.Millisecond})
	require.NoError(t, err)
	defer s2.Close()
	again, err := s2.Append(ctx, events.Change{Aggregate: a, Expect: 0, Events: []events.Draft{d}})
	require.NoError(t, err)
	require.Equal(t, first[0].Position, again[0].Position)
	last, err := s2.LastPosition(ctx)
	require.NoError(t, err)
	require.Equal(t, uint64(1), last)
}

// On the embedded store a commit its disk has no room for is refused whole,
// as unavailable, before anything is sent.
func TestCommitRefusedWithoutDiskRoom(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Config{DataDir: t.TempDir(), Registry: storetest.Registry()})
	require.NoError(t, err)
	defer s.Close()
	s.b.freeSpace = func() (uint64, bool) { return 10 << 20, true }
	a := events.Aggregate{Scope: "140100", Type: "note", ID: "DISK"}
	_, err = s.Append(ctx, events.Change{Aggregate: a, Expect: events.NoEvents, Events: []events.Draft{{OccurredAt: time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC),
		Actor: domain.Actor{ID: "t", Role: domain.Admin}, Data: storetest.Noted{Text: "x"}}}})
	require.Equal(t, domain.Unavailable, domain.KindOf(err), "%v", err)
	require.Contains(t, err.Error(), "10 MB free")
	last, err := s.LastPosition(ctx)
	require.NoError(t, err)
	require.Zero(t, last, "nothing stored")
}

// A batch the server failed for another reason than a conflict is
// reported with what the log holds of it: found by its ids.
func TestPartialBatchIsReported(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Config{DataDir: t.TempDir(), Registry: storetest.Registry()})
	require.NoError(t, err)
	defer s.Close()
	a := events.Aggregate{Scope: "140100", Type: "note", ID: "PART"}
	drafts := make([]events.Draft, 4)
	for i := range drafts {
		drafts[i] = events.Draft{OccurredAt: time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC), Actor: domain.Actor{ID: "t", Role: domain.Admin},
			Data: storetest.Noted{Text: fmt.Sprint("n", i)}}
	}
	stored, err := s.Append(ctx, events.Change{Aggregate: a, Expect: events.NoEvents, Events: drafts[:3]})
	require.NoError(t, err)
	// As if the server had failed a batch of five of which these three
	// were stored.
	batch := make([]*events.Event, 0, 5)
	for i := range stored {
		batch = append(batch, &stored[i])
	}
	batch = append(batch, &events.Event{ID: uuid.Must(uuid.NewV7())}, &events.Event{ID: uuid.Must(uuid.NewV7())})
	cause := fmt.Errorf("atomic publish batch is incomplete")
	err = s.b.partial(ctx, batch, cause)
	require.Contains(t, err.Error(), "3 of its 5 events are stored, at positions 1–3")
	require.ErrorIs(t, s.b.partial(ctx, batch[3:], cause), cause, "none stored: the server's error as it is")
}

// Reads of the whole log take turns, maxReplays at a time; the others wait
// for a place (many at once on one connection timed each other out).
func TestReplaysTakeTurns(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Config{DataDir: t.TempDir(), Registry: storetest.Registry()})
	require.NoError(t, err)
	defer s.Close()
	a := events.Aggregate{Scope: "140100", Type: "note", ID: "TURN"}
	// Enough events that a read's pipeline fills while its reader waits,
	// and the read holds its place.
	for range 5 {
		drafts := make([]events.Draft, 1000)
		for i := range drafts {
			drafts[i] = events.Draft{OccurredAt: time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC), Actor: domain.Actor{ID: "t", Role: domain.Admin}, Data: storetest.Noted{Text: fmt.Sprint(i)}}
		}
		_, err := s.Append(ctx, events.Change{Aggregate: a, Expect: events.Any, Events: drafts})
		require.NoError(t, err)
	}
	entered, release := make(chan int, 8), make(chan struct{})
	done := make(chan error, maxReplays+1)
	for i := range maxReplays + 1 {
		go func() {
			first := true
			done <- s.Read(ctx, events.Query{}, func(events.Event) error {
				if first {
					first = false
					entered <- i
					<-release
				}
				return nil
			})
		}()
	}
	for range maxReplays {
		<-entered
	}
	select {
	case <-entered:
		t.Fatal("a replay ran beside the others while they held every place")
	case <-time.After(300 * time.Millisecond):
	}
	close(release)
	<-entered // the last one's turn
	for range maxReplays + 1 {
		require.NoError(t, <-done)
	}
}
