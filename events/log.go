package events

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/shanxi-water/ledger/domain"
)

// Clock returns the current time. Stores take one so that tests and the demo
// can record history at the dates it happened.
type Clock func() time.Time

// Log implements Store over a Backend.
type Log struct {
	backend  Backend
	registry *Registry
	clock    Clock

	mu           sync.Mutex
	heads        map[Aggregate]Head // cache of aggregates' last events
	lastRecorded time.Time          // recorded-at never runs backwards in this process
}

var _ Store = (*Log)(nil)

// maxCachedHeads bounds the head cache; past it the cache starts afresh.
const maxCachedHeads = 1 << 17

// maxAnyRetries bounds how often an Append with Any retries after losing a race.
const maxAnyRetries = 20

// FutureTolerance is how far after its recording an event may say it occurred
// (clock skew between a station and the ledger).
const FutureTolerance = 5 * time.Minute

// NewLog returns a Log over backend. A nil clock is time.Now.
func NewLog(ctx context.Context, backend Backend, registry *Registry, clock Clock) (*Log, error) {
	if clock == nil {
		clock = time.Now
	}
	l := &Log{backend: backend, registry: registry, clock: clock, heads: map[Aggregate]Head{}}
	// Recorded-at must not run backwards: start after the last stored event.
	last, err := backend.LastPosition(ctx)
	if err != nil {
		return nil, err
	}
	if last > 0 {
		err := backend.Scan(ctx, Query{From: last, To: last}, false, func(r Record) error {
			r.Resolve()
			if r.Event != nil {
				l.lastRecorded = r.Event.RecordedAt
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return l, nil
}

// Registry returns the registry events are encoded and decoded with.
func (l *Log) Registry() *Registry { return l.registry }

// Backend returns the backend under the log.
func (l *Log) Backend() Backend { return l.backend }

// Close closes the backend.
func (l *Log) Close() error { return l.backend.Close() }

// LastPosition is the position of the last event in the log.
func (l *Log) LastPosition(ctx context.Context) (uint64, error) { return l.backend.LastPosition(ctx) }

type encoded struct {
	name    Name
	schema  int
	payload []byte
}

// Append validates, seals and stores the changes atomically.
func (l *Log) Append(ctx context.Context, changes ...Change) ([]Event, error) {
	const op = "events.Append"
	// Work on a copy: IDs are filled in here, not in the caller's drafts.
	callerIDs := true
	changes = slices.Clone(changes)
	missing := 0
	for i := range changes {
		changes[i].Events = slices.Clone(changes[i].Events)
		for _, d := range changes[i].Events {
			if d.ID == uuid.Nil {
				missing++
			}
		}
	}
	if missing > 0 {
		callerIDs = false
		ids := make([]uuid.UUID, missing)
		newIDs(ids)
		for i := range changes {
			for j := range changes[i].Events {
				if d := &changes[i].Events[j]; d.ID == uuid.Nil {
					d.ID, ids = ids[0], ids[1:]
				}
			}
		}
	}
	enc, err := l.validate(op, changes)
	if err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		heads := make(map[Aggregate]Head, len(changes))
		for i, c := range changes {
			h, err := l.head(ctx, c.Aggregate, false)
			if err != nil {
				return nil, domain.E(op, domain.Internal, "", err)
			}
			if c.Expect != Any && h.Version != uint64(c.Expect) {
				// The cache may be behind another writer: ask the backend,
				// and before calling it a conflict, its leader.
				if h, err = l.head(ctx, c.Aggregate, true); err != nil {
					return nil, domain.E(op, domain.Internal, "", err)
				}
				if h.Version != uint64(c.Expect) {
					// If the leader cannot be asked (an election), the
					// conflict stands as read: callers retry conflicts.
					if lead, err := l.leaderHead(ctx, c.Aggregate); err == nil {
						h = lead
					}
				}
			}
			if c.Expect != Any && h.Version != uint64(c.Expect) {
				if callerIDs {
					stored, ok, err := l.alreadyStored(ctx, changes)
					if err != nil {
						return nil, err
					}
					if ok {
						return stored, nil
					}
				}
				return nil, domain.E(op, domain.Conflict, fmt.Sprintf("changes[%d].expect", i),
					&ConflictError{Aggregate: c.Aggregate, Expected: c.Expect, Actual: h.Version})
			}
			heads[c.Aggregate] = h
		}
		block, evs := l.seal(changes, enc, heads)
		err := l.backend.Commit(ctx, evs, heads)
		if err == nil {
			l.remember(evs)
			return block, nil
		}
		l.forget(changes)
		conflict, dup := errors.Is(err, ErrConflict), errors.Is(err, ErrDuplicate)
		if !conflict && !dup {
			return nil, domain.E(op, domain.KindOrInternal(err), "", err)
		}
		stored, ok, serr := l.alreadyStored(ctx, changes)
		if serr != nil {
			return nil, serr
		}
		if ok {
			return stored, nil
		}
		if dup {
			return nil, domain.E(op, domain.Conflict, "events.id", fmt.Errorf("an event id is already used by another stored event: %w", err))
		}
		if attempt < maxAnyRetries && anyExpectsAny(changes) {
			continue
		}
		// Name the aggregate that moved.
		for i, c := range changes {
			h, herr := l.leaderHead(ctx, c.Aggregate)
			if herr != nil {
				h, herr = l.head(ctx, c.Aggregate, true)
			}
			if herr == nil && c.Expect != Any && h.Version != uint64(c.Expect) {
				return nil, domain.E(op, domain.Conflict, fmt.Sprintf("changes[%d].expect", i),
					&ConflictError{Aggregate: c.Aggregate, Expected: c.Expect, Actual: h.Version})
			}
		}
		return nil, domain.E(op, domain.Conflict, "", err)
	}
}

func anyExpectsAny(changes []Change) bool {
	for _, c := range changes {
		if c.Expect == Any {
			return true
		}
	}
	return false
}

// validate checks the changes and encodes their payloads, so that nothing is
// sealed or sent unless every part is valid.
func (l *Log) validate(op string, changes []Change) ([][]encoded, error) {
	if len(changes) == 0 {
		return nil, domain.Errorf(op, domain.Invalid, "changes", "nothing to append")
	}
	now := l.clock()
	latest := now.Add(FutureTolerance)
	total := 0
	for _, c := range changes {
		total += len(c.Events)
	}
	type ref struct{ i, j int }
	field := func(r ref) string { return fmt.Sprintf("changes[%d].events[%d]", r.i, r.j) }
	seen := make(map[Aggregate]int, len(changes))
	seenID := make(map[uuid.UUID]ref, total)
	block := make([]encoded, total)
	enc := make([][]encoded, len(changes))
	for i, c := range changes {
		f := fmt.Sprintf("changes[%d]", i)
		if err := c.Aggregate.Validate(op, f+".aggregate"); err != nil {
			return nil, err
		}
		if j, dup := seen[c.Aggregate]; dup {
			return nil, domain.Errorf(op, domain.Invalid, f+".aggregate", "%s already appears in changes[%d]: give each aggregate one change", c.Aggregate, j)
		}
		seen[c.Aggregate] = i
		if c.Expect < Any {
			return nil, domain.Errorf(op, domain.Invalid, f+".expect", "%d is not a version (want >= 0, or Any)", c.Expect)
		}
		if len(c.Events) == 0 {
			return nil, domain.Errorf(op, domain.Invalid, f+".events", "no events")
		}
		enc[i], block = block[:len(c.Events):len(c.Events)], block[len(c.Events):]
		for j, d := range c.Events {
			if prev, dup := seenID[d.ID]; dup {
				return nil, domain.Errorf(op, domain.Invalid, field(ref{i, j})+".id", "%s is also the id of %s", d.ID, field(prev))
			}
			seenID[d.ID] = ref{i, j}
			if d.OccurredAt.IsZero() {
				return nil, domain.Errorf(op, domain.Invalid, field(ref{i, j})+".occurred_at", "missing: when did it happen?")
			}
			if d.OccurredAt.After(latest) {
				return nil, domain.Errorf(op, domain.Invalid, field(ref{i, j})+".occurred_at", "%s is in the future (now %s)", d.OccurredAt.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
			}
			if j == 0 || d.Actor != c.Events[j-1].Actor {
				if err := d.Actor.Validate(op, field(ref{i, j})+".actor"); err != nil {
					return nil, err
				}
			}
		}
	}
	if max := l.backend.MaxBatch(); total > max {
		return nil, domain.Errorf(op, domain.Invalid, "changes", "%d events in one append; at most %d can be stored atomically", total, max)
	}
	if err := l.encodeAll(op, changes, enc, total); err != nil {
		return nil, err
	}
	return enc, nil
}

// encodeAll validates and encodes every payload, reporting the first error in
// the order of the changes.
func (l *Log) encodeAll(op string, changes []Change, enc [][]encoded, total int) error {
	type ref struct{ i, j int }
	refs := make([]ref, 0, total)
	for i, c := range changes {
		for j := range c.Events {
			refs = append(refs, ref{i, j})
		}
	}
	errs := make([]error, len(refs))
	// Each worker writes its payloads one after another into its own
	// buffer, instead of allocating each on its own.
	workers := runtime.GOMAXPROCS(0)
	bufs := make([][]byte, workers)
	encodeOne := func(w, k int) {
		r := refs[k]
		if cap(bufs[w])-len(bufs[w]) < payloadRoom {
			bufs[w] = make([]byte, 0, min(payloadBuffer, payloadRoom*(len(refs)/workers+1)))
		}
		start := len(bufs[w])
		name, schema, b, err := l.registry.appendEncoded(bufs[w], changes[r.i].Events[r.j].Data)
		if err != nil {
			ef := fmt.Sprintf("changes[%d].events[%d]", r.i, r.j)
			var de *domain.Error
			if errors.As(err, &de) {
				errs[k] = domain.E(op, domain.Invalid, ef+"."+de.Field, de.Err)
			} else {
				errs[k] = domain.E(op, domain.Invalid, ef+".data", err)
			}
			return
		}
		// The next payload goes after this one, or into a new buffer if this
		// one is full: the payloads before keep the old one.
		bufs[w] = b
		payload := b[start:len(b):len(b)]
		enc[r.i][r.j] = encoded{name, schema, payload}
	}
	parallel(len(refs), len(refs) >= parallelMin, encodeOne)
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// A worker starts a new buffer for payloads of payloadBuffer bytes (less for
// a small append) when less than payloadRoom is left in its buffer.
const (
	payloadBuffer = 64 << 10
	payloadRoom   = 512
)

// seal turns drafts into events: ids, versions, recorded-at and hash chain.
// It returns the events in one block, and pointers into it.
func (l *Log) seal(changes []Change, enc [][]encoded, heads map[Aggregate]Head) ([]Event, []*Event) {
	l.mu.Lock()
	now := l.clock().UTC().Truncate(time.Microsecond)
	if now.Before(l.lastRecorded) {
		now = l.lastRecorded
	}
	l.lastRecorded = now
	l.mu.Unlock()

	// Each aggregate's chain is sealed on its own, on every core for a large
	// append; the events are laid out in one block, in order.
	offsets := make([]int, len(changes)+1)
	for i, c := range changes {
		offsets[i+1] = offsets[i] + len(c.Events)
	}
	block := make([]Event, offsets[len(changes)])
	evs := make([]*Event, len(block))
	recorded := AppendTime(nil, now)
	parallel(len(changes), len(block) >= parallelMin, func(_, i int) {
		c := changes[i]
		h := heads[c.Aggregate]
		version, prev := h.Version, h.Hash
		buf := make([]byte, 0, 1024) // for each event's canonical form
		for j, d := range c.Events {
			version++
			e := &block[offsets[i]+j]
			*e = Event{
				ID:            d.ID,
				Name:          enc[i][j].name,
				Schema:        enc[i][j].schema,
				Aggregate:     c.Aggregate,
				Version:       version,
				OccurredAt:    d.OccurredAt.UTC().Truncate(time.Microsecond),
				RecordedAt:    now,
				Actor:         d.Actor,
				CorrelationID: d.CorrelationID,
				CausationID:   d.CausationID,
				Payload:       enc[i][j].payload,
				Data:          d.Data,
				PrevHash:      prev,
			}
			e.Hash, buf = e.hashWith(buf, recorded)
			prev = e.Hash
			evs[offsets[i]+j] = e
		}
	})
	return block, evs
}

// parallelMin is the number of events from which an append encodes and
// hashes on every core: that work is most of what an append costs the
// ledger itself.
const parallelMin = 64

// parallel calls fn(w, 0…n-1), spread over GOMAXPROCS goroutines if wide;
// w (below GOMAXPROCS) is the calling worker's number.
func parallel(n int, wide bool, fn func(w, k int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if !wide || workers < 2 {
		for k := range n {
			fn(0, k)
		}
		return
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := w; k < n; k += workers {
				fn(w, k)
			}
		}()
	}
	wg.Wait()
}

// leaderHead reads an aggregate's last event from the backend's leader if
// it has one (LeaderHeads), else afresh as head does.
func (l *Log) leaderHead(ctx context.Context, agg Aggregate) (Head, error) {
	lh, ok := l.backend.(LeaderHeads)
	if !ok {
		return l.head(ctx, agg, true)
	}
	lead, err := lh.LeaderHead(ctx, agg)
	if err != nil {
		return Head{}, err
	}
	l.mu.Lock()
	l.cacheHead(agg, lead)
	l.mu.Unlock()
	return lead, nil
}

// head returns an aggregate's last event, from the cache unless fresh is set.
func (l *Log) head(ctx context.Context, agg Aggregate, fresh bool) (Head, error) {
	if !fresh {
		l.mu.Lock()
		h, ok := l.heads[agg]
		l.mu.Unlock()
		if ok {
			return h, nil
		}
	}
	h, err := l.backend.Head(ctx, agg)
	if err != nil {
		return Head{}, err
	}
	l.mu.Lock()
	l.cacheHead(agg, h)
	l.mu.Unlock()
	return h, nil
}

func (l *Log) cacheHead(agg Aggregate, h Head) {
	if old, ok := l.heads[agg]; ok && old.Position > h.Position {
		return
	}
	if len(l.heads) >= maxCachedHeads {
		clear(l.heads)
	}
	l.heads[agg] = h
}

// remember caches each aggregate's new head: its last event of the append.
func (l *Log) remember(evs []*Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, e := range evs {
		if i+1 < len(evs) && evs[i+1].Aggregate == e.Aggregate {
			continue // an aggregate's events are together; only its last is its head
		}
		l.cacheHead(e.Aggregate, Head{Version: e.Version, Position: e.Position, Hash: e.Hash, RecordedAt: e.RecordedAt})
	}
}

func (l *Log) forget(changes []Change) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range changes {
		delete(l.heads, c.Aggregate)
	}
}

// alreadyStored reports whether every draft of changes is already in the log, and returns those events: an append
// retried after its first try was stored.
//
// When the log cannot be read to tell, it says so with an Internal error
// rather than calling it a conflict: the append may well be stored, and a
// retry with the same ids is safe.
func (l *Log) alreadyStored(ctx context.Context, changes []Change) ([]Event, bool, error) {
	want := map[uuid.UUID]int{}
	n := 0
	for _, c := range changes {
		for _, d := range c.Events {
			want[d.ID] = n
			n++
		}
	}
	found := make([]Event, n)
	got := 0
	for _, c := range changes {
		agg := c.Aggregate
		err := l.backend.Scan(ctx, Query{Aggregate: &agg}, false, func(r Record) error {
			r.Resolve()
			if r.Event == nil {
				return nil
			}
			if i, ok := want[r.Event.ID]; ok {
				found[i] = *r.Event
				got++
			}
			return nil
		})
		if err != nil {
			return nil, false, domain.E("events.Append", domain.Internal, "",
				fmt.Errorf("could not tell whether the append was stored (retrying it with the same event ids is safe): %w", err))
		}
	}
	if got != n {
		return nil, false, nil
	}
	out := make([]*Event, n)
	for i := range found {
		out[i] = &found[i]
	}
	evs, err := l.decodeAll("events.Append", out)
	return evs, err == nil, nil
}

func (l *Log) decodeAll(op string, evs []*Event) ([]Event, error) {
	out := make([]Event, len(evs))
	for i, e := range evs {
		if err := l.decode(op, e); err != nil {
			return nil, err
		}
		out[i] = *e
	}
	return out, nil
}

// decode fills e.Data from its payload through the registry, upcasting.
func (l *Log) decode(op string, e *Event) error {
	data, schema, payload, err := l.registry.Decode(e.Name, e.Schema, e.Payload)
	if err != nil {
		return domain.E(op, domain.KindOf(err), "", fmt.Errorf("position %d, event %s: %w", e.Position, e.ID, err))
	}
	if schema != e.Schema {
		e.StoredSchema, e.StoredPayload = e.Schema, e.Payload
		e.Schema, e.Payload = schema, payload
	}
	e.Data = data
	return nil
}

// Load returns one aggregate's events in order.
func (l *Log) Load(ctx context.Context, agg Aggregate) ([]Event, error) {
	var out []Event
	err := l.Read(ctx, Query{Aggregate: &agg}, func(e Event) error {
		out = append(out, e)
		return nil
	})
	return out, err
}

// Read calls fn for each matching event up to the end of the log.
func (l *Log) Read(ctx context.Context, q Query, fn func(Event) error) error {
	return l.read(ctx, "events.Read", q, false, fn)
}

// Follow calls fn for each matching event, waiting for new ones until ctx is done.
func (l *Log) Follow(ctx context.Context, q Query, fn func(Event) error) error {
	return l.read(ctx, "events.Follow", q, true, fn)
}

func (l *Log) read(ctx context.Context, op string, q Query, follow bool, fn func(Event) error) error {
	if err := q.Validate(op); err != nil {
		return err
	}
	byTime := !q.RecordedBy.IsZero()
	decode := func(r Record) (*Event, error) {
		r.Resolve()
		if r.Err != nil {
			return nil, domain.E(op, domain.Corrupt, "", fmt.Errorf("position %d: %w", r.Position, r.Err))
		}
		e := r.Event
		if byTime && e.RecordedAt.After(q.RecordedBy) {
			return nil, nil
		}
		return e, l.decode(op, e)
	}
	if follow {
		// Live: each event as soon as it arrives.
		return l.backend.Scan(ctx, q, true, func(r Record) error {
			e, err := decode(r)
			if e == nil || err != nil {
				return err
			}
			return fn(*e)
		})
	}
	return l.readPipelined(ctx, q, decode, fn)
}

// readChunk is a run of records decoded together by one worker.
type readChunk struct {
	recs []Record
	evs  []*Event
	err  error
	done chan struct{}
}

const readChunkSize = 256

// readPipelined decodes payloads on every core while the backend keeps
// reading, and hands the events to fn in log order on one goroutine.
func (l *Log) readPipelined(ctx context.Context, q Query, decode func(Record) (*Event, error), fn func(Event) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	workers := max(runtime.GOMAXPROCS(0), 1)
	jobs := make(chan *readChunk, workers*2)
	ordered := make(chan *readChunk, workers*4)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range jobs {
				c.evs = make([]*Event, 0, len(c.recs))
				for _, r := range c.recs {
					e, err := decode(r)
					if err != nil {
						c.err = err
						break
					}
					if e != nil {
						c.evs = append(c.evs, e)
					}
				}
				close(c.done)
			}
		}()
	}
	delivered := make(chan error, 1)
	go func() {
		var err error
		for c := range ordered {
			<-c.done
			if err != nil {
				continue // drain
			}
			if err = c.err; err == nil {
				for _, e := range c.evs {
					if err = fn(*e); err != nil {
						break
					}
				}
			}
			if err != nil {
				cancel(err)
			}
		}
		delivered <- err
	}()
	cur := &readChunk{done: make(chan struct{})}
	flush := func() {
		if len(cur.recs) == 0 {
			return
		}
		jobs <- cur
		ordered <- cur
		cur = &readChunk{recs: make([]Record, 0, readChunkSize), done: make(chan struct{})}
	}
	scanErr := l.backend.Scan(ctx, q, false, func(r Record) error {
		cur.recs = append(cur.recs, r)
		if len(cur.recs) == readChunkSize {
			flush()
		}
		return nil
	})
	if scanErr == nil {
		flush()
	}
	close(jobs)
	close(ordered)
	wg.Wait()
	if err := <-delivered; err != nil {
		return err // fn's error, or a decoding error, stopped the read
	}
	if scanErr != nil {
		if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
			return cause
		}
		return scanErr
	}
	return nil
}

// Verify walks the whole log, recomputing every event's hash and checking
// that each aggregate's events are numbered 1, 2, 3… and chained. On a log
// numbered 1, 2, 3… (DensePositions: JetStream, which stores an atomic
// append in one run of positions) it also checks that no position is
// missing, and that the marks of each atomic append follow on to the end
// of the log: an event followed by k > 0 more of its append, by one
// followed by k-1. (KurrentDB stores a multi-aggregate append aggregate by
// aggregate: another writer's events may come between its parts.)
func (l *Log) Verify(ctx context.Context) (Report, error) {
	var rep Report
	chains := NewChains()
	dense := l.backend.DensePositions()
	var prevPos uint64
	problem := func(p Problem) {
		if len(rep.Problems) < MaxProblems {
			rep.Problems = append(rep.Problems, p)
		}
	}
	var marks appendMarks // the atomic append being read
	var last *Event       // the last event read
	// The log as it is when the walk begins: events appended during it are
	// for the next walk, not positions this one failed to find.
	var end uint64
	if dense {
		var err error
		if end, err = l.backend.LastPosition(ctx); err != nil {
			return rep, domain.E("events.Verify", domain.KindOrInternal(err), "", err)
		}
		if end == 0 {
			return rep, nil
		}
	}
	err := l.backend.Scan(ctx, Query{To: end}, false, func(r Record) error {
		if dense && r.Position != prevPos+1 {
			for p := prevPos + 1; p < r.Position; p++ {
				problem(Problem{Position: p, Reason: "event missing from the log: the store lost or dropped it"})
			}
			marks.reset()
		}
		prevPos = r.Position
		rep.LastPosition = r.Position
		r.Resolve()
		if r.Event == nil {
			problem(Problem{Position: r.Position, Reason: "unreadable: " + r.Err.Error()})
			marks.reset()
			last = nil
			return nil
		}
		e := r.Event
		rep.Events++
		last = e
		reason, first := chains.Check(e, r.Err)
		if first {
			rep.Aggregates++
		}
		if reason != "" {
			problem(Problem{Position: r.Position, EventID: e.ID, Aggregate: e.Aggregate, Reason: reason})
		}
		if !dense {
			return nil
		}
		if reason := marks.next(r.Position, e.More); reason != "" {
			problem(Problem{Position: r.Position, EventID: e.ID, Aggregate: e.Aggregate, Reason: reason})
		}
		return nil
	})
	if err != nil {
		return rep, domain.E("events.Verify", domain.KindOrInternal(err), "", err)
	}
	if !dense {
		return rep, nil
	}
	for p := prevPos + 1; p <= end; p++ {
		problem(Problem{Position: p, Reason: "event missing from the log: the store lost or dropped it"})
	}
	if marks.more > 0 && last != nil && end == prevPos && !goesOn(ctx, l.backend, end, marks.more) {
		// The hash chains cannot show that the log lost its end; an
		// atomic append cut short can.
		problem(Problem{Position: prevPos, EventID: last.ID, Aggregate: last.Aggregate, Reason: endsInsideAppend("the log", marks.first, prevPos, marks.more)})
	}
	return rep, nil
}

// goesOn reports whether the atomic append open at end, with more of its
// events to come, goes on in the log after all: a server's account of its
// last position can fall inside an append it is still storing
// (nats-server's stream info may show part of a batch in flight), and a
// walk that stops there has not found the log cut short. It looks at
// position end+1 for a little while (the rest of such an append lands
// within milliseconds) and asks that the event there be the append's next.
func goesOn(ctx context.Context, b Backend, end uint64, more int) bool {
	for try := 0; try < 10; try++ {
		found, next := false, 0
		err := b.Scan(ctx, Query{From: end + 1, To: end + 1}, false, func(r Record) error {
			r.Resolve()
			if r.Event != nil && r.Position == end+1 {
				found, next = true, r.Event.More
			}
			return nil
		})
		if err == nil && found {
			return next == more-1
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(20 * time.Millisecond):
		}
	}
	return false
}

// Chains checks events, given in log order, against their aggregates'
// hash chains: each event's hash must be that of its canonical envelope,
// its version one more than the last seen, and its previous hash the last
// seen event's hash. An aggregate's chain must be given from its first event.
type Chains struct {
	links map[Aggregate]link
}

type link struct {
	version uint64
	hash    Hash
}

// NewChains returns a checker that has seen nothing.
func NewChains() *Chains { return &Chains{links: map[Aggregate]link{}} }

// Check returns why e breaks its chain ("" if it does not) and whether it
// is the first event seen of its aggregate; e becomes the chain's last link.
// storeErr is what the store said about e's message, if anything.
func (c *Chains) Check(e *Event, storeErr error) (reason string, first bool) {
	prev, seen := c.links[e.Aggregate]
	c.links[e.Aggregate] = link{e.Version, e.Hash}
	switch altered := e.ComputeHash() != e.Hash; {
	case storeErr != nil && altered:
		return fmt.Sprintf("hash mismatch: the stored envelope of version %d was altered after it was written (%v)", e.Version, storeErr), !seen
	case storeErr != nil:
		return storeErr.Error(), !seen
	case altered:
		return fmt.Sprintf("hash mismatch: the stored envelope of version %d was altered after it was written", e.Version), !seen
	case e.Version != prev.version+1:
		return fmt.Sprintf("version %d follows version %d: the chain has a gap", e.Version, prev.version), !seen
	case e.PrevHash != prev.hash:
		return fmt.Sprintf("version %d does not link to the previous event's hash (%s, want %s)", e.Version, short(e.PrevHash), short(prev.hash)), !seen
	}
	return "", !seen
}

func short(h Hash) string {
	if h.IsZero() {
		return "none"
	}
	return h.String()[:12]
}
