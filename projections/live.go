package projections

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/events"
)

// Live keeps projections up to date with the log: it replays the log into
// them, then follows it. Queries read the projections under View, never
// while an event is being applied.
//
// With snapshots (UseSnapshots) it starts from the newest snapshot every
// model can restore, all at one position, and follows the log from the
// position after it; it takes a snapshot of every model every so many
// events or so much time, and when it stops.
type Live struct {
	store    events.Store
	models   []Projection
	mu       sync.RWMutex
	mark     Mark          // under mu: where the models stand
	position atomic.Uint64 // last event applied
	applied  atomic.Uint64 // events applied since start
	err      atomic.Value  // errBox: the error that stopped following, while it is stopped

	snap     *SnapshotOptions
	snapshot []Snapshotter // the models, when every one is a Snapshotter
	restored Restored
	snapMu   sync.Mutex // one snapshot at a time
	snapAt   snapState
	uploads  sync.WaitGroup
	busy     atomic.Bool // an upload is in flight
	taken    atomic.Uint64
	failed   atomic.Uint64
}

type snapState struct {
	applied uint64    // l.applied when the last snapshot was taken
	at      time.Time // when
	pos     uint64    // its position
}

// Defaults of SnapshotOptions.
const (
	DefaultSnapshotEvery    = 5000
	DefaultSnapshotInterval = 5 * time.Minute
	DefaultSnapshotKeep     = 8
)

// SnapshotOptions configure Live's snapshots.
type SnapshotOptions struct {
	Store SnapshotStore
	// Every is the number of events applied after which a snapshot is
	// taken (DefaultSnapshotEvery if 0).
	Every uint64
	// Interval is the time after which a snapshot is taken if any event
	// was applied since the last (DefaultSnapshotInterval if 0).
	Interval time.Duration
	// Keep is how many of the newest snapshot sets are kept whole; older
	// ones are thinned to the last of each day (Shanxi time, by recorded-at),
	// for replays as of past dates. DefaultSnapshotKeep if 0; negative keeps
	// every set.
	Keep int
	// Logger for restores, snapshots and failures; slog.Default() if nil.
	Logger *slog.Logger
	// Now is the clock for snapshot times; time.Now if nil.
	Now func() time.Time
}

// NewLive returns a runner for the projections. Call Run to start it.
func NewLive(s events.Store, ps ...Projection) *Live {
	return &Live{store: s, models: ps}
}

// UseSnapshots makes Run start from, and take, snapshots. Call it before
// Run. Snapshots are used only if every projection is a Snapshotter;
// otherwise Run replays the whole log, and says so in the log.
func (l *Live) UseSnapshots(o SnapshotOptions) {
	if o.Store == nil {
		return
	}
	if o.Every == 0 {
		o.Every = DefaultSnapshotEvery
	}
	if o.Interval == 0 {
		o.Interval = DefaultSnapshotInterval
	}
	if o.Keep == 0 {
		o.Keep = DefaultSnapshotKeep
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	l.snap = &o
	l.snapshot, _ = AsSnapshotters(l.models...)
	if l.snapshot == nil {
		var not []string
		for _, p := range l.models {
			if _, ok := p.(Snapshotter); !ok {
				not = append(not, fmt.Sprintf("%T", p))
			}
		}
		o.Logger.Warn("projection snapshots not used: some projections cannot be snapshotted", "projections", not)
	}
}

// Run applies every event of the log and then each new one, until ctx is
// done or the log fails (the error is kept for Err). With snapshots it
// first restores the newest usable set, and when ctx is done it takes a
// last snapshot before it returns.
func (l *Live) Run(ctx context.Context) error {
	from := uint64(1)
	if l.snapshot != nil {
		l.snapMu.Lock()
		l.snapAt = snapState{at: l.snap.Now()}
		l.snapMu.Unlock()
		pos, err := l.restore(ctx)
		if err != nil {
			l.err.Store(errBox{err})
			return err
		}
		from = pos + 1
		done := make(chan struct{})
		defer close(done)
		go l.tick(ctx, done)
	}
	// The events of one atomic append are applied together, under one
	// lock: a reader never sees half of an upload (events.Event.More). An
	// append whose events lie apart in the log (events.Event.Batch) is
	// applied with whatever came between its parts, in log order: the
	// models only ever stand where no append is half read.
	var (
		pending []events.Event
		open    appends
	)
	apply := func(e events.Event) error {
		pending = append(pending, e)
		if open.read(e) {
			return nil
		}
		l.mu.Lock()
		for i := range pending {
			for _, p := range l.models {
				p.Apply(pending[i])
			}
			l.mark.Advance(&pending[i])
		}
		l.mu.Unlock()
		l.position.Store(e.Position)
		n := l.applied.Add(uint64(len(pending)))
		pending = pending[:0]
		if l.snapshot != nil {
			l.maybeSnapshot(ctx, n)
		}
		return nil
	}
	// Following stops on an error. One of reading (a lost connection, a
	// server down) is waited out and the log followed again from the last
	// event applied; one of an event that cannot be read or decoded stops
	// the models there, rather than skip it, until the ledger is fixed.
	var err error
	for wait := time.Second; ; {
		pending, open = pending[:0], appends{} // an append cut short is read again whole
		started := time.Now()
		err = l.store.Follow(ctx, events.Query{From: max(from, l.position.Load()+1)}, apply)
		if err == nil || ctx.Err() != nil {
			break
		}
		l.err.Store(errBox{err})
		if k := domain.KindOf(err); k == domain.Corrupt || k == domain.Invalid {
			break
		}
		if time.Since(started) > time.Minute {
			wait = time.Second // it had followed a while: a new outage
		}
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
		wait = min(2*wait, 30*time.Second)
		// Following again: not stopped any more (on a quiet log no event
		// would come to say so). An error again says so again.
		l.err.Store(errBox{})
	}
	if l.snapshot != nil && ctx.Err() != nil {
		// Graceful stop: a last snapshot, so that the next start replays
		// nothing.
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		l.uploads.Wait()
		if err := l.SnapshotNow(sctx); err != nil {
			l.snap.Logger.Error("last projection snapshot failed", "error", err)
		}
		cancel()
	}
	l.uploads.Wait()
	return err
}

// appends follows a read of the log in order, to tell whether it stands
// inside an atomic append (events.Event.More), or inside one whose events
// lie apart in the log (events.Event.Batch: KurrentDB's appends to several
// aggregates, another writer's events between their parts).
type appends struct {
	together bool              // inside an append whose events are together
	apart    map[uuid.UUID]int // appends whose events lie apart: how many are still to come
}

// read notes e, read next, and reports whether the read now stands inside
// an append: an event after e may complete it.
func (a *appends) read(e events.Event) (inside bool) {
	if e.Batch == uuid.Nil {
		a.together = e.More > 0
	} else if e.More > 0 {
		if a.apart == nil {
			a.apart = map[uuid.UUID]int{}
		}
		a.apart[e.Batch] = e.More
	} else {
		delete(a.apart, e.Batch)
	}
	return a.together || len(a.apart) > 0
}

func (l *Live) restore(ctx context.Context) (uint64, error) {
	start := time.Now()
	r, err := RestoreSnapshots(ctx, l.store, l.snap.Store, time.Time{}, 0, l.snapshot...)
	l.snapMu.Lock()
	l.restored = r
	l.snapMu.Unlock()
	log := l.snap.Logger
	for _, why := range r.Skipped {
		log.Warn("projection snapshot not used", "reason", why)
	}
	if err != nil {
		// A model could not be emptied again: the models cannot be trusted
		// to start from anything. Stop rather than serve wrong figures.
		return 0, err
	}
	if r.Position == 0 {
		log.Info("projections: no snapshot to start from; replaying the whole log")
		return 0, nil
	}
	l.mu.Lock()
	l.mark = r.Mark
	l.mu.Unlock()
	l.position.Store(r.Position)
	l.snapMu.Lock()
	l.snapAt = snapState{at: l.snap.Now(), pos: r.Position}
	l.snapMu.Unlock()
	log.Info("projections restored from snapshot", "position", r.Position, "recorded_at", r.RecordedAt,
		"duration_ms", time.Since(start).Milliseconds())
	return r.Position, nil
}

// tick takes a snapshot when Interval has passed since the last one and
// events were applied since, even if no event arrives to trigger it.
func (l *Live) tick(ctx context.Context, done <-chan struct{}) {
	every := min(l.snap.Interval, time.Minute)
	t := time.NewTicker(max(every/2, time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-done:
			return
		case <-t.C:
			l.maybeSnapshot(ctx, l.applied.Load())
		}
	}
}

func (l *Live) maybeSnapshot(ctx context.Context, applied uint64) {
	if l.busy.Load() {
		return // the last one is still being stored; the next event asks again
	}
	l.snapMu.Lock()
	since := applied - l.snapAt.applied
	due := since >= l.snap.Every || (since > 0 && l.snap.Now().Sub(l.snapAt.at) >= l.snap.Interval)
	l.snapMu.Unlock()
	if !due {
		return
	}
	if err := l.takeSnapshot(ctx, false); err != nil {
		l.failed.Add(1)
		l.snap.Logger.Error("projection snapshot failed", "error", err)
	}
}

// SnapshotNow takes a snapshot of every model and stores it before it
// returns (nothing if the models are where the last snapshot left them).
func (l *Live) SnapshotNow(ctx context.Context) error {
	if l.snapshot == nil {
		return nil
	}
	return l.takeSnapshot(ctx, true)
}

func (l *Live) takeSnapshot(ctx context.Context, wait bool) error {
	l.snapMu.Lock()
	defer l.snapMu.Unlock()
	// Encode while queries may read, but no event is applied.
	l.mu.RLock()
	mark := l.mark
	applied := l.applied.Load()
	if mark.Position == 0 || mark.Position == l.snapAt.pos {
		l.mu.RUnlock()
		l.snapAt.applied = applied
		return nil
	}
	now := l.snap.Now()
	infos, data, err := EncodeSnapshots(l.snapshot, mark, l.store.Registry().Fingerprint(), now)
	l.mu.RUnlock()
	if err != nil {
		return err
	}
	// The next snapshot's span starts here, unless events were applied
	// meanwhile: then it starts where this one's did, which is still true of
	// it. (If this one is not stored, its span is only unknown.)
	l.mu.Lock()
	if l.mark.Position == mark.Position {
		l.mark.NewSpan()
	}
	l.mu.Unlock()
	l.snapAt = snapState{applied: applied, at: now, pos: mark.Position}
	put := func(ctx context.Context) error {
		start := time.Now()
		if err := PutSnapshots(ctx, l.snap.Store, infos, data); err != nil {
			return err
		}
		l.taken.Add(1)
		var size int64
		for _, in := range infos {
			size += in.Size
		}
		l.snap.Logger.Info("projection snapshot stored", "position", mark.Position, "bytes", size,
			"duration_ms", time.Since(start).Milliseconds())
		if err := l.prune(ctx); err != nil {
			l.snap.Logger.Warn("pruning projection snapshots", "error", err)
		}
		return nil
	}
	if wait {
		return put(ctx)
	}
	l.busy.Store(true)
	l.uploads.Add(1)
	go func() {
		defer l.uploads.Done()
		defer l.busy.Store(false)
		if err := put(context.WithoutCancel(ctx)); err != nil {
			l.failed.Add(1)
			l.snap.Logger.Error("projection snapshot failed", "error", err)
		}
	}()
	return nil
}

func (l *Live) prune(ctx context.Context) error {
	if l.snap.Keep < 0 {
		return nil
	}
	return PruneSnapshots(ctx, l.snap.Store, l.store.Registry().Fingerprint(), l.snap.Keep, l.snapshot...)
}

// Restored says which snapshot Run started from (zero Position: none).
func (l *Live) Restored() Restored {
	l.snapMu.Lock()
	defer l.snapMu.Unlock()
	return l.restored
}

// SnapshotsTaken counts the snapshots stored since Run started, and those
// that failed.
func (l *Live) SnapshotsTaken() (stored, failed uint64) { return l.taken.Load(), l.failed.Load() }

// View runs fn while no event is being applied.
func (l *Live) View(fn func()) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	fn()
}

// Position is the position of the last event applied.
func (l *Live) Position() uint64 { return l.position.Load() }

// Applied counts the events applied since Run started (not those restored
// from a snapshot).
func (l *Live) Applied() uint64 { return l.applied.Load() }

// Err is the error that stopped the models following the log, while they
// are stopped: nil again once a lost connection is back and they follow on.
func (l *Live) Err() error {
	if e, ok := l.err.Load().(errBox); ok {
		return e.err
	}
	return nil
}

// errBox holds Live's error in its atomic.Value, which takes no nil.
type errBox struct{ err error }

// Lag is how many events the projections are behind the log.
func (l *Live) Lag(ctx context.Context) (uint64, error) {
	last, err := l.store.LastPosition(ctx)
	if err != nil {
		return 0, err
	}
	if p := l.Position(); last > p {
		return last - p, nil
	}
	return 0, nil
}

// WaitFor waits until the projections have applied position p, or the
// timeout passes; it reports whether they got there. A command's caller uses
// it to read its own writes.
func (l *Live) WaitFor(ctx context.Context, p uint64, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for l.Position() < p {
		if time.Now().After(deadline) || ctx.Err() != nil {
			return false
		}
		time.Sleep(2 * time.Millisecond)
	}
	return true
}
