package benchmarks

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	fastjson "github.com/segmentio/encoding/json"

	"github.com/shanxi-water/ledger/events"
	"github.com/shanxi-water/ledger/projections"
	"github.com/shanxi-water/ledger/projections/accountability"
	"github.com/shanxi-water/ledger/projections/cards"
	"github.com/shanxi-water/ledger/projections/quality"
	"github.com/shanxi-water/ledger/projections/snapstore"
	"github.com/shanxi-water/ledger/projections/taskboard"
)

// BenchmarkRebuild replays the demo province's whole log (five years:
// registrations, half a million samples in quarterly uploads, corrections,
// tasks, enforcement, officials, publications) into the quality, task-board
// and card read models, and drains the same stream with a raw nats.go
// ordered consumer, alternating the two.
func BenchmarkRebuild(b *testing.B) {
	ctx := context.Background()
	s := demoStore(b)
	var ledgerTime, rawTime, decodeTime time.Duration
	var evs uint64
	var size int
	b.ResetTimer()
	for range b.N {
		t := time.Now()
		q, tb, cm := quality.New(quality.Options{}), taskboard.New(), cards.New()
		last, err := projections.Replay(ctx, s, events.Query{}, q, tb, cm)
		ledgerTime += time.Since(t)
		if err != nil {
			b.Fatal(err)
		}
		if len(q.Sections()) == 0 || len(tb.Tasks()) == 0 || len(cm.Publications()) == 0 {
			b.Fatal("the models are empty")
		}
		evs = last

		t = time.Now()
		n, bytes := rawDrain(b, s, nil)
		rawTime += time.Since(t)
		if uint64(n) != last {
			b.Fatalf("raw drain read %d messages, the log has %d", n, last)
		}
		size = bytes

		// The same drain, also decoding the samples' JSON as a raw client
		// would (no envelope, no model): where the rebuild's time goes.
		t = time.Now()
		samples := 0
		rawDrain(b, s, func(body []byte) {
			var v rawPayload
			if err := fastjson.Unmarshal(body, &v); err != nil {
				b.Fatal(err)
			}
			samples += v.count()
		})
		decodeTime += time.Since(t)
		if samples < 400000 {
			b.Fatalf("%d samples", samples)
		}
	}
	n := float64(b.N) * float64(evs)
	b.ReportMetric(float64(evs), "events")
	b.ReportMetric(float64(size)/1e6, "MB")
	b.ReportMetric(n/ledgerTime.Seconds(), "ledger_ev/s")
	b.ReportMetric(n/rawTime.Seconds(), "raw_ev/s")
	b.ReportMetric(rawTime.Seconds()/ledgerTime.Seconds(), "ratio")
	b.ReportMetric(n/decodeTime.Seconds(), "raw_decode_ev/s")
	b.ReportMetric(decodeTime.Seconds()/ledgerTime.Seconds(), "ratio_to_decode")
}

// rawPayload is what a raw client reading samples decodes: the samples of
// section.samples_recorded and drinking_source.samples_recorded events
// (other payloads have none), stored as columns (lists of whole numbers may
// hold runs [first, step, count]; a null value decodes as 0 here).
type rawPayload struct {
	Samples struct {
		Start   time.Time            `json:"start"`
		At      []any                `json:"at"`
		Manual  []any                `json:"manual"`
		Status  map[string][]any     `json:"status"`
		Values  map[string][]float64 `json:"values"`
		BelowDL map[string][]any     `json:"below_dl"`
	} `json:"samples"`
}

// count is the number of samples: the length of at, with its runs.
func (p rawPayload) count() int {
	n := 0
	for _, x := range p.Samples.At {
		if run, ok := x.([]any); ok && len(run) == 3 {
			c, _ := run[2].(float64)
			n += int(c)
			continue
		}
		n++
	}
	return n
}

// BenchmarkLiveStart is what a restart of ledger serve costs its read
// models (quality, task board, cards, accountability) on the demo
// province: replaying the whole log, or restoring the snapshot taken when
// it last stopped; beside a raw drain of the stream.
func BenchmarkLiveStart(b *testing.B) {
	ctx := context.Background()
	s := demoStore(b)
	st := snapstore.New(ctx, s.JetStream(), s.StreamName())
	last, err := s.LastPosition(ctx)
	if err != nil {
		b.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	run := func(snapshots bool) (time.Duration, *projections.Live) {
		ctx, cancel := context.WithCancel(ctx)
		l := projections.NewLive(s, quality.New(quality.Options{}), taskboard.New(), cards.New(), accountability.New())
		if snapshots {
			l.UseSnapshots(projections.SnapshotOptions{Store: st, Every: 1 << 40, Interval: time.Hour, Logger: quiet})
		}
		done := make(chan error, 1)
		t := time.Now()
		go func() { done <- l.Run(ctx) }()
		if !l.WaitFor(ctx, last, time.Minute) {
			b.Fatal("not caught up")
		}
		d := time.Since(t)
		cancel()
		<-done
		return d, l
	}
	run(true) // the first run replays and takes the snapshot on stopping
	var fullTime, snapTime, rawTime time.Duration
	b.ResetTimer()
	for range b.N {
		d, _ := run(false)
		fullTime += d
		d, l := run(true)
		snapTime += d
		if l.Restored().Position != last {
			b.Fatalf("restored at %d, not %d", l.Restored().Position, last)
		}
		t := time.Now()
		rawDrain(b, s, nil)
		rawTime += time.Since(t)
	}
	ms := func(d time.Duration) float64 { return d.Seconds() / float64(b.N) * 1000 }
	b.ReportMetric(ms(fullTime), "replay_ms")
	b.ReportMetric(ms(snapTime), "snapshot_ms")
	b.ReportMetric(snapTime.Seconds()/fullTime.Seconds(), "snapshot/replay")
	b.ReportMetric(ms(rawTime), "raw_drain_ms")
	b.ReportMetric(rawTime.Seconds()/snapTime.Seconds(), "ratio")
}
