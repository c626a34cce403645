package jetstream

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/events"
)

// The messages of a commit carry the envelope in the documented headers
// (README, "The event log"), and each aggregate's first message the
// expected-version check.
func TestEncodeAll(t *testing.T) {
	at := time.Date(2019, 3, 1, 8, 0, 0, 123456000, time.UTC)
	a := events.Aggregate{Scope: "140800", Type: "section", ID: "HJDQ"}
	b := events.Aggregate{Scope: "province", Type: "task", ID: "T-01"}
	var hash, prev events.Hash
	for i := range hash {
		hash[i], prev[i] = byte(i), byte(255-i)
	}
	evs := []*events.Event{
		{ID: events.NewID(), Name: "section.reading_recorded", Schema: 1, Aggregate: a, Version: 1,
			OccurredAt: at, RecordedAt: at.Add(time.Hour), Actor: domain.Actor{ID: "station-1", Role: domain.Station},
			Payload: []byte(`{"v":1}`), Hash: hash},
		{ID: events.NewID(), Name: "section.reading_recorded", Schema: 1, Aggregate: a, Version: 2,
			OccurredAt: at, RecordedAt: at.Add(time.Hour), Actor: domain.Actor{ID: "station-1", Role: domain.Station},
			Payload: []byte(`{"v":2}`), PrevHash: prev, Hash: hash, CorrelationID: events.NewID()},
		{ID: events.NewID(), Name: "task.status_changed", Schema: 12, Aggregate: b, Version: 7,
			OccurredAt: at.Add(-time.Minute), RecordedAt: at.Add(time.Hour), Actor: domain.Actor{ID: "admin", Role: domain.Admin},
			Payload: []byte(`{}`), PrevHash: prev, Hash: hash, CorrelationID: events.NewID(), CausationID: events.NewID()},
	}
	expect := map[events.Aggregate]events.Head{a: {}, b: {Position: 4321}}
	msgs := encodeAll(evs, expect, chainPlan{})
	require.Len(t, msgs, len(evs))
	for i, e := range evs {
		want := nats.Header{
			jetstream.MsgIDHeader: {e.ID.String()},
			HeaderSchema:          {strconv.Itoa(e.Schema)},
			HeaderVersion:         {strconv.FormatUint(e.Version, 10)},
			HeaderOccurred:        {events.FormatTime(e.OccurredAt)},
			HeaderRecorded:        {events.FormatTime(e.RecordedAt)},
			HeaderActor:           {e.Actor.ID},
			HeaderRole:            {string(e.Actor.Role)},
			HeaderHash:            {e.Hash.String()},
			HeaderCommit:          {fmt.Sprintf("%d/%d", i+1, len(evs))},
		}
		if e.CorrelationID != uuid.Nil {
			want[HeaderCorrelation] = []string{e.CorrelationID.String()}
		}
		if e.CausationID != uuid.Nil {
			want[HeaderCausation] = []string{e.CausationID.String()}
		}
		if !e.PrevHash.IsZero() {
			want[HeaderPrevHash] = []string{e.PrevHash.String()}
		}
		if i == 0 || i == 2 {
			want[jetstream.ExpectedLastSubjSeqHeader] = []string{strconv.FormatUint(expect[e.Aggregate].Position, 10)}
			want[jetstream.ExpectedLastSubjSeqSubjHeader] = []string{aggregateSubject(e.Aggregate) + ".>"}
		}
		m := msgs[i]
		require.Equal(t, Subject(e), m.Subject)
		require.Equal(t, "ledger."+string(e.Aggregate.Scope)+"."+string(e.Aggregate.Type)+"."+string(e.Aggregate.ID)+"."+string(e.Name), m.Subject)
		require.Equal(t, want, m.Header)
		require.Equal(t, string(e.Payload), string(m.Data))
		back, err := decode(m.Subject, m.Header, m.Data, 9)
		require.NoError(t, err)
		e.Position = 9
		requireSameEnvelope(t, e, back)
		require.Equal(t, len(evs)-1-i, back.More, "how many of the append follow")

		// A header added later (the batch's) does not write into another's value.
		m.Header.Add(HeaderActor, "x")
		m.Header.Set("Nats-Batch-Id", "b")
	}
	for i, e := range evs {
		require.Equal(t, []string{e.Actor.ID, "x"}, msgs[i].Header[HeaderActor])
		require.Equal(t, []string{string(e.Actor.Role)}, msgs[i].Header[HeaderRole])
		require.Equal(t, []string{e.Hash.String()}, msgs[i].Header[HeaderHash])
	}
}

// A large commit is encoded on two goroutines, and an event's previous hash
// is taken from the event before it only where that is its previous event.
func TestEncodeAllChains(t *testing.T) {
	at := time.Date(2019, 3, 1, 8, 0, 0, 0, time.UTC)
	var evs []*events.Event
	expect := map[events.Aggregate]events.Head{}
	for g := range 3 {
		agg := events.Aggregate{Scope: "140800", Type: "section", ID: events.AggregateID(fmt.Sprintf("S%d", g))}
		expect[agg] = events.Head{Position: uint64(10 * g)}
		var prev events.Hash
		if g == 1 {
			prev[0] = 1 // a chain that goes on from a stored event
		}
		for v := range 41 {
			e := &events.Event{ID: events.NewID(), Name: "section.reading_recorded", Schema: 1, Aggregate: agg,
				Version: uint64(v + 1), OccurredAt: at, RecordedAt: at, Actor: domain.Actor{ID: "s", Role: domain.Station},
				Payload: []byte("{}"), PrevHash: prev}
			e.Hash = e.ComputeHash()
			if g == 2 && v == 20 {
				e.PrevHash[5] ^= 1 // not the event before: its own prev is written
			}
			prev = e.Hash
			evs = append(evs, e)
		}
	}
	msgs := encodeAll(evs, expect, chainPlan{})
	for i, e := range evs {
		h := msgs[i].Header
		require.Equal(t, e.Hash.String(), h.Get(HeaderHash))
		require.Equal(t, e.PrevHash.String(), h.Get(HeaderPrevHash), "event %d", i)
		_, checked := h[jetstream.ExpectedLastSubjSeqHeader]
		require.Equal(t, e.Version == 1, checked)
	}
}

// A subject is decoded only if it has exactly the six parts the ledger
// writes, none empty: the event decoded is stored on the subject it names.
func TestDecodeSubjects(t *testing.T) {
	e := &events.Event{ID: events.NewID(), Name: "section.registered", Schema: 1, Version: 1,
		Aggregate:  events.Aggregate{Scope: "140800", Type: "section", ID: "HJDQ"},
		OccurredAt: time.Date(2019, 3, 1, 0, 0, 0, 0, time.UTC), RecordedAt: time.Date(2019, 3, 1, 0, 0, 0, 0, time.UTC),
		Actor: domain.Actor{ID: "admin", Role: domain.Admin}, Payload: []byte(`{}`)}
	m := encode(e, events.FormatTime(e.RecordedAt))
	good := "ledger.140800.section.HJDQ.section.registered"
	require.Equal(t, good, m.Subject)
	got, err := decode(good, m.Header, m.Data, 1)
	require.NoError(t, err)
	require.Equal(t, good, Subject(got))
	for _, bad := range []string{
		good + ".", "ledger.140800.section.HJDQ.section", "ledger.140800..HJDQ.section.registered",
		"ledger......", "other.140800.section.HJDQ.section.registered", good + ".x",
	} {
		_, err := decode(bad, m.Header, m.Data, 1)
		require.Error(t, err, bad)
	}
}
