package benchmarks

import (
	"context"
	"slices"
	"testing"
	"time"

	njs "github.com/nats-io/nats.go/jetstream"

	"github.com/shanxi-water/ledger/events"
	"github.com/shanxi-water/ledger/events/jetstream"
)

// BenchmarkLoad is what a command pays to read its aggregate before it
// appends: Load of aggregates of the demo province with one event and with
// the most (a section's registration and corrections, an enterprise's
// cards), beside a raw nats.go ordered consumer filtered on the same
// subjects and drained until nothing is pending, alternating the two.
func BenchmarkLoad(b *testing.B) {
	ctx := context.Background()
	s := demoStore(b)
	count := map[events.Aggregate]int{}
	var order []events.Aggregate // as first seen in the log
	if err := s.Read(ctx, events.Query{}, func(e events.Event) error {
		if count[e.Aggregate] == 0 {
			order = append(order, e.Aggregate)
		}
		count[e.Aggregate]++
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	var one, most events.Aggregate
	for _, a := range order {
		if n := count[a]; n == 1 && one.ID == "" && a.Type == "task" {
			one = a
		} else if n > count[most] && n < 100 { // a command's aggregate, not a register of the whole province
			most = a
		}
	}
	for _, a := range []events.Aggregate{one, most} {
		b.Run(string(a.Type), func(b *testing.B) {
			var ledgerTime, rawTime time.Duration
			for range b.N {
				t := time.Now()
				evs, err := s.Load(ctx, a)
				ledgerTime += time.Since(t)
				if err != nil {
					b.Fatal(err)
				}
				t = time.Now()
				n := rawLoad(b, s, a)
				rawTime += time.Since(t)
				if n != len(evs) || n != count[a] {
					b.Fatalf("%s: raw read %d events, Load %d, the log has %d", a, n, len(evs), count[a])
				}
			}
			b.ReportMetric(float64(count[a]), "events")
			b.ReportMetric(ledgerTime.Seconds()*1e3/float64(b.N), "ledger_ms")
			b.ReportMetric(rawTime.Seconds()*1e3/float64(b.N), "raw_ms")
			b.ReportMetric(rawTime.Seconds()/ledgerTime.Seconds(), "ratio")
		})
	}
}

// rawLoad reads an aggregate's messages as a raw nats.go client would.
func rawLoad(b *testing.B, s *jetstream.Store, a events.Aggregate) int {
	b.Helper()
	ctx := context.Background()
	subject := slices.Concat([]byte(jetstream.SubjectPrefix+"."), []byte(a.Scope), []byte("."), []byte(a.Type), []byte("."), []byte(a.ID), []byte(".>"))
	cons, err := s.JetStream().OrderedConsumer(ctx, s.StreamName(), njs.OrderedConsumerConfig{FilterSubjects: []string{string(subject)}})
	if err != nil {
		b.Fatal(err)
	}
	it, err := cons.Messages(njs.PullMaxMessages(500))
	if err != nil {
		b.Fatal(err)
	}
	defer it.Stop()
	for n := 1; ; n++ {
		m, err := it.Next()
		if err != nil {
			b.Fatal(err)
		}
		md, err := m.Metadata()
		if err != nil {
			b.Fatal(err)
		}
		if md.NumPending == 0 {
			return n
		}
	}
}
