package water_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/water"
)

// A river section's twelve monthly samples. The expected means below were
// summed by hand from these columns.
var (
	monthlyPH   = []float64{7.2, 7.4, 7.6, 7.8, 8.0, 8.2, 8.2, 8.0, 7.8, 7.6, 7.4, 7.2}
	monthlyDO   = []float64{6.0, 5.5, 5.0, 4.5, 6.5, 7.0, 7.5, 6.0, 5.0, 5.5, 6.0, 6.5}
	monthlyCOD  = []float64{18, 22, 25, 30, 19, 17, 16, 20, 21, 24, 26, 22}
	monthlyNH3N = []float64{0.8, 1.2, 1.6, 2.4, 1.0, 0.6, 0.5, 0.7, 0.9, 1.1, 1.3, 1.5}
	monthlyTP   = []float64{0.1, 0.3, 0.1, 0.3, 0.1, 0.3, 0.1, 0.3, 0.1, 0.3, 0.1, 0.3}
)

func monthlySamples(n int) []water.Values {
	out := make([]water.Values, n)
	for i := range n {
		out[i] = water.Values{
			water.PH: monthlyPH[i], water.DO: monthlyDO[i], water.COD: monthlyCOD[i],
			water.NH3N: monthlyNH3N[i], water.TP: monthlyTP[i],
		}
	}
	return out
}

func TestAnnualMeansAndClass(t *testing.T) {
	samples := monthlySamples(12)
	// Mercury measured twice only, once below its 0.00004 mg/L detection limit.
	samples[3][water.Hg] = water.BelowDetection(0.00004)
	samples[9][water.Hg] = 0.00010
	// A non-detect counts as half the detection limit.
	require.Equal(t, 0.00002, samples[3][water.Hg])

	res, err := water.Annual(water.AnnualInput{Kind: water.River, Samples: samples})
	require.NoError(t, err)
	require.Equal(t, 12, res.Samples)
	require.True(t, res.Enough)

	// pH:   7.2+7.4+7.6+7.8+8.0+8.2 = 46.2, twice = 92.4          → 7.7
	// DO:   6+5.5+5+4.5+6.5+7+7.5+6+5+5.5+6+6.5 = 71               → 5.9167 (III)
	// COD:  18+22+25+30+19+17+16+20+21+24+26+22 = 260              → 21.667 (IV)
	// NH3N: 0.8+1.2+1.6+2.4+1.0+0.6+0.5+0.7+0.9+1.1+1.3+1.5 = 13.6 → 1.1333 (IV)
	// TP:   6 × 0.1 + 6 × 0.3 = 2.4                                → 0.2 (III, at the limit)
	// Hg:   (0.00002 + 0.0001) / 2                                 → 0.00006 (III)
	want := map[water.Item]float64{
		water.PH: 92.4 / 12, water.DO: 71.0 / 12, water.COD: 260.0 / 12, water.NH3N: 13.6 / 12, water.TP: 2.4 / 12,
		water.Hg: 0.00012 / 2,
	}
	require.Len(t, res.Means, len(want))
	for item, m := range want {
		require.InDelta(t, m, res.Means[item], 1e-12, item)
	}
	require.Equal(t, 2, res.Counts[water.Hg])
	require.Equal(t, 12, res.Counts[water.COD])

	require.Equal(t, water.ClassIV, res.Class)
	require.Equal(t, []water.Item{water.COD, water.NH3N}, res.Worst)
	requireExceedances(t, []water.Exceedance{
		{Item: water.NH3N, Value: res.Means[water.NH3N], Limit: 1.0, Multiple: (13.6/12 - 1.0) / 1.0},
		{Item: water.COD, Value: res.Means[water.COD], Limit: 20, Multiple: (260.0/12 - 20) / 20},
	}, res.MainPollutants)
}

// The year is classified on the means, not on the worst month: April alone
// would be 劣V (NH3-N 2.4), the year is IV.
func TestAnnualIsNotTheWorstMonth(t *testing.T) {
	april, err := water.ClassifySample(water.River, monthlySamples(12)[3])
	require.NoError(t, err)
	require.Equal(t, water.WorseThanV, april.Class)

	res, err := water.Annual(water.AnnualInput{Kind: water.River, Samples: monthlySamples(12)})
	require.NoError(t, err)
	require.Equal(t, water.ClassIV, res.Class)
}

func TestAnnualLakeTP(t *testing.T) {
	// The same TP column in a reservoir: mean 0.2 is class V for lakes (III for rivers).
	samples := make([]water.Values, 12)
	for i := range samples {
		samples[i] = water.Values{water.TP: monthlyTP[i], water.TN: 0.9}
	}
	res, err := water.Annual(water.AnnualInput{Kind: water.Lake, Samples: samples})
	require.NoError(t, err)
	require.Equal(t, water.ClassV, res.Class)
	require.Equal(t, []water.Item{water.TP}, res.Worst)
	requireExceedances(t, []water.Exceedance{
		{Item: water.TP, Value: res.Means[water.TP], Limit: 0.05, Multiple: (0.2 - 0.05) / 0.05},
	}, res.MainPollutants)
}

func TestAnnualTooFewSamples(t *testing.T) {
	for _, tc := range []struct {
		name       string
		samples    []water.Values
		minSamples int
		n          int
		enough     bool
	}{
		{"11 of the normal 12", monthlySamples(11), 0, 11, false},
		{"12 of 12", monthlySamples(12), 0, 12, true},
		{"8, ice-bound minimum 8", monthlySamples(8), 8, 8, true},
		{"7, ice-bound minimum 8", monthlySamples(7), 8, 7, false},
		{"12 entries, one not monitored", append(monthlySamples(11), water.Values{}), 0, 11, false},
		{"none", nil, 0, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := water.Annual(water.AnnualInput{Kind: water.River, Samples: tc.samples, MinSamples: tc.minSamples})
			require.NoError(t, err)
			require.Equal(t, tc.n, res.Samples)
			require.Equal(t, tc.enough, res.Enough)
			if !tc.enough {
				require.Equal(t, water.Class(0), res.Class, "too few samples: not classified, never guessed")
				require.Empty(t, res.Worst)
				require.Empty(t, res.MainPollutants)
			} else {
				require.True(t, res.Class.Valid())
			}
			if tc.n > 0 {
				require.Contains(t, res.Means, water.COD, "means are still reported")
			}
		})
	}

	// Eight samples: the means of the first eight months, by hand.
	res, err := water.Annual(water.AnnualInput{Kind: water.River, Samples: monthlySamples(8), MinSamples: 8})
	require.NoError(t, err)
	// NH3N: 0.8+1.2+1.6+2.4+1.0+0.6+0.5+0.7 = 8.8 → 1.1 (IV); COD: 18+22+25+30+19+17+16+20 = 167 → 20.875 (IV)
	require.InDelta(t, 8.8/8, res.Means[water.NH3N], 1e-12)
	require.InDelta(t, 167.0/8, res.Means[water.COD], 1e-12)
	require.Equal(t, water.ClassIV, res.Class)
}

func TestAnnualRejects(t *testing.T) {
	bad := monthlySamples(12)
	bad[3][water.TP] = -0.1
	for _, tc := range []struct {
		name  string
		in    water.AnnualInput
		field string
	}{
		{"negative value", water.AnnualInput{Kind: water.River, Samples: bad}, "samples[3].TP"},
		{"unknown item", water.AnnualInput{Kind: water.River, Samples: []water.Values{{"NH3-N": 1}}}, "samples[0].NH3-N"},
		{"negative minimum", water.AnnualInput{Kind: water.River, MinSamples: -1}, "min_samples"},
		{"no kind", water.AnnualInput{Samples: monthlySamples(12)}, "kind"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := water.Annual(tc.in)
			require.Error(t, err)
			require.Equal(t, domain.Invalid, domain.KindOf(err))
			require.Equal(t, tc.field, domain.FieldOf(err))
		})
	}
}

// With the months of the samples given, the norm counts months sampled:
// twelve samples in March are one month, a month's second sample stands
// for no other month, and the means are still over every sample.
func TestAnnualCountsMonths(t *testing.T) {
	v := func(nh3 float64) water.Values { return water.Values{water.NH3N: nh3} }
	twelve := func(month func(i int) int) ([]water.Values, []int) {
		var vs []water.Values
		var ms []int
		for i := range 12 {
			vs, ms = append(vs, v(0.1+float64(i)*0.1)), append(ms, month(i))
		}
		return vs, ms
	}
	for _, tc := range []struct {
		name   string
		month  func(i int) int
		min    int
		months int
		enough bool
	}{
		{"one a month", func(i int) int { return i + 1 }, 0, 12, true},
		{"all in March", func(int) int { return 3 }, 0, 1, false},
		{"two in June, none in December", func(i int) int { return min(i+1, 11) }, 0, 11, false},
		{"eight months, ice-bound", func(i int) int { return i%8 + 3 }, 8, 8, true},
	} {
		vs, ms := twelve(tc.month)
		res, err := water.Annual(water.AnnualInput{Kind: water.River, Samples: vs, MinSamples: tc.min, Months: ms})
		require.NoError(t, err, tc.name)
		require.Equal(t, 12, res.Samples, tc.name)
		require.Equal(t, tc.months, res.Months, tc.name)
		require.Equal(t, tc.enough, res.Enough, tc.name)
		require.InDelta(t, (0.1+1.2)/2, res.Means[water.NH3N], 1e-12, "%s: the mean of all twelve", tc.name)
	}
	_, err := water.Annual(water.AnnualInput{Kind: water.River, Samples: []water.Values{v(1)}, Months: []int{13}})
	require.Equal(t, "months[0]", domain.FieldOf(err))
	_, err = water.Annual(water.AnnualInput{Kind: water.River, Samples: []water.Values{v(1)}, Months: []int{1, 2}})
	require.Equal(t, "months", domain.FieldOf(err))
}
