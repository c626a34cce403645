package projections

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/events"
)

// Snapshotter is a projection whose state can be saved and restored, so that
// a restart, or a replay as of a date, need not replay the whole log.
type Snapshotter interface {
	Projection
	// SnapshotKind names the model in the snapshot store ("quality") and
	// gives the version of its snapshot encoding. A snapshot is restored only
	// into a model of the same name and version: change the version whenever
	// the model's state or its Apply changes.
	SnapshotKind() (name string, version int)
	// Snapshot encodes the model's state. It does not change the model, and
	// may run while queries read it.
	Snapshot() ([]byte, error)
	// Restore replaces the model's state with a snapshot's. On error the
	// model is left as it was.
	Restore(data []byte) error
}

// SnapshotFormat is the version of what a snapshot records beside a model's
// own encoding (SnapshotInfo). Snapshots of another format are ignored.
const SnapshotFormat = 1

// SnapshotInfo describes one stored snapshot of one model.
type SnapshotInfo struct {
	Model    string `json:"model"`
	Version  int    `json:"version"`  // the model's snapshot version (SnapshotKind)
	Format   int    `json:"format"`   // SnapshotFormat
	Registry string `json:"registry"` // the event registry's fingerprint
	// Position is that of the last event applied, EventID its id (checked
	// against the log before the snapshot is used) and RecordedAt its
	// recorded-at.
	Position   uint64    `json:"position"`
	EventID    string    `json:"event_id"`
	RecordedAt time.Time `json:"recorded_at"`
	// MaxRecordedAt is the latest recorded-at of every event applied: a
	// replay as the ledger knew it at t can start from the snapshot if it is
	// at or before t. (Recorded-at only grows along one writer's log; the
	// maximum keeps this exact with several writers.)
	MaxRecordedAt time.Time `json:"max_recorded_at"`
	// Since and MinRecordedAt say that every event after position Since up
	// to Position was recorded at or after MinRecordedAt (zero: unknown). A
	// replay as of an earlier time need not read those events: it skips
	// such spans of the log (ReplayAsOf).
	Since         uint64    `json:"since"`
	MinRecordedAt time.Time `json:"min_recorded_at"`
	TakenAt       time.Time `json:"taken_at"`
	Size          int64     `json:"size"`
}

// SnapshotStore keeps snapshots: every model's at every position taken, not
// only the latest, so that a replay as of a past date can start from one.
type SnapshotStore interface {
	// Put stores a model's snapshot at a position.
	Put(ctx context.Context, info SnapshotInfo, data []byte) error
	// List describes every stored snapshot, in no particular order.
	List(ctx context.Context) ([]SnapshotInfo, error)
	// Get returns a stored snapshot's bytes, checked against corruption in
	// storage where the store can.
	Get(ctx context.Context, info SnapshotInfo) ([]byte, error)
	// Delete removes a stored snapshot.
	Delete(ctx context.Context, info SnapshotInfo) error
}

// Mark is where a set of models stands in the log: the last event applied
// and the latest recorded-at of any event applied; and the earliest
// recorded-at of the events applied since position Since (the span a
// snapshot taken now describes: SnapshotInfo.MinRecordedAt).
type Mark struct {
	Position      uint64
	EventID       string
	RecordedAt    time.Time
	MaxRecordedAt time.Time
	Since         uint64
	MinRecordedAt time.Time
}

// Advance moves the mark past e.
func (m *Mark) Advance(e *events.Event) {
	m.Position, m.EventID, m.RecordedAt = e.Position, e.ID.String(), e.RecordedAt
	if e.RecordedAt.After(m.MaxRecordedAt) {
		m.MaxRecordedAt = e.RecordedAt
	}
	if m.MinRecordedAt.IsZero() || e.RecordedAt.Before(m.MinRecordedAt) {
		m.MinRecordedAt = e.RecordedAt
	}
}

// NewSpan starts the span of the next snapshot at the mark's position.
func (m *Mark) NewSpan() { m.Since, m.MinRecordedAt = m.Position, time.Time{} }

// AsSnapshotters returns the projections as Snapshotters, or false if one of
// them is not.
func AsSnapshotters(ps ...Projection) ([]Snapshotter, bool) {
	out := make([]Snapshotter, len(ps))
	for i, p := range ps {
		s, ok := p.(Snapshotter)
		if !ok {
			return nil, false
		}
		out[i] = s
	}
	return out, true
}

// EncodeSnapshots encodes every model at mark m. The caller makes sure no
// event is applied meanwhile.
func EncodeSnapshots(models []Snapshotter, m Mark, registry string, now time.Time) ([]SnapshotInfo, [][]byte, error) {
	infos := make([]SnapshotInfo, len(models))
	data := make([][]byte, len(models))
	for i, p := range models {
		name, version := p.SnapshotKind()
		b, err := p.Snapshot()
		if err != nil {
			return nil, nil, fmt.Errorf("snapshot of %s: %w", name, err)
		}
		infos[i] = SnapshotInfo{Model: name, Version: version, Format: SnapshotFormat, Registry: registry,
			Position: m.Position, EventID: m.EventID, RecordedAt: m.RecordedAt.UTC(), MaxRecordedAt: m.MaxRecordedAt.UTC(),
			Since: m.Since, MinRecordedAt: m.MinRecordedAt.UTC(), TakenAt: now.UTC(), Size: int64(len(b))}
		data[i] = b
	}
	return infos, data, nil
}

// PutSnapshots stores encoded snapshots.
func PutSnapshots(ctx context.Context, st SnapshotStore, infos []SnapshotInfo, data [][]byte) error {
	for i := range infos {
		if err := st.Put(ctx, infos[i], data[i]); err != nil {
			return fmt.Errorf("storing the snapshot of %s at %d: %w", infos[i].Model, infos[i].Position, err)
		}
	}
	return nil
}

// SnapshotSet is the snapshots of a set of models at one position.
type SnapshotSet struct {
	Position      uint64
	EventID       string
	MaxRecordedAt time.Time
	Infos         []SnapshotInfo // in the models' order
}

// UsableSets returns the positions at which every model has a snapshot it
// can restore (same name, version, format and registry), newest first. With
// asOf set, only sets whose every event was recorded at or before it; with
// upTo set, only sets at or before that position.
func UsableSets(list []SnapshotInfo, models []Snapshotter, registry string, asOf time.Time, upTo uint64) []SnapshotSet {
	type want struct {
		name    string
		version int
	}
	wants := make([]want, len(models))
	index := map[string]int{}
	for i, p := range models {
		wants[i].name, wants[i].version = p.SnapshotKind()
		index[wants[i].name] = i
	}
	byPos := map[uint64]*SnapshotSet{}
	for _, in := range list {
		i, ok := index[in.Model]
		if !ok || in.Version != wants[i].version || in.Format != SnapshotFormat || in.Registry != registry || in.Position == 0 {
			continue
		}
		if !asOf.IsZero() && in.MaxRecordedAt.After(asOf) {
			continue
		}
		if upTo != 0 && in.Position > upTo {
			continue
		}
		set := byPos[in.Position]
		if set == nil {
			set = &SnapshotSet{Position: in.Position, EventID: in.EventID, Infos: make([]SnapshotInfo, len(models))}
			byPos[in.Position] = set
		}
		if in.EventID != set.EventID {
			continue // not the same log: never mix
		}
		if prev := set.Infos[i]; prev.Model == "" || in.TakenAt.After(prev.TakenAt) {
			set.Infos[i] = in
		}
		if in.MaxRecordedAt.After(set.MaxRecordedAt) {
			set.MaxRecordedAt = in.MaxRecordedAt
		}
	}
	var out []SnapshotSet
	for _, set := range byPos {
		complete := true
		for _, in := range set.Infos {
			complete = complete && in.Model != ""
		}
		if complete {
			out = append(out, *set)
		}
	}
	slices.SortFunc(out, func(a, b SnapshotSet) int { return cmp.Compare(b.Position, a.Position) })
	return out
}

// Restored says where RestoreSnapshots left the models.
type Restored struct {
	Mark             // zero Position: nothing restored, replay the whole log
	Set  SnapshotSet // the set restored
	// Skipped says why newer snapshot sets were not used (unreadable,
	// corrupt, not in this log), newest first.
	Skipped []string
}

// maxRestoreTries bounds how many snapshot sets a restore tries before it
// falls back to replaying the whole log.
const maxRestoreTries = 3

// RestoreSnapshots restores into the models the newest set of snapshots
// that every one of them can use (see UsableSets for asOf and upTo) and whose
// last event is still in the log, trying older sets when one fails. Models
// are left empty (as they were) when no set restores: then replay the whole
// log. An error is returned only if a model could not be emptied again after
// a failed restore.
func RestoreSnapshots(ctx context.Context, s events.Store, st SnapshotStore, asOf time.Time, upTo uint64, models ...Snapshotter) (Restored, error) {
	if st == nil || len(models) == 0 {
		return Restored{}, nil
	}
	list, err := st.List(ctx)
	if err != nil {
		return Restored{Skipped: []string{"listing snapshots: " + err.Error()}}, nil
	}
	last, err := s.LastPosition(ctx)
	if err != nil {
		return Restored{Skipped: []string{"position of the log: " + err.Error()}}, nil
	}
	return restoreFrom(ctx, s, st, list, last, asOf, upTo, models)
}

// restoreFrom is RestoreSnapshots from the store's list of snapshots and
// the log's last position.
func restoreFrom(ctx context.Context, s events.Store, st SnapshotStore, list []SnapshotInfo, last uint64, asOf time.Time, upTo uint64, models []Snapshotter) (Restored, error) {
	var r Restored
	var err error
	if upTo == 0 || upTo > last {
		upTo = last
	}
	if upTo == 0 {
		return r, nil
	}
	sets := UsableSets(list, models, s.Registry().Fingerprint(), asOf, upTo)
	if len(sets) == 0 {
		return r, nil
	}
	// What the models hold now (empty), to put back if a set fails halfway.
	blank := make([][]byte, len(models))
	for i, p := range models {
		if blank[i], err = p.Snapshot(); err != nil {
			return r, fmt.Errorf("snapshot of the empty model: %w", err)
		}
	}
	for n, set := range sets {
		if n == maxRestoreTries {
			r.Skipped = append(r.Skipped, fmt.Sprintf("%d older sets not tried", len(sets)-n))
			break
		}
		mark, err := restoreSet(ctx, s, st, set, models)
		if err == nil {
			r.Mark, r.Set = mark, set
			return r, nil
		}
		r.Skipped = append(r.Skipped, fmt.Sprintf("snapshot at position %d: %v", set.Position, err))
		for i, p := range models {
			if rerr := p.Restore(blank[i]); rerr != nil {
				return r, fmt.Errorf("emptying %T after a failed restore: %w", p, rerr)
			}
		}
	}
	return r, nil
}

var errNotInLog = errors.New("not in this log")

// eventAt reads the event at a position; nil if there is none.
func eventAt(ctx context.Context, s events.Store, pos uint64) (*events.Event, error) {
	var at *events.Event
	err := s.Read(ctx, events.Query{From: pos, To: pos}, func(e events.Event) error {
		at = &e
		return nil
	})
	return at, err
}

func restoreSet(ctx context.Context, s events.Store, st SnapshotStore, set SnapshotSet, models []Snapshotter) (Mark, error) {
	// The snapshot must be of this log: the event at its position is the one
	// it says it applied last.
	at, err := eventAt(ctx, s, set.Position)
	if err != nil {
		return Mark{}, fmt.Errorf("reading its last event: %w", err)
	}
	if at == nil || at.ID.String() != set.EventID {
		return Mark{}, fmt.Errorf("%w: the event at position %d is not %s", errNotInLog, set.Position, set.EventID)
	}
	// The models' snapshots are fetched and decoded at the same time: a
	// restore is mostly waiting for the store and decoding JSON, and the
	// models are independent of one another.
	errs := make([]error, len(models))
	var wg sync.WaitGroup
	for i, p := range models {
		wg.Go(func() {
			data, err := st.Get(ctx, set.Infos[i])
			if err == nil {
				err = p.Restore(data)
			}
			if err != nil {
				errs[i] = fmt.Errorf("%s: %w", set.Infos[i].Model, err)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return Mark{}, err
	}
	return Mark{Position: set.Position, EventID: set.EventID, RecordedAt: at.RecordedAt, MaxRecordedAt: set.MaxRecordedAt, Since: set.Position}, nil
}

// ReplayAsOf builds the models as the ledger knew them at t (the events
// recorded at or before t; the whole log if t is zero): it restores the
// newest snapshot set taken at or before t, then replays the rest of the log
// with events.Query{From: position+1, RecordedBy: t}. Without a usable
// snapshot (st nil, none that early, none readable) it replays the whole
// log, so the models are the same either way. It returns the position of
// the last event applied (0 if none) and what was restored.
//
// Only replays by recorded time can start from a snapshot: a replay as it
// happened by a date (samples taken by then, with corrections recorded
// since) needs events recorded after any snapshot of that date, and models
// built with other options.
func ReplayAsOf(ctx context.Context, s events.Store, st SnapshotStore, t time.Time, models ...Snapshotter) (uint64, Restored, error) {
	end, err := s.LastPosition(ctx)
	if err != nil {
		return 0, Restored{}, err
	}
	var (
		r     Restored
		spans []SnapshotInfo
	)
	if st != nil && len(models) > 0 {
		list, err := st.List(ctx)
		if err != nil {
			r.Skipped = []string{"listing snapshots: " + err.Error()}
		} else {
			// Which later spans are of this log is asked while the models
			// are restored: a read of the event at each span's end, a few
			// milliseconds in all, and independent of the restore.
			var wg sync.WaitGroup
			if !t.IsZero() {
				wg.Go(func() { spans = ofThisLog(ctx, s, laterSpans(list, t)) })
			}
			r, err = restoreFrom(ctx, s, st, list, end, t, 0, models)
			wg.Wait()
			if err != nil {
				return 0, r, err
			}
		}
	}
	ps := make([]Projection, len(models))
	for i, m := range models {
		ps[i] = m
	}
	last := r.Position
	for _, rg := range unskipped(r.Position+1, end, spans) {
		p, err := Replay(ctx, s, events.Query{From: rg[0], To: rg[1], RecordedBy: t}, ps...)
		if err != nil {
			return 0, r, err
		}
		last = max(last, p)
	}
	return last, r, nil
}

// laterSpans are the snapshots whose span was recorded wholly after t.
func laterSpans(list []SnapshotInfo, t time.Time) []SnapshotInfo {
	var out []SnapshotInfo
	for _, in := range list {
		if !in.MinRecordedAt.IsZero() && in.MinRecordedAt.After(t) && in.Since < in.Position {
			out = append(out, in)
		}
	}
	return out
}

// ofThisLog keeps the snapshots whose last event is the one at their
// position in s, as a restore checks its set's: a span is a statement about
// a log, and only this log's may make a replay skip anything.
func ofThisLog(ctx context.Context, s events.Store, list []SnapshotInfo) []SnapshotInfo {
	ids := map[uint64]*string{}
	for _, in := range list {
		if ids[in.Position] == nil {
			ids[in.Position] = new(string)
		}
	}
	var wg sync.WaitGroup // one read each, at the same time
	for pos, id := range ids {
		wg.Go(func() {
			if e, err := eventAt(ctx, s, pos); err == nil && e != nil {
				*id = e.ID.String()
			}
		})
	}
	wg.Wait()
	var out []SnapshotInfo
	for _, in := range list {
		if id := *ids[in.Position]; id != "" && id == in.EventID {
			out = append(out, in)
		}
	}
	return out
}

// unskipped returns the ranges of positions from to end (inclusive) that a
// replay must read: all but the spans of later (laterSpans) snapshots.
func unskipped(from, end uint64, later []SnapshotInfo) [][2]uint64 {
	if from > end {
		return nil
	}
	var skip [][2]uint64 // (Since, Position] as [Since+1, Position]
	for _, in := range later {
		if in.Since < in.Position && in.Position <= end {
			skip = append(skip, [2]uint64{in.Since + 1, in.Position})
		}
	}
	slices.SortFunc(skip, func(a, b [2]uint64) int { return cmp.Compare(a[0], b[0]) })
	var out [][2]uint64
	at := from
	for _, sk := range skip {
		if sk[1] < at {
			continue
		}
		if sk[0] > at {
			out = append(out, [2]uint64{at, min(sk[0]-1, end)})
		}
		at = max(at, sk[1]+1)
		if at > end {
			return out
		}
	}
	return append(out, [2]uint64{at, end})
}

// PruneSnapshots keeps the newest keep sets of snapshots of the models and,
// of older ones, the last of each day (Shanxi time, by recorded-at), for
// replays as of past dates. Snapshots of other models, versions or
// registries are left alone.
func PruneSnapshots(ctx context.Context, st SnapshotStore, registry string, keep int, models ...Snapshotter) error {
	list, err := st.List(ctx)
	if err != nil {
		return err
	}
	sets := UsableSets(list, models, registry, time.Time{}, 0) // newest first
	days := map[string]bool{}
	for i, set := range sets {
		day := set.MaxRecordedAt.In(domain.CST).Format(time.DateOnly)
		if i >= keep && days[day] {
			for _, in := range set.Infos {
				if err := st.Delete(ctx, in); err != nil {
					return err
				}
			}
		}
		days[day] = true
	}
	return nil
}

// BackfillSnapshots replays the whole log into the models (which must be
// empty), storing a snapshot of them every n events and at the end: the
// history of snapshots a Live running all along would have taken. It
// returns the number of snapshot sets stored.
func BackfillSnapshots(ctx context.Context, s events.Store, st SnapshotStore, n uint64, now func() time.Time, models ...Snapshotter) (int, error) {
	if now == nil {
		now = time.Now
	}
	registry := s.Registry().Fingerprint()
	var mark Mark
	var since uint64
	sets := 0
	take := func() error {
		infos, data, err := EncodeSnapshots(models, mark, registry, now())
		if err != nil {
			return err
		}
		sets++
		since = 0
		mark.NewSpan()
		return PutSnapshots(ctx, st, infos, data)
	}
	var open appends
	err := s.Read(ctx, events.Query{}, func(e events.Event) error {
		for _, p := range models {
			p.Apply(e)
		}
		mark.Advance(&e)
		// Never inside an atomic append: a model restored there would
		// show half of it, as Live never does.
		inside := open.read(e)
		if since++; since >= n && !inside {
			return take()
		}
		return nil
	})
	if err == nil && since > 0 {
		err = take()
	}
	return sets, err
}
