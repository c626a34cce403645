package benchmarks

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/events/jetstream"
	"github.com/shanxi-water/ledger/projections"
	"github.com/shanxi-water/ledger/projections/cards"
	"github.com/shanxi-water/ledger/projections/quality"
	"github.com/shanxi-water/ledger/projections/snapstore"
	"github.com/shanxi-water/ledger/projections/taskboard"
)

// The audit: 临汾 over the five years of the demo.
const auditCity domain.CityID = "141000"

var auditYears = []int{2016, 2017, 2018, 2019, 2020}

// snapshotHistory stores the snapshots a server running through the demo's
// five years would have taken: a set every 250 events.
func snapshotHistory(b *testing.B, s *jetstream.Store) *snapstore.Store {
	b.Helper()
	ctx := context.Background()
	st := snapstore.New(ctx, s.JetStream(), s.StreamName())
	if list, err := st.List(ctx); err == nil && len(list) > 0 {
		return st
	}
	start := time.Now()
	q, cm, tb := quality.New(quality.Options{}), cards.New(), taskboard.New()
	sets, err := projections.BackfillSnapshots(ctx, s, st, 250, nil, q, cm, tb, app.NewAssessor(q, cm, tb))
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d snapshot sets stored in %v", sets, time.Since(start).Round(time.Millisecond))
	return st
}

// BenchmarkAuditAsOf assesses every city for the five years as the ledger
// knew the log on a date — the as-of half of the auditor's replay of a city
// — once by replaying the whole log and once from the newest snapshot taken
// by the date and the log after it, alternating; and drains the stream
// with raw nats.go for reference.
func BenchmarkAuditAsOf(b *testing.B) {
	for _, tc := range []struct {
		name string
		at   time.Time
	}{
		{"2021-03-20", time.Date(2021, 3, 20, 23, 59, 59, 0, domain.CST)},
		{"2019-03-20", time.Date(2019, 3, 20, 23, 59, 59, 0, domain.CST)},
	} {
		b.Run(tc.name, func(b *testing.B) {
			ctx := context.Background()
			s := demoStore(b)
			st := snapshotHistory(b, s)
			var fullTime, snapTime, rawTime time.Duration
			b.ResetTimer()
			for i := range b.N {
				t := time.Now()
				full, err := app.ComputeAsOf(ctx, s, auditYears, tc.at, app.NewBoardFigures(), nil)
				fullTime += time.Since(t)
				if err != nil {
					b.Fatal(err)
				}
				t = time.Now()
				fast, err := app.ComputeAsOf(ctx, s, auditYears, tc.at, app.NewBoardFigures(), st)
				snapTime += time.Since(t)
				if err != nil {
					b.Fatal(err)
				}
				if i == 0 && !reflect.DeepEqual(full, fast) {
					b.Fatal("the replay from a snapshot assessed differently")
				}
				t = time.Now()
				rawDrain(b, s, nil)
				rawTime += time.Since(t)
			}
			b.ReportMetric(fullTime.Seconds()/float64(b.N)*1000, "full_ms")
			b.ReportMetric(snapTime.Seconds()/float64(b.N)*1000, "snapshot_ms")
			b.ReportMetric(snapTime.Seconds()/fullTime.Seconds(), "snapshot/full")
			b.ReportMetric(rawTime.Seconds()/float64(b.N)*1000, "raw_drain_ms")
			b.ReportMetric(rawTime.Seconds()/snapTime.Seconds(), "ratio")
		})
	}
}

// BenchmarkAuditCity is the whole auditor's replay of 临汾 on 2021-03-20,
// both modes, five years: as first written (two full replays a year), as
// now (one replay per mode), and with snapshots (the as-of replay from a
// snapshot; the as-happened one cannot use one).
func BenchmarkAuditCity(b *testing.B) {
	ctx := context.Background()
	s := demoStore(b)
	st := snapshotHistory(b, s)
	at := time.Date(2021, 3, 20, 23, 59, 59, 0, domain.CST)
	var byYearTime, oneTime, snapTime, rawTime time.Duration
	b.ResetTimer()
	for i := range b.N {
		t := time.Now()
		for _, y := range auditYears {
			for _, basis := range []app.Basis{{RecordedBy: at}, {OccurredBy: at}} {
				if _, err := app.Compute(ctx, s, y, basis, app.NewBoardFigures()); err != nil {
					b.Fatal(err)
				}
			}
		}
		byYearTime += time.Since(t)
		t = time.Now()
		plain, err := app.AuditCity(ctx, s, auditCity, at, app.NewBoardFigures)
		oneTime += time.Since(t)
		if err != nil {
			b.Fatal(err)
		}
		t = time.Now()
		fast, err := app.AuditCityWith(ctx, s, auditCity, at, app.NewBoardFigures, app.AuditOptions{Snapshots: st})
		snapTime += time.Since(t)
		if err != nil {
			b.Fatal(err)
		}
		if i == 0 && !reflect.DeepEqual(plain, fast) {
			b.Fatal("the audit from a snapshot differs")
		}
		t = time.Now()
		rawDrain(b, s, nil)
		rawTime += time.Since(t)
	}
	ms := func(d time.Duration) float64 { return d.Seconds() / float64(b.N) * 1000 }
	b.ReportMetric(ms(byYearTime), "by_year_ms")
	b.ReportMetric(ms(oneTime), "one_replay_ms")
	b.ReportMetric(ms(snapTime), "snapshot_ms")
	b.ReportMetric(snapTime.Seconds()/oneTime.Seconds(), "snapshot/one_replay")
	b.ReportMetric(snapTime.Seconds()/byYearTime.Seconds(), "snapshot/by_year")
	b.ReportMetric(ms(rawTime), "raw_drain_ms")
}
