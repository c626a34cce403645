package monitoring

import (
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/domain/water"
)

// The documented example parses as documented.
func TestUploadExample(t *testing.T) {
	f, err := os.Open("testdata/upload-example.csv")
	require.NoError(t, err)
	defer f.Close()
	known := func(id SectionID) bool { return id == "Y-140800-01" || id == "Y-140800-02" || id == "H-140900-01" }
	p, err := ParseCSV(f, known, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	require.True(t, p.OK(), "%v", p.Errors)
	require.Len(t, p.Rows, 4)
	require.Equal(t, Auto, p.Rows[1].Sample.Source)
	require.Equal(t, []water.Item{water.CODMn}, p.Rows[1].Sample.BelowDL)
	require.Equal(t, 0.5, p.Rows[1].Sample.Values[water.CODMn])
	require.Equal(t, Ice, p.Rows[3].Sample.Status)
	require.Empty(t, p.Rows[3].Sample.Values)
	require.Equal(t, time.Date(2019, 3, 10, 1, 0, 0, 0, time.UTC), p.Rows[0].Sample.At)
}
