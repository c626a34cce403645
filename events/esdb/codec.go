package esdb

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"
	fastjson "github.com/segmentio/encoding/json"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/events"
)

// DefaultPrefix is the first part of every stream name of a ledger.
const DefaultPrefix = "ledger"

// prefixRE: lower-case, no '-' or '.', so that "<prefix>-" (aggregates) and
// "<prefix>.batch-" (batch decisions) of one ledger never match another's.
var prefixRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// StreamName is the stream of an aggregate: <prefix>-<scope>-<type>-<id>,
// e.g. ledger-140800-section-HJDQ. Scope and type hold no '-', so the name
// parses back unambiguously although the id may.
func StreamName(prefix string, a events.Aggregate) string {
	return prefix + "-" + string(a.Scope) + "-" + string(a.Type) + "-" + string(a.ID)
}

// parseStream returns the aggregate of an aggregate stream of the ledger.
func parseStream(prefix, stream string) (events.Aggregate, error) {
	rest, ok := strings.CutPrefix(stream, prefix+"-")
	if !ok {
		return events.Aggregate{}, fmt.Errorf("stream %q is not one of the ledger's (%s-…)", stream, prefix)
	}
	p := strings.SplitN(rest, "-", 3)
	if len(p) != 3 {
		return events.Aggregate{}, fmt.Errorf("stream %q is not %s-<scope>-<type>-<id>", stream, prefix)
	}
	a := events.Aggregate{Scope: domain.Scope(p[0]), Type: events.AggregateType(p[1]), ID: events.AggregateID(p[2])}
	if err := a.Validate("", "aggregate"); err != nil {
		return events.Aggregate{}, fmt.Errorf("stream %q: %v", stream, err)
	}
	return a, nil
}

// batchStream is the stream whose first event decides a multi-aggregate
// batch: <prefix>.batch-<batch id>.
func batchStream(prefix string, batch uuid.UUID) string {
	return prefix + ".batch-" + batch.String()
}

// meta is the envelope an event carries in its ESDB metadata: everything
// but the id (the event id), the name (the event type), the aggregate (the
// stream) and the payload (the data). The batch fields are set only on the
// events of a multi-aggregate append, and come first so that readers can
// tell such an event without decoding the rest.
type meta struct {
	Batch    string `json:"batch,omitempty"`    // batch id
	Deadline string `json:"deadline,omitempty"` // when readers may abort the batch if still undecided
	ID       string `json:"id,omitempty"`       // the ledger event id (the ESDB id is derived from batch and id)

	Schema        int    `json:"schema"`
	Version       uint64 `json:"version"`
	OccurredAt    string `json:"occurred_at"`
	RecordedAt    string `json:"recorded_at"`
	Actor         string `json:"actor"`
	Role          string `json:"role"`
	CorrelationID string `json:"correlation_id,omitempty"`
	CausationID   string `json:"causation_id,omitempty"`
	PrevHash      string `json:"prev_hash,omitempty"`
	Hash          string `json:"hash"`
	Commit        string `json:"commit,omitempty"` // the event's place in its append (events.CommitMark); not hashed
}

var batchMarker = []byte(`{"batch":"`)

// batchOf returns the batch id of an event's metadata, if it has one.
func batchOf(md []byte) (id uuid.UUID, deadline time.Time, ok bool, err error) {
	if !bytes.HasPrefix(md, batchMarker) {
		return uuid.Nil, time.Time{}, false, nil
	}
	var m struct {
		Batch    string `json:"batch"`
		Deadline string `json:"deadline"`
	}
	if err := fastjson.Unmarshal(md, &m); err != nil {
		return uuid.Nil, time.Time{}, false, fmt.Errorf("metadata: %v", err)
	}
	if id, err = uuid.Parse(m.Batch); err != nil {
		return uuid.Nil, time.Time{}, false, fmt.Errorf("metadata batch: %v", err)
	}
	if deadline, err = events.ParseTime(m.Deadline); err != nil {
		return uuid.Nil, time.Time{}, false, fmt.Errorf("metadata deadline: %v", err)
	}
	return id, deadline, true, nil
}

// batchEventID is the ESDB event id of a ledger event written as part of a
// batch: a name-based UUID of the batch and the event id. ESDB's own
// de-duplication then never mistakes an event of an aborted batch for a
// later attempt to store the same ledger event.
func batchEventID(batch, id uuid.UUID) uuid.UUID {
	return uuid.NewSHA1(batch, id[:])
}

// batchInfo is what marks an event as part of a multi-aggregate batch.
type batchInfo struct {
	id       uuid.UUID
	deadline time.Time
}

// encodeMeta returns an event's metadata JSON and its ESDB event id.
func encodeMeta(e *events.Event, recorded, commit string, b *batchInfo) ([]byte, uuid.UUID, error) {
	m := meta{
		Commit:     commit,
		Schema:     e.Schema,
		Version:    e.Version,
		OccurredAt: events.FormatTime(e.OccurredAt),
		RecordedAt: recorded,
		Actor:      e.Actor.ID,
		Role:       string(e.Actor.Role),
		PrevHash:   e.PrevHash.String(),
		Hash:       e.Hash.String(),
	}
	if e.CorrelationID != uuid.Nil {
		m.CorrelationID = e.CorrelationID.String()
	}
	if e.CausationID != uuid.Nil {
		m.CausationID = e.CausationID.String()
	}
	id := e.ID
	if b != nil {
		m.Batch, m.Deadline, m.ID = b.id.String(), events.FormatTime(b.deadline), e.ID.String()
		id = batchEventID(b.id, e.ID)
	}
	md, err := fastjson.Marshal(&m)
	return md, id, err
}

// decode turns a stored ESDB event back into a ledger event, payload not
// decoded. The envelope's hash is checked here: ESDB keeps no checksum a
// reader sees, so an event whose stored bytes were altered comes back with
// the event and an error saying so.
func decode(prefix, stream, typ string, esdbID uuid.UUID, data, md []byte, pos uint64) (*events.Event, error) {
	agg, err := parseStream(prefix, stream)
	if err != nil {
		return nil, err
	}
	var m meta
	if err := fastjson.Unmarshal(md, &m); err != nil {
		return nil, fmt.Errorf("event %s of %s: metadata: %v", esdbID, stream, err)
	}
	e := &events.Event{
		ID:        esdbID,
		Name:      events.Name(typ),
		Schema:    m.Schema,
		Aggregate: agg,
		Version:   m.Version,
		Position:  pos,
		Actor:     domain.Actor{ID: m.Actor, Role: domain.Role(m.Role)},
		Payload:   data,
		More:      events.MoreAfter(m.Commit),
	}
	fail := func(field string, err error) (*events.Event, error) {
		return nil, fmt.Errorf("event %s of %s: metadata %s: %v", esdbID, stream, field, err)
	}
	if m.Batch != "" {
		batch, err := uuid.Parse(m.Batch)
		if err != nil {
			return fail("batch", err)
		}
		if e.ID, err = uuid.Parse(m.ID); err != nil {
			return fail("id", err)
		}
		if batchEventID(batch, e.ID) != esdbID {
			return fail("id", fmt.Errorf("%s is not the event of batch %s stored as %s", e.ID, batch, esdbID))
		}
		e.Batch = batch
	}
	if e.OccurredAt, err = events.ParseTime(m.OccurredAt); err != nil {
		return fail("occurred_at", err)
	}
	if e.RecordedAt, err = events.ParseTime(m.RecordedAt); err != nil {
		return fail("recorded_at", err)
	}
	if e.CorrelationID, err = events.ParseOptUUID(m.CorrelationID); err != nil {
		return fail("correlation_id", err)
	}
	if e.CausationID, err = events.ParseOptUUID(m.CausationID); err != nil {
		return fail("causation_id", err)
	}
	if e.PrevHash, err = events.ParseHash(m.PrevHash); err != nil {
		return fail("prev_hash", err)
	}
	if e.Hash, err = events.ParseHash(m.Hash); err != nil {
		return fail("hash", err)
	}
	if e.ComputeHash() != e.Hash {
		return e, fmt.Errorf("position %d: the stored bytes of event %s (%s version %d) do not match its hash: altered after it was written", pos, e.ID, agg, e.Version)
	}
	return e, nil
}

// filter is the server-side filter of a scan of $all, and the same test on
// this side (the server's filter only narrows what is sent).
type filter struct {
	streamRegex string          // stream-name filter, or
	typeRegex   string          // event-type filter
	streams     *regexp.Regexp  // client-side stream test
	names       map[string]bool // client-side name test (nil: all)
}

func alternatives(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = regexp.QuoteMeta(v)
	}
	return "(" + strings.Join(q, "|") + ")"
}

// newFilter turns a query's filters into a $all filter. The stream-name
// regex uses only syntax .NET and Go read alike.
func newFilter(prefix string, q events.Query) filter {
	var re string
	switch {
	case q.Aggregate != nil:
		re = "^" + regexp.QuoteMeta(StreamName(prefix, *q.Aggregate)) + "$"
	default:
		scopes, types := "[^-]+", "[^-]+"
		if len(q.Scopes) > 0 {
			v := make([]string, len(q.Scopes))
			for i, s := range q.Scopes {
				v[i] = string(s)
			}
			scopes = alternatives(v)
		}
		if len(q.Types) > 0 {
			v := make([]string, len(q.Types))
			for i, t := range q.Types {
				v[i] = string(t)
			}
			types = alternatives(v)
		}
		re = "^" + regexp.QuoteMeta(prefix) + "-" + scopes + "-" + types + "-"
	}
	f := filter{streams: regexp.MustCompile(re)}
	if len(q.Names) > 0 {
		f.names = map[string]bool{}
		v := make([]string, len(q.Names))
		for i, n := range q.Names {
			f.names[string(n)] = true
			v[i] = string(n)
		}
		if q.Aggregate == nil && len(q.Scopes) == 0 && len(q.Types) == 0 {
			// Only names: let the server select by event type.
			f.typeRegex = "^" + alternatives(v) + "$"
			return f
		}
	}
	f.streamRegex = re
	return f
}

func (f filter) match(stream, typ string) bool {
	return f.streams.MatchString(stream) && (f.names == nil || f.names[typ])
}
