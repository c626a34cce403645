package jetstream_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	njs "github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"
	"github.com/synadia-io/orbit.go/jetstreamext"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/events"
	"github.com/shanxi-water/ledger/events/jetstream"
)

// benchReading is a realistic payload: one automatic-station sample.
type benchReading struct {
	Section   string             `json:"section"`
	SampledAt time.Time          `json:"sampled_at"`
	Source    string             `json:"source"`
	Values    map[string]float64 `json:"values"`
}

func benchRegistry() *events.Registry {
	r := events.NewRegistry()
	events.Register[benchReading](r, "section.reading_recorded", 1)
	return r
}

const benchBatch = 1000

var benchActor = domain.Actor{ID: "station-140800-03", Role: domain.Station}

// benchChanges builds one atomic append of benchBatch readings spread over
// sections aggregates, continuing from their versions.
func benchChanges(round int, sections int, versions map[events.Aggregate]events.ExpectedVersion) []events.Change {
	per := benchBatch / sections
	changes := make([]events.Change, sections)
	t0 := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(round) * 4 * time.Hour)
	for s := range sections {
		a := events.Aggregate{Scope: "140800", Type: "section", ID: events.AggregateID(fmt.Sprintf("YC%03d", s))}
		drafts := make([]events.Draft, per)
		for i := range drafts {
			drafts[i] = events.Draft{OccurredAt: t0, Actor: benchActor, Data: benchReading{
				Section: string(a.ID), SampledAt: t0.Add(time.Duration(i) * time.Second), Source: "auto",
				Values: map[string]float64{"pH": 7.81, "DO": 6.12, "CODMn": 4.2 + float64(i%7)/10, "NH3N": 0.52, "TP": 0.113, "TN": 1.84},
			}}
		}
		changes[s] = events.Change{Aggregate: a, Expect: versions[a], Events: drafts}
		versions[a] += events.ExpectedVersion(per)
	}
	return changes
}

// rawItem is one message's bytes: subject, header pairs and body.
type rawItem struct {
	subject string
	header  [][2]string
	data    []byte
}

// rawContent takes the bytes of stored events: the same subject (under the
// raw stream's prefix), header values and body, already encoded.
func rawContent(evs []events.Event, round int) []rawItem {
	items := make([]rawItem, len(evs))
	for i, e := range evs {
		items[i] = rawItem{
			subject: "raw." + jetstream.Subject(&e)[len(jetstream.SubjectPrefix)+1:],
			header: [][2]string{
				{njs.MsgIDHeader, fmt.Sprintf("raw-%d-%d", round, i)},
				{jetstream.HeaderSchema, "1"},
				{jetstream.HeaderVersion, fmt.Sprint(e.Version)},
				{jetstream.HeaderOccurred, events.FormatTime(e.OccurredAt)},
				{jetstream.HeaderRecorded, events.FormatTime(e.RecordedAt)},
				{jetstream.HeaderActor, e.Actor.ID},
				{jetstream.HeaderRole, string(e.Actor.Role)},
				{jetstream.HeaderPrevHash, e.PrevHash.String()},
				{jetstream.HeaderHash, e.Hash.String()},
			},
			data: e.Payload,
		}
	}
	return items
}

// rawMessages puts the bytes into nats.Msg values, as any raw client must.
func rawMessages(items []rawItem) []*nats.Msg {
	msgs := make([]*nats.Msg, len(items))
	for i, it := range items {
		h := make(nats.Header, len(it.header))
		for _, kv := range it.header {
			h[kv[0]] = []string{kv[1]}
		}
		msgs[i] = &nats.Msg{Subject: it.subject, Header: h, Data: it.data}
	}
	return msgs
}

func openBench(b *testing.B) *jetstream.Store {
	s, err := jetstream.Open(context.Background(), jetstream.Config{DataDir: b.TempDir(), Registry: benchRegistry()})
	require.NoError(b, err)
	// A second stream on the same server, configured the same way, for raw nats.go.
	cfg := jetstream.StreamConfig("RAW", 1, 2*time.Minute)
	cfg.Subjects = []string{"raw.>"}
	_, err = s.JetStream().CreateStream(context.Background(), cfg)
	require.NoError(b, err)
	return s
}

// BenchmarkAppend compares a durable append through the ledger (validate,
// encode, hash, expected-version checks, atomic batch, fsync) with raw
// nats.go publishing the same bytes (subjects, header values, bodies, already
// encoded) as an atomic batch to a stream of the same configuration on the
// same server, alternating the two in each iteration. The raw side's time
// includes putting those bytes into nats.Msg values, as any raw client must.
func BenchmarkAppend(b *testing.B) {
	ctx := context.Background()
	s := openBench(b)
	defer s.Close()
	versions := map[events.Aggregate]events.ExpectedVersion{}
	var ledgerTime, rawTime time.Duration
	b.ResetTimer()
	for i := range b.N {
		changes := benchChanges(i, 10, versions)
		t := time.Now()
		evs, err := s.Append(ctx, changes...)
		ledgerTime += time.Since(t)
		require.NoError(b, err)

		items := rawContent(evs, i)
		t = time.Now()
		_, err = jetstreamext.PublishMsgBatch(ctx, s.JetStream(), rawMessages(items))
		rawTime += time.Since(t)
		require.NoError(b, err)
	}
	n := float64(b.N * benchBatch)
	b.ReportMetric(n/ledgerTime.Seconds(), "ledger_ev/s")
	b.ReportMetric(n/rawTime.Seconds(), "raw_ev/s")
	b.ReportMetric(rawTime.Seconds()/ledgerTime.Seconds(), "ratio")
}

// BenchmarkReadAll compares reading and decoding the whole log through the
// ledger (envelope, payload into its Go type) with a raw drain of the same
// stream by an ordered consumer, alternating the two.
func BenchmarkReadAll(b *testing.B) {
	ctx := context.Background()
	s := openBench(b)
	defer s.Close()
	versions := map[events.Aggregate]events.ExpectedVersion{}
	const rounds = 100 // 100,000 events
	for i := range rounds {
		_, err := s.Append(ctx, benchChanges(i, 10, versions)...)
		require.NoError(b, err)
	}
	var ledgerTime, rawTime time.Duration
	b.ResetTimer()
	for range b.N {
		t := time.Now()
		n := 0
		err := s.Read(ctx, events.Query{}, func(e events.Event) error {
			if _, ok := e.Data.(benchReading); ok {
				n++
			}
			return nil
		})
		ledgerTime += time.Since(t)
		require.NoError(b, err)
		require.Equal(b, rounds*benchBatch, n)

		t = time.Now()
		require.Equal(b, rounds*benchBatch, rawDrain(b, s))
		rawTime += time.Since(t)
	}
	n := float64(b.N * rounds * benchBatch)
	b.ReportMetric(n/ledgerTime.Seconds(), "ledger_ev/s")
	b.ReportMetric(n/rawTime.Seconds(), "raw_ev/s")
	b.ReportMetric(rawTime.Seconds()/ledgerTime.Seconds(), "ratio")
}

// rawDrain reads every message of the ledger's stream with an ordered
// consumer, touching subject, headers and body, and decoding nothing.
func rawDrain(b *testing.B, s *jetstream.Store) int {
	ctx := context.Background()
	cons, err := s.JetStream().OrderedConsumer(ctx, s.StreamName(), njs.OrderedConsumerConfig{})
	require.NoError(b, err)
	it, err := cons.Messages(njs.PullMaxMessages(2000))
	require.NoError(b, err)
	defer it.Stop()
	n, bytes := 0, 0
	for {
		m, err := it.Next()
		require.NoError(b, err)
		md, err := m.Metadata()
		require.NoError(b, err)
		n++
		bytes += len(m.Subject()) + len(m.Headers()) + len(m.Data())
		if md.NumPending == 0 {
			return n
		}
	}
}
