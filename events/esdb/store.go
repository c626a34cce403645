package esdb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	kdb "github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/events"
)

// Config says where the log lives.
type Config struct {
	// URL is a KurrentDB / EventStoreDB connection string, e.g.
	// "esdb://localhost:2113?tls=false" or
	// "esdb://a:2113,b:2113,c:2113?tls=false" (gossip seeds). Required.
	URL string
	// Registry of event types; required.
	Registry *events.Registry
	// Clock for recorded-at; time.Now if nil.
	Clock events.Clock
	// Prefix of the ledger's stream names; DefaultPrefix if "". Lower-case
	// letters, digits and '_' (at most 32), starting with a letter.
	Prefix string
	// BatchTimeout is how long a multi-aggregate append may stay undecided
	// before a reader or writer that meets it aborts it (its writer is taken
	// to have died). 5 seconds if 0.
	BatchTimeout time.Duration
	// MaxAppendBytes is the server's largest append to one stream
	// (KurrentDB's MaxAppendSize, 1 MiB by default). An append whose events
	// for one aggregate would exceed it is refused before anything is sent.
	MaxAppendBytes int
	// Logger receives the client library's messages at debug level;
	// slog.Default() if nil.
	Logger *slog.Logger
}

// Store is the event log in KurrentDB.
type Store struct {
	*events.Log
	b *backend
}

// Prefix is the prefix of the ledger's stream names.
func (s *Store) Prefix() string { return s.b.prefix }

// Client is the store's KurrentDB client.
func (s *Store) Client() *kdb.Client { return s.b.c }

// Open connects to the server and returns the log.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	const op = "esdb.Open"
	if cfg.Registry == nil {
		return nil, domain.Errorf(op, domain.Invalid, "registry", "missing")
	}
	if cfg.URL == "" {
		return nil, domain.Errorf(op, domain.Invalid, "url", "missing: give a connection string such as esdb://localhost:2113?tls=false")
	}
	if cfg.Prefix == "" {
		cfg.Prefix = DefaultPrefix
	}
	if !prefixRE.MatchString(cfg.Prefix) {
		return nil, domain.Errorf(op, domain.Invalid, "prefix", "%q: want lower-case letters, digits and '_' (at most 32), starting with a letter", cfg.Prefix)
	}
	if cfg.BatchTimeout <= 0 {
		cfg.BatchTimeout = 5 * time.Second
	}
	if cfg.MaxAppendBytes <= 0 {
		cfg.MaxAppendBytes = 1 << 20
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	conf, err := kdb.ParseConnectionString(cfg.URL)
	if err != nil {
		return nil, domain.E(op, domain.Invalid, "url", err)
	}
	logger := cfg.Logger
	conf.Logger = func(level kdb.LogLevel, format string, args ...any) {
		logger.Debug(fmt.Sprintf(format, args...), "component", "kurrentdb-client", "level", level)
	}
	c, err := kdb.NewClient(conf)
	if err != nil {
		return nil, domain.E(op, domain.Invalid, "url", err)
	}
	b := &backend{
		cfg:       cfg,
		prefix:    cfg.Prefix,
		c:         c,
		revs:      map[events.Aggregate]revHint{},
		decisions: map[uuid.UUID]bool{},
		recent:    newRecentIDs(recentIDWindow),
	}
	log, err := events.NewLog(ctx, b, cfg.Registry, cfg.Clock)
	if err != nil {
		c.Close()
		return nil, domain.E(op, domain.KindOrInternal(err), "url", fmt.Errorf("%s: %w", cfg.URL, err))
	}
	return &Store{Log: log, b: b}, nil
}

// MaxBatchSize is the most events one append stores. It is JetStream's
// atomic batch limit too, so that what the ledger accepts does not depend on
// the backend; 1000 events of up to about 1 KiB each fit KurrentDB's default
// 1 MiB append, and a larger append is refused by size before it is sent.
const MaxBatchSize = 1000

// backend implements events.Backend on KurrentDB.
type backend struct {
	cfg    Config
	prefix string
	c      *kdb.Client

	mu        sync.Mutex
	revs      map[events.Aggregate]revHint // last known stream revision at an aggregate's head
	decisions map[uuid.UUID]bool           // decided batches: committed or not
	recent    *recentIDs                   // ids this process stored

	// Test hooks. loseAck, if set, is asked after each append the server
	// acknowledged whether to pretend the acknowledgement was lost.
	// crashAfter, if set, is called after the i-th aggregate of a batch is
	// written; an error from it stops the commit as a crash would: no abort.
	loseAck    func(stream string) bool
	crashAfter func(i int) error
}

var _ events.Backend = (*backend)(nil)

// revHint says that when an aggregate's visible head was at pos, its stream's
// last revision was rev (-1: no stream).
type revHint struct {
	pos uint64
	rev int64
}

const maxCached = 1 << 16

func (b *backend) MaxBatch() int        { return MaxBatchSize }
func (b *backend) DensePositions() bool { return false }
func (b *backend) Close() error         { return b.c.Close() }

func (b *backend) rememberRev(agg events.Aggregate, pos uint64, rev int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.revs) >= maxCached {
		clear(b.revs)
	}
	b.revs[agg] = revHint{pos, rev}
}

// expectedRevision is the stream revision to append after, given the head
// the log expects: what this process last saw, else the revision the head's
// version has when no aborted batch left events in the stream.
func (b *backend) expectedRevision(agg events.Aggregate, expect events.Head) int64 {
	b.mu.Lock()
	h, ok := b.revs[agg]
	b.mu.Unlock()
	if ok && h.pos == expect.Position {
		return h.rev
	}
	return int64(expect.Version) - 1
}

func toExpected(rev int64) kdb.ExpectedRevision {
	if rev < 0 {
		return kdb.NoStream{}
	}
	return kdb.Revision(uint64(rev))
}

func errCode(err error) (kdb.ErrorCode, bool) {
	var e *kdb.Error
	if errors.As(err, &e) {
		return e.Code(), true
	}
	return 0, false
}

func isWrongVersion(err error) bool {
	c, ok := errCode(err)
	return ok && c == kdb.ErrorCodeWrongExpectedVersion
}

func isNotFound(err error) bool {
	c, ok := errCode(err)
	return ok && c == kdb.ErrorCodeResourceNotFound
}

var errLostAck = errors.New("acknowledgement lost (test)")

// unknownOutcome reports whether an append may or may not have been stored
// (or was refused by a node that is not the leader), so that sending it
// again with the same event ids and expected revision is the way to find out.
func unknownOutcome(err error) bool {
	if errors.Is(err, errLostAck) {
		return true
	}
	c, ok := errCode(err)
	if !ok {
		return false
	}
	switch c {
	case kdb.ErrorCodeDeadlineExceeded, kdb.ErrorUnavailable, kdb.ErrorAborted, kdb.ErrorCodeNotLeader, kdb.ErrorCodeUnknown:
		return true
	}
	return false
}

// commitRetries is how often an append whose outcome is unknown is sent again.
const commitRetries = 4

// appendRetrying appends, sending the same events at the same expected
// revision again while the outcome is unknown: KurrentDB answers a repeat of
// a stored append as a success without storing it twice.
func (b *backend) appendRetrying(ctx context.Context, stream string, rev kdb.ExpectedRevision, evs []kdb.EventData) (*kdb.WriteResult, error) {
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(time.Duration(attempt*attempt) * 50 * time.Millisecond):
			}
		}
		res, err := b.c.AppendToStream(ctx, stream, kdb.AppendToStreamOptions{ExpectedRevision: rev}, evs...)
		if err == nil && b.loseAck != nil && b.loseAck(stream) {
			res, err = nil, errLostAck
		}
		if err == nil || !unknownOutcome(err) || attempt == commitRetries || ctx.Err() != nil {
			return res, err
		}
	}
}

// position is an event's place in $all: its commit position, which for
// events appended through gRPC equals its prepare position and is unique.
func position(re *kdb.RecordedEvent) (uint64, error) {
	p := re.Position.Commit
	if p == 0 || p == math.MaxUint64 || p >= 1<<63 {
		return 0, fmt.Errorf("the server reported no $all position for event %d of %s (the backend needs KurrentDB, or EventStoreDB 23.10 or later)", re.EventNumber, re.StreamID)
	}
	return p, nil
}

// group is one aggregate's events in a commit, encoded.
type group struct {
	agg  events.Aggregate
	evs  []*events.Event
	data []kdb.EventData
}

func (b *backend) encode(op string, evs []*events.Event, bi *batchInfo) ([]*group, error) {
	recorded := events.FormatTime(evs[0].RecordedAt) // one append, one recorded-at
	var groups []*group
	for i, e := range evs {
		if len(groups) == 0 || groups[len(groups)-1].agg != e.Aggregate {
			groups = append(groups, &group{agg: e.Aggregate})
		}
		g := groups[len(groups)-1]
		md, id, err := encodeMeta(e, recorded, events.CommitMark(i, len(evs)), bi)
		if err != nil {
			return nil, fmt.Errorf("event %s: %v", e.ID, err)
		}
		g.evs = append(g.evs, e)
		g.data = append(g.data, kdb.EventData{EventID: id, EventType: string(e.Name), ContentType: kdb.ContentTypeJson, Data: e.Payload, Metadata: md})
	}
	for _, g := range groups {
		size := 0
		for _, d := range g.data {
			size += len(d.Data) + len(d.Metadata) + 2*len(d.EventType) + eventOverhead
		}
		if size > b.cfg.MaxAppendBytes {
			return nil, domain.Errorf(op, domain.Invalid, "changes", "the events of %s take about %d bytes; KurrentDB stores at most %d in one append", g.agg, size, b.cfg.MaxAppendBytes)
		}
	}
	return groups, nil
}

// eventOverhead approximates the server's per-event record overhead.
const eventOverhead = 128

func (b *backend) Commit(ctx context.Context, evs []*events.Event, expect map[events.Aggregate]events.Head) error {
	const op = "esdb.Commit"
	if id, dup := b.recent.anyOf(evs); dup {
		return fmt.Errorf("event %s: %w", id, events.ErrDuplicate)
	}
	multi := false
	for _, e := range evs[1:] {
		if e.Aggregate != evs[0].Aggregate {
			multi = true
			break
		}
	}
	var err error
	if multi {
		err = b.commitBatch(ctx, op, evs, expect)
	} else {
		var groups []*group
		if groups, err = b.encode(op, evs, nil); err == nil {
			err = b.appendGroup(ctx, groups[0], expect[groups[0].agg], nil)
		}
	}
	if err == nil {
		b.recent.add(evs)
	}
	return err
}

// maxRevisionRetries bounds how often an append moves its expected revision
// past events of aborted batches.
const maxRevisionRetries = 8

// appendGroup appends one aggregate's events after the head the log expects,
// and sets their positions. If the stream moved, it looks at the stream's
// tail: if the visible head is still the expected one (the stream only grew
// by events of aborted batches) it appends after them, else it is a conflict.
func (b *backend) appendGroup(ctx context.Context, g *group, expect events.Head, self *batchInfo) error {
	stream := StreamName(b.prefix, g.agg)
	rev := b.expectedRevision(g.agg, expect)
	for attempt := 0; ; attempt++ {
		res, err := b.appendRetrying(ctx, stream, toExpected(rev), g.data)
		if err == nil {
			return b.setPositions(ctx, stream, g, res)
		}
		if !isWrongVersion(err) {
			return fmt.Errorf("append to %s: %w", stream, err)
		}
		if attempt == maxRevisionRetries {
			return fmt.Errorf("%s: %w (the stream kept moving)", g.agg, events.ErrConflict)
		}
		t, err := b.tail(ctx, g.agg, self)
		if errors.Is(err, errOwnBatch) {
			return fmt.Errorf("%s: %w (%v)", g.agg, events.ErrConflict, err)
		}
		if err != nil {
			return fmt.Errorf("last event of %s: %w", g.agg, err)
		}
		if t.head.Position != expect.Position || t.head.Version != expect.Version {
			return fmt.Errorf("%s is at version %d, expected %d: %w", g.agg, t.head.Version, expect.Version, events.ErrConflict)
		}
		if t.lastRev == rev {
			return fmt.Errorf("%s: %w (the server refused revision %d)", g.agg, events.ErrConflict, rev)
		}
		rev = t.lastRev
	}
}

// setPositions sets the appended events' positions: from the answer for a
// single event, else by reading them back (the answer carries one position).
func (b *backend) setPositions(ctx context.Context, stream string, g *group, res *kdb.WriteResult) error {
	n := len(g.evs)
	last := res.NextExpectedVersion // revision of the last event appended
	if n == 1 && res.CommitPosition != 0 && res.CommitPosition == res.PreparePosition {
		g.evs[0].Position = res.CommitPosition
	} else {
		if last < uint64(n-1) {
			return fmt.Errorf("append to %s: the server reports revision %d after %d events", stream, last, n)
		}
		rs, err := b.c.ReadStream(ctx, stream, kdb.ReadStreamOptions{Direction: kdb.Forwards, From: kdb.Revision(last - uint64(n-1))}, uint64(n))
		if err != nil {
			return fmt.Errorf("reading back %s: %w", stream, err)
		}
		defer rs.Close()
		for i := range n {
			ev, err := rs.Recv()
			if err != nil {
				return fmt.Errorf("reading back %s: %w", stream, err)
			}
			if ev.Event.EventID != g.data[i].EventID {
				return fmt.Errorf("reading back %s: revision %d holds event %s, not %s", stream, ev.Event.EventNumber, ev.Event.EventID, g.data[i].EventID)
			}
			if g.evs[i].Position, err = position(ev.Event); err != nil {
				return err
			}
		}
	}
	b.rememberRev(g.agg, g.evs[n-1].Position, int64(last))
	return nil
}

// tailInfo is what the end of an aggregate's stream holds.
type tailInfo struct {
	head    events.Head // the last visible event (zero if none)
	lastRev int64       // revision of the stream's last event, visible or not; -1: no stream
}

// tailPage is how many events a look at a stream's tail reads at a time
// after its first event (usually the head itself).
const tailPage = 16

// tail reads an aggregate's stream backwards to its last visible event,
// deciding (by waiting, or by aborting) every undecided batch on the way.
func (b *backend) tail(ctx context.Context, agg events.Aggregate, self *batchInfo) (tailInfo, error) {
	stream := StreamName(b.prefix, agg)
	t := tailInfo{lastRev: -1}
	var from kdb.StreamPosition = kdb.End{}
	for count := 1; ; count = tailPage {
		rs, err := b.c.ReadStream(ctx, stream, kdb.ReadStreamOptions{Direction: kdb.Backwards, From: from}, uint64(count))
		if err != nil {
			return t, err
		}
		n, lowest, found, err := b.tailPage(ctx, rs, agg, self, &t)
		rs.Close()
		if err != nil || found {
			return t, err
		}
		if n < count || lowest == 0 {
			b.rememberRev(agg, 0, t.lastRev)
			return t, nil // no visible event
		}
		from = kdb.Revision(lowest - 1)
	}
}

func (b *backend) tailPage(ctx context.Context, rs *kdb.ReadStream, agg events.Aggregate, self *batchInfo, t *tailInfo) (n int, lowest uint64, found bool, err error) {
	for {
		ev, err := rs.Recv()
		if errors.Is(err, io.EOF) || isNotFound(err) {
			return n, lowest, false, nil
		}
		if err != nil {
			return n, lowest, false, err
		}
		re := ev.Event
		n++
		lowest = re.EventNumber
		if t.lastRev < 0 {
			t.lastRev = int64(re.EventNumber)
		}
		bid, deadline, isBatch, err := batchOf(re.UserMetadata)
		if err != nil {
			return n, lowest, false, fmt.Errorf("event %d of %s: %v", re.EventNumber, re.StreamID, err)
		}
		if isBatch {
			committed, err := b.resolve(ctx, bid, deadline, self)
			if err != nil {
				return n, lowest, false, err
			}
			if !committed {
				continue
			}
		}
		pos, err := position(re)
		if err != nil {
			return n, lowest, false, err
		}
		e, err := decode(b.prefix, re.StreamID, re.EventType, re.EventID, re.Data, re.UserMetadata, pos)
		if e == nil {
			return n, lowest, false, err
		}
		t.head = events.Head{Version: e.Version, Position: pos, Hash: e.Hash, RecordedAt: e.RecordedAt}
		b.rememberRev(agg, pos, t.lastRev)
		return n, lowest, true, nil
	}
}

func (b *backend) Head(ctx context.Context, agg events.Aggregate) (events.Head, error) {
	t, err := b.tail(ctx, agg, nil)
	if err != nil {
		return events.Head{}, fmt.Errorf("last event of %s: %w", agg, err)
	}
	return t.head, nil
}

// lastPage is the most records a look at the end of $all reads at a time:
// it reads 1, then 16, then 256 at a time.
const lastPage = 256

// LastPosition reads $all backwards to the last visible event of the
// ledger, passing over system events, other ledgers' streams, batch
// decisions and the events of aborted batches.
func (b *backend) LastPosition(ctx context.Context) (uint64, error) {
	var from kdb.AllPosition = kdb.End{}
	cursor := uint64(math.MaxUint64)
	for count := 1; ; count = min(16*count, lastPage) {
		rs, err := b.c.ReadAll(ctx, kdb.ReadAllOptions{Direction: kdb.Backwards, From: from}, uint64(count))
		if err != nil {
			return 0, fmt.Errorf("reading the end of $all: %w", err)
		}
		before := cursor
		n, pos, err := b.lastPage(ctx, rs, &cursor)
		rs.Close()
		if err != nil || pos != 0 {
			return pos, err
		}
		if n < count {
			return 0, nil
		}
		if cursor == before {
			return 0, fmt.Errorf("reading the end of $all: the server read from position %d backwards without going back", cursor)
		}
		from = kdb.Position{Commit: cursor, Prepare: cursor}
	}
}

func (b *backend) lastPage(ctx context.Context, rs *kdb.ReadStream, cursor *uint64) (n int, pos uint64, err error) {
	for {
		ev, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			return n, 0, nil
		}
		if err != nil {
			return n, 0, fmt.Errorf("reading the end of $all: %w", err)
		}
		n++
		re := ev.OriginalEvent()
		p := re.Position.Commit
		if p >= *cursor {
			continue // a server that reads backwards inclusively
		}
		*cursor = p
		if !strings.HasPrefix(re.StreamID, b.prefix+"-") {
			continue
		}
		bid, deadline, isBatch, err := batchOf(re.UserMetadata)
		if err != nil {
			return n, p, nil // unreadable, but an event of the ledger
		}
		if isBatch {
			committed, err := b.resolve(ctx, bid, deadline, nil)
			if err != nil {
				return n, 0, err
			}
			if !committed {
				continue
			}
		}
		return n, p, nil
	}
}

// record turns a stored event into a Record for the log, deciding its batch
// first. skip is set for an event of an aborted batch.
func (b *backend) record(ctx context.Context, re *kdb.RecordedEvent) (rec events.Record, skip bool, err error) {
	pos, err := position(re)
	if err != nil {
		return rec, false, err
	}
	bid, deadline, isBatch, err := batchOf(re.UserMetadata)
	if err != nil {
		return events.Record{Position: pos, Err: fmt.Errorf("event %d of %s: %v", re.EventNumber, re.StreamID, err)}, false, nil
	}
	if isBatch {
		committed, err := b.resolve(ctx, bid, deadline, nil)
		if err != nil {
			return rec, false, err
		}
		if !committed {
			return rec, true, nil
		}
	}
	prefix, stream, typ, id, data, md := b.prefix, re.StreamID, re.EventType, re.EventID, re.Data, re.UserMetadata
	return events.Record{Position: pos, Decode: func() (*events.Event, error) {
		return decode(prefix, stream, typ, id, data, md, pos)
	}}, false, nil
}

func (b *backend) Scan(ctx context.Context, q events.Query, follow bool, fn func(events.Record) error) error {
	if q.Aggregate != nil && !follow {
		return b.scanStream(ctx, q, fn)
	}
	return b.scanAll(ctx, q, follow, fn)
}

// scanStream reads one aggregate's stream (indexed by the server).
func (b *backend) scanStream(ctx context.Context, q events.Query, fn func(events.Record) error) error {
	stream := StreamName(b.prefix, *q.Aggregate)
	rs, err := b.c.ReadStream(ctx, stream, kdb.ReadStreamOptions{Direction: kdb.Forwards, From: kdb.Start{}}, math.MaxInt64)
	if err != nil {
		return fmt.Errorf("reading %s: %w", stream, err)
	}
	defer rs.Close()
	names := map[events.Name]bool{}
	for _, n := range q.Names {
		names[n] = true
	}
	for {
		ev, err := rs.Recv()
		if errors.Is(err, io.EOF) || isNotFound(err) {
			return nil
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("reading %s: %w", stream, err)
		}
		re := ev.Event
		if len(names) > 0 && !names[events.Name(re.EventType)] {
			continue
		}
		rec, skip, err := b.record(ctx, re)
		if err != nil {
			return err
		}
		if skip || rec.Position < q.From {
			continue
		}
		if q.To != 0 && rec.Position > q.To {
			return nil
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
}

// scanIdle is how long a scan that does not follow waits for the server's
// next message before giving up: the server sends checkpoints while it
// searches, and says when it has caught up.
const scanIdle = 30 * time.Second

// scanAll reads $all with a server-side filter: a catch-up subscription,
// which (unlike a read in this client) takes a filter, and says when it has
// caught up with the log.
func (b *backend) scanAll(ctx context.Context, q events.Query, follow bool, fn func(events.Record) error) error {
	f := newFilter(b.prefix, q)
	var end uint64 // last position to deliver (0: no end)
	if !follow {
		last, err := b.LastPosition(ctx)
		if err != nil {
			return err
		}
		end = last
		if q.To != 0 && q.To < end {
			end = q.To
		}
		if end == 0 || end < q.From {
			return nil
		}
	} else if q.To != 0 {
		end = q.To
	}
	deliver := func(re *kdb.RecordedEvent) error {
		if re.Position.Commit < q.From || !f.match(re.StreamID, re.EventType) {
			return nil
		}
		rec, skip, err := b.record(ctx, re)
		if err != nil || skip {
			return err
		}
		return fn(rec)
	}
	from, done, err := b.scanStart(ctx, q, follow, end, deliver)
	if err != nil || done {
		return err
	}
	opts := kdb.SubscribeToAllOptions{From: from, Filter: &kdb.SubscriptionFilter{Type: kdb.StreamFilterType, Regex: f.streamRegex}}
	if f.typeRegex != "" {
		opts.Filter = &kdb.SubscriptionFilter{Type: kdb.EventFilterType, Regex: f.typeRegex}
	}
	sub, err := b.c.SubscribeToAll(ctx, opts)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("subscribing to $all: %w", err)
	}
	defer sub.Close()
	stop := context.AfterFunc(ctx, func() { sub.Close() })
	defer stop()
	var idle *time.Timer
	var quiet atomic.Bool
	if !follow {
		idle = time.AfterFunc(scanIdle, func() { quiet.Store(true); sub.Close() })
		defer idle.Stop()
	}
	for {
		m := sub.Recv()
		if idle != nil {
			idle.Reset(scanIdle)
		}
		switch {
		case m.EventAppeared != nil:
			re := m.EventAppeared.OriginalEvent()
			p := re.Position.Commit
			if end != 0 && p > end {
				return nil
			}
			if err := deliver(re); err != nil {
				return err
			}
			if !follow && p >= end {
				return nil
			}
		case m.CheckPointReached != nil:
			if !follow && m.CheckPointReached.Commit >= end {
				return nil
			}
		case m.CaughtUp != nil:
			if !follow {
				return nil
			}
		case m.SubscriptionDropped != nil:
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if quiet.Load() {
				return fmt.Errorf("reading $all: the server sent nothing for %v and never said it had caught up", scanIdle)
			}
			return fmt.Errorf("reading $all: subscription dropped: %w", m.SubscriptionDropped.Error)
		}
	}
}

// scanStart returns where the subscription of a scan starts (after from),
// having delivered the record at From itself: reads start at their
// position, subscriptions after it. done is set if nothing is left to read.
func (b *backend) scanStart(ctx context.Context, q events.Query, follow bool, end uint64, deliver func(*kdb.RecordedEvent) error) (from kdb.AllPosition, done bool, err error) {
	if q.From <= 1 {
		return kdb.Start{}, false, nil
	}
	if follow {
		// Where $all ends now: a subscription after it misses nothing later.
		last, ok, err := b.readOne(ctx, kdb.Backwards, kdb.End{})
		if err != nil {
			return nil, false, err
		}
		if !ok {
			return kdb.Start{}, false, nil
		}
		if last.Position.Commit < q.From {
			return last.Position, false, nil
		}
	}
	first, ok, err := b.readOne(ctx, kdb.Forwards, kdb.Position{Commit: q.From, Prepare: q.From})
	if err != nil || !ok {
		return nil, true, err // nothing at or after From (only when not following)
	}
	if end != 0 && first.Position.Commit > end {
		return nil, true, nil
	}
	if err := deliver(first); err != nil {
		return nil, true, err
	}
	if !follow && first.Position.Commit >= end {
		return nil, true, nil
	}
	return first.Position, false, nil
}

// readOne reads one record of $all from a position.
func (b *backend) readOne(ctx context.Context, dir kdb.Direction, from kdb.AllPosition) (*kdb.RecordedEvent, bool, error) {
	rs, err := b.c.ReadAll(ctx, kdb.ReadAllOptions{Direction: dir, From: from}, 1)
	if err != nil {
		return nil, false, fmt.Errorf("reading $all: %w", err)
	}
	defer rs.Close()
	ev, err := rs.Recv()
	if errors.Is(err, io.EOF) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("reading $all: %w", err)
	}
	return ev.OriginalEvent(), true, nil
}

// recentIDWindow is how many event ids a process remembers to refuse an id
// used again for another event (KurrentDB de-duplicates only within a
// stream).
const recentIDWindow = 1 << 17

// recentIDs is a bounded set of the event ids this process stored.
type recentIDs struct {
	mu   sync.Mutex
	set  map[uuid.UUID]struct{}
	ring []uuid.UUID
	next int
}

func newRecentIDs(n int) *recentIDs {
	return &recentIDs{set: make(map[uuid.UUID]struct{}, 1024), ring: make([]uuid.UUID, n)}
}

func (r *recentIDs) anyOf(evs []*events.Event) (uuid.UUID, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range evs {
		if _, ok := r.set[e.ID]; ok {
			return e.ID, true
		}
	}
	return uuid.Nil, false
}

func (r *recentIDs) add(evs []*events.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range evs {
		if old := r.ring[r.next]; old != uuid.Nil {
			delete(r.set, old)
		}
		r.ring[r.next] = e.ID
		r.set[e.ID] = struct{}{}
		r.next = (r.next + 1) % len(r.ring)
	}
}
