package quality_test

import (
	"bytes"
	"context"
	"math"
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

// A quarter's ranking: each section's index from the means of its manual
// samples of the quarter (a result below the detection limit at half the
// limit), each city's the mean of its sections', lowest first; the index
// is computed here from the raw numbers and the class-III limits.
func TestQuarterRanking(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, nil)
	reg := func(id monitoring.SectionID, city domain.CityID) {
		_, err := app.Register(ctx, s, admin, day(2019, 1, 1), app.SectionRegistration(monitoring.SectionRegistered{
			ID: id, Name: string(id), River: "汾河", Basin: domain.Yellow, City: city,
			Kind: water.River, Level: monitoring.Provincial, Assessed: true, Targets: monitoring.Targets{2019: water.ClassIII}}))
		require.NoError(t, err)
	}
	reg("Y-A1", "140800")
	reg("Y-A2", "140800")
	reg("Y-B1", "140100")
	csv := "section,sampled_at,source,pH,DO,NH3N,TP\n" +
		// 运城, second quarter: A1 three months, A2 one; A1's March and July samples are other quarters.
		"Y-A1,2019-03-10 09:00,manual,7.0,9.0,0.10,0.10\n" +
		"Y-A1,2019-04-10 09:00,manual,7.6,5.0,1.20,0.20\n" +
		"Y-A1,2019-05-10 09:00,manual,7.4,4.0,1.50,<0.02\n" +
		"Y-A1,2019-06-10 09:00,manual,7.2,6.0,0.90,0.26\n" +
		"Y-A1,2019-07-10 09:00,manual,8.9,1.0,9.00,0.90\n" +
		"Y-A2,2019-05-12 09:00,manual,6.5,8.0,0.30,0.05\n" +
		// 太原: cleaner.
		"Y-B1,2019-04-11 09:00,manual,7.1,8.0,0.20,0.04\n"
	_, err := app.ImportSamples(ctx, s, station, bytes.NewBufferString(csv), app.ImportOptions{})
	require.NoError(t, err)
	m := quality.New(quality.Options{})
	_, err = projections.Replay(ctx, s, events.Query{}, m)
	require.NoError(t, err)

	index := func(ph, do, nh3n, tp float64) float64 {
		p := (ph - 7) / 2
		if ph <= 7 {
			p = (7 - ph) / 1
		}
		return p + 5/do + nh3n/1.0 + tp/0.2 // class III: DO 5, NH3-N 1.0, TP (river) 0.2
	}
	a1 := index((7.6+7.4+7.2)/3, (5.0+4.0+6.0)/3, (1.20+1.50+0.90)/3, (0.20+0.01+0.26)/3) // <0.02: half the limit
	a2 := index(6.5, 8.0, 0.30, 0.05)
	b1 := index(7.1, 8.0, 0.20, 0.04)

	r := m.QuarterRanking(2019, 2)
	require.Len(t, r, 11)
	require.Equal(t, domain.CityID("140100"), r[0].City)
	require.Equal(t, 1, r[0].Rank)
	require.InDelta(t, b1, r[0].CWQI, 1e-12)
	require.Equal(t, domain.CityID("140800"), r[1].City)
	require.Equal(t, 2, r[1].Rank)
	require.InDelta(t, (a1+a2)/2, r[1].CWQI, 1e-12)
	require.Equal(t, []quality.SectionCWQI{{Section: "Y-A1", Samples: 3, CWQI: r[1].Sections[0].CWQI}, {Section: "Y-A2", Samples: 1, CWQI: r[1].Sections[1].CWQI}}, r[1].Sections)
	require.InDelta(t, a1, r[1].Sections[0].CWQI, 1e-12)
	for _, c := range r[2:] {
		require.Zero(t, c.Rank, "%s: no section sampled", c.City)
		require.Empty(t, c.Sections)
	}
	require.False(t, math.IsNaN(r[1].CWQI))

	// The third quarter has only A1's July sample.
	r = m.QuarterRanking(2019, 3)
	require.Equal(t, domain.CityID("140800"), r[0].City)
	require.InDelta(t, index(8.9, 1.0, 9.0, 0.9), r[0].CWQI, 1e-12)
}
