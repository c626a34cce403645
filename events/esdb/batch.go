package esdb

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	kdb "github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"github.com/shanxi-water/ledger/events"
)

// Event types of the first (and only) event of a batch's decision stream.
const (
	typeCommitted = "ledger.batch_committed"
	typeAborted   = "ledger.batch_aborted"
)

// errOwnBatch: a writer met its own batch's events where it did not put them.
var errOwnBatch = errors.New("the stream holds events of this very batch")

// commitBatch stores the events of several aggregates all or nothing (see
// the package documentation): each aggregate's events are appended, marked
// with the batch, at its expected revision; then the batch's decision
// stream is created holding "committed". Until then no reader counts the
// batch's events; if any append fails, the decision is "aborted" and none
// of them ever counts.
func (b *backend) commitBatch(ctx context.Context, op string, evs []*events.Event, expect map[events.Aggregate]events.Head) error {
	bi := &batchInfo{id: events.NewID(), deadline: time.Now().Add(b.cfg.BatchTimeout).UTC()}
	groups, err := b.encode(op, evs, bi)
	if err != nil {
		return err
	}
	for i, g := range groups {
		if err := b.appendGroup(ctx, g, expect[g.agg], bi); err != nil {
			b.abandon(ctx, bi.id)
			return fmt.Errorf("batch %s: %w", bi.id, err)
		}
		if b.crashAfter != nil {
			if err := b.crashAfter(i); err != nil {
				return err
			}
		}
	}
	committed, err := b.decide(ctx, bi.id, true)
	if err != nil {
		return fmt.Errorf("batch %s: its decision could not be stored, so it is committed or will be aborted: %w", bi.id, err)
	}
	if !committed {
		return fmt.Errorf("batch %s was aborted before it committed, by a reader or writer that found it in its way or past its deadline: %w", bi.id, events.ErrConflict)
	}
	return nil
}

// abandon aborts a batch whose commit failed; if even that fails, the batch
// is aborted by the first reader that meets it after its deadline.
func (b *backend) abandon(ctx context.Context, id uuid.UUID) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if _, err := b.decide(ctx, id, false); err != nil {
		b.cfg.Logger.Warn("could not abort a failed batch; readers will abort it after its deadline", "batch", id, "err", err)
	}
}

func (b *backend) decision(id uuid.UUID) (committed, ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	committed, ok = b.decisions[id]
	return committed, ok
}

func (b *backend) setDecision(id uuid.UUID, committed bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.decisions) >= maxCached {
		clear(b.decisions)
	}
	b.decisions[id] = committed
}

// decide tries to create the batch's decision stream with the given
// decision, and returns the decision that stands: the first one stored.
func (b *backend) decide(ctx context.Context, id uuid.UUID, commit bool) (committed bool, err error) {
	typ := typeAborted
	if commit {
		typ = typeCommitted
	}
	ev := kdb.EventData{
		EventID:     uuid.NewSHA1(id, []byte(typ)),
		EventType:   typ,
		ContentType: kdb.ContentTypeJson,
		Data:        fmt.Appendf(nil, `{"batch":%q,"decided_at":%q}`, id.String(), events.FormatTime(time.Now())),
	}
	_, err = b.appendRetrying(ctx, batchStream(b.prefix, id), kdb.NoStream{}, []kdb.EventData{ev})
	if err == nil {
		b.setDecision(id, commit)
		return commit, nil
	}
	if !isWrongVersion(err) {
		return false, err
	}
	committed, decided, err := b.readDecision(ctx, id)
	if err != nil {
		return false, err
	}
	if !decided {
		return false, fmt.Errorf("batch %s: its decision stream exists but holds no decision", id)
	}
	return committed, nil
}

// readDecision reads a batch's decision, if it has one.
func (b *backend) readDecision(ctx context.Context, id uuid.UUID) (committed, decided bool, err error) {
	if c, ok := b.decision(id); ok {
		return c, true, nil
	}
	stream := batchStream(b.prefix, id)
	rs, err := b.c.ReadStream(ctx, stream, kdb.ReadStreamOptions{Direction: kdb.Forwards, From: kdb.Start{}}, 1)
	if err != nil {
		return false, false, fmt.Errorf("reading %s: %w", stream, err)
	}
	defer rs.Close()
	ev, err := rs.Recv()
	if errors.Is(err, io.EOF) || isNotFound(err) {
		return false, false, nil
	}
	if err != nil {
		return false, false, fmt.Errorf("reading %s: %w", stream, err)
	}
	switch ev.Event.EventType {
	case typeCommitted:
		committed = true
	case typeAborted:
	default:
		return false, false, fmt.Errorf("%s begins with an event of type %q, not a decision", stream, ev.Event.EventType)
	}
	b.setDecision(id, committed)
	return committed, true, nil
}

// resolve returns whether a batch committed. An undecided batch is waited
// for, unless it is past its deadline (its writer is taken to have died) or
// self is an older batch that it stands in the way of ("wound-wait": an
// older batch never waits for a younger one, so batches waiting for each
// other always end): then it is aborted. Aborting is always safe: the
// decision stream holds whichever decision came first, and a batch whose
// commit finds "aborted" there reports a conflict.
func (b *backend) resolve(ctx context.Context, id uuid.UUID, deadline time.Time, self *batchInfo) (bool, error) {
	if c, ok := b.decision(id); ok {
		return c, nil
	}
	if self != nil && self.id == id {
		return false, errOwnBatch
	}
	wait := time.Millisecond
	for {
		committed, decided, err := b.readDecision(ctx, id)
		if err != nil || decided {
			return committed, err
		}
		older := self != nil && bytes.Compare(self.id[:], id[:]) < 0 // UUIDv7: ordered by time
		if older || !time.Now().Before(deadline) {
			return b.decide(ctx, id, false)
		}
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-time.After(min(wait, time.Until(deadline)+time.Millisecond)):
		}
		wait = min(2*wait, 50*time.Millisecond)
	}
}
