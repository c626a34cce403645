package benchmarks

import (
	"context"
	"testing"
	"time"

	fastjson "github.com/segmentio/encoding/json"

	"github.com/shanxi-water/ledger/events"
	"github.com/shanxi-water/ledger/projections"
	"github.com/shanxi-water/ledger/projections/cards"
	"github.com/shanxi-water/ledger/projections/quality"
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
			samples += len(v.Samples)
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
// (other payloads have none).
type rawPayload struct {
	Samples []struct {
		At      time.Time          `json:"at"`
		Source  string             `json:"source"`
		Status  string             `json:"status"`
		Values  map[string]float64 `json:"values"`
		BelowDL []string           `json:"below_dl"`
	} `json:"samples"`
}
