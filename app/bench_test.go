package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"runtime"
	"runtime/debug"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/stretchr/testify/require"
	"github.com/synadia-io/orbit.go/jetstreamext"

	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/monitoring"
	"github.com/shanxi-water/ledger/domain/water"
	"github.com/shanxi-water/ledger/events"
	"github.com/shanxi-water/ledger/events/jetstream"
	"github.com/shanxi-water/ledger/projections"
	"github.com/shanxi-water/ledger/projections/quality"
)

// benchSections are 109 sections, as in the plan.
func benchSections() []monitoring.SectionRegistered {
	var out []monitoring.SectionRegistered
	for i := range 109 {
		b, city := domain.Yellow, domain.Cities[i%11].ID
		if i >= 58 {
			b = domain.Hai
		}
		out = append(out, monitoring.SectionRegistered{ID: monitoring.SectionID(fmt.Sprintf("S%03d", i)), Name: fmt.Sprintf("断面%d", i),
			River: "汾河", Basin: b, City: city, Kind: water.River, Level: monitoring.National, Automatic: true, Assessed: true,
			Targets: monitoring.Targets{2019: water.ClassIII}})
	}
	return out
}

type benchSample struct {
	Section string       `json:"section"`
	At      time.Time    `json:"at"`
	Source  string       `json:"source"`
	Values  water.Values `json:"values"`
}

// yearOfSamples is a year of 4-hourly samples at every section: the CSV a
// station network uploads, and the same samples as one JSON message each.
func yearOfSamples(secs []monitoring.SectionRegistered) ([]byte, []benchSample) {
	r := rand.New(rand.NewPCG(1, 2))
	var csv bytes.Buffer
	csv.WriteString("section,sampled_at,source,pH,DO,CODMn,NH3N,TP\n")
	var samples []benchSample
	start := time.Date(2019, 1, 1, 0, 0, 0, 0, domain.CST)
	for _, s := range secs {
		for h := 0; h < 365*24; h += 4 {
			at := start.Add(time.Duration(h) * time.Hour)
			v := water.Values{water.PH: 7.5 + float64(r.IntN(60))/100, water.DO: 5 + float64(r.IntN(300))/100,
				water.CODMn: 2 + float64(r.IntN(80))/10, water.NH3N: float64(r.IntN(2000)) / 1000, water.TP: float64(r.IntN(400)) / 1000}
			fmt.Fprintf(&csv, "%s,%s,auto,%g,%g,%g,%g,%g\n", s.ID, at.Format("2006-01-02 15:04"), v[water.PH], v[water.DO], v[water.CODMn], v[water.NH3N], v[water.TP])
			samples = append(samples, benchSample{string(s.ID), at, "auto", v})
		}
	}
	return csv.Bytes(), samples
}

// BenchmarkImportYear imports a year of 4-hourly samples for 109 sections
// (238,710 samples) through the whole path — parse, validate, store durably
// in one atomic append, build the quality read model — and, in the same run
// on the same server, publishes the same samples with raw nats.go, one JSON
// message per sample, in atomic batches of 1000 to a stream of the same
// configuration.
func BenchmarkImportYear(b *testing.B) {
	ctx := context.Background()
	secs := benchSections()
	csv, samples := yearOfSamples(secs)
	var ledgerTime, rawTime time.Duration
	for i := range b.N {
		s := storeWithSections(b, secs)
		cfg := jetstream.StreamConfig("RAW", 1, 2*time.Minute)
		cfg.Subjects = []string{"raw.>"}
		_, err := s.JetStream().CreateStream(ctx, cfg)
		require.NoError(b, err)

		t := time.Now()
		res, err := app.ImportSamples(ctx, s, station, bytes.NewReader(csv), app.ImportOptions{File: "2019.csv", Now: time.Date(2020, 1, 1, 0, 0, 0, 0, domain.CST)})
		require.NoError(b, err)
		m := quality.New(quality.Options{})
		_, err = projections.Replay(ctx, s, events.Query{}, m)
		require.NoError(b, err)
		ledgerTime += time.Since(t)
		require.Equal(b, len(samples), res.Stored)
		require.Equal(b, 12, len(m.Months("S000", 2019)))

		t = time.Now()
		for start := 0; start < len(samples); start += 1000 {
			chunk := samples[start:min(start+1000, len(samples))]
			msgs := make([]*nats.Msg, len(chunk))
			for j, smp := range chunk {
				data, err := json.Marshal(smp)
				require.NoError(b, err)
				msgs[j] = &nats.Msg{Subject: "raw." + smp.Section, Data: data, Header: nats.Header{"Nats-Msg-Id": []string{fmt.Sprintf("%d-%d-%d", i, start, j)}}}
			}
			_, err := jetstreamext.PublishMsgBatch(ctx, s.JetStream(), msgs)
			require.NoError(b, err)
		}
		rawTime += time.Since(t)
		s.Close()
	}
	n := float64(b.N * len(samples))
	b.ReportMetric(n/ledgerTime.Seconds(), "ledger_samples/s")
	b.ReportMetric(n/rawTime.Seconds(), "raw_samples/s")
	b.ReportMetric(rawTime.Seconds()/ledgerTime.Seconds(), "ratio")
}

// storeWithSections is a new store with the sections registered.
func storeWithSections(b *testing.B, secs []monitoring.SectionRegistered) *jetstream.Store {
	s, err := jetstream.Open(context.Background(), jetstream.Config{DataDir: b.TempDir(), Registry: app.Registry()})
	require.NoError(b, err)
	regs := make([]app.Registration, len(secs))
	for i, sec := range secs {
		regs[i] = app.SectionRegistration(sec)
	}
	_, err = app.Register(context.Background(), s, admin, time.Date(2019, 1, 1, 0, 0, 0, 0, domain.CST), regs...)
	require.NoError(b, err)
	return s
}

// BenchmarkImportMemory is the heap an upload takes at its peak: the year
// of BenchmarkImportYear (12.9 MB, 238,710 rows) imported into a new store,
// the heap sampled every 10 ms with the collector kept close behind
// (GOGC=10), so that what is in use is nearly all live. Reported against
// the file's size.
func BenchmarkImportMemory(b *testing.B) {
	ctx := context.Background()
	secs := benchSections()
	csv, samples := yearOfSamples(secs)
	defer debug.SetGCPercent(debug.SetGCPercent(10))
	var peaks uint64
	for range b.N {
		s := storeWithSections(b, secs)
		runtime.GC()
		var base runtime.MemStats
		runtime.ReadMemStats(&base)
		peak := base.HeapInuse
		stop, done := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(done)
			var m runtime.MemStats
			for {
				select {
				case <-stop:
					return
				case <-time.After(10 * time.Millisecond):
				}
				runtime.ReadMemStats(&m)
				peak = max(peak, m.HeapInuse)
			}
		}()
		res, err := app.ImportSamples(ctx, s, station, bytes.NewReader(csv), app.ImportOptions{File: "2019.csv", Now: time.Date(2020, 1, 1, 0, 0, 0, 0, domain.CST), Size: int64(len(csv))})
		close(stop)
		<-done
		require.NoError(b, err)
		require.Equal(b, len(samples), res.Stored)
		peaks += peak - base.HeapInuse
		s.Close()
	}
	mb := float64(peaks) / float64(b.N) / 1e6
	b.ReportMetric(float64(len(csv))/1e6, "file_MB")
	b.ReportMetric(mb, "peak_MB")
	b.ReportMetric(mb*1e6/float64(len(csv)), "peak/file")
}
