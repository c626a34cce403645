package jetstream

import (
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/events"
)

// SubjectPrefix is the first token of every ledger subject.
const SubjectPrefix = "ledger"

// Headers carrying the envelope. The event id is the Nats-Msg-Id.
const (
	HeaderSchema      = "Ledger-Schema"
	HeaderVersion     = "Ledger-Version"
	HeaderOccurred    = "Ledger-Occurred-At"
	HeaderRecorded    = "Ledger-Recorded-At"
	HeaderActor       = "Ledger-Actor"
	HeaderRole        = "Ledger-Role"
	HeaderCorrelation = "Ledger-Correlation-Id"
	HeaderCausation   = "Ledger-Causation-Id"
	HeaderPrevHash    = "Ledger-Prev-Hash"
	HeaderHash        = "Ledger-Hash"
	// HeaderCommit is "i/n" on the i-th of an atomic append's n messages
	// (absent when n is 1): events.Event.More. Not hashed.
	HeaderCommit = "Ledger-Commit"
)

// aggregateSubject is the subject prefix of one aggregate's events.
func aggregateSubject(a events.Aggregate) string {
	return SubjectPrefix + "." + string(a.Scope) + "." + string(a.Type) + "." + string(a.ID)
}

// Subject is the subject an event is stored on.
func Subject(e *events.Event) string {
	return aggregateSubject(e.Aggregate) + "." + string(e.Name)
}

// encode turns a sealed event into a message; recorded is its recorded-at,
// already formatted (one append has one recorded-at).
func encode(e *events.Event, recorded string) *nats.Msg {
	m := new(nats.Msg)
	encodeTo(m, make([]string, 0, envelopeHeaders), e, recorded, "")
	return m
}

// envelopeHeaders is the most headers an event's envelope takes.
const envelopeHeaders = 11

// encodeTo encodes e into m, with vals (empty, of capacity envelopeHeaders)
// as the backing array of its header values, and returns its hash in hex.
// prevHex is its previous hash in hex if the caller has it, else "". The
// subject and every header value made here share one string: one
// allocation, not eight.
func encodeTo(m *nats.Msg, vals []string, e *events.Event, recorded, prevHex string) string {
	var tmp [512]byte
	b := append(tmp[:0], SubjectPrefix...)
	for _, part := range [...]string{string(e.Aggregate.Scope), string(e.Aggregate.Type), string(e.Aggregate.ID), string(e.Name)} {
		b = append(b, '.')
		b = append(b, part...)
	}
	var ends [8]int // end of the subject, then of each value below
	ends[0] = len(b)
	b = appendUUID(b, e.ID)
	ends[1] = len(b)
	b = strconv.AppendInt(b, int64(e.Schema), 10)
	ends[2] = len(b)
	b = strconv.AppendUint(b, e.Version, 10)
	ends[3] = len(b)
	b = events.AppendTime(b, e.OccurredAt)
	ends[4] = len(b)
	if e.CorrelationID != uuid.Nil {
		b = appendUUID(b, e.CorrelationID)
	}
	ends[5] = len(b)
	if e.CausationID != uuid.Nil {
		b = appendUUID(b, e.CausationID)
	}
	ends[6] = len(b)
	if !e.PrevHash.IsZero() && prevHex == "" {
		b = hex.AppendEncode(b, e.PrevHash[:])
	}
	ends[7] = len(b)
	b = hex.AppendEncode(b, e.Hash[:])
	s := string(b)
	part := func(k int) string { return s[ends[k-1]:ends[k]] }

	// Room for the batch's and the expected version's headers too, within
	// the 14 entries a map holds before it needs more than 16 slots.
	n := 8 + 5
	for _, set := range [...]bool{e.CorrelationID != uuid.Nil, e.CausationID != uuid.Nil, !e.PrevHash.IsZero()} {
		if set {
			n++
		}
	}
	h := make(nats.Header, min(n, 14))
	set := func(k, val string) {
		vals = append(vals, val)
		h[k] = vals[len(vals)-1 : len(vals) : len(vals)]
	}
	set(jetstream.MsgIDHeader, part(1))
	set(HeaderSchema, part(2))
	set(HeaderVersion, part(3))
	set(HeaderOccurred, part(4))
	set(HeaderRecorded, recorded)
	set(HeaderActor, e.Actor.ID)
	set(HeaderRole, string(e.Actor.Role))
	if e.CorrelationID != uuid.Nil {
		set(HeaderCorrelation, part(5))
	}
	if e.CausationID != uuid.Nil {
		set(HeaderCausation, part(6))
	}
	if !e.PrevHash.IsZero() {
		if prevHex == "" {
			prevHex = part(7)
		}
		set(HeaderPrevHash, prevHex)
	}
	hash := s[ends[7]:]
	set(HeaderHash, hash)
	*m = nats.Msg{Subject: s[:ends[0]], Header: h, Data: e.Payload}
	return hash
}

// appendUUID appends u in its 36-character form (the nil UUID too: an event id
// is always written; a nil correlation or causation id is left out by the caller).
func appendUUID(b []byte, u uuid.UUID) []byte {
	b = hex.AppendEncode(b, u[0:4])
	b = append(b, '-')
	b = hex.AppendEncode(b, u[4:6])
	b = append(b, '-')
	b = hex.AppendEncode(b, u[6:8])
	b = append(b, '-')
	b = hex.AppendEncode(b, u[8:10])
	b = append(b, '-')
	return hex.AppendEncode(b, u[10:])
}

// decode turns a stored message back into an event, payload undecoded.
func decode(subject string, h nats.Header, data []byte, seq uint64) (*events.Event, error) {
	var tok [6]string
	rest, n, more := subject, 0, false
	for ; n < 6 && rest != ""; n++ {
		tok[n], rest, more = strings.Cut(rest, ".")
	}
	// Six parts, none empty, and no separator after the last (a subject
	// ending in a dot would decode to an event stored on another subject).
	if n != 6 || rest != "" || more || tok[0] != SubjectPrefix || slices.Contains(tok[:], "") {
		return nil, fmt.Errorf("subject %q is not %s.<scope>.<type>.<id>.<event name>", subject, SubjectPrefix)
	}
	e := &events.Event{
		Name:      events.Name(tok[4] + "." + tok[5]),
		Aggregate: events.Aggregate{Scope: domain.Scope(tok[1]), Type: events.AggregateType(tok[2]), ID: events.AggregateID(tok[3])},
		Position:  seq,
		Actor:     domain.Actor{ID: h.Get(HeaderActor), Role: domain.Role(h.Get(HeaderRole))},
		Payload:   data,
	}
	var err error
	fail := func(header string, err error) (*events.Event, error) {
		return nil, fmt.Errorf("header %s: %v", header, err)
	}
	if e.ID, err = uuid.Parse(h.Get(jetstream.MsgIDHeader)); err != nil {
		return fail(jetstream.MsgIDHeader, err)
	}
	if e.Schema, err = strconv.Atoi(h.Get(HeaderSchema)); err != nil {
		return fail(HeaderSchema, err)
	}
	if e.Version, err = strconv.ParseUint(h.Get(HeaderVersion), 10, 64); err != nil {
		return fail(HeaderVersion, err)
	}
	if e.OccurredAt, err = events.ParseTime(h.Get(HeaderOccurred)); err != nil {
		return fail(HeaderOccurred, err)
	}
	if e.RecordedAt, err = events.ParseTime(h.Get(HeaderRecorded)); err != nil {
		return fail(HeaderRecorded, err)
	}
	if e.CorrelationID, err = events.ParseOptUUID(h.Get(HeaderCorrelation)); err != nil {
		return fail(HeaderCorrelation, err)
	}
	if e.CausationID, err = events.ParseOptUUID(h.Get(HeaderCausation)); err != nil {
		return fail(HeaderCausation, err)
	}
	if e.PrevHash, err = events.ParseHash(h.Get(HeaderPrevHash)); err != nil {
		return fail(HeaderPrevHash, err)
	}
	if e.Hash, err = events.ParseHash(h.Get(HeaderHash)); err != nil {
		return fail(HeaderHash, err)
	}
	// The append's bounds are a reader's hint, not part of the event.
	e.More = events.MoreAfter(h.Get(HeaderCommit))
	return e, nil
}

// filterSubjects turns a query's filters into JetStream filter subjects.
func filterSubjects(q events.Query) ([]string, error) {
	var prefixes []string
	if q.Aggregate != nil {
		prefixes = []string{aggregateSubject(*q.Aggregate)}
	} else {
		scopes := []string{"*"}
		if len(q.Scopes) > 0 {
			scopes = scopes[:0]
			for _, s := range q.Scopes {
				scopes = append(scopes, string(s))
			}
		}
		types := []string{"*"}
		if len(q.Types) > 0 {
			types = types[:0]
			for _, t := range q.Types {
				types = append(types, string(t))
			}
		}
		for _, s := range scopes {
			for _, t := range types {
				prefixes = append(prefixes, SubjectPrefix+"."+s+"."+t+".*")
			}
		}
	}
	if len(q.Scopes) == 0 && len(q.Types) == 0 && len(q.Names) == 0 && q.Aggregate == nil {
		return nil, nil // the whole stream
	}
	var out []string
	for _, p := range prefixes {
		if len(q.Names) == 0 {
			out = append(out, p+".>")
			continue
		}
		for _, n := range q.Names {
			out = append(out, p+"."+string(n))
		}
	}
	if len(out) > maxFilterSubjects {
		return nil, domain.Errorf("jetstream.Scan", domain.Invalid, "query", "%d combinations of scope, type and name; at most %d", len(out), maxFilterSubjects)
	}
	return dedupe(out), nil
}

const maxFilterSubjects = 256

func dedupe(s []string) []string {
	seen := make(map[string]bool, len(s))
	out := s[:0]
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
