package demo

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/monitoring"
)

func TestSectionsFollowThePlan(t *testing.T) {
	secs := sections()
	count := map[domain.Basin]int{}
	ids := map[monitoring.SectionID]bool{}
	for _, s := range secs {
		require.NoError(t, s.Validate(), s.ID)
		require.False(t, ids[s.ID], "unique id %s", s.ID)
		ids[s.ID] = true
		count[s.Basin]++
	}
	require.Equal(t, monitoring.PlanSections[domain.Yellow], count[domain.Yellow])
	require.Equal(t, monitoring.PlanSections[domain.Hai], count[domain.Hai])
	names := map[string]bool{}
	for _, s := range secs {
		names[s.Name] = true
	}
	for _, real := range []string{"汾河水库出口", "河津大桥", "庙前村", "滹沱河南庄", "桑干河梵王寺", "御河利仁皂", "漳泽水库出口", "丹河任庄水库出口"} {
		require.True(t, names[real], real)
	}
}

// The same seed generates the same uploads; another seed does not.
func TestGenerationIsDeterministic(t *testing.T) {
	a, _ := newGenerator(7, sections()).quarter(2018, 2)
	b, _ := newGenerator(7, sections()).quarter(2018, 2)
	c, _ := newGenerator(8, sections()).quarter(2018, 2)
	require.True(t, bytes.Equal(a, b))
	require.False(t, bytes.Equal(a, c))
}

func TestCasesText(t *testing.T) {
	require.Equal(t, "1 accountability case", casesText(1))
	require.Equal(t, "4 accountability cases", casesText(4))
	require.Equal(t, "0 accountability cases", casesText(0))
}
