package quality_test

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/monitoring"
	"github.com/shanxi-water/ledger/domain/water"
	"github.com/shanxi-water/ledger/events"
	"github.com/shanxi-water/ledger/projections"
	"github.com/shanxi-water/ledger/projections/quality"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

func day(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, domain.CST) }

// A year of monthly samples, each uploaded the month after; a late
// correction a year later turns the section's 2019 class from IV to 劣V.
// As the ledger knew it at the end of 2019 the class is IV; as known today
// it is 劣V; as it happened by the end of 2019, with today's corrections, 劣V.
func TestAsOfRecordedAndOccurred(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: day(2019, 1, 1)}
	s := openStore(t, c.Now)
	sec := monitoring.SectionRegistered{ID: "SSH-ZLC", Name: "张留庄", River: "涑水河", Basin: domain.Yellow, City: "140800",
		Kind: water.River, Level: monitoring.Provincial, Assessed: true, Targets: monitoring.Targets{2019: water.ClassV}}
	_, err := app.Register(ctx, s, admin, day(2019, 1, 1), app.SectionRegistration(sec))
	require.NoError(t, err)
	// NH3-N in mg/L: mean of the twelve = 1.40 (class IV) before correction.
	nh3 := []float64{1.2, 1.3, 1.5, 1.4, 1.4, 1.6, 1.4, 1.5, 1.3, 1.4, 1.4, 1.4}
	for m := 1; m <= 12; m++ {
		c.Set(day(2019, m, 1).AddDate(0, 1, 0))
		csv := fmt.Sprintf("section,sampled_at,source,DO,NH3N\nSSH-ZLC,2019-%02d-10 09:00,manual,5.5,%.1f\n", m, nh3[m-1])
		_, err := app.ImportSamples(ctx, s, station, bytes.NewBufferString(csv), app.ImportOptions{Now: c.Now()})
		require.NoError(t, err)
	}
	// March 2020: the laboratory finds June's NH3-N was 9.8, not 1.6.
	c.Set(day(2020, 3, 15))
	agg := app.SectionAggregate("140800", "SSH-ZLC")
	corrected := monitoring.Sample{At: time.Date(2019, 6, 10, 9, 0, 0, 0, domain.CST), Source: monitoring.Manual,
		Values: water.Values{water.DO: 5.5, water.NH3N: 9.8}}
	_, err = app.CorrectSample(ctx, s, admin, agg, corrected, "laboratory re-analysis, report 2020-017", c.Now())
	require.NoError(t, err)

	// The means, computed here from the raw numbers.
	mean := func(xs []float64) float64 {
		sum := 0.0
		for _, x := range xs {
			sum += x
		}
		return sum / float64(len(xs))
	}
	before := mean(nh3)
	after := append([]float64(nil), nh3...)
	after[5] = 9.8
	afterMean := mean(after)
	require.InDelta(t, 1.4, before, 1e-9)        // IV: ≤ 1.5
	require.InDelta(t, 25.0/12, afterMean, 1e-9) // 劣V: > 2.0

	build := func(q events.Query, opts quality.Options) quality.SectionYear {
		m := quality.New(opts)
		_, err := projections.Replay(ctx, s, q, m)
		require.NoError(t, err)
		sy, ok := m.SectionYear("SSH-ZLC", 2019)
		require.True(t, ok)
		return sy
	}
	knewThen := build(events.Query{RecordedBy: day(2020, 1, 1)}, quality.Options{})
	require.Equal(t, water.ClassIV, knewThen.Class)
	require.InDelta(t, before, knewThen.Means[water.NH3N], 1e-9)
	require.True(t, knewThen.Met, "IV meets the target V")

	today := build(events.Query{}, quality.Options{})
	require.Equal(t, water.WorseThanV, today.Class)
	require.InDelta(t, afterMean, today.Means[water.NH3N], 1e-9)
	require.False(t, today.Met)
	require.Equal(t, water.NH3N, today.MainPollutants[0].Item)
	require.InDelta(t, (afterMean-1.0)/1.0, today.MainPollutants[0].Multiple, 1e-9)

	happened := build(events.Query{}, quality.Options{OccurredBy: day(2020, 1, 1)})
	require.Equal(t, water.WorseThanV, happened.Class)

	// Mid-year, as the ledger knew it: five samples, not enough for a class.
	midYear := build(events.Query{RecordedBy: day(2019, 6, 15)}, quality.Options{})
	require.Equal(t, 5, midYear.Samples)
	require.False(t, midYear.Enough)
	require.Zero(t, midYear.Class)

	// The evidence names the event behind each sample: June's is the correction.
	require.Len(t, today.Evidence, 12)
	june := today.Evidence[5]
	evs, err := s.Load(ctx, agg)
	require.NoError(t, err)
	last := evs[len(evs)-1]
	require.Equal(t, last.Position, june.Position)
	require.Equal(t, last.ID.String(), june.EventID)

	// Monthly classes: June is 劣V, the rest follow their sample.
	months := func() []quality.MonthClass {
		m := quality.New(quality.Options{})
		_, err := projections.Replay(ctx, s, events.Query{}, m)
		require.NoError(t, err)
		return m.Months("SSH-ZLC", 2019)
	}()
	require.Equal(t, water.WorseThanV, months[5].Class)
	require.Equal(t, water.ClassIV, months[0].Class) // 1.2
	require.Equal(t, water.ClassIV, months[2].Class) // 1.5, exactly IV's limit
}
