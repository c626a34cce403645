package snapstore_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/enforcement"
	"github.com/shanxi-water/ledger/domain/officials"
	"github.com/shanxi-water/ledger/domain/plan"
	"github.com/shanxi-water/ledger/events"
	"github.com/shanxi-water/ledger/events/jetstream"
	"github.com/shanxi-water/ledger/ledgertest"
	"github.com/shanxi-water/ledger/projections"
	"github.com/shanxi-water/ledger/projections/accountability"
	"github.com/shanxi-water/ledger/projections/cards"
	"github.com/shanxi-water/ledger/projections/quality"
	"github.com/shanxi-water/ledger/projections/snapstore"
	"github.com/shanxi-water/ledger/projections/taskboard"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

type fixture struct {
	s     *jetstream.Store
	snaps *snapstore.Store
	h     *ledgertest.History
}

func open(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	s, h := ledgertest.Open(t, 1)
	return &fixture{s: s, snaps: snapstore.New(ctx, s.JetStream(), s.StreamName()), h: h}
}

func (f *fixture) years(t *testing.T, ys ...int) {
	t.Helper()
	for _, y := range ys {
		require.NoError(t, f.h.Year(context.Background(), y))
	}
}

// models are the read models ledger serve keeps live.
type models struct {
	q *quality.Model
	b *taskboard.Board
	c *cards.Model
	a *accountability.Model
}

func newModels() models {
	return models{quality.New(quality.Options{}), taskboard.New(), cards.New(), accountability.New()}
}

func (m models) list() []projections.Projection { return []projections.Projection{m.q, m.b, m.c, m.a} }

func (m models) snapshotters() []projections.Snapshotter {
	return []projections.Snapshotter{m.q, m.b, m.c, m.a}
}

// fullReplay builds the models from the whole log (as known at t, if set).
func (f *fixture) fullReplay(t *testing.T, at time.Time) models {
	t.Helper()
	m := newModels()
	_, err := projections.Replay(context.Background(), f.s, events.Query{RecordedBy: at}, m.list()...)
	require.NoError(t, err)
	return m
}

// requireSame checks that two sets of models hold the same state, field by
// field, and give the same answers to every query the product asks.
func requireSame(t *testing.T, want, got models) {
	t.Helper()
	require.Equal(t, want.q, got.q, "quality")
	require.Equal(t, want.b, got.b, "taskboard")
	require.Equal(t, want.c, got.c, "cards")
	require.Equal(t, want.a, got.a, "accountability")
	for y := 2016; y <= 2019; y++ {
		for _, c := range domain.Cities {
			require.Equal(t, want.q.City(c.ID, y), got.q.City(c.ID, y))
			require.Equal(t, want.c.CityYear(domain.CityScope(c.ID), y), got.c.CityYear(domain.CityScope(c.ID), y))
			require.Equal(t, want.a.Cases(c.ID), got.a.Cases(c.ID))
		}
		for _, b := range []domain.Basin{domain.Yellow, domain.Hai} {
			require.Equal(t, want.q.Basin(b, y), got.q.Basin(b, y))
		}
		for _, sec := range ledgertest.Sections {
			require.Equal(t, want.q.Months(sec.ID, y), got.q.Months(sec.ID, y))
		}
		day := plan.NewDate(y, 12, 31)
		require.Equal(t, want.b.Year(y, day), got.b.Year(y, day))
		require.Equal(t, want.b.Overdue(day), got.b.Overdue(day))
		require.Equal(t, want.c.Register(day), got.c.Register(day))
		for q := 1; q <= 4; q++ {
			require.Equal(t, want.c.QuarterList(domain.Province, enforcement.Quarter{Year: y, Q: q}), got.c.QuarterList(domain.Province, enforcement.Quarter{Year: y, Q: q}))
		}
	}
	require.Equal(t, want.c.Publications(), got.c.Publications())
	require.Equal(t, want.a.Officials(), got.a.Officials())
	require.Equal(t, want.q.LastEvent, got.q.LastEvent)
}

// runLive runs a Live over fresh models with snapshots until it has applied
// the whole log, then stops it gracefully and returns it and its models.
func (f *fixture) runLive(t *testing.T, o projections.SnapshotOptions) (*projections.Live, models) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	m := newModels()
	l := projections.NewLive(f.s, m.list()...)
	o.Store, o.Logger = f.snaps, quiet
	l.UseSnapshots(o)
	done := make(chan error, 1)
	go func() { done <- l.Run(ctx) }()
	last, err := f.s.LastPosition(ctx)
	require.NoError(t, err)
	require.True(t, l.WaitFor(ctx, last, 30*time.Second))
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
	require.NoError(t, l.Err())
	return l, m
}

// A restart restores the newest snapshot and follows the log from the
// position after it: the models equal a full replay, field for field.
func TestSnapshotPlusTailEqualsFullReplay(t *testing.T) {
	ctx := context.Background()
	f := open(t)
	f.years(t, 2016, 2017)
	first, err := f.s.LastPosition(ctx)
	require.NoError(t, err)

	l, _ := f.runLive(t, projections.SnapshotOptions{Every: 1 << 40, Interval: time.Hour})
	require.Zero(t, l.Restored().Position, "nothing to restore the first time")
	stored, failed := l.SnapshotsTaken()
	require.Equal(t, uint64(1), stored, "one snapshot, when it stopped")
	require.Zero(t, failed)

	f.years(t, 2018)
	last, err := f.s.LastPosition(ctx)
	require.NoError(t, err)
	require.Greater(t, last, first+100, "a long tail")

	l, m := f.runLive(t, projections.SnapshotOptions{Every: 1 << 40, Interval: time.Hour})
	require.Equal(t, first, l.Restored().Position, "restored at the first run's end")
	require.Equal(t, last-first, l.Applied(), "then only the tail applied")
	requireSame(t, f.fullReplay(t, time.Time{}), m)

	// Restoring the newest snapshot (taken at the end) and applying nothing
	// gives the same models again.
	l, m = f.runLive(t, projections.SnapshotOptions{Every: 1 << 40, Interval: time.Hour})
	require.Equal(t, last, l.Restored().Position)
	require.Zero(t, l.Applied())
	requireSame(t, f.fullReplay(t, time.Time{}), m)
	stored, _ = l.SnapshotsTaken()
	require.Zero(t, stored, "nothing new to snapshot")
}

// Snapshots every N events keep a history; a replay as the ledger knew it
// on a date starts from the newest snapshot taken by then and equals a full
// replay as of that date.
func TestReplayAsOfFromSnapshots(t *testing.T) {
	ctx := context.Background()
	f := open(t)
	f.years(t, 2016, 2017, 2018)
	sets, err := projections.BackfillSnapshots(ctx, f.s, f.snaps, 40, nil, newModels().snapshotters()...)
	require.NoError(t, err)
	require.Greater(t, sets, 10)
	list, err := f.snaps.List(ctx)
	require.NoError(t, err)
	require.Len(t, list, 4*sets, "every set kept")

	for _, at := range []time.Time{
		time.Date(2016, 1, 4, 0, 0, 0, 0, domain.CST), // before anything: no snapshot, nothing
		time.Date(2016, 9, 30, 23, 59, 59, 0, domain.CST),
		time.Date(2017, 3, 15, 10, 0, 0, 0, domain.CST), // the moment of a publication
		time.Date(2018, 12, 31, 23, 59, 59, 0, domain.CST),
		time.Date(2030, 1, 1, 0, 0, 0, 0, domain.CST), // after everything
	} {
		m := newModels()
		pos, r, err := projections.ReplayAsOf(ctx, f.s, f.snaps, at, m.snapshotters()...)
		require.NoError(t, err)
		want := f.fullReplay(t, at)
		requireSame(t, want, m)
		require.Equal(t, want.q.LastEvent, pos)
		require.Empty(t, r.Skipped)
		if at.Year() > 2016 || at.Month() > 1 {
			require.NotZero(t, r.Position, "a snapshot at or before %s", at)
			require.False(t, r.MaxRecordedAt.After(at))
		} else {
			require.Zero(t, r.Position)
		}
	}
}

// corrupt replaces every model's snapshot at the newest position with bytes
// from bad.
func corrupt(t *testing.T, f *fixture, bad func(model string, data []byte) []byte) uint64 {
	t.Helper()
	ctx := context.Background()
	list, err := f.snaps.List(ctx)
	require.NoError(t, err)
	var newest uint64
	for _, in := range list {
		newest = max(newest, in.Position)
	}
	for _, in := range list {
		if in.Position != newest {
			continue
		}
		data, err := f.snaps.Get(ctx, in)
		require.NoError(t, err)
		data = bad(in.Model, data)
		in.Size = int64(len(data))
		require.NoError(t, f.snaps.Put(ctx, in, data))
	}
	return newest
}

// A snapshot that cannot be restored is skipped: the next older one is
// used, and without one the whole log is replayed; the models are the same.
func TestCorruptSnapshotFallsBack(t *testing.T) {
	ctx := context.Background()
	for name, bad := range map[string]func(string, []byte) []byte{
		"garbage":   func(string, []byte) []byte { return []byte("\x00\x01 not a snapshot") },
		"truncated": func(_ string, b []byte) []byte { return b[:len(b)/2] },
		"a section short": func(model string, b []byte) []byte {
			if model != quality.SnapshotName {
				return b
			}
			// Valid JSON, but a section fewer than it says it holds.
			var v map[string]any
			require.NoError(t, json.Unmarshal(b, &v))
			v["sections"] = v["sections"].([]any)[1:]
			out, err := json.Marshal(v)
			require.NoError(t, err)
			return out
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := open(t)
			f.years(t, 2016)
			f.runLive(t, projections.SnapshotOptions{Every: 1 << 40})
			f.years(t, 2017)
			f.runLive(t, projections.SnapshotOptions{Every: 1 << 40})
			newest := corrupt(t, f, bad)

			m := newModels()
			r, err := projections.RestoreSnapshots(ctx, f.s, f.snaps, time.Time{}, 0, m.snapshotters()...)
			require.NoError(t, err)
			require.NotZero(t, r.Position)
			require.Less(t, r.Position, newest, "the older set")
			require.Len(t, r.Skipped, 1, "%v", r.Skipped)
			require.Contains(t, r.Skipped[0], "snapshot at position")

			l, m := f.runLive(t, projections.SnapshotOptions{Every: 1 << 40})
			require.Equal(t, r.Position, l.Restored().Position)
			requireSame(t, f.fullReplay(t, time.Time{}), m)

			// Every snapshot corrupt: the whole log replayed, the same models.
			list, err := f.snaps.List(ctx)
			require.NoError(t, err)
			require.Len(t, list, 8)
			for _, in := range list {
				data, err := f.snaps.Get(ctx, in)
				require.NoError(t, err)
				data = bad(in.Model, data)
				in.Size = int64(len(data))
				require.NoError(t, f.snaps.Put(ctx, in, data))
			}
			l, m = f.runLive(t, projections.SnapshotOptions{Every: 1 << 40})
			require.Zero(t, l.Restored().Position, "nothing usable: the whole log replayed")
			require.Len(t, l.Restored().Skipped, 2)
			requireSame(t, f.fullReplay(t, time.Time{}), m)
		})
	}
}

// Snapshots of another model version, snapshot format or event registry,
// or of another log, are not used.
func TestIncompatibleSnapshotIgnored(t *testing.T) {
	ctx := context.Background()
	for name, change := range map[string]func(*projections.SnapshotInfo){
		"model version": func(in *projections.SnapshotInfo) { in.Version++ },
		"format":        func(in *projections.SnapshotInfo) { in.Format++ },
		"registry":      func(in *projections.SnapshotInfo) { in.Registry = "0123" },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := open(t)
			f.years(t, 2016)
			f.runLive(t, projections.SnapshotOptions{Every: 1 << 40})
			list, err := f.snaps.List(ctx)
			require.NoError(t, err)
			require.Len(t, list, 4)
			for _, in := range list {
				data, err := f.snaps.Get(ctx, in)
				require.NoError(t, err)
				change(&in)
				require.NoError(t, f.snaps.Put(ctx, in, data))
			}
			m := newModels()
			r, err := projections.RestoreSnapshots(ctx, f.s, f.snaps, time.Time{}, 0, m.snapshotters()...)
			require.NoError(t, err)
			require.Zero(t, r.Position)
			require.Empty(t, r.Skipped, "not even tried")
			l, m := f.runLive(t, projections.SnapshotOptions{Every: 1 << 40})
			require.Zero(t, l.Restored().Position)
			requireSame(t, f.fullReplay(t, time.Time{}), m)
		})
	}
	t.Run("another log", func(t *testing.T) {
		f := open(t)
		f.years(t, 2016)
		f.runLive(t, projections.SnapshotOptions{Every: 1 << 40})
		list, err := f.snaps.List(ctx)
		require.NoError(t, err)
		other := events.NewID().String()
		for _, in := range list {
			data, err := f.snaps.Get(ctx, in)
			require.NoError(t, err)
			in.EventID = other
			require.NoError(t, f.snaps.Put(ctx, in, data))
		}
		l, m := f.runLive(t, projections.SnapshotOptions{Every: 1 << 40})
		require.Zero(t, l.Restored().Position)
		require.Len(t, l.Restored().Skipped, 1)
		require.Contains(t, l.Restored().Skipped[0], "not in this log")
		requireSame(t, f.fullReplay(t, time.Time{}), m)
	})
}

// Old snapshot sets are thinned to the last of each day, past the newest
// Keep.
func TestPruneSnapshots(t *testing.T) {
	ctx := context.Background()
	f := open(t)
	f.years(t, 2016)
	stored, err := projections.BackfillSnapshots(ctx, f.s, f.snaps, 5, nil, newModels().snapshotters()...)
	require.NoError(t, err)
	reg := f.s.Registry().Fingerprint()
	ms := newModels().snapshotters()
	require.NoError(t, projections.PruneSnapshots(ctx, f.snaps, reg, 3, ms...))
	list, err := f.snaps.List(ctx)
	require.NoError(t, err)
	sets := projections.UsableSets(list, ms, reg, time.Time{}, 0)
	require.Less(t, len(sets), stored)
	require.Len(t, list, 4*len(sets), "whole sets deleted")
	days := map[string]int{}
	for i, set := range sets {
		if i >= 3 {
			days[set.MaxRecordedAt.In(domain.CST).Format(time.DateOnly)]++
		}
	}
	require.Greater(t, len(days), 5)
	for d, n := range days {
		require.Equal(t, 1, n, "one set kept on %s", d)
	}
	last, err := f.s.LastPosition(ctx)
	require.NoError(t, err)
	require.Equal(t, last, sets[0].Position, "the newest kept")
}

// A Live that follows the log as it is written takes a snapshot every so
// many events, and a restart starts from the last.
func TestLiveSnapshotsAsItFollows(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := open(t)
	m := newModels()
	l := projections.NewLive(f.s, m.list()...)
	l.UseSnapshots(projections.SnapshotOptions{Store: f.snaps, Every: 60, Keep: -1, Logger: quiet})
	done := make(chan error, 1)
	go func() { done <- l.Run(ctx) }()
	f.years(t, 2016)
	last, err := f.s.LastPosition(ctx)
	require.NoError(t, err)
	require.True(t, l.WaitFor(ctx, last, 30*time.Second))
	require.Eventually(t, func() bool { n, _ := l.SnapshotsTaken(); return n >= 3 }, 10*time.Second, 10*time.Millisecond)
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
	_, failed := l.SnapshotsTaken()
	require.Zero(t, failed)

	l2, m2 := f.runLive(t, projections.SnapshotOptions{Every: 60})
	require.Equal(t, last, l2.Restored().Position, "the snapshot taken on stopping")
	requireSame(t, m, m2)
	requireSame(t, f.fullReplay(t, time.Time{}), m2)
}

// A replay as of a date skips the spans of the log whose events were all
// recorded after it, but not a span holding an event recorded by then and
// stored later (a second writer whose clock was behind).
func TestReplayAsOfSkipsOnlyLaterSpans(t *testing.T) {
	ctx := context.Background()
	c := ledgertest.NewClock(ledgertest.Start)
	s, err := jetstream.Open(ctx, jetstream.Config{DataDir: t.TempDir(), Listen: "127.0.0.1:-1", Registry: app.Registry(), Clock: c.Now})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	h := ledgertest.New(s, c, 1)
	require.NoError(t, h.Setup(ctx))
	f := &fixture{s: s, snaps: snapstore.New(ctx, s.JetStream(), s.StreamName()), h: h}
	// The other writer opens the log early (its recorded-at never goes
	// below the log's last when it opened), and writes once the first has
	// recorded two years more.
	behind := ledgertest.NewClock(time.Date(2016, 6, 1, 9, 0, 0, 0, domain.CST))
	other, err := jetstream.Open(ctx, jetstream.Config{URL: s.WriterURL(), Registry: app.Registry(), Clock: behind.Now})
	require.NoError(t, err)
	f.years(t, 2016, 2017)
	late, err := app.RegisterOfficial(ctx, other, ledgertest.Admin, behind.Now(), officials.Registered{ID: "late-1", Name: "迟到"})
	require.NoError(t, err)
	other.Close()
	f.years(t, 2018)

	sets, err := projections.BackfillSnapshots(ctx, s, f.snaps, 40, nil, newModels().snapshotters()...)
	require.NoError(t, err)
	require.Greater(t, sets, 10)
	at := time.Date(2016, 9, 30, 23, 59, 59, 0, domain.CST)
	require.False(t, late.RecordedAt.After(at))
	list, err := f.snaps.List(ctx)
	require.NoError(t, err)
	skippable, holding := 0, 0
	for _, in := range list {
		if in.MinRecordedAt.After(at) {
			skippable++
		}
		if in.Since < late.Position && late.Position <= in.Position {
			holding++
			require.False(t, in.MinRecordedAt.After(at), "the span holding the late event says %s", in.MinRecordedAt)
		}
	}
	require.Positive(t, skippable, "spans recorded after the date, to skip")
	require.Positive(t, holding)

	m := newModels()
	_, _, err = projections.ReplayAsOf(ctx, s, f.snaps, at, m.snapshotters()...)
	require.NoError(t, err)
	requireSame(t, f.fullReplay(t, at), m)
	_, ok := m.a.Official("late-1")
	require.True(t, ok, "the event recorded by the date and stored later is read")

	// A span that does not name this log's event at its position (another
	// log's, or forged) makes nothing skipped.
	end, err := s.LastPosition(ctx)
	require.NoError(t, err)
	forged := forgedSpans{SnapshotStore: f.snaps, extra: projections.SnapshotInfo{Model: "x", Since: 0, Position: end,
		EventID: "00000000-0000-0000-0000-000000000000", MinRecordedAt: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)}}
	m = newModels()
	_, _, err = projections.ReplayAsOf(ctx, s, forged, at, m.snapshotters()...)
	require.NoError(t, err)
	requireSame(t, f.fullReplay(t, at), m)
}

// forgedSpans lists an extra snapshot beside the store's.
type forgedSpans struct {
	projections.SnapshotStore
	extra projections.SnapshotInfo
}

func (f forgedSpans) List(ctx context.Context) ([]projections.SnapshotInfo, error) {
	list, err := f.SnapshotStore.List(ctx)
	return append(list, f.extra), err
}
