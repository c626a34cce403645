package events

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestTimeFormat(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	for _, tm := range []time.Time{
		time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2019, 12, 31, 23, 59, 59, 999999000, time.UTC),
		time.Date(2020, 2, 29, 8, 5, 3, 1000, cst),
		time.Date(1999, 7, 4, 12, 0, 0, 123456789, time.UTC),
	} {
		s := FormatTime(tm)
		require.Equal(t, tm.UTC().Format(TimeFormat), s, "same as time.Format")
		back, err := ParseTime(s)
		require.NoError(t, err)
		require.True(t, tm.Truncate(time.Microsecond).Equal(back), "%s round trips", s)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for range 20000 {
		tm := time.Unix(rng.Int64N(400e9)-100e9, rng.Int64N(1e9)) // years from -1200 to 14600
		require.Equal(t, tm.UTC().Format(TimeFormat), FormatTime(tm))
	}
	for _, bad := range []string{"", "2019-12-31", "2019-13-01T00:00:00.000000Z", "2019-02-30T00:00:00.000000Z",
		"2019-12-31T24:00:00.000000Z", "2019-12-31T00:00:00.00000xZ", "2019-12-31 00:00:00.000000Z"} {
		_, err := ParseTime(bad)
		require.Error(t, err, bad)
	}
}
