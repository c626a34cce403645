package events

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/google/uuid"

	"github.com/shanxi-water/ledger/domain"
)

// Name is an event's stable, explicit name: "<aggregate type>.<fact in the
// past tense>", e.g. "section.reading_recorded". It is chosen when the event is
// registered and never derived from a Go type name.
type Name string

var (
	nameRE  = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}\.[a-z][a-z0-9_]{0,63}$`)
	typeRE  = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)
	aggIDRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)
)

// Validate reports whether n has the form "type.fact".
func (n Name) Validate() error {
	if n == "" {
		return fmt.Errorf("missing")
	}
	if !nameRE.MatchString(string(n)) {
		return fmt.Errorf("%q is not of the form <aggregate type>.<fact>, lower case, e.g. section.reading_recorded", string(n))
	}
	return nil
}

// AggregateType names a kind of aggregate, e.g. "section", "task", "enterprise".
type AggregateType string

// Validate reports whether t is a lower-case identifier.
func (t AggregateType) Validate() error {
	if t == "" {
		return fmt.Errorf("missing")
	}
	if !typeRE.MatchString(string(t)) {
		return fmt.Errorf("%q is not a lower-case identifier (a-z, 0-9, _; at most 40)", string(t))
	}
	return nil
}

// AggregateID identifies one aggregate within its type and scope.
type AggregateID string

// Validate reports whether id is made of letters, digits, '-' and '_'.
func (id AggregateID) Validate() error {
	if id == "" {
		return fmt.Errorf("missing")
	}
	if !aggIDRE.MatchString(string(id)) {
		return fmt.Errorf("%q may hold only ASCII letters, digits, '-' and '_' (1 to 128)", string(id))
	}
	return nil
}

// Aggregate identifies one consistency boundary: the events of one section,
// one task, one enterprise. Its events form one hash chain.
type Aggregate struct {
	Scope domain.Scope  `json:"scope"`
	Type  AggregateType `json:"type"`
	ID    AggregateID   `json:"id"`
}

func (a Aggregate) String() string {
	return string(a.Scope) + "/" + string(a.Type) + "/" + string(a.ID)
}

// Validate checks every part of a, naming the field at fault.
func (a Aggregate) Validate(op, field string) error {
	if err := a.Scope.Validate(); err != nil {
		return domain.E(op, domain.Invalid, field+".scope", err)
	}
	if err := a.Type.Validate(); err != nil {
		return domain.E(op, domain.Invalid, field+".type", err)
	}
	if err := a.ID.Validate(); err != nil {
		return domain.E(op, domain.Invalid, field+".id", err)
	}
	return nil
}

// ParseAggregate parses "scope/type/id".
func ParseAggregate(s string) (Aggregate, error) {
	p := strings.Split(s, "/")
	if len(p) != 3 {
		return Aggregate{}, domain.Errorf("events.ParseAggregate", domain.Invalid, "aggregate", "%q is not scope/type/id, e.g. 140100/section/FH01", s)
	}
	a := Aggregate{domain.Scope(p[0]), AggregateType(p[1]), AggregateID(p[2])}
	return a, a.Validate("events.ParseAggregate", "aggregate")
}

// Hash is a SHA-256 digest.
type Hash [sha256.Size]byte

// IsZero reports whether h is all zeros (no previous event).
func (h Hash) IsZero() bool { return h == Hash{} }

// String returns h in lower-case hex, or "" for the zero hash.
func (h Hash) String() string {
	if h.IsZero() {
		return ""
	}
	return hex.EncodeToString(h[:])
}

// MarshalText encodes h as hex ("" for the zero hash).
func (h Hash) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalText decodes a hex hash; "" is the zero hash.
func (h *Hash) UnmarshalText(b []byte) error {
	v, err := ParseHash(string(b))
	*h = v
	return err
}

// ParseHash decodes a hex digest; "" is the zero hash.
func ParseHash(s string) (Hash, error) {
	var h Hash
	if s == "" {
		return h, nil
	}
	if len(s) != 2*len(h) {
		return h, fmt.Errorf("hash %q: want %d hex digits", s, 2*len(h))
	}
	if _, err := hex.Decode(h[:], []byte(s)); err != nil {
		return h, fmt.Errorf("hash %q: %v", s, err)
	}
	return h, nil
}

// Event is one immutable fact in the ledger.
type Event struct {
	ID            uuid.UUID       `json:"id"`             // UUIDv7; also the store's de-duplication key
	Name          Name            `json:"name"`           // stable registered name
	Schema        int             `json:"schema"`         // payload schema version as read (after upcasting)
	Aggregate     Aggregate       `json:"aggregate"`      // the aggregate it belongs to
	Version       uint64          `json:"version"`        // 1 for the aggregate's first event, then +1
	Position      uint64          `json:"position"`       // place in the global log (assigned by the store; not hashed)
	OccurredAt    time.Time       `json:"occurred_at"`    // when it happened in the world
	RecordedAt    time.Time       `json:"recorded_at"`    // when the ledger stored it
	Actor         domain.Actor    `json:"actor"`          // who, in which role
	CorrelationID uuid.UUID       `json:"correlation_id"` // the request or import it belongs to (may be nil)
	CausationID   uuid.UUID       `json:"causation_id"`   // the event or command that caused it (may be nil)
	Payload       json.RawMessage `json:"payload"`        // payload JSON as read (after upcasting)
	Data          any             `json:"-"`              // decoded payload, a registered type
	PrevHash      Hash            `json:"prev_hash"`      // hash of the aggregate's previous event (zero for the first)
	Hash          Hash            `json:"hash"`           // SHA-256 of the canonical envelope

	// StoredSchema is the schema version the payload was written with, and
	// StoredPayload its bytes as written; the hash covers these, not the
	// upcast form. They equal Schema and Payload unless an upcaster ran.
	StoredSchema  int             `json:"-"`
	StoredPayload json.RawMessage `json:"-"`

	// More is how many events of the same atomic append follow this one in
	// the log (0 for its last, and for an event appended alone), as the
	// backend recorded it: a reader that must never show half of an append
	// (projections.Live) applies the events up to one with 0 together (with
	// Batch, up to the last of the batch). Not part of the hash; a backend
	// that does not record it leaves 0.
	More int `json:"-"`
	// Batch identifies the atomic append the event was stored with, where
	// that append's events may lie apart in the log: KurrentDB stores an
	// append to several aggregates aggregate by aggregate, and another
	// writer's events may come between the parts. Zero where the backend
	// stores an append's events together (JetStream), and for an event
	// appended alone. Not part of the hash.
	Batch uuid.UUID `json:"-"`
}

// TimeFormat is how the envelope's times are written: RFC 3339, UTC, with
// microseconds, so they survive every backend unchanged.
const TimeFormat = "2006-01-02T15:04:05.000000Z"

// Canonical returns the canonical byte form of the envelope that the hash
// covers: a fixed sequence of "key=value" lines ending with the payload as
// stored. Position and Hash are not part of it.
func (e *Event) Canonical() []byte { return e.appendCanonical(nil, nil) }

// appendCanonical appends the canonical form to b; recorded, if not nil, is
// e.RecordedAt already in TimeFormat.
func (e *Event) appendCanonical(b, recorded []byte) []byte {
	schema, payload := e.StoredSchema, e.StoredPayload
	if payload == nil {
		schema, payload = e.Schema, e.Payload
	}
	var tmp [64]byte
	line := func(k, v string) {
		b = append(b, k...)
		b = append(b, '=')
		b = append(b, v...)
		b = append(b, '\n')
	}
	timeLine := func(k string, t time.Time) {
		b = append(b, k...)
		b = append(b, '=')
		b = AppendTime(b, t)
		b = append(b, '\n')
	}
	b = append(b, "ledger-event/1\n"...)
	b = append(b, "id="...)
	b = appendUUID(b, e.ID, tmp[:0])
	b = append(b, '\n')
	line("name", string(e.Name))
	line("schema", strconv.Itoa(schema))
	line("scope", string(e.Aggregate.Scope))
	line("type", string(e.Aggregate.Type))
	line("aggregate", string(e.Aggregate.ID))
	b = append(b, "version="...)
	b = strconv.AppendUint(b, e.Version, 10)
	b = append(b, '\n')
	timeLine("occurred", e.OccurredAt)
	if recorded != nil {
		b = append(b, "recorded="...)
		b = append(b, recorded...)
		b = append(b, '\n')
	} else {
		timeLine("recorded", e.RecordedAt)
	}
	line("actor", e.Actor.ID)
	line("role", string(e.Actor.Role))
	b = append(b, "correlation="...)
	b = appendUUID(b, e.CorrelationID, tmp[:0])
	b = append(b, "\ncausation="...)
	b = appendUUID(b, e.CausationID, tmp[:0])
	b = append(b, "\nprev="...)
	if !e.PrevHash.IsZero() {
		b = hex.AppendEncode(b, e.PrevHash[:])
	}
	b = append(b, '\n')
	b = append(b, "payload="...)
	b = append(b, payload...)
	return b
}

var canonicalPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// ComputeHash returns the SHA-256 of the canonical envelope.
func (e *Event) ComputeHash() Hash {
	bp := canonicalPool.Get().(*[]byte)
	h, b := e.hashWith((*bp)[:0], nil)
	*bp = b
	canonicalPool.Put(bp)
	return h
}

// hashWith is ComputeHash writing the canonical form into buf, which it
// returns for the next event; recorded is as for appendCanonical.
func (e *Event) hashWith(buf, recorded []byte) (Hash, []byte) {
	b := e.appendCanonical(buf[:0], recorded)
	return sha256.Sum256(b), b
}

// appendUUID appends u in its 36-character form, nothing for the nil UUID.
func appendUUID(b []byte, u uuid.UUID, tmp []byte) []byte {
	if u == uuid.Nil {
		return b
	}
	tmp = tmp[:36]
	hex.Encode(tmp[0:8], u[0:4])
	tmp[8] = '-'
	hex.Encode(tmp[9:13], u[4:6])
	tmp[13] = '-'
	hex.Encode(tmp[14:18], u[6:8])
	tmp[18] = '-'
	hex.Encode(tmp[19:23], u[8:10])
	tmp[23] = '-'
	hex.Encode(tmp[24:], u[10:])
	return append(b, tmp...)
}

func optUUID(u uuid.UUID) string {
	if u == uuid.Nil {
		return ""
	}
	return u.String()
}

// ParseOptUUID parses a UUID, "" being the nil UUID.
func ParseOptUUID(s string) (uuid.UUID, error) {
	if s == "" {
		return uuid.Nil, nil
	}
	return uuid.Parse(s)
}

// NewID returns a new UUIDv7 event id. Callers that may retry an append set
// their drafts' IDs with it first, so that a retry is recognised.
func NewID() uuid.UUID {
	var id [1]uuid.UUID
	newIDs(id[:])
	return id[0]
}

// idClock keeps the ids made in this process in increasing order.
var idClock struct {
	sync.Mutex
	last int64 // milliseconds << 12 | sequence of the last id made
}

// newIDs fills ids with new UUIDv7s (RFC 9562), in increasing order, with
// one read of the random source for all of them: 48 bits of Unix
// milliseconds, 12 bits of sub-millisecond time that go on counting when ids
// are made faster than that, and 62 random bits, as uuid.NewV7 makes them.
func newIDs(ids []uuid.UUID) {
	if len(ids) == 0 {
		return
	}
	rand.Read(unsafe.Slice(&ids[0][0], len(ids)*len(ids[0])))
	nano := time.Now().UnixNano()
	milli := nano / 1e6
	next := milli<<12 + (nano-milli*1e6)>>8
	idClock.Lock()
	if next <= idClock.last {
		next = idClock.last + 1
	}
	idClock.last = next + int64(len(ids)) - 1
	idClock.Unlock()
	for k := range ids {
		v, u := next+int64(k), &ids[k]
		ms := v >> 12
		u[0], u[1], u[2], u[3], u[4], u[5] = byte(ms>>40), byte(ms>>32), byte(ms>>24), byte(ms>>16), byte(ms>>8), byte(ms)
		u[6] = 0x70 | byte(v>>8)&0x0f
		u[7] = byte(v)
		u[8] = u[8]&0x3f | 0x80
	}
}

// Draft is an event not yet stored: what a command decided.
type Draft struct {
	ID            uuid.UUID    // optional: set it (NewID) to make retries idempotent
	OccurredAt    time.Time    // required: when it happened in the world
	Actor         domain.Actor // required
	CorrelationID uuid.UUID    // optional
	CausationID   uuid.UUID    // optional
	Data          any          // required: a value of a registered payload type
}

// ExpectedVersion is the version an aggregate must be at for an append to
// proceed: 0 for a new aggregate, n after n events, or Any.
type ExpectedVersion int64

const (
	// NoEvents expects a new aggregate.
	NoEvents ExpectedVersion = 0
	// Any appends after whatever the aggregate's last event is, still chained
	// atomically: a concurrent writer makes the store retry, never fork the chain.
	Any ExpectedVersion = -1
)

// Change is one aggregate's part of an append: the version it must be at and
// the events to add to it.
type Change struct {
	Aggregate Aggregate
	Expect    ExpectedVersion
	Events    []Draft
}

// CommitMark is how a backend records an event's place in an atomic append
// of n events ("i/n", i from 1), where the store keeps no such thing
// itself; "" for an event appended alone.
func CommitMark(i, n int) string {
	if n < 2 {
		return ""
	}
	return strconv.Itoa(i+1) + "/" + strconv.Itoa(n)
}

// MoreAfter reads a CommitMark: how many events of the append follow the
// event (Event.More). A mark that is not i/n leaves the event on its own.
func MoreAfter(mark string) int {
	i, n, ok := strings.Cut(mark, "/")
	if !ok {
		return 0
	}
	ii, err1 := strconv.Atoi(i)
	nn, err2 := strconv.Atoi(n)
	if err1 != nil || err2 != nil || ii < 1 || ii > nn {
		return 0
	}
	return nn - ii
}
