package events_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/events"
)

// The hash is SHA-256 over the documented canonical form, computed here by
// hand from the raw field values.
func TestHashOfCanonicalEnvelope(t *testing.T) {
	prev := sha256.Sum256([]byte("previous"))
	e := events.Event{
		ID:            uuid.MustParse("01936a3c-5b7e-7c3a-9f10-1234567890ab"),
		Name:          "section.reading_recorded",
		Schema:        2,
		Aggregate:     events.Aggregate{Scope: "140800", Type: "section", ID: "HJDQ"},
		Version:       17,
		OccurredAt:    time.Date(2019, 7, 1, 8, 0, 0, 0, time.FixedZone("CST", 8*3600)),
		RecordedAt:    time.Date(2019, 7, 1, 0, 5, 0, 123456000, time.UTC),
		Actor:         domain.Actor{ID: "station-140800-03", Role: domain.Station},
		CorrelationID: uuid.MustParse("01936a3c-0000-7000-8000-000000000001"),
		Payload:       json.RawMessage(`{"cod":38.5}`),
		PrevHash:      prev,
	}
	want := "ledger-event/1\n" +
		"id=01936a3c-5b7e-7c3a-9f10-1234567890ab\n" +
		"name=section.reading_recorded\n" +
		"schema=2\n" +
		"scope=140800\n" +
		"type=section\n" +
		"aggregate=HJDQ\n" +
		"version=17\n" +
		"occurred=2019-07-01T00:00:00.000000Z\n" +
		"recorded=2019-07-01T00:05:00.123456Z\n" +
		"actor=station-140800-03\n" +
		"role=station\n" +
		"correlation=01936a3c-0000-7000-8000-000000000001\n" +
		"causation=\n" +
		"prev=" + hex.EncodeToString(prev[:]) + "\n" +
		`payload={"cod":38.5}`
	require.Equal(t, want, string(e.Canonical()))
	require.Equal(t, events.Hash(sha256.Sum256([]byte(want))), e.ComputeHash())

	// Every field is covered: changing any one changes the hash.
	base := e.ComputeHash()
	mutations := map[string]func(*events.Event){
		"id":        func(e *events.Event) { e.ID[15]++ },
		"name":      func(e *events.Event) { e.Name = "section.reading_corrected" },
		"schema":    func(e *events.Event) { e.Schema = 1 },
		"scope":     func(e *events.Event) { e.Aggregate.Scope = "140100" },
		"type":      func(e *events.Event) { e.Aggregate.Type = "task" },
		"aggregate": func(e *events.Event) { e.Aggregate.ID = "HJDR" },
		"version":   func(e *events.Event) { e.Version = 18 },
		"occurred":  func(e *events.Event) { e.OccurredAt = e.OccurredAt.Add(time.Microsecond) },
		"recorded":  func(e *events.Event) { e.RecordedAt = e.RecordedAt.Add(time.Microsecond) },
		"actor":     func(e *events.Event) { e.Actor.ID = "station-140800-04" },
		"role":      func(e *events.Event) { e.Actor.Role = domain.Admin },
		"corr":      func(e *events.Event) { e.CorrelationID = uuid.Nil },
		"cause":     func(e *events.Event) { e.CausationID = e.ID },
		"prev":      func(e *events.Event) { e.PrevHash = events.Hash{} },
		"payload":   func(e *events.Event) { e.Payload = json.RawMessage(`{"cod":18.5}`) },
	}
	for name, mutate := range mutations {
		c := e
		mutate(&c)
		require.NotEqual(t, base, c.ComputeHash(), name)
	}
}

func TestHashText(t *testing.T) {
	h := events.Hash(sha256.Sum256([]byte("x")))
	back, err := events.ParseHash(h.String())
	require.NoError(t, err)
	require.Equal(t, h, back)
	zero, err := events.ParseHash("")
	require.NoError(t, err)
	require.True(t, zero.IsZero())
	for _, bad := range []string{"abc", h.String()[:63] + "g"} {
		_, err := events.ParseHash(bad)
		require.Error(t, err, bad)
	}
}

func TestNamesAndAggregates(t *testing.T) {
	for _, tc := range []struct {
		name events.Name
		ok   bool
	}{
		{"section.reading_recorded", true}, {"enterprise.yellow_card_issued", true},
		{"", false}, {"reading", false}, {"Section.recorded", false}, {"a.b.c", false}, {"section.", false},
	} {
		require.Equal(t, tc.ok, tc.name.Validate() == nil, string(tc.name))
	}
	a, err := events.ParseAggregate("140100/section/FH-01")
	require.NoError(t, err)
	require.Equal(t, events.Aggregate{Scope: "140100", Type: "section", ID: "FH-01"}, a)
	for _, bad := range []string{"140100/section", "149999/section/x", "140100/Section/x", "140100/section/a b", "province/task/"} {
		_, err := events.ParseAggregate(bad)
		require.Error(t, err, bad)
		require.Equal(t, domain.Invalid, domain.KindOf(err))
	}
}

type memoV1 struct {
	Text string `json:"text"`
}
type memoV3 struct {
	Body  string `json:"body"`
	Words int    `json:"words"`
	Lang  string `json:"lang"`
}

// Upcasters run in order from the stored version to the current one.
func TestRegistryUpcastsThroughEveryVersion(t *testing.T) {
	r := events.NewRegistry()
	events.Register[memoV3](r, "memo.written", 3)
	r.RegisterUpcaster("memo.written", 1, func(old json.RawMessage) (json.RawMessage, error) {
		var v map[string]any
		_ = json.Unmarshal(old, &v)
		return json.Marshal(map[string]any{"body": v["text"], "words": 2})
	})
	r.RegisterUpcaster("memo.written", 2, func(old json.RawMessage) (json.RawMessage, error) {
		var v map[string]any
		_ = json.Unmarshal(old, &v)
		v["lang"] = "zh"
		return json.Marshal(v)
	})
	data, schema, _, err := r.Decode("memo.written", 1, json.RawMessage(`{"text":"汾河 达标"}`))
	require.NoError(t, err)
	require.Equal(t, 3, schema)
	require.Equal(t, memoV3{Body: "汾河 达标", Words: 2, Lang: "zh"}, data)

	data, _, _, err = r.Decode("memo.written", 2, json.RawMessage(`{"body":"b","words":1}`))
	require.NoError(t, err)
	require.Equal(t, memoV3{Body: "b", Words: 1, Lang: "zh"}, data)

	_, _, _, err = r.Decode("memo.written", 0, json.RawMessage(`{}`))
	require.ErrorContains(t, err, "schema version 0")

	missing := events.NewRegistry()
	events.Register[memoV3](missing, "memo.written", 3)
	_, _, _, err = missing.Decode("memo.written", 1, json.RawMessage(`{}`))
	require.ErrorContains(t, err, "no upcaster from schema version 1 to 2")
}

func TestRegistryMisuse(t *testing.T) {
	r := events.NewRegistry()
	events.Register[memoV1](r, "memo.written", 1)
	require.Panics(t, func() { events.Register[memoV3](r, "memo.written", 1) }, "name twice")
	require.Panics(t, func() { events.Register[memoV1](r, "memo.other", 1) }, "type twice")
	require.Panics(t, func() { events.Register[memoV3](r, "Memo", 1) }, "bad name")
	require.Panics(t, func() { events.Register[memoV3](r, "memo.v0", 0) }, "schema 0")
	require.Panics(t, func() { r.RegisterUpcaster("memo.written", 1, nil) }, "no version above 1")
	require.Panics(t, func() { r.RegisterUpcaster("memo.none", 1, nil) }, "unknown name")
	require.Equal(t, []events.Name{"memo.written"}, r.Names())
}
