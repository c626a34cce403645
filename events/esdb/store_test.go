package esdb

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	kdb "github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/events"
	"github.com/shanxi-water/ledger/events/esdb/internal/standin"
	"github.com/shanxi-water/ledger/events/storetest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// standins maps the URL of each stand-in a test started to the stand-in.
var standins sync.Map

func startStandin(t *testing.T) *standin.Server {
	t.Helper()
	srv, err := standin.Start()
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	standins.Store(srv.URL(), srv)
	return srv
}

func openAt(t *testing.T, url string, cfg Config) *Store {
	t.Helper()
	cfg.URL = url
	if cfg.Registry == nil {
		cfg.Registry = storetest.Registry()
	}
	cfg.Logger = quiet
	s, err := Open(context.Background(), cfg)
	require.NoError(t, err)
	return s
}

// The conformance suite over the real client's wire path, against the
// in-process stand-in; the tamper test edits the stand-in's stored bytes.
func TestConformanceStandin(t *testing.T) {
	storetest.Run(t, storetest.Harness{
		NewLocation: func(t *testing.T) string { return startStandin(t).URL() },
		Open: func(t *testing.T, url string, reg *events.Registry, clock events.Clock) events.Store {
			return openAt(t, url, Config{Registry: reg, Clock: clock})
		},
		Tamper: func(t *testing.T, url string, ev events.Event, old, new string) {
			srv, ok := standins.Load(url)
			require.True(t, ok)
			require.NoError(t, srv.(*standin.Server).Alter(ev.Position, old, new))
		},
	})
}

// The conformance suite against a real KurrentDB server or cluster, given
// by LEDGER_ESDB_URL (see deploy/kurrentdb/README.md). Each location is a
// fresh stream prefix on that server.
func TestConformanceRealServer(t *testing.T) {
	url := os.Getenv("LEDGER_ESDB_URL")
	if url == "" {
		t.Skip("LEDGER_ESDB_URL not set: no KurrentDB server reachable on this machine")
	}
	storetest.Run(t, sharedServerHarness(url))
}

// The same harness as against a real server, on one stand-in: every
// location a ledger of its own prefix on one shared server.
func TestConformanceSharedStandin(t *testing.T) {
	storetest.Run(t, sharedServerHarness(startStandin(t).URL()))
}

func sharedServerHarness(url string) storetest.Harness {
	run := time.Now().UnixNano()
	var n atomic.Int64
	return storetest.Harness{
		NewLocation: func(t *testing.T) string {
			return fmt.Sprintf("t%x_%d", run, n.Add(1))
		},
		Open: func(t *testing.T, prefix string, reg *events.Registry, clock events.Clock) events.Store {
			return openAt(t, url, Config{Registry: reg, Clock: clock, Prefix: prefix})
		},
		// Tamper stays nil: a real server's files are not reachable from here.
	}
}

var (
	actor = domain.Actor{ID: "tester", Role: domain.Admin}
	when  = time.Date(2019, 5, 1, 8, 0, 0, 0, time.UTC)
)

func agg(scope domain.Scope, id string) events.Aggregate {
	return events.Aggregate{Scope: scope, Type: "note", ID: events.AggregateID(id)}
}

func notes(prefix string, k int) []events.Draft {
	out := make([]events.Draft, k)
	for i := range out {
		out[i] = events.Draft{OccurredAt: when, Actor: actor, Data: storetest.Noted{Text: fmt.Sprintf("%s-%d", prefix, i), N: i}}
	}
	return out
}

func verifyOK(t *testing.T, s events.Store) events.Report {
	t.Helper()
	rep, err := s.Verify(context.Background())
	require.NoError(t, err)
	require.True(t, rep.OK(), "%v", rep.Problems)
	return rep
}

// recordsOf returns the stand-in's records of streams starting with prefix.
func recordsOf(srv *standin.Server, prefix string) []standin.Record {
	var out []standin.Record
	for _, r := range srv.Records() {
		if strings.HasPrefix(r.Stream, prefix) {
			out = append(out, r)
		}
	}
	return out
}

// A batch whose writer stops after writing some aggregates and before its
// decision (here: the server refuses the decision) is never seen: a reader
// that meets it waits until its deadline, aborts it, and reads on without it.
func TestBatchWhoseWriterDiesIsAbortedByReaders(t *testing.T) {
	ctx := context.Background()
	srv := startStandin(t)
	const timeout = time.Second
	s := openAt(t, srv.URL(), Config{BatchTimeout: timeout})
	defer s.Close()
	a, b := agg("140100", "A"), agg("140200", "B")
	_, err := s.Append(ctx, events.Change{Aggregate: a, Events: notes("before", 1)})
	require.NoError(t, err)
	before, err := s.LastPosition(ctx)
	require.NoError(t, err)

	srv.FailAppends(func(stream string) error {
		if strings.HasPrefix(stream, "ledger.batch-") {
			return status.Error(codes.PermissionDenied, "no")
		}
		return nil
	})
	start := time.Now()
	_, err = s.Append(ctx,
		events.Change{Aggregate: a, Expect: 1, Events: notes("lost-a", 2)},
		events.Change{Aggregate: b, Expect: 0, Events: notes("lost-b", 1)})
	require.Error(t, err)
	require.NotErrorIs(t, err, events.ErrConflict, "the outcome is unknown, not a conflict")
	require.Less(t, time.Since(start), timeout/2)
	srv.FailAppends(nil)
	require.Len(t, recordsOf(srv, "ledger-140100-note-A"), 3, "the batch's events for A were written")
	require.Len(t, recordsOf(srv, "ledger-140200-note-B"), 1, "and for B")
	require.Empty(t, recordsOf(srv, "ledger.batch-"), "but no decision")

	// A fresh process (no cached decisions) reads: it waits out the
	// deadline, aborts the batch, and sees none of it.
	s2 := openAt(t, srv.URL(), Config{BatchTimeout: timeout})
	defer s2.Close()
	evs, err := s2.Load(ctx, a)
	require.NoError(t, err)
	require.Len(t, evs, 1)
	require.GreaterOrEqual(t, time.Since(start), timeout, "the reader waited for the deadline")
	evs, err = s2.Load(ctx, b)
	require.NoError(t, err)
	require.Empty(t, evs)
	last, err := s2.LastPosition(ctx)
	require.NoError(t, err)
	require.Equal(t, before, last)
	dec := recordsOf(srv, "ledger.batch-")
	require.Len(t, dec, 1)
	require.Equal(t, typeAborted, dec[0].Type)

	// The aggregates carry on from their visible heads, past the aborted
	// events in their streams.
	got, err := s2.Append(ctx,
		events.Change{Aggregate: a, Expect: 1, Events: notes("after-a", 1)},
		events.Change{Aggregate: b, Expect: 0, Events: notes("after-b", 1)})
	require.NoError(t, err)
	require.Equal(t, uint64(2), got[0].Version)
	require.Equal(t, uint64(1), got[1].Version)
	rep := verifyOK(t, s2)
	require.Equal(t, 3, rep.Events)
	all := storetest.ReadAll(t, s2, events.Query{})
	require.Len(t, all, 3)
	for _, e := range all {
		require.NotContains(t, e.Data.(storetest.Noted).Text, "lost")
	}
	// The first process, which knows nothing of the abort, sees the same.
	evs, err = s.Load(ctx, a)
	require.NoError(t, err)
	require.Len(t, evs, 2)
}

// How an undecided batch is resolved: a reader waits for its decision; an
// older batch aborts a younger one in its way at once; a younger one waits
// for an older one; anyone aborts it after its deadline.
func TestResolveUndecidedBatch(t *testing.T) {
	ctx := context.Background()
	srv := startStandin(t)
	s := openAt(t, srv.URL(), Config{})
	defer s.Close()
	b := s.b
	older, younger := events.NewID(), events.NewID()
	far := time.Now().Add(time.Hour)

	// A reader waits until the batch is decided.
	go func() {
		time.Sleep(100 * time.Millisecond)
		_, _ = b.decide(context.Background(), older, true)
	}()
	start := time.Now()
	committed, err := b.resolve(ctx, older, far, nil)
	require.NoError(t, err)
	require.True(t, committed)
	require.GreaterOrEqual(t, time.Since(start), 100*time.Millisecond)

	// An older batch aborts a younger one without waiting.
	third := events.NewID()
	start = time.Now()
	committed, err = b.resolve(ctx, third, far, &batchInfo{id: younger, deadline: far})
	require.NoError(t, err)
	require.False(t, committed)
	require.Less(t, time.Since(start), time.Second)
	committed, decided, err := b.readDecision(ctx, third)
	require.NoError(t, err)
	require.True(t, decided)
	require.False(t, committed)
	// A committed batch stays committed whoever tries to abort it.
	committed, err = b.decide(ctx, older, false)
	require.NoError(t, err)
	require.True(t, committed)

	// A younger batch waits for an older one (here until its context ends).
	fourth := events.NewID()
	wctx, cancel := context.WithTimeout(ctx, 150*time.Millisecond)
	defer cancel()
	_, err = b.resolve(wctx, younger, far, &batchInfo{id: fourth, deadline: far})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	_, decided, err = b.readDecision(ctx, younger)
	require.NoError(t, err)
	require.False(t, decided, "waiting decided nothing")

	// Past its deadline, anyone aborts it.
	committed, err = b.resolve(ctx, younger, time.Now().Add(-time.Millisecond), nil)
	require.NoError(t, err)
	require.False(t, committed)

	// A writer that meets its own batch where it did not put it says so.
	_, err = b.resolve(ctx, fourth, far, &batchInfo{id: fourth, deadline: far})
	require.ErrorIs(t, err, errOwnBatch)
}

// A batch that conflicts on its second aggregate after writing its first
// (another process moved the second) is aborted: nothing of it is seen, and
// the first aggregate's stream carries on past its aborted events.
func TestBatchConflictAfterPartialWriteAborts(t *testing.T) {
	ctx := context.Background()
	srv := startStandin(t)
	s1 := openAt(t, srv.URL(), Config{})
	defer s1.Close()
	s2 := openAt(t, srv.URL(), Config{})
	defer s2.Close()
	a, b := agg("140100", "A"), agg("140200", "B")
	_, err := s1.Append(ctx,
		events.Change{Aggregate: a, Events: notes("a", 2)},
		events.Change{Aggregate: b, Events: notes("b", 1)})
	require.NoError(t, err)
	// Another process moves b; s1's cache still has b at version 1.
	_, err = s2.Append(ctx, events.Change{Aggregate: b, Expect: 1, Events: notes("b-other", 1)})
	require.NoError(t, err)
	before, err := s1.LastPosition(ctx)
	require.NoError(t, err)

	_, err = s1.Append(ctx,
		events.Change{Aggregate: a, Expect: 2, Events: notes("a-stale", 2)},
		events.Change{Aggregate: b, Expect: 1, Events: notes("b-stale", 1)})
	var ce *events.ConflictError
	require.ErrorAs(t, err, &ce)
	require.Equal(t, b, ce.Aggregate)
	require.Equal(t, uint64(2), ce.Actual)
	require.Len(t, recordsOf(srv, "ledger-140100-note-A"), 4, "a's part was written before b conflicted")
	after, err := s1.LastPosition(ctx)
	require.NoError(t, err)
	require.Equal(t, before, after, "and is not seen")
	for _, s := range []*Store{s1, s2} {
		evs, err := s.Load(ctx, a)
		require.NoError(t, err)
		require.Len(t, evs, 2)
	}

	// a's stream revision is now ahead of its version: appends find their place.
	for i, s := range []*Store{s2, s1} {
		got, err := s.Append(ctx, events.Change{Aggregate: a, Expect: events.ExpectedVersion(2 + i), Events: notes("a-more", 1)})
		require.NoError(t, err)
		require.Equal(t, uint64(3+i), got[0].Version)
	}
	rep := verifyOK(t, s2)
	require.Equal(t, 6, rep.Events)
}

// Acknowledgements lost after the server stored an append: the backend sends
// the same append again, which the server answers without storing twice.
func TestLostAcknowledgementsStoreOnce(t *testing.T) {
	ctx := context.Background()
	srv := startStandin(t)
	s := openAt(t, srv.URL(), Config{})
	defer s.Close()
	var mu sync.Mutex
	lost := map[string]bool{}
	srv.LoseAcks(func(stream string) error {
		mu.Lock()
		defer mu.Unlock()
		if !lost[stream] {
			lost[stream] = true
			return status.Error(codes.Unavailable, "connection reset")
		}
		return nil
	})
	a, b := agg("140100", "L1"), agg("140200", "L2")
	got, err := s.Append(ctx, events.Change{Aggregate: a, Events: notes("one", 1)})
	require.NoError(t, err)
	require.Len(t, got, 1)
	got, err = s.Append(ctx,
		events.Change{Aggregate: a, Expect: 1, Events: notes("two", 2)},
		events.Change{Aggregate: b, Events: notes("three", 3)})
	require.NoError(t, err)
	require.Len(t, got, 5)
	srv.LoseAcks(nil)
	require.Len(t, recordsOf(srv, "ledger-140100-note-L1"), 3)
	require.Len(t, recordsOf(srv, "ledger-140200-note-L2"), 3)
	require.Len(t, recordsOf(srv, "ledger.batch-"), 1)
	mu.Lock()
	require.Len(t, lost, 3, "an acknowledgement was lost for each stream")
	mu.Unlock()
	loaded := storetest.ReadAll(t, s, events.Query{})
	require.Len(t, loaded, 6)
	for i := range got {
		require.Equal(t, got[i].Position, loaded[i+1].Position)
		require.Equal(t, got[i].ID, loaded[i+1].ID)
	}
	verifyOK(t, s)
}

// A follower that meets the events of a batch not yet decided waits for the
// decision before it passes them, or anything after them: it never skips an
// event that later becomes visible, and never shows one that does not.
func TestFollowWaitsForUndecidedBatch(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	srv := startStandin(t)
	s := openAt(t, srv.URL(), Config{})
	defer s.Close()
	x, y, z := agg("140100", "X"), agg("140200", "Y"), agg("140300", "Z")
	_, err := s.Append(ctx, events.Change{Aggregate: z, Events: notes("before", 1)})
	require.NoError(t, err)

	seen := make(chan string, 16)
	fctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- s.Follow(fctx, events.Query{}, func(e events.Event) error {
			seen <- e.Data.(storetest.Noted).Text
			return nil
		})
	}()
	require.Equal(t, "before-0", <-seen)

	// hold holds back the next decision of a batch until release is closed.
	hold := func() (held, release chan struct{}) {
		held, release = make(chan struct{}), make(chan struct{})
		var once sync.Once
		srv.FailAppends(func(stream string) error {
			if strings.HasPrefix(stream, "ledger.batch-") {
				once.Do(func() {
					close(held)
					<-release
				})
			}
			return nil
		})
		return held, release
	}
	quiet := func() {
		select {
		case got := <-seen:
			t.Fatalf("the follower passed an undecided batch: %s", got)
		case <-time.After(300 * time.Millisecond):
		}
	}

	// A batch that commits: its events come when it is decided, then what
	// was appended after them.
	held, release := hold()
	batch := make(chan error, 1)
	go func() {
		_, err := s.Append(ctx,
			events.Change{Aggregate: x, Events: notes("x-committed", 1)},
			events.Change{Aggregate: y, Events: notes("y-committed", 1)})
		batch <- err
	}()
	<-held // both aggregates written, the decision held back
	_, err = s.Append(ctx, events.Change{Aggregate: z, Expect: 1, Events: notes("after-commit", 1)})
	require.NoError(t, err)
	quiet()
	close(release)
	require.NoError(t, <-batch)
	require.Equal(t, "x-committed-0", <-seen)
	require.Equal(t, "y-committed-0", <-seen)
	require.Equal(t, "after-commit-0", <-seen)

	// A batch that aborts (another process moved y after x was written):
	// its event in x never comes, what was appended after it does.
	s2 := openAt(t, srv.URL(), Config{})
	defer s2.Close()
	_, err = s2.Append(ctx, events.Change{Aggregate: y, Expect: 1, Events: notes("y-other", 1)})
	require.NoError(t, err)
	require.Equal(t, "y-other-0", <-seen)
	held, release = hold()
	go func() {
		_, err := s.Append(ctx,
			events.Change{Aggregate: x, Expect: 1, Events: notes("x-aborted", 1)},
			events.Change{Aggregate: y, Expect: 1, Events: notes("y-aborted", 1)})
		batch <- err
	}()
	<-held // x written, y refused, the abort held back
	_, err = s.Append(ctx, events.Change{Aggregate: z, Expect: 2, Events: notes("after-abort", 1)})
	require.NoError(t, err)
	quiet()
	close(release)
	var ce *events.ConflictError
	require.ErrorAs(t, <-batch, &ce)
	require.Equal(t, y, ce.Aggregate)
	require.Equal(t, "after-abort-0", <-seen)
	srv.FailAppends(nil)
	require.Len(t, recordsOf(srv, "ledger-140100-note-X"), 2, "the aborted event is in x's stream")
	stop()
	require.ErrorIs(t, <-done, context.Canceled)
	require.Len(t, storetest.ReadAll(t, s, events.Query{}), 6)
	verifyOK(t, s)
}

// Batches over the same two aggregates in opposite orders, from several
// writers at once: none waits for ever (an older batch aborts a younger one
// in its way), and each is seen whole or not at all.
func TestCrossingBatchesAllOrNothing(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	srv := startStandin(t)
	s := openAt(t, srv.URL(), Config{BatchTimeout: 2 * time.Second})
	defer s.Close()
	x, y := agg("140100", "X"), agg("140200", "Y")
	const writers, each = 4, 6
	var wg sync.WaitGroup
	var mu sync.Mutex
	stored := map[string]bool{} // correlation id of each batch reported stored
	failed := map[string]bool{}
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				corr := events.NewID()
				dx, dy := notes(fmt.Sprintf("x%d-%d", w, i), 1), notes(fmt.Sprintf("y%d-%d", w, i), 1)
				dx[0].CorrelationID, dy[0].CorrelationID = corr, corr
				cx := events.Change{Aggregate: x, Expect: events.Any, Events: dx}
				cy := events.Change{Aggregate: y, Expect: events.Any, Events: dy}
				changes := []events.Change{cx, cy}
				if w%2 == 1 {
					changes = []events.Change{cy, cx}
				}
				_, err := s.Append(ctx, changes...)
				mu.Lock()
				if err == nil {
					stored[corr.String()] = true
				} else {
					require.Equal(t, domain.Conflict, domain.KindOf(err), "%v", err)
					failed[corr.String()] = true
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	require.NoError(t, ctx.Err(), "the writers finished")
	seen := map[string]int{}
	for _, e := range storetest.ReadAll(t, s, events.Query{}) {
		seen[e.CorrelationID.String()]++
	}
	for corr := range stored {
		require.Equal(t, 2, seen[corr], "batch %s stored whole", corr)
	}
	for corr := range failed {
		require.Zero(t, seen[corr], "failed batch %s stored nothing", corr)
	}
	require.Len(t, seen, len(stored))
	require.NotEmpty(t, stored)
	t.Logf("%d batches stored, %d refused after retries", len(stored), len(failed))
	rep := verifyOK(t, s)
	require.Equal(t, 2*len(stored), rep.Events)
}

// Other programs' streams and the server's own events are not the ledger's:
// reads, the last position and verification pass over them.
func TestForeignAndSystemEventsIgnored(t *testing.T) {
	ctx := context.Background()
	srv := startStandin(t)
	s := openAt(t, srv.URL(), Config{})
	defer s.Close()
	got, err := s.Append(ctx, events.Change{Aggregate: agg("140100", "F"), Events: notes("mine", 2)})
	require.NoError(t, err)
	srv.AppendRaw("$stats-127.0.0.1:2113", "$statsCollected", []byte(`{}`), nil)
	srv.AppendRaw("ledger2-140100-note-F", "note.noted", []byte(`{"text":"theirs"}`), []byte(`{}`))
	srv.AppendRaw("orders-1", "order.placed", []byte(`{}`), nil)
	last, err := s.LastPosition(ctx)
	require.NoError(t, err)
	require.Equal(t, got[1].Position, last)
	all := storetest.ReadAll(t, s, events.Query{})
	require.Len(t, all, 2)
	rep := verifyOK(t, s)
	require.Equal(t, 2, rep.Events)
	require.Equal(t, got[1].Position, rep.LastPosition)

	// Positions are $all positions: increasing, not dense.
	require.Greater(t, got[1].Position, got[0].Position+1)
}

// An append too large for one server append is refused before anything is
// sent, as invalid input.
func TestRefusesAppendOverServerLimit(t *testing.T) {
	ctx := context.Background()
	srv := startStandin(t)
	s := openAt(t, srv.URL(), Config{MaxAppendBytes: 4096})
	defer s.Close()
	_, err := s.Append(ctx, events.Change{Aggregate: agg("140100", "BIG"), Events: notes(strings.Repeat("x", 1000), 10)})
	require.Error(t, err)
	require.Equal(t, domain.Invalid, domain.KindOf(err), "%v", err)
	require.Empty(t, recordsOf(srv, "ledger-"))
}

// Two ledgers with different prefixes share a server without seeing each
// other; a bad prefix or a missing URL is refused.
func TestPrefixes(t *testing.T) {
	ctx := context.Background()
	srv := startStandin(t)
	s1 := openAt(t, srv.URL(), Config{})
	defer s1.Close()
	s2 := openAt(t, srv.URL(), Config{Prefix: "ledger_test"})
	defer s2.Close()
	_, err := s1.Append(ctx, events.Change{Aggregate: agg("140100", "P"), Events: notes("one", 1)},
		events.Change{Aggregate: agg("140200", "P"), Events: notes("one", 1)})
	require.NoError(t, err)
	_, err = s2.Append(ctx, events.Change{Aggregate: agg("140100", "P"), Events: notes("two", 3)})
	require.NoError(t, err)
	require.Len(t, storetest.ReadAll(t, s1, events.Query{}), 2)
	require.Len(t, storetest.ReadAll(t, s2, events.Query{}), 3)
	require.Equal(t, 2, verifyOK(t, s1).Events)

	for _, cfg := range []Config{
		{URL: srv.URL(), Registry: storetest.Registry(), Prefix: "Ledger-1"},
		{URL: srv.URL(), Registry: storetest.Registry(), Prefix: "a.b"},
		{Registry: storetest.Registry()},
		{URL: srv.URL()},
		{URL: "http://nowhere", Registry: storetest.Registry()},
	} {
		_, err := Open(ctx, cfg)
		require.Error(t, err)
		require.Equal(t, domain.Invalid, domain.KindOf(err), "%v", err)
	}
}

// The stand-in keeps the server's concurrency and idempotency rules, which
// the backend relies on; checked here through the real client.
func TestStandinAppendRules(t *testing.T) {
	ctx := context.Background()
	srv := startStandin(t)
	s := openAt(t, srv.URL(), Config{})
	defer s.Close()
	c := s.Client()
	data := func(names ...string) []kdb.EventData {
		out := make([]kdb.EventData, len(names))
		for i, n := range names {
			out[i] = kdb.EventData{EventID: uuid.NewSHA1(uuid.NameSpaceOID, []byte(n)), EventType: "rule.tested", ContentType: kdb.ContentTypeJson, Data: []byte(`{}`)}
		}
		return out
	}
	at := func(r kdb.ExpectedRevision) kdb.AppendToStreamOptions {
		return kdb.AppendToStreamOptions{ExpectedRevision: r}
	}
	const stream = "rules-1"
	// NoStream on a new stream stores; the same append again is idempotent.
	r1, err := c.AppendToStream(ctx, stream, at(kdb.NoStream{}), data("a", "b")...)
	require.NoError(t, err)
	require.Equal(t, uint64(1), r1.NextExpectedVersion)
	require.NotZero(t, r1.CommitPosition)
	require.Greater(t, r1.CommitPosition, r1.PreparePosition, "commit position of the last event, prepare of the first")
	r2, err := c.AppendToStream(ctx, stream, at(kdb.NoStream{}), data("a", "b")...)
	require.NoError(t, err)
	require.Equal(t, uint64(1), r2.NextExpectedVersion)
	require.Zero(t, r2.CommitPosition, "an idempotent append reports no position")
	r3, err := c.AppendToStream(ctx, stream, at(kdb.Revision(0)), data("b")...)
	require.NoError(t, err, "idempotent from a revision too")
	require.Equal(t, uint64(1), r3.NextExpectedVersion)
	// Other ids at a stale revision conflict; so does a partial match, and a
	// revision beyond the stream's end.
	for _, tc := range []struct {
		rev   kdb.ExpectedRevision
		names []string
	}{
		{kdb.NoStream{}, []string{"c"}},
		{kdb.NoStream{}, []string{"a", "c"}},
		{kdb.NoStream{}, []string{"a", "b", "c"}},
		{kdb.Revision(5), []string{"c"}},
	} {
		_, err = c.AppendToStream(ctx, stream, at(tc.rev), data(tc.names...)...)
		require.True(t, isWrongVersion(err), "%v %v: %v", tc.rev, tc.names, err)
	}
	before := srv.Appends()
	_, err = c.AppendToStream(ctx, stream, at(kdb.Revision(1)), data("c")...)
	require.NoError(t, err)
	require.Equal(t, before+1, srv.Appends())
	recs := recordsOf(srv, stream)
	require.Len(t, recs, 3)
	for i, r := range recs {
		require.Equal(t, uint64(i), r.Revision)
	}
	_, err = c.AppendToStream(ctx, "rules-2", at(kdb.StreamExists{}), data("d")...)
	require.True(t, isWrongVersion(err), "%v", err)
}
