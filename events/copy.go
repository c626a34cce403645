package events

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shanxi-water/ledger/domain"
)

// CopyReport says how far a Copy got.
type CopyReport struct {
	Checked      int    `json:"checked"`       // events of the source read and checked
	Kept         int    `json:"kept"`          // of those, events the target already held, found equal
	Copied       int    `json:"copied"`        // events stored in the target
	Commits      int    `json:"commits"`       // atomic appends they were stored in, as in the source
	LastPosition uint64 `json:"last_position"` // the target's last position, equal to the source's
}

// ErrUnknownOutcome is returned (wrapped) by CommitsAfter.CommitAfter when
// no answer came: the events may or may not be stored.
var ErrUnknownOutcome = errors.New("no answer from the store: the events may or may not be stored")

// copyTries bounds how often a copy sends an append again that went
// unanswered while the target's log still ended where the append goes.
const copyTries = 5

// Copy stores in l every event of src that l does not hold yet, as src
// stored it: the same ids, times, versions, payload bytes and hashes, at
// the same positions, in the same atomic appends. It is how a log moves
// from the embedded store onto a cluster, and how a backup is taken and
// taken again: l must be empty or hold a copy of src up to some position
// (each of its events is compared with the source's, its place in its
// atomic append included, and checked against its own hash), and only
// what follows is stored. A target whose log ends inside an atomic append
// is refused: the rest of that append cannot be added to it atomically.
//
// Every event of src is checked as Verify checks it (its hash, its
// aggregate's chain, no position missing, its atomic append's marks
// following on) before it is stored: a copy stops at the first event that
// fails, naming it, with l holding the appends before it. Positions are
// the log's references (a publication is frozen at one; a case names its
// evidence by them), so both backends must number their events 1, 2, 3…
// (DensePositions), and l's backend must store an append only where its
// log ends at the source's position before it (CommitsAfter): another
// writer's event makes the copy stop, and is never followed by the copy's.
// An append that goes unanswered is looked for in the target, and sent
// again (with the same check) only while the target's log still ends where
// it goes.
//
// progress, if not nil, is called after each append stored and every 1,000
// events found already held.
func (l *Log) Copy(ctx context.Context, src Backend, progress func(CopyReport)) (CopyReport, error) {
	const op = "events.Copy"
	var rep CopyReport
	if !src.DensePositions() || !l.backend.DensePositions() {
		return rep, domain.Errorf(op, domain.Invalid, "to", "both logs must number their events 1, 2, 3… (JetStream does; KurrentDB does not), so that the positions publications and cases refer to stay the same")
	}
	at, ok := l.backend.(CommitsAfter)
	if !ok {
		return rep, domain.Errorf(op, domain.Invalid, "to", "this store cannot make an append wait on where its log ends, so another writer's event could push the copy's events to other positions than the source's: copy into a store that can (JetStream)")
	}
	end, err := src.LastPosition(ctx)
	if err != nil {
		return rep, domain.E(op, domain.KindOrInternal(err), "from", err)
	}
	held, err := l.backend.LastPosition(ctx)
	if err != nil {
		return rep, domain.E(op, domain.KindOrInternal(err), "to", err)
	}
	if end == 0 && held == 0 {
		return rep, nil
	}
	// The target is compared with the source up to where both reach.
	held, more := min(held, end), held

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	theirs := make(chan Record, 256)
	scanErr := make(chan error, 1)
	if held > 0 {
		go func() {
			defer close(theirs)
			scanErr <- l.backend.Scan(ctx, Query{To: held}, false, func(r Record) error {
				r.Resolve()
				select {
				case theirs <- r:
					return nil
				case <-ctx.Done():
					return ctx.Err()
				}
			})
		}()
	}

	c := copier{l: l, at: at, heads: map[Aggregate]Head{}, progress: progress, rep: &rep}
	chains := NewChains()
	var marks appendMarks
	var prev uint64
	w := walk{side: "from", chains: chains, marks: &marks, prev: &prev}
	scan := func(fn func(Record, *Event, appendMarks) error) error {
		if end == 0 {
			return nil // To: 0 would read to the end, whatever was stored since
		}
		return w.scan(ctx, src, Query{To: end}, fn)
	}
	err = scan(func(r Record, e *Event, open appendMarks) error {
		rep.Checked++
		if r.Position > held {
			if r.Position == held+1 && open.more > 0 {
				// The rest of the append would be stored as an append of
				// its own: the target's would never be the source's.
				return domain.Errorf("", domain.Corrupt, "to", "%s, where the source's goes on at position %d: the rest cannot be added to it as one append; take a new copy into a new, empty target",
					endsInsideAppend("the target's log", open.first, held, open.more), r.Position)
			}
			return c.add(ctx, e)
		}
		t, ok := <-theirs
		if !ok {
			err := <-scanErr
			if err == nil {
				err = errors.New("it ended early")
			}
			return domain.Errorf("", domain.KindOrInternal(err), "to", "reading the target up to position %d: %v", held, err)
		}
		if err := sameEvent(t, e); err != nil {
			return domain.E("", domain.KindOf(err), "to", err)
		}
		c.keep(e)
		return nil
	})
	if err == nil && marks.more > 0 && marks.first > held && goesOn(ctx, src, end, marks.more) {
		// An append the source was storing when the copy began (none of it
		// in the target): the next copy takes it, whole.
		rep.Checked -= len(c.group)
		c.group, c.expect = nil, nil
	} else if err == nil && marks.more > 0 {
		// Its last append was cut short: the end of the log was lost.
		held := ""
		if len(c.group) > 0 {
			held = "; the copy holds the appends before it"
		}
		err = domain.Errorf("", domain.Corrupt, "from", "%s%s", endsInsideAppend("the source's log", marks.first, prev, marks.more), held)
	}
	if err == nil && prev != end {
		err = domain.Errorf("", domain.Corrupt, "from", "position %d: event missing from the source: the store lost or dropped it", prev+1)
	}
	if err == nil && more > end {
		// The hash chains cannot show that a log lost its last events; a
		// copy that holds them can. They are checked first, on the chains
		// the source's events built: the target's own say nothing of them.
		err = l.checkBeyond(ctx, chains, marks, end, more)
		if err == nil {
			lost, them := lastEvents(more-end), "them"
			if more-end == 1 {
				them = "it"
			}
			ends := fmt.Sprintf("the source's log ends at position %d, and the target, the same up to there,", end)
			if end == 0 {
				ends = "the source's log is empty, and the target"
			}
			err = domain.Errorf("", domain.Corrupt, "from", "%s holds %s after it, each checked: either the source has lost its last %s (removed from its end?), or something else wrote to the target; if the source lost %s, restore %s from the target",
				ends, Positions(end+1, more), lost, them, them)
		}
	}
	if err != nil && domain.FieldOf(err) == "" {
		// A read of the source that failed (its server gone, say).
		err = domain.E("", domain.KindOrInternal(err), "from", fmt.Errorf("reading the source: %w", err))
	}
	if rep.Copied > 0 {
		// The log's own view of its heads and times is now behind.
		l.mu.Lock()
		l.heads = map[Aggregate]Head{}
		if c.lastRecorded.After(l.lastRecorded) {
			l.lastRecorded = c.lastRecorded
		}
		l.mu.Unlock()
	}
	if err != nil {
		return rep, domain.E(op, domain.KindOrInternal(err), "", err)
	}
	return rep, nil
}

// checkBeyond checks the target's events after the source's end, from
// after through to, on chains and marks as the source's events left them.
func (l *Log) checkBeyond(ctx context.Context, chains *Chains, marks appendMarks, after, to uint64) error {
	prev := after
	w := walk{side: "to", chains: chains, marks: &marks, prev: &prev, what: "the target's event after the source's end does not hold: "}
	if err := w.scan(ctx, l.backend, Query{From: after + 1, To: to}, func(Record, *Event, appendMarks) error { return nil }); err != nil {
		return err
	}
	switch {
	case prev != to:
		return domain.Errorf("", domain.Corrupt, "to", "position %d: event missing from the target", prev+1)
	case marks.more > 0:
		return domain.Errorf("", domain.Corrupt, "to", "%s", endsInsideAppend("the target's log", marks.first, prev, marks.more))
	}
	return nil
}

// walk reads one side of a copy checking each event as Verify does — no
// position missing, readable, its hash and chain, its append's marks —
// and stops at the first that fails, naming it (field side: "from" or
// "to").
type walk struct {
	side   string
	chains *Chains
	marks  *appendMarks
	prev   *uint64 // the last position read
	what   string  // said before a problem
}

// scan calls fn with each event that holds, and the append marks as they
// were before it.
func (w walk) scan(ctx context.Context, b Backend, q Query, fn func(r Record, e *Event, open appendMarks) error) error {
	name := map[string]string{"from": "the source", "to": "the target"}[w.side]
	return b.Scan(ctx, q, false, func(r Record) error {
		if r.Position != *w.prev+1 {
			return domain.Errorf("", domain.Corrupt, w.side, "position %d: event missing from %s: the store lost or dropped it", *w.prev+1, name)
		}
		*w.prev = r.Position
		r.Resolve()
		if r.Event == nil {
			return domain.Errorf("", domain.Corrupt, w.side, "position %d of %s is unreadable: %v", r.Position, name, r.Err)
		}
		e := r.Event
		open := *w.marks // the append before this event, if this one is to go on with it
		reason, _ := w.chains.Check(e, r.Err)
		if reason == "" {
			reason = w.marks.next(r.Position, e.More)
		}
		if reason != "" {
			p := Problem{Position: r.Position, EventID: e.ID, Aggregate: e.Aggregate, Reason: reason}
			return domain.Errorf("", domain.Corrupt, w.side, "%s%v", w.what, p)
		}
		return fn(r, e, open)
	})
}

// lastEvents is "event" for one, "3 events" for more: "the source has
// lost its last …".
func lastEvents(n uint64) string {
	if n == 1 {
		return "event"
	}
	return domain.Count(int(n), "event")
}

// Positions names a run of log positions: "position 6722" for one,
// "positions 6722–6725" for more.
func Positions(first, last uint64) string {
	if first == last {
		return fmt.Sprintf("position %d", first)
	}
	return fmt.Sprintf("positions %d–%d", first, last)
}

// endsInsideAppend says that a log (named by whose: "the log", "the
// source's log") ends inside an atomic append: its events at first…last
// are the append's first, and more of its events should follow. Verify and
// Copy say it in these words.
func endsInsideAppend(whose string, first, last uint64, more int) string {
	n := int(last - first + 1)
	verb := "are"
	if n == 1 {
		verb = "is"
	}
	return fmt.Sprintf("%s ends inside an atomic append: %s %s %d of its %s, the rest missing (the end of the log was lost?)",
		whose, Positions(first, last), verb, n, domain.Count(n+more, "event"))
}

// appendMarks follows a log's atomic appends, read in log order, by their
// events' marks (Event.More): an event with More = k > 0 must be followed
// by one with More = k-1. Verify and Copy check them with it.
type appendMarks struct {
	first uint64 // position of the append's first event
	more  int    // how many of its events are still to come (0: none)
}

// next takes the event at pos, which says that more events of its append
// follow it, and says why it does not go on with the append before it
// ("" if it does, or none was open). It then starts an append, or goes on
// with the one open.
func (m *appendMarks) next(pos uint64, more int) string {
	reason := ""
	if m.more > 0 && more != m.more-1 {
		reason = fmt.Sprintf("the atomic append begun at position %d is cut short here: its next event would say %d more follow it, this one says %d (an event of the append lost, or one of another append in its place)",
			m.first, m.more-1, more)
	}
	if m.more == 0 || reason != "" {
		m.first = pos
	}
	m.more = more
	return reason
}

// reset forgets the append open: after a record that could not be read,
// or a position missing, the marks cannot be followed across it.
func (m *appendMarks) reset() { m.more = 0 }

// sameEvent checks that the target's record t is the source's event e,
// unaltered since it was stored, and stored in the same place of the same
// atomic append.
func sameEvent(t Record, e *Event) error {
	switch {
	case t.Event == nil:
		return domain.Errorf("", domain.Corrupt, "", "position %d of the target is unreadable: %v", t.Position, t.Err)
	case t.Position != e.Position || t.Event.ID != e.ID || t.Event.Hash != e.Hash:
		return domain.Errorf("", domain.Conflict, "", "the target's event at position %d is %s of %s (hash %s), the source's %s of %s (hash %s): the target is not a copy of this log",
			e.Position, t.Event.ID, t.Event.Aggregate, short(t.Event.Hash), e.ID, e.Aggregate, short(e.Hash))
	case t.Err != nil || t.Event.ComputeHash() != t.Event.Hash:
		return domain.Errorf("", domain.Corrupt, "", "the target's event at position %d (%s of %s) was altered after it was stored", e.Position, e.ID, e.Aggregate)
	case t.Event.More != e.More:
		return domain.Errorf("", domain.Corrupt, "", "the target's event at position %d (%s of %s) is followed by %d more of its atomic append, the source's by %d: the target's appends are not the source's",
			e.Position, e.ID, e.Aggregate, t.Event.More, e.More)
	}
	return nil
}

// copier stores the source's events in the target, one source append at a
// time (the events of an append share their recorded-at, and a reader
// applies them together).
type copier struct {
	l            *Log
	at           CommitsAfter       // l's backend
	heads        map[Aggregate]Head // each aggregate's last event so far
	group        []*Event           // the append being gathered
	expect       map[Aggregate]Head // its aggregates' heads before it
	progress     func(CopyReport)
	rep          *CopyReport
	lastRecorded time.Time
}

func (c *copier) keep(e *Event) {
	c.heads[e.Aggregate] = headOf(e)
	c.rep.Kept++
	c.rep.LastPosition = e.Position
	if c.progress != nil && c.rep.Kept%1000 == 0 {
		c.progress(*c.rep)
	}
}

func (c *copier) add(ctx context.Context, e *Event) error {
	if len(c.group) > 0 && (!e.RecordedAt.Equal(c.group[0].RecordedAt) || len(c.group) == c.l.backend.MaxBatch()) {
		// Not of the append gathered so far after all (its marks are cut):
		// store that one as it is.
		if err := c.flush(ctx); err != nil {
			return err
		}
	}
	if c.expect == nil {
		c.expect = map[Aggregate]Head{}
	}
	if _, ok := c.expect[e.Aggregate]; !ok {
		c.expect[e.Aggregate] = c.heads[e.Aggregate]
	}
	c.heads[e.Aggregate] = headOf(e)
	c.group = append(c.group, e)
	if e.More == 0 {
		return c.flush(ctx)
	}
	return nil
}

// flush stores the append gathered, only where the target's log ends at
// the position before its first event. When the store refuses it, or its
// answer is lost, the target is read: an append found there, event for
// event, was stored (its acknowledgement was lost); one whose place is
// still free is sent again, as long as no answer comes; anything else at
// its place is another writer's.
func (c *copier) flush(ctx context.Context) error {
	if len(c.group) == 0 {
		return nil
	}
	g := c.group
	want := make([]uint64, len(g))
	for i, e := range g {
		want[i] = e.Position
	}
	first, last := want[0], want[len(want)-1]
	for try := 1; ; try++ {
		err := c.at.CommitAfter(ctx, g, c.expect, first-1)
		if err == nil {
			break
		}
		unknown := errors.Is(err, ErrUnknownOutcome)
		if !unknown && !errors.Is(err, ErrConflict) && !errors.Is(err, ErrDuplicate) {
			return domain.E("", domain.KindOrInternal(err), "to", fmt.Errorf("storing %s: %w", Positions(first, last), err))
		}
		found, end, there, rerr := c.landed(ctx, g, want)
		if rerr == nil && found == len(g) {
			for i, e := range g {
				e.Position = want[i] // as stored: the answer saying so was lost
			}
			break
		}
		if ctx.Err() != nil {
			return domain.E("", domain.Internal, "to", fmt.Errorf("storing %s: %w (stored or not: a copy taken again compares what the target holds)", Positions(first, last), ctx.Err()))
		}
		if unknown && try < copyTries && (rerr != nil || (found == 0 && end == first-1)) {
			// Its place is still free (or the target could not be read):
			// sent again, with the same check, it is stored there or not at all.
			select {
			case <-ctx.Done():
			case <-time.After(time.Duration(try*try) * 200 * time.Millisecond):
			}
			continue
		}
		switch {
		case rerr != nil:
			return domain.E("", domain.Internal, "to", fmt.Errorf("storing %s: %v, and reading the target to tell whether it was stored: %w; a copy taken again compares what the target holds", Positions(first, last), err, rerr))
		case found > 0:
			return domain.Errorf("", domain.Internal, "to", "storing %s: the target holds %d of the append's %s, the rest not (%v): it is not a copy of the source; copy into a new, empty target",
				Positions(first, last), found, domain.Count(len(g), "event"), err)
		case unknown && end == first-1:
			return domain.Errorf("", domain.Unavailable, "to", "storing %s: all %d tries went unanswered (%v); the target did not hold them when last read, and holds the appends before them: copy again, which stores only what follows",
				Positions(first, last), copyTries, err)
		case end == first-1:
			return domain.Errorf("", domain.Conflict, "to", "storing %s: the target refused the append (%v), although nothing was written to it after position %d: it is not a copy of the source; copy into a new, empty target",
				Positions(first, last), err, end)
		}
		stranger := ""
		if there != nil {
			stranger = fmt.Sprintf(": position %d holds %s of %s", first, there.ID, there.Aggregate)
		}
		return domain.Errorf("", domain.Conflict, "to", "storing %s: something else wrote to the target during the copy%s, and nothing of the copy was stored after it (%v); copy into a new, empty target, and let nothing write to it until the copy ends",
			Positions(first, last), stranger, err)
	}
	for i, e := range g {
		if e.Position != want[i] {
			return domain.Errorf("", domain.Conflict, "to", "the target stored the source's event at position %d at %d: something else wrote to the target during the copy", want[i], e.Position)
		}
	}
	if t := g[0].RecordedAt; t.After(c.lastRecorded) {
		c.lastRecorded = t
	}
	c.rep.Copied += len(g)
	c.rep.Commits++
	c.rep.LastPosition = last
	c.group, c.expect = nil, nil
	if c.progress != nil {
		c.progress(*c.rep)
	}
	return nil
}

// landed reads the target where the append g goes (positions want): how
// many of its events are there, where the target's log ends, and the
// target's event at want[0], if any.
func (c *copier) landed(ctx context.Context, g []*Event, want []uint64) (found int, end uint64, there *Event, err error) {
	if end, err = c.l.backend.LastPosition(ctx); err != nil {
		return 0, 0, nil, err
	}
	if end < want[0] {
		return 0, end, nil, nil
	}
	err = c.l.backend.Scan(ctx, Query{From: want[0], To: min(want[len(want)-1], end)}, false, func(r Record) error {
		r.Resolve()
		i := int(r.Position - want[0])
		if r.Event == nil || r.Position < want[0] || i >= len(g) {
			return nil
		}
		if i == 0 {
			there = r.Event
		}
		if r.Event.ID == g[i].ID {
			found++
		}
		return nil
	})
	return found, end, there, err
}

func headOf(e *Event) Head {
	return Head{Version: e.Version, Position: e.Position, Hash: e.Hash, RecordedAt: e.RecordedAt}
}
