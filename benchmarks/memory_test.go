package benchmarks

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/monitoring"
	"github.com/shanxi-water/ledger/domain/water"
	"github.com/shanxi-water/ledger/events"
	"github.com/shanxi-water/ledger/events/jetstream"
	"github.com/shanxi-water/ledger/projections"
	"github.com/shanxi-water/ledger/projections/accountability"
	"github.com/shanxi-water/ledger/projections/cards"
	"github.com/shanxi-water/ledger/projections/quality"
	"github.com/shanxi-water/ledger/projections/taskboard"
)

var memAdmin = domain.Actor{ID: "admin", Role: domain.Admin}

// memSections are 109 sections, as in the plan, in the 11 cities.
func memSections() []monitoring.SectionRegistered {
	out := make([]monitoring.SectionRegistered, 109)
	for i := range out {
		b := domain.Yellow
		if i >= 58 {
			b = domain.Hai
		}
		out[i] = monitoring.SectionRegistered{ID: monitoring.SectionID(fmt.Sprintf("S%03d", i)), Name: fmt.Sprintf("断面%d", i),
			River: "汾河", Basin: b, City: domain.Cities[i%11].ID, Kind: water.River, Level: monitoring.National, Automatic: true, Assessed: true,
			Targets: monitoring.Targets{2016: water.ClassIII, 2017: water.ClassIII, 2018: water.ClassIII, 2019: water.ClassIII, 2020: water.ClassIII}}
	}
	return out
}

// fillReadings stores n readings over the five years 2016–2020 at the 109
// sections: each section's twelve monthly manual samples a year, and
// automatic samples evenly spread over the five years making up the rest
// (about 4.8-hourly for a million, hourly for five million), appended as
// section.samples_recorded events of 2,500 samples, ten sections an append.
func fillReadings(b *testing.B, s *jetstream.Store, n int) {
	ctx := context.Background()
	secs := memSections()
	regs := make([]app.Registration, len(secs))
	for i, sec := range secs {
		regs[i] = app.SectionRegistration(sec)
	}
	if _, err := app.Register(ctx, s, memAdmin, time.Date(2016, 1, 1, 0, 0, 0, 0, domain.CST), regs...); err != nil {
		b.Fatal(err)
	}
	from := time.Date(2016, 1, 1, 0, 0, 0, 0, domain.CST)
	to := time.Date(2021, 1, 1, 0, 0, 0, 0, domain.CST)
	perSection := n / len(secs)
	auto := perSection - 60
	step := to.Sub(from) / time.Duration(auto)
	rng := rand.New(rand.NewPCG(5, 8))
	value := func() water.Values {
		return water.Values{water.PH: 7 + float64(rng.IntN(150))/100, water.DO: 4 + float64(rng.IntN(500))/100,
			water.CODMn: 2 + float64(rng.IntN(80))/10, water.NH3N: float64(rng.IntN(2000)) / 1000, water.TP: float64(rng.IntN(400)) / 1000}
	}
	// Each section's samples in time order, in events of 2,500.
	type cursor struct {
		agg     events.Aggregate
		version events.ExpectedVersion
		k       int // next automatic sample
		m       int // next manual sample
	}
	curs := make([]*cursor, len(secs))
	for i, sec := range secs {
		curs[i] = &cursor{agg: app.SectionAggregate(sec.City, sec.ID), version: 1}
	}
	next := func(c *cursor) []monitoring.Sample {
		var out []monitoring.Sample
		for len(out) < monitoring.MaxSamplesPerEvent && (c.k < auto || c.m < 60) {
			at := from.Add(time.Duration(c.k) * step).Truncate(time.Minute)
			manualAt := time.Date(2016+c.m/12, time.Month(c.m%12+1), 10, 9, 30, 0, 0, domain.CST)
			if c.m < 60 && (c.k >= auto || manualAt.Before(at)) {
				out = append(out, monitoring.Sample{At: manualAt, Source: monitoring.Manual, Values: value()})
				c.m++
				continue
			}
			out = append(out, monitoring.Sample{At: at, Source: monitoring.Auto, Values: value()})
			c.k++
		}
		return out
	}
	stored := 0
	for {
		var changes []events.Change
		for _, c := range curs {
			samples := next(c)
			if len(samples) == 0 {
				continue
			}
			changes = append(changes, events.Change{Aggregate: c.agg, Expect: c.version, Events: []events.Draft{{
				ID: events.NewID(), OccurredAt: samples[len(samples)-1].At, Actor: memAdmin,
				Data: monitoring.SamplesRecorded{Samples: monitoring.MustSamples(samples...)}}}})
			c.version++
			stored += len(samples)
			if len(changes) == 10 {
				if _, err := s.Append(ctx, changes...); err != nil {
					b.Fatal(err)
				}
				changes = nil
			}
		}
		if len(changes) > 0 {
			if _, err := s.Append(ctx, changes...); err != nil {
				b.Fatal(err)
			}
		}
		if len(changes) == 0 && curs[0].k >= auto && curs[0].m >= 60 {
			break
		}
	}
	if stored != len(secs)*perSection {
		b.Fatalf("stored %d readings, meant %d", stored, len(secs)*perSection)
	}
}

func heap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// BenchmarkReplayMemory replays a log of one million readings, and one of
// five million, into the read models ledger serve keeps live, and measures
// the heap after a GC: the models alone (the store closed), and the whole
// process with the store still open. The readings are spread over the same
// 109 sections and five years both times (more readings, not more
// sections or months): the models fold automatic readings into monthly
// sums and keep the monthly manual samples whole, so they should grow
// little. Generating five million readings takes a minute or two on a
// 2-core machine; run it on its own:
//
//	go test -run xxx -bench ReplayMemory -benchtime 1x -timeout 30m ./benchmarks
func BenchmarkReplayMemory(b *testing.B) {
	ctx := context.Background()
	type result struct {
		readings           int
		models, process    uint64
		fill, replay       time.Duration
		events, logBytesMB float64
	}
	var results []result
	base := heap()
	for _, n := range []int{1_000_000, 5_000_000} {
		dir, err := os.MkdirTemp("", "ledger-bench-memory-")
		if err != nil {
			b.Fatal(err)
		}
		s, err := jetstream.Open(ctx, jetstream.Config{DataDir: dir, Registry: app.Registry()})
		if err != nil {
			b.Fatal(err)
		}
		t := time.Now()
		fillReadings(b, s, n)
		fill := time.Since(t)
		s.Close()

		s, err = jetstream.Open(ctx, jetstream.Config{DataDir: dir, Registry: app.Registry()})
		if err != nil {
			b.Fatal(err)
		}
		info, err := s.JetStream().Stream(ctx, s.StreamName())
		if err != nil {
			b.Fatal(err)
		}
		r := result{readings: n, fill: fill, logBytesMB: float64(info.CachedInfo().State.Bytes) / 1e6}
		q, tb, cm, ac := quality.New(quality.Options{}), taskboard.New(), cards.New(), accountability.New()
		t = time.Now()
		last, err := projections.Replay(ctx, s, events.Query{}, q, tb, cm, ac)
		if err != nil {
			b.Fatal(err)
		}
		r.replay, r.events = time.Since(t), float64(last)
		r.process = heap() - base
		s.Close()
		os.RemoveAll(dir)
		r.models = heap() - base
		if got := q.Months("S000", 2018); got[5].Samples == 0 {
			b.Fatal("nothing replayed")
		}
		runtime.KeepAlive(q)
		runtime.KeepAlive(tb)
		runtime.KeepAlive(cm)
		runtime.KeepAlive(ac)
		results = append(results, r)
		b.Logf("%d readings (%.0f events, %.0f MB of log): stored in %v, replayed in %v; heap: models %.1f MB, process with the store open %.1f MB",
			n, r.events, r.logBytesMB, r.fill.Round(time.Second), r.replay.Round(time.Millisecond), float64(r.models)/1e6, float64(r.process)/1e6)
	}
	b.ReportMetric(float64(results[0].models)/1e6, "models_1M_MB")
	b.ReportMetric(float64(results[1].models)/1e6, "models_5M_MB")
	b.ReportMetric(float64(results[1].models)/float64(results[0].models), "models_5M/1M")
	b.ReportMetric(float64(results[0].process)/1e6, "process_1M_MB")
	b.ReportMetric(float64(results[1].process)/1e6, "process_5M_MB")
	b.ReportMetric(float64(results[1].process)/float64(results[0].process), "process_5M/1M")
	b.ReportMetric(float64(results[1].readings)/results[1].replay.Seconds(), "replay_readings/s")
}
