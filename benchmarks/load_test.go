package benchmarks

import (
	"context"
	"testing"
	"time"

	"github.com/shanxi-water/ledger/events"
	"github.com/shanxi-water/ledger/events/jetstream"
)

// BenchmarkLoad is what a command pays to read its aggregate before it
// appends: Load of two aggregates of the demo province, a task with one
// event and the one with the most events short of a whole-province
// register (a section: its registration, quarterly uploads of samples and
// corrections), beside a raw nats.go ordered consumer filtered on the same
// subjects and drained until nothing is pending (rawScan), alternating
// the two.
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
		subject := jetstream.SubjectPrefix + "." + string(a.Scope) + "." + string(a.Type) + "." + string(a.ID) + ".>"
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
				n, _ := rawScan(b, s, []string{subject}, nil)
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
