package water_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/water"
)

// gb3838 is GB 3838-2002 Table 1 typed in again from DOMAIN.md §3, so the
// tests do not read the package's own table.
var gb3838 = []struct {
	item  water.Item
	kinds []water.BodyKind
	lim   [5]float64
}{
	{water.DO, both, [5]float64{7.5, 6, 5, 3, 2}},
	{water.CODMn, both, [5]float64{2, 4, 6, 10, 15}},
	{water.COD, both, [5]float64{15, 15, 20, 30, 40}},
	{water.BOD5, both, [5]float64{3, 3, 4, 6, 10}},
	{water.NH3N, both, [5]float64{0.15, 0.5, 1.0, 1.5, 2.0}},
	{water.TP, river, [5]float64{0.02, 0.1, 0.2, 0.3, 0.4}},
	{water.TP, lake, [5]float64{0.01, 0.025, 0.05, 0.1, 0.2}},
	{water.TN, lake, [5]float64{0.2, 0.5, 1.0, 1.5, 2.0}},
	{water.Cu, both, [5]float64{0.01, 1.0, 1.0, 1.0, 1.0}},
	{water.Zn, both, [5]float64{0.05, 1.0, 1.0, 2.0, 2.0}},
	{water.F, both, [5]float64{1.0, 1.0, 1.0, 1.5, 1.5}},
	{water.Se, both, [5]float64{0.01, 0.01, 0.01, 0.02, 0.02}},
	{water.As, both, [5]float64{0.05, 0.05, 0.05, 0.1, 0.1}},
	{water.Hg, both, [5]float64{0.00005, 0.00005, 0.0001, 0.001, 0.001}},
	{water.Cd, both, [5]float64{0.001, 0.005, 0.005, 0.005, 0.01}},
	{water.Cr6, both, [5]float64{0.01, 0.05, 0.05, 0.05, 0.1}},
	{water.Pb, both, [5]float64{0.01, 0.01, 0.05, 0.05, 0.1}},
	{water.CN, both, [5]float64{0.005, 0.05, 0.2, 0.2, 0.2}},
	{water.Phenol, both, [5]float64{0.002, 0.002, 0.005, 0.01, 0.1}},
	{water.Petroleum, both, [5]float64{0.05, 0.05, 0.05, 0.5, 1.0}},
	{water.LAS, both, [5]float64{0.2, 0.2, 0.2, 0.3, 0.3}},
	{water.Sulfide, both, [5]float64{0.05, 0.1, 0.2, 0.5, 1.0}},
	{water.FecalColiform, both, [5]float64{200, 2000, 10000, 20000, 40000}},
}

var (
	river = []water.BodyKind{water.River}
	lake  = []water.BodyKind{water.Lake}
	both  = []water.BodyKind{water.River, water.Lake}
)

// Every item at exactly each class limit, and just beyond it (above for an
// upper bound, below for DO). The expected class is worked out from the
// retyped table: at a limit shared by several classes the best of them; just
// beyond a limit, the first class whose limit admits the value, or 劣V.
func TestClassifyValueAtAndBeyondEveryLimit(t *testing.T) {
	for _, row := range gb3838 {
		lower := row.item == water.DO
		for _, kind := range row.kinds {
			for k := 1; k <= 5; k++ {
				c := water.Class(k)
				lim := row.lim[k-1]

				got, ok := water.Limit(row.item, kind, c)
				require.True(t, ok)
				require.Equal(t, lim, got, "%s %s class %s limit", row.item, kind, c)

				// At the limit: the first class with this same limit.
				first := k
				for first > 1 && row.lim[first-2] == lim {
					first--
				}
				name := fmt.Sprintf("%s/%s/at %s limit %g", row.item, kind, c, lim)
				cls, err := water.ClassifyValue(row.item, kind, lim)
				require.NoError(t, err, name)
				require.Equal(t, water.Class(first), cls, name)

				// Just beyond: 0.1% worse than the limit.
				beyond := lim * 1.001
				if lower {
					beyond = lim * 0.999
				}
				want := water.WorseThanV
				for j := k + 1; j <= 5; j++ {
					if !lower && beyond <= row.lim[j-1] || lower && beyond >= row.lim[j-1] {
						want = water.Class(j)
						break
					}
				}
				name = fmt.Sprintf("%s/%s/beyond %s limit: %g", row.item, kind, c, beyond)
				cls, err = water.ClassifyValue(row.item, kind, beyond)
				require.NoError(t, err, name)
				require.Equal(t, want, cls, name)
				require.Greater(t, cls, water.Class(first), name)
			}
		}
	}
}

// floatMean is the mean of 0.1, 0.2 and 0.3 computed in float64 at run time
// (a constant expression would be exact): a hair above 0.2.
var floatMean = func(xs ...float64) float64 { return (xs[0] + xs[1] + xs[2]) / 3 }(0.1, 0.2, 0.3)

// A few of the boundaries written out by hand.
func TestClassifyValueByHand(t *testing.T) {
	for _, tc := range []struct {
		item water.Item
		kind water.BodyKind
		v    float64
		want water.Class
	}{
		{water.COD, water.River, 15, water.ClassI}, // shared I/II limit: the better class
		{water.COD, water.River, 15.1, water.ClassIII},
		{water.COD, water.River, 40.01, water.WorseThanV},
		{water.Cu, water.River, 1.0, water.ClassII}, // II = III = IV = V
		{water.Cu, water.River, 1.01, water.WorseThanV},
		{water.Hg, water.River, 0.00005, water.ClassI},
		{water.Hg, water.River, 0.00006, water.ClassIII},
		{water.Hg, water.River, 0.0011, water.WorseThanV},
		{water.DO, water.River, 7.5, water.ClassI},
		{water.DO, water.River, 7.49, water.ClassII},
		{water.DO, water.River, 2, water.ClassV},
		{water.DO, water.River, 1.99, water.WorseThanV},
		{water.DO, water.River, 0, water.WorseThanV},
		{water.NH3N, water.River, 0, water.ClassI},
		{water.TP, water.River, 0.2, water.ClassIII},
		{water.TP, water.River, floatMean, water.ClassIII}, // 0.20000000000000004
		{water.FecalColiform, water.Lake, 40001, water.WorseThanV},
	} {
		got, err := water.ClassifyValue(tc.item, tc.kind, tc.v)
		require.NoError(t, err)
		require.Equal(t, tc.want, got, "%s %s %g", tc.item, tc.kind, tc.v)
	}
	require.Greater(t, floatMean, 0.2, "the float case above must really be a hair above the limit")
}

func TestTPRiverVersusLake(t *testing.T) {
	for _, tc := range []struct {
		v           float64
		river, lake water.Class
	}{
		{0.01, water.ClassI, water.ClassI},
		{0.02, water.ClassI, water.ClassII},
		{0.05, water.ClassII, water.ClassIII},
		{0.1, water.ClassII, water.ClassIV},
		{0.2, water.ClassIII, water.ClassV},
		{0.3, water.ClassIV, water.WorseThanV},
		{0.41, water.WorseThanV, water.WorseThanV},
	} {
		r, err := water.ClassifyValue(water.TP, water.River, tc.v)
		require.NoError(t, err)
		l, err := water.ClassifyValue(water.TP, water.Lake, tc.v)
		require.NoError(t, err)
		require.Equal(t, tc.river, r, "river TP %g", tc.v)
		require.Equal(t, tc.lake, l, "lake TP %g", tc.v)
	}
}

func TestPH(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		want water.Class
	}{
		{0, water.WorseThanV},
		{5.99, water.WorseThanV},
		{6, water.ClassI},
		{7.5, water.ClassI},
		{9, water.ClassI},
		{9.01, water.WorseThanV},
		{14, water.WorseThanV},
	} {
		for _, kind := range both {
			got, err := water.ClassifyValue(water.PH, kind, tc.v)
			require.NoError(t, err)
			require.Equal(t, tc.want, got, "pH %g", tc.v)

			// In a sample whose other items are class II, pH alone decides 劣V.
			res, err := water.ClassifySample(kind, water.Values{water.PH: tc.v, water.NH3N: 0.4, water.DO: 6.5})
			require.NoError(t, err)
			if tc.want == water.WorseThanV {
				require.Equal(t, water.WorseThanV, res.Class, "pH %g", tc.v)
				require.Equal(t, []water.Item{water.PH}, res.Worst)
			} else {
				require.Equal(t, water.ClassII, res.Class, "pH %g", tc.v)
				require.Equal(t, []water.Item{water.DO, water.NH3N}, res.Worst)
			}
		}
	}
	for c := water.ClassI; c <= water.ClassV; c++ {
		_, ok := water.Limit(water.PH, water.River, c)
		require.False(t, ok, "pH is a range rule, not a limit")
	}
}

func TestLimitRefusals(t *testing.T) {
	for _, tc := range []struct {
		item water.Item
		kind water.BodyKind
		c    water.Class
	}{
		{water.TN, water.River, water.ClassIII},
		{water.COD, water.River, 0},
		{water.COD, water.River, water.WorseThanV},
		{water.COD, "sea", water.ClassIII},
		{"NH3-N", water.River, water.ClassIII},
		{"temperature", water.River, water.ClassIII},
	} {
		_, ok := water.Limit(tc.item, tc.kind, tc.c)
		require.False(t, ok, "%s %s %d", tc.item, tc.kind, tc.c)
	}
}

func TestClassifyValueRejects(t *testing.T) {
	for _, tc := range []struct {
		name  string
		item  water.Item
		kind  water.BodyKind
		v     float64
		field string
	}{
		{"negative", water.COD, water.River, -1, "COD"},
		{"negative zero is fine, tiny negative is not", water.NH3N, water.River, -1e-12, "NH3N"},
		{"NaN", water.TP, water.Lake, math.NaN(), "TP"},
		{"infinite", water.TP, water.Lake, math.Inf(1), "TP"},
		{"NaN pH", water.PH, water.River, math.NaN(), "pH"},
		{"pH above 14", water.PH, water.River, 14.2, "pH"},
		{"pH below 0", water.PH, water.River, -0.5, "pH"},
		{"unknown item", "temperature", water.River, 12, "item"},
		{"alias, not a code", "NH3-N", water.River, 1, "item"},
		{"TN on a river", water.TN, water.River, 1, "item"},
		{"missing kind", water.COD, "", 10, "kind"},
		{"unknown kind", water.COD, "reservoir", 10, "kind"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := water.ClassifyValue(tc.item, tc.kind, tc.v)
			require.Error(t, err)
			require.Equal(t, domain.Invalid, domain.KindOf(err))
			require.Equal(t, tc.field, domain.FieldOf(err))
		})
	}
	_, err := water.ClassifyValue("NH3-N", water.River, 1)
	require.ErrorContains(t, err, `"NH3N"`, "an alias is answered with its code")
}

func TestClassifySampleRejects(t *testing.T) {
	for _, tc := range []struct {
		name  string
		kind  water.BodyKind
		v     water.Values
		field string
	}{
		{"negative counted item", water.River, water.Values{water.COD: -3}, "COD"},
		{"NaN uncounted item", water.River, water.Values{water.FecalColiform: math.NaN()}, "fecal_coliform"},
		{"negative TN on a river, though ignored", water.River, water.Values{water.TN: -1}, "TN"},
		{"pH off the scale", water.Lake, water.Values{water.PH: 15}, "pH"},
		{"unknown item", water.River, water.Values{"temperature": 12}, "temperature"},
		{"bad kind", "", water.Values{water.COD: 10}, "kind"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := water.ClassifySample(tc.kind, tc.v)
			require.Error(t, err)
			require.Equal(t, domain.Invalid, domain.KindOf(err))
			require.Equal(t, tc.field, domain.FieldOf(err))
		})
	}
}

func TestClassifySampleSingleFactor(t *testing.T) {
	res, err := water.ClassifySample(water.River, water.Values{
		water.PH: 7.8, water.DO: 6.2, water.CODMn: 5.1, water.COD: 18, water.NH3N: 1.2, water.TP: 0.15,
	})
	require.NoError(t, err)
	require.Equal(t, water.ClassIV, res.Class, "NH3-N 1.2 is class IV, the worst item")
	require.Equal(t, []water.Item{water.NH3N}, res.Worst)
	require.Equal(t, map[water.Item]water.Class{
		water.PH: water.ClassI, water.DO: water.ClassII, water.CODMn: water.ClassIII, water.COD: water.ClassIII,
		water.NH3N: water.ClassIV, water.TP: water.ClassIII,
	}, res.ItemClasses)

	// Ties: every item that reaches the class is listed, in table order.
	res, err = water.ClassifySample(water.River, water.Values{water.Pb: 0.01, water.COD: 15, water.BOD5: 3})
	require.NoError(t, err)
	require.Equal(t, water.ClassI, res.Class)
	require.Equal(t, []water.Item{water.COD, water.BOD5, water.Pb}, res.Worst)
}

func TestTNRiversVersusLakes(t *testing.T) {
	v := water.Values{water.NH3N: 0.4, water.TP: 0.02, water.TN: 3.0}

	r, err := water.ClassifySample(water.River, v)
	require.NoError(t, err)
	require.Equal(t, water.ClassII, r.Class, "TN is ignored for rivers")
	require.NotContains(t, r.ItemClasses, water.TN)
	require.NotContains(t, r.Uncounted, water.TN)
	require.Nil(t, water.MainPollutants(water.River, v))

	// A lake: TN is evaluated (3.0 is beyond class V's 2.0) and reported
	// apart; the class is that of the 21 items: NH3-N 0.4 is II, TP 0.02
	// on a lake is II (≤ 0.025).
	l, err := water.ClassifySample(water.Lake, v)
	require.NoError(t, err)
	require.Equal(t, water.ClassII, l.Class, "TN is reported apart for lakes, not counted")
	require.Equal(t, []water.Item{water.NH3N, water.TP}, l.Worst)
	require.NotContains(t, l.ItemClasses, water.TN)
	require.Equal(t, water.WorseThanV, l.Uncounted[water.TN])
	require.Nil(t, water.MainPollutants(water.Lake, v))

	// The same holds for a year's means.
	year := make([]water.Values, 12)
	for i := range year {
		year[i] = v
	}
	a, err := water.Annual(water.AnnualInput{Kind: water.Lake, Samples: year})
	require.NoError(t, err)
	require.Equal(t, water.ClassII, a.Class)
	require.Empty(t, a.MainPollutants)
	require.Equal(t, map[water.Item]water.Class{water.TN: water.WorseThanV}, a.Uncounted)
}

func TestFecalColiformNeverCounts(t *testing.T) {
	for _, kind := range both {
		res, err := water.ClassifySample(kind, water.Values{water.DO: 8, water.FecalColiform: 100000})
		require.NoError(t, err)
		require.Equal(t, water.ClassI, res.Class, string(kind))
		require.Equal(t, []water.Item{water.DO}, res.Worst)
		require.NotContains(t, res.ItemClasses, water.FecalColiform)
		require.Equal(t, water.WorseThanV, res.Uncounted[water.FecalColiform], "reported separately")

		only, err := water.ClassifySample(kind, water.Values{water.FecalColiform: 100000})
		require.NoError(t, err)
		require.Equal(t, water.Class(0), only.Class, "nothing counted: not classified")
	}
}

func TestEmptySample(t *testing.T) {
	for _, v := range []water.Values{nil, {}} {
		res, err := water.ClassifySample(water.River, v)
		require.NoError(t, err)
		require.Equal(t, water.Class(0), res.Class)
		require.Empty(t, res.Worst)
		require.Empty(t, res.ItemClasses)
		require.Nil(t, water.MainPollutants(water.River, v))
	}
}

func TestMainPollutants(t *testing.T) {
	v := water.Values{
		water.PH:    5.5,  // 劣V, never listed
		water.DO:    1.0,  // 劣V, never listed
		water.COD:   45,   // 劣V
		water.NH3N:  3.0,  // 劣V
		water.TP:    0.35, // V (river)
		water.CODMn: 8,    // IV
		water.Hg:    0.00008,
	}
	mp := water.MainPollutants(water.River, v)
	want := []water.Exceedance{
		{Item: water.NH3N, Value: 3.0, Limit: 1.0, Multiple: (3.0 - 1.0) / 1.0},
		{Item: water.COD, Value: 45, Limit: 20, Multiple: (45.0 - 20) / 20},
		{Item: water.TP, Value: 0.35, Limit: 0.2, Multiple: (0.35 - 0.2) / 0.2},
	} // CODMn (IV, (8-6)/6 = 0.33) is fourth and left off; Hg is class III
	requireExceedances(t, want, mp)

	// Equal multiples keep table order: CODMn (9-6)/6 = 0.5, BOD5 (6-4)/4 = 0.5.
	mp = water.MainPollutants(water.River, water.Values{water.BOD5: 6, water.CODMn: 9, water.Sulfide: 0.25})
	require.Len(t, mp, 3)
	require.Equal(t, []water.Item{water.CODMn, water.BOD5, water.Sulfide}, []water.Item{mp[0].Item, mp[1].Item, mp[2].Item})
	require.InDelta(t, (9.0-6)/6, mp[0].Multiple, 1e-12)
	require.InDelta(t, (6.0-4)/4, mp[1].Multiple, 1e-12)
	require.InDelta(t, (0.25-0.2)/0.2, mp[2].Multiple, 1e-12)

	// Class III or better: no main pollutants, even with items near III.
	require.Nil(t, water.MainPollutants(water.River, water.Values{water.COD: 20, water.NH3N: 1.0, water.TP: 0.2}))

	// DO alone makes the sample worse than III: the class is IV, nothing is listed.
	res, err := water.ClassifySample(water.River, water.Values{water.DO: 4, water.COD: 12})
	require.NoError(t, err)
	require.Equal(t, water.ClassIV, res.Class)
	require.Empty(t, water.MainPollutants(water.River, water.Values{water.DO: 4, water.COD: 12}))

	// Fecal coliform is never a main pollutant.
	mp = water.MainPollutants(water.Lake, water.Values{water.FecalColiform: 1e6, water.TP: 0.06})
	require.Len(t, mp, 1)
	require.Equal(t, water.TP, mp[0].Item)
	require.InDelta(t, (0.06-0.05)/0.05, mp[0].Multiple, 1e-12)

	// Invalid input gives nothing (ClassifySample says why).
	require.Nil(t, water.MainPollutants(water.River, water.Values{water.COD: -45}))
	require.Nil(t, water.MainPollutants("sea", water.Values{water.COD: 45}))
}

func TestBelowDetection(t *testing.T) {
	require.Equal(t, 0.0005, water.BelowDetection(0.001))
	require.Equal(t, 0.01, water.BelowDetection(0.02))
}

func requireExceedances(t *testing.T, want, got []water.Exceedance) {
	t.Helper()
	require.Len(t, got, len(want))
	for i := range want {
		require.Equal(t, want[i].Item, got[i].Item, "[%d]", i)
		require.Equal(t, want[i].Value, got[i].Value, "[%d]", i)
		require.Equal(t, want[i].Limit, got[i].Limit, "[%d]", i)
		require.InDelta(t, want[i].Multiple, got[i].Multiple, 1e-9, "[%d]", i)
	}
}
