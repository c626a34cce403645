package jetstream

import (
	"fmt"
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
	// One backing array for all header values: one allocation, not twelve.
	v := make([]string, 0, 13)
	h := make(nats.Header, 13)
	set := func(k, val string) {
		v = append(v, val)
		h[k] = v[len(v)-1 : len(v) : len(v)]
	}
	set(jetstream.MsgIDHeader, e.ID.String())
	set(HeaderSchema, strconv.Itoa(e.Schema))
	set(HeaderVersion, strconv.FormatUint(e.Version, 10))
	set(HeaderOccurred, events.FormatTime(e.OccurredAt))
	set(HeaderRecorded, recorded)
	set(HeaderActor, e.Actor.ID)
	set(HeaderRole, string(e.Actor.Role))
	if e.CorrelationID != uuid.Nil {
		set(HeaderCorrelation, e.CorrelationID.String())
	}
	if e.CausationID != uuid.Nil {
		set(HeaderCausation, e.CausationID.String())
	}
	if !e.PrevHash.IsZero() {
		set(HeaderPrevHash, e.PrevHash.String())
	}
	set(HeaderHash, e.Hash.String())
	return &nats.Msg{Subject: Subject(e), Header: h, Data: e.Payload}
}

// decode turns a stored message back into an event, payload undecoded.
func decode(subject string, h nats.Header, data []byte, seq uint64) (*events.Event, error) {
	var tok [6]string
	rest, n := subject, 0
	for ; n < 6 && rest != ""; n++ {
		tok[n], rest, _ = strings.Cut(rest, ".")
	}
	if n != 6 || rest != "" || tok[0] != SubjectPrefix {
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
