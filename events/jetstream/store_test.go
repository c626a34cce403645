package jetstream_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	njs "github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/events"
	"github.com/shanxi-water/ledger/events/jetstream"
	"github.com/shanxi-water/ledger/events/storetest"
)

func openStore(t *testing.T, dir string, reg *events.Registry, clock events.Clock) events.Store {
	t.Helper()
	s, err := jetstream.Open(context.Background(), jetstream.Config{DataDir: dir, Registry: reg, Clock: clock})
	require.NoError(t, err)
	return s
}

// tamper edits the message blocks of the embedded server's data directory.
func tamper(t *testing.T, dir string, ev events.Event, old, new string) {
	t.Helper()
	require.Equal(t, len(old), len(new))
	found := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".blk") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if n := bytes.Count(b, []byte(old)); n > 0 {
			found += n
			return os.WriteFile(path, bytes.ReplaceAll(b, []byte(old), []byte(new)), 0o640)
		}
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, 1, found, "the payload of event %s is stored once", ev.ID)
}

func TestConformance(t *testing.T) {
	storetest.Run(t, storetest.Harness{
		NewLocation: func(t *testing.T) string { return t.TempDir() },
		Open:        openStore,
		Tamper:      tamper,
	})
}

// The last event of the log altered, and a header altered instead of the
// payload: both are found.
func TestTamperLastEventAndHeader(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openStore(t, dir, storetest.Registry(), nil)
	a := events.Aggregate{Scope: "140800", Type: "section", ID: "HJDQ"}
	evs, err := s.Append(ctx, events.Change{Aggregate: a, Events: []events.Draft{
		{OccurredAt: time.Date(2019, 5, 1, 0, 0, 0, 0, time.UTC), Actor: domain.Actor{ID: "station-9", Role: domain.Station}, Data: storetest.Noted{Text: "cod=38.5", N: 1}},
		{OccurredAt: time.Date(2019, 6, 1, 0, 0, 0, 0, time.UTC), Actor: domain.Actor{ID: "station-9", Role: domain.Station}, Data: storetest.Noted{Text: "cod=41.0", N: 2}},
	}})
	require.NoError(t, err)
	require.NoError(t, s.Close())
	tamper(t, dir, evs[1], "cod=41.0", "cod=21.0")
	tamper(t, dir, evs[0], "2019-05-01T00", "2019-05-11T00") // its occurred-at header

	s = openStore(t, dir, storetest.Registry(), nil)
	defer s.Close()
	rep, err := s.Verify(ctx)
	require.NoError(t, err)
	require.Len(t, rep.Problems, 2, "%v", rep.Problems)
	for i, p := range rep.Problems {
		require.Equal(t, evs[i].Position, p.Position)
		require.Equal(t, evs[i].ID, p.EventID)
		require.Equal(t, a, p.Aggregate)
		require.Contains(t, p.Reason, "hash mismatch")
	}
}

// Filtered reads end where their consumer has nothing more to deliver, and
// delete it without waiting for the answer: the reads return every event
// and nothing more, and no consumer is left behind.
func TestFilteredReadsLeaveNoConsumers(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir(), storetest.Registry(), nil).(*jetstream.Store)
	defer s.Close()
	actor := domain.Actor{ID: "station-9", Role: domain.Station}
	aggs := []events.Aggregate{
		{Scope: "140800", Type: "section", ID: "HJDQ"},
		{Scope: "140800", Type: "section", ID: "FHKY"},
		{Scope: "140100", Type: "task", ID: "T-1"},
	}
	want := map[events.Aggregate]int{}
	for round := range 5 {
		for k, a := range aggs[:2+round%2] {
			_, err := s.Append(ctx, events.Change{Aggregate: a, Expect: events.ExpectedVersion(want[a]), Events: []events.Draft{
				{OccurredAt: time.Date(2019, 5, 1+round, 0, 0, 0, 0, time.UTC), Actor: actor, Data: storetest.Noted{Text: "r", N: round*10 + k}},
			}})
			require.NoError(t, err)
			want[a]++
		}
	}
	for range 20 {
		for _, a := range aggs {
			evs, err := s.Load(ctx, a)
			require.NoError(t, err)
			require.Len(t, evs, want[a], "%s", a)
			for i, e := range evs {
				require.Equal(t, a, e.Aggregate)
				require.Equal(t, uint64(i+1), e.Version)
			}
		}
		n := 0
		require.NoError(t, s.Read(ctx, events.Query{Types: []events.AggregateType{"section"}, To: 4}, func(e events.Event) error {
			require.LessOrEqual(t, e.Position, uint64(4))
			n++
			return nil
		}))
		require.Equal(t, 4, n, "the first four events are of sections")
		none, err := s.Load(ctx, events.Aggregate{Scope: "140100", Type: "task", ID: "T-2"})
		require.NoError(t, err)
		require.Empty(t, none)
	}
	st, err := s.JetStream().Stream(ctx, s.StreamName())
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		info, err := st.Info(ctx)
		return err == nil && info.State.Consumers == 0
	}, 5*time.Second, 20*time.Millisecond, "the reads' consumers are deleted")
}

// A read that ends before the log does asks the server for no more than it
// reads: it asked for thousands of messages, and the server sent the rest of
// the log to be dropped (ten events from the middle of the demo's log took
// 7 ms instead of 0.75). Counted as the messages the connection received.
func TestBoundedReadAsksForWhatItReads(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir(), storetest.Registry(), nil).(*jetstream.Store)
	defer s.Close()
	actor := domain.Actor{ID: "station-9", Role: domain.Station}
	a := events.Aggregate{Scope: "140800", Type: "section", ID: "HJDQ"}
	drafts := make([]events.Draft, 1000)
	for i := range drafts {
		drafts[i] = events.Draft{OccurredAt: time.Date(2019, 5, 1, 0, 0, 0, 0, time.UTC), Actor: actor, Data: storetest.Noted{Text: "r", N: i}}
	}
	for start := 0; start < len(drafts); start += 100 {
		_, err := s.Append(ctx, events.Change{Aggregate: a, Expect: events.ExpectedVersion(start), Events: drafts[start : start+100]})
		require.NoError(t, err)
	}
	nc := s.JetStream().Conn()
	before := nc.Stats().InMsgs
	n := 0
	require.NoError(t, s.Read(ctx, events.Query{From: 100, To: 149}, func(e events.Event) error {
		n++
		return nil
	}))
	require.Equal(t, 50, n)
	time.Sleep(100 * time.Millisecond) // for anything sent past the end to arrive
	got := nc.Stats().InMsgs - before
	require.Less(t, got, uint64(60), "messages received to read 50 events (and the API's answers)")
}

// A client of the embedded server's port follows the log but cannot write
// to it: a message it published on a ledger subject would be stored as an
// event of the log. The ledger itself appends as before, and a second
// store on the writer's URL may append too.
func TestListeningPortIsReadOnly(t *testing.T) {
	ctx := context.Background()
	s, err := jetstream.Open(ctx, jetstream.Config{DataDir: t.TempDir(), Listen: "127.0.0.1:-1", Registry: storetest.Registry()})
	require.NoError(t, err)
	defer s.Close()
	a := events.Aggregate{Scope: "140800", Type: "section", ID: "HJDQ"}
	note := func(st events.Store, n int) error {
		_, err := st.Append(ctx, events.Change{Aggregate: a, Expect: events.Any, Events: []events.Draft{{OccurredAt: time.Date(2019, 5, 1, 0, 0, 0, 0, time.UTC),
			Actor: domain.Actor{ID: "station-9", Role: domain.Station}, Data: storetest.Noted{Text: "cod", N: n}}}})
		return err
	}

	reader, err := nats.Connect(s.ClientURL())
	require.NoError(t, err)
	defer reader.Close()
	sub, err := reader.SubscribeSync("ledger.>")
	require.NoError(t, err)
	require.NoError(t, reader.Flush())
	require.NoError(t, note(s, 1))
	msg, err := sub.NextMsg(5 * time.Second)
	require.NoError(t, err, "the reader follows the log")
	require.True(t, strings.HasPrefix(msg.Subject, "ledger.140800."))

	before, err := s.LastPosition(ctx)
	require.NoError(t, err)
	require.NoError(t, reader.Publish(msg.Subject, []byte(`{"text":"forged","n":9}`)))
	err = reader.Flush()
	if err == nil {
		err = reader.LastError()
	}
	require.ErrorContains(t, err, "Permissions Violation", "publishing is refused")
	_, err = reader.Request("$JS.API.STREAM.INFO."+s.StreamName(), nil, time.Second)
	require.Error(t, err, "so is the JetStream API")
	after, err := s.LastPosition(ctx)
	require.NoError(t, err)
	require.Equal(t, before, after, "nothing stored")

	// A ledger command pointed at the read-only port is told why it cannot
	// go on, not asked to wait a minute for answers that never come.
	octx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	_, err = jetstream.Open(octx, jetstream.Config{URL: s.ClientURL(), MustExist: true, Registry: storetest.Registry()})
	require.Equal(t, domain.Forbidden, domain.KindOf(err), "%v", err)
	require.ErrorContains(t, err, "does not let this user use JetStream")

	other, err := jetstream.Open(ctx, jetstream.Config{URL: s.WriterURL(), Registry: storetest.Registry()})
	require.NoError(t, err)
	defer other.Close()
	require.NoError(t, note(other, 2), "a writer with the ledger's credentials appends")
}

// copySource is an embedded log of three appends: one event, three events
// of two aggregates, one event.
func copySource(t *testing.T) *jetstream.Store {
	t.Helper()
	ctx := context.Background()
	src, err := jetstream.Open(ctx, jetstream.Config{DataDir: t.TempDir(), Registry: storetest.Registry()})
	require.NoError(t, err)
	t.Cleanup(func() { src.Close() })
	a := events.Aggregate{Scope: "140100", Type: "note", ID: "SRC-A"}
	b := events.Aggregate{Scope: "140200", Type: "note", ID: "SRC-B"}
	n := 0
	note := func(k int) []events.Draft {
		out := make([]events.Draft, k)
		for i := range out {
			n++
			out[i] = events.Draft{OccurredAt: time.Date(2019, 5, 1, 0, 0, 0, 0, time.UTC), Actor: domain.Actor{ID: "t", Role: domain.Admin}, Data: storetest.Noted{Text: "source", N: n}}
		}
		return out
	}
	for _, changes := range [][]events.Change{
		{{Aggregate: a, Expect: events.Any, Events: note(1)}},
		{{Aggregate: a, Expect: events.Any, Events: note(2)}, {Aggregate: b, Expect: events.Any, Events: note(1)}},
		{{Aggregate: b, Expect: events.Any, Events: note(1)}},
	} {
		_, err := src.Append(ctx, changes...)
		require.NoError(t, err)
	}
	return src
}

// A copy whose appends were stored but whose acknowledgements were all
// lost finds each stored where it goes, and counts it: it is not taken
// for another writer's (it was, and the copy stopped with nothing counted).
func TestCopyWithLostAcks(t *testing.T) {
	ctx := context.Background()
	src := copySource(t)
	dst := openStore(t, t.TempDir(), storetest.Registry(), nil).(*jetstream.Store)
	defer dst.Close()
	var lost atomic.Int32
	jetstream.LoseAck(dst, func() bool { lost.Add(1); return true })

	rep, err := dst.Copy(ctx, src.Backend(), nil)
	require.NoError(t, err)
	require.Equal(t, events.CopyReport{Checked: 5, Copied: 5, Commits: 3, LastPosition: 5}, rep)
	require.Equal(t, int32(3), lost.Load(), "each append stored once, its acknowledgement lost (a resend the server refuses is not counted here: the log's five positions below show nothing was stored twice)")
	vr, err := dst.Verify(ctx)
	require.NoError(t, err)
	require.True(t, vr.OK(), "%v", vr.Problems)
	require.Equal(t, uint64(5), vr.LastPosition)
}

// An append of a copy that goes unanswered is never sent again without
// its check that the target's log ends where it goes: when another
// writer's event landed there meanwhile, the copy stops, and nothing of
// it is stored after the stranger's event (sent again as a plain commit,
// it was). One that went unanswered while its place stayed free is sent
// again, and stored there.
func TestCopyAppendUnanswered(t *testing.T) {
	ctx := context.Background()
	src := copySource(t)

	t.Run("a stranger meanwhile", func(t *testing.T) {
		dst := openStore(t, t.TempDir(), storetest.Registry(), nil).(*jetstream.Store)
		defer dst.Close()
		var stranger []events.Event
		jetstream.BeforePublish(dst, func(m *nats.Msg) error {
			if stranger != nil || m.Header.Get(njs.ExpectedLastSeqHeader) != "4" {
				return nil
			}
			// The copy's last append: another writer's event lands first,
			// and the copy's answer is lost.
			var err error
			stranger, err = dst.Append(ctx, events.Change{Aggregate: events.Aggregate{Scope: "140100", Type: "note", ID: "STRANGER"},
				Events: []events.Draft{{OccurredAt: time.Date(2019, 5, 1, 0, 0, 0, 0, time.UTC), Actor: domain.Actor{ID: "t", Role: domain.Admin}, Data: storetest.Noted{Text: "stranger"}}}})
			require.NoError(t, err)
			return nats.ErrTimeout
		})
		rep, cerr := dst.Copy(ctx, src.Backend(), nil)
		require.Equal(t, uint64(5), stranger[0].Position)
		last, err := dst.LastPosition(ctx)
		require.NoError(t, err)
		require.Equal(t, uint64(5), last, "nothing of the copy after the stranger's event")
		require.Equal(t, domain.Conflict, domain.KindOf(cerr), "%v", cerr)
		require.Equal(t, "to", domain.FieldOf(cerr))
		require.Contains(t, cerr.Error(), fmt.Sprintf("storing position 5: something else wrote to the target during the copy: position 5 holds %s of 140100/note/STRANGER, and nothing of the copy was stored after it", stranger[0].ID))
		require.Equal(t, 4, rep.Copied)
	})

	t.Run("its place still free", func(t *testing.T) {
		dst := openStore(t, t.TempDir(), storetest.Registry(), nil).(*jetstream.Store)
		defer dst.Close()
		var sent atomic.Int32
		jetstream.BeforePublish(dst, func(m *nats.Msg) error {
			if m.Header.Get(njs.ExpectedLastSeqHeader) == "4" && sent.Add(1) <= 2 {
				return nats.ErrTimeout // not sent: nothing stored
			}
			return nil
		})
		rep, err := dst.Copy(ctx, src.Backend(), nil)
		require.NoError(t, err)
		require.Equal(t, events.CopyReport{Checked: 5, Copied: 5, Commits: 3, LastPosition: 5}, rep)
		require.Equal(t, int32(3), sent.Load(), "sent again twice, with its check")
		vr, err := dst.Verify(ctx)
		require.NoError(t, err)
		require.True(t, vr.OK(), "%v", vr.Problems)
	})

	t.Run("never answered", func(t *testing.T) {
		dst := openStore(t, t.TempDir(), storetest.Registry(), nil).(*jetstream.Store)
		defer dst.Close()
		jetstream.BeforePublish(dst, func(m *nats.Msg) error {
			if m.Header.Get(njs.ExpectedLastSeqHeader) == "4" {
				return nats.ErrTimeout
			}
			return nil
		})
		rep, err := dst.Copy(ctx, src.Backend(), nil)
		require.Equal(t, domain.Unavailable, domain.KindOf(err), "%v", err)
		require.Contains(t, err.Error(), "storing position 5: all 5 tries went unanswered")
		require.Equal(t, 4, rep.Copied)
		last, err := dst.LastPosition(ctx)
		require.NoError(t, err)
		require.Equal(t, uint64(4), last)
	})
}

// A question that goes unanswered is asked again, unless a permissions
// violation of the JetStream API arrived while it was asked: one from
// before (which the connection keeps for good) made every later timeout
// "forbidden".
func TestAskAgainTellsItsOwnViolation(t *testing.T) {
	ctx := context.Background()
	srv, err := server.NewServer(&server.Options{
		Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoSigs: true, NoLog: true,
		Users: []*server.User{{Username: "ledger", Password: "secret", Permissions: &server.Permissions{
			Publish: &server.SubjectPermission{Allow: []string{">"}, Deny: []string{"$JS.API.STREAM.DELETE.>"}}}}},
	})
	require.NoError(t, err)
	srv.Start()
	require.True(t, srv.ReadyForConnections(10*time.Second))
	defer srv.Shutdown()
	url := strings.Replace(srv.ClientURL(), "://", "://ledger:secret@", 1)
	s, err := jetstream.Open(ctx, jetstream.Config{URL: url, Registry: storetest.Registry()})
	require.NoError(t, err)
	defer s.Close()
	forbidden := func() {
		require.NoError(t, s.Conn().Publish("$JS.API.STREAM.DELETE.LEDGER", nil))
		require.NoError(t, s.Conn().Flush())
		require.Eventually(t, func() bool { return errors.Is(s.Conn().LastError(), nats.ErrPermissionViolation) }, 5*time.Second, 10*time.Millisecond)
	}

	forbidden() // long before the question
	asked := 0
	err = jetstream.AskAgain(ctx, s, "stream info", func(context.Context) error {
		if asked++; asked < 3 {
			return context.DeadlineExceeded
		}
		return nil
	})
	require.NoError(t, err, "asked again")
	require.Equal(t, 3, asked)

	asked = 0
	err = jetstream.AskAgain(ctx, s, "stream info", func(context.Context) error {
		asked++
		forbidden()
		return context.DeadlineExceeded
	})
	require.Equal(t, 1, asked, "not asked again")
	require.Equal(t, domain.Forbidden, domain.KindOf(err), "%v", err)
	require.Equal(t, "nats", domain.FieldOf(err))
	require.ErrorContains(t, err, "jetstream: nats: stream info: the server does not let this user use JetStream")
}

// Verify walks the log as it was when it began: events appended while it
// walks are not reported as missing from it.
func TestVerifyWhileAppending(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir(), storetest.Registry(), nil)
	defer s.Close()
	note := func(i int) events.Change {
		return events.Change{Aggregate: events.Aggregate{Scope: "140100", Type: "note", ID: events.AggregateID(fmt.Sprintf("V%d", i%20))}, Expect: events.Any,
			Events: []events.Draft{{OccurredAt: time.Date(2019, 5, 1, 0, 0, 0, 0, time.UTC), Actor: domain.Actor{ID: "station-9", Role: domain.Station}, Data: storetest.Noted{Text: "v", N: i}}}}
	}
	for i := range 2000 {
		_, err := s.Append(ctx, note(i))
		require.NoError(t, err)
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 2000; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := s.Append(ctx, note(i)); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for range 5 {
		rep, err := s.Verify(ctx)
		require.NoError(t, err)
		require.True(t, rep.OK(), "%v", rep.Problems)
	}
	close(stop)
	<-done
}

// Verify and Copy while atomic appends of many events are being stored: a
// server's last position can fall inside one still in flight, which is
// not a log cut short (both reported it so, now and then).
func TestVerifyAndCopyWhileBatchesAreStored(t *testing.T) {
	if testing.Short() {
		t.Skip("appends batches for a few seconds; skipped with -short")
	}
	ctx := context.Background()
	s := openStore(t, t.TempDir(), storetest.Registry(), nil).(*jetstream.Store)
	defer s.Close()
	batch := func(round int) []events.Change {
		var out []events.Change
		for k := range 4 {
			drafts := make([]events.Draft, 100)
			for j := range drafts {
				drafts[j] = events.Draft{OccurredAt: time.Date(2019, 5, 1, 0, 0, 0, 0, time.UTC), Actor: domain.Actor{ID: "station-9", Role: domain.Station}, Data: storetest.Noted{Text: "b", N: round}}
			}
			out = append(out, events.Change{Aggregate: events.Aggregate{Scope: "140100", Type: "note", ID: events.AggregateID(fmt.Sprintf("B%d", k))}, Expect: events.Any, Events: drafts})
		}
		return out
	}
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := s.Append(ctx, batch(i)...); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for i := range 24 {
		rep, err := s.Verify(ctx)
		require.NoError(t, err)
		require.True(t, rep.OK(), "walk %d: %v", i, rep.Problems)
		if i%6 == 0 {
			dst := openStore(t, t.TempDir(), storetest.Registry(), nil).(*jetstream.Store)
			_, err := dst.Copy(ctx, s.Backend(), nil)
			require.NoError(t, err, "copy %d", i)
			require.NoError(t, dst.Close())
		}
	}
	close(stop)
	<-done
}
