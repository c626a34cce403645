package quality_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/monitoring"
	"github.com/shanxi-water/ledger/domain/water"
	"github.com/shanxi-water/ledger/events"
	"github.com/shanxi-water/ledger/projections"
	"github.com/shanxi-water/ledger/projections/quality"
)

// A month's sums are stored up to the last item counted, restored as they
// were, and a month with more slots than Table 1 has items, or with sums
// and counts of different lengths, is refused.
func TestSnapshotMonthsUpToTheLastItem(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, nil)
	sec := monitoring.SectionRegistered{ID: "SSH-ZLC", Name: "张留庄", River: "涑水河", Basin: domain.Yellow, City: "140800",
		Kind: water.River, Level: monitoring.Provincial, Assessed: true, Targets: monitoring.Targets{2019: water.ClassV}}
	_, err := app.Register(ctx, s, admin, day(2019, 1, 1), app.SectionRegistration(sec))
	require.NoError(t, err)
	var csv strings.Builder
	csv.WriteString("section,sampled_at,source,DO,NH3N\n")
	for m := 1; m <= 3; m++ {
		for d := 1; d <= 20; d++ {
			fmt.Fprintf(&csv, "SSH-ZLC,2019-%02d-%02d 08:00,auto,%.1f,%.2f\n", m, d, 5+float64(d)/10, 0.5+float64(m)/10)
		}
	}
	_, err = app.ImportSamples(ctx, s, station, bytes.NewBufferString(csv.String()), app.ImportOptions{})
	require.NoError(t, err)
	m := quality.New(quality.Options{})
	_, err = projections.Replay(ctx, s, events.Query{}, m)
	require.NoError(t, err)
	snap, err := m.Snapshot()
	require.NoError(t, err)

	var doc map[string]any
	require.NoError(t, json.Unmarshal(snap, &doc))
	months := doc["sections"].([]any)[0].(map[string]any)["auto"].([]any)
	require.Len(t, months, 3)
	last, _ := water.NH3N.Index()
	for _, mo := range months {
		require.Len(t, mo.(map[string]any)["sum"], last+1, "up to NH3-N, the last item counted")
		require.Len(t, mo.(map[string]any)["n"], last+1)
	}
	back := quality.New(quality.Options{})
	require.NoError(t, back.Restore(snap))
	require.Equal(t, m, back)

	for name, edit := range map[string]func(mo map[string]any){
		"more slots than items": func(mo map[string]any) {
			mo["sum"] = make([]float64, water.NumItems+1)
			mo["n"] = make([]int, water.NumItems+1)
		},
		"sums and counts differ": func(mo map[string]any) { mo["n"] = mo["n"].([]any)[:last] },
	} {
		var doc map[string]any
		require.NoError(t, json.Unmarshal(snap, &doc))
		edit(doc["sections"].([]any)[0].(map[string]any)["auto"].([]any)[1].(map[string]any))
		bad, err := json.Marshal(doc)
		require.NoError(t, err)
		require.ErrorContains(t, quality.New(quality.Options{}).Restore(bad), "month 2019-02", name)
	}
}
