package water_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/water"
)

func p(v float64) *float64 { return &v }

func TestBlackOdorBands(t *testing.T) {
	none, light, heavy := water.NotBlackOdor, water.LightBlackOdor, water.HeavyBlackOdor
	for _, tc := range []struct {
		name string
		r    water.BlackOdorReading
		want water.BlackOdorLevel
	}{
		{"nothing measured", water.BlackOdorReading{}, none},

		{"transparency 30", water.BlackOdorReading{TransparencyCm: p(30)}, none},
		{"transparency 25.1", water.BlackOdorReading{TransparencyCm: p(25.1)}, none},
		{"transparency 25", water.BlackOdorReading{TransparencyCm: p(25)}, light},
		{"transparency 10", water.BlackOdorReading{TransparencyCm: p(10)}, light},
		{"transparency 9.9", water.BlackOdorReading{TransparencyCm: p(9.9)}, heavy},
		{"transparency 0", water.BlackOdorReading{TransparencyCm: p(0)}, heavy},

		{"DO 2.1", water.BlackOdorReading{DO: p(2.1)}, none},
		{"DO 2.0", water.BlackOdorReading{DO: p(2.0)}, light},
		{"DO 0.2", water.BlackOdorReading{DO: p(0.2)}, light},
		{"DO 0.19", water.BlackOdorReading{DO: p(0.19)}, heavy},

		{"ORP 51", water.BlackOdorReading{ORP: p(51)}, none},
		{"ORP 50", water.BlackOdorReading{ORP: p(50)}, light},
		{"ORP -200", water.BlackOdorReading{ORP: p(-200)}, light},
		{"ORP -201", water.BlackOdorReading{ORP: p(-201)}, heavy},

		{"NH3-N 7.9", water.BlackOdorReading{NH3N: p(7.9)}, none},
		{"NH3-N 8", water.BlackOdorReading{NH3N: p(8)}, light},
		{"NH3-N 15", water.BlackOdorReading{NH3N: p(15)}, light},
		{"NH3-N 15.1", water.BlackOdorReading{NH3N: p(15.1)}, heavy},

		{"one light indicator is enough", water.BlackOdorReading{TransparencyCm: p(40), DO: p(5), ORP: p(120), NH3N: p(9)}, light},
		{"heavy beats light", water.BlackOdorReading{TransparencyCm: p(20), DO: p(1), NH3N: p(16)}, heavy},
		{"all clear", water.BlackOdorReading{TransparencyCm: p(60), DepthCm: p(150), DO: p(6), ORP: p(180), NH3N: p(0.8)}, none},

		// Shallow water, 20 cm: light bound 0.4 × 20 = 8 cm, heavy bound 8 × 10/25 = 3.2 cm.
		{"shallow 20, bottom visible at 20", water.BlackOdorReading{TransparencyCm: p(20), DepthCm: p(20)}, none},
		{"shallow 20, transparency 8.1", water.BlackOdorReading{TransparencyCm: p(8.1), DepthCm: p(20)}, none},
		{"shallow 20, transparency 8", water.BlackOdorReading{TransparencyCm: p(8), DepthCm: p(20)}, light},
		{"shallow 20, transparency 3.2", water.BlackOdorReading{TransparencyCm: p(3.2), DepthCm: p(20)}, light},
		{"shallow 20, transparency 3.1", water.BlackOdorReading{TransparencyCm: p(3.1), DepthCm: p(20)}, heavy},
		// 10 cm: bounds 4 and 1.6 cm.
		{"shallow 10, transparency 5", water.BlackOdorReading{TransparencyCm: p(5), DepthCm: p(10)}, none},
		{"shallow 10, transparency 4", water.BlackOdorReading{TransparencyCm: p(4), DepthCm: p(10)}, light},
		{"shallow 10, transparency 1.5", water.BlackOdorReading{TransparencyCm: p(1.5), DepthCm: p(10)}, heavy},
		{"shallow, but DO is heavy", water.BlackOdorReading{TransparencyCm: p(10), DepthCm: p(10), DO: p(0.1)}, heavy},
		// 25 cm and deeper, or depth unknown: the table as written.
		{"depth 25 is not shallow", water.BlackOdorReading{TransparencyCm: p(20), DepthCm: p(25)}, light},
		{"depth 80", water.BlackOdorReading{TransparencyCm: p(9), DepthCm: p(80)}, heavy},

		// Unusable values are ignored (Validate rejects them).
		{"NaN DO ignored", water.BlackOdorReading{DO: p(math.NaN())}, none},
		{"negative NH3-N ignored", water.BlackOdorReading{NH3N: p(-20)}, none},
		{"negative transparency ignored", water.BlackOdorReading{TransparencyCm: p(-1)}, none},
		{"zero depth: standard bands", water.BlackOdorReading{TransparencyCm: p(20), DepthCm: p(0)}, light},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, water.BlackOdor(tc.r))
		})
	}
}

func TestTransparencyBands(t *testing.T) {
	light, heavy := water.TransparencyBands(nil)
	require.Equal(t, 25.0, light)
	require.Equal(t, 10.0, heavy)
	light, heavy = water.TransparencyBands(p(25))
	require.Equal(t, 25.0, light)
	require.Equal(t, 10.0, heavy)
	light, heavy = water.TransparencyBands(p(15))
	require.InDelta(t, 0.4*15, light, 1e-12)
	require.InDelta(t, 0.4*15*10/25, heavy, 1e-12)
}

func TestBlackOdorValidate(t *testing.T) {
	require.Error(t, water.BlackOdorReading{}.Validate(), "nothing measured reads as clean: refused")
	require.Error(t, water.BlackOdorReading{DepthCm: p(30)}.Validate(), "a depth alone measures no indicator")
	require.Error(t, water.BlackOdorReading{TransparencyCm: p(31), DepthCm: p(30)}.Validate(), "transparency deeper than the water")
	require.NoError(t, water.BlackOdorReading{TransparencyCm: p(30), DepthCm: p(30)}.Validate(), "the disk on the bottom")
	require.NoError(t, water.BlackOdorReading{TransparencyCm: p(12), DepthCm: p(40), DO: p(1), ORP: p(-150), NH3N: p(9)}.Validate())
	for _, tc := range []struct {
		r     water.BlackOdorReading
		field string
	}{
		{water.BlackOdorReading{TransparencyCm: p(-1)}, "transparency_cm"},
		{water.BlackOdorReading{DepthCm: p(0)}, "depth_cm"},
		{water.BlackOdorReading{DO: p(math.NaN())}, "do"},
		{water.BlackOdorReading{ORP: p(math.Inf(-1))}, "orp"},
		{water.BlackOdorReading{NH3N: p(-0.5)}, "nh3n"},
	} {
		err := tc.r.Validate()
		require.Error(t, err, tc.field)
		require.Equal(t, domain.Invalid, domain.KindOf(err))
		require.Equal(t, tc.field, domain.FieldOf(err))
	}
}

func TestBlackOdorLevelNames(t *testing.T) {
	require.Equal(t, "none", water.NotBlackOdor.String())
	require.Equal(t, "light", water.LightBlackOdor.String())
	require.Equal(t, "heavy", water.HeavyBlackOdor.String())
	require.Equal(t, "", water.NotBlackOdor.Label())
	require.Equal(t, "轻度黑臭", water.LightBlackOdor.Label())
	require.Equal(t, "重度黑臭", water.HeavyBlackOdor.Label())
}
