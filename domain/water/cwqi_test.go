package water_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/water"
)

func TestCWQI(t *testing.T) {
	for _, tc := range []struct {
		kind  water.BodyKind
		means water.Values
		want  float64
	}{
		// At every class-III limit: 1 each, pH 7 nothing.
		{water.River, water.Values{water.PH: 7, water.DO: 5, water.CODMn: 6, water.NH3N: 1, water.TP: 0.2}, 4},
		// A lake's TP limit is 0.05; TN and fecal coliform do not count.
		{water.Lake, water.Values{water.TP: 0.1, water.TN: 9, water.FecalColiform: 50000}, 2},
		// pH on either side of 7, against 9 and 6.
		{water.River, water.Values{water.PH: 8}, 0.5},
		{water.River, water.Values{water.PH: 6.5}, 0.5},
		// DO: more is cleaner.
		{water.River, water.Values{water.DO: 10}, 0.5},
		{water.River, water.Values{}, 0},
	} {
		got, err := water.CWQI(tc.kind, tc.means)
		require.NoError(t, err)
		require.InDelta(t, tc.want, got, 1e-12, "%v %v", tc.kind, tc.means)
	}
	_, err := water.CWQI(water.River, water.Values{"mystery": 1})
	require.Equal(t, domain.Invalid, domain.KindOf(err))
	_, err = water.CWQI("sea", water.Values{})
	require.Equal(t, "kind", domain.FieldOf(err))
}
